"""Kubernetes components: a hardened workload, its monitoring and its secrets."""

from goldenpath.components.k8s.monitoring import AlertThresholds, Monitoring, MonitoringArgs
from goldenpath.components.k8s.secrets import Secrets, SecretsArgs
from goldenpath.components.k8s.workload import (
    Autoscaling,
    IngressSource,
    ResourceQuantities,
    Workload,
    WorkloadArgs,
)

__all__ = [
    "AlertThresholds",
    "Autoscaling",
    "IngressSource",
    "Monitoring",
    "MonitoringArgs",
    "ResourceQuantities",
    "Secrets",
    "SecretsArgs",
    "Workload",
    "WorkloadArgs",
]
