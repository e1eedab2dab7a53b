"""ECS containers mount their root filesystem read-only, so an intruder cannot alter the image."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._containers import TASK_DEFINITION, MalformedDefinitions, containers, name


def check(props, config):
    try:
        found = containers(props)
    except MalformedDefinitions as error:
        return [f"{error}; the root filesystems cannot be checked"]
    return [
        f"{name(c, i)} has a writable root filesystem; set readonlyRootFilesystem: true and mount a volume for "
        "the paths it writes"
        for i, c in enumerate(found)
        if not (
            c.get("readonlyRootFilesystem") is True or str(c.get("readonlyRootFilesystem")).lower() == "true"
        )
    ]


POLICY = PolicySpec(
    id="aws-ecs-readonly-root-filesystem",
    description="ECS containers have a read-only root filesystem.",
    severity="medium",
    rationale="A writable root filesystem lets an attacker drop tools or change binaries and configuration that "
    "the next request will run; a read-only one keeps the container as built.",
    remediation="Set `readonlyRootFilesystem: true` on every container definition and mount a task volume for "
    "scratch space (the goldenpath Service component mounts one at /tmp).",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("CM-7", "SI-7"), PCI: ("2.2.6",)},
    peers={"checkov": ("CKV_AWS_336",)},
)
