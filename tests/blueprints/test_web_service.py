"""The WebService blueprint under mocks, from the example stack's own config."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
import yaml
from typer.testing import CliRunner

from goldenpath.blueprints import WebService
from goldenpath.cli import app
from goldenpath.config import ConfigError
from goldenpath.harness import run_under_mocks

from ..conftest import STACKS

BLUEPRINT = "goldenpath:blueprints:WebService"
COMPONENTS = {
    "goldenpath:aws:Network",
    "goldenpath:aws:Logging",
    "goldenpath:aws:Secrets",
    "goldenpath:aws:Service",
    "goldenpath:aws:Monitoring",
    "goldenpath:aws:Ci",
}
BASE_CONFIG = {
    "payments-api:team": "payments",
    "payments-api:costCenter": "cc-1042",
    "payments-api:environment": "dev",
    "payments-api:certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0f4b1c52-8a3e-4c1d-9d57-1b2c3d4e5f60",
    "payments-api:imageTag": "1.4.2",
    "payments-api:github": json.dumps({"repository": "acme/payments-api"}),
}


def _run(config: dict[str, str], secret_keys: list[str] | None = None):
    errors: list[ConfigError] = []

    def program():
        try:
            WebService("payments-api")
        except ConfigError as error:
            errors.append(error)

    run = run_under_mocks(
        program, project="payments-api", stack="dev", config=config, secret_keys=secret_keys
    )
    return run, errors


def _problems(overrides: dict[str, str | None]) -> tuple[list[str], int]:
    # An override of None removes the key from the base config.
    config = {k: v for k, v in {**BASE_CONFIG, **overrides}.items() if v is not None}
    run, errors = _run(config)
    assert errors, "expected a config error"
    return errors[0].problems, len(run.resources)


def _count(run, type_token: str) -> int:
    return len(run.by_type(type_token))


# --- Resource graph ---------------------------------------------------------------------------


def test_dev_stack_registers_the_blueprint_and_each_component(payments_dev):
    types = Counter(r.type for r in payments_dev.resources if not r.custom)

    assert types[BLUEPRINT] == 1
    assert set(types) >= COMPONENTS
    # The Network reuses Logging for its flow logs: one for the service, one for the VPC.
    assert types["goldenpath:aws:Logging"] == 2


def test_every_resource_descends_from_the_blueprint(payments_dev):
    blueprint = payments_dev.one(BLUEPRINT)
    by_urn = {r.urn: r for r in payments_dev.resources}

    for resource in payments_dev.resources:
        if resource is blueprint:
            continue
        parent = by_urn.get(resource.parent)
        while parent is not None and parent is not blueprint:
            parent = by_urn.get(parent.parent)
        assert parent is blueprint, f"{resource.name} is not inside the blueprint"


def test_dev_stack_has_the_expected_resource_counts(payments_dev):
    run = payments_dev
    assert _count(run, "aws:ec2/vpc:Vpc") == 1
    assert _count(run, "aws:ec2/subnet:Subnet") == 4
    assert _count(run, "aws:ec2/natGateway:NatGateway") == 1
    assert _count(run, "aws:ecs/service:Service") == 1
    assert _count(run, "aws:lb/loadBalancer:LoadBalancer") == 1
    assert _count(run, "aws:lb/listener:Listener") == 2
    assert _count(run, "aws:secretsmanager/secret:Secret") == 2
    assert _count(run, "aws:cloudwatch/metricAlarm:MetricAlarm") >= 5
    assert _count(run, "aws:ecr/repository:Repository") == 1
    assert _count(run, "aws:cloudwatch/dashboard:Dashboard") == 1


def test_every_kms_key_in_the_stack_rotates(payments_dev):
    keys = payments_dev.by_type("aws:kms/key:Key")

    assert keys
    assert all(k.inputs.get("enableKeyRotation") is True for k in keys)


# --- Tags ------------------------------------------------------------------------------------------


def test_every_taggable_resource_carries_the_standard_tags(payments_dev):
    from goldenpath.taggable import is_taggable

    expected = {
        "team": "payments",
        "service": "payments-api",
        "environment": "dev",
        "cost-center": "cc-1042",
        "managed-by": "goldenpath",
        "goldenpath:blueprint": "WebService",
    }
    taggable = [r for r in payments_dev.resources if r.custom and is_taggable(r.type)]

    assert len(taggable) > 30
    for resource in taggable:
        tags = resource.inputs.get("tags") or {}
        missing = {k: v for k, v in expected.items() if tags.get(k) != v}
        assert not missing, f"{resource.type} {resource.name} lacks {missing}"
        assert tags.get("goldenpath:version")


# --- Dev and prod differ where the config says --------------------------------------------------


def test_prod_runs_more_tasks_than_dev(payments_dev, payments_prod):
    dev = payments_dev.one("aws:ecs/service:Service").inputs["desiredCount"]
    prod = payments_prod.one("aws:ecs/service:Service").inputs["desiredCount"]

    assert (dev, prod) == (1, 3)


def test_prod_keeps_service_logs_a_year_and_dev_a_month(payments_dev, payments_prod):
    def retention(run):
        group = next(r for r in run.by_type("aws:cloudwatch/logGroup:LogGroup") if "network" not in r.name)
        return group.inputs["retentionInDays"]

    assert (retention(payments_dev), retention(payments_prod)) == (30, 365)


def _log_retention(run) -> dict[str, int]:
    """Retention days of the service's log group and of the VPC flow log group."""
    groups = run.by_type("aws:cloudwatch/logGroup:LogGroup")
    return {"flow-logs" if "network" in g.name else "service": g.inputs["retentionInDays"] for g in groups}


