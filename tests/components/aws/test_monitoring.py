"""Monitoring: alarms that notify an encrypted topic, and a dashboard of the same metrics."""

from __future__ import annotations

import importlib
import inspect
import json

import pulumi
import pytest
from pydantic import ValidationError

from goldenpath.components.aws.monitoring import AlarmThresholds, Monitoring, MonitoringArgs, Subscription
from goldenpath.harness import MOCK_ACCOUNT_ID, MOCK_REGION, ProgramRun, RecordedResource, run_under_mocks

TAGS = {"team": "payments", "service": "payments-api", "cost-center": "cc-42"}
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
ALB_SUFFIX = "app/payments-api/50dc6c495c0c9188"
TG_SUFFIX = "targetgroup/payments-api/73e2d6bc24d8a067"
TARGET = {"LoadBalancer": ALB_SUFFIX, "TargetGroup": TG_SUFFIX}
ECS = {"ClusterName": "payments", "ServiceName": "payments-api"}


def run_monitoring(**overrides) -> ProgramRun:
    def program():
        fields = {
            "service": "payments-api",
            "environment": "prod",
            # The load balancer's suffix arrives as an Output from the Service, as in a real stack.
            "alb_arn_suffix": pulumi.Output.from_input(ALB_SUFFIX),
            "target_group_arn_suffix": TG_SUFFIX,
            "cluster_name": ECS["ClusterName"],
            "service_name": ECS["ServiceName"],
            "tags": TAGS,
            **overrides,
        }
        Monitoring("monitoring", MonitoringArgs(**fields))

    return run_under_mocks(program)


def takes_tags(resource: RecordedResource) -> bool:
    module, class_name = resource.type.split(":")[1].split("/")[0], resource.type.split(":")[2]
    resource_class = getattr(importlib.import_module(f"pulumi_aws.{module}"), class_name)
    return "tags" in inspect.signature(resource_class._internal_init).parameters


def depends_on(run: ProgramRun, resource: RecordedResource, prop: str) -> list[RecordedResource]:
    urns = set(resource.property_dependencies.get(prop, ()))
    return [r for r in run.resources if r.urn in urns]


def alarm(run: ProgramRun, metric_name: str) -> dict:
    (found,) = [a.inputs for a in run.by_type(ALARM) if a.inputs["metricName"] == metric_name]
    return found


