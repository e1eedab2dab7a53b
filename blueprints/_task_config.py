"""The config keys of the AWS blueprints that run a Fargate task with no load balancer.

``Worker`` and ``ScheduledJob`` take the keys a ``WebService`` takes where the meaning is the same
(declared once in :mod:`goldenpath.blueprints._fargate`), a command, and a VPC with private subnets only.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from goldenpath.blueprints._fargate import (
    AlarmSubscriptions,
    ClusterArn,
    CostCenter,
    EnvironmentName,
    FargateCpu,
    FargateKeys,
    FargateMemory,
    FlowLogRetentionDays,
    Github,
    Image,
    ImageTag,
    LogRetentionDays,
    PlainVariables,
    SecretNames,
    SecretValues,
    Team,
)
from goldenpath.config import ConfigModel

_COMMAND_PART = r"^[^\x00-\x1f]{1,1024}$"


class PrivateVpcConfig(ConfigModel):
    """An existing VPC to run in instead of creating a Network; nothing public is needed."""

    vpc_id: str = Field(pattern=r"^vpc-[0-9a-f]{8,17}$", description="The VPC id.")
    private_subnet_ids: list[str] = Field(min_length=2, description="Subnets for the tasks, in ≥ 2 AZs.")


class TaskConfig(FargateKeys):
    """Keys of a blueprint that runs one Fargate task definition with no load balancer."""

    team: Team
    cost_center: CostCenter
    environment: EnvironmentName
    github: Github
    image_tag: ImageTag = None
    image: Image = None
    cpu: FargateCpu = 256
    memory: FargateMemory = 512
    command: list[str] = Field(
        default_factory=list,
        max_length=64,
        description="The container's command, replacing the image's CMD; the image's own when empty.",
    )
    log_retention_days: LogRetentionDays = None
    flow_log_retention_days: FlowLogRetentionDays = None
    secrets: SecretNames
    secret_values: SecretValues
    environment_variables: PlainVariables
    alarm_subscriptions: AlarmSubscriptions
    vpc: PrivateVpcConfig | None = Field(None, description="Run in an existing VPC instead of creating one.")
    cluster_arn: ClusterArn = None

    @field_validator("command")
    @classmethod
    def _command(cls, value: list[str]) -> list[str]:
        bad = [i for i, part in enumerate(value) if not re.match(_COMMAND_PART, part)]
        if bad:
            raise ValueError(
                f"parts {bad} are empty, longer than 1024 characters or hold control characters; "
                'give the command as a list of non-empty words, e.g. ["python", "-m", "worker"]'
            )
        return value
