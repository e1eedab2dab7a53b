"""What the AWS blueprints that run a Fargate task share: their common config keys, and the foundation.

``WebService``, ``Worker`` and ``ScheduledJob`` take the same keys where the meaning is the same
(team, costCenter, environment, github, imageTag/image, cpu, memory, logRetentionDays,
flowLogRetentionDays, secrets, secretValues, environmentVariables, alarmSubscriptions, vpc,
clusterArn): each is declared here once, worded and checked (:class:`FargateKeys`) the same way in
all three, and :func:`build_foundation` builds the same Network, Logging, Secrets and Ci from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

import pulumi
from pydantic import Field, SecretStr, ValidationInfo, field_validator

from goldenpath import conventions
from goldenpath.components.aws._validation import (
    ECS_CLUSTER_ARN,
    EnvironmentVariables,
    GithubBranch,
    GithubEnvironments,
    GithubRepository,
    TagValue,
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
    Subscription,
    check_subscription_endpoint,
    check_subscription_protocol,
)
from goldenpath.components.aws.network import Network, NetworkArgs
from goldenpath.components.aws.secrets import Secrets, SecretsArgs, check_secret_names
from goldenpath.config import ConfigError, ConfigModel


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


# The keys every AWS Fargate blueprint takes (WebService, Worker, ScheduledJob), declared once so that
# each is worded, and checked by FargateKeys, the same in all three.
Team = Annotated[
    str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="Owning team, lower-case kebab.")
]
CostCenter = Annotated[
    TagValue, Field(min_length=1, max_length=64, description="Cost center billed for the service.")
]
EnvironmentName = Annotated[conventions.Environment, Field(description="dev, staging or prod.")]
Github = Annotated[
    GithubConfig, Field(description="Where deployments come from (repository, branch, environments).")
]
ImageTag = Annotated[str | None, Field(description="Tag in the service's own ECR repository to run.")]
Image = Annotated[
    str | None, Field(description="Full image reference from another registry, instead of imageTag.")
]
FargateCpu = Annotated[
    int,
    Field(description="Fargate CPU units.", json_schema_extra={"enum": list(conventions.FARGATE_CPU_MEMORY)}),
]
FargateMemory = Annotated[int, Field(description="Fargate memory, MiB; must be valid for cpu.")]
LogRetentionDays = Annotated[
    int | None, Field(description="Log retention; the environment's default when unset.")
]
FlowLogRetentionDays = Annotated[
    int | None,
    Field(
        description="VPC flow log retention in the VPC the blueprint creates; the environment's default "
        "when unset."
    ),
]
SecretNames = Annotated[
    list[str], Field(default_factory=list, description="Secret names, injected as environment variables.")
]
SecretValues = Annotated[
    dict[str, SecretStr],
    Field(
        default_factory=dict,
        description="Values for some secrets; must be set with `pulumi config set --secret`.",
    ),
]
PlainVariables = Annotated[
    EnvironmentVariables,
    Field(default_factory=dict, description="Plain environment variables; secrets go in secrets."),
]
AlarmSubscriptions = Annotated[
    list[SubscriptionConfig], Field(default_factory=list, description="Who the alarm topic notifies.")
]
ClusterArn = Annotated[
    str | None,
    Field(
        description="Run on an existing ECS cluster (arn:aws:ecs:<region>:<account>:cluster/<name>) "
        "instead of creating one.",
        json_schema_extra={"pattern": ECS_CLUSTER_ARN.pattern},
    ),
]


class FargateKeys(ConfigModel):
    """The checks of the keys above, for the config model of each blueprint that declares them.

    A check reads keys declared before the one it checks (``info.data``): imageTag before image, cpu
    before memory, secrets before secretValues and environmentVariables, flowLogRetentionDays before vpc.
    """

    @field_validator("image_tag", check_fields=False)
    @classmethod
    def _pinned_tag(cls, value: str | None) -> str | None:
        return None if value is None else check_image_tag(value)

    @field_validator("image", check_fields=False)
    @classmethod
    def _pinned_image(cls, value: str | None) -> str | None:
        return None if value is None else check_image(value)

    @field_validator("image", check_fields=False)
    @classmethod
    def _one_image_source(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (value is None) == (info.data.get("image_tag") is None) and "image_tag" in info.data:
            raise ValueError("set exactly one of imageTag (a tag in the service's ECR repository) or image")
        return value

    @field_validator("cpu", check_fields=False)
    @classmethod
    def _fargate_cpu(cls, value: int) -> int:
        return check_fargate_cpu(value)

    @field_validator("memory", check_fields=False)
    @classmethod
    def _fargate_memory(cls, value: int, info: ValidationInfo) -> int:
        cpu = info.data.get("cpu")
        return value if cpu is None else check_fargate_memory(cpu, value)

    @field_validator("log_retention_days", "flow_log_retention_days", check_fields=False)
    @classmethod
    def _retention(cls, value: int | None) -> int | None:
        return None if value is None else check_retention_days(value)

    @field_validator("vpc", check_fields=False)
    @classmethod
    def _flow_logs_only_in_own_vpc(cls, value: Any, info: ValidationInfo) -> Any:
        if value is not None and info.data.get("flow_log_retention_days") is not None:
            raise ValueError(
                "an existing VPC keeps its own flow logs; unset flowLogRetentionDays or vpc "
                "(flowLogRetentionDays applies to the VPC the blueprint creates)"
            )
        return value

    @field_validator("secrets", check_fields=False)
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

    @field_validator("environment_variables", check_fields=False)
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

    @field_validator("cluster_arn", check_fields=False)
    @classmethod
    def _cluster(cls, value: str | None) -> str | None:
        return None if value is None else check_ecs_cluster_arn(value)

    @field_validator("secret_values", check_fields=False)
    @classmethod
    def _declared_secrets(cls, value: dict[str, SecretStr], info: ValidationInfo) -> dict[str, SecretStr]:
        unknown = sorted(set(value) - set(info.data.get("secrets") or []))
        if unknown:
            raise ValueError(f"has values for {unknown}, which are not declared in secrets")
        return value


def require_secret_config(namespace: str, config: FargateKeys) -> None:
    """Refuse secret values that reach the program as plaintext YAML rather than encrypted config."""
    key = f"{namespace}:secretValues"
    if getattr(config, "secret_values", None) and not pulumi.runtime.is_config_secret(key):
        raise ConfigError(
            [
                f"{key}: holds plaintext values; set each with "
                f"`pulumi config set --secret --path 'secretValues.<name>' <value>` so it is encrypted"
            ]
        )


@dataclass(frozen=True)
class TaskNames:
    """Physical names a task blueprint decides once and hands to several components."""

    cluster: str
    family: str
    task_role: str
    execution_role: str
    repository: str

    @classmethod
    def of(cls, name: str, config: Any) -> TaskNames:
        env = config.environment
        return cls(
            # An existing cluster keeps its own name: the deploy role, scaling and alarms must name it.
            cluster=(
                ecs_cluster_name(config.cluster_arn)
                if config.cluster_arn is not None
                else conventions.physical_name(name, env, kind="ecs_cluster")
            ),
            family=conventions.physical_name(name, kind="ecs_service"),
            task_role=conventions.physical_name(name, env, "task", kind="iam_role"),
            execution_role=conventions.physical_name(name, env, "execution", kind="iam_role"),
            repository=conventions.physical_name(name, env, kind="ecr_repository"),
        )


@dataclass(frozen=True)
class Foundation:
    """What a task blueprint builds before its task: where it runs, its logs, secrets and CI."""

    vpc_id: pulumi.Input[str]
    # Public subnets only where the config's vpc has them (a load balancer's); the Network has both.
    public_subnet_ids: pulumi.Input[list[str]] | None
    private_subnet_ids: pulumi.Input[list[str]]
    logging: Logging
    secrets: Secrets
    ci: Ci
    image: pulumi.Input[str]

    @property
    def secret_variables(self) -> dict[str, pulumi.Output[str]]:
        """Environment variable name → secret ARN, as the container gets them."""
        return {_env_var(k): arn for k, arn in self.secrets.secret_arns.items()}


def build_foundation(
    name: str,
    config: Any,
    *,
    names: TaskNames,
    ecs_service_name: str | None,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> Foundation:
    """The Network (unless ``vpc`` is set), Logging, Secrets and Ci of a task blueprint."""
    child = pulumi.ResourceOptions(parent=parent)
    env = config.environment
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
        vpc_id: pulumi.Input[str] = network.vpc_id
        public_subnets: pulumi.Input[list[str]] | None = network.public_subnet_ids
        private_subnets: pulumi.Input[list[str]] = network.private_subnet_ids
    else:
        vpc_id = config.vpc.vpc_id
        given = getattr(config.vpc, "public_subnet_ids", None)
        public_subnets = None if given is None else list(given)
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
            values={k: pulumi.Output.secret(v.get_secret_value()) for k, v in config.secret_values.items()},
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
            ecs_cluster_name=names.cluster,
            ecs_service_name=ecs_service_name,
            task_definition_family=names.family,
            task_role_name=names.task_role,
            execution_role_name=names.execution_role,
            repository_name=names.repository,
            tags=tags,
        ),
        child,
    )
    image = config.image or ci.repository_url.apply(lambda url: f"{url}:{config.image_tag}")
    return Foundation(
        vpc_id=vpc_id,
        public_subnet_ids=public_subnets,
        private_subnet_ids=private_subnets,
        logging=logging,
        secrets=secrets,
        ci=ci,
        image=image,
    )


def subscriptions(config: Any) -> list[Subscription]:
    """The alarm topic's subscriptions, as the Alarms component takes them."""
    return [Subscription(**s.model_dump()) for s in config.alarm_subscriptions]
