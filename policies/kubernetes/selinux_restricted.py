"""Pods keep the container runtime's SELinux confinement: no custom type, user or role."""

# Peers: kyverno disallow-selinux

from goldenpath.policy import NIST, PSS, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, pod_spec, security_contexts

# The types the Pod Security Standards allow (container_engine_t since Kubernetes 1.31).
ALLOWED_TYPES = ("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t")


def check(props, config):
    for label, context in security_contexts(pod_spec(props)):
        options = get_path(context, "seLinuxOptions")
        if options is None:
            continue
        selinux_type = get_path(options, "type")
        if selinux_type is not None and selinux_type not in ALLOWED_TYPES:
            yield (
                f"{label} sets seLinuxOptions.type {selinux_type}; remove it or use one of "
                f"{', '.join(t for t in ALLOWED_TYPES if t)}"
            )
        for field in ("user", "role"):
            value = get_path(options, field)
            if value not in (None, ""):
                yield f"{label} sets seLinuxOptions.{field} {value}; remove it"


POLICY = PolicySpec(
    id="k8s-selinux-restricted",
    description="No pod or container sets a custom SELinux type, user or role.",
    severity="high",
    rationale="The container runtime labels each container with a confining SELinux type; choosing another "
    "type, user or role can lift that confinement (spc_t is unconfined), which the Pod Security Standards "
    "forbid from the baseline level up.",
    remediation="Remove `se_linux_options` from the pod's `PodSecurityContextArgs` and every container's "
    "`SecurityContextArgs`, or set only `level` and a `type` of container_t, container_init_t, "
    "container_kvm_t or container_engine_t.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("SELinux",), NIST: ("AC-3(3)", "AC-6")},
    peers={"kyverno": ("disallow-selinux",)},
)
