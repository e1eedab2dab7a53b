"""AWS components: one ComponentResource and its Args per module."""

from goldenpath.components.aws.alarms import Alarms, AlarmsArgs
from goldenpath.components.aws.ci import Ci, CiArgs
from goldenpath.components.aws.logging import Logging, LoggingArgs
from goldenpath.components.aws.monitoring import AlarmThresholds, Monitoring, MonitoringArgs, Subscription
from goldenpath.components.aws.network import Network, NetworkArgs
from goldenpath.components.aws.queue import Queue, QueueArgs
from goldenpath.components.aws.queue_worker import QueueWorker, QueueWorkerArgs
from goldenpath.components.aws.schedule import Schedule, ScheduleArgs
from goldenpath.components.aws.secrets import Secrets, SecretsArgs
from goldenpath.components.aws.service import Service, ServiceArgs
from goldenpath.components.aws.task import Task, TaskArgs

__all__ = [
    "AlarmThresholds",
    "Alarms",
    "AlarmsArgs",
    "Ci",
    "CiArgs",
    "Logging",
    "LoggingArgs",
    "Monitoring",
    "MonitoringArgs",
    "Network",
    "NetworkArgs",
    "Queue",
    "QueueArgs",
    "QueueWorker",
    "QueueWorkerArgs",
    "Schedule",
    "ScheduleArgs",
    "Secrets",
    "SecretsArgs",
    "Service",
    "ServiceArgs",
    "Subscription",
    "Task",
    "TaskArgs",
]
