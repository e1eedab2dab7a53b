"""ECS containers do not run privileged, with root powers over the host."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._containers import TASK_DEFINITION, MalformedDefinitions, containers, name


def check(props, config):
    try:
        found = containers(props)
    except MalformedDefinitions as error:
        return [f"{error}; privileged containers cannot be ruled out"]
    return [
        f"{name(c, i)} runs privileged (privileged: true); remove it and add only the Linux capabilities it needs"
        for i, c in enumerate(found)
        if c.get("privileged") is True or str(c.get("privileged")).lower() == "true"
    ]


POLICY = PolicySpec(
    id="aws-ecs-no-privileged-containers",
    description="ECS task definitions run no privileged container.",
    severity="critical",
    rationale="A privileged container has every capability and the host's devices: escaping to the host, and "
    "from there to every other task and the instance role, is one step away.",
    remediation="Remove `privileged` from the container definition (the goldenpath Service component never sets "
    "it); if the container needs one kernel capability, add it under linuxParameters.capabilities.add.",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("AC-6", "CM-7"), PCI: ("2.2.6",)},
    peers={"checkov": ("CKV_AWS_334",)},
)
