"""Containers do not bind ports on the node's own network interfaces."""

# Peers: checkov CKV_K8S_26, kyverno disallow-host-ports, disallow-host-ports-range

from collections.abc import Mapping

from goldenpath.policy import CIS_K8S, NIST, PSS, PolicySpec, as_list, get_path

from ._pod import WORKLOAD_TYPES, number, workload_containers


def check(props, config):
    for label, container in workload_containers(props):
        for port in as_list(get_path(container, "ports")):
            if not isinstance(port, Mapping):
                continue
            host_port = get_path(port, "hostPort")
            if host_port not in (None, 0, "0", ""):
                yield f"{label} binds host port {number(host_port)}; remove hostPort and expose the port through a Service"


POLICY = PolicySpec(
    id="k8s-no-host-ports",
    description="Containers do not use host ports.",
    severity="high",
    rationale="A host port opens the node itself to the network, bypasses the Service and NetworkPolicy "
    "layer, and pins the pod to nodes where the port is free.",
    remediation="Remove `hostPort` from every container port (or set it to 0) and expose the port through a "
    "Service (goldenpath's `Workload` component publishes a ClusterIP Service).",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("Host Ports",), CIS_K8S: ("5.2.13",), NIST: ("SC-7", "CM-7")},
    peers={"checkov": ("CKV_K8S_26",), "kyverno": ("disallow-host-ports", "disallow-host-ports-range")},
)
