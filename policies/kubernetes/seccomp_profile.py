"""Containers run under a seccomp profile that filters the system calls they can make."""

# Peers: checkov CKV_K8S_31, kyverno restrict-seccomp, restrict-seccomp-strict

from goldenpath.policy import CIS_K8S, NIST, PSS, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, containers, is_windows, pod_spec, security_context

ALLOWED = ("RuntimeDefault", "Localhost")


def check(props, config):
    spec = pod_spec(props)
    if spec is None or is_windows(spec):
        return
    pod_type = get_path(security_context(spec), "seccompProfile.type")
    if pod_type is not None and pod_type not in ALLOWED:
        yield f"pod sets seccompProfile.type {pod_type}; use RuntimeDefault or Localhost"
    for label, container in containers(spec):
        container_type = get_path(security_context(container), "seccompProfile.type")
        if container_type is not None and container_type not in ALLOWED:
            yield f"{label} sets seccompProfile.type {container_type}; use RuntimeDefault or Localhost"
        elif container_type is None and pod_type is None:
            yield (
                f"{label} runs without a seccomp profile: set securityContext.seccompProfile.type "
                "RuntimeDefault on the pod or on the container"
            )


POLICY = PolicySpec(
    id="k8s-seccomp-profile",
    description="Pods and containers run under the RuntimeDefault or a Localhost seccomp profile.",
    severity="high",
    rationale="Without a seccomp profile (Unconfined, the kubelet's default) a container can make every "
    "system call, including the rarely used ones behind most kernel-escape exploits.",
    remediation='Set `securityContext.seccompProfile: {type: "RuntimeDefault"}` at pod level (or on every '
    "container), or a Localhost profile written for the workload. goldenpath's `Workload` component "
    "uses RuntimeDefault.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("Seccomp",), CIS_K8S: ("5.7.2",), NIST: ("CM-7", "SC-39")},
    peers={"checkov": ("CKV_K8S_31",), "kyverno": ("restrict-seccomp", "restrict-seccomp-strict")},
)
