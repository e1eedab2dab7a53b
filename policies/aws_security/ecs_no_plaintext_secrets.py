"""ECS containers get credentials from Secrets Manager or SSM (secrets), not as plaintext environment variables."""

from collections.abc import Mapping

from goldenpath.policy import NIST, PCI, PolicySpec

from ._containers import TASK_DEFINITION, MalformedDefinitions, known, known_containers, name
from ._credentials import variable_problem

# Peers: none check this property (cdk-nag AwsSolutions-ECS2 flags every environment variable).


def check(props, config):
    try:
        found = known_containers(props)
    except MalformedDefinitions as error:
        return [f"{error}; its environment cannot be checked for secrets"]
    messages = []
    for index, container in enumerate(found):
        for variable in known(container, "environment", []) or []:
            if not isinstance(variable, Mapping):
                continue
            variable_name = known(variable, "name")
            problem = variable_problem(variable_name, known(variable, "value"))
            if problem:
                messages.append(
                    f"{name(container, index)} sets environment variable {variable_name!r} in plaintext ({problem}); "
                    "move it to `secrets` with valueFrom a Secrets Manager secret or SSM SecureString parameter ARN"
                )
    return messages


POLICY = PolicySpec(
    id="aws-ecs-no-plaintext-secrets",
    description="ECS container definitions pass no credential (a PASSWORD, TOKEN, API_KEY, … variable, or a "
    "value shaped like an access key or private key) as a plaintext environment variable.",
    severity="high",
    rationale="A task definition's environment is plaintext: anyone with ecs:DescribeTaskDefinition, the "
    "console, the stack state and every revision kept forever read it. Secrets referenced through `secrets` "
    "are fetched at start with the execution role, audited in CloudTrail and rotated without a new revision.",
    remediation="Store the value in Secrets Manager (or an SSM SecureString) and reference it from the container "
    "definition's `secrets` list (`{name, valueFrom: <secret ARN>}`) instead of `environment`; the goldenpath "
    "Service component's `secrets` argument does this. A variable that names a secret (SECRET_ARN, "
    "DB_SECRET_NAME) is fine as it is.",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("IA-5(7)", "SC-28"), PCI: ("8.6.2",)},
)
