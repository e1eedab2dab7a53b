"""Task: a Fargate task that no load balancer reaches — its cluster, roles, definition and security group.

The container is the one :class:`~goldenpath.components.aws.service.Service` runs (non-root,
read-only root file system, every capability dropped, a pinned image, logs to CloudWatch), without
a port. Its security group takes no inbound traffic and lets the task out on HTTPS only. What runs
the task — an ECS service consuming a queue, an EventBridge Scheduler schedule — is the caller's.
"""

from __future__ import annotations

from typing import Annotated, Any

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator, model_validator

from goldenpath import conventions
from goldenpath.components.aws._validation import (
    check_ecs_cluster_arn,
    check_fargate_cpu,
    check_fargate_memory,
    check_image,
    ecs_cluster_name,
    is_environment_variable_name,
)
from goldenpath.components.aws.service import fargate_cluster, fargate_task_definition, task_roles
from goldenpath.models import WITHHELD, ComponentArgs, StrInput

__all__ = ["Task", "TaskArgs"]

# field -> (name parts after service and environment, conventions.NAME_LIMITS kind)
_NAME_DEFAULTS: dict[str, tuple[tuple[str, ...], str]] = {
    "cluster_name": ((), "ecs_cluster"),
    "task_definition_family": ((), "ecs_service"),
    "task_role_name": (("task",), "iam_role"),
    "execution_role_name": (("execution",), "iam_role"),
}


