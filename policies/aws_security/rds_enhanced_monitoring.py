"""RDS database instances have Enhanced Monitoring on (monitoringInterval above 0)."""

# Peers: checkov CKV_AWS_118 (aws_db_instance and aws_rds_cluster_instance).

from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import CLUSTER_INSTANCE, INSTANCE


def check(props, config):
    interval = get_path(props, "monitoringInterval", 0)
    try:
        seconds = int(interval)
    except (TypeError, ValueError):
        return f"monitoringInterval {interval!r} is not a number of seconds; set it to 1, 5, 10, 15, 30 or 60"
    if seconds > 0:
        return None
    return (
        "Enhanced Monitoring is off (monitoringInterval is 0 or unset); set monitoringInterval to 60 (or 1, 5, "
        "10, 15, 30) and monitoringRoleArn to a role with AmazonRDSEnhancedMonitoringRole"
    )


POLICY = PolicySpec(
    id="aws-rds-enhanced-monitoring",
    description="RDS DB instances and Aurora cluster instances have Enhanced Monitoring enabled.",
    severity="low",
    rationale="CloudWatch's standard RDS metrics come from the hypervisor once a minute; Enhanced Monitoring "
    "reports the operating system's own view (per-process CPU and memory, file system, swap) at up to one-second "
    "granularity, which is what shows a runaway query, memory pressure or an I/O stall while it happens.",
    remediation="Set `monitoring_interval=60` (or 1, 5, 10, 15, 30) and `monitoring_role_arn` to an "
    "`aws.iam.Role` trusted by `monitoring.rds.amazonaws.com` with the `AmazonRDSEnhancedMonitoringRole` managed "
    "policy on the `aws.rds.Instance` or `aws.rds.ClusterInstance`.",
    resource_types=(INSTANCE, CLUSTER_INSTANCE),
    check=check,
    controls={NIST: ("SI-4", "AU-12")},
    peers={"checkov": ("CKV_AWS_118",)},
)
