"""Pods set only kernel parameters that are namespaced and cannot affect the node."""

# Peers: kyverno restrict-sysctls

from collections.abc import Mapping

from goldenpath.policy import NIST, PSS, PolicySpec, as_list, get_path

from ._pod import WORKLOAD_TYPES, pod_spec, security_context

# The baseline Pod Security Standard's safe set (Kubernetes 1.29+).
SAFE_SYSCTLS = (
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
)


def check(props, config):
    spec = pod_spec(props)
    if spec is None:
        return
    for sysctl in as_list(get_path(security_context(spec), "sysctls")):
        name = get_path(sysctl, "name") if isinstance(sysctl, Mapping) else sysctl
        if name not in SAFE_SYSCTLS:
            yield f"pod sets the unsafe sysctl {name}; only {', '.join(SAFE_SYSCTLS)} are allowed"


POLICY = PolicySpec(
    id="k8s-no-unsafe-sysctls",
    description="Pods set only the sysctls the baseline Pod Security Standard calls safe.",
    severity="medium",
    rationale="An unsafe sysctl is not isolated per pod or can starve the node (e.g. kernel.msgmax, "
    "vm.*): one pod's tuning then weakens or breaks every other pod on the node.",
    remediation="Remove unsafe entries from `securityContext.sysctls`; tune the node itself (and dedicate it "
    "with taints) when a workload truly needs a node-wide kernel setting.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("Sysctls",), NIST: ("SC-39", "CM-7")},
    peers={"kyverno": ("restrict-sysctls",)},
)
