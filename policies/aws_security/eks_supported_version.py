"""EKS clusters run a Kubernetes version still in EKS standard support."""

import re

from goldenpath.policy import NIST, PolicySpec, get_path

# Peers: checkov CKV_AWS_339

CLUSTER = "aws:eks/cluster:Cluster"

# End of EKS standard support (14 months after release; extended support, at extra cost, runs 12 more).
# Source: the Amazon EKS Kubernetes release calendar,
# https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (as mirrored by
# https://endoflife.date/amazon-eks), read on 2026-12-02.
STANDARD_SUPPORT_ENDS = {
    "1.28": "2024-11-26",
    "1.29": "2025-03-23",
    "1.30": "2025-07-23",
    "1.31": "2025-11-26",
    "1.32": "2026-03-23",
    "1.33": "2026-07-29",
    "1.34": "2026-12-02",
    "1.35": "2027-03-27",
}
# On 2026-12-02 the oldest version with standard support left is 1.35 (1.34's ends that day).
# Raise this as the calendar above moves; the pack config `minimumVersion` overrides it.
MINIMUM_VERSION = "1.35"

_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)")


def _parse(value):
    match = _VERSION.match(value) if isinstance(value, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def check(props, config):
    version = get_path(props, "version")  # unknown: may be an old one, the policy can't run until apply
    parsed, minimum = _parse(version), _parse(config["minimumVersion"])
    if parsed is None or minimum is None or parsed >= minimum:
        return None  # unset: EKS creates the cluster at the latest version
    minor = f"{parsed[0]}.{parsed[1]}"
    ended = STANDARD_SUPPORT_ENDS.get(minor)
    when = f" (EKS standard support until {ended})" if ended else ""
    return (
        f"Kubernetes {minor} is below the supported minimum {config['minimumVersion']}{when}; upgrade version"
    )


POLICY = PolicySpec(
    id="aws-eks-supported-version",
    description="EKS clusters run a Kubernetes version at or above a supported minimum (default 1.35).",
    severity="medium",
    rationale="Past standard support a version gets no new EKS patches for free: extended support bills every "
    "cluster hour and, when it ends, EKS upgrades the cluster on its own schedule, not yours.",
    remediation="Set `version` on the `aws.eks.Cluster` to a version in EKS standard support (upgrading one minor "
    "version at a time), or leave it unset to create the cluster at the latest version.",
    resource_types=(CLUSTER,),
    check=check,
    config_schema={
        "minimumVersion": {
            "type": "string",
            "pattern": r"^\d+\.\d+$",
            "default": MINIMUM_VERSION,
            "description": "Oldest Kubernetes minor version a cluster may run.",
        }
    },
    controls={NIST: ("SI-2",)},
    peers={"checkov": ("CKV_AWS_339",)},
)
