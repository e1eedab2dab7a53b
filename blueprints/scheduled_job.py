"""The AWS scheduled-job paved path: a Fargate task that EventBridge Scheduler runs on a cron or rate.

A product team's whole stack::

    import pulumi
    from goldenpath.blueprints import ScheduledJob

    job = ScheduledJob("nightly-report")
    pulumi.export("scheduleName", job.schedule_name)

Every knob lives in ``Pulumi.<env>.yaml`` under the project's namespace and is validated by
:class:`ScheduledJobConfig` before a single resource is registered.
"""

from __future__ import annotations

import pulumi
from pydantic import Field, field_validator

from goldenpath import conventions
from goldenpath.blueprints._fargate import (
    TaskNames,
    build_foundation,
    require_secret_config,
    subscriptions,
)
from goldenpath.blueprints._task_config import TaskConfig
from goldenpath.components.aws.alarms import Alarms, AlarmsArgs
from goldenpath.components.aws.monitoring import AlarmSpec
from goldenpath.components.aws.queue import Queue, QueueArgs
from goldenpath.components.aws.schedule import (
    EVENT_AGE_RANGE_SECONDS,
    MAX_RETRY_ATTEMPTS,
    Schedule,
    ScheduleArgs,
    check_schedule_expression,
    check_timezone,
)
from goldenpath.components.aws.task import Task, TaskArgs
from goldenpath.config import load_config

BLUEPRINT = "ScheduledJob"
TYPE_TOKEN = "goldenpath:blueprints:ScheduledJob"
SCHEDULER_NAMESPACE = "AWS/Scheduler"
SQS_NAMESPACE = "AWS/SQS"
EVENTS_NAMESPACE = "AWS/Events"
DEAD_LETTER_PURPOSE = "failed-invocations"


class ScheduledJobConfig(TaskConfig):
    """The knobs of a ScheduledJob, read from the stack config (camelCase keys)."""

    schedule: str = Field(
        description="When the job runs: rate(<n> minute(s)|hour(s)|day(s)) or cron(<minutes> <hours> "
        "<day-of-month> <month> <day-of-week> <year>), e.g. cron(0 2 * * ? *).",
        json_schema_extra={"pattern": r"^(rate|cron)\(.+\)$"},
    )
    timezone: str = Field("UTC", description="IANA time zone a cron schedule is read in, e.g. Europe/London.")
    enabled: bool = Field(True, description="Whether the schedule runs; false pauses it.")
    max_retry_attempts: int = Field(
        conventions.SCHEDULE_MAX_RETRY_ATTEMPTS,
        ge=0,
        le=MAX_RETRY_ATTEMPTS,
        description="Retries of an invocation Scheduler could not make before it is dead-lettered.",
    )
    max_event_age_seconds: int = Field(
        conventions.SCHEDULE_MAX_EVENT_AGE_SECONDS,
        ge=EVENT_AGE_RANGE_SECONDS[0],
        le=EVENT_AGE_RANGE_SECONDS[1],
        description="How long Scheduler keeps retrying an invocation before it is dead-lettered.",
    )

    @field_validator("schedule")
    @classmethod
    def _expression(cls, value: str) -> str:
        return check_schedule_expression(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)


def job_alarms(
    *, group_name: pulumi.Input[str], dead_letter_name: pulumi.Input[str], rule_name: pulumi.Input[str]
) -> list[AlarmSpec]:
    """Every failure of the job alarms at once: one period, one event."""
    group = {"ScheduleGroup": group_name}
    once = {"statistic": "Sum", "evaluation_periods": 1, "treat_missing_data": "notBreaching"}
    return [
        AlarmSpec("target-errors", "Invocations the task target refused", SCHEDULER_NAMESPACE,
                  "TargetErrorCount", group, 1, **once),
        AlarmSpec("dropped", "Invocations dropped after every retry", SCHEDULER_NAMESPACE,
                  "InvocationDroppedCount", group, 1, **once),
        AlarmSpec("dead-letter-failed", "Invocations not delivered to the dead-letter queue",
                  SCHEDULER_NAMESPACE, "InvocationsFailedToBeSentToDeadLetterCount", group, 1, **once),
        AlarmSpec("dlq-depth", "Dead-lettered invocations", SQS_NAMESPACE, "ApproximateNumberOfMessagesVisible",
                  {"QueueName": dead_letter_name}, 1, statistic="Maximum", evaluation_periods=1,
                  treat_missing_data="notBreaching"),
        AlarmSpec("task-failed", "Tasks that exited non-zero", EVENTS_NAMESPACE, "MatchedEvents",
                  {"RuleName": rule_name}, 1, **once),
    ]  # fmt: skip


