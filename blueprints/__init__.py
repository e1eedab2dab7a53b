"""Paved paths: a team's whole stack is one blueprint."""

from goldenpath.blueprints.bootstrap import Bootstrap, BootstrapConfig
from goldenpath.blueprints.k8s_service import K8sService, K8sServiceConfig
from goldenpath.blueprints.scheduled_job import ScheduledJob, ScheduledJobConfig
from goldenpath.blueprints.web_service import WebService, WebServiceConfig
from goldenpath.blueprints.worker import Worker, WorkerConfig

__all__ = [
    "Bootstrap",
    "BootstrapConfig",
    "K8sService",
    "K8sServiceConfig",
    "ScheduledJob",
    "ScheduledJobConfig",
    "WebService",
    "WebServiceConfig",
    "Worker",
    "WorkerConfig",
]
