"""ECS task definitions do not use the host network mode, which shares the instance's network stack."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

from ._containers import TASK_DEFINITION

# Peers: none for ECS (checkov CKV_K8S_19 checks hostNetwork for Kubernetes pods).


def check(props, config):
    mode = get_path(props, "networkMode")  # unknown: may be host, the policy can't run until apply
    if isinstance(mode, str) and mode.strip().lower() == "host":
        return (
            "networkMode is 'host': containers share the instance's network stack and reach its metadata "
            "service; set network_mode to 'awsvpc'"
        )
    return None


POLICY = PolicySpec(
    id="aws-ecs-no-host-network-mode",
    description="ECS task definitions do not set networkMode to host.",
    severity="medium",
    rationale="In host mode a task has no network isolation: it binds the instance's ports, sees every other "
    "task's traffic on the host, and reaches the instance metadata service and with it the instance role's "
    "credentials; security groups cannot be given per task.",
    remediation="Set `network_mode='awsvpc'` on the aws.ecs.TaskDefinition (required on Fargate, as the goldenpath "
    "Service component does), so each task gets its own interface and security groups.",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("SC-7", "AC-4"), PCI: ("1.3.1",)},
)
