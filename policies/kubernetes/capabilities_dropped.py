"""Containers run without Linux capabilities beyond binding a low port."""

# Peers: checkov CKV_K8S_25, CKV_K8S_28, CKV_K8S_37, kyverno disallow-capabilities,
# disallow-capabilities-strict, drop-all-capabilities, drop-cap-net-raw

from goldenpath.policy import CIS_K8S, NIST, PSS, PolicySpec, as_list, get_path

from ._pod import WORKLOAD_TYPES, containers, is_windows, pod_spec, security_context

# The restricted profile's only allowed addition; names are matched exactly, as admission does.
ALLOWED_ADD = ("NET_BIND_SERVICE",)


def check(props, config):
    spec = pod_spec(props)
    if spec is None or is_windows(spec):
        return
    for label, container in containers(spec):
        capabilities = get_path(security_context(container), "capabilities", {})
        if "ALL" not in as_list(get_path(capabilities, "drop")):
            yield f'{label} does not drop ALL capabilities; set securityContext.capabilities.drop to ["ALL"]'
        added = [str(c) for c in as_list(get_path(capabilities, "add")) if c not in ALLOWED_ADD]
        if added:
            yield f"{label} adds capabilities {', '.join(added)}; only NET_BIND_SERVICE may be added"


POLICY = PolicySpec(
    id="k8s-capabilities-dropped",
    description="Containers drop ALL capabilities and add back at most NET_BIND_SERVICE.",
    severity="high",
    rationale="The runtime's default capabilities (NET_RAW, CHOWN, SETUID, …) let a compromised process "
    "spoof packets, take over files and change identity; an application needs none of them.",
    remediation='Set `securityContext.capabilities.drop: ["ALL"]` on every container, init container and '
    "ephemeral container; add `NET_BIND_SERVICE` only to bind a port below 1024 (better: listen on a high "
    "port). goldenpath's `Workload` component drops ALL.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("Capabilities",), CIS_K8S: ("5.2.8", "5.2.9", "5.2.10"), NIST: ("AC-6", "CM-7")},
    peers={
        "checkov": ("CKV_K8S_25", "CKV_K8S_28", "CKV_K8S_37"),
        "kyverno": (
            "disallow-capabilities",
            "disallow-capabilities-strict",
            "drop-all-capabilities",
            "drop-cap-net-raw",
        ),
    },
)