def test_flow_logs_keep_the_environments_retention_by_default(payments_dev):
    assert _log_retention(payments_dev) == {"service": 30, "flow-logs": 30}


def test_flow_log_retention_is_a_config_key_of_its_own():
    run, errors = _run({**BASE_CONFIG, "payments-api:flowLogRetentionDays": "90"})

    assert not errors
    assert _log_retention(run) == {"service": 30, "flow-logs": 90}


def test_flow_log_retention_with_an_existing_vpc_is_refused():
    vpc = {"vpcId": "vpc-0abc1234", "publicSubnetIds": ["s-1", "s-2"], "privateSubnetIds": ["s-3", "s-4"]}
    problems, registered = _problems(
        {"payments-api:flowLogRetentionDays": "90", "payments-api:vpc": json.dumps(vpc)}
    )

    assert registered == 0
    assert any(p.startswith("payments-api:vpc:") and "flowLogRetentionDays" in p for p in problems), problems


def test_the_readme_pack_config_passes_the_example_stack_when_both_log_groups_keep_90_days(tmp_path):
    project = tmp_path / "payments-api"
    shutil.copytree(STACKS / "payments-api", project)
    stack_file = project / "Pulumi.dev.yaml"
    stack = yaml.safe_load(stack_file.read_text())
    stack["config"].update({"payments-api:logRetentionDays": 90, "payments-api:flowLogRetentionDays": 90})
    stack_file.write_text(yaml.safe_dump(stack))
    pack_config = tmp_path / "policy-config.json"
    pack_config.write_text(json.dumps({"aws-cloudwatch-log-retention": {"minimumDays": 90}}))

    result = CliRunner().invoke(
        app, ["check", str(project), "--pack-config", str(pack_config), "--format", "json"]
    )
    findings = json.loads(result.stdout)["findings"]

    assert result.exit_code == 0, result.output
    assert [f for f in findings if f["policy"] == "aws-cloudwatch-log-retention"] == []


