"""Long-running containers tell Kubernetes when they are alive and when they are ready for traffic."""

# Peers: checkov CKV_K8S_8, CKV_K8S_9

from goldenpath.policy import NIST, PolicySpec, get_path

from ._pod import LONG_RUNNING_TYPES, pod_spec, workload_containers

_PROBES = ("livenessProbe", "readinessProbe")


def check(props, config):
    spec = pod_spec(props)
    if spec is None or get_path(spec, "restartPolicy") in ("Never", "OnFailure"):
        return  # a bare pod that runs to completion
    for label, container in workload_containers(props, ("containers",)):
        missing = [probe for probe in _PROBES if get_path(container, probe) is None]
        if missing:
            yield f"{label} has no {' and no '.join(missing)}"


POLICY = PolicySpec(
    id="k8s-probes-set",
    description="Containers of long-running workloads have liveness and readiness probes.",
    severity="medium",
    rationale="Without a readiness probe a pod takes traffic before it can serve it (and during a rollout); "
    "without a liveness probe a hung process is never restarted.",
    remediation="Set `livenessProbe` and `readinessProbe` (HTTP, TCP or exec; a `startupProbe` for slow "
    "starters) on every container of a Deployment, StatefulSet, DaemonSet or long-running Pod. goldenpath's "
    "`Workload` component derives both from the service's health-check path. Jobs and CronJobs are "
    "not checked.",
    resource_types=LONG_RUNNING_TYPES,
    check=check,
    controls={NIST: ("CP-10", "SI-17")},
    peers={
        "checkov": (
            "CKV_K8S_8",
            "CKV_K8S_9",
        )
    },
)
