"""AWS components: one ComponentResource and its Args per module."""

from goldenpath.components.aws.ci import Ci, CiArgs
from goldenpath.components.aws.logging import Logging, LoggingArgs
from goldenpath.components.aws.monitoring import AlarmThresholds, Monitoring, MonitoringArgs, Subscription
from goldenpath.components.aws.network import Network, NetworkArgs
from goldenpath.components.aws.secrets import Secrets, SecretsArgs
from goldenpath.components.aws.service import Service, ServiceArgs

__all__ = [
    "AlarmThresholds",
    "Ci",
    "CiArgs",
    "Logging",
    "LoggingArgs",
    "Monitoring",
    "MonitoringArgs",
    "Network",
    "NetworkArgs",
    "Secrets",
    "SecretsArgs",
    "Service",
    "ServiceArgs",
    "Subscription",
]