def test_prod_load_balancer_has_deletion_protection_and_dev_does_not(payments_dev, payments_prod):
    def protected(run):
        return run.one("aws:lb/loadBalancer:LoadBalancer").inputs.get("enableDeletionProtection")

    assert (bool(protected(payments_dev)), protected(payments_prod)) == (False, True)


def test_prod_alarms_are_stricter_than_dev(payments_dev, payments_prod):
    def five_xx(run):
        alarm = next(
            r
            for r in run.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
            if r.inputs.get("metricName") == "HTTPCode_Target_5XX_Count"
        )
        return alarm.inputs["threshold"]

    assert (five_xx(payments_dev), five_xx(payments_prod)) == (25, 5)


def test_prod_has_a_nat_gateway_per_availability_zone(payments_prod):
    assert _count(payments_prod, "aws:ec2/natGateway:NatGateway") == 2


def test_prod_task_size_follows_config(payments_prod):
    task = payments_prod.one("aws:ecs/taskDefinition:TaskDefinition").inputs

    assert (task["cpu"], task["memory"]) == ("1024", "2048")


# --- CI access ---------------------------------------------------------------------------------------


def _deploy_trust(run) -> dict:
    role = next(r for r in run.by_type("aws:iam/role:Role") if "deploy" in r.name)
    return json.loads(role.inputs["assumeRolePolicy"])


def test_deploy_role_trust_is_limited_to_the_repository_branch(payments_dev):
    (statement,) = _deploy_trust(payments_dev)["Statement"]
    conditions = json.dumps(statement["Condition"])

    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert '"repo:acme/payments-api:ref:refs/heads/main"' in conditions
    assert '"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"' in conditions
    assert "*" not in conditions


def test_prod_deploy_role_also_trusts_the_production_environment(payments_prod):
    conditions = json.dumps(_deploy_trust(payments_prod)["Statement"][0]["Condition"])

    assert "repo:acme/payments-api:environment:production" in conditions


def test_the_service_runs_the_pinned_image_from_its_own_repository(payments_dev):
    containers = json.loads(
        payments_dev.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"]
    )

    assert containers[0]["image"].endswith("/payments-api-dev:1.4.2")


def test_secrets_are_injected_by_arn_as_environment_variables(payments_dev):
    containers = json.loads(
        payments_dev.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"]
    )

    assert {s["name"] for s in containers[0]["secrets"]} == {"DATABASE_URL", "STRIPE_API_KEY"}
    assert all(s["valueFrom"].startswith("arn:aws:") for s in containers[0]["secrets"])


# --- Config errors name the key, before any resource is registered ---------------------------------


@pytest.mark.parametrize(
    ("overrides", "key", "fragment"),
    [
        (
            {"payments-api:github": json.dumps({"repository": "payments"})},
            "payments-api:github.repository",
            "owner/name",
        ),
        ({"payments-api:memory": "700"}, "payments-api:memory", "512, 1024, 2048"),
        ({"payments-api:cpu": "300"}, "payments-api:cpu", "256, 512"),
        ({"payments-api:imageTag": "latest"}, "payments-api:imageTag", "'latest' is not allowed"),
        ({"payments-api:environment": "qa"}, "payments-api:environment", "'dev', 'staging' or 'prod'"),
        ({"payments-api:logRetentionDays": "10"}, "payments-api:logRetentionDays", "30, 60, 90"),
        ({"payments-api:flowLogRetentionDays": "10"}, "payments-api:flowLogRetentionDays", "30, 60, 90"),
        ({"payments-api:certificateArn": "my-cert"}, "payments-api:certificateArn", "ACM certificate ARN"),
        ({"payments-api:desiredCount": "9"}, "payments-api:maxCount", "minCount ≤ desiredCount ≤ maxCount"),
        ({"payments-api:replicas": "3"}, "payments-api:replicas", "unknown key"),
        # Found by benchmarks/fuzz.py: a blank or control-character cost center passed the config
        # and then failed platform-required-tags on every resource.
        ({"payments-api:costCenter": "\u001d"}, "payments-api:costCenter", "must not be blank"),
        ({"payments-api:costCenter": "cc\u0007-1"}, "payments-api:costCenter", "'\\x07'; an AWS tag value"),
    ],
)
def test_a_bad_config_value_names_its_key_and_what_is_allowed(overrides, key, fragment):
    problems, registered = _problems(overrides)

    assert any(p.startswith(f"{key}:") and fragment in p for p in problems), problems
    assert registered == 0