class ScheduledJob(pulumi.ComponentResource):
    """A Fargate task on an EventBridge Scheduler schedule, with retries, a DLQ, CI access, logs and alarms."""

    schedule_name: pulumi.Output[str]
    dead_letter_queue_url: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    secret_arns: dict[str, pulumi.Output[str]]
    deploy_role_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    repository_url: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        config: ScheduledJobConfig | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if config is None:
            namespace = pulumi.get_project()
            config = load_config(ScheduledJobConfig, namespace)
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

        # No ECS service runs the task: the deploy role pushes images and rolls out no service.
        foundation = build_foundation(
            name, config, names=names, ecs_service_name=None, tags=tags, parent=self
        )
        dead_letters = Queue(
            f"{name}-dead-letters",
            QueueArgs(
                service=name, environment=env, purpose=DEAD_LETTER_PURPOSE, dead_letter_only=True, tags=tags
            ),
            child,
        )
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
                environment_variables=dict(config.environment_variables),
                cluster_arn=config.cluster_arn,
                cluster_name=names.cluster,
                task_definition_family=names.family,
                task_role_name=names.task_role,
                execution_role_name=names.execution_role,
                tags=tags,
            ),
            child,
        )
        schedule = Schedule(
            f"{name}-schedule",
            ScheduleArgs(
                service=name,
                environment=env,
                schedule_expression=config.schedule,
                timezone=config.timezone,
                enabled=config.enabled,
                cluster_arn=task.cluster_arn,
                cluster_name=task.cluster_name,
                task_definition_arn=task.task_definition_arn,
                task_definition_family=names.family,
                task_role_arn=task.task_role_arn,
                execution_role_arn=task.execution_role_arn,
                private_subnet_ids=foundation.private_subnet_ids,
                security_group_id=task.security_group_id,
                dead_letter_arn=dead_letters.dead_letter_arn,
                dead_letter_key_arn=dead_letters.kms_key_arn,
                max_retry_attempts=config.max_retry_attempts,
                max_event_age_seconds=config.max_event_age_seconds,
                tags=tags,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[task]),
        )
        alarms = Alarms(
            f"{name}-alarms",
            AlarmsArgs(
                service=name,
                environment=env,
                alarms=job_alarms(
                    group_name=schedule.schedule_group_name,
                    dead_letter_name=dead_letters.dead_letter_name,
                    rule_name=schedule.task_failed_rule_name,
                ),
                subscriptions=subscriptions(config),
                tags=tags,
            ),
            child,
        )

        self.schedule_name = schedule.schedule_name
        self.dead_letter_queue_url = dead_letters.dead_letter_url
        self.log_group_name = foundation.logging.log_group_name
        self.secret_arns = foundation.secrets.secret_arns
        self.deploy_role_arn = foundation.ci.deploy_role_arn
        self.dashboard_name = alarms.dashboard_name
        self.repository_url = foundation.ci.repository_url
        self.register_outputs(
            {
                "scheduleName": self.schedule_name,
                "deadLetterQueueUrl": self.dead_letter_queue_url,
                "logGroupName": self.log_group_name,
                "secretArns": self.secret_arns,
                "deployRoleArn": self.deploy_role_arn,
                "dashboardName": self.dashboard_name,
                "repositoryUrl": self.repository_url,
            }
        )
