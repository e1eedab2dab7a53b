"""ElastiCache replication groups encrypt their data at rest."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"

# Peers: checkov CKV_AWS_29


def _problem(props):
    if get_path(props, "globalReplicationGroupId"):
        return None  # a secondary takes its encryption settings from the global datastore's primary
    enabled = get_path(props, "atRestEncryptionEnabled")
    if enabled is True or (isinstance(enabled, str) and enabled.lower() == "true"):
        return None
    engine = get_path(props, "engine", "redis")
    if enabled is None and engine == "valkey":
        return None  # Valkey replication groups are encrypted at rest by default
    return (
        "data on disk and in backups is not encrypted (atRestEncryptionEnabled is "
        f"{'not set, which means false for redis' if enabled is None else 'false'}); set "
        "atRestEncryptionEnabled: true (and kmsKeyId to a customer managed key)"
    )


def check(props, config):
    return _problem(props)  # an unknown value propagates: the engine says it can't run yet


POLICY = PolicySpec(
    id="aws-elasticache-at-rest-encryption",
    description="ElastiCache replication groups have encryption at rest enabled.",
    severity="medium",
    rationale="Redis replication groups default to unencrypted storage: data swapped or synced to disk and every "
    "automatic or manual backup exported to S3 is then readable in the clear, and encryption at rest can only be "
    "chosen when the group is created.",
    remediation="Pass `at_rest_encryption_enabled=True` and `kms_key_id=key.arn` (a customer managed "
    "`aws.kms.Key`; without it the service managed key is used) to the `aws.elasticache.ReplicationGroup`.",
    resource_types=(REPLICATION_GROUP,),
    check=check,
    controls={NIST: ("SC-28",), PCI: ("3.5.1",)},
    peers={"checkov": ("CKV_AWS_29",)},
)
