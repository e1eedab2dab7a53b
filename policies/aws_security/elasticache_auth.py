"""ElastiCache Redis/Valkey replication groups that use TLS also authenticate their clients."""

from collections.abc import Sequence

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"

# Peers: checkov CKV_AWS_31 (transit encryption and an auth token or user groups),
# cdk-nag AwsSolutions-AEC6 (an auth token)


def _is_true(value):
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _is_set(read):
    try:
        return bool(read())
    except UnknownValueError:
        return True  # a token or user group id known only after apply is still one that is set


def _authenticates(props):
    if _is_set(lambda: get_path(props, "authToken")) or _is_set(lambda: get_path(props, "authTokenWo")):
        return True
    # A whole list unknown may be empty: that propagates, as it decides the verdict.
    groups = get_path(props, "userGroupIds")
    if not isinstance(groups, Sequence) or isinstance(groups, str):
        return bool(groups)
    return any(_is_set(lambda i=i: groups[i]) for i in range(len(groups)))


def _problem(props):
    # An unknown value that decides the verdict propagates: the engine says the policy can't run yet.
    if get_path(props, "globalReplicationGroupId"):
        return None  # a secondary takes its authentication from the global datastore's primary
    if not _is_true(get_path(props, "transitEncryptionEnabled")):
        return None  # AUTH needs TLS: aws-elasticache-transit-encryption reports this group
    if _authenticates(props):
        return None
    return (
        "any client that reaches the group can read, write and flush it (no authToken and no userGroupIds); "
        "set userGroupIds to an RBAC user group, or authToken from a secret"
    )


def check(props, config):
    return _problem(props)  # an unknown value propagates: the engine says it can't run yet


POLICY = PolicySpec(
    id="aws-elasticache-auth",
    description="Redis/Valkey replication groups with TLS require an AUTH token or RBAC user groups.",
    severity="medium",
    rationale="Without AUTH or RBAC, the security group is the only control: any workload allowed to connect, "
    "including a compromised one, can read every key, overwrite data and run FLUSHALL or CONFIG commands.",
    remediation="Pass `user_group_ids=[user_group.user_group_id]` (an `aws.elasticache.UserGroup` of "
    "`aws.elasticache.User`s, preferred) or `auth_token` / `auth_token_wo` read from a secret to the "
    "`aws.elasticache.ReplicationGroup`; both need `transit_encryption_enabled=True`.",
    resource_types=(REPLICATION_GROUP,),
    check=check,
    controls={NIST: ("IA-2", "AC-3")},
    peers={"checkov": ("CKV_AWS_31",), "cdk-nag": ("AwsSolutions-AEC6",)},
)
