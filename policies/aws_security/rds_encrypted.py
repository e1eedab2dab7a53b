"""RDS databases encrypt their storage, backups and snapshots at rest."""

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, get_path

from ._rds import CLUSTER, INSTANCE, is_true


def check(props, config):
    if is_true(get_path(props, "storageEncrypted")):
        return None
    if get_path(props, "engineMode") == "serverless":
        return None  # Aurora Serverless v1 storage is always encrypted
    if get_path(props, "replicateSourceDb") and get_path(props, "kmsKeyId"):
        return None  # a cross-region replica is encrypted by its kmsKeyId; storageEncrypted is ignored
    return "storage is not encrypted (storageEncrypted is not true); set storageEncrypted: true"


POLICY = PolicySpec(
    id="aws-rds-encrypted",
    description="RDS instances and clusters encrypt their storage (storageEncrypted: true).",
    severity="high",
    rationale="Unencrypted database storage, its automated backups and its snapshots can be read by anyone "
    "who gets hold of a snapshot copy or the underlying volume; encryption cannot be turned on later without "
    "restoring into a new database.",
    remediation="Set `storageEncrypted: true` (and `kmsKeyId` to a customer-managed key) when creating the "
    "instance or cluster. An existing unencrypted database is migrated by restoring an encrypted snapshot copy.",
    resource_types=(INSTANCE, CLUSTER),
    check=check,
    controls={CIS_AWS: ("2.3.1",), NIST: ("SC-28",), PCI: ("3.5.1",)},
)
