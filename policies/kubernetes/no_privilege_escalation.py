"""No process in a container can gain more privileges than it started with."""

# Peers: checkov CKV_K8S_20, kyverno disallow-privilege-escalation

from collections.abc import Mapping, Sequence

from goldenpath.policy import CIS_K8S, NIST, PSS, PolicySpec, get_path

from ._pod import CONTAINER_LISTS, WORKLOAD_TYPES, containers, is_windows, pod_spec, security_context


def check(props, config):
    spec = pod_spec(props)
    if spec is None or is_windows(spec):
        return
    for label, container in containers(spec):
        if get_path(security_context(container), "allowPrivilegeEscalation") is not False:
            yield f"{label} does not set securityContext.allowPrivilegeEscalation: false"


def _plain(value):
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(v) for v in value]
    return value


def remediate(props, config):
    """Set allowPrivilegeEscalation: false on every container that does not already."""
    if not list(check(props, config)):
        return None
    fixed = _plain(props)
    spec = pod_spec(fixed)
    assert spec is not None  # check() found containers to fix
    for key in CONTAINER_LISTS:
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                context = container.get("securityContext") or {}
                container["securityContext"] = {**context, "allowPrivilegeEscalation": False}
    return fixed


POLICY = PolicySpec(
    id="k8s-no-privilege-escalation",
    description="Every container sets allowPrivilegeEscalation: false.",
    severity="high",
    rationale="Unless privilege escalation is turned off (no_new_privs), a setuid binary or file capability "
    "in the image lets a compromised process become root inside the container.",
    remediation="Set `securityContext.allowPrivilegeEscalation: false` on every container, init container and "
    "ephemeral container (the pack can do it: set this policy's enforcement to `remediate`). goldenpath's "
    "`Workload` component sets it.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    remediate=remediate,
    controls={PSS: ("Privilege Escalation",), CIS_K8S: ("5.2.6",), NIST: ("AC-6",)},
    peers={"checkov": ("CKV_K8S_20",), "kyverno": ("disallow-privilege-escalation",)},
)
