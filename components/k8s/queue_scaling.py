"""QueueScaling: a KEDA ``ScaledObject`` that scales a worker's Deployment on the depth of its queue,
with the ``TriggerAuthentication`` its trigger reads credentials through.

Both are ``keda.sh/v1alpha1`` custom resources; the cluster needs KEDA 2.13 or later (the ``aws``
pod identity provider). KEDA creates and owns the HorizontalPodAutoscaler: the Deployment's replica
count is then KEDA's, so the :class:`~goldenpath.components.k8s.workload.Workload` is given
``Autoscaling(driver="keda")`` and creates no autoscaler of its own.

Three queues are supported, each with the credentials that need no secret in the program:

* ``aws-sqs-queue``: the queue's URL and region; AWS credentials by pod identity (EKS Pod Identity
  or IRSA) of the KEDA operator or of the worker's own service account.
* ``rabbitmq``: the queue's name; the AMQP URL (which holds the password) is read from a key of the
  worker's External Secrets Secret.
* ``kafka``: bootstrap servers, topic and consumer group; the consumer group's lag is the depth.
"""

from __future__ import annotations

from typing import Literal

import pulumi
import pulumi_kubernetes as k8s
from pydantic import BaseModel, Field, model_validator

from goldenpath import conventions
from goldenpath.components.k8s.workload import DnsLabel, StandardLabels
from goldenpath.models import ComponentArgs, StrInput

TYPE_TOKEN = "goldenpath:k8s:QueueScaling"
API_VERSION = "keda.sh/v1alpha1"
QUEUE_TYPES = ("aws-sqs-queue", "rabbitmq", "kafka")


class QueueFields(BaseModel):
    """The queue a worker consumes, as the KEDA trigger of its type reads it."""

    type: Literal["aws-sqs-queue", "rabbitmq", "kafka"] = Field(description="The KEDA scaler.")
    url: str | None = Field(
        default=None,
        pattern=r"^https://sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[0-9]{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?$",
        description="aws-sqs-queue: the queue URL, https://sqs.<region>.amazonaws.com/<account>/<name>.",
    )
    region: str | None = Field(
        default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$", description="aws-sqs-queue: the queue's region."
    )
    identity_owner: Literal["keda", "workload"] = Field(
        default="keda",
        description="aws-sqs-queue: whose pod identity reads the queue's depth — KEDA's operator or the "
        "worker's service account.",
    )
    name: str | None = Field(
        default=None, pattern=r"^[\x21-\x7e]{1,255}$", description="rabbitmq: the queue's name."
    )
    host_secret: str | None = Field(
        default=None,
        description="rabbitmq: the key of the worker's Secret holding the AMQP URL (amqp[s]://user:password@host/vhost).",
    )
    bootstrap_servers: list[str] = Field(default_factory=list, description="kafka: brokers as host:port.")
    topic: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9._-]{1,249}$", description="kafka: the topic."
    )
    consumer_group: str | None = Field(
        default=None, pattern=r"^[\x21-\x7e]{1,255}$", description="kafka: the worker's consumer group."
    )

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> QueueFields:
        needed = {
            "aws-sqs-queue": ("url", "region"),
            "rabbitmq": ("name", "host_secret"),
            "kafka": ("bootstrap_servers", "topic", "consumer_group"),
        }
        alias = {
            "host_secret": "hostSecret",
            "bootstrap_servers": "bootstrapServers",
            "consumer_group": "consumerGroup",
        }
        missing = [alias.get(f, f) for f in needed[self.type] if not getattr(self, f)]
        if missing:
            raise ValueError(f"type {self.type} needs {', '.join(missing)}")
        foreign = [
            alias.get(f, f)
            for kind, fields in needed.items()
            if kind != self.type
            for f in fields
            if getattr(self, f)
        ]
        if foreign:
            raise ValueError(f"{', '.join(foreign)} do not apply to type {self.type}")
        if self.type == "aws-sqs-queue" and f"sqs.{self.region}." not in (self.url or ""):
            raise ValueError(f"url {self.url!r} is not a queue of region {self.region!r}")
        bad = [s for s in self.bootstrap_servers if not _is_host_port(s)]
        if bad:
            raise ValueError(f"bootstrap servers {bad} must be host:port")
        return self


class Queue(QueueFields, ComponentArgs):
    """The queue a worker consumes, as the KEDA trigger of its type reads it."""


def _is_host_port(server: str) -> bool:
    host, _, port = server.rpartition(":")
    return bool(host) and " " not in host and port.isdigit() and 1 <= int(port) <= 65535


