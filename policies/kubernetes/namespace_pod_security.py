"""Namespaces have Kubernetes' Pod Security admission enforce a Pod Security Standard."""

from collections.abc import Mapping

from goldenpath.conventions import POD_SECURITY_LEVEL
from goldenpath.policy import CIS_K8S, NIST, PolicySpec, get_path

from ._pod import NAMESPACE

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
# The levels that satisfy each configured level, strictest first.
_SATISFIES = {"restricted": ("restricted",), "baseline": ("restricted", "baseline")}


def check(props, config):
    level = config["level"]
    labels = get_path(props, "metadata.labels")
    # Not get_path: the label key itself contains dots.
    enforced = labels.get(ENFORCE_LABEL) if isinstance(labels, Mapping) else None
    if enforced in _SATISFIES[level]:
        return None
    if enforced is None:
        return f'namespace has no label {ENFORCE_LABEL}; set it to "{level}"'
    return f'namespace enforces the "{enforced}" Pod Security Standard; set {ENFORCE_LABEL} to "{level}"'


POLICY = PolicySpec(
    id="k8s-namespace-pod-security",
    description="Namespaces enforce the configured Pod Security Standard through Pod Security admission.",
    severity="medium",
    rationale="This pack checks the pods a stack declares; the namespace label makes the cluster itself "
    "refuse a non-compliant pod from any source (a Helm chart, kubectl, an operator).",
    remediation=f'Label the namespace `{ENFORCE_LABEL}: "restricted"` (or the configured `level`), with the same '
    "level for `warn` and `audit`; goldenpath's `Workload` component labels the namespace it creates this way.",
    resource_types=(NAMESPACE,),
    check=check,
    controls={CIS_K8S: ("5.2.1",), NIST: ("CM-7", "AC-6")},
    config_schema={
        "level": {
            "type": "string",
            "enum": ["restricted", "baseline"],
            "default": POD_SECURITY_LEVEL,
            "description": "The least strict Pod Security Standard a namespace may enforce.",
        }
    },
)
