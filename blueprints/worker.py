"""The AWS queue-worker paved path: a Fargate service consuming its own SQS queue, with no load balancer.

A product team's whole stack::

    import pulumi
    from goldenpath.blueprints import Worker

    worker = Worker("orders-worker")
    pulumi.export("queueUrl", worker.queue_url)

Every knob lives in ``Pulumi.<env>.yaml`` under the project's namespace and is validated by
:class:`WorkerConfig` before a single resource is registered.
"""

from __future__ import annotations

import pulumi
from pydantic import Field, ValidationInfo, field_validator

from goldenpath import conventions
from goldenpath.blueprints._fargate import (
    TaskNames,
    _env_var,
    build_foundation,
    require_secret_config,
    subscriptions,
)
from goldenpath.blueprints._task_config import TaskConfig
from goldenpath.components.aws.alarms import Alarms, AlarmsArgs
from goldenpath.components.aws.monitoring import ECS_NAMESPACE, AlarmSpec
from goldenpath.components.aws.queue import Queue, QueueArgs
from goldenpath.components.aws.queue_worker import QueueWorker, QueueWorkerArgs
from goldenpath.components.aws.task import Task, TaskArgs
from goldenpath.config import ConfigModel, load_config

BLUEPRINT = "Worker"
TYPE_TOKEN = "goldenpath:blueprints:Worker"
SQS_NAMESPACE = "AWS/SQS"
QUEUE_PURPOSE = "jobs"
# The container finds its queue here.
QUEUE_URL_VARIABLE = "QUEUE_URL"


class WorkerAlarmConfig(ConfigModel):
    """Alarm thresholds; a message in the dead-letter queue always alarms."""

    queue_age_seconds: int = Field(
        conventions.ALARM_QUEUE_AGE_SECONDS,
        ge=60,
        le=conventions.SQS_MAX_RETENTION_SECONDS,
        description="Age of the oldest message in the queue before alarming (the workers fall behind).",
    )
    dead_letter_age_seconds: int = Field(
        conventions.ALARM_DEAD_LETTER_AGE_SECONDS,
        ge=60,
        le=conventions.SQS_MAX_RETENTION_SECONDS,
        description="Age of the oldest dead-lettered message before alarming again (nobody handled it).",
    )
    cpu_percent: int = Field(
        conventions.ALARM_CPU_PERCENT, ge=1, le=100, description="Service CPU utilisation before alarming."
    )
    memory_percent: int = Field(
        conventions.ALARM_MEMORY_PERCENT,
        ge=1,
        le=100,
        description="Service memory utilisation before alarming.",
    )


