"""One service spec for both paved paths: what a team says about its service, once.

A team's whole stack::

    import pulumi
    from goldenpath.blueprints import Service

    service = Service("inventory")

``Pulumi.<env>.yaml`` holds a :class:`ServiceSpec`: the service's identity, image, port, CPU and
memory, replica bounds, health check, environment, secrets, alarm thresholds and where its
deployments come from, plus ``target: aws`` or ``target: kubernetes``. The target picks the
blueprint that builds it — :class:`~goldenpath.blueprints.WebService` (ECS Fargate behind an HTTPS
load balancer) or :class:`~goldenpath.blueprints.K8sService` — with exactly the resources, names and
URNs that blueprint builds from its own config, so a stack can move between the spec and the
blueprint's own config without a replacement. What only one target has lives in the ``aws:`` and
``kubernetes:`` sections; both may be present, so that moving a service from ECS to Kubernetes is
a change of ``target`` (and of the sections' own knobs), not a rewrite.

How the shared keys land on each target (tests/blueprints/test_service_spec.py checks each one on
the resources built):

=====================================  ===================================  =====================================
spec                                   aws (WebService)                     kubernetes (K8sService)
=====================================  ===================================  =====================================
image                                  the task's container image           the Deployment's container image
port                                   containerPort (target group, SG)     port (container, Service, probes)
cpu, memory                            Fargate cpu units, MiB               requests (limits default to them)
replicas.min / .desired / .max         minCount / desiredCount / maxCount   autoscaling bounds / replicas
replicas.targetCpuPercent              ECS target tracking on CPU           HPA average CPU utilization
healthCheck.path                       load balancer health check           readiness/liveness/startup probes
environmentVariables                   container environment                container environment
secrets                                Secrets Manager, as env vars         External Secrets, as files
alarms.latencyP99Seconds               p99 TargetResponseTime alarm (≥)     p99 latency alert (>)
alarms.unavailableReplicas             UnHealthyHostCount alarm (≥ n)       unavailable replicas alert (> n − 1)
github                                 the deploy role's OIDC trust         not used: a cluster's CD deploys
=====================================  ===================================  =====================================
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator

from goldenpath import conventions
from goldenpath.blueprints._fargate import GithubConfig, SubscriptionConfig
from goldenpath.blueprints.k8s_service import _LABEL_VALUE_PATTERN, MAX_REPLICAS, K8sService, K8sServiceConfig
from goldenpath.blueprints.web_service import (
    VpcConfig,
    WebService,
    WebServiceConfig,
)
from goldenpath.components.aws._validation import (
    ACM_CERTIFICATE_ARN,
    ECS_CLUSTER_ARN,
    EnvironmentVariables,
    TagValue,
    check_acm_certificate_arn,
    check_ecs_cluster_arn,
    check_image,
    check_image_tag,
)
from goldenpath.components.aws.logging import check_retention_days
from goldenpath.components.aws.secrets import check_secret_names
from goldenpath.components.k8s.secrets import check_secret_keys
from goldenpath.components.k8s.workload import (
    CpuQuantity,
    DnsLabel,
    LabelMap,
    MemoryQuantity,
    cpu_cores,
    memory_bytes,
    pinned_image,
)
from goldenpath.config import ConfigError, ConfigModel, format_validation_error, load_config

Target = Literal["aws", "kubernetes"]


class ReplicasSpec(ConfigModel):
    """How many copies run, and the bounds autoscaling keeps to."""

    min: int = Field(2, ge=1, le=MAX_REPLICAS, description="Fewest copies autoscaling may leave.")
    desired: int | None = Field(
        None, ge=1, le=MAX_REPLICAS, description="Copies to start with; min when unset."
    )
    max: int = Field(4, ge=1, le=MAX_REPLICAS, description="Most copies autoscaling may start.")
    target_cpu_percent: int = Field(60, ge=10, le=90, description="Average CPU autoscaling aims for, %.")

    @model_validator(mode="after")
    def _ordered(self) -> ReplicasSpec:
        if not self.min <= self.start <= self.max:
            raise ValueError("needs min ≤ desired ≤ max, and desired is min when unset")
        return self

    @property
    def start(self) -> int:
        return self.min if self.desired is None else self.desired


class HealthCheckSpec(ConfigModel):
    path: str = Field("/healthz", pattern=r"^/[\x21-\x7e]*$", description="Path the health checks call.")


class AlarmsSpec(ConfigModel):
    """Thresholds both targets alarm on."""

    latency_p99_seconds: float = Field(
        conventions.ALARM_TARGET_RESPONSE_TIME_SECONDS, gt=0, description="p99 request latency, seconds."
    )
    unavailable_replicas: int = Field(
        1, ge=1, le=MAX_REPLICAS, description="Alarm when this many copies are unhealthy or unavailable."
    )


class AwsAlarmsSpec(ConfigModel):
    alb5xx_count: int = Field(conventions.ALARM_ALB_5XX_COUNT, ge=1, alias="alb5xxCount",
                              description="5xx responses per minute before alarming.")  # fmt: skip
    cpu_percent: int = Field(
        conventions.ALARM_CPU_PERCENT, ge=1, le=100, description="Service CPU before alarming."
    )
    memory_percent: int = Field(
        conventions.ALARM_MEMORY_PERCENT, ge=1, le=100, description="Service memory before alarming."
    )


class AwsSpec(ConfigModel):
    """What only the AWS target has (read when target is aws)."""

    certificate_arn: str | None = Field(
        None,
        description="ACM certificate for the HTTPS listener; required when target is aws.",
        json_schema_extra={"pattern": ACM_CERTIFICATE_ARN.pattern},
    )
    image_tag: str | None = Field(
        None, description="A tag in the service's own ECR repository, instead of the spec's image."
    )
    vpc: VpcConfig | None = Field(None, description="Run in an existing VPC instead of creating one.")
    cluster_arn: str | None = Field(
        None,
        description="Run on an existing ECS cluster.",
        json_schema_extra={"pattern": ECS_CLUSTER_ARN.pattern},
    )
    deletion_protection: bool | None = Field(
        None, description="Load balancer deletion protection; on in prod."
    )
    log_retention_days: int | None = Field(
        None, description="Log retention; the environment's default when unset."
    )
    flow_log_retention_days: int | None = Field(None, description="Flow log retention of the VPC it creates.")
    secret_values: dict[str, SecretStr] = Field(
        default_factory=dict, description="Values for some secrets; set with `pulumi config set --secret`."
    )
    alarms: AwsAlarmsSpec = Field(default_factory=AwsAlarmsSpec, description="AWS-only alarm thresholds.")
    alarm_subscriptions: list[SubscriptionConfig] = Field(
        default_factory=list, description="Who the alarm topic notifies."
    )

    # The checks WebService makes, made here so that a refusal names the spec's own key.
    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str | None) -> str | None:
        return None if value is None else check_acm_certificate_arn(value)

    @field_validator("image_tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        return None if value is None else check_image_tag(value)

    @field_validator("cluster_arn")
    @classmethod
    def _cluster(cls, value: str | None) -> str | None:
        return None if value is None else check_ecs_cluster_arn(value)

    @field_validator("log_retention_days", "flow_log_retention_days")
    @classmethod
    def _retention(cls, value: int | None) -> int | None:
        return None if value is None else check_retention_days(value)

    @model_validator(mode="after")
    def _flow_logs_only_in_own_vpc(self) -> AwsSpec:
        if self.vpc is not None and self.flow_log_retention_days is not None:
            raise ValueError("an existing vpc keeps its own flow logs; unset flowLogRetentionDays or vpc")
        return self


class KubernetesAlertsSpec(ConfigModel):
    error_rate_percent: float = Field(
        conventions.K8S_ALERT_ERROR_RATE_PERCENT, gt=0, le=100, description="5xx share of requests, percent."
    )
    restarts: int = Field(conventions.K8S_ALERT_RESTARTS, ge=1, description="Restarts within 15 minutes.")


class KubernetesLimitsSpec(ConfigModel):
    cpu: CpuQuantity = Field(description="Most CPU a container may use.")
    memory: MemoryQuantity = Field(description="Most memory a container may use.")


class KubernetesSpec(ConfigModel):
    """What only the Kubernetes target has (read when target is kubernetes)."""

    namespace: DnsLabel | None = Field(
        None, description="Namespace to run in; the service's name when unset."
    )
    create_namespace: bool = Field(True, description="Create the namespace; false to use an existing one.")
    limits: KubernetesLimitsSpec | None = Field(
        None, description="Container limits; the spec's cpu and memory (the requests) when unset."
    )
    ingress_from: list[DnsLabel] = Field(
        default_factory=list, description="Namespaces that may reach the service."
    )
    prometheus_namespace: DnsLabel = Field(
        conventions.K8S_PROMETHEUS_NAMESPACE,
        description="Namespace of the Prometheus that scrapes the service.",
    )
    prometheus_labels: LabelMap = Field(
        default_factory=dict, description="Labels the Prometheus Operator selects by."
    )
    secret_store: DnsLabel | None = Field(
        None, description="The (Cluster)SecretStore the secrets are read from; required with secrets."
    )
    secret_store_kind: Literal["ClusterSecretStore", "SecretStore"] = Field(
        "ClusterSecretStore", description="Kind of secretStore."
    )
    alerts: KubernetesAlertsSpec = Field(
        default_factory=KubernetesAlertsSpec, description="Kubernetes-only alert thresholds."
    )


class ServiceSpec(ConfigModel):
    """What a team says about its service, read by both targets (camelCase keys)."""

    target: Target = Field(description="Where it runs: aws (ECS Fargate) or kubernetes.")
    team: str = Field(
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", description="Owning team, lower-case kebab."
    )
    cost_center: TagValue = Field(
        min_length=1,
        max_length=63,
        pattern=_LABEL_VALUE_PATTERN,
        description="Cost center billed for the service.",
    )
    environment: conventions.Environment = Field(description="dev, staging or prod.")
    image: str | None = Field(
        None,
        description="Container image pinned by a tag other than latest or by a digest; on aws, or aws.imageTag.",
    )
    port: int = Field(8080, ge=1024, le=65535, description="Port the container listens on (non-root).")
    cpu: CpuQuantity = Field("0.25", description="CPU per copy: cores (0.25) or millicores (250m).")
    memory: MemoryQuantity = Field("512Mi", description="Memory per copy: 512Mi, 1Gi.")
    replicas: ReplicasSpec = Field(default_factory=ReplicasSpec, description="Copies and autoscaling bounds.")
    health_check: HealthCheckSpec = Field(default_factory=HealthCheckSpec, description="Health checks.")
    environment_variables: EnvironmentVariables = Field(
        default_factory=dict, description="Plain environment."
    )
    secrets: list[str] = Field(default_factory=list, description="Secret names the service reads.")
    alarms: AlarmsSpec = Field(default_factory=AlarmsSpec, description="Thresholds both targets alarm on.")
    github: GithubConfig | None = Field(
        None, description="Where deployments come from; required when target is aws (its deploy role)."
    )
    aws: AwsSpec = Field(default_factory=AwsSpec, description="What only the AWS target has.")
    kubernetes: KubernetesSpec = Field(
        default_factory=KubernetesSpec, description="What only Kubernetes has."
    )

    @field_validator("image")
    @classmethod
    def _pinned(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return check_image(value) if info.data.get("target") == "aws" else pinned_image(value)

    @field_validator("secrets")
    @classmethod
    def _secret_names(cls, value: list[str], info: ValidationInfo) -> list[str]:
        # Each target's own rule, here, so that a name the target cannot take is refused as the
        # spec's `secrets` rather than as the target's secretValues it then leaves undeclared.
        if info.data.get("target") == "aws":
            return check_secret_names(value)
        if info.data.get("target") == "kubernetes":
            return check_secret_keys(value)
        repeated = sorted({n for n in value if value.count(n) > 1})
        if repeated:
            raise ValueError(f"secret names must be unique; repeated: {', '.join(repeated)}")
        return value

    @field_validator("github")
    @classmethod
    def _github_for_aws(cls, value: GithubConfig | None, info: ValidationInfo) -> GithubConfig | None:
        if value is None and info.data.get("target") == "aws":
            raise ValueError("required when target is aws: the repository whose workflows may deploy")
        return value

    @field_validator("aws")
    @classmethod
    def _aws_needs(cls, value: AwsSpec, info: ValidationInfo) -> AwsSpec:
        if info.data.get("target") != "aws":
            return value
        if value.certificate_arn is None:
            raise ValueError(
                "certificateArn is required when target is aws (the HTTPS listener's certificate)"
            )
        if (info.data.get("image") is None) == (value.image_tag is None) and "image" in info.data:
            raise ValueError(
                "set exactly one of image (the spec's) or aws.imageTag (a tag in its ECR repository)"
            )
        cpu, memory = info.data.get("cpu"), info.data.get("memory")
        if cpu is not None and memory is not None:
            units, mib = fargate_size(cpu, memory)
            sizes = conventions.FARGATE_CPU_MEMORY.get(units)
            exact = cpu_cores(cpu) * 1024 == units and memory_bytes(memory) == mib * 2**20
            if sizes is None or mib not in sizes or not exact:
                raise ValueError(
                    f"cpu {cpu} and memory {memory} are not a Fargate task size ({units} cpu units, {mib} MiB); "
                    f"Fargate takes cpu {', '.join(f'{u / 1024:g}' for u in conventions.FARGATE_CPU_MEMORY)} "
                    "with the memory sizes each allows"
                )
        return value

    @field_validator("kubernetes")
    @classmethod
    def _kubernetes_needs(cls, value: KubernetesSpec, info: ValidationInfo) -> KubernetesSpec:
        if info.data.get("target") != "kubernetes":
            return value
        if info.data.get("image") is None and "image" in info.data:
            raise ValueError(
                "the spec's image is required when target is kubernetes (aws.imageTag is ECR only)"
            )
        if value.secret_store is None and info.data.get("secrets"):
            raise ValueError("secretStore is required when secrets are listed and target is kubernetes")
        return value

    # -- the two renderings --------------------------------------------------------------------

    def web_service_values(self) -> dict:
        """The WebService config (camelCase keys) this spec means."""
        units, mib = fargate_size(self.cpu, self.memory)
        aws = self.aws
        values = {
            "team": self.team,
            "costCenter": self.cost_center,
            "environment": self.environment,
            "certificateArn": aws.certificate_arn,
            "github": self.github.model_dump(by_alias=True, exclude_none=True) if self.github else None,
            "containerPort": self.port,
            "cpu": units,
            "memory": mib,
            "minCount": self.replicas.min,
            "desiredCount": self.replicas.start,
            "maxCount": self.replicas.max,
            "cpuTargetPercent": self.replicas.target_cpu_percent,
            "healthCheckPath": self.health_check.path,
            "secrets": list(self.secrets),
            "secretValues": {k: v.get_secret_value() for k, v in aws.secret_values.items()},
            "environmentVariables": dict(self.environment_variables),
            "alarms": {
                **aws.alarms.model_dump(by_alias=True),
                "targetResponseTimeSeconds": self.alarms.latency_p99_seconds,
                "unhealthyHosts": self.alarms.unavailable_replicas,
            },
            "alarmSubscriptions": [s.model_dump(by_alias=True) for s in aws.alarm_subscriptions],
            "vpc": aws.vpc.model_dump(by_alias=True) if aws.vpc else None,
            "clusterArn": aws.cluster_arn,
            "deletionProtection": aws.deletion_protection,
            "logRetentionDays": aws.log_retention_days,
            "flowLogRetentionDays": aws.flow_log_retention_days,
            **({"image": self.image} if self.image is not None else {"imageTag": aws.image_tag}),
        }
        return {k: v for k, v in values.items() if v is not None}

    def k8s_service_values(self) -> dict:
        """The K8sService config (camelCase keys) this spec means."""
        k8s = self.kubernetes
        limits = k8s.limits.model_dump() if k8s.limits else {"cpu": self.cpu, "memory": self.memory}
        values = {
            "team": self.team,
            "costCenter": self.cost_center,
            "environment": self.environment,
            "image": self.image,
            "port": self.port,
            "replicas": self.replicas.start,
            "resources": {"requests": {"cpu": self.cpu, "memory": self.memory}, "limits": limits},
            "autoscaling": {
                "enabled": True,
                "minReplicas": self.replicas.min,
                "maxReplicas": self.replicas.max,
                "targetCpu": self.replicas.target_cpu_percent,
            },
            "healthPath": self.health_check.path,
            "namespace": k8s.namespace,
            "createNamespace": k8s.create_namespace,
            "ingressFrom": list(k8s.ingress_from),
            "prometheusNamespace": k8s.prometheus_namespace,
            "prometheusLabels": dict(k8s.prometheus_labels),
            "secrets": list(self.secrets),
            "secretStore": k8s.secret_store,
            "secretStoreKind": k8s.secret_store_kind,
            "environmentVariables": dict(self.environment_variables),
            "alerts": {
                **k8s.alerts.model_dump(by_alias=True),
                "latencyP99Seconds": self.alarms.latency_p99_seconds,
                # The alert fires above its threshold; the spec's number is the first count that alarms.
                "unavailableReplicas": self.alarms.unavailable_replicas - 1,
            },
        }
        return {k: v for k, v in values.items() if v is not None}


# The config the blueprints' own models take is named <Class>Config; the spec is Service's.
ServiceConfig = ServiceSpec


def fargate_size(cpu: str, memory: str) -> tuple[int, int]:
    """(cpu units, MiB) of a CPU and memory quantity, as Fargate counts them."""
    return round(cpu_cores(cpu) * 1024), round(memory_bytes(memory) / 2**20)


# Where each key of a target's config comes from in the spec (the inverse of *_service_values),
# so that what the spec let through but the target refuses names the key the team wrote. Longest
# first; a key not listed is the spec's own (team, image, secrets, ...).
SPEC_KEY_OF = {
    "aws": {
        "alarms.targetResponseTimeSeconds": "alarms.latencyP99Seconds",
        "alarms.unhealthyHosts": "alarms.unavailableReplicas",
        "alarms": "aws.alarms",
        "alarmSubscriptions": "aws.alarmSubscriptions",
        "certificateArn": "aws.certificateArn",
        "clusterArn": "aws.clusterArn",
        "containerPort": "port",
        "cpuTargetPercent": "replicas.targetCpuPercent",
        "deletionProtection": "aws.deletionProtection",
        "desiredCount": "replicas.desired",
        "flowLogRetentionDays": "aws.flowLogRetentionDays",
        "healthCheckPath": "healthCheck.path",
        "imageTag": "aws.imageTag",
        "logRetentionDays": "aws.logRetentionDays",
        "maxCount": "replicas.max",
        "minCount": "replicas.min",
        "secretValues": "aws.secretValues",
        "vpc": "aws.vpc",
    },
    "kubernetes": {
        "alerts.latencyP99Seconds": "alarms.latencyP99Seconds",
        "alerts.unavailableReplicas": "alarms.unavailableReplicas",
        "alerts": "kubernetes.alerts",
        "autoscaling.maxReplicas": "replicas.max",
        "autoscaling.minReplicas": "replicas.min",
        "autoscaling.targetCpu": "replicas.targetCpuPercent",
        "autoscaling.enabled": "replicas",
        "autoscaling": "replicas",
        "createNamespace": "kubernetes.createNamespace",
        "healthPath": "healthCheck.path",
        "ingressFrom": "kubernetes.ingressFrom",
        "namespace": "kubernetes.namespace",
        "prometheusLabels": "kubernetes.prometheusLabels",
        "prometheusNamespace": "kubernetes.prometheusNamespace",
        "replicas": "replicas.desired",
        "resources.limits": "kubernetes.limits",
        "resources.requests.cpu": "cpu",
        "resources.requests.memory": "memory",
        "resources.requests": "cpu",
        "resources": "cpu",
        "secretStore": "kubernetes.secretStore",
        "secretStoreKind": "kubernetes.secretStoreKind",
    },
}


def spec_key(target: str, key: str) -> str:
    """The spec's key for ``key`` of ``target``'s config (``vpc.subnetIds[0]`` -> ``aws.vpc.subnetIds[0]``)."""
    for theirs, ours in sorted(SPEC_KEY_OF[target].items(), key=lambda item: -len(item[0])):
        if key == theirs:
            return ours
        if key.startswith((f"{theirs}.", f"{theirs}[")):
            # Below a key the spec has as a section, the rest is the section's own; below one it
            # has as a single value (cpu for resources), the value is what the team wrote.
            return ours + key[len(theirs) :] if ours.startswith(("aws.", "kubernetes.")) else ours
    return key


def render(spec: ServiceSpec, namespace: str) -> WebServiceConfig | K8sServiceConfig:
    """The target blueprint's own config for ``spec``; its refusals name the spec's keys."""
    model, values = (
        (WebServiceConfig, spec.web_service_values())
        if spec.target == "aws"
        else (K8sServiceConfig, spec.k8s_service_values())
    )
    try:
        return model.model_validate(values)
    except ValidationError as error:
        # What the spec let through but the target refuses, said in the spec's keys.
        problems = format_validation_error(
            error, namespace, model, values, withheld_keys={"secretValues"}
        ).problems
        prefix = f"{namespace}:"
        said = []
        for problem in problems:
            if problem.startswith(prefix) and ": " in problem[len(prefix) :]:
                key, rest = problem[len(prefix) :].split(": ", 1)
                problem = f"{prefix}{spec_key(spec.target, key)}: {rest}"
            said.append(f"{problem} (as target {spec.target} reads the spec)")
        raise ConfigError(said) from None


def Service(  # noqa: N802 - a blueprint is called like a class, as WebService and K8sService are
    name: str, spec: ServiceSpec | None = None, opts: pulumi.ResourceOptions | None = None
) -> WebService | K8sService:
    """The service ``spec`` describes, built by its target's blueprint (read from config when unset).

    It returns that blueprint itself — no extra component — so its resources and URNs are the ones
    the blueprint builds from its own config.
    """
    namespace = pulumi.get_project()
    if spec is None:
        spec = load_config(ServiceSpec, namespace)
        if spec.target == "aws" and spec.aws.secret_values:
            _require_secret_config_for_spec(namespace)
    config = render(spec, namespace)
    if isinstance(config, WebServiceConfig):
        return WebService(name, config, opts)
    return K8sService(name, config, opts)


def _require_secret_config_for_spec(namespace: str) -> None:
    # The spec nests secret values under aws:, so the whole `aws` key must be a secret in the stack.
    if not pulumi.runtime.is_config_secret(f"{namespace}:aws"):
        raise ConfigError(
            [
                f"{namespace}:aws.secretValues: holds plaintext values; set each with "
                f"`pulumi config set --secret --path 'aws.secretValues.<name>' <value>` so it is encrypted"
            ]
        )


__all__ = ["Service", "ServiceConfig", "ServiceSpec", "fargate_size", "render"]
