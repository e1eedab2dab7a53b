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

import re

import pulumi
from pydantic import Field, SecretStr, ValidationInfo, field_validator

from goldenpath import conventions
from goldenpath.components.aws._validation import (
    ACM_CERTIFICATE_ARN,
    ECS_CLUSTER_ARN,
    EnvironmentVariables,
    GithubBranch,
    GithubEnvironments,
    GithubRepository,
    TagValue,
    check_acm_certificate_arn,
    check_ecs_cluster_arn,
    check_fargate_cpu,
    check_fargate_memory,
    check_github_oidc_provider_arn,
    check_image,
    check_image_tag,
    ecs_cluster_name,
    is_environment_variable_name,
)
from goldenpath.components.aws.ci import Ci, CiArgs
from goldenpath.components.aws.logging import Logging, LoggingArgs, check_retention_days
from goldenpath.components.aws.monitoring import (
    AlarmThresholds,
    Monitoring,
    MonitoringArgs,
    Subscription,
    check_subscription_endpoint,
    check_subscription_protocol,
)
from goldenpath.components.aws.network import Network, NetworkArgs
from goldenpath.components.aws.secrets import Secrets, SecretsArgs, check_secret_names
from goldenpath.components.aws.service import Service, ServiceArgs
from goldenpath.config import ConfigError, ConfigModel, load_config

BLUEPRINT = "WebService"
TYPE_TOKEN = "goldenpath:blueprints:WebService"


def _env_var(secret_name: str) -> str:
    """The environment variable a secret is injected as: upper-cased, '-' becomes '_'."""
    return re.sub(r"[^A-Za-z0-9_]", "_", secret_name).upper()


class GithubConfig(ConfigModel):
    """Where deployments come from: only this repository's branch (and environments) may deploy."""

    repository: GithubRepository = Field(description="GitHub repository as owner/name.")
    branch: GithubBranch = Field(
        "main", description="The only branch whose workflows may assume the deploy role."
    )
    environments: GithubEnvironments = Field(
        default_factory=list, description="GitHub deployment environments also allowed to deploy."
    )
    oidc_provider_arn: str | None = Field(
        None, description="ARN of the account's existing GitHub OIDC provider; one is created when unset."
    )

    @field_validator("oidc_provider_arn")
    @classmethod
    def _github_provider(cls, value: str | None) -> str | None:
        return None if value is None else check_github_oidc_provider_arn(value)


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


class SubscriptionConfig(ConfigModel):
    """One recipient of the alarm topic."""

    protocol: str = Field(description=f"One of {', '.join(conventions.SNS_SUBSCRIPTION_PROTOCOLS)}.")
    endpoint: str = Field(description="Email address, https:// URL, SQS queue ARN or Lambda function ARN.")

    @field_validator("protocol")
    @classmethod
    def _supported_protocol(cls, value: str) -> str:
        return check_subscription_protocol(value)

    @field_validator("endpoint")
    @classmethod
    def _endpoint_fits_protocol(cls, value: str, info: ValidationInfo) -> str:
        protocol = info.data.get("protocol")
        return value if protocol is None else check_subscription_endpoint(protocol, value)