class TaskArgs(ComponentArgs):
    """Inputs of :class:`Task`.

    Physical names left as None default to ``conventions.physical_name(service, environment, …)``
    (the cluster name, when ``cluster_arn`` is given, to the name in that ARN).
    """

    service: str = Field(description="Service name, as in the tags.")
    environment: str = Field(description="Environment name (dev, staging, prod).")
    vpc_id: StrInput = Field(description="VPC of the task's security group.")
    image: StrInput = Field(
        description="Full image reference pinned by tag or digest; ':latest' and untagged images are refused."
    )
    container_name: str = Field(
        default="app", pattern=r"^[A-Za-z0-9_-]{1,255}$", description="Container name."
    )
    command: list[str] = Field(default_factory=list, description="Replaces the image's CMD when given.")
    cpu: int = Field(default=256, description="Task CPU units (a Fargate size).")
    memory: int = Field(default=512, description="Task memory in MiB (valid for the cpu on Fargate).")
    log_group_name: StrInput = Field(description="CloudWatch log group the container logs to.")
    secrets: dict[str, StrInput] = Field(
        default_factory=dict,
        description="Environment variable name -> Secrets Manager secret ARN, injected by ECS at start.",
    )
    secrets_policy_arn: StrInput | None = Field(
        default=None,
        description="Managed policy that reads the secrets; attached to the task and execution roles. "
        "Required when secrets are given.",
    )
    task_policy_arns: dict[str, StrInput] = Field(
        default_factory=dict,
        description="Further managed policies of the task role, by a short name of what they grant "
        "(e.g. {'consume': <queue consume policy>}).",
    )
    environment_variables: Annotated[dict[str, StrInput], WITHHELD] = Field(
        default_factory=dict,
        description="Plain environment variables (never secrets); values may be outputs (a queue URL).",
    )
    cluster_arn: StrInput | None = Field(
        default=None, description="Existing ECS cluster to run in; None creates one with Container Insights."
    )
    cluster_name: str | None = Field(default=None, description="Physical name of the ECS cluster.")
    task_definition_family: str | None = Field(default=None, description="Task definition family.")
    task_role_name: str | None = Field(default=None, description="Physical name of the task role.")
    execution_role_name: str | None = Field(default=None, description="Physical name of the execution role.")
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")

    @property
    def container_port(self) -> None:
        """No port: nothing connects to the task."""
        return None

    @model_validator(mode="before")
    @classmethod
    def _default_names(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        service, environment = data.get("service"), data.get("environment")
        if not (isinstance(service, str) and isinstance(environment, str)):
            return data
        data = dict(data)
        for field, (parts, kind) in _NAME_DEFAULTS.items():
            if field == "cluster_name" and data.get("cluster_arn") is not None:
                if data.get("cluster_name") is None and isinstance(data["cluster_arn"], str):
                    data["cluster_name"] = ecs_cluster_name(data["cluster_arn"])
                continue
            if data.get(field) is None:
                data[field] = conventions.physical_name(service, environment, *parts, kind=kind)
        return data

    @field_validator("image")
    @classmethod
    def _image_is_pinned(cls, value: StrInput) -> StrInput:
        return check_image(value) if isinstance(value, str) else value

    @field_validator("cluster_arn")
    @classmethod
    def _cluster_arn_is_ecs(cls, value: StrInput | None) -> StrInput | None:
        return check_ecs_cluster_arn(value) if isinstance(value, str) else value

    @field_validator("secrets", "environment_variables")
    @classmethod
    def _variable_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        bad = sorted(name for name in value if not is_environment_variable_name(name))
        if bad:
            raise ValueError(f"{', '.join(map(repr, bad))} are not valid environment variable names")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TaskArgs:
        check_fargate_cpu(self.cpu)
        check_fargate_memory(self.cpu, self.memory)
        both = sorted(set(self.secrets) & set(self.environment_variables))
        if both:
            raise ValueError(
                f"{', '.join(both)} given both in secrets and in environment_variables; pick one"
            )
        if self.secrets and self.secrets_policy_arn is None:
            raise ValueError(
                "secrets are given but secrets_policy_arn is not: the execution role could not read them "
                "and no task would start; pass the policy that grants secretsmanager:GetSecretValue on them"
            )
        return self


class Task(pulumi.ComponentResource):
    """A hardened Fargate task definition, its two roles, its cluster and an egress-only security group."""

    cluster_arn: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    task_definition_arn: pulumi.Output[str]
    task_definition_family: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    task_role_name: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: TaskArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Task", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        tags = args.tags

        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id

        cluster_arn, cluster_name = fargate_cluster(name, args, child)
        roles = task_roles(
            name,
            args,
            account=account,
            partition=partition,
            opts=child,
            task_policy_arns=args.task_policy_arns,
        )
        task_definition = fargate_task_definition(
            name,
            args,
            roles=roles,
            region=region,
            command=args.command,
            # A task started before its roles hold their policies fails to pull or to start.
            opts=pulumi.ResourceOptions(parent=self, depends_on=roles.attachments),
        )

        # Without inline rules, the provider removes the allow-all egress AWS adds to a new group:
        # the rule below is the group's only rule, and nothing may connect in.
        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description=f"Tasks of {args.service} ({args.environment}); no inbound traffic",
            vpc_id=args.vpc_id,
            tags=tags,
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-out-https",
            security_group_id=security_group.id,
            description="HTTPS to AWS APIs (SQS, ECR, Secrets Manager, CloudWatch Logs) and dependencies",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            tags=tags,
            opts=child,
        )

        self.cluster_arn = cluster_arn
        self.cluster_name = cluster_name
        self.task_definition_arn = task_definition.arn
        self.task_definition_family = task_definition.family
        self.task_role_arn = roles.task.arn
        self.task_role_name = roles.task.name
        self.execution_role_arn = roles.execution.arn
        self.security_group_id = security_group.id
        self.register_outputs(
            {
                "cluster_arn": self.cluster_arn,
                "cluster_name": self.cluster_name,
                "task_definition_arn": self.task_definition_arn,
                "task_definition_family": self.task_definition_family,
                "task_role_arn": self.task_role_arn,
                "task_role_name": self.task_role_name,
                "execution_role_arn": self.execution_role_arn,
                "security_group_id": self.security_group_id,
            }
        )
