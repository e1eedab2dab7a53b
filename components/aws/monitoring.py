"""Monitoring: alarms on a service's load balancer and ECS tasks, an encrypted topic to notify, a dashboard."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator, model_validator

from goldenpath import conventions
from goldenpath.components.aws._kms import encryption_key, key_alias_name
from goldenpath.components.aws.logging import SERVICE_PATTERN
from goldenpath.conventions import Environment
from goldenpath.models import ComponentArgs, StrInput

ALB_NAMESPACE = "AWS/ApplicationELB"
ECS_NAMESPACE = "AWS/ECS"
COMPARISON = "GreaterThanOrEqualToThreshold"

# What a plain-string endpoint must look like for each protocol.
_ENDPOINT_FORMS: dict[str, tuple[str, str]] = {
    "email": (r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "an email address"),
    "https": (r"^https://\S+$", "an https:// URL"),
    "sqs": (r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:\S+$", "an SQS queue ARN"),
    "lambda": (r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:\S+$", "a Lambda function ARN"),
}


def check_subscription_protocol(protocol: str) -> str:
    """One of conventions.SNS_SUBSCRIPTION_PROTOCOLS."""
    if protocol not in conventions.SNS_SUBSCRIPTION_PROTOCOLS:
        raise ValueError(
            f"protocol {protocol!r} is not supported; use one of {', '.join(conventions.SNS_SUBSCRIPTION_PROTOCOLS)}"
        )
    return protocol


def check_subscription_endpoint(protocol: str, endpoint: str) -> str:
    """An endpoint of the form ``protocol`` delivers to (an email address for email, …)."""
    pattern, expected = _ENDPOINT_FORMS[protocol]
    if not re.fullmatch(pattern, endpoint):
        raise ValueError(f"endpoint {endpoint!r} does not fit protocol {protocol!r}: expected {expected}")
    return endpoint


class AlarmThresholds(ComponentArgs):
    """When each alarm fires: at or above the value, for conventions.ALARM_EVALUATION_PERIODS periods."""

    alb_5xx_count: int = Field(
        default=conventions.ALARM_ALB_5XX_COUNT,
        ge=1,
        description="5xx responses per period (targets or ALB).",
    )
    target_response_time_seconds: float = Field(
        default=conventions.ALARM_TARGET_RESPONSE_TIME_SECONDS,
        gt=0,
        description="Target response time (p99) in seconds.",
    )
    unhealthy_hosts: int = Field(
        default=conventions.ALARM_UNHEALTHY_HOSTS, ge=1, description="Unhealthy targets in the target group."
    )
    cpu_percent: int = Field(
        default=conventions.ALARM_CPU_PERCENT, ge=1, le=100, description="ECS service CPU utilization, %."
    )
    memory_percent: int = Field(
        default=conventions.ALARM_MEMORY_PERCENT,
        ge=1,
        le=100,
        description="ECS service memory utilization, %.",
    )


class Subscription(ComponentArgs):
    """One recipient of the alarm topic."""

    protocol: str = Field(description=f"One of {', '.join(conventions.SNS_SUBSCRIPTION_PROTOCOLS)}.")
    endpoint: StrInput = Field(
        description="Email address, https:// URL, SQS queue ARN or Lambda function ARN."
    )

    @field_validator("protocol")
    @classmethod
    def _protocol_supported(cls, value: str) -> str:
        return check_subscription_protocol(value)

    @model_validator(mode="after")
    def _endpoint_fits_protocol(self) -> Subscription:
        if isinstance(self.endpoint, str):
            check_subscription_endpoint(self.protocol, self.endpoint)
        return self


class MonitoringArgs(ComponentArgs):
    """Inputs of :class:`Monitoring`."""

    service: str = Field(pattern=SERVICE_PATTERN, description="Service name; part of alarm and topic names.")
    environment: Environment = Field(description="Deployment environment.")
    alb_arn_suffix: StrInput = Field(description="The load balancer's ARN suffix (CloudWatch dimension).")
    target_group_arn_suffix: StrInput = Field(
        description="The target group's ARN suffix (CloudWatch dimension)."
    )
    cluster_name: StrInput = Field(description="ECS cluster name.")
    service_name: StrInput = Field(description="ECS service name.")
    thresholds: AlarmThresholds = Field(default_factory=AlarmThresholds, description="Alarm thresholds.")
    subscriptions: list[Subscription] = Field(default_factory=list, description="Who is notified of alarms.")
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: the metric it watches and when it fires."""

    key: str
    title: str
    namespace: str
    metric_name: str
    dimensions: dict[str, StrInput]
    threshold: float
    statistic: str | None = None
    extended_statistic: str | None = None
    # Missing data on an ALB metric means no traffic, which is not an error; for ECS and target
    # health it means the metric stopped, so the alarm keeps its state rather than clearing.
    treat_missing_data: str = "missing"
    comparison: str = COMPARISON
    # A failure that happens once (a message dead-lettered, a job that failed) alarms at once.
    evaluation_periods: int = conventions.ALARM_EVALUATION_PERIODS

    @property
    def stat(self) -> str:
        return self.extended_statistic or self.statistic or ""