class WebServiceConfig(ConfigModel):
    """The knobs of a WebService, read from the stack config (camelCase keys)."""

    team: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="Owning team, lower-case kebab.")
    cost_center: TagValue = Field(
        min_length=1, max_length=64, description="Cost center billed for the service."
    )
    environment: conventions.Environment = Field(description="dev, staging or prod.")
    certificate_arn: str = Field(
        description="ACM certificate for the HTTPS listener.",
        json_schema_extra={"pattern": ACM_CERTIFICATE_ARN.pattern},
    )
    github: GithubConfig = Field(
        description="Where deployments come from (repository, branch, environments)."
    )
    image_tag: str | None = Field(None, description="Tag in the service's own ECR repository to run.")
    image: str | None = Field(
        None, description="Full image reference from another registry, instead of imageTag."
    )
    container_port: int = Field(
        8080, ge=1024, le=65535, description="Port the container listens on (non-root)."
    )
    cpu: int = Field(
        256,
        description="Fargate CPU units.",
        json_schema_extra={"enum": list(conventions.FARGATE_CPU_MEMORY)},
    )
    memory: int = Field(512, description="Fargate memory, MiB; must be valid for cpu.")
    desired_count: int = Field(2, ge=1, le=100, description="Tasks to run.")
    min_count: int = Field(2, ge=1, le=100, description="Fewest tasks autoscaling may leave.")
    max_count: int = Field(4, ge=1, le=100, description="Most tasks autoscaling may start.")
    cpu_target_percent: int = Field(60, ge=10, le=90, description="Autoscaling target for average CPU.")
    health_check_path: str = Field(
        "/healthz", pattern=r"^/[\x21-\x7e]*$", description="Path the load balancer health-checks."
    )
    log_retention_days: int | None = Field(
        None, description="Log retention; the environment's default when unset."
    )
    flow_log_retention_days: int | None = Field(
        None,
        description="VPC flow log retention in the VPC the blueprint creates; the environment's default "
        "when unset.",
    )
    deletion_protection: bool | None = Field(
        None, description="Load balancer deletion protection; on in prod."
    )
    secrets: list[str] = Field(
        default_factory=list, description="Secret names, injected as environment variables."
    )
    secret_values: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Values for some secrets; must be set with `pulumi config set --secret`.",
    )
    environment_variables: EnvironmentVariables = Field(
        default_factory=dict, description="Plain environment variables; secrets go in secrets."
    )
    alarms: AlarmConfig = Field(default_factory=AlarmConfig, description="Alarm thresholds.")
    alarm_subscriptions: list[SubscriptionConfig] = Field(
        default_factory=list, description="Who the alarm topic notifies."
    )
    vpc: VpcConfig | None = Field(None, description="Run in an existing VPC instead of creating one.")
    cluster_arn: str | None = Field(
        None,
        description="Run on an existing ECS cluster (arn:aws:ecs:<region>:<account>:cluster/<name>) "
        "instead of creating one.",
        json_schema_extra={"pattern": ECS_CLUSTER_ARN.pattern},
    )

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str) -> str:
        return check_acm_certificate_arn(value)

    @field_validator("image_tag")
    @classmethod
    def _pinned_tag(cls, value: str | None) -> str | None:
        return None if value is None else check_image_tag(value)

    @field_validator("image")
    @classmethod
    def _pinned_image(cls, value: str | None) -> str | None:
        return None if value is None else check_image(value)

    @field_validator("log_retention_days", "flow_log_retention_days")
    @classmethod
    def _retention(cls, value: int | None) -> int | None:
        return None if value is None else check_retention_days(value)

    @field_validator("vpc")
    @classmethod
    def _flow_logs_only_in_own_vpc(cls, value: VpcConfig | None, info: ValidationInfo) -> VpcConfig | None:
        if value is not None and info.data.get("flow_log_retention_days") is not None:
            raise ValueError(
                "an existing VPC keeps its own flow logs; unset flowLogRetentionDays or vpc "
                "(flowLogRetentionDays applies to the VPC the blueprint creates)"
            )
        return value

    @field_validator("secrets")
    @classmethod
    def _secret_names(cls, value: list[str]) -> list[str]:
        check_secret_names(value)
        not_variables = [n for n in value if not is_environment_variable_name(_env_var(n))]
        if not_variables:
            raise ValueError(
                f"secrets {', '.join(map(repr, not_variables))} would be injected as environment variables "
                f"{', '.join(_env_var(n) for n in not_variables)}, which may not start with a digit"
            )
        by_variable: dict[str, list[str]] = {}
        for secret in value:
            by_variable.setdefault(_env_var(secret), []).append(secret)
        clashes = [
            f"{' and '.join(map(repr, names))} would share the environment variable {variable}"
            for variable, names in by_variable.items()
            if len(names) > 1
        ]
        if clashes:
            raise ValueError(f"secrets {'; '.join(clashes)}; rename all but one")
        return value

    @field_validator("environment_variables")
    @classmethod
    def _env_names(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        bad = [k for k in value if not is_environment_variable_name(k)]
        if bad:
            raise ValueError(f"environment variable names {bad} must match [A-Za-z_][A-Za-z0-9_]*")
        from_secrets = sorted(set(value) & {_env_var(n) for n in info.data.get("secrets") or []})
        if from_secrets:
            raise ValueError(
                f"{', '.join(from_secrets)} would also be injected from secrets (secret 'x-y' becomes X_Y); "
                "set each variable in one place only"
            )
        return value

    @field_validator("cluster_arn")
    @classmethod
    def _cluster(cls, value: str | None) -> str | None:
        return None if value is None else check_ecs_cluster_arn(value)

    @field_validator("image")
    @classmethod
    def _one_image_source(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (value is None) == (info.data.get("image_tag") is None) and "image_tag" in info.data:
            raise ValueError("set exactly one of imageTag (a tag in the service's ECR repository) or image")
        return value

    @field_validator("cpu")
    @classmethod
    def _fargate_cpu(cls, value: int) -> int:
        return check_fargate_cpu(value)

    @field_validator("memory")
    @classmethod
    def _fargate_memory(cls, value: int, info: ValidationInfo) -> int:
        cpu = info.data.get("cpu")
        return value if cpu is None else check_fargate_memory(cpu, value)

    @field_validator("max_count")
    @classmethod
    def _ordered_counts(cls, value: int, info: ValidationInfo) -> int:
        low, desired = info.data.get("min_count"), info.data.get("desired_count")
        if low is not None and desired is not None and not low <= desired <= value:
            raise ValueError(
                f"counts must satisfy minCount ≤ desiredCount ≤ maxCount (given {low}, {desired}, {value})"
            )
        return value

    @field_validator("secret_values")
    @classmethod
    def _declared_secrets(cls, value: dict[str, SecretStr], info: ValidationInfo) -> dict[str, SecretStr]:
        unknown = sorted(set(value) - set(info.data.get("secrets") or []))
        if unknown:
            raise ValueError(f"has values for {unknown}, which are not declared in secrets")
        return value

    @property
    def secure_deletion_protection(self) -> bool:
        return self.environment == "prod" if self.deletion_protection is None else self.deletion_protection


def _require_secret_config(namespace: str, config: WebServiceConfig) -> None:
    # Values that reach state must arrive encrypted in the stack file, never as plaintext YAML.
    key = f"{namespace}:secretValues"
    if config.secret_values and not pulumi.runtime.is_config_secret(key):
        raise ConfigError(
            [
                f"{key}: holds plaintext values; set each with "
                f"`pulumi config set --secret --path 'secretValues.<name>' <value>` so it is encrypted"
            ]
        )


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
            _require_secret_config(namespace, config)
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
        names = {
            # An existing cluster keeps its own name: the deploy role and the alarms must name it.
            "cluster": (
                ecs_cluster_name(config.cluster_arn)
                if config.cluster_arn is not None
                else conventions.physical_name(name, env, kind="ecs_cluster")
            ),
            "service": conventions.physical_name(name, kind="ecs_service"),
            "task_role": conventions.physical_name(name, env, "task", kind="iam_role"),
            "execution_role": conventions.physical_name(name, env, "execution", kind="iam_role"),
            "alb": conventions.physical_name(name, env, kind="alb"),
            "target_group": conventions.physical_name(name, env, kind="target_group"),
            "repository": conventions.physical_name(name, env, kind="ecr_repository"),
        }

        if config.vpc is None:
            network = Network(
                f"{name}-network",
                NetworkArgs(
                    service=name,
                    environment=env,
                    single_nat_gateway=env != "prod",
                    flow_log_retention_days=config.flow_log_retention_days,
                    tags=tags,
                ),
                child,
            )
            vpc_id, public_subnets, private_subnets = (
                network.vpc_id,
                network.public_subnet_ids,
                network.private_subnet_ids,
            )
        else:
            vpc_id = config.vpc.vpc_id
            public_subnets = list(config.vpc.public_subnet_ids)
            private_subnets = list(config.vpc.private_subnet_ids)

        logging = Logging(
            f"{name}-logging",
            LoggingArgs(service=name, environment=env, retention_days=config.log_retention_days, tags=tags),
            child,
        )
        secrets = Secrets(
            f"{name}-secrets",
            SecretsArgs(
                service=name,
                environment=env,
                names=list(config.secrets),
                values={
                    k: pulumi.Output.secret(v.get_secret_value()) for k, v in config.secret_values.items()
                },
                tags=tags,
            ),
            child,
        )
        ci = Ci(
            f"{name}-ci",
            CiArgs(
                service=name,
                environment=env,
                repository=config.github.repository,
                branch=config.github.branch,
                environments=list(config.github.environments),
                oidc_provider_arn=config.github.oidc_provider_arn,
                ecs_cluster_name=names["cluster"],
                ecs_service_name=names["service"],
                task_role_name=names["task_role"],
                execution_role_name=names["execution_role"],
                repository_name=names["repository"],
                tags=tags,
            ),
            child,
        )
        image = config.image or ci.repository_url.apply(lambda url: f"{url}:{config.image_tag}")
        service = Service(
            f"{name}-service",
            ServiceArgs(
                service=name,
                environment=env,
                vpc_id=vpc_id,
                public_subnet_ids=public_subnets,
                private_subnet_ids=private_subnets,
                image=image,
                container_port=config.container_port,
                cpu=config.cpu,
                memory=config.memory,
                desired_count=config.desired_count,
                min_count=config.min_count,
                max_count=config.max_count,
                cpu_target_percent=config.cpu_target_percent,
                certificate_arn=config.certificate_arn,
                health_check_path=config.health_check_path,
                log_group_name=logging.log_group_name,
                secrets={_env_var(k): arn for k, arn in secrets.secret_arns.items()},
                secrets_policy_arn=secrets.read_policy_arn,
                environment_variables=dict(config.environment_variables),
                cluster_arn=config.cluster_arn,
                deletion_protection=config.secure_deletion_protection,
                access_log_expiry_days=conventions.ACCESS_LOG_EXPIRY_DAYS[env],
                cluster_name=names["cluster"],
                service_name=names["service"],
                task_role_name=names["task_role"],
                execution_role_name=names["execution_role"],
                alb_name=names["alb"],
                target_group_name=names["target_group"],
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
                subscriptions=[Subscription(**s.model_dump()) for s in config.alarm_subscriptions],
                tags=tags,
            ),
            child,
        )

        self.url = service.url
        self.log_group_name = logging.log_group_name
        self.secret_arns = secrets.secret_arns
        self.deploy_role_arn = ci.deploy_role_arn
        self.dashboard_name = monitoring.dashboard_name
        self.repository_url = ci.repository_url
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