def test_numeric_looking_text_stays_text_where_the_config_wants_text():
    run, errors = _run(
        {**BASE_CONFIG, "payments-api:costCenter": "1042", "payments-api:imageTag": "20240101"}
    )
    tags = run.one("aws:ecs/cluster:Cluster").inputs["tags"]

    assert not errors
    assert tags["cost-center"] == "1042"


def _github(**fields: object) -> str:
    return json.dumps({"repository": "acme/payments-api", **fields})


# Values each config model once let through to a component whose Args refused them.
@pytest.mark.parametrize(
    ("overrides", "key", "fragment"),
    [
        (
            {"payments-api:github": _github(branch="release:1")},
            "payments-api:github.branch",
            "one branch name",
        ),
        (
            {"payments-api:github": _github(environments=["prod*"])},
            "payments-api:github.environments",
            "without wildcards",
        ),
        (
            {"payments-api:github": _github(repository="acme/..")},
            "payments-api:github.repository",
            "owner/name",
        ),
        (
            {
                "payments-api:github": _github(
                    oidcProviderArn="arn:aws:iam::123456789012:oidc-provider/gitlab.com"
                )
            },
            "payments-api:github.oidcProviderArn",
            "GitHub OIDC provider",
        ),
        (
            {"payments-api:imageTag": None, "payments-api:image": "app@sha256:short"},
            "payments-api:image",
            "malformed digest",
        ),
        ({"payments-api:clusterArn": "shared-dev"}, "payments-api:clusterArn", "ECS cluster ARN"),
        (
            {"payments-api:clusterArn": "arn:aws:ecs:eu-west-1:123456789012:service/shared-dev/api"},
            "payments-api:clusterArn",
            "arn:aws:ecs:<region>:<account>:cluster/<name>",
        ),
        (
            {
                "payments-api:alarmSubscriptions": json.dumps(
                    [{"protocol": "sms", "endpoint": "+441234567890"}]
                )
            },
            "payments-api:alarmSubscriptions.0.protocol",
            "use one of email, https, sqs, lambda",
        ),
        (
            {"payments-api:alarmSubscriptions": json.dumps([{"protocol": "email", "endpoint": "on-call"}])},
            "payments-api:alarmSubscriptions.0.endpoint",
            "expected an email address",
        ),
        (
            {"payments-api:secrets": json.dumps(["1password"])},
            "payments-api:secrets",
            "not start with a digit",
        ),
        (
            {"payments-api:secrets": json.dumps(["db-url", "db_url"])},
            "payments-api:secrets",
            "'db-url' and 'db_url' would share the environment variable DB_URL",
        ),
        (
            {
                "payments-api:secrets": json.dumps(["api-key"]),
                "payments-api:environmentVariables": json.dumps({"API_KEY": "x"}),
            },
            "payments-api:environmentVariables",
            "API_KEY would also be injected from secrets",
        ),
    ],
)
def test_a_value_a_component_would_refuse_is_a_config_error_naming_its_key(overrides, key, fragment):
    problems, registered = _problems(overrides)

    assert any(p.startswith(f"{key}:") and fragment in p for p in problems), problems
    assert registered == 0


# --- An existing ECS cluster -------------------------------------------------------------------------

SHARED_CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/shared-dev"


@pytest.fixture(scope="module")
def on_shared_cluster():
    run, errors = _run({**BASE_CONFIG, "payments-api:clusterArn": SHARED_CLUSTER})
    assert not errors
    return run


