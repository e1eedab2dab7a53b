"""The Worker blueprint under mocks, from the example stack's own config."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from goldenpath.blueprints import Worker
from goldenpath.config import ConfigError
from goldenpath.harness import run_stack, run_under_mocks
from goldenpath.taggable import is_taggable

from ..conftest import STACKS

BLUEPRINT = "goldenpath:blueprints:Worker"
COMPONENTS = {
    "goldenpath:aws:Network",
    "goldenpath:aws:Logging",
    "goldenpath:aws:Secrets",
    "goldenpath:aws:Ci",
    "goldenpath:aws:Queue",
    "goldenpath:aws:Task",
    "goldenpath:aws:QueueWorker",
    "goldenpath:aws:Alarms",
}
QUEUE = "aws:sqs/queue:Queue"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
BASE_CONFIG = {
    "orders-worker:team": "orders",
    "orders-worker:costCenter": "cc-2040",
    "orders-worker:environment": "dev",
    "orders-worker:imageTag": "2.3.0",
    "orders-worker:github": json.dumps({"repository": "acme/orders-worker"}),
}
SHARED_CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/shared-dev"


@pytest.fixture(scope="module")
def worker_dev():
    return run_stack(STACKS / "orders-worker", "dev")


@pytest.fixture(scope="module")
def worker_prod():
    return run_stack(STACKS / "orders-worker", "prod")


def _run(config: dict[str, str]):
    errors: list[ConfigError] = []

    def program():
        try:
            Worker("orders-worker")
        except ConfigError as error:
            errors.append(error)

    run = run_under_mocks(program, project="orders-worker", stack="dev", config=config)
    return run, errors


def _problems(overrides: dict[str, str | None]) -> tuple[list[str], int]:
    config = {k: v for k, v in {**BASE_CONFIG, **overrides}.items() if v is not None}
    run, errors = _run(config)
    assert errors, "expected a config error"
    return errors[0].problems, len(run.resources)


def _queues(run) -> tuple[dict, dict]:
    """(main queue, dead-letter queue) inputs."""
    by_name = {q.name: q.inputs for q in run.by_type(QUEUE)}
    return by_name["orders-worker-queue-queue"], by_name["orders-worker-queue-dlq"]


def _alarm(run, key: str) -> dict:
    return next(a.inputs for a in run.by_type(ALARM) if a.name == f"orders-worker-alarms-{key}")


def _container(run) -> dict:
    (container,) = json.loads(run.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    return container


# --- Resource graph ---------------------------------------------------------------------------


def test_the_stack_registers_the_blueprint_and_each_component(worker_dev):
    types = Counter(r.type for r in worker_dev.resources if not r.custom)

    assert types[BLUEPRINT] == 1
    assert set(types) == COMPONENTS | {BLUEPRINT}
    assert types["goldenpath:aws:Logging"] == 2  # the worker's log group and the VPC flow logs


def test_every_resource_descends_from_the_blueprint(worker_dev):
    blueprint = worker_dev.one(BLUEPRINT)
    by_urn = {r.urn: r for r in worker_dev.resources}

    for resource in worker_dev.resources:
        if resource is blueprint or resource.type == "pulumi:pulumi:Stack":
            continue
        parent = by_urn.get(resource.parent)
        while parent is not None and parent is not blueprint:
            parent = by_urn.get(parent.parent)
        assert parent is blueprint, f"{resource.name} is not inside the blueprint"


def test_nothing_can_reach_the_worker_no_load_balancer_and_no_inbound_rule(worker_dev):
    types = {r.type for r in worker_dev.resources}
    service = worker_dev.one("aws:ecs/service:Service").inputs

    assert not {t for t in types if t.startswith(("aws:lb/", "aws:alb/"))}
    assert worker_dev.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") == []
    assert "loadBalancers" not in service
    assert service["networkConfiguration"]["assignPublicIp"] is False
    assert service["networkConfiguration"]["subnets"] == [
        "orders-worker-network-private-0-id",
        "orders-worker-network-private-1-id",
    ]


def test_the_tasks_may_leave_on_https_only(worker_dev):
    (rule,) = worker_dev.by_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    group = worker_dev.one("aws:ec2/securityGroup:SecurityGroup").inputs

    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (443, 443, "tcp")
    assert "ingress" not in group and "egress" not in group


# --- The queue and its dead-letter queue ---------------------------------------------------------


def test_the_queue_redrives_to_its_dead_letter_queue_after_max_receive_count(worker_dev, worker_prod):
    def redrive(run):
        main, _ = _queues(run)
        return json.loads(main["redrivePolicy"])

    assert redrive(worker_dev) == {
        "deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:orders-worker-queue-dlq",
        "maxReceiveCount": 5,
    }
    assert redrive(worker_prod)["maxReceiveCount"] == 3


def test_both_queues_are_encrypted_with_the_queues_own_rotating_key(worker_dev):
    main, dead_letter = _queues(worker_dev)
    key = next(k for k in worker_dev.by_type("aws:kms/key:Key") if k.name == "orders-worker-queue-key")

    assert main["kmsMasterKeyId"] == dead_letter["kmsMasterKeyId"]
    assert main["kmsMasterKeyId"] == "arn:aws:kms:eu-west-1:123456789012:orders-worker-queue-key"
    assert key.inputs["enableKeyRotation"] is True
    assert "sqsManagedSseEnabled" not in main


def test_queue_names_retention_and_long_polling(worker_dev):
    main, dead_letter = _queues(worker_dev)

    assert (main["name"], dead_letter["name"]) == ("orders-worker-dev-jobs", "orders-worker-dev-jobs-dlq")
    assert (main["visibilityTimeoutSeconds"], main["receiveWaitTimeSeconds"]) == (120, 20)
    assert (main["messageRetentionSeconds"], dead_letter["messageRetentionSeconds"]) == (345_600, 1_209_600)


def test_each_queue_policy_denies_every_sqs_action_without_tls_on_its_own_queue(worker_dev):
    policies = {
        p.inputs["queueUrl"]: json.loads(p.inputs["policy"])
        for p in worker_dev.by_type("aws:sqs/queuePolicy:QueuePolicy")
    }

    assert set(policies) == {"orders-worker-queue-queue-id", "orders-worker-queue-dlq-id"}
    for url, document in policies.items():
        (statement,) = document["Statement"]
        assert statement == {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": "arn:aws:sqs:eu-west-1:123456789012:" + url.removesuffix("-id"),
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }


def test_only_the_worker_queue_may_dead_letter_into_the_dead_letter_queue(worker_dev):
    allow = worker_dev.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").inputs

    assert allow["queueUrl"] == "orders-worker-queue-dlq-id"
    assert json.loads(allow["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": ["arn:aws:sqs:eu-west-1:123456789012:orders-worker-queue-queue"],
    }


# --- Least privilege ---------------------------------------------------------------------------------


def _policy(run, name: str) -> dict:
    policy = next(p for p in run.by_type("aws:iam/policy:Policy") if p.name == name)
    return json.loads(policy.inputs["policy"])


def test_the_consume_policy_grants_exactly_the_consumer_actions_on_the_queue_and_decrypt_via_sqs(worker_dev):
    document = _policy(worker_dev, "orders-worker-queue-consume")

    assert document["Statement"] == [
        {
            "Sid": "ConsumeQueue",
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes",
            ],
            "Resource": "arn:aws:sqs:eu-west-1:123456789012:orders-worker-queue-queue",
        },
        {
            "Sid": "DecryptThroughSqs",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "arn:aws:kms:eu-west-1:123456789012:orders-worker-queue-key",
            "Condition": {"StringEquals": {"kms:ViaService": "sqs.eu-west-1.amazonaws.com"}},
        },
    ]


def test_only_the_task_role_holds_the_consume_policy(worker_dev):
    holders = {
        a.inputs["role"]
        for a in worker_dev.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["policyArn"].endswith("orders-worker-queue-consume")
    }

    assert holders == {"orders-worker-dev-task"}


def test_the_deploy_role_rolls_out_only_the_worker_service(worker_dev):
    deploy = next(p for p in worker_dev.by_type("aws:iam/rolePolicy:RolePolicy") if "deploy" in p.name)
    statements = {s["Sid"]: s for s in json.loads(deploy.inputs["policy"])["Statement"]}

    assert statements["EcsRollOut"]["Resource"] == (
        "arn:aws:ecs:eu-west-1:123456789012:service/orders-worker-dev/orders-worker"
    )
    assert statements["PassServiceRolesToEcsTasks"]["Resource"] == [
        "arn:aws:iam::123456789012:role/orders-worker-dev-task",
        "arn:aws:iam::123456789012:role/orders-worker-dev-execution",
    ]


# --- The container -------------------------------------------------------------------------------


def test_the_container_is_hardened_like_the_web_service_and_maps_no_port(worker_dev):
    container = _container(worker_dev)

    assert (container["user"], container["readonlyRootFilesystem"], container["privileged"]) == (
        "10001:10001",
        True,
        False,
    )
    assert container["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/goldenpath/orders-worker/dev"
    assert "portMappings" not in container
    assert container["image"].endswith("/orders-worker-dev:2.3.0")
    assert container["command"] == ["python", "-m", "orders.worker"]


def test_the_container_finds_its_queue_in_queue_url(worker_dev):
    variables = {e["name"]: e["value"] for e in _container(worker_dev)["environment"]}

    assert variables == {
        "LOG_LEVEL": "debug",
        "QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-worker-dev-jobs",
    }


# --- Autoscaling on the backlog ----------------------------------------------------------------------


def test_autoscaling_keeps_the_configured_task_range(worker_dev, worker_prod):
    def bounds(run):
        target = run.one("aws:appautoscaling/target:Target").inputs
        return target["minCapacity"], target["maxCapacity"], target["resourceId"]

    assert bounds(worker_dev) == (1, 2, "service/orders-worker-dev/orders-worker")
    assert bounds(worker_prod) == (2, 20, "service/orders-worker-prod/orders-worker")


def test_autoscaling_tracks_visible_messages_per_running_task(worker_prod):
    policy = worker_prod.one("aws:appautoscaling/policy:Policy").inputs
    tracking = policy["targetTrackingScalingPolicyConfiguration"]
    metrics = {m["id"]: m for m in tracking["customizedMetricSpecification"]["metrics"]}
    visible = metrics["visible"]["metricStat"]["metric"]
    running = metrics["running"]["metricStat"]["metric"]

    assert policy["policyType"] == "TargetTrackingScaling"
    assert tracking["targetValue"] == 50
    assert (visible["namespace"], visible["metricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert visible["dimensions"] == [{"name": "QueueName", "value": "orders-worker-prod-jobs"}]
    assert (running["namespace"], running["metricName"]) == ("ECS/ContainerInsights", "RunningTaskCount")
    assert metrics["backlog"]["expression"] == "visible / running"
    assert [m["id"] for m in metrics.values() if m.get("returnData")] == ["backlog"]


def test_the_service_starts_at_min_count_and_leaves_the_count_to_autoscaling(worker_prod):
    service = worker_prod.one("aws:ecs/service:Service")

    assert service.inputs["desiredCount"] == 2
    assert "loadBalancers" not in service.inputs


# --- Alarms -------------------------------------------------------------------------------------------


def test_one_dead_lettered_message_alarms_at_once(worker_dev):
    alarm = _alarm(worker_dev, "dlq-depth")

    assert (alarm["namespace"], alarm["metricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["dimensions"] == {"QueueName": "orders-worker-dev-jobs-dlq"}
    assert (alarm["comparisonOperator"], alarm["threshold"], alarm["evaluationPeriods"]) == (
        "GreaterThanOrEqualToThreshold",
        1,
        1,
    )


def test_queue_and_dead_letter_ages_alarm_at_their_thresholds(worker_dev, worker_prod):
    dlq_age = _alarm(worker_dev, "dlq-age")

    assert dlq_age["metricName"] == "ApproximateAgeOfOldestMessage"
    assert dlq_age["dimensions"] == {"QueueName": "orders-worker-dev-jobs-dlq"}
    assert dlq_age["threshold"] == 86_400
    assert _alarm(worker_dev, "queue-age")["dimensions"] == {"QueueName": "orders-worker-dev-jobs"}
    assert (_alarm(worker_dev, "queue-age")["threshold"], _alarm(worker_prod, "queue-age")["threshold"]) == (
        1800,
        600,
    )


def test_every_alarm_notifies_the_encrypted_alarm_topic(worker_dev):
    topic = worker_dev.one("aws:sns/topic:Topic").inputs
    alarms = worker_dev.by_type(ALARM)

    assert {a.name.removeprefix("orders-worker-alarms-") for a in alarms} == {
        "dlq-depth",
        "dlq-age",
        "queue-age",
        "cpu",
        "memory",
    }
    assert topic["kmsMasterKeyId"].endswith("orders-worker-alarms-key")
    for alarm in alarms:
        assert (
            alarm.inputs["alarmActions"]
            == alarm.inputs["okActions"]
            == ["arn:aws:sns:eu-west-1:123456789012:orders-worker-alarms-alarms"]
        )


def test_prod_alarm_subscriptions_come_from_config(worker_dev, worker_prod):
    (subscription,) = worker_prod.by_type("aws:sns/topicSubscription:TopicSubscription")

    assert worker_dev.by_type("aws:sns/topicSubscription:TopicSubscription") == []
    assert subscription.inputs["protocol"] == "https"


# --- Tags -----------------------------------------------------------------------------------------------


def test_every_taggable_resource_carries_the_worker_blueprint_tags(worker_dev):
    taggable = [r for r in worker_dev.resources if r.custom and is_taggable(r.type)]

    assert len(taggable) > 30
    for resource in taggable:
        tags = resource.inputs.get("tags") or {}
        assert tags.get("goldenpath:blueprint") == "Worker", resource.name
        assert (tags.get("service"), tags.get("team"), tags.get("cost-center")) == (
            "orders-worker",
            "orders",
            "cc-2040",
        )


# --- Existing cluster and VPC ----------------------------------------------------------------------------


def test_an_existing_cluster_is_used_and_named_by_scaling_alarms_and_deploy_role():
    run, errors = _run({**BASE_CONFIG, "orders-worker:clusterArn": SHARED_CLUSTER})
    deploy = next(p for p in run.by_type("aws:iam/rolePolicy:RolePolicy") if "deploy" in p.name)
    roll_out = next(s for s in json.loads(deploy.inputs["policy"])["Statement"] if s["Sid"] == "EcsRollOut")

    assert not errors
    assert run.by_type("aws:ecs/cluster:Cluster") == []
    assert run.one("aws:ecs/service:Service").inputs["cluster"] == SHARED_CLUSTER
    assert (
        run.one("aws:appautoscaling/target:Target").inputs["resourceId"] == "service/shared-dev/orders-worker"
    )
    assert roll_out["Resource"].endswith(":service/shared-dev/orders-worker")
    assert _alarm(run, "cpu")["dimensions"]["ClusterName"] == "shared-dev"


def test_an_existing_vpc_replaces_the_network_and_needs_no_public_subnets():
    vpc = {"vpcId": "vpc-0abc1234", "privateSubnetIds": ["subnet-3", "subnet-4"]}
    run, errors = _run({**BASE_CONFIG, "orders-worker:vpc": json.dumps(vpc)})

    assert not errors
    assert run.by_type("goldenpath:aws:Network") == []
    assert run.one("aws:ecs/service:Service").inputs["networkConfiguration"]["subnets"] == [
        "subnet-3",
        "subnet-4",
    ]
    assert run.one("aws:ec2/securityGroup:SecurityGroup").inputs["vpcId"] == "vpc-0abc1234"


# --- Config errors name the key, before any resource is registered ---------------------------------------


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        (
            {"orders-worker:minCount": "5", "orders-worker:maxCount": "2"},
            "orders-worker:maxCount: counts must satisfy minCount ≤ maxCount (given 5, 2) (given '2')",
        ),
        (
            {"orders-worker:visibilityTimeoutSeconds": "50000"},
            "orders-worker:visibilityTimeoutSeconds: Input should be less than or equal to 43200 (given '50000')",
        ),
        (
            {"orders-worker:maxReceiveCount": "0"},
            "orders-worker:maxReceiveCount: Input should be greater than or equal to 1 (given '0')",
        ),
        (
            {"orders-worker:environmentVariables": json.dumps({"QUEUE_URL": "x"})},
            "orders-worker:environmentVariables: QUEUE_URL is set by the blueprint to the worker's queue URL; "
            "name your variable (or secret) otherwise (value not shown: it may be secret)",
        ),
        (
            {"orders-worker:secrets": json.dumps(["queue-url"])},
            "orders-worker:environmentVariables: QUEUE_URL is set by the blueprint to the worker's queue URL; "
            "name your variable (or secret) otherwise (value not shown: it may be secret)",
        ),
        (
            {"orders-worker:imageTag": "latest"},
            "orders-worker:imageTag: must be an immutable image tag such as 1.4.2 or a git sha (up to 128 "
            "letters, digits, '_', '.' or '-', not starting with '.' or '-'); 'latest' is not allowed "
            "(given 'latest')",
        ),
        (
            {"orders-worker:desiredCount": "3"},
            "orders-worker:desiredCount: unknown key (given '3'); check its spelling",
        ),
        (
            {"orders-worker:vpc": json.dumps({"vpcId": "vpc-0abc1234", "privateSubnetIds": ["subnet-3"]})},
            "orders-worker:vpc.privateSubnetIds: List should have at least 2 items after validation, not 1 "
            '(given ["subnet-3"])',
        ),
        (
            {"orders-worker:command": json.dumps(["python", ""])},
            "orders-worker:command: parts [1] are empty, longer than 1024 characters or hold control "
            'characters; give the command as a list of non-empty words, e.g. ["python", "-m", "worker"] '
            '(given ["python", ""])',
        ),
        (
            {"orders-worker:alarms": json.dumps({"queueAgeSeconds": 10})},
            "orders-worker:alarms.queueAgeSeconds: Input should be greater than or equal to 60 (given 10)",
        ),
    ],
)
def test_a_bad_config_value_is_one_line_naming_its_key_and_what_is_allowed(overrides, problem):
    problems, registered = _problems(overrides)

    assert problems == [problem]
    assert registered == 0


def test_a_missing_required_key_is_named():
    problems, _ = _problems({"orders-worker:github": None})

    assert problems == ["orders-worker:github: required, but not set"]


def test_the_example_stack_program_is_five_lines():
    lines = [
        line for line in (STACKS / "orders-worker" / "__main__.py").read_text().splitlines() if line.strip()
    ]

    assert len(lines) <= 5
