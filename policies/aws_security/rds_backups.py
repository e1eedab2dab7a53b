"""RDS databases keep automated backups long enough to recover from a bad change or an attack."""

from goldenpath.conventions import RDS_BACKUP_RETENTION_MINIMUM_DAYS
from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import CLUSTER, INSTANCE


def check(props, config):
    days = get_path(props, "backupRetentionPeriod")
    minimum = config["minimumDays"]
    if days is None:
        return f"backupRetentionPeriod is not set (AWS keeps 0-1 days); set it to at least {minimum:g} days"
    if days < minimum:
        return f"backups are kept {days:g} days; at least {minimum:g} days are required"
    return None


POLICY = PolicySpec(
    id="aws-rds-backups",
    description="RDS instances and clusters keep automated backups at least the configured number of days.",
    severity="medium",
    rationale="Point-in-time recovery reaches back only as far as the backup retention: a corruption or a "
    "deletion noticed after a weekend is unrecoverable with one day of backups, and 0 disables them.",
    remediation=f"Set `backupRetentionPeriod` to at least {RDS_BACKUP_RETENTION_MINIMUM_DAYS} (up to 35) days.",
    resource_types=(INSTANCE, CLUSTER),
    check=check,
    controls={NIST: ("CP-9",)},
    config_schema={
        "minimumDays": {
            "type": "integer",
            "minimum": 1,
            "maximum": 35,
            "default": RDS_BACKUP_RETENTION_MINIMUM_DAYS,
            "description": "The shortest automated backup retention allowed, in days (AWS allows up to 35).",
        }
    },
    peers={
        "awsguard": ("rds-instance-backup-enabled",),
        "cdk-nag": ("AwsSolutions-RDS13",),
        "checkov": ("CKV_AWS_133",),
    },
)
