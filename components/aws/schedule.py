"""Schedule: an EventBridge Scheduler schedule that runs a Fargate task, retries it, and dead-letters it.

The schedule lives in a schedule group of its own, so that the Scheduler metrics of that group
(``TargetErrorCount``, ``InvocationDroppedCount``, …) are this job's alone. Its execution role may
run exactly this task definition family on exactly this cluster, pass exactly the task's two roles
to ECS, and send failed invocations to exactly its dead-letter queue. An EventBridge rule matches
this job's tasks that stop with a non-zero exit code, which an alarm counts.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from functools import cache
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator

from goldenpath import conventions
from goldenpath.components.aws.service import ECS_TASKS_SERVICE
from goldenpath.models import ComponentArgs, StrInput, StrListInput

__all__ = [
    "SCHEDULER_SERVICE",
    "Schedule",
    "ScheduleArgs",
    "check_schedule_expression",
    "check_timezone",
    "scheduler_permissions",
    "task_failed_pattern",
]

SCHEDULER_SERVICE = "scheduler.amazonaws.com"
# What Scheduler accepts: a retry count of 0-185 and an event age of 1 minute to 24 hours.
MAX_RETRY_ATTEMPTS = 185
EVENT_AGE_RANGE_SECONDS = (60, 86_400)

_RATE = re.compile(r"^rate\((?P<value>[1-9][0-9]{0,8}) (?P<unit>minutes?|hours?|days?)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]+)\)$")
# The six fields of a Scheduler cron expression: minutes hours day-of-month month day-of-week year.
_CRON_FIELDS = (
    ("minutes", r"^[0-9,*/-]+$"),
    ("hours", r"^[0-9,*/-]+$"),
    ("day-of-month", r"^([0-9,*/?LW-]+)$"),
    ("month", r"^([0-9A-Za-z,*/-]+)$"),
    ("day-of-week", r"^([0-9A-Za-z,*/?L#-]+)$"),
    ("year", r"^[0-9,*/-]+$"),
)


def check_schedule_expression(value: str) -> str:
    """A recurring Scheduler expression: ``rate(<n> <unit>)`` or ``cron(<6 fields>)``."""
    rate = _RATE.match(value)
    if rate:
        singular = rate["value"] == "1"
        if singular == rate["unit"].endswith("s"):
            raise ValueError(
                "must use a singular unit for 1 and a plural one otherwise, e.g. rate(1 hour), rate(6 hours)"
            )
        return value
    cron = _CRON.match(value)
    if not cron:
        raise ValueError(
            "must be rate(<n> minute(s)|hour(s)|day(s)), e.g. rate(1 hour), or cron(<minutes> <hours> "
            "<day-of-month> <month> <day-of-week> <year>), e.g. cron(0 2 * * ? *)"
        )
    fields = cron["fields"].split()
    if len(fields) != len(_CRON_FIELDS):
        raise ValueError(
            f"a cron expression has 6 fields (minutes hours day-of-month month day-of-week year); "
            f"this one has {len(fields)}, e.g. cron(0 2 * * ? *)"
        )
    bad = [
        name
        for (name, pattern), field in zip(_CRON_FIELDS, fields, strict=True)
        if not re.match(pattern, field)
    ]
    if bad:
        raise ValueError(f"cron field(s) {', '.join(bad)} hold characters a cron expression cannot")
    if (fields[2] == "?") == (fields[4] == "?"):
        raise ValueError(
            "exactly one of day-of-month (3rd field) and day-of-week (5th field) must be '?', "
            "e.g. cron(0 2 * * ? *)"
        )
    return value


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_timezone(value: str) -> str:
    """An IANA time zone name, as Scheduler evaluates cron expressions in."""
    if value not in _timezones():
        raise ValueError("must be an IANA time zone name such as UTC, Europe/London or America/New_York")
    return value


class ScheduleArgs(ComponentArgs):
    """Inputs of :class:`Schedule`."""

    service: str = Field(description="Service name, as in the tags.")
    environment: str = Field(description="Environment name (dev, staging, prod).")
    schedule_expression: str = Field(description="rate(…) or cron(…), as Scheduler takes it.")
    timezone: str = Field(default="UTC", description="Time zone the cron expression is read in.")
    enabled: bool = Field(default=True, description="Whether the schedule runs.")
    cluster_arn: StrInput = Field(description="ECS cluster the task runs on.")
    cluster_name: StrInput = Field(description="Name of that cluster.")
    task_definition_arn: StrInput = Field(description="Task definition (with its revision) to run.")
    task_definition_family: str = Field(description="Family of that task definition.")
    task_role_arn: StrInput = Field(description="The task role, which the execution role may pass.")
    execution_role_arn: StrInput = Field(description="The task execution role, which it may pass too.")
    private_subnet_ids: StrListInput = Field(description="Subnets of the task; it gets no public IP.")
    security_group_id: StrInput = Field(description="Security group of the task.")
    dead_letter_arn: StrInput = Field(description="SQS queue that failed invocations go to.")
    dead_letter_key_arn: StrInput = Field(description="KMS key that queue is encrypted with.")
    max_retry_attempts: int = Field(
        default=conventions.SCHEDULE_MAX_RETRY_ATTEMPTS,
        ge=0,
        le=MAX_RETRY_ATTEMPTS,
        description="Retries of a failed invocation before it is dead-lettered.",
    )
    max_event_age_seconds: int = Field(
        default=conventions.SCHEDULE_MAX_EVENT_AGE_SECONDS,
        ge=EVENT_AGE_RANGE_SECONDS[0],
        le=EVENT_AGE_RANGE_SECONDS[1],
        description="How long Scheduler keeps retrying an invocation.",
    )
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")

    @field_validator("schedule_expression")
    @classmethod
    def _expression(cls, value: str) -> str:
        return check_schedule_expression(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)


def scheduler_trust_policy(*, account: pulumi.Input[str], group_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """Let EventBridge Scheduler assume the role for this account's schedule group, and for nothing else."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": SCHEDULER_SERVICE},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account},
                        "ArnEquals": {"aws:SourceArn": group_arn},
                    },
                }
            ],
        }
    )


