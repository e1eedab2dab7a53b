"""The AWS web-service paved path: a Fargate service behind an HTTPS load balancer.

A product team's whole stack::

    import pulumi
    from goldenpath.blueprints import WebService

    service = WebService("payments-api")
    pulumi.export("url", service.url)

Every knob lives in ``Pulumi.<env>.yaml`` under the project's namespace and is validated by
:class:`WebServiceConfig` before a single resource is registered.
"""

from __future__ import annotations

import pulumi
from pydantic import Field, ValidationInfo, field_validator

from goldenpath import conventions
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
    GithubConfig,
    Image,
    ImageTag,
    LogRetentionDays,
    PlainVariables,
    SecretNames,
    SecretValues,
    SubscriptionConfig,
    TaskNames,
    Team,
    build_foundation,
    require_secret_config,
    subscriptions,
)
from goldenpath.components.aws._validation import (
    ACM_CERTIFICATE_ARN,
    check_acm_certificate_arn,
)
from goldenpath.components.aws.monitoring import (
    AlarmThresholds,
    Monitoring,
    MonitoringArgs,
)
from goldenpath.components.aws.service import Service, ServiceArgs
from goldenpath.config import ConfigModel, load_config

# GithubConfig and SubscriptionConfig were defined here before 0.2.0; programs may still import them from here.
__all__ = [
    "AlarmConfig",
    "GithubConfig",
    "SubscriptionConfig",
    "VpcConfig",
    "WebService",
    "WebServiceConfig",
]

BLUEPRINT = "WebService"
TYPE_TOKEN = "goldenpath:blueprints:WebService"


class VpcConfig(ConfigModel):
    """An existing VPC to run in instead of creating a Network."""

    vpc_id: str = Field(pattern=r"^vpc-[0-9a-f]{8,17}$", description="The VPC id.")
    public_subnet_ids: list[str] = Field(
        min_length=2, description="Subnets for the load balancer, in ≥ 2 AZs."
    )
    private_subnet_ids: list[str] = Field(min_length=2, description="Subnets for the tasks, in ≥ 2 AZs.")


class AlarmConfig(ConfigModel):
    """Alarm thresholds; the defaults come from the platform conventions."""

    alb_5xx_count: int = Field(
        conventions.ALARM_ALB_5XX_COUNT,
        ge=1,
        alias="alb5xxCount",
        description="5xx responses per minute before alarming.",
    )
    target_response_time_seconds: float = Field(
        conventions.ALARM_TARGET_RESPONSE_TIME_SECONDS, gt=0, description="p99 target response time, seconds."
    )
    unhealthy_hosts: int = Field(
        conventions.ALARM_UNHEALTHY_HOSTS, ge=1, description="Unhealthy targets before alarming."
    )
    cpu_percent: int = Field(
        conventions.ALARM_CPU_PERCENT, ge=1, le=100, description="Service CPU utilisation before alarming."
    )
    memory_percent: int = Field(
        conventions.ALARM_MEMORY_PERCENT,
        ge=1,
        le=100,
        description="Service memory utilisation before alarming.",
    )


class WebServiceConfig(FargateKeys):
    """The knobs of a WebService, read from the stack config (camelCase keys)."""

    team: Team
    cost_center: CostCenter
    environment: EnvironmentName
    certificate_arn: str = Field(
        description="ACM certificate for the HTTPS listener.",
        json_schema_extra={"pattern": ACM_CERTIFICATE_ARN.pattern},
    )
    github: Github
    image_tag: ImageTag = None
    image: Image = None
    container_port: int = Field(
        8080, ge=1024, le=65535, description="Port the container listens on (non-root)."
    )
    cpu: FargateCpu = 256
    memory: FargateMemory = 512
    desired_count: int = Field(2, ge=1, le=100, description="Tasks to run.")
    min_count: int = Field(2, ge=1, le=100, description="Fewest tasks autoscaling may leave.")
    max_count: int = Field(4, ge=1, le=100, description="Most tasks autoscaling may start.")
    cpu_target_percent: int = Field(60, ge=10, le=90, description="Autoscaling target for average CPU.")
    health_check_path: str = Field(
        "/healthz", pattern=r"^/[\x21-\x7e]*$", description="Path the load balancer health-checks."
    )
    log_retention_days: LogRetentionDays = None
    flow_log_retention_days: FlowLogRetentionDays = None
    deletion_protection: bool | None = Field(
        None, description="Load balancer deletion protection; on in prod."
    )
    secrets: SecretNames
    secret_values: SecretValues
    environment_variables: PlainVariables
    alarms: AlarmConfig = Field(default_factory=AlarmConfig, description="Alarm thresholds.")
    alarm_subscriptions: AlarmSubscriptions
    vpc: VpcConfig | None = Field(None, description="Run in an existing VPC instead of creating one.")
    cluster_arn: ClusterArn = None

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str) -> str:
        return check_acm_certificate_arn(value)

    @field_validator("max_count")
    @classmethod
    def _ordered_counts(cls, value: int, info: ValidationInfo) -> int:
        low, desired = info.data.get("min_count"), info.data.get("desired_count")
        if low is not None and desired is not None and not low <= desired <= value:
            raise ValueError(
                f"counts must satisfy minCount ≤ desiredCount ≤ maxCount (given {low}, {desired}, {value})"
            )
        return value

    @property
    def secure_deletion_protection(self) -> bool:
        return self.environment == "prod" if self.deletion_protection is None else self.deletion_protection


