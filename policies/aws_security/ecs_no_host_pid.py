"""ECS task definitions do not share the host's process namespace (pidMode host)."""

# Peers: checkov CKV_AWS_335

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path, note_unknown

from ._containers import TASK_DEFINITION, MalformedDefinitions, known, known_containers, name


def _host(value) -> bool:
    return isinstance(value, str) and value.strip().lower() == "host"


def check(props, config):
    problems = []
    try:
        if _host(get_path(props, "pidMode")):
            problems.append(
                "pidMode is 'host': the task's containers see and can signal every process on the instance, "
                "other tasks' included; leave pid_mode unset or set it to 'task'"
            )
    except UnknownValueError as error:
        note_unknown(error)
    try:
        containers = known_containers(props)
    except MalformedDefinitions:
        containers = ()  # judged by the policies that read container fields
    for index, container in enumerate(containers):
        # pidMode is a task-level setting; one written into a container states the same intent.
        if _host(known(container, "pidMode")):
            problems.append(
                f"{name(container, index)} sets pidMode 'host' to share the instance's process namespace; "
                "remove it (pidMode belongs to the task definition, and should not be 'host' there either)"
            )
    return problems


POLICY = PolicySpec(
    id="aws-ecs-no-host-pid",
    description="ECS task definitions do not set pidMode to host.",
    severity="medium",
    rationale="With the host PID namespace a container lists every process on the instance, reads their "
    "environment and command lines through /proc (secrets other tasks got as environment variables), and can "
    "signal or, with ptrace, attach to them; it takes one step from a compromised container to the host.",
    remediation="Leave `pid_mode` unset (or `'task'` to share processes among the task's own containers) on the "
    "`aws.ecs.TaskDefinition`; Fargate tasks accept only 'task'.",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("SC-39", "AC-6")},
    peers={"checkov": ("CKV_AWS_335",)},
)
