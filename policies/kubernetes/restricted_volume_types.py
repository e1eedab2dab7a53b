"""Pods mount only volume types that cannot reach the node or a privileged storage driver."""

# Peers: kyverno restrict-volume-types

from collections.abc import Mapping

from goldenpath.policy import NIST, PSS, PolicySpec, as_list, get_path

from ._pod import WORKLOAD_TYPES, pod_spec

ALLOWED = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
)


def check(props, config):
    spec = pod_spec(props)
    if spec is None:
        return
    for volume in as_list(get_path(spec, "volumes")):
        if not isinstance(volume, Mapping):
            continue
        kinds = [k for k in volume if k != "name" and k not in ALLOWED]
        if kinds:
            yield (
                f'volume "{get_path(volume, "name")}" is of type {", ".join(kinds)}; '
                f"allowed: {', '.join(ALLOWED)}"
            )


POLICY = PolicySpec(
    id="k8s-restricted-volume-types",
    description="Pods use only the volume types the restricted Pod Security Standard allows.",
    severity="medium",
    rationale="Other volume types (hostPath, nfs, iscsi, rbd, …) mount storage straight from the node or the "
    "network with the node's credentials, outside PersistentVolume access control.",
    remediation="Mount data through a `persistentVolumeClaim` (or `csi`/`ephemeral`), scratch space through "
    "`emptyDir`, configuration through `configMap`, `secret`, `projected` or `downwardAPI`.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("Volume Types",), NIST: ("CM-7", "AC-6")},
    peers={"kyverno": ("restrict-volume-types",)},
)
