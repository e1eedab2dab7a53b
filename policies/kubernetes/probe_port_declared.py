"""Probes target a port the container declares."""

from collections.abc import Mapping

from goldenpath.policy import PolicySpec, as_list, get_path

from ._pod import WORKLOAD_TYPES, number, workload_containers

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HANDLERS = ("httpGet", "tcpSocket", "grpc")


def check(props, config):
    for label, container in workload_containers(props):
        ports = [p for p in as_list(get_path(container, "ports")) if isinstance(p, Mapping)]
        names = {get_path(p, "name") for p in ports} - {None}
        numbers = {get_path(p, "containerPort") for p in ports} - {None}
        for probe in PROBES:
            for handler in HANDLERS:
                port = get_path(container, f"{probe}.{handler}.port")
                if port is None:
                    continue
                if isinstance(port, str) and not port.isdigit():
                    if port not in names:
                        declared = ", ".join(sorted(names)) or "none"
                        yield (
                            f'{label} {probe} {handler} targets port name "{port}", which the container does not '
                            f"declare (named ports: {declared}); name a containerPort or use its number"
                        )
                elif isinstance(port, int | float | str) and not isinstance(port, bool):
                    value = float(port)
                    if value not in {float(n) for n in numbers if isinstance(n, int | float)}:
                        yield (
                            f"{label} {probe} {handler} targets port {number(port)}, which is not among the "
                            "container's ports; declare it in ports[].containerPort (or fix the probe)"
                        )


POLICY = PolicySpec(
    id="k8s-probe-port-declared",
    description="Every httpGet, tcpSocket and grpc probe targets a port the container declares, by number or name.",
    severity="low",
    rationale="A probe on a port nobody listens on fails forever: a liveness probe then restarts a healthy "
    "container in a loop, a readiness probe keeps it out of its Service; a probe on an undeclared name is "
    "rejected or never resolves.",
    remediation="Declare the port in the container's `ports=[ContainerPortArgs(name=..., container_port=...)]` "
    "and point `http_get` / `tcp_socket` / `grpc` of each `ProbeArgs` at that name or number; goldenpath's "
    "`Workload` component probes its named `http` port.",
    resource_types=WORKLOAD_TYPES,
    check=check,
)
