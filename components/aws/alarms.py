"""Alarms: the alarms a caller describes, an encrypted topic they notify, and a dashboard of them.

The topic, its key and its subscriptions are those of
:class:`~goldenpath.components.aws.monitoring.Monitoring`; the alarms are whatever the caller's
workload needs (queue depth and age for a worker, failed invocations for a scheduled job).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator

from goldenpath import conventions
from goldenpath.components.aws.logging import SERVICE_PATTERN
from goldenpath.components.aws.monitoring import (
    AlarmSpec,
    Subscription,
    alarm_topic,
    dashboard_body,
    metric_alarm,
)
from goldenpath.conventions import Environment
from goldenpath.models import ComponentArgs

__all__ = ["Alarms", "AlarmsArgs"]


class AlarmsArgs(ComponentArgs):
    """Inputs of :class:`Alarms`."""

    service: str = Field(pattern=SERVICE_PATTERN, description="Service name; part of alarm and topic names.")
    environment: Environment = Field(description="Deployment environment.")
    alarms: list[AlarmSpec] = Field(min_length=1, description="The alarms, in dashboard order.")
    subscriptions: list[Subscription] = Field(default_factory=list, description="Who is notified of alarms.")
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")

    @field_validator("alarms")
    @classmethod
    def _unique_keys(cls, value: list[AlarmSpec]) -> list[AlarmSpec]:
        keys = [spec.key for spec in value]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"alarm keys must be unique; repeated: {', '.join(repeated)}")
        return value


class Alarms(pulumi.ComponentResource):
    """CloudWatch alarms to a KMS-encrypted, TLS-only SNS topic, and a dashboard of their metrics."""

    topic_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    alarm_names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Alarms", name, None, opts)
        invoke = pulumi.InvokeOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region
        partition = aws.get_partition_output(opts=invoke).partition

        key, topic = alarm_topic(
            name,
            service=args.service,
            environment=args.environment,
            subscriptions=args.subscriptions,
            tags=args.tags,
            parent=self,
            account_id=account_id,
            region=region,
            partition=partition,
        )
        alarms = [
            metric_alarm(
                f"{name}-{spec.key}",
                spec,
                service=args.service,
                environment=args.environment,
                topic_arn=topic.arn,
                tags=args.tags,
                parent=self,
            )
            for spec in args.alarms
        ]
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=conventions.physical_name(args.service, args.environment, kind="dashboard"),
            dashboard_body=pulumi.Output.json_dumps(dashboard_body(list(args.alarms), region)),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.topic_arn = topic.arn
        self.kms_key_arn = key.arn
        self.dashboard_name = dashboard.dashboard_name
        self.alarm_names = pulumi.Output.all(*[alarm.name for alarm in alarms])
        self.register_outputs(
            {
                "topic_arn": self.topic_arn,
                "kms_key_arn": self.kms_key_arn,
                "dashboard_name": self.dashboard_name,
                "alarm_names": self.alarm_names,
            }
        )