@pytest.mark.parametrize(
    ("metric_name", "namespace", "dimensions", "threshold"),
    [
        ("HTTPCode_Target_5XX_Count", "AWS/ApplicationELB", TARGET, 10),
        ("HTTPCode_ELB_5XX_Count", "AWS/ApplicationELB", {"LoadBalancer": ALB_SUFFIX}, 10),
        ("TargetResponseTime", "AWS/ApplicationELB", TARGET, 1.0),
        ("UnHealthyHostCount", "AWS/ApplicationELB", TARGET, 1),
        ("CPUUtilization", "AWS/ECS", ECS, 80),
        ("MemoryUtilization", "AWS/ECS", ECS, 80),
    ],
)
def test_each_alarm_watches_its_metric_with_the_default_threshold(
    metric_name, namespace, dimensions, threshold
):
    watched = alarm(run_monitoring(), metric_name)

    assert watched["namespace"] == namespace
    assert watched["dimensions"] == dimensions
    assert watched["threshold"] == threshold
    assert watched["comparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_there_are_exactly_six_alarms():
    assert len(run_monitoring().by_type(ALARM)) == 6


def test_thresholds_can_be_tightened():
    thresholds = AlarmThresholds(
        alb_5xx_count=3,
        target_response_time_seconds=0.25,
        unhealthy_hosts=2,
        cpu_percent=60,
        memory_percent=70,
    )
    run = run_monitoring(thresholds=thresholds)

    assert alarm(run, "HTTPCode_Target_5XX_Count")["threshold"] == 3
    assert alarm(run, "HTTPCode_ELB_5XX_Count")["threshold"] == 3
    assert alarm(run, "TargetResponseTime")["threshold"] == 0.25
    assert alarm(run, "UnHealthyHostCount")["threshold"] == 2
    assert alarm(run, "CPUUtilization")["threshold"] == 60
    assert alarm(run, "MemoryUtilization")["threshold"] == 70


@pytest.mark.parametrize("field", ["cpu_percent", "memory_percent"])
def test_a_percentage_over_100_is_refused(field):
    with pytest.raises(ValidationError, match=field):
        AlarmThresholds(**{field: 101})


def test_response_time_alarm_uses_the_99th_percentile():
    watched = alarm(run_monitoring(), "TargetResponseTime")

    assert watched["extendedStatistic"] == "p99"
    assert "statistic" not in watched
    assert watched["evaluateLowSampleCountPercentiles"] == "ignore"


def test_every_alarm_notifies_the_topic_when_it_fires_and_when_it_clears():
    run = run_monitoring()
    topic = run.one(TOPIC)

    for each in run.by_type(ALARM):
        assert [r.urn for r in depends_on(run, each, "alarmActions")] == [topic.urn], each.name
        assert [r.urn for r in depends_on(run, each, "okActions")] == [topic.urn], each.name
        assert each.inputs["alarmActions"] == each.inputs["okActions"]
        assert len(each.inputs["alarmActions"]) == 1


def test_alarms_evaluate_over_the_platform_period():
    run = run_monitoring()

    assert {(a.inputs["period"], a.inputs["evaluationPeriods"]) for a in run.by_type(ALARM)} == {(60, 3)}


def test_no_traffic_does_not_raise_load_balancer_alarms():
    run = run_monitoring()

    for metric_name in ("HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count", "TargetResponseTime"):
        assert alarm(run, metric_name)["treatMissingData"] == "notBreaching"


def test_missing_ecs_and_health_data_keeps_the_alarm_state():
    run = run_monitoring()

    for metric_name in ("UnHealthyHostCount", "CPUUtilization", "MemoryUtilization"):
        assert alarm(run, metric_name)["treatMissingData"] == "missing"


def test_alarm_names_carry_service_and_environment():
    names = sorted(a.inputs["name"] for a in run_monitoring().by_type(ALARM))

    assert names == [
        "payments-api-prod-alb-5xx",
        "payments-api-prod-cpu",
        "payments-api-prod-memory",
        "payments-api-prod-response-time",
        "payments-api-prod-target-5xx",
        "payments-api-prod-unhealthy-hosts",
    ]


def test_topic_is_encrypted_with_the_component_key():
    run = run_monitoring()

    assert depends_on(run, run.one(TOPIC), "kmsMasterKeyId") == [run.one(KEY)]


def test_key_rotates():
    key = run_monitoring().one(KEY).inputs

    assert key["enableKeyRotation"] is True
    assert key["rotationPeriodInDays"] == 365
    assert key["deletionWindowInDays"] == 30


def test_key_policy_lets_cloudwatch_publish_to_the_encrypted_topic():
    statements = json.loads(run_monitoring().one(KEY).inputs["policy"])["Statement"]

    cloudwatch = [s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert len(cloudwatch) == 1
    assert set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_key_policy_lets_only_this_accounts_alarms_use_the_key():
    statements = json.loads(run_monitoring().one(KEY).inputs["policy"])["Statement"]

    (cloudwatch,) = [s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert cloudwatch["Condition"] == {
        "StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:alarm:*"},
    }


def test_alias_names_the_component_key():
    run = run_monitoring()
    alias = run.one(ALIAS)

    assert alias.inputs["name"] == "alias/goldenpath/payments-api/prod/alarms"
    assert depends_on(run, alias, "targetKeyId") == [run.one(KEY)]


def test_topic_policy_lets_only_this_accounts_alarms_publish_and_only_over_tls():
    run = run_monitoring()
    policy = run.one(TOPIC_POLICY)
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}

    assert depends_on(run, policy, "arn") == [run.one(TOPIC)]
    publish = statements["CloudWatchAlarmsPublish"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": MOCK_ACCOUNT_ID}
    deny = statements["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert all(s["Principal"] != "*" for s in statements.values() if s["Effect"] == "Allow")


def test_each_subscription_subscribes_to_the_topic():
    run = run_monitoring(
        subscriptions=[
            Subscription(protocol="email", endpoint="oncall@example.com"),
            Subscription(protocol="https", endpoint="https://hooks.example.com/alerts"),
            Subscription(protocol="sqs", endpoint=f"arn:aws:sqs:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:alerts"),
        ]
    )
    topic = run.one(TOPIC)
    subscriptions = run.by_type(SUBSCRIPTION)

    assert sorted((s.inputs["protocol"], s.inputs["endpoint"]) for s in subscriptions) == [
        ("email", "oncall@example.com"),
        ("https", "https://hooks.example.com/alerts"),
        ("sqs", f"arn:aws:sqs:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:alerts"),
    ]
    assert all(depends_on(run, s, "topic") == [topic] for s in subscriptions)


def test_no_subscriptions_means_no_subscription_resources():
    assert run_monitoring().by_type(SUBSCRIPTION) == []


@pytest.mark.parametrize(
    ("protocol", "endpoint", "message"),
    [
        ("sms", "+441234567890", "protocol 'sms' is not supported"),
        ("http", "http://hooks.example.com", "protocol 'http' is not supported"),
        ("email", "not-an-address", "expected an email address"),
        ("https", "http://hooks.example.com", "expected an https:// URL"),
        ("sqs", "alerts", "expected an SQS queue ARN"),
        ("lambda", "arn:aws:sqs:eu-west-1:123456789012:alerts", "expected a Lambda function ARN"),
    ],
)
def test_a_subscription_that_does_not_fit_its_protocol_is_refused(protocol, endpoint, message):
    with pytest.raises(ValidationError, match=message):
        Subscription(protocol=protocol, endpoint=endpoint)


def test_dashboard_graphs_every_alarm_metric_with_its_threshold():
    run = run_monitoring()
    dashboard = run.one(DASHBOARD).inputs
    widgets = json.loads(dashboard["dashboardBody"])["widgets"]

    graphed = {
        (w["properties"]["metrics"][0][1], w["properties"]["annotations"]["horizontal"][0]["value"])
        for w in widgets
    }
    assert graphed == {(a.inputs["metricName"], a.inputs["threshold"]) for a in run.by_type(ALARM)}
    assert {w["properties"]["region"] for w in widgets} == {MOCK_REGION}
    assert dashboard["dashboardName"] == "payments-api-prod"


def test_dashboard_resolves_the_load_balancer_suffix_given_as_an_output():
    widgets = json.loads(run_monitoring().one(DASHBOARD).inputs["dashboardBody"])["widgets"]
    target_5xx = next(w for w in widgets if w["properties"]["metrics"][0][1] == "HTTPCode_Target_5XX_Count")

    assert target_5xx["properties"]["metrics"][0] == [
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "LoadBalancer",
        ALB_SUFFIX,
        "TargetGroup",
        TG_SUFFIX,
    ]


def test_outputs_give_topic_dashboard_and_alarm_names():
    seen: dict[str, object] = {}

    def program():
        monitoring = Monitoring(
            "monitoring",
            MonitoringArgs(
                service="payments-api",
                environment="dev",
                alb_arn_suffix=ALB_SUFFIX,
                target_group_arn_suffix=TG_SUFFIX,
                cluster_name="payments",
                service_name="payments-api",
                tags=TAGS,
            ),
        )
        for name in ("topic_arn", "dashboard_name", "alarm_names"):
            getattr(monitoring, name).apply(lambda value, name=name: seen.__setitem__(name, value))

    run = run_under_mocks(program)

    assert seen["topic_arn"].startswith("arn:aws:sns:")
    assert seen["dashboard_name"] == "payments-api-dev"
    assert sorted(seen["alarm_names"]) == sorted(a.inputs["name"] for a in run.by_type(ALARM))


def test_every_taggable_resource_carries_the_given_tags():
    run = run_monitoring(subscriptions=[Subscription(protocol="email", endpoint="oncall@example.com")])
    taggable = [r for r in run.resources if r.custom and takes_tags(r)]

    assert {r.type for r in taggable} == {KEY, TOPIC, ALARM}
    for resource in taggable:
        assert TAGS.items() <= resource.inputs["tags"].items(), resource.name


def test_every_resource_is_a_child_of_the_component():
    run = run_monitoring(subscriptions=[Subscription(protocol="email", endpoint="oncall@example.com")])
    component = run.one("goldenpath:aws:Monitoring")

    children = [r for r in run.resources if r is not component]
    assert {r.type for r in children} == {KEY, ALIAS, TOPIC, TOPIC_POLICY, SUBSCRIPTION, ALARM, DASHBOARD}
    assert all(r.parent == component.urn for r in children)
