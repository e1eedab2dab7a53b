"""RDS databases encrypt their storage, backups and snapshots at rest."""

# Peers: checkov CKV_AWS_16, CKV_AWS_96, cdk-nag AwsSolutions-RDS2, awsguard rds-storage-encrypted

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, get_path

from ._rds import CLUSTER, INSTANCE, is_replica, is_true


def check(props, config):
    if is_replica(props):
        # A read replica has no encryption of its own to set: AWS ignores storageEncrypted on it. A
        # same-region replica is encrypted exactly when its source is, a cross-region one by its
        # kmsKeyId. The source is judged where it is declared (this stack, or the stack that owns
        # the ARN), so the replica is never blamed for what only its source can prove.
        return None
    if is_true(get_path(props, "storageEncrypted")):
        return None
    if get_path(props, "engineMode") == "serverless":
        return None  # Aurora Serverless v1 storage is always encrypted
    return "storage is not encrypted (storageEncrypted is not true); set storageEncrypted: true"


POLICY = PolicySpec(
    id="aws-rds-encrypted",
    description="RDS instances and clusters encrypt their storage (storageEncrypted: true); a read replica is "
    "judged through its source.",
    severity="high",
    rationale="Unencrypted database storage, its automated backups and its snapshots can be read by anyone "
    "who gets hold of a snapshot copy or the underlying volume; encryption cannot be turned on later without "
    "restoring into a new database. A read replica (replicateSourceDb) inherits its source's encryption (or takes "
    "its kmsKeyId across regions), so it passes here and its source is judged in the program that declares it: "
    "this stack when the source is declared here, the source's own stack when replicateSourceDb is an ARN.",
    remediation="Set `storageEncrypted: true` (and `kmsKeyId` to a customer-managed key) when creating the "
    "instance or cluster. An existing unencrypted database is migrated by restoring an encrypted snapshot copy.",
    resource_types=(INSTANCE, CLUSTER),
    check=check,
    controls={CIS_AWS: ("2.3.1",), NIST: ("SC-28",), PCI: ("3.5.1",)},
    peers={
        "checkov": ("CKV_AWS_16", "CKV_AWS_96"),
        "cdk-nag": ("AwsSolutions-RDS2",),
        "awsguard": ("rds-storage-encrypted",),
    },
)
