"""ECS task definitions give their containers a role other than the execution role."""

# Peers: checkov CKV_AWS_249

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path, note_unknown

from ._containers import TASK_DEFINITION


def check(props, config):
    try:
        task_role = get_path(props, "taskRoleArn")
        execution_role = get_path(props, "executionRoleArn")
    except UnknownValueError as error:
        note_unknown(error)  # roles the stack creates: the same one only if passed twice, seen at apply
        return None
    if isinstance(task_role, str) and task_role and task_role == execution_role:
        return (
            "taskRoleArn and executionRoleArn are the same role, so the application holds the permissions ECS "
            "needs to start it (pull any image, read the task's secrets); give task_role_arn a role of its own"
        )
    return None


POLICY = PolicySpec(
    id="aws-ecs-distinct-task-and-execution-roles",
    description="ECS task definitions do not use one IAM role as both the task role and the execution role.",
    severity="low",
    rationale="The execution role is what the ECS agent uses to pull images, write logs and fetch every secret "
    "the task definition references; the task role is what the application's own code holds. One role for "
    "both hands the application all of that, and lets any code in the container read secrets meant for other "
    "containers of the task.",
    remediation="Create two `aws.iam.Role`s and pass them as `execution_role_arn` and `task_role_arn` of the "
    "`aws.ecs.TaskDefinition` (goldenpath's Service component does).",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("AC-6",)},
    peers={"checkov": ("CKV_AWS_249",)},
)
