"""ElastiCache Redis/Valkey caches take automatic daily snapshots."""

from goldenpath.policy import NIST, PolicySpec, get_path

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"

# Peers: checkov CKV_AWS_134 (clusters only)


def _problem(props, resource_type):
    if resource_type == CLUSTER:
        if get_path(props, "replicationGroupId"):
            return None  # a member of a replication group is judged on the group
        if get_path(props, "engine") == "memcached":
            return None  # memcached has no persistence to back up
    retention = get_path(props, "snapshotRetentionLimit", 0)
    try:
        days = int(retention)
    except (TypeError, ValueError):
        days = 0
    if days > 0:
        return None
    return (
        "automatic backups are off (snapshotRetentionLimit is 0 or not set); set snapshotRetentionLimit to the "
        "days of daily snapshots to keep, e.g. 7"
    )


def check(props, config, resource):
    return _problem(props, resource.resource_type)  # an unknown value propagates: can't run yet


POLICY = PolicySpec(
    id="aws-elasticache-automatic-backups",
    description="Redis/Valkey replication groups and clusters keep automatic snapshots (snapshotRetentionLimit > 0).",
    severity="low",
    rationale="A Redis or Valkey cache used as a store (sessions, queues, rate limits) loses its data to a bad "
    "FLUSHALL, a failed node replacement or a deleted group unless a recent snapshot exists; snapshots default to "
    "off.",
    remediation="Pass `snapshot_retention_limit=7` (days) and a `snapshot_window` to the "
    "`aws.elasticache.ReplicationGroup` (or standalone Redis `aws.elasticache.Cluster`); leave it at 0 only for a "
    "pure cache whose contents can be rebuilt, with a waiver saying so.",
    resource_types=(REPLICATION_GROUP, CLUSTER),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("CP-9",)},
    peers={"checkov": ("CKV_AWS_134",)},
)
