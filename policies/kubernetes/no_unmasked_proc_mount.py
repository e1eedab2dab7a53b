"""Containers see /proc with the default masks, not the host's kernel interfaces unmasked."""

# Peers: kyverno disallow-proc-mount

from goldenpath.policy import NIST, PSS, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, containers, pod_spec, security_context


def check(props, config):
    for label, container in containers(pod_spec(props)):
        mount = get_path(security_context(container), "procMount")
        if mount not in (None, "Default"):
            yield f"{label} sets securityContext.procMount {mount}; remove it or set it to Default"


POLICY = PolicySpec(
    id="k8s-no-unmasked-proc-mount",
    description="No container sets securityContext.procMount to anything but Default.",
    severity="high",
    rationale="The default /proc mount masks and makes read-only the paths (/proc/kcore, /proc/sys, "
    "/proc/sysrq-trigger …) that expose the host kernel; Unmasked hands them to the container, an "
    "escape route the Pod Security Standards forbid from the baseline level up.",
    remediation="Remove `proc_mount` from every container's `pulumi_kubernetes.core.v1.SecurityContextArgs` "
    '(or set it to "Default"), init and ephemeral containers included.',
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("/proc Mount Type",), NIST: ("AC-6", "SC-39")},
    peers={"kyverno": ("disallow-proc-mount",)},
)
