"""Paved paths: a team's whole stack is one blueprint."""

from goldenpath.blueprints.bootstrap import Bootstrap, BootstrapConfig
from goldenpath.blueprints.k8s_scheduled_job import K8sScheduledJob, K8sScheduledJobConfig
from goldenpath.blueprints.k8s_service import K8sService, K8sServiceConfig
from goldenpath.blueprints.k8s_worker import K8sWorker, K8sWorkerConfig
from goldenpath.blueprints.scheduled_job import ScheduledJob, ScheduledJobConfig
from goldenpath.blueprints.service import Service, ServiceConfig, ServiceSpec
from goldenpath.blueprints.web_service import WebService, WebServiceConfig
from goldenpath.blueprints.worker import Worker, WorkerConfig

__all__ = [
    "Bootstrap",
    "BootstrapConfig",
    "K8sScheduledJob",
    "K8sScheduledJobConfig",
    "K8sService",
    "K8sServiceConfig",
    "K8sWorker",
    "K8sWorkerConfig",
    "ScheduledJob",
    "ScheduledJobConfig",
    "Service",
    "ServiceConfig",
    "ServiceSpec",
    "WebService",
    "WebServiceConfig",
    "Worker",
    "WorkerConfig",
]
