"""The Kubernetes service paved path: a hardened workload with its secrets and alerts.

A product team's whole stack::

    import pulumi
    from goldenpath.blueprints import K8sService

    service = K8sService("catalog")
    pulumi.export("namespace", service.namespace)

Every knob lives in ``Pulumi.<env>.yaml`` under the project's namespace and is validated by
:class:`K8sServiceConfig` before a single resource is registered. The cluster is expected to run
the Prometheus Operator and the External Secrets Operator (when secrets are used).
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pydantic import Field, ValidationInfo, field_validator

from goldenpath import conventions
from goldenpath.components.k8s.monitoring import AlertThresholds, Monitoring, MonitoringArgs
from goldenpath.components.k8s.secrets import SecretKeys, Secrets, SecretsArgs
from goldenpath.components.k8s.workload import (
    Autoscaling,
    CpuQuantity,
    DnsLabel,
    EnvVars,
    IngressSource,
    LabelMap,
    MemoryQuantity,
    PinnedImage,
    ResourceQuantities,
    Workload,
    WorkloadArgs,
    dns_label,
    limits_cover_requests,
)
from goldenpath.config import ConfigModel, load_config

BLUEPRINT = "K8sService"
TYPE_TOKEN = "goldenpath:blueprints:K8sService"
_LABEL_VALUE_PATTERN = r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"


class QuantitiesConfig(ConfigModel):
    """CPU and memory in Kubernetes notation."""

    cpu: CpuQuantity = Field(description="Cores (0.5) or millicores (250m).")
    memory: MemoryQuantity = Field(description="Bytes with a unit: 128Mi, 1Gi.")


class ResourcesConfig(ConfigModel):
    """What each pod asks for (requests) and may use at most (limits)."""

    requests: QuantitiesConfig = Field(
        default_factory=lambda: QuantitiesConfig(**conventions.K8S_REQUESTS),
        description="What the scheduler reserves per container.",
    )
    limits: QuantitiesConfig = Field(
        default_factory=lambda: QuantitiesConfig(**conventions.K8S_LIMITS),
        description="The most a container may use.",
    )

    @field_validator("limits")
    @classmethod
    def _limits_cover_requests(cls, value: QuantitiesConfig, info: ValidationInfo) -> QuantitiesConfig:
        if "requests" in info.data:
            limits_cover_requests(info.data["requests"], value)
        return value


# The most pods a service may run (replicas and autoscaling bounds alike).
MAX_REPLICAS = 100


class AutoscalingConfig(ConfigModel):
    """CPU-based autoscaling; the bounds default to replicas and twice that (at most the 100 pods allowed)."""

    enabled: bool = True
    min_replicas: int | None = Field(
        None, ge=1, le=MAX_REPLICAS, description="Fewest pods; replicas when unset."
    )
    max_replicas: int | None = Field(
        None, ge=1, le=MAX_REPLICAS, description="Most pods; twice the minimum (at most 100) when unset."
    )
    target_cpu: int = Field(
        conventions.K8S_HPA_TARGET_CPU_PERCENT,
        ge=10,
        le=95,
        description="Average CPU utilization to aim for, %.",
    )

    def bounds(self, replicas: int) -> tuple[int, int]:
        """(min, max) replicas, with the defaults filled in."""
        low = self.min_replicas or replicas
        return low, self.max_replicas or min(2 * low, MAX_REPLICAS)


class AlertsConfig(ConfigModel):
    """Alert thresholds; the defaults come from the platform conventions."""

    error_rate_percent: float = Field(
        conventions.K8S_ALERT_ERROR_RATE_PERCENT, gt=0, le=100, description="5xx share of requests, percent."
    )
    latency_p99_seconds: float = Field(
        conventions.K8S_ALERT_LATENCY_P99_SECONDS, gt=0, description="p99 request latency, seconds."
    )
    restarts: int = Field(conventions.K8S_ALERT_RESTARTS, ge=1, description="Restarts within 15 minutes.")
    unavailable_replicas: int = Field(
        conventions.K8S_ALERT_UNAVAILABLE_REPLICAS, ge=0, description="Unavailable pods before alerting."
    )


class K8sServiceConfig(ConfigModel):
    """The knobs of a K8sService, read from the stack config (camelCase keys)."""

    team: str = Field(
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", description="Owning team, lower-case kebab."
    )
    cost_center: str = Field(pattern=_LABEL_VALUE_PATTERN, description="Cost center billed; becomes a label.")
    environment: conventions.Environment = Field(description="dev, staging or prod.")
    image: PinnedImage = Field(
        description="Container image pinned by a tag other than 'latest' or by a digest."
    )
    port: int = Field(
        conventions.K8S_CONTAINER_PORT,
        ge=1024,
        le=65535,
        description="Port the container listens on (non-root).",
    )
    replicas: int = Field(
        conventions.K8S_REPLICAS,
        ge=1,
        le=MAX_REPLICAS,
        description="Pods; more than one adds a disruption budget.",
    )
    resources: ResourcesConfig = Field(default_factory=ResourcesConfig, description="CPU and memory.")
    autoscaling: AutoscalingConfig = Field(
        default_factory=AutoscalingConfig, description="Horizontal pod autoscaling."
    )
    health_path: str = Field(
        conventions.K8S_HEALTH_PATH, pattern=r"^/[\x21-\x7e]*$", description="Path the probes call."
    )
    namespace: DnsLabel | None = Field(
        None, description="Namespace to run in; the service's name when unset."
    )
    create_namespace: bool = Field(True, description="Create the namespace; false to use an existing one.")
    ingress_from: list[DnsLabel] = Field(
        default_factory=list,
        description="Namespaces whose pods may reach the service (e.g. the ingress controller's).",
    )
    prometheus_namespace: DnsLabel = Field(
        conventions.K8S_PROMETHEUS_NAMESPACE,
        description="Namespace of the Prometheus that scrapes the service.",
    )
    prometheus_labels: LabelMap = Field(
        default_factory=dict,
        description="Labels the Prometheus Operator selects ServiceMonitors and rules by.",
    )
    secrets: SecretKeys = Field(
        default_factory=list, description="Secret names, mounted as files; read from secretStore."
    )
    secret_store: DnsLabel | None = Field(
        None, description="The (Cluster)SecretStore the External Secrets Operator reads."
    )
    secret_store_kind: Literal["ClusterSecretStore", "SecretStore"] = Field(
        "ClusterSecretStore", description="Kind of secretStore."
    )
    environment_variables: EnvVars = Field(default_factory=dict, description="Plain environment variables.")
    alerts: AlertsConfig = Field(default_factory=AlertsConfig, description="Alert thresholds.")

    @field_validator("autoscaling")
    @classmethod
    def _bounds_hold_replicas(cls, value: AutoscalingConfig, info: ValidationInfo) -> AutoscalingConfig:
        replicas = info.data.get("replicas")
        if not value.enabled or replicas is None:
            return value
        low, high = value.bounds(replicas)
        if not low <= replicas <= high:
            raise ValueError(
                f"needs minReplicas ≤ replicas ≤ maxReplicas (given {low}, {replicas}, {high}; "
                "unset bounds default to replicas and twice the minimum, at most 100)"
            )
        return value

    @field_validator("secret_store")
    @classmethod
    def _store_for_secrets(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("secrets"):
            raise ValueError("required when secrets are listed: the (Cluster)SecretStore that holds them")
        return value

    def autoscaling_args(self) -> Autoscaling | None:
        if not self.autoscaling.enabled:
            return None
        low, high = self.autoscaling.bounds(self.replicas)
        return Autoscaling(
            min_replicas=low, max_replicas=high, target_cpu_percent=self.autoscaling.target_cpu
        )


def component_labels(name: str, config: K8sServiceConfig, component: str) -> dict[str, str]:
    """The standard labels of one component's objects, plus the cost center."""
    standard = conventions.standard_labels(
        team=config.team,
        service=name,
        environment=config.environment,
        blueprint=BLUEPRINT,
        component=component,
    )
    return {**standard, conventions.LABEL_COST_CENTER: config.cost_center}


