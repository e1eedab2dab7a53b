"""The ScheduledJob blueprint under mocks, from the example stack's own config."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from goldenpath.blueprints import ScheduledJob
from goldenpath.config import ConfigError
from goldenpath.harness import run_stack, run_under_mocks
from goldenpath.taggable import is_taggable

from ..conftest import STACKS

BLUEPRINT = "goldenpath:blueprints:ScheduledJob"
COMPONENTS = {
    "goldenpath:aws:Network",
    "goldenpath:aws:Logging",
    "goldenpath:aws:Secrets",
    "goldenpath:aws:Ci",
    "goldenpath:aws:Queue",
    "goldenpath:aws:Task",
    "goldenpath:aws:Schedule",
    "goldenpath:aws:Alarms",
}
SCHEDULE = "aws:scheduler/schedule:Schedule"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
BASE_CONFIG = {
    "nightly-report:team": "analytics",
    "nightly-report:costCenter": "cc-3100",
    "nightly-report:environment": "dev",
    "nightly-report:imageTag": "0.9.1",
    "nightly-report:schedule": "rate(1 day)",
    "nightly-report:github": json.dumps({"repository": "acme/nightly-report"}),
}
SHARED_CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/shared-dev"


@pytest.fixture(scope="module")
def job_dev():
    return run_stack(STACKS / "nightly-report", "dev")


@pytest.fixture(scope="module")
def job_prod():
    return run_stack(STACKS / "nightly-report", "prod")


def _run(config: dict[str, str]):
    errors: list[ConfigError] = []

    def program():
        try:
            ScheduledJob("nightly-report")
        except ConfigError as error:
            errors.append(error)

    run = run_under_mocks(program, project="nightly-report", stack="dev", config=config)
    return run, errors


def _problems(overrides: dict[str, str | None]) -> tuple[list[str], int]:
    config = {k: v for k, v in {**BASE_CONFIG, **overrides}.items() if v is not None}
    run, errors = _run(config)
    assert errors, "expected a config error"
    return errors[0].problems, len(run.resources)


def _scheduler_statements(run) -> dict[str, dict]:
    policy = next(
        p for p in run.by_type("aws:iam/rolePolicy:RolePolicy") if p.name == "nightly-report-schedule-policy"
    )
    return {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}


# --- Resource graph ---------------------------------------------------------------------------


def test_the_stack_registers_the_blueprint_and_each_component(job_dev):
    types = Counter(r.type for r in job_dev.resources if not r.custom)

    assert types[BLUEPRINT] == 1
    assert set(types) == COMPONENTS | {BLUEPRINT}


def test_no_ecs_service_and_no_load_balancer_only_a_schedule_runs_the_task(job_dev):
    types = {r.type for r in job_dev.resources}

    assert "aws:ecs/service:Service" not in types
    assert not {t for t in types if t.startswith(("aws:lb/", "aws:alb/", "aws:appautoscaling/"))}
    assert job_dev.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") == []
    assert len(job_dev.by_type(SCHEDULE)) == 1


# --- The schedule ------------------------------------------------------------------------------------


def test_the_schedule_runs_the_task_definition_on_fargate_in_private_subnets_without_a_public_ip(job_dev):
    schedule = job_dev.one(SCHEDULE).inputs
    ecs = schedule["target"]["ecsParameters"]

    assert (schedule["scheduleExpression"], schedule["scheduleExpressionTimezone"]) == (
        "cron(0 2 * * ? *)",
        "Europe/London",
    )
    assert (schedule["state"], schedule["flexibleTimeWindow"]) == ("ENABLED", {"mode": "OFF"})
    assert schedule["target"]["arn"] == "arn:aws:ecs:eu-west-1:123456789012:nightly-report-task-cluster"
    assert ecs["taskDefinitionArn"] == "arn:aws:ecs:eu-west-1:123456789012:nightly-report-task-task"
    assert (ecs["launchType"], ecs["taskCount"], ecs["enableExecuteCommand"]) == ("FARGATE", 1, False)
    assert ecs["networkConfiguration"] == {
        "subnets": ["nightly-report-network-private-0-id", "nightly-report-network-private-1-id"],
        "assignPublicIp": False,
        "securityGroups": ["nightly-report-task-sg-id"],
    }


def test_the_schedule_retries_then_dead_letters_to_its_encrypted_queue(job_dev, job_prod):
    def target(run):
        return run.one(SCHEDULE).inputs["target"]

    dlq = job_dev.one("aws:sqs/queue:Queue").inputs

    assert target(job_dev)["retryPolicy"] == {"maximumRetryAttempts": 1, "maximumEventAgeInSeconds": 3600}
    assert target(job_prod)["retryPolicy"] == {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 7200}
    assert target(job_dev)["deadLetterConfig"] == {
        "arn": "arn:aws:sqs:eu-west-1:123456789012:nightly-report-dead-letters-dlq"
    }
    assert dlq["name"] == "nightly-report-dev-failed-invocations-dlq"
    assert dlq["kmsMasterKeyId"] == "arn:aws:kms:eu-west-1:123456789012:nightly-report-dead-letters-key"


def test_the_dead_letter_queue_is_tls_only_and_no_queue_may_redrive_into_it(job_dev):
    (policy,) = job_dev.by_type("aws:sqs/queuePolicy:QueuePolicy")
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    allow = job_dev.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").inputs

    assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Deny", "*", "sqs:*")
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == "arn:aws:sqs:eu-west-1:123456789012:nightly-report-dead-letters-dlq"
    assert json.loads(allow["redriveAllowPolicy"]) == {"redrivePermission": "denyAll"}
    assert [p.name for p in job_dev.by_type("aws:iam/policy:Policy") if "consume" in p.name] == []


def test_a_disabled_schedule_is_kept_but_does_not_run():
    run, errors = _run({**BASE_CONFIG, "nightly-report:enabled": "false"})

    assert not errors
    assert run.one(SCHEDULE).inputs["state"] == "DISABLED"


# --- The scheduler's role --------------------------------------------------------------------------


def test_only_scheduler_for_this_accounts_schedule_group_may_assume_the_role(job_dev):
    role = next(r for r in job_dev.by_type("aws:iam/role:Role") if r.name == "nightly-report-schedule-role")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]

    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnEquals": {
            "aws:SourceArn": "arn:aws:scheduler:eu-west-1:123456789012:nightly-report-schedule-group"
        },
    }


def test_the_scheduler_may_run_only_this_family_on_this_cluster(job_dev):
    run_task = _scheduler_statements(job_dev)["RunTheJobsTask"]

    assert run_task == {
        "Sid": "RunTheJobsTask",
        "Effect": "Allow",
        "Action": "ecs:RunTask",
        "Resource": "arn:aws:ecs:eu-west-1:123456789012:task-definition/nightly-report:*",
        "Condition": {
            "ArnEquals": {"ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:nightly-report-task-cluster"}
        },
    }


def test_the_scheduler_may_pass_exactly_the_tasks_two_roles_to_ecs_tasks(job_dev):
    pass_role = _scheduler_statements(job_dev)["PassTheTasksRolesToEcsTasks"]

    assert pass_role["Action"] == "iam:PassRole"
    assert pass_role["Resource"] == [
        "arn:aws:iam::123456789012:role/nightly-report-dev-task",
        "arn:aws:iam::123456789012:role/nightly-report-dev-execution",
    ]
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def test_the_scheduler_may_send_only_to_its_dead_letter_queue_and_encrypt_only_through_sqs(job_dev):
    statements = _scheduler_statements(job_dev)

    assert set(statements) == {
        "RunTheJobsTask",
        "TagTheTaskItStarts",
        "PassTheTasksRolesToEcsTasks",
        "DeadLetterFailedInvocations",
        "EncryptDeadLettersThroughSqs",
    }
    assert statements["DeadLetterFailedInvocations"] == {
        "Sid": "DeadLetterFailedInvocations",
        "Effect": "Allow",
        "Action": "sqs:SendMessage",
        "Resource": "arn:aws:sqs:eu-west-1:123456789012:nightly-report-dead-letters-dlq",
    }
    assert statements["EncryptDeadLettersThroughSqs"]["Resource"].endswith(":nightly-report-dead-letters-key")
    assert statements["EncryptDeadLettersThroughSqs"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "sqs.eu-west-1.amazonaws.com"}
    }
    assert statements["TagTheTaskItStarts"]["Condition"] == {"StringEquals": {"ecs:CreateAction": "RunTask"}}


def test_the_deploy_role_rolls_out_no_ecs_service(job_dev):
    deploy = next(p for p in job_dev.by_type("aws:iam/rolePolicy:RolePolicy") if "deploy" in p.name)
    sids = [s["Sid"] for s in json.loads(deploy.inputs["policy"])["Statement"]]

    assert "EcsRollOut" not in sids
    assert "PassServiceRolesToEcsTasks" in sids


# --- The task --------------------------------------------------------------------------------------------


def test_the_task_is_hardened_runs_the_command_and_maps_no_port(job_dev):
    (container,) = json.loads(
        job_dev.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"]
    )

    assert (container["user"], container["readonlyRootFilesystem"]) == ("10001:10001", True)
    assert "portMappings" not in container
    assert container["command"] == ["python", "-m", "reports.nightly"]
    assert container["image"].endswith("/nightly-report-dev:0.9.1")
    assert [s["name"] for s in container["secrets"]] == ["WAREHOUSE_PASSWORD"]


def test_prod_task_size_follows_config(job_prod):
    task = job_prod.one("aws:ecs/taskDefinition:TaskDefinition").inputs

    assert (task["cpu"], task["memory"], task["family"]) == ("1024", "4096", "nightly-report")


# --- Failure alarms ----------------------------------------------------------------------------------------


def test_every_kind_of_failure_alarms_at_once(job_dev):
    alarms = {a.name.removeprefix("nightly-report-alarms-"): a.inputs for a in job_dev.by_type(ALARM)}

    assert {k: (a["namespace"], a["metricName"], a["dimensions"]) for k, a in alarms.items()} == {
        "target-errors": ("AWS/Scheduler", "TargetErrorCount", {"ScheduleGroup": "nightly-report-dev"}),
        "dropped": ("AWS/Scheduler", "InvocationDroppedCount", {"ScheduleGroup": "nightly-report-dev"}),
        "dead-letter-failed": (
            "AWS/Scheduler",
            "InvocationsFailedToBeSentToDeadLetterCount",
            {"ScheduleGroup": "nightly-report-dev"},
        ),
        "dlq-depth": (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "nightly-report-dev-failed-invocations-dlq"},
        ),
        "task-failed": ("AWS/Events", "MatchedEvents", {"RuleName": "nightly-report-dev-task-failed"}),
    }
    for alarm in alarms.values():
        assert (alarm["comparisonOperator"], alarm["threshold"], alarm["evaluationPeriods"]) == (
            "GreaterThanOrEqualToThreshold",
            1,
            1,
        )
        assert alarm["treatMissingData"] == "notBreaching"


def test_the_schedule_has_a_group_of_its_own_so_its_metrics_are_its_alone(job_dev):
    group = job_dev.one("aws:scheduler/scheduleGroup:ScheduleGroup").inputs

    assert group["name"] == job_dev.one(SCHEDULE).inputs["groupName"] == "nightly-report-dev"
    assert group["tags"]["goldenpath:blueprint"] == "ScheduledJob"


def test_the_failure_rule_matches_this_jobs_tasks_stopping_with_a_non_zero_exit(job_dev):
    rule = job_dev.one("aws:cloudwatch/eventRule:EventRule").inputs
    pattern = json.loads(rule["eventPattern"])

    assert pattern == {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {
            "clusterArn": ["arn:aws:ecs:eu-west-1:123456789012:nightly-report-task-cluster"],
            "group": ["nightly-report-dev"],
            "lastStatus": ["STOPPED"],
            "containers": {"exitCode": [{"anything-but": 0}]},
        },
    }
    assert job_dev.one(SCHEDULE).inputs["target"]["ecsParameters"]["group"] == "nightly-report-dev"


# --- Tags, existing cluster ------------------------------------------------------------------------------


def test_every_taggable_resource_carries_the_job_blueprint_tags(job_dev):
    taggable = [r for r in job_dev.resources if r.custom and is_taggable(r.type)]

    assert len(taggable) > 30
    for resource in taggable:
        tags = resource.inputs.get("tags") or {}
        assert (tags.get("goldenpath:blueprint"), tags.get("service")) == ("ScheduledJob", "nightly-report")


def test_an_existing_cluster_is_the_target_and_the_condition_of_run_task():
    run, errors = _run({**BASE_CONFIG, "nightly-report:clusterArn": SHARED_CLUSTER})
    statements = _scheduler_statements(run)

    assert not errors
    assert run.by_type("aws:ecs/cluster:Cluster") == []
    assert run.one(SCHEDULE).inputs["target"]["arn"] == SHARED_CLUSTER
    assert statements["RunTheJobsTask"]["Condition"] == {"ArnEquals": {"ecs:cluster": SHARED_CLUSTER}}
    assert statements["TagTheTaskItStarts"]["Resource"].endswith(":task/shared-dev/*")


# --- Config errors -----------------------------------------------------------------------------------------

RATE_OR_CRON = (
    "must be rate(<n> minute(s)|hour(s)|day(s)), e.g. rate(1 hour), or cron(<minutes> <hours> "
    "<day-of-month> <month> <day-of-week> <year>), e.g. cron(0 2 * * ? *)"
)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        (
            {"nightly-report:schedule": "every night"},
            f"nightly-report:schedule: {RATE_OR_CRON} (given 'every night')",
        ),
        (
            {"nightly-report:schedule": "rate(1 hours)"},
            "nightly-report:schedule: must use a singular unit for 1 and a plural one otherwise, e.g. "
            "rate(1 hour), rate(6 hours) (given 'rate(1 hours)')",
        ),
        (
            {"nightly-report:schedule": "cron(0 2 * * *)"},
            "nightly-report:schedule: a cron expression has 6 fields (minutes hours day-of-month month "
            "day-of-week year); this one has 5, e.g. cron(0 2 * * ? *) (given 'cron(0 2 * * *)')",
        ),
        (
            {"nightly-report:schedule": "cron(0 2 * * * *)"},
            "nightly-report:schedule: exactly one of day-of-month (3rd field) and day-of-week (5th field) must "
            "be '?', e.g. cron(0 2 * * ? *) (given 'cron(0 2 * * * *)')",
        ),
        (
            {"nightly-report:schedule": "cron(0 2 ; * ? *)"},
            "nightly-report:schedule: cron field(s) day-of-month hold characters a cron expression cannot "
            "(given 'cron(0 2 ; * ? *)')",
        ),
        (
            {"nightly-report:schedule": "at(2030-01-01T00:00:00)"},
            f"nightly-report:schedule: {RATE_OR_CRON} (given 'at(2030-01-01T00:00:00)')",
        ),
        (
            {"nightly-report:timezone": "Mars/Olympus"},
            "nightly-report:timezone: must be an IANA time zone name such as UTC, Europe/London or "
            "America/New_York (given 'Mars/Olympus')",
        ),
        (
            {"nightly-report:maxRetryAttempts": "200"},
            "nightly-report:maxRetryAttempts: Input should be less than or equal to 185 (given '200')",
        ),
        (
            {"nightly-report:maxEventAgeSeconds": "30"},
            "nightly-report:maxEventAgeSeconds: Input should be greater than or equal to 60 (given '30')",
        ),
        ({"nightly-report:schedule": None}, "nightly-report:schedule: required, but not set"),
        (
            {"nightly-report:imageTag": None},
            "nightly-report:image: set exactly one of imageTag (a tag in the service's ECR repository) or "
            "image (given null)",
        ),
    ],
)
def test_a_bad_config_value_is_one_line_naming_its_key_and_what_is_allowed(overrides, problem):
    problems, registered = _problems(overrides)

    assert problems == [problem]
    assert registered == 0


@pytest.mark.parametrize(
    "expression",
    ["rate(1 minute)", "rate(15 minutes)", "cron(30 6 ? * MON-FRI *)", "cron(0/15 * * * ? 2030)"],
)
def test_valid_rate_and_cron_expressions_are_taken_as_written(expression):
    run, errors = _run({**BASE_CONFIG, "nightly-report:schedule": expression})

    assert not errors
    assert run.one(SCHEDULE).inputs["scheduleExpression"] == expression


def test_the_example_stack_program_is_five_lines():
    lines = [
        line for line in (STACKS / "nightly-report" / "__main__.py").read_text().splitlines() if line.strip()
    ]

    assert len(lines) <= 5


def test_the_json_schema_refuses_a_schedule_that_is_neither_rate_nor_cron():
    import jsonschema

    from ..conftest import ROOT

    document = json.loads((ROOT / "docs" / "schemas" / "scheduled-job.schema.json").read_text())
    config = {
        "team": "analytics",
        "costCenter": "cc-1",
        "environment": "dev",
        "github": {"repository": "acme/nightly-report"},
        "imageTag": "1.0.0",
        "schedule": "every night",
    }
    errors = jsonschema.Draft202012Validator(document).iter_errors(config)

    assert [e.json_path for e in errors] == ["$.schedule"]
