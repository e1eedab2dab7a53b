"""DynamoDB tables keep continuous backups (point-in-time recovery)."""

from goldenpath.policy import NIST, PolicySpec, get_path

TABLE = "aws:dynamodb/table:Table"

# Peers: checkov CKV_AWS_28, cdk-nag AwsSolutions-DDB3


def _is_true(value):
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _problem(props):
    if _is_true(get_path(props, "pointInTimeRecovery.enabled")):
        return None
    return (
        "point-in-time recovery is off (it is when pointInTimeRecovery is not set), so a bad write or delete "
        "cannot be rolled back; set pointInTimeRecovery: {enabled: true}"
    )


def check(props, config):
    return _problem(props)  # an unknown value raises: the policy can't run until apply


POLICY = PolicySpec(
    id="aws-dynamodb-pitr",
    description="DynamoDB tables have point-in-time recovery enabled.",
    severity="medium",
    rationale="Without point-in-time recovery a buggy deploy, a mass delete or ransomware that overwrites items "
    "can only be undone from on-demand backups someone remembered to take; PITR restores the table to any second "
    "of the last 35 days.",
    remediation="Pass `point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True)` to the "
    "`aws.dynamodb.Table` (and `point_in_time_recovery=True` on each entry of `replicas`).",
    resource_types=(TABLE,),
    check=check,
    controls={NIST: ("CP-9", "CP-10")},
    peers={"checkov": ("CKV_AWS_28",), "cdk-nag": ("AwsSolutions-DDB3",)},
)
