"""Containers cannot write to their image's filesystem."""

# Peers: checkov CKV_K8S_22, kyverno require-ro-rootfs

from goldenpath.policy import CIS_K8S, NIST, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, containers, is_windows, pod_spec, security_context


def check(props, config):
    spec = pod_spec(props)
    if spec is None or is_windows(spec):
        return
    for label, container in containers(spec):
        if get_path(security_context(container), "readOnlyRootFilesystem") is not True:
            yield f"{label} does not set securityContext.readOnlyRootFilesystem: true"


POLICY = PolicySpec(
    id="k8s-readonly-root-filesystem",
    description="Containers run with a read-only root filesystem.",
    severity="medium",
    rationale="A writable root filesystem lets an intruder drop tools and persist changes to binaries and "
    "configuration; a read-only one keeps the running container identical to the reviewed image.",
    remediation="Set `securityContext.readOnlyRootFilesystem: true` on every container and mount an "
    "`emptyDir` where the process must write (e.g. /tmp). goldenpath's `Workload` component does both.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={CIS_K8S: ("5.7.3",), NIST: ("CM-7", "SI-7")},
    peers={"checkov": ("CKV_K8S_22",), "kyverno": ("require-ro-rootfs",)},
)
