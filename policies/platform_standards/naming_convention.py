"""Explicit physical names follow the platform convention, so a name says what and whose it is."""

import re

from pulumi_policy.proxy import UnknownValueError

from goldenpath.conventions import NAME_PATTERN, NAME_ROOT, TAG_SERVICE
from goldenpath.policy import PolicySpec, get_path, note_unknown

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
SNS_TOPIC = "aws:sns/topic:Topic"
# The property that holds each type's physical name; pulumi auto-names the resource when it is unset.
NAME_PROPERTY = {
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:ecs/cluster:Cluster": "name",
    "aws:ecs/service:Service": "name",
    "aws:lb/loadBalancer:LoadBalancer": "name",
    "aws:alb/loadBalancer:LoadBalancer": "name",
    "aws:lb/targetGroup:TargetGroup": "name",
    "aws:alb/targetGroup:TargetGroup": "name",
    LOG_GROUP: "name",
    SNS_TOPIC: "name",
    ECR_REPOSITORY: "name",
    "aws:s3/bucket:Bucket": "bucket",
}
# Only these kinds take path-like names ("/goldenpath/payments/prod", "team/payments").
HIERARCHICAL = frozenset({LOG_GROUP, ECR_REPOSITORY})
FIFO_SUFFIX = ".fifo"
# conventions.physical_name shortens an over-long name to "<prefix>-<6 hex digits of its hash>".
_SHORTENED = re.compile(r"^(?P<stem>.+)-[0-9a-f]{6}$")
_BOUNDARIES = ("-", "/")
_DEFAULT_RULE = (
    "lower-case letters and digits in words joined by '-' ('/' between words only in log group and ECR "
    "repository names)"
)


def _starts_with_service(name, service):
    bare = name.lstrip("/")
    if bare.startswith(f"{NAME_ROOT}/"):
        bare = bare[len(NAME_ROOT) + 1 :]
    if bare == service or any(bare.startswith(service + b) for b in _BOUNDARIES):
        return True
    shortened = _SHORTENED.match(bare)
    return bool(shortened and len(shortened["stem"]) < len(service) and service.startswith(shortened["stem"]))


def check(props, config, resource):
    resource_type = resource.resource_type
    prop = NAME_PROPERTY[resource_type]
    name = get_path(props, prop)  # a name computed from another resource propagates: can't run yet
    if not isinstance(name, str) or not name:
        return []
    checked = name
    if resource_type == SNS_TOPIC and checked.endswith(FIFO_SUFFIX):
        checked = checked[: -len(FIFO_SUFFIX)]  # AWS requires the suffix on FIFO topics
    messages = []
    pattern = config["pattern"]
    try:
        matches = re.match(pattern, checked) is not None
    except re.error as error:
        return [f"the configured naming pattern {pattern!r} is not a regular expression ({error})"]
    if not matches or ("/" in checked and resource_type not in HIERARCHICAL):
        why = _DEFAULT_RULE if pattern == NAME_PATTERN else f"the pattern {pattern!r}"
        messages.append(f"{prop} {name!r} does not follow the naming convention: {why}")
    try:
        service = get_path(props, f"tags.{TAG_SERVICE}")
    except UnknownValueError as error:
        note_unknown(error)  # the name's prefix is judged once the service tag is known
        service = None
    if isinstance(service, str) and service and not _starts_with_service(name, service):
        example = f"/{NAME_ROOT}/{service}/…" if resource_type == LOG_GROUP else f"{service}-…"
        messages.append(
            f"{prop} {name!r} does not start with its service tag {service!r}; name it {example!r} "
            "(goldenpath.conventions.physical_name and the goldenpath components do)"
        )
    return messages


POLICY = PolicySpec(
    id="platform-naming-convention",
    description="Explicit physical names (IAM roles and policies, ECS clusters and services, load balancers, target "
    "groups, log groups, SNS topics, ECR repositories, S3 buckets) follow the naming pattern and start with the "
    "resource's service tag.",
    severity="medium",
    rationale="Names are what people see in the console, in bills, in alerts and in CloudTrail. A predictable "
    "'<service>-<environment>-<purpose>' name tells at a glance whose a resource is, keeps services from "
    "colliding on account-wide names, and lets IAM policies be scoped by name prefix.",
    remediation="Build names with `goldenpath.conventions.physical_name(service, environment, purpose, kind=…)` "
    "(every goldenpath component does), or leave `name` unset and let Pulumi auto-name the resource. Log groups "
    "follow /goldenpath/<service>/<environment>.",
    resource_types=tuple(NAME_PROPERTY),
    check=check,
    check_receives_resource=True,
    config_schema={
        "pattern": {
            "type": "string",
            "default": NAME_PATTERN,
            "description": "Regular expression every explicit physical name must match. The default: lower-case "
            "letters and digits in words joined by '-', with '/' between such words (and an optional leading '/') "
            "for the log group and ECR repository names that are paths; a FIFO topic's '.fifo' suffix is not "
            "part of the match.",
        }
    },
)
