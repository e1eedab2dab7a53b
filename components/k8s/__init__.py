"""Kubernetes components: a hardened workload or scheduled job, its queue scaling, monitoring and secrets."""

from goldenpath.components.k8s.monitoring import (
    AlertThresholds,
    JobAlerts,
    Monitoring,
    MonitoringArgs,
    WorkerAlerts,
)
from goldenpath.components.k8s.queue_scaling import Queue, QueueScaling, QueueScalingArgs
from goldenpath.components.k8s.scheduled_job import ScheduledJob, ScheduledJobArgs
from goldenpath.components.k8s.secrets import Secrets, SecretsArgs
from goldenpath.components.k8s.workload import (
    Autoscaling,
    EgressDestination,
    ExternalMetric,
    IngressSource,
    ResourceQuantities,
    Workload,
    WorkloadArgs,
)

__all__ = [
    "AlertThresholds",
    "Autoscaling",
    "EgressDestination",
    "ExternalMetric",
    "IngressSource",
    "JobAlerts",
    "Monitoring",
    "MonitoringArgs",
    "Queue",
    "QueueScaling",
    "QueueScalingArgs",
    "ResourceQuantities",
    "ScheduledJob",
    "ScheduledJobArgs",
    "Secrets",
    "SecretsArgs",
    "WorkerAlerts",
    "Workload",
    "WorkloadArgs",
]
