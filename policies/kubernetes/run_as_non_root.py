"""Containers run as a non-root user."""

# Peers: checkov CKV_K8S_23, kyverno require-run-as-nonroot, require-run-as-non-root-user

from goldenpath.policy import CIS_K8S, NIST, PSS, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, containers, pod_spec, security_context


def check(props, config):
    spec = pod_spec(props)
    if spec is None:
        return
    pod_context = security_context(spec)
    pod_non_root = get_path(pod_context, "runAsNonRoot")
    if pod_non_root is False:
        yield "pod sets securityContext.runAsNonRoot: false; set it to true"
    if get_path(pod_context, "runAsUser") == 0:
        yield "pod sets securityContext.runAsUser: 0 (root); use a non-zero user id"
    for label, container in containers(spec):
        context = security_context(container)
        non_root = get_path(context, "runAsNonRoot")
        if non_root is False:
            yield f"{label} sets securityContext.runAsNonRoot: false; set it to true"
        elif non_root is None and pod_non_root is None:
            yield f"{label} may run as root: set securityContext.runAsNonRoot: true on the pod or on the container"
        if get_path(context, "runAsUser") == 0:
            yield f"{label} sets securityContext.runAsUser: 0 (root); use a non-zero user id"


POLICY = PolicySpec(
    id="k8s-run-as-non-root",
    description="Containers must run as non-root: runAsNonRoot is true and runAsUser is never 0.",
    severity="high",
    rationale="Root in a container is root on the node's kernel: one kernel or runtime flaw away from the "
    "node, and the owner of every file the container can see.",
    remediation="Set `securityContext.runAsNonRoot: true` and a non-zero `runAsUser` (e.g. 10001) at pod level "
    "(or on every container), and build the image with a numeric non-root USER. goldenpath's "
    "`Workload` component runs as user 10001.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={
        PSS: ("Running as Non-root", "Running as Non-root user"),
        CIS_K8S: ("5.2.7",),
        NIST: ("AC-6", "AC-6(10)"),
    },
    peers={
        "checkov": ("CKV_K8S_23",),
        "kyverno": (
            "require-run-as-nonroot",
            "require-run-as-non-root-user",
        ),
    },
)