class WebService(pulumi.ComponentResource):
    """A production-ready web service on ECS Fargate with CI access, logs, secrets and alarms."""

    url: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    secret_arns: dict[str, pulumi.Output[str]]
    deploy_role_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    repository_url: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        config: WebServiceConfig | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if config is None:
            namespace = pulumi.get_project()
            config = load_config(WebServiceConfig, namespace)
            require_secret_config(namespace, config)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.config = config
        env = config.environment
        tags = conventions.standard_tags(
            team=config.team,
            service=name,
            environment=env,
            cost_center=config.cost_center,
            blueprint=BLUEPRINT,
        )
        child = pulumi.ResourceOptions(parent=self)
        names = TaskNames.of(name, config)
        foundation = build_foundation(
            name, config, names=names, ecs_service_name=names.family, tags=tags, parent=self
        )
        assert foundation.public_subnet_ids is not None  # the Network's, or the vpc key's (required)
        service = Service(
            f"{name}-service",
            ServiceArgs(
                service=name,
                environment=env,
                vpc_id=foundation.vpc_id,
                public_subnet_ids=foundation.public_subnet_ids,
                private_subnet_ids=foundation.private_subnet_ids,
                image=foundation.image,
                container_port=config.container_port,
                cpu=config.cpu,
                memory=config.memory,
                desired_count=config.desired_count,
                min_count=config.min_count,
                max_count=config.max_count,
                cpu_target_percent=config.cpu_target_percent,
                certificate_arn=config.certificate_arn,
                health_check_path=config.health_check_path,
                log_group_name=foundation.logging.log_group_name,
                secrets=foundation.secret_variables,
                secrets_policy_arn=foundation.secrets.read_policy_arn,
                environment_variables=dict(config.environment_variables),
                cluster_arn=config.cluster_arn,
                deletion_protection=config.secure_deletion_protection,
                access_log_expiry_days=conventions.ACCESS_LOG_EXPIRY_DAYS[env],
                cluster_name=names.cluster,
                service_name=names.family,
                task_role_name=names.task_role,
                execution_role_name=names.execution_role,
                alb_name=conventions.physical_name(name, env, kind="alb"),
                target_group_name=conventions.physical_name(name, env, kind="target_group"),
                tags=tags,
            ),
            child,
        )
        monitoring = Monitoring(
            f"{name}-monitoring",
            MonitoringArgs(
                service=name,
                environment=env,
                alb_arn_suffix=service.alb_arn_suffix,
                target_group_arn_suffix=service.target_group_arn_suffix,
                cluster_name=service.cluster_name,
                service_name=service.service_name,
                thresholds=AlarmThresholds(**config.alarms.model_dump()),
                subscriptions=subscriptions(config),
                tags=tags,
            ),
            child,
        )

        self.url = service.url
        self.log_group_name = foundation.logging.log_group_name
        self.secret_arns = foundation.secrets.secret_arns
        self.deploy_role_arn = foundation.ci.deploy_role_arn
        self.dashboard_name = monitoring.dashboard_name
        self.repository_url = foundation.ci.repository_url
        self.register_outputs(
            {
                "url": self.url,
                "logGroupName": self.log_group_name,
                "secretArns": self.secret_arns,
                "deployRoleArn": self.deploy_role_arn,
                "dashboardName": self.dashboard_name,
                "repositoryUrl": self.repository_url,
            }
        )