def scheduler_permissions(
    *,
    partition: pulumi.Input[str],
    region: pulumi.Input[str],
    account: pulumi.Input[str],
    dns_suffix: pulumi.Input[str],
    cluster_arn: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    task_definition_family: str,
    task_role_arn: pulumi.Input[str],
    execution_role_arn: pulumi.Input[str],
    dead_letter_arn: pulumi.Input[str],
    dead_letter_key_arn: pulumi.Input[str],
) -> pulumi.Output[str]:
    """Run this family on this cluster, pass its two roles to ECS tasks, dead-letter to this queue."""

    def document(values: list[Any]) -> dict[str, Any]:
        p, r, a, suffix, cluster, cluster_name_, task_role, execution_role, queue, key = values
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "RunTheJobsTask",
                    "Effect": "Allow",
                    "Action": "ecs:RunTask",
                    "Resource": f"arn:{p}:ecs:{r}:{a}:task-definition/{task_definition_family}:*",
                    "Condition": {"ArnEquals": {"ecs:cluster": cluster}},
                },
                {
                    # The task is started with the task definition's tags (cost center and owner);
                    # tagging on RunTask needs TagResource, held to tasks of this cluster at creation.
                    "Sid": "TagTheTaskItStarts",
                    "Effect": "Allow",
                    "Action": "ecs:TagResource",
                    "Resource": f"arn:{p}:ecs:{r}:{a}:task/{cluster_name_}/*",
                    "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}},
                },
                {
                    "Sid": "PassTheTasksRolesToEcsTasks",
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": [task_role, execution_role],
                    "Condition": {"StringEquals": {"iam:PassedToService": ECS_TASKS_SERVICE}},
                },
                {
                    "Sid": "DeadLetterFailedInvocations",
                    "Effect": "Allow",
                    "Action": "sqs:SendMessage",
                    "Resource": queue,
                },
                {
                    "Sid": "EncryptDeadLettersThroughSqs",
                    "Effect": "Allow",
                    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                    "Resource": key,
                    "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{r}.{suffix}"}},
                },
            ],
        }

    return pulumi.Output.all(
        partition,
        region,
        account,
        dns_suffix,
        cluster_arn,
        cluster_name,
        task_role_arn,
        execution_role_arn,
        dead_letter_arn,
        dead_letter_key_arn,
    ).apply(lambda values: json.dumps(document(values)))


