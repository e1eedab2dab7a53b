"""Containers declare the CPU and memory they need and may use, so one cannot starve the node."""

# Peers: checkov CKV_K8S_10, CKV_K8S_11, CKV_K8S_12, CKV_K8S_13, kyverno require-requests-limits

from goldenpath.policy import NIST, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, workload_containers

# Ephemeral containers may not declare resources; init containers are scheduled by theirs.
_LISTS = ("containers", "initContainers")


def check(props, config):
    wanted = ["requests.cpu", "requests.memory", "limits.memory"]
    if config["requireCpuLimit"]:
        wanted.append("limits.cpu")
    for label, container in workload_containers(props, _LISTS):
        resources = get_path(container, "resources", {})
        missing = [path for path in wanted if get_path(resources, path) in (None, "")]
        if missing:
            yield f"{label} sets no resources.{', resources.'.join(missing)}"


POLICY = PolicySpec(
    id="k8s-resources-set",
    description="Containers set CPU and memory requests and limits.",
    severity="medium",
    rationale="Without requests the scheduler packs pods blindly and evicts them first under pressure; "
    "without limits one leaking or compromised container exhausts its node for every other pod.",
    remediation="Set `resources.requests.cpu`, `resources.requests.memory`, `resources.limits.cpu` and "
    "`resources.limits.memory` on every container and init container (goldenpath's `Workload` "
    "component sets all four). Set this policy's `requireCpuLimit` to false if the "
    "platform prefers unthrottled CPU.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={NIST: ("SC-6", "SC-5")},
    config_schema={
        "requireCpuLimit": {
            "type": "boolean",
            "default": True,
            "description": "Whether a CPU limit is required in addition to the CPU request.",
        }
    },
    peers={
        "checkov": (
            "CKV_K8S_10",
            "CKV_K8S_11",
            "CKV_K8S_12",
            "CKV_K8S_13",
        ),
        "kyverno": ("require-requests-limits",),
    },
)
