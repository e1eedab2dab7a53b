"""Pods stay in their own network, process and IPC namespaces, apart from the node's."""

# Peers: checkov CKV_K8S_17, CKV_K8S_18, CKV_K8S_19, kyverno disallow-host-namespaces

from goldenpath.policy import CIS_K8S, NIST, PSS, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, pod_spec

_HOST_NAMESPACES = (
    ("hostNetwork", "the node's network (its interfaces and loopback services)"),
    ("hostPID", "the node's process table"),
    ("hostIPC", "the node's shared memory and IPC"),
)


def check(props, config):
    spec = pod_spec(props)
    if spec is None:
        return
    for field, what in _HOST_NAMESPACES:
        if get_path(spec, field) is True:
            yield f"pod sets {field}: true and shares {what}; remove it or set it to false"


POLICY = PolicySpec(
    id="k8s-no-host-namespaces",
    description="Pods do not share the node's network, PID or IPC namespace.",
    severity="critical",
    rationale="A pod in the host's namespaces sees and reaches what belongs to the node and to every other "
    "pod on it: processes to signal or ptrace, shared memory, services bound to the node's loopback.",
    remediation="Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (or set them to false); expose "
    "the workload through a Service instead. goldenpath's `Workload` component never sets them.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("Host Namespaces",), CIS_K8S: ("5.2.3", "5.2.4", "5.2.5"), NIST: ("SC-39", "AC-6")},
    peers={
        "checkov": (
            "CKV_K8S_17",
            "CKV_K8S_18",
            "CKV_K8S_19",
        ),
        "kyverno": ("disallow-host-namespaces",),
    },
)
