"""The Kubernetes queue worker paved path: a hardened Deployment that consumes a queue, scaled on it.

A product team's whole stack::

    import pulumi
    from goldenpath.blueprints import K8sWorker

    worker = K8sWorker("orders-worker")
    pulumi.export("namespace", worker.namespace)

Every knob lives in ``Pulumi.<env>.yaml`` under the project's namespace and is validated by
:class:`K8sWorkerConfig` before a single resource is registered. The worker has no Service and
accepts no connection but Prometheus's scrape of its metrics port; it reaches cluster DNS and the
``egressTo`` destinations (its queue) only. It is scaled by KEDA on its queue (the default; the
cluster runs KEDA 2.13 or later) or by a HorizontalPodAutoscaler on an External metric served by a
metrics adapter. The cluster runs the Prometheus Operator, and the External Secrets Operator when
secrets are used.
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pydantic import Field, ValidationInfo, field_validator, model_validator

from goldenpath import conventions
from goldenpath.blueprints.k8s_service import (
    _LABEL_VALUE_PATTERN,
    MAX_REPLICAS,
    ResourcesConfig,
)
from goldenpath.components.k8s.monitoring import AlertThresholds, Monitoring, MonitoringArgs, WorkerAlerts
from goldenpath.components.k8s.queue_scaling import Queue, QueueFields, QueueScaling, QueueScalingArgs
from goldenpath.components.k8s.secrets import SecretKeys, Secrets, SecretsArgs
from goldenpath.components.k8s.workload import (
    Autoscaling,
    Cidr,
    DnsLabel,
    EgressDestination,
    EnvVars,
    ExternalMetric,
    IngressSource,
    LabelMap,
    PinnedImage,
    ResourceQuantities,
    Workload,
    WorkloadArgs,
    dns_label,
)
from goldenpath.config import ConfigModel, load_config

BLUEPRINT = "K8sWorker"
TYPE_TOKEN = "goldenpath:blueprints:K8sWorker"


class QueueConfig(QueueFields, ConfigModel):
    """The queue the worker consumes; which keys apply depends on its type."""


class ExternalMetricConfig(ConfigModel):
    """The External metric a HorizontalPodAutoscaler scales on (driver hpa)."""

    name: str = Field(
        pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$",
        description="Metric name as the external metrics API serves it (e.g. the queue's visible messages).",
    )
    selector: LabelMap = Field(default_factory=dict, description="Labels that pick the worker's queue.")


class WorkerAutoscalingConfig(ConfigModel):
    """Scaling on the queue; the bounds default to replicas and twice that (at most 100)."""

    enabled: bool = True
    driver: Literal["keda", "hpa"] = Field(
        "keda",
        description="keda: a KEDA ScaledObject on the queue; hpa: a HorizontalPodAutoscaler on externalMetric.",
    )
    min_replicas: int | None = Field(
        None,
        ge=0,
        le=MAX_REPLICAS,
        description="Fewest pods; replicas when unset; 0 (keda only) scales to zero.",
    )
    max_replicas: int | None = Field(
        None, ge=1, le=MAX_REPLICAS, description="Most pods; twice the minimum (at most 100) when unset."
    )
    messages_per_replica: int = Field(
        conventions.K8S_WORKER_MESSAGES_PER_REPLICA,
        ge=1,
        le=100000,
        description="Queue depth (or consumer lag) each pod is meant to work off.",
    )
    external_metric: ExternalMetricConfig | None = Field(
        None, description="driver hpa: the External metric of the queue's depth."
    )

    @model_validator(mode="after")
    def _driver_inputs(self) -> WorkerAutoscalingConfig:
        if self.driver == "hpa" and self.external_metric is None:
            raise ValueError("driver hpa needs externalMetric: the External metric of the queue's depth")
        if self.driver == "keda" and self.external_metric is not None:
            raise ValueError("externalMetric applies to driver hpa only; KEDA reads the queue itself")
        if self.driver == "hpa" and self.min_replicas == 0:
            raise ValueError(
                "minReplicas 0 (scale to zero) needs driver keda; a HorizontalPodAutoscaler keeps 1"
            )
        return self

    def bounds(self, replicas: int) -> tuple[int, int]:
        """(min, max) replicas, with the defaults filled in."""
        low = replicas if self.min_replicas is None else self.min_replicas
        return low, self.max_replicas or min(2 * max(low, 1), MAX_REPLICAS)


class EgressConfig(ConfigModel):
    """One destination the worker may connect to: a namespace's pods or a network, on one TCP port."""

    namespace: DnsLabel | None = Field(None, description="Pods of this namespace (an in-cluster broker).")
    cidr: Cidr | None = Field(None, description="A network, e.g. the SQS VPC endpoint's subnets.")
    port: int = Field(
        ge=1, le=65535, description="TCP port (443 for SQS, 5671/5672 for RabbitMQ, 9092 for Kafka)."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> EgressConfig:
        if (self.namespace is None) == (self.cidr is None):
            raise ValueError("give exactly one of namespace or cidr")
        return self


class WorkerAlertsConfig(ConfigModel):
    """Alert thresholds; the defaults come from the platform conventions."""

    restarts: int = Field(conventions.K8S_ALERT_RESTARTS, ge=1, description="Restarts within 15 minutes.")
    unavailable_replicas: int = Field(
        conventions.K8S_ALERT_UNAVAILABLE_REPLICAS, ge=0, description="Unavailable pods before alerting."
    )
    backlog_metric: str | None = Field(
        None,
        pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$",
        description="Prometheus series of the queue's backlog or consumer lag; no backlog alert when unset.",
    )
    backlog_selector: LabelMap = Field(
        default_factory=dict, description="Labels that pick the worker's queue among backlogMetric's series."
    )
    backlog: float = Field(
        conventions.K8S_ALERT_QUEUE_BACKLOG, gt=0, description="Backlog (summed) above which it alerts."
    )


class K8sWorkerConfig(ConfigModel):
    """The knobs of a K8sWorker, read from the stack config (camelCase keys)."""

    team: str = Field(
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", description="Owning team, lower-case kebab."
    )
    cost_center: str = Field(pattern=_LABEL_VALUE_PATTERN, description="Cost center billed; becomes a label.")
    environment: conventions.Environment = Field(description="dev, staging or prod.")
    image: PinnedImage = Field(
        description="Container image pinned by a tag other than 'latest' or by a digest."
    )
    queue: QueueConfig = Field(description="The queue the worker consumes.")
    port: int = Field(
        conventions.K8S_CONTAINER_PORT,
        ge=1024,
        le=65535,
        description="Port of the worker's health and metrics endpoints (non-root); nothing else reaches it.",
    )
    health_path: str = Field(
        conventions.K8S_HEALTH_PATH, pattern=r"^/[\x21-\x7e]*$", description="Path the probes call."
    )
    metrics: bool = Field(True, description="Prometheus scrapes the port (a PodMonitor); false for none.")
    metrics_path: str = Field(
        conventions.K8S_METRICS_PATH, pattern=r"^/[\x21-\x7e]*$", description="Path of the metrics."
    )
    replicas: int = Field(
        conventions.K8S_REPLICAS,
        ge=1,
        le=MAX_REPLICAS,
        description="Pods at creation; more than one adds a disruption budget.",
    )
    resources: ResourcesConfig = Field(default_factory=ResourcesConfig, description="CPU and memory.")
    autoscaling: WorkerAutoscalingConfig = Field(
        default_factory=WorkerAutoscalingConfig, description="Scaling on the queue."
    )
    egress_to: list[EgressConfig] = Field(
        default_factory=list,
        description="Where the worker may connect beyond cluster DNS (its queue); nowhere when empty.",
    )
    namespace: DnsLabel | None = Field(None, description="Namespace to run in; the worker's name when unset.")
    create_namespace: bool = Field(True, description="Create the namespace; false to use an existing one.")
    prometheus_namespace: DnsLabel = Field(
        conventions.K8S_PROMETHEUS_NAMESPACE,
        description="Namespace of the Prometheus that scrapes the worker.",
    )
    prometheus_labels: LabelMap = Field(
        default_factory=dict, description="Labels the Prometheus Operator selects PodMonitors and rules by."
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
    aws_role_arn: str | None = Field(
        None,
        pattern=conventions.IAM_ROLE_ARN_PATTERN,
        description="IAM role the pods assume on EKS through their service account (IRSA); none when unset "
        "(EKS Pod Identity needs no annotation).",
    )
    alerts: WorkerAlertsConfig = Field(default_factory=WorkerAlertsConfig, description="Alert thresholds.")

    @field_validator("autoscaling")
    @classmethod
    def _bounds_hold_replicas(
        cls, value: WorkerAutoscalingConfig, info: ValidationInfo
    ) -> WorkerAutoscalingConfig:
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

    @field_validator("secrets")
    @classmethod
    def _secrets_hold_the_queue_url(cls, value: list[str], info: ValidationInfo) -> list[str]:
        queue = info.data.get("queue")
        if queue is not None and queue.host_secret and queue.host_secret not in value:
            raise ValueError(
                f"must include queue.hostSecret {queue.host_secret!r}: KEDA reads the AMQP URL from the "
                "worker's Secret"
            )
        return value

    def autoscaling_args(self) -> Autoscaling | None:
        if not self.autoscaling.enabled:
            return None
        low, high = self.autoscaling.bounds(self.replicas)
        metric = self.autoscaling.external_metric
        return Autoscaling(
            min_replicas=low,
            max_replicas=high,
            driver=self.autoscaling.driver,
            external_metric=ExternalMetric(
                name=metric.name,
                selector=dict(metric.selector),
                average_value=self.autoscaling.messages_per_replica,
            )
            if metric is not None
            else None,
        )


def component_labels(name: str, config: K8sWorkerConfig, component: str) -> dict[str, str]:
    """The standard labels of one component's objects, plus the cost center."""
    standard = conventions.standard_labels(
        team=config.team,
        service=name,
        environment=config.environment,
        blueprint=BLUEPRINT,
        component=component,
    )
    return {**standard, conventions.LABEL_COST_CENTER: config.cost_center}


def secret_name(name: str, config: K8sWorkerConfig) -> str | None:
    return conventions.physical_name(name, "secrets", kind="k8s") if config.secrets else None


def workload_args(name: str, config: K8sWorkerConfig) -> WorkloadArgs:
    # Nothing calls a worker: only Prometheus reaches its port, and only when it scrapes it.
    sources = [IngressSource(namespace=config.prometheus_namespace)] if config.metrics else []
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
        ingress_from=sources,
        egress_to=[EgressDestination(**d.model_dump()) for d in config.egress_to],
        expose=False,
        service_account_annotations=(
            {conventions.K8S_IRSA_ROLE_ANNOTATION: config.aws_role_arn} if config.aws_role_arn else {}
        ),
        secret_name=secret_name(name, config),
        env=dict(config.environment_variables),
    )


def queue_scaling_args(name: str, config: K8sWorkerConfig) -> QueueScalingArgs | None:
    """The KEDA ScaledObject's inputs, or None when KEDA does not scale the worker."""
    if not config.autoscaling.enabled or config.autoscaling.driver != "keda":
        return None
    low, high = config.autoscaling.bounds(config.replicas)
    return QueueScalingArgs(
        service=name,
        namespace=config.namespace or name,
        labels=component_labels(name, config, "scaling"),
        queue=Queue(**config.queue.model_dump()),
        min_replicas=low,
        max_replicas=high,
        messages_per_replica=config.autoscaling.messages_per_replica,
        secret_name=secret_name(name, config),
    )


class K8sWorker(pulumi.ComponentResource):
    """A production-ready queue worker on Kubernetes: workload, queue scaling, isolation, secrets, alerts."""

    namespace: pulumi.Output[str]
    deployment_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: K8sWorkerConfig | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        dns_label(name, "K8sWorker name")
        config = args if args is not None else load_config(K8sWorkerConfig)
        # Built before anything is registered: a value a component refuses fails here, not halfway.
        workload_inputs = workload_args(name, config)
        scaling_inputs = queue_scaling_args(name, config)
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
        if scaling_inputs is not None:
            QueueScaling(
                name,
                scaling_inputs.model_copy(update={"namespace": workload.namespace}),
                child,
            )
        alerts = config.alerts
        Monitoring(
            name,
            MonitoringArgs(
                service=name,
                namespace=workload.namespace,
                labels=component_labels(name, config, "monitoring"),
                metrics_path=config.metrics_path,
                thresholds=AlertThresholds(
                    restarts=alerts.restarts, unavailable_replicas=alerts.unavailable_replicas
                ),
                prometheus_labels=dict(config.prometheus_labels),
                scrape="pods" if config.metrics else None,
                worker=WorkerAlerts(
                    backlog_metric=alerts.backlog_metric,
                    backlog_selector=dict(alerts.backlog_selector),
                    backlog=alerts.backlog,
                ),
            ),
            child,
        )

        self.namespace = workload.namespace
        self.deployment_name = workload.deployment_name
        self.register_outputs({"namespace": self.namespace, "deploymentName": self.deployment_name})
