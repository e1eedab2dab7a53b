"""RDS databases take minor engine upgrades (security patches) automatically."""

# Peers: checkov CKV_AWS_226

from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import CLUSTER, CLUSTER_INSTANCE, INSTANCE, is_false


def check(props, config):
    # Unset means true: AWS applies minor upgrades in the maintenance window by default.
    if is_false(get_path(props, "autoMinorVersionUpgrade")):
        return (
            "autoMinorVersionUpgrade is false, so security patches of the engine wait for someone to apply "
            "them; remove it or set it to true"
        )
    return None


POLICY = PolicySpec(
    id="aws-rds-auto-minor-version-upgrade",
    description="RDS instances, cluster instances and Multi-AZ DB clusters do not turn off automatic minor "
    "version upgrades.",
    severity="medium",
    rationale="Minor engine versions carry the engine's security fixes; with automatic upgrades off they are "
    "applied only when someone remembers, and a version that reaches end of life is force-upgraded by AWS at "
    "a time it chooses.",
    remediation="Leave `auto_minor_version_upgrade` unset or set it to `True` on the `aws.rds.Instance`, "
    "`aws.rds.ClusterInstance` or `aws.rds.Cluster`, and choose a `maintenance_window` (`preferred_maintenance_"
    "window` on clusters) that suits the service.",
    resource_types=(INSTANCE, CLUSTER_INSTANCE, CLUSTER),
    check=check,
    controls={NIST: ("SI-2",)},
    peers={"checkov": ("CKV_AWS_226",)},
)
