"""ECS containers send their logs somewhere, so incidents can be investigated."""

from collections.abc import Mapping

from goldenpath.policy import NIST, PCI, PolicySpec

from ._containers import TASK_DEFINITION, MalformedDefinitions, containers, name


def _log_driver(container):
    config = container.get("logConfiguration")
    if not isinstance(config, Mapping):
        return None
    driver = config.get("logDriver")
    return driver if isinstance(driver, str) and driver else None


def check(props, config):
    try:
        found = containers(props)
    except MalformedDefinitions as error:
        return [f"{error}; the log configuration cannot be checked"]
    return [
        f"{name(c, i)} has no logConfiguration with a logDriver; its output is lost (use awslogs or awsfirelens)"
        for i, c in enumerate(found)
        if _log_driver(c) is None
    ]


POLICY = PolicySpec(
    id="aws-ecs-logging-configured",
    description="Every ECS container has a logConfiguration with a logDriver.",
    severity="medium",
    rationale="Without a log driver a container's output disappears with the task: there is nothing to "
    "investigate an incident or an outage with.",
    remediation="Give every container definition a `logConfiguration` with `logDriver: awslogs` and an "
    "awslogs-group (the goldenpath Service component logs to the Logging component's encrypted log group).",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
    peers={"cdk-nag": ("AwsSolutions-ECS7",)},
)
