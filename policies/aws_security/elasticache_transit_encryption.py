"""ElastiCache caches accept only TLS connections."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"

# Peers: checkov CKV_AWS_30
# A serverless cache (aws:elasticache/serverlessCache:ServerlessCache) always requires TLS, so it is
# not judged here.


def _is_true(value):
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _replication_group(props):
    if get_path(props, "globalReplicationGroupId"):
        return None  # a secondary takes its encryption settings from the global datastore's primary
    if not _is_true(get_path(props, "transitEncryptionEnabled")):
        return (
            "clients connect in plaintext (transitEncryptionEnabled is not true; it defaults to false); "
            "set transitEncryptionEnabled: true"
        )
    if get_path(props, "transitEncryptionMode") == "preferred":
        return (
            'transitEncryptionMode is "preferred", which still accepts plaintext connections; set it to '
            '"required" once clients use TLS'
        )
    return None


def _cluster(props):
    if get_path(props, "replicationGroupId"):
        return None  # a member of a replication group is judged on the group
    engine = get_path(props, "engine")
    if engine == "memcached":
        if _is_true(get_path(props, "transitEncryptionEnabled")):
            return None
        return (
            "memcached clients connect in plaintext (transitEncryptionEnabled is not true); set "
            "transitEncryptionEnabled: true (memcached 1.6.12 or later, in a VPC)"
        )
    return (
        "a standalone Redis/Valkey Cluster cannot encrypt connections; create an "
        "aws.elasticache.ReplicationGroup with transitEncryptionEnabled: true instead"
    )


def check(props, config, resource):
    # An unknown value propagates: the engine says the policy can't run yet.
    if resource.resource_type == REPLICATION_GROUP:
        return _replication_group(props)
    return _cluster(props)


POLICY = PolicySpec(
    id="aws-elasticache-transit-encryption",
    description="ElastiCache replication groups and memcached clusters require TLS from their clients.",
    severity="medium",
    rationale="Without in-transit encryption every cached value, and any AUTH token, crosses the VPC in "
    "plaintext where anything able to capture traffic on the path (a compromised host, mirrored traffic) reads it; "
    "AUTH tokens and RBAC users cannot even be set without it.",
    remediation='Pass `transit_encryption_enabled=True` (and `transit_encryption_mode="required"` when '
    "migrating) to the `aws.elasticache.ReplicationGroup`; for Redis/Valkey use a `ReplicationGroup` or "
    "`aws.elasticache.ServerlessCache` rather than a standalone `aws.elasticache.Cluster`; for memcached set "
    "`transit_encryption_enabled=True` on the `Cluster`.",
    resource_types=(REPLICATION_GROUP, CLUSTER),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("SC-8",), PCI: ("4.2.1",)},
    peers={"checkov": ("CKV_AWS_30",)},
)