class QueueScalingArgs(ComponentArgs):
    """Inputs of :class:`QueueScaling`."""

    service: DnsLabel = Field(description="Name of the Deployment to scale, and of both objects.")
    namespace: StrInput = Field(description="Namespace of the Deployment.")
    labels: StandardLabels = Field(description="Standard labels (conventions.standard_labels).")
    queue: Queue
    min_replicas: int = Field(ge=0, le=100, description="Fewest pods; 0 lets KEDA scale the worker to zero.")
    max_replicas: int = Field(ge=1, le=100, description="Most pods.")
    messages_per_replica: int = Field(ge=1, description="Queue depth (or lag) each pod is meant to work off.")
    secret_name: DnsLabel | None = Field(
        default=None, description="The worker's Secret; rabbitmq reads its host_secret key from it."
    )
    polling_interval_seconds: int = Field(default=conventions.K8S_KEDA_POLLING_SECONDS, ge=5, le=3600)
    cooldown_period_seconds: int = Field(default=conventions.K8S_KEDA_COOLDOWN_SECONDS, ge=30, le=86400)

    @model_validator(mode="after")
    def _consistent(self) -> QueueScalingArgs:
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"min_replicas ({self.min_replicas}) must not exceed max_replicas ({self.max_replicas})"
            )
        if self.queue.type == "rabbitmq" and self.secret_name is None:
            raise ValueError(
                "a rabbitmq queue reads its URL from the worker's Secret: secret_name is required"
            )
        return self


def trigger_metadata(args: QueueScalingArgs) -> dict[str, str]:
    """The trigger's ``metadata``: KEDA takes every value as text."""
    queue, target = args.queue, str(args.messages_per_replica)
    if queue.type == "aws-sqs-queue":
        return {"queueURL": queue.url, "queueLength": target, "awsRegion": queue.region}
    if queue.type == "rabbitmq":
        return {"protocol": "amqp", "queueName": queue.name, "mode": "QueueLength", "value": target}
    return {
        "bootstrapServers": ",".join(queue.bootstrap_servers),
        "topic": queue.topic,
        "consumerGroup": queue.consumer_group,
        "lagThreshold": target,
    }


def trigger_authentication_spec(args: QueueScalingArgs) -> dict | None:
    """How the trigger authenticates, or None when it needs nothing (kafka without SASL)."""
    queue = args.queue
    if queue.type == "aws-sqs-queue":
        return {"podIdentity": {"provider": "aws", "identityOwner": queue.identity_owner}}
    if queue.type == "rabbitmq":
        return {
            "secretTargetRef": [{"parameter": "host", "name": args.secret_name, "key": queue.host_secret}]
        }
    return None


def scaled_object_spec(args: QueueScalingArgs, authentication: str | None) -> dict:
    trigger: dict = {"type": args.queue.type, "metadata": trigger_metadata(args)}
    if authentication is not None:
        trigger["authenticationRef"] = {"name": authentication}
    return {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": args.service},
        "minReplicaCount": args.min_replicas,
        "maxReplicaCount": args.max_replicas,
        "pollingInterval": args.polling_interval_seconds,
        "cooldownPeriod": args.cooldown_period_seconds,
        "advanced": {
            "horizontalPodAutoscalerConfig": {
                "behavior": {
                    "scaleDown": {
                        "stabilizationWindowSeconds": conventions.K8S_HPA_SCALE_DOWN_STABILIZATION_SECONDS
                    }
                }
            }
        },
        "triggers": [trigger],
    }


class QueueScaling(pulumi.ComponentResource):
    """KEDA scaling of one Deployment on its queue."""

    scaled_object_name: pulumi.Output[str]

    def __init__(self, name: str, args: QueueScalingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        metadata = k8s.meta.v1.ObjectMetaArgs(
            name=args.service, namespace=args.namespace, labels=dict(args.labels)
        )
        authentication_spec = trigger_authentication_spec(args)
        authentication = None
        if authentication_spec is not None:
            k8s.apiextensions.CustomResource(
                f"{name}-trigger-authentication",
                api_version=API_VERSION,
                kind="TriggerAuthentication",
                metadata=metadata,
                spec=authentication_spec,
                opts=child,
            )
            authentication = args.service
        scaled_object = k8s.apiextensions.CustomResource(
            f"{name}-scaled-object",
            api_version=API_VERSION,
            kind="ScaledObject",
            metadata=metadata,
            spec=scaled_object_spec(args, authentication),
            opts=child,
        )
        self.scaled_object_name = scaled_object.metadata.apply(lambda m: m["name"])
        self.register_outputs({"scaledObjectName": self.scaled_object_name})