def secret_name(name: str, config: K8sServiceConfig) -> str | None:
    """The Secret the service's secrets arrive in; None when it has none."""
    return conventions.physical_name(name, "secrets", kind="k8s") if config.secrets else None


def workload_args(name: str, config: K8sServiceConfig) -> WorkloadArgs:
    # Prometheus scrapes the service's port, so its namespace is always among the sources.
    sources = dict.fromkeys([*config.ingress_from, config.prometheus_namespace])
    return WorkloadArgs(
        service=name,
        namespace=config.namespace or name,
        create_namespace=config.create_namespace,
        labels=component_labels(name, config, "workload"),
        image=config.image,
        port=config.port,
        health_path=config.health_path,
        replicas=config.replicas,
        autoscaling=config.autoscaling_args(),
        requests=ResourceQuantities(**config.resources.requests.model_dump()),
        limits=ResourceQuantities(**config.resources.limits.model_dump()),
        ingress_from=[IngressSource(namespace=ns) for ns in sources],
        secret_name=secret_name(name, config),
        env=dict(config.environment_variables),
    )


class K8sService(pulumi.ComponentResource):
    """A production-ready service on Kubernetes: workload, network isolation, secrets and alerts."""

    namespace: pulumi.Output[str]
    service_name: pulumi.Output[str]
    deployment_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: K8sServiceConfig | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        dns_label(name, "K8sService name")
        config = args if args is not None else load_config(K8sServiceConfig)
        # Built before anything is registered: a value the workload refuses fails here, not halfway.
        workload_inputs = workload_args(name, config)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.config = config
        child = pulumi.ResourceOptions(parent=self)

        workload = Workload(name, workload_inputs, child)
        if workload_inputs.secret_name:
            Secrets(
                name,
                SecretsArgs(
                    secret_name=workload_inputs.secret_name,
                    namespace=workload.namespace,
                    labels=component_labels(name, config, "secrets"),
                    store_name=config.secret_store,
                    store_kind=config.secret_store_kind,
                    keys=list(config.secrets),
                    remote_key_prefix=f"{conventions.NAME_ROOT}/{name}/{config.environment}",
                ),
                child,
            )
        Monitoring(
            name,
            MonitoringArgs(
                service=name,
                namespace=workload.namespace,
                labels=component_labels(name, config, "monitoring"),
                thresholds=AlertThresholds(**config.alerts.model_dump()),
                prometheus_labels=dict(config.prometheus_labels),
            ),
            child,
        )

        self.namespace = workload.namespace
        self.service_name = workload.service_name
        self.deployment_name = workload.deployment_name
        self.register_outputs(
            {
                "namespace": self.namespace,
                "serviceName": self.service_name,
                "deploymentName": self.deployment_name,
            }
        )
