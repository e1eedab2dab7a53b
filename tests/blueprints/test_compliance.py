"""Blueprints are compliant by construction: no mandatory violation, whatever valid inputs they get."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goldenpath import conventions
from goldenpath.blueprints import (
    ScheduledJob,
    ScheduledJobConfig,
    WebService,
    WebServiceConfig,
    Worker,
    WorkerConfig,
)
from goldenpath.check import resource_input
from goldenpath.harness import run_under_mocks


def _blocking(processes, run) -> list[str]:
    inputs = [resource_input(r) for r in run.evaluated if r.custom]
    return sorted(
        f"{d.policy} on {d.urn.rsplit('::', 1)[-1]}: {d.message}"
        for process in processes
        for d in process.evaluate(inputs)
        if d.enforcement == "mandatory"
    )


def _run(config: WebServiceConfig, name: str = "svc"):
    return run_under_mocks(
        lambda: WebService(name, config),
        project=name,
        stack=config.environment,
        config={"aws:region": "eu-west-1"},
    )


MINIMAL = {
    "team": "payments",
    "costCenter": "cc-1",
    "environment": "dev",
    "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0f4b1c52-8a3e-4c1d-9d57-1b2c3d4e5f60",
    "imageTag": "1.0.0",
    "github": {"repository": "acme/svc"},
}


@pytest.mark.parametrize("environment", conventions.ENVIRONMENTS)
def test_web_service_defaults_have_no_mandatory_violation(aws_packs, environment):
    config = WebServiceConfig.model_validate({**MINIMAL, "environment": environment})

    assert _blocking(aws_packs, _run(config)) == []


fargate_sizes = st.sampled_from(
    [(cpu, memory) for cpu, memories in conventions.FARGATE_CPU_MEMORY.items() for memory in memories]
)
counts = st.tuples(st.integers(1, 4), st.integers(0, 3), st.integers(0, 6)).map(
    lambda t: (t[0], t[0] + t[1], t[0] + t[1] + t[2])
)
secret_names = st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), max_size=3, unique=True)


@st.composite
def web_service_configs(draw):
    cpu, memory = draw(fargate_sizes)
    low, desired, high = draw(counts)
    config = {
        **MINIMAL,
        "environment": draw(st.sampled_from(conventions.ENVIRONMENTS)),
        "cpu": cpu,
        "memory": memory,
        "minCount": low,
        "desiredCount": desired,
        "maxCount": high,
        "containerPort": draw(st.integers(1024, 65535)),
        "secrets": draw(secret_names),
        "logRetentionDays": draw(st.sampled_from([None, 30, 90, 365, 731])),
        "deletionProtection": draw(st.sampled_from([None, True, False])),
        "github": {
            "repository": "acme/svc",
            "branch": draw(st.sampled_from(["main", "release"])),
            "environments": draw(st.lists(st.sampled_from(["staging", "production"]), unique=True)),
        },
    }
    if draw(st.booleans()):
        config["vpc"] = {
            "vpcId": "vpc-0abc1234",
            "publicSubnetIds": ["subnet-1", "subnet-2"],
            "privateSubnetIds": ["subnet-3", "subnet-4"],
        }
    return WebServiceConfig.model_validate(config)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=web_service_configs())
def test_web_service_has_no_mandatory_violation_for_any_valid_config(aws_packs, config):
    assert _blocking(aws_packs, _run(config)) == []


# --- Worker and ScheduledJob ---------------------------------------------------------------------------

TASK_MINIMAL = {
    "team": "orders",
    "costCenter": "cc-1",
    "imageTag": "1.0.0",
    "github": {"repository": "acme/svc"},
}
JOB_MINIMAL = {**TASK_MINIMAL, "schedule": "cron(0 2 * * ? *)"}
PRIVATE_VPC = {"vpcId": "vpc-0abc1234", "privateSubnetIds": ["subnet-3", "subnet-4"]}


def _run_blueprint(blueprint, config, name: str = "svc"):
    return run_under_mocks(
        lambda: blueprint(name, config),
        project=name,
        stack=config.environment,
        config={"aws:region": "eu-west-1"},
    )


@pytest.mark.parametrize("environment", conventions.ENVIRONMENTS)
def test_worker_defaults_have_no_mandatory_violation(aws_packs, environment):
    config = WorkerConfig.model_validate({**TASK_MINIMAL, "environment": environment})

    assert _blocking(aws_packs, _run_blueprint(Worker, config)) == []


@pytest.mark.parametrize("environment", conventions.ENVIRONMENTS)
def test_scheduled_job_defaults_have_no_mandatory_violation(aws_packs, environment):
    config = ScheduledJobConfig.model_validate({**JOB_MINIMAL, "environment": environment})

    assert _blocking(aws_packs, _run_blueprint(ScheduledJob, config)) == []


def _task_config(draw) -> dict:
    cpu, memory = draw(fargate_sizes)
    config = {
        "environment": draw(st.sampled_from(conventions.ENVIRONMENTS)),
        "cpu": cpu,
        "memory": memory,
        "secrets": draw(secret_names),
        "command": draw(st.lists(st.sampled_from(["python", "-m", "app", "--once"]), max_size=4)),
        "logRetentionDays": draw(st.sampled_from([None, 30, 90, 365, 731])),
        "github": {
            "repository": "acme/svc",
            "branch": draw(st.sampled_from(["main", "release"])),
            "environments": draw(st.lists(st.sampled_from(["staging", "production"]), unique=True)),
        },
        "alarmSubscriptions": draw(
            st.lists(st.just({"protocol": "email", "endpoint": "on-call@example.com"}), max_size=1)
        ),
    }
    if draw(st.booleans()):
        config["vpc"] = PRIVATE_VPC
    if draw(st.booleans()):
        config["clusterArn"] = "arn:aws:ecs:eu-west-1:123456789012:cluster/shared"
    return config


@st.composite
def worker_configs(draw):
    low = draw(st.integers(1, 5))
    return WorkerConfig.model_validate(
        {
            **TASK_MINIMAL,
            **_task_config(draw),
            "minCount": low,
            "maxCount": low + draw(st.integers(0, 20)),
            "backlogPerTask": draw(st.integers(1, 1000)),
            "visibilityTimeoutSeconds": draw(st.integers(0, 43_200)),
            "maxReceiveCount": draw(st.integers(1, 1000)),
            "messageRetentionSeconds": draw(st.integers(60, 1_209_600)),
        }
    )


@st.composite
def scheduled_job_configs(draw):
    return ScheduledJobConfig.model_validate(
        {
            **TASK_MINIMAL,
            **_task_config(draw),
            "schedule": draw(st.sampled_from(["rate(1 hour)", "rate(15 minutes)", "cron(0 2 * * ? *)"])),
            "timezone": draw(st.sampled_from(["UTC", "Europe/London", "America/New_York"])),
            "enabled": draw(st.booleans()),
            "maxRetryAttempts": draw(st.integers(0, 185)),
            "maxEventAgeSeconds": draw(st.integers(60, 86_400)),
        }
    )


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=worker_configs())
def test_worker_has_no_mandatory_violation_for_any_valid_config(aws_packs, config):
    assert _blocking(aws_packs, _run_blueprint(Worker, config)) == []


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=scheduled_job_configs())
def test_scheduled_job_has_no_mandatory_violation_for_any_valid_config(aws_packs, config):
    assert _blocking(aws_packs, _run_blueprint(ScheduledJob, config)) == []