def alarm_specs(args: MonitoringArgs) -> list[AlarmSpec]:
    """The alarms every service gets, in dashboard order."""
    limits = args.thresholds
    target = {"LoadBalancer": args.alb_arn_suffix, "TargetGroup": args.target_group_arn_suffix}
    ecs = {"ClusterName": args.cluster_name, "ServiceName": args.service_name}
    return [
        AlarmSpec(
            "target-5xx", "Target 5xx responses", ALB_NAMESPACE, "HTTPCode_Target_5XX_Count", target,
            limits.alb_5xx_count, statistic="Sum", treat_missing_data="notBreaching",
        ),
        AlarmSpec(
            "alb-5xx", "Load balancer 5xx responses", ALB_NAMESPACE, "HTTPCode_ELB_5XX_Count",
            {"LoadBalancer": args.alb_arn_suffix}, limits.alb_5xx_count, statistic="Sum",
            treat_missing_data="notBreaching",
        ),
        AlarmSpec(
            "response-time", "Target response time", ALB_NAMESPACE, "TargetResponseTime", target,
            limits.target_response_time_seconds,
            extended_statistic=conventions.ALARM_TARGET_RESPONSE_TIME_STATISTIC, treat_missing_data="notBreaching",
        ),
        AlarmSpec(
            "unhealthy-hosts", "Unhealthy targets", ALB_NAMESPACE, "UnHealthyHostCount", target,
            limits.unhealthy_hosts, statistic="Maximum",
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


def dashboard_body(specs: list[AlarmSpec], region: pulumi.Input[str]) -> dict[str, Any]:
    """A CloudWatch dashboard with one graph per alarm metric and the alarm threshold drawn on it."""
    widgets = []
    for index, spec in enumerate(specs):
        dimensions = [part for pair in spec.dimensions.items() for part in pair]
        widgets.append(
            {
                "type": "metric",
                "x": (index % 2) * 12,
                "y": (index // 2) * 6,
                "width": 12,
                "height": 6,
                "properties": {
                    "title": spec.title,
                    "region": region,
                    "view": "timeSeries",
                    "stat": spec.stat,
                    "period": conventions.ALARM_PERIOD_SECONDS,
                    "metrics": [[spec.namespace, spec.metric_name, *dimensions]],
                    "annotations": {"horizontal": [{"label": "alarm", "value": spec.threshold}]},
                },
            }
        )
    return {"widgets": widgets}


def alarm_source_condition(
    *, account_id: pulumi.Input[str], region: pulumi.Input[str], partition: pulumi.Input[str]
) -> dict[str, Any]:
    """A policy condition that holds only when CloudWatch acts for an alarm of this account and region."""
    return {
        "StringEquals": {"aws:SourceAccount": account_id},
        "ArnLike": {
            "aws:SourceArn": pulumi.Output.concat(
                "arn:", partition, ":cloudwatch:", region, ":", account_id, ":alarm:*"
            )
        },
    }


def alarms_key_statement(
    *, account_id: pulumi.Input[str], region: pulumi.Input[str], partition: pulumi.Input[str]
) -> dict[str, Any]:
    """Key policy statement: this account's alarms, and no other's, may publish to the encrypted topic."""
    return {
        "Sid": "CloudWatchPublishesAlarms",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        # CloudWatch acts for whichever account's alarm fires: the source conditions keep another
        # account's alarms from using this key (the confused deputy).
        "Condition": alarm_source_condition(account_id=account_id, region=region, partition=partition),
    }


def topic_policy(
    *,
    topic_arn: pulumi.Input[str],
    account_id: pulumi.Input[str],
    region: pulumi.Input[str],
    partition: pulumi.Input[str],
) -> dict[str, Any]:
    """The owning account manages the topic, this account's alarms publish to it, and only over TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountOwnsTopic",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:", partition, ":iam::", account_id, ":root")},
                "Action": [
                    "SNS:GetTopicAttributes",
                    "SNS:SetTopicAttributes",
                    "SNS:AddPermission",
                    "SNS:RemovePermission",
                    "SNS:DeleteTopic",
                    "SNS:Subscribe",
                    "SNS:ListSubscriptionsByTopic",
                    "SNS:Publish",
                ],
                "Resource": topic_arn,
            },
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": alarm_source_condition(
                    account_id=account_id, region=region, partition=partition
                ),
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def alarm_topic(
    name: str,
    *,
    service: str,
    environment: str,
    subscriptions: list[Subscription],
    tags: dict[str, str],
    parent: pulumi.Resource,
    account_id: pulumi.Input[str],
    region: pulumi.Input[str],
    partition: pulumi.Input[str],
) -> tuple[aws.kms.Key, aws.sns.Topic]:
    """The KMS-encrypted alarm topic (``<name>-alarms``), its TLS-only policy and its subscriptions."""
    child = pulumi.ResourceOptions(parent=parent)
    key, _ = encryption_key(
        f"{name}-key",
        description=f"Encrypts the alarm topic of {service} ({environment})",
        account_id=account_id,
        partition=partition,
        service_statements=[alarms_key_statement(account_id=account_id, region=region, partition=partition)],
        alias=key_alias_name(service, environment, "alarms"),
        tags=tags,
        parent=parent,
    )
    topic = aws.sns.Topic(
        f"{name}-alarms",
        name=conventions.physical_name(service, environment, "alarms", kind="sns_topic"),
        kms_master_key_id=key.arn,
        tags=tags,
        opts=child,
    )
    aws.sns.TopicPolicy(
        f"{name}-alarms",
        arn=topic.arn,
        policy=pulumi.Output.json_dumps(
            topic_policy(topic_arn=topic.arn, account_id=account_id, region=region, partition=partition)
        ),
        opts=child,
    )
    for index, subscription in enumerate(subscriptions):
        aws.sns.TopicSubscription(
            f"{name}-subscription-{index}",
            topic=topic.arn,
            protocol=subscription.protocol,
            endpoint=subscription.endpoint,
            opts=child,
        )
    return key, topic


def metric_alarm(
    resource_name: str,
    spec: AlarmSpec,
    *,
    service: str,
    environment: str,
    topic_arn: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> aws.cloudwatch.MetricAlarm:
    """The alarm ``spec`` describes, notifying ``topic_arn`` when it fires and when it clears."""
    return aws.cloudwatch.MetricAlarm(
        resource_name,
        name=conventions.physical_name(service, environment, spec.key, kind="alarm"),
        alarm_description=f"{spec.title} of {service} ({environment}) at or above {spec.threshold:g}",
        namespace=spec.namespace,
        metric_name=spec.metric_name,
        dimensions=spec.dimensions,
        statistic=spec.statistic,
        extended_statistic=spec.extended_statistic,
        # Percentiles over a handful of requests are noise, not a signal.
        evaluate_low_sample_count_percentiles="ignore" if spec.extended_statistic else None,
        comparison_operator=spec.comparison,
        threshold=spec.threshold,
        period=conventions.ALARM_PERIOD_SECONDS,
        evaluation_periods=spec.evaluation_periods,
        treat_missing_data=spec.treat_missing_data,
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )


class Monitoring(pulumi.ComponentResource):
    """CloudWatch alarms for a load-balanced ECS service, a KMS-encrypted SNS topic and a dashboard."""

    topic_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    alarm_names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
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

        specs = alarm_specs(args)
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
            for spec in specs
        ]
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=conventions.physical_name(args.service, args.environment, kind="dashboard"),
            dashboard_body=pulumi.Output.json_dumps(dashboard_body(specs, region)),
            opts=child,
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