def test_an_existing_cluster_arn_creates_no_cluster_and_runs_the_service_on_it(on_shared_cluster):
    assert on_shared_cluster.by_type("aws:ecs/cluster:Cluster") == []
    assert on_shared_cluster.one("aws:ecs/service:Service").inputs["cluster"] == SHARED_CLUSTER


def test_the_deploy_role_may_roll_out_only_the_service_on_the_existing_cluster(on_shared_cluster):
    (deploy,) = [p for p in on_shared_cluster.by_type("aws:iam/rolePolicy:RolePolicy") if "deploy" in p.name]
    (roll_out,) = [s for s in json.loads(deploy.inputs["policy"])["Statement"] if s["Sid"] == "EcsRollOut"]

    assert roll_out["Resource"].endswith(":service/shared-dev/payments-api")


def test_autoscaling_and_alarms_name_the_existing_cluster(on_shared_cluster):
    target = on_shared_cluster.one("aws:appautoscaling/target:Target").inputs
    ecs_alarms = [
        alarm.inputs
        for alarm in on_shared_cluster.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if alarm.inputs["namespace"] == "AWS/ECS"
    ]

    assert target["resourceId"] == "service/shared-dev/payments-api"
    assert ecs_alarms
    assert all(alarm["dimensions"]["ClusterName"] == "shared-dev" for alarm in ecs_alarms)


def test_alarm_subscriptions_from_config_subscribe_to_the_alarm_topic():
    run, errors = _run(
        {
            **BASE_CONFIG,
            "payments-api:alarmSubscriptions": json.dumps(
                [{"protocol": "email", "endpoint": "on-call@example.com"}]
            ),
        }
    )
    (subscription,) = run.by_type("aws:sns/topicSubscription:TopicSubscription")

    assert not errors
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == (
        "email",
        "on-call@example.com",
    )


def test_a_missing_required_key_is_named():
    config = {k: v for k, v in BASE_CONFIG.items() if k != "payments-api:team"}
    run, errors = _run(config)

    assert errors[0].problems == ["payments-api:team: required, but not set"]


def test_plaintext_secret_values_are_refused():
    config = {
        **BASE_CONFIG,
        "payments-api:secrets": json.dumps(["api-key"]),
        "payments-api:secretValues": json.dumps({"api-key": "hunter2"}),
    }
    _, errors = _run(config)

    assert "pulumi config set --secret" in errors[0].problems[0]


def test_secret_config_values_become_secret_secret_versions():
    config = {
        **BASE_CONFIG,
        "payments-api:secrets": json.dumps(["api-key"]),
        "payments-api:secretValues": json.dumps({"api-key": "hunter2"}),
    }
    run, errors = _run(config, secret_keys=["payments-api:secretValues"])
    (version,) = run.by_type("aws:secretsmanager/secretVersion:SecretVersion")
    raw = version.properties.fields["secretString"]

    assert not errors
    assert (
        raw.struct_value.fields["4dabf18193072939515e22adb298388d"].string_value
        == "1b47061264138c4ac30d75fd1eb44270"
    )


def test_an_existing_vpc_replaces_the_network():
    config = {
        **BASE_CONFIG,
        "payments-api:vpc": json.dumps(
            {
                "vpcId": "vpc-0abc1234",
                "publicSubnetIds": ["subnet-1", "subnet-2"],
                "privateSubnetIds": ["subnet-3", "subnet-4"],
            }
        ),
    }
    run, errors = _run(config)

    assert not errors
    assert run.by_type("goldenpath:aws:Network") == []
    assert run.one("aws:ecs/service:Service").inputs["networkConfiguration"]["subnets"] == [
        "subnet-3",
        "subnet-4",
    ]


def test_the_example_stack_program_is_five_lines():
    lines = [
        line for line in (STACKS / "payments-api" / "__main__.py").read_text().splitlines() if line.strip()
    ]

    assert len(lines) <= 5