def task_failed_pattern(*, cluster_arn: pulumi.Input[str], group: str) -> pulumi.Output[str]:
    """ECS task state changes of this job's tasks that stopped with a container exiting non-zero."""
    return pulumi.Output.json_dumps(
        {
            "source": ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            "detail": {
                "clusterArn": [cluster_arn],
                "group": [group],
                "lastStatus": ["STOPPED"],
                "containers": {"exitCode": [{"anything-but": 0}]},
            },
        }
    )


class Schedule(pulumi.ComponentResource):
    """An EventBridge Scheduler schedule running a Fargate task, with retries, a DLQ and a failure rule."""

    schedule_name: pulumi.Output[str]
    schedule_group_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    task_failed_rule_name: pulumi.Output[str]

    def __init__(self, name: str, args: ScheduleArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Schedule", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke)
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id

        schedule_name = conventions.physical_name(args.service, args.environment, kind="schedule")
        group = aws.scheduler.ScheduleGroup(
            f"{name}-group",
            name=conventions.physical_name(args.service, args.environment, kind="schedule_group"),
            tags=args.tags,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-role",
            name=conventions.physical_name(args.service, args.environment, "scheduler", kind="iam_role"),
            description=f"EventBridge Scheduler runs the task of {args.service} ({args.environment})",
            assume_role_policy=scheduler_trust_policy(account=account, group_arn=group.arn),
            tags=args.tags,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            name="run-task",
            role=role.name,
            policy=scheduler_permissions(
                partition=partition.partition,
                region=region,
                account=account,
                dns_suffix=partition.dns_suffix,
                cluster_arn=args.cluster_arn,
                cluster_name=args.cluster_name,
                task_definition_family=args.task_definition_family,
                task_role_arn=args.task_role_arn,
                execution_role_arn=args.execution_role_arn,
                dead_letter_arn=args.dead_letter_arn,
                dead_letter_key_arn=args.dead_letter_key_arn,
            ),
            opts=child,
        )
        schedule = aws.scheduler.Schedule(
            f"{name}-schedule",
            name=schedule_name,
            group_name=group.name,
            description=f"Runs {args.service} ({args.environment}) on {args.schedule_expression}",
            schedule_expression=args.schedule_expression,
            schedule_expression_timezone=args.timezone,
            state="ENABLED" if args.enabled else "DISABLED",
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=args.cluster_arn,
                role_arn=role.arn,
                ecs_parameters=aws.scheduler.ScheduleTargetEcsParametersArgs(
                    task_definition_arn=args.task_definition_arn,
                    launch_type="FARGATE",
                    task_count=1,
                    # The failure rule below matches this job's tasks by this group.
                    group=schedule_name,
                    network_configuration=aws.scheduler.ScheduleTargetEcsParametersNetworkConfigurationArgs(
                        subnets=args.private_subnet_ids,
                        assign_public_ip=False,
                        security_groups=[args.security_group_id],
                    ),
                    enable_ecs_managed_tags=True,
                    propagate_tags="TASK_DEFINITION",
                    enable_execute_command=False,
                ),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=args.max_retry_attempts,
                    maximum_event_age_in_seconds=args.max_event_age_seconds,
                ),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=args.dead_letter_arn),
            ),
            # Scheduler checks at creation that it may assume the role; its first run needs the policy.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        rule = aws.cloudwatch.EventRule(
            f"{name}-task-failed",
            name=conventions.physical_name(args.service, args.environment, "task-failed", kind="event_rule"),
            description=f"Tasks of {args.service} ({args.environment}) that stopped with a non-zero exit code",
            event_pattern=task_failed_pattern(cluster_arn=args.cluster_arn, group=schedule_name),
            state="ENABLED",
            tags=args.tags,
            opts=child,
        )

        self.schedule_name = schedule.name
        self.schedule_group_name = group.name
        self.role_arn = role.arn
        self.task_failed_rule_name = rule.name
        self.register_outputs(
            {
                "schedule_name": self.schedule_name,
                "schedule_group_name": self.schedule_group_name,
                "role_arn": self.role_arn,
                "task_failed_rule_name": self.task_failed_rule_name,
            }
        )
