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
from typing import Literal

import pulumi
from pydantic import Field, SecretStr, ValidationInfo, field_validator

from goldenpath import conventions
from goldenpath.components.aws.ci import Ci, CiArgs
from goldenpath.components.aws.logging import Logging, LoggingArgs
from goldenpath.components.aws.monitoring import AlarmThresholds, Monitoring, MonitoringArgs, Subscription
from goldenpath.components.aws.network import Network, NetworkArgs
from goldenpath.components.aws.secrets import Secrets, SecretsArgs
from goldenpath.components.aws.service import Service, ServiceArgs
from goldenpath.config import ConfigError, ConfigModel, load_config

BLUEPRINT = "WebService"
TYPE_TOKEN = "goldenpath:blueprints:WebService"

_REPOSITORY_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_CERTIFICATE_RE = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")
_SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ENV_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class GithubConfig(ConfigModel):
    """Where deployments come from: only this repository's branch (and environments) may deploy."""

    repository: str = Field(description="GitHub repository as owner/name.")
    branch: str = Field("main", description="The only branch whose workflows may assume the deploy role.")
    environments: list[str] = Field(
        default_factory=list, description="GitHub deployment environments also allowed to deploy."
    )
    oidc_provider_arn: str | None = Field(
        None, description="ARN of the account's existing GitHub OIDC provider; one is created when unset."
    )

    @field_validator("repository")
    @classmethod
    def _owner_slash_name(cls, value: str) -> str:
        if not _REPOSITORY_RE.match(value):
            raise ValueError("must be a GitHub repository written as owner/name, e.g. acme/payments-api")
        return value

    @field_validator("branch")
    @classmethod
    def _no_wildcard_branch(cls, value: str) -> str:
        if not value or any(c in value for c in "*?[] "):
            raise ValueError("must be one branch name, without wildcards or spaces")
        return value


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
        10, ge=1, alias="alb5xxCount", description="5xx responses per minute before alarming."
    )
    target_response_time_seconds: float = Field(1.0, gt=0, description="p99 target response time, seconds.")
    unhealthy_hosts: int = Field(1, ge=1, description="Unhealthy targets before alarming.")
    cpu_percent: int = Field(80, ge=1, le=100, description="Service CPU utilisation before alarming.")
    memory_percent: int = Field(80, ge=1, le=100, description="Service memory utilisation before alarming.")


class SubscriptionConfig(ConfigModel):
    protocol: Literal["email", "https", "sqs", "lambda"]
    endpoint: str


class WebServiceConfig(ConfigModel):
    """The knobs of a WebService, read from the stack config (camelCase keys)."""

    team: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="Owning team, lower-case kebab.")
    cost_center: str = Field(min_length=1, max_length=64, description="Cost center billed for the service.")
    environment: conventions.Environment = Field(description="dev, staging or prod.")
    certificate_arn: str = Field(description="ACM certificate for the HTTPS listener.")
    github: GithubConfig
    image_tag: str | None = Field(None, description="Tag in the service's own ECR repository to run.")
    image: str | None = Field(
        None, description="Full image reference from another registry, instead of imageTag."
    )
    container_port: int = Field(
        8080, ge=1024, le=65535, description="Port the container listens on (non-root)."
    )
    cpu: int = Field(256, description="Fargate CPU units.")
    memory: int = Field(512, description="Fargate memory, MiB; must be valid for cpu.")
    desired_count: int = Field(2, ge=1, le=100)
    min_count: int = Field(2, ge=1, le=100)
    max_count: int = Field(4, ge=1, le=100)
    cpu_target_percent: int = Field(60, ge=10, le=90, description="Autoscaling target for average CPU.")
    health_check_path: str = Field("/healthz", pattern=r"^/[\x21-\x7e]*$")
    log_retention_days: int | None = Field(
        None, description="Log retention; the environment's default when unset."
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
    environment_variables: dict[str, str] = Field(default_factory=dict)
    alarms: AlarmConfig = Field(default_factory=AlarmConfig)
    alarm_subscriptions: list[SubscriptionConfig] = Field(default_factory=list)
    vpc: VpcConfig | None = Field(None, description="Run in an existing VPC instead of creating one.")
    cluster_arn: str | None = Field(
        None, description="Run on an existing ECS cluster instead of creating one."
    )

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str) -> str:
        if not _CERTIFICATE_RE.match(value):
            raise ValueError(
                "must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>"
            )
        return value

    @field_validator("image_tag")
    @classmethod
    def _pinned_tag(cls, value: str | None) -> str | None:
        if value is not None and (
            value == "latest" or not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", value)
        ):
            raise ValueError(
                "must be an immutable image tag such as 1.4.2 or a git sha; 'latest' is not allowed"
            )
        return value

    @field_validator("image")
    @classmethod
    def _pinned_image(cls, value: str | None) -> str | None:
        if value is None or "@sha256:" in value:
            return value
        last = value.rsplit("/", 1)[-1]
        if ":" not in last or last.endswith(":latest"):
            raise ValueError(
                "must pin a tag other than 'latest' or a digest, e.g. registry/app:1.4.2 or app@sha256:…"
            )
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int | None) -> int | None:
        allowed = [
            d for d in conventions.LOG_RETENTION_ALLOWED if d >= conventions.LOG_RETENTION_MINIMUM_DAYS
        ]
        if value is not None and value not in allowed:
            raise ValueError(f"must be one of {', '.join(map(str, allowed))} days")
        return value

    @field_validator("secrets")
    @classmethod
    def _secret_names(cls, value: list[str]) -> list[str]:
        bad = [n for n in value if not _SECRET_NAME_RE.match(n)]
        if bad:
            raise ValueError(f"secret names {bad} must be 1-64 letters, digits, '-' or '_'")
        if len(set(value)) != len(value):
            raise ValueError("secret names must be unique")
        return value

    @field_validator("environment_variables")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not _ENV_VAR_RE.match(k)]
        if bad:
            raise ValueError(f"environment variable names {bad} must match [A-Za-z_][A-Za-z0-9_]*")
        return value

    @field_validator("image")
    @classmethod
    def _one_image_source(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (value is None) == (info.data.get("image_tag") is None) and "image_tag" in info.data:
            raise ValueError("set exactly one of imageTag (a tag in the service's ECR repository) or image")
        return value

    @field_validator("cpu")
    @classmethod
    def _fargate_cpu(cls, value: int) -> int:
        if value not in conventions.FARGATE_CPU_MEMORY:
            raise ValueError(
                f"must be a Fargate CPU size: {', '.join(map(str, conventions.FARGATE_CPU_MEMORY))}"
            )
        return value

    @field_validator("memory")
    @classmethod
    def _fargate_memory(cls, value: int, info: ValidationInfo) -> int:
        valid = conventions.FARGATE_CPU_MEMORY.get(info.data.get("cpu", -1))
        if valid is not None and value not in valid:
            raise ValueError(
                f"{value} MiB is not valid with cpu {info.data['cpu']}; Fargate allows {', '.join(map(str, valid))} MiB"
            )
        return value

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


def _env_var(secret_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", secret_name).upper()


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
            "cluster": conventions.physical_name(name, env, kind="ecs_cluster"),
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
                    flow_log_retention_days=conventions.LOG_RETENTION_DAYS[env],
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
