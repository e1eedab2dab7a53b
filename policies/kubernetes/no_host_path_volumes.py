"""Pods do not mount the node's filesystem."""

# Peers: kyverno disallow-host-path

from collections.abc import Mapping

from goldenpath.policy import CIS_K8S, NIST, PSS, PolicySpec, as_list, get_path

from ._pod import WORKLOAD_TYPES, pod_spec


def check(props, config):
    spec = pod_spec(props)
    if spec is None:
        return
    for volume in as_list(get_path(spec, "volumes")):
        if not isinstance(volume, Mapping) or get_path(volume, "hostPath") is None:
            continue
        path = get_path(volume, "hostPath.path", "")
        name = get_path(volume, "name")
        yield f'volume "{name}" mounts the host path "{path}"; use a persistentVolumeClaim, emptyDir or configMap'


POLICY = PolicySpec(
    id="k8s-no-host-path-volumes",
    description="Pods do not use hostPath volumes.",
    severity="high",
    rationale="A hostPath volume reaches past the container onto the node: the container runtime's socket, "
    "kubelet credentials, other pods' data; written to, it can take over the node.",
    remediation="Replace each `hostPath` volume with a `persistentVolumeClaim` (data to keep), `emptyDir` "
    "(scratch space) or `configMap`/`secret`/`projected` (configuration). A node agent that truly needs the "
    "host belongs to the platform, not to an application stack; if one must, waive with an expiry.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("HostPath Volumes",), CIS_K8S: ("5.2.12",), NIST: ("AC-6", "CM-7")},
    peers={"kyverno": ("disallow-host-path",)},
)