class WorkerConfig(TaskConfig):
    """The knobs of a Worker, read from the stack config (camelCase keys)."""

    min_count: int = Field(1, ge=1, le=100, description="Fewest tasks autoscaling may leave.")
    max_count: int = Field(4, ge=1, le=100, description="Most tasks autoscaling may start.")
    backlog_per_task: int = Field(
        conventions.WORKER_BACKLOG_PER_TASK,
        ge=1,
        le=100_000,
        description="Visible messages per running task autoscaling aims for.",
    )
    visibility_timeout_seconds: int = Field(
        conventions.SQS_VISIBILITY_TIMEOUT_SECONDS,
        ge=0,
        le=43_200,
        description="How long a received message stays hidden; longer than handling one takes.",
    )
    max_receive_count: int = Field(
        conventions.SQS_MAX_RECEIVE_COUNT,
        ge=1,
        le=1000,
        description="Receives without a delete before a message moves to the dead-letter queue.",
    )
    message_retention_seconds: int = Field(
        conventions.SQS_MESSAGE_RETENTION_SECONDS,
        ge=60,
        le=conventions.SQS_MAX_RETENTION_SECONDS,
        description="How long the queue keeps a message (the dead-letter queue keeps them 14 days).",
    )
    alarms: WorkerAlarmConfig = Field(default_factory=WorkerAlarmConfig, description="Alarm thresholds.")

    @field_validator("environment_variables")
    @classmethod
    def _queue_url_is_set_by_the_blueprint(
        cls, value: dict[str, str], info: ValidationInfo
    ) -> dict[str, str]:
        from_secrets = [n for n in info.data.get("secrets") or [] if _env_var(n) == QUEUE_URL_VARIABLE]
        if QUEUE_URL_VARIABLE in value or from_secrets:
            raise ValueError(
                f"{QUEUE_URL_VARIABLE} is set by the blueprint to the worker's queue URL; "
                "name your variable (or secret) otherwise"
            )
        return value

    @field_validator("max_count")
    @classmethod
    def _ordered_counts(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min_count")
        if low is not None and low > value:
            raise ValueError(f"counts must satisfy minCount ≤ maxCount (given {low}, {value})")
        return value


def worker_alarms(
    config: WorkerConfig,
    *,
    queue_name: pulumi.Input[str],
    dead_letter_name: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
) -> list[AlarmSpec]:
    """The alarms every worker gets, in dashboard order."""
    limits = config.alarms
    ecs = {"ClusterName": cluster_name, "ServiceName": service_name}
    return [
        AlarmSpec(
            "dlq-depth", "Dead-lettered messages", SQS_NAMESPACE, "ApproximateNumberOfMessagesVisible",
            {"QueueName": dead_letter_name}, 1, statistic="Maximum", evaluation_periods=1,
            treat_missing_data="notBreaching",
        ),
        AlarmSpec(
            "dlq-age", "Oldest dead-lettered message age (s)", SQS_NAMESPACE, "ApproximateAgeOfOldestMessage",
            {"QueueName": dead_letter_name}, limits.dead_letter_age_seconds, statistic="Maximum",
            evaluation_periods=1, treat_missing_data="notBreaching",
        ),
        AlarmSpec(
            "queue-age", "Oldest queued message age (s)", SQS_NAMESPACE, "ApproximateAgeOfOldestMessage",
            {"QueueName": queue_name}, limits.queue_age_seconds, statistic="Maximum",
        ),
        AlarmSpec(
            "cpu", "ECS CPU utilization", ECS_NAMESPACE, "CPUUtilization", ecs, limits.cpu_percent,
            statistic="Average",
        ),
        AlarmSpec(
            "memory", "ECS memory utilization", ECS_NAMESPACE, "MemoryUtilization", ecs, limits.memory_percent,
            statistic="Average",
        ),
    ]  # fmt: skip


class Worker(pulumi.ComponentResource):
    """A queue worker on ECS Fargate: its queue and dead-letter queue, CI access, logs, secrets and alarms."""

    queue_url: pulumi.Output[str]
    queue_arn: pulumi.Output[str]
    dead_letter_queue_url: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    secret_arns: dict[str, pulumi.Output[str]]
    deploy_role_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    repository_url: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        config: WorkerConfig | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if config is None:
            namespace = pulumi.get_project()
            config = load_config(WorkerConfig, namespace)
            require_secret_config(namespace, config)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.config = config
        env = config.environment
        tags = conventions.standard_tags(
            team=config.team,
            service=name,
            environment=env,
            cost_center=config.cost_center,
            blueprint=BLUEPRINT,
        )
        child = pulumi.ResourceOptions(parent=self)
        names = TaskNames.of(name, config)
        service_name = names.family

        foundation = build_foundation(
            name, config, names=names, ecs_service_name=service_name, tags=tags, parent=self
        )
        queue = Queue(
            f"{name}-queue",
            QueueArgs(
                service=name,
                environment=env,
                purpose=QUEUE_PURPOSE,
                max_receive_count=config.max_receive_count,
                visibility_timeout_seconds=config.visibility_timeout_seconds,
                message_retention_seconds=config.message_retention_seconds,
                tags=tags,
            ),
            child,
        )
        assert queue.queue_name is not None and queue.consume_policy_arn is not None
        assert queue.queue_url is not None and queue.queue_arn is not None
        assert queue.queue_address is not None
        task = Task(
            f"{name}-task",
            TaskArgs(
                service=name,
                environment=env,
                vpc_id=foundation.vpc_id,
                image=foundation.image,
                command=list(config.command),
                cpu=config.cpu,
                memory=config.memory,
                log_group_name=foundation.logging.log_group_name,
                secrets=foundation.secret_variables,
                secrets_policy_arn=foundation.secrets.read_policy_arn,
                task_policy_arns={"consume": queue.consume_policy_arn},
                environment_variables={
                    **config.environment_variables,
                    QUEUE_URL_VARIABLE: queue.queue_address,
                },
                cluster_arn=config.cluster_arn,
                cluster_name=names.cluster,
                task_definition_family=names.family,
                task_role_name=names.task_role,
                execution_role_name=names.execution_role,
                tags=tags,
            ),
            child,
        )
        worker = QueueWorker(
            f"{name}-worker",
            QueueWorkerArgs(
                service=name,
                environment=env,
                cluster_arn=task.cluster_arn,
                cluster_name=task.cluster_name,
                service_name=service_name,
                task_definition_arn=task.task_definition_arn,
                private_subnet_ids=foundation.private_subnet_ids,
                security_group_id=task.security_group_id,
                queue_name=queue.queue_name,
                min_count=config.min_count,
                max_count=config.max_count,
                backlog_per_task=config.backlog_per_task,
                depends_on=[task],
                tags=tags,
            ),
            child,
        )
        alarms = Alarms(
            f"{name}-alarms",
            AlarmsArgs(
                service=name,
                environment=env,
                alarms=worker_alarms(
                    config,
                    queue_name=queue.queue_name,
                    dead_letter_name=queue.dead_letter_name,
                    cluster_name=task.cluster_name,
                    service_name=worker.service_name,
                ),
                subscriptions=subscriptions(config),
                tags=tags,
            ),
            child,
        )

        self.queue_url = queue.queue_url
        self.queue_arn = queue.queue_arn
        self.dead_letter_queue_url = queue.dead_letter_url
        self.log_group_name = foundation.logging.log_group_name
        self.secret_arns = foundation.secrets.secret_arns
        self.deploy_role_arn = foundation.ci.deploy_role_arn
        self.dashboard_name = alarms.dashboard_name
        self.repository_url = foundation.ci.repository_url
        self.register_outputs(
            {
                "queueUrl": self.queue_url,
                "queueArn": self.queue_arn,
                "deadLetterQueueUrl": self.dead_letter_queue_url,
                "logGroupName": self.log_group_name,
                "secretArns": self.secret_arns,
                "deployRoleArn": self.deploy_role_arn,
                "dashboardName": self.dashboard_name,
                "repositoryUrl": self.repository_url,
            }
        )
