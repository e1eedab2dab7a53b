"""EKS clusters send their API server, audit and authenticator logs to CloudWatch."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

from ._iam import known_strings

# Peers: none exact. checkov CKV_AWS_37 and cdk-nag AwsSolutions-EKS2 require all five log types
# (also controllerManager and scheduler); configure requiredLogTypes to match them.

CLUSTER = "aws:eks/cluster:Cluster"
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


def check(props, config):
    try:
        enabled = get_path(props, "enabledClusterLogTypes")  # provider default: none
    except UnknownValueError:
        return None
    names, unknown = known_strings(enabled)
    missing = [t for t in config["requiredLogTypes"] if t not in names]
    if missing and not unknown:
        return f"control plane log types {', '.join(missing)} are not enabled; add them to enabledClusterLogTypes"
    return None


POLICY = PolicySpec(
    id="aws-eks-control-plane-logs",
    description="EKS clusters enable the api, audit and authenticator control plane logs (configurable).",
    severity="medium",
    rationale="The audit log is the only record of who did what through the Kubernetes API (reading a secret, "
    "creating a privileged pod); EKS sends no control plane logs unless they are enabled, and they cannot "
    "be recovered for the time they were off.",
    remediation='Set `enabled_cluster_log_types=["api", "audit", "authenticator"]` (or all five types) on the '
    "`aws.eks.Cluster`, and give its `/aws/eks/<name>/cluster` log group a retention period and KMS key.",
    resource_types=(CLUSTER,),
    check=check,
    config_schema={
        "requiredLogTypes": {
            "type": "array",
            "items": {"type": "string", "enum": list(LOG_TYPES)},
            "default": ["api", "audit", "authenticator"],
            "description": "Control plane log types every cluster must enable.",
        }
    },
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
)
