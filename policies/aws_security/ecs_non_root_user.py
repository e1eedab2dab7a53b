"""ECS containers run as a non-root user, so a compromised process is not root in the container."""

from goldenpath.conventions import CONTAINER_USER
from goldenpath.policy import NIST, PCI, PolicySpec

from ._containers import TASK_DEFINITION, MalformedDefinitions, containers, name

_ROOT = frozenset({"root", "0"})


def _problem(user):
    if not isinstance(user, str) or not user.strip():
        return "sets no user, so it runs as the image's user (root unless the image says otherwise)"
    uid = user.strip().split(":", 1)[0]
    if uid in _ROOT:
        return f"runs as root (user {user!r})"
    return None


def check(props, config):
    try:
        found = containers(props)
    except MalformedDefinitions as error:
        return [f"{error}; the container users cannot be checked"]
    messages = []
    for i, c in enumerate(found):
        problem = _problem(c.get("user"))
        if problem:
            messages.append(
                f"{name(c, i)} {problem}; set user to a non-root uid:gid such as {CONTAINER_USER!r}"
            )
    return messages


POLICY = PolicySpec(
    id="aws-ecs-non-root-user",
    description="ECS containers name a non-root user (not root, 0 or 0:<gid>).",
    severity="high",
    rationale="Root in a container owns the container's files and is one kernel bug away from root on the host; "
    "a non-root user limits what an exploited process can do.",
    remediation=f"Set `user` on every container definition to a non-root uid:gid (goldenpath's Service component "
    f"uses {CONTAINER_USER!r}), and build the image so that user can run it.",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("AC-6",), PCI: ("2.2.6", "7.2.1")},
)
