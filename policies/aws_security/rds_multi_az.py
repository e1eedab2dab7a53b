"""Production RDS instances run Multi-AZ, with a standby in a second Availability Zone."""

# Peers: checkov CKV_AWS_157, cdk-nag AwsSolutions-RDS3, awsguard rds-instance-multi-az-enabled
# (they require Multi-AZ everywhere; this one only where the resource says it is production)

from collections.abc import Mapping

from pulumi_policy.proxy import UnknownValueError

from goldenpath.conventions import TAG_ENVIRONMENT
from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import INSTANCE, is_replica, is_true

DEFAULT_PRODUCTION = ["prod", "production"]


def _environment(props):
    """The resource's environment tag, or None when it has none; a tag known only after apply raises."""
    unknown = None
    for path in ("tags", "tagsAll"):
        try:
            tags = get_path(props, path)
            value = get_path(tags, TAG_ENVIRONMENT) if isinstance(tags, Mapping) else None
        except UnknownValueError as error:
            unknown = unknown or error  # the other map may still hold it
            continue
        if isinstance(value, str) and value:
            return value
    if unknown is not None:
        raise unknown
    return None


def check(props, config):
    try:
        environment = _environment(props)
    except UnknownValueError as error:
        environment, unknown = None, error  # may be production: judged below, can't run if nothing proves it
    else:
        unknown = None
    production = {str(e).lower() for e in config["productionEnvironments"]}
    if unknown is None and (environment is None or environment.lower() not in production):
        return None
    # An unknown multiAz or replicateSourceDb propagates: the engine says the policy can't run yet.
    if is_true(get_path(props, "multiAz")):
        return None
    if is_replica(props):
        return None  # a read replica is the spare, not the database to keep standing
    if unknown is not None:
        raise unknown  # a single-AZ database that may be production: decided once its tags are known
    return (
        f"this {environment} database runs in one Availability Zone (multiAz is not true), so an AZ outage "
        "or a host failure takes it down; set multiAz: true"
    )


POLICY = PolicySpec(
    id="aws-rds-multi-az",
    description="RDS instances tagged as production run Multi-AZ.",
    severity="medium",
    rationale="A single-AZ instance is down for the whole of an Availability Zone outage and for every host "
    "replacement or storage failure until a restore completes; Multi-AZ fails over to a synchronous standby "
    "in one to two minutes. Aurora clusters are multi-AZ through their instances and are not judged here.",
    remediation="Set `multi_az=True` on the `aws.rds.Instance` of every production environment (the environment "
    f"is read from the `{TAG_ENVIRONMENT}` tag; configure `productionEnvironments` for other names). Read "
    "replicas are not judged.",
    resource_types=(INSTANCE,),
    check=check,
    controls={NIST: ("CP-10", "SC-36")},
    peers={
        "checkov": ("CKV_AWS_157",),
        "cdk-nag": ("AwsSolutions-RDS3",),
        "awsguard": ("rds-instance-multi-az-enabled",),
    },
    config_schema={
        "productionEnvironments": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_PRODUCTION,
            "description": f"Values of the `{TAG_ENVIRONMENT}` tag that mark a production database "
            "(compared case-insensitively); a database without the tag is not judged.",
        }
    },
)
