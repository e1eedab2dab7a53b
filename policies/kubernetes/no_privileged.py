"""No container runs privileged, with the host's devices and every kernel capability."""

# Peers: checkov CKV_K8S_16, kyverno disallow-privileged-containers, disallow-host-process

from goldenpath.policy import CIS_K8S, NIST, PSS, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, containers, pod_spec, security_context


def check(props, config):
    spec = pod_spec(props)
    if spec is None:
        return
    if get_path(security_context(spec), "windowsOptions.hostProcess") is True:
        yield "pod sets securityContext.windowsOptions.hostProcess: true; remove it or set it to false"
    for label, container in containers(spec):
        context = security_context(container)
        if get_path(context, "privileged") is True:
            yield f"{label} sets securityContext.privileged: true; remove it or set it to false"
        if get_path(context, "windowsOptions.hostProcess") is True:
            yield f"{label} sets securityContext.windowsOptions.hostProcess: true; remove it or set it to false"


POLICY = PolicySpec(
    id="k8s-no-privileged",
    description="No container runs privileged or as a Windows HostProcess container.",
    severity="critical",
    rationale="A privileged container (or a Windows HostProcess one) has the host's devices and every "
    "capability: escaping to the node, and from there to every pod on it, is one command away.",
    remediation="Remove `securityContext.privileged` (or set it to false) on every container, init container "
    "and ephemeral container, and `windowsOptions.hostProcess` at pod and container level; grant the one "
    "capability the process needs instead. goldenpath's `Workload` component never enables either.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={
        PSS: ("Privileged Containers", "HostProcess"),
        CIS_K8S: ("5.2.2", "5.2.11"),
        NIST: ("AC-6", "CM-7"),
    },
    peers={
        "checkov": ("CKV_K8S_16",),
        "kyverno": (
            "disallow-privileged-containers",
            "disallow-host-process",
        ),
    },
)
