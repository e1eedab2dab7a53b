"""Logging: an encrypted log group with the retention the platform decided."""

from __future__ import annotations

import importlib
import inspect
import json

import pytest
from pydantic import ValidationError

from goldenpath.components.aws.logging import Logging, LoggingArgs
from goldenpath.conventions import LOG_RETENTION_ALLOWED, LOG_RETENTION_MINIMUM_DAYS
from goldenpath.harness import MOCK_ACCOUNT_ID, MOCK_REGION, ProgramRun, RecordedResource, run_under_mocks

TAGS = {"team": "payments", "service": "payments-api", "cost-center": "cc-42"}
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def run_logging(**overrides) -> ProgramRun:
    fields = {"service": "payments-api", "environment": "dev", "tags": TAGS, **overrides}
    return run_under_mocks(lambda: Logging("app", LoggingArgs(**fields)))


def takes_tags(resource: RecordedResource) -> bool:
    module, class_name = resource.type.split(":")[1].split("/")[0], resource.type.split(":")[2]
    resource_class = getattr(importlib.import_module(f"pulumi_aws.{module}"), class_name)
    return "tags" in inspect.signature(resource_class._internal_init).parameters


def depends_on(run: ProgramRun, resource: RecordedResource, prop: str) -> list[RecordedResource]:
    urns = set(resource.property_dependencies.get(prop, ()))
    return [r for r in run.resources if r.urn in urns]


def test_log_group_is_named_for_service_and_environment():
    run = run_logging(environment="staging")

    assert run.one(LOG_GROUP).inputs["name"] == "/goldenpath/payments-api/staging"


def test_purpose_is_appended_to_the_log_group_name():
    run = run_logging(purpose="vpc-flow-logs")

    assert run.one(LOG_GROUP).inputs["name"] == "/goldenpath/payments-api/dev/vpc-flow-logs"


@pytest.mark.parametrize(("environment", "days"), [("dev", 30), ("staging", 90), ("prod", 365)])
def test_retention_defaults_to_the_environment_choice(environment, days):
    run = run_logging(environment=environment)

    assert run.one(LOG_GROUP).inputs["retentionInDays"] == days


def test_explicit_retention_overrides_the_environment_default():
    run = run_logging(environment="dev", retention_days=400)

    assert run.one(LOG_GROUP).inputs["retentionInDays"] == 400


@pytest.mark.parametrize("days", [10, 13, 14, 7, 0])
def test_retention_that_is_not_allowed_is_refused_naming_the_allowed_values(days):
    with pytest.raises(ValidationError) as error:
        LoggingArgs(service="payments-api", environment="dev", retention_days=days, tags=TAGS)

    message = str(error.value)
    assert "retention" in message
    assert f"{days} days" in message
    allowed = [d for d in LOG_RETENTION_ALLOWED if d >= LOG_RETENTION_MINIMUM_DAYS]
    assert ", ".join(str(d) for d in allowed) in message


def test_unknown_environment_is_refused():
    with pytest.raises(ValidationError, match="environment"):
        LoggingArgs(service="payments-api", environment="qa", tags=TAGS)


def test_log_group_is_encrypted_with_the_component_key():
    run = run_logging()
    group = run.one(LOG_GROUP)

    assert depends_on(run, group, "kmsKeyId") == [run.one(KEY)]
    assert group.inputs["kmsKeyId"].startswith("arn:aws:kms:")


def test_key_rotates_yearly_and_waits_before_deletion():
    key = run_logging().one(KEY).inputs

    assert key["enableKeyRotation"] is True
    assert key["rotationPeriodInDays"] == 365
    assert key["deletionWindowInDays"] == 30


def test_key_policy_lets_the_account_administer_the_key():
    statements = json.loads(run_logging().one(KEY).inputs["policy"])["Statement"]

    admin = [s for s in statements if s["Principal"] == {"AWS": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:root"}]
    assert len(admin) == 1
    assert admin[0]["Effect"] == "Allow"


def test_key_policy_lets_cloudwatch_logs_use_the_key_for_this_log_group_only():
    statements = json.loads(run_logging(environment="prod").one(KEY).inputs["policy"])["Statement"]

    logs = [s for s in statements if s["Principal"] == {"Service": f"logs.{MOCK_REGION}.amazonaws.com"}]
    assert len(logs) == 1
    assert set(logs[0]["Action"]) == {
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
    }
    assert logs[0]["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:log-group:/goldenpath/payments-api/prod"
            )
        }
    }


def test_alias_names_the_component_key():
    run = run_logging(environment="prod")
    alias = run.one(ALIAS)

    assert alias.inputs["name"] == "alias/goldenpath/payments-api/prod/logs"
    assert depends_on(run, alias, "targetKeyId") == [run.one(KEY)]


def test_outputs_name_the_log_group_and_the_key():
    seen: dict[str, str] = {}

    def program():
        logging = Logging("app", LoggingArgs(service="payments-api", environment="dev", tags=TAGS))
        for output in ("log_group_name", "log_group_arn", "kms_key_arn"):
            getattr(logging, output).apply(lambda value, output=output: seen.__setitem__(output, value))

    run_under_mocks(program)

    assert seen["log_group_name"] == "/goldenpath/payments-api/dev"
    assert seen["log_group_arn"]
    assert seen["kms_key_arn"].startswith("arn:aws:kms:")


def test_every_taggable_resource_carries_the_given_tags():
    run = run_logging()
    taggable = [r for r in run.resources if r.custom and takes_tags(r)]

    assert {r.type for r in taggable} == {KEY, LOG_GROUP}
    for resource in taggable:
        assert TAGS.items() <= resource.inputs["tags"].items(), resource.name


def test_every_resource_is_a_child_of_the_component():
    run = run_logging()
    component = run.one("goldenpath:aws:Logging")

    children = [r for r in run.resources if r is not component]
    assert {r.type for r in children} == {KEY, ALIAS, LOG_GROUP}
    assert all(r.parent == component.urn for r in children)
