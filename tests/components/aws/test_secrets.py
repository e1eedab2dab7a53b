"""Secrets: encrypted secrets whose values stay secret, and a policy that reads exactly them."""

from __future__ import annotations

import importlib
import inspect
import json

import pulumi
import pytest
from pydantic import ValidationError

from goldenpath.components.aws.secrets import Secrets, SecretsArgs
from goldenpath.harness import MOCK_ACCOUNT_ID, MOCK_REGION, ProgramRun, RecordedResource, run_under_mocks

TAGS = {"team": "payments", "service": "payments-api", "cost-center": "cc-42"}
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
POLICY = "aws:iam/policy:Policy"
# How Pulumi marks a secret value on the wire (rpc._special_sig_key / _special_secret_sig).
SECRET_SIGNATURE = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def run_secrets(values=None, **overrides) -> ProgramRun:
    """Run Secrets; ``values`` maps names to plain text, turned into Outputs inside the program."""

    def program():
        fields = {
            "service": "payments-api",
            "environment": "prod",
            "names": ["db-password", "api_key"],
            "tags": TAGS,
            **overrides,
        }
        outputs = {k: pulumi.Output.secret(v) for k, v in (values or {}).items()}
        Secrets("secrets", SecretsArgs(values=outputs, **fields))

    return run_under_mocks(program)


def takes_tags(resource: RecordedResource) -> bool:
    module, class_name = resource.type.split(":")[1].split("/")[0], resource.type.split(":")[2]
    resource_class = getattr(importlib.import_module(f"pulumi_aws.{module}"), class_name)
    return "tags" in inspect.signature(resource_class._internal_init).parameters


def depends_on(run: ProgramRun, resource: RecordedResource, prop: str) -> list[RecordedResource]:
    urns = set(resource.property_dependencies.get(prop, ()))
    return [r for r in run.resources if r.urn in urns]


def test_one_secret_per_name_under_the_service_and_environment():
    run = run_secrets()

    assert sorted(s.inputs["name"] for s in run.by_type(SECRET)) == [
        "goldenpath/payments-api/prod/api_key",
        "goldenpath/payments-api/prod/db-password",
    ]


def test_every_secret_is_encrypted_with_the_component_key():
    run = run_secrets()
    key = run.one(KEY)

    for secret in run.by_type(SECRET):
        assert depends_on(run, secret, "kmsKeyId") == [key], secret.name


def test_key_rotates():
    key = run_secrets().one(KEY).inputs

    assert key["enableKeyRotation"] is True
    assert key["rotationPeriodInDays"] == 365
    assert key["deletionWindowInDays"] == 30


def test_alias_names_the_component_key():
    run = run_secrets()
    alias = run.one(ALIAS)

    assert alias.inputs["name"] == "alias/goldenpath/payments-api/prod/secrets"
    assert depends_on(run, alias, "targetKeyId") == [run.one(KEY)]


def test_deleted_secrets_stay_recoverable_for_thirty_days_by_default():
    run = run_secrets()

    assert {s.inputs["recoveryWindowInDays"] for s in run.by_type(SECRET)} == {30}


@pytest.mark.parametrize("days", [0, 6, 31])
def test_recovery_window_outside_seven_to_thirty_days_is_refused(days):
    with pytest.raises(ValidationError, match="recovery_window_in_days"):
        SecretsArgs(
            service="payments-api", environment="prod", names=["a"], recovery_window_in_days=days, tags=TAGS
        )


def test_a_version_is_stored_only_for_secrets_given_a_value():
    run = run_secrets(values={"db-password": "hunter2"})
    (version,) = run.by_type(VERSION)

    assert depends_on(run, version, "secretId") == [
        r for r in run.by_type(SECRET) if r.name.endswith("db-password")
    ]


def test_secret_values_reach_the_engine_as_secrets():
    run = run_secrets(values={"db-password": "hunter2"})
    secret_string = run.one(VERSION).inputs["secretString"]

    assert SECRET_SIGNATURE.items() <= secret_string.items()
    assert secret_string["value"] == "hunter2"


def test_a_value_not_marked_secret_is_stored_as_a_secret_anyway():
    def program():
        unmarked = pulumi.Output.from_input("hunter2")
        Secrets(
            "secrets",
            SecretsArgs(
                service="payments-api",
                environment="prod",
                names=["token"],
                values={"token": unmarked},
                tags=TAGS,
            ),
        )

    secret_string = run_under_mocks(program).one(VERSION).inputs["secretString"]

    assert SECRET_SIGNATURE.items() <= secret_string.items()


def test_a_plain_string_value_is_refused_without_echoing_it():
    with pytest.raises(ValidationError, match="require_secret") as error:
        SecretsArgs(
            service="payments-api",
            environment="prod",
            names=["token"],
            values={"token": "hunter2"},
            tags=TAGS,
        )

    assert "token" in str(error.value)
    assert "hunter2" not in str(error.value)


def test_a_value_for_an_undeclared_secret_is_refused():
    with pytest.raises(ValidationError, match="undeclared secrets: stray"):
        SecretsArgs(
            service="payments-api",
            environment="prod",
            names=["token"],
            values={"stray": pulumi.Output.secret("x")},
            tags=TAGS,
        )


@pytest.mark.parametrize("name", ["has space", "slash/ed", "dot.ted", ""])
def test_a_secret_name_with_other_characters_is_refused(name):
    with pytest.raises(ValidationError, match="letters, digits"):
        SecretsArgs(service="payments-api", environment="prod", names=[name], tags=TAGS)


def test_a_repeated_secret_name_is_refused():
    with pytest.raises(ValidationError, match="unique; repeated: token"):
        SecretsArgs(service="payments-api", environment="prod", names=["token", "other", "token"], tags=TAGS)


def test_read_policy_reads_exactly_the_declared_secrets():
    run = run_secrets(names=["db-password", "api_key", "token"])
    policy = run.one(POLICY)
    statements = json.loads(policy.inputs["policy"])["Statement"]
    secrets = run.by_type(SECRET)

    read = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    assert len(read) == 1
    assert sorted(read[0]["Action"]) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert {r.urn for r in depends_on(run, policy, "policy")} == {r.urn for r in [*secrets, run.one(KEY)]}
    assert len(read[0]["Resource"]) == len(secrets) == 3
    assert set(read[0]["Resource"]) == {
        f"arn:aws:secretsmanager:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:{s.name}" for s in secrets
    }


def test_read_policy_decrypts_with_the_key_only_through_secrets_manager():
    run = run_secrets()
    statements = json.loads(run.one(POLICY).inputs["policy"])["Statement"]

    decrypt = [s for s in statements if s["Action"] == "kms:Decrypt"]
    assert len(decrypt) == 1
    assert decrypt[0]["Resource"] == f"arn:aws:kms:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:{run.one(KEY).name}"
    assert decrypt[0]["Condition"] == {
        "StringEquals": {"kms:ViaService": f"secretsmanager.{MOCK_REGION}.amazonaws.com"}
    }
    assert len(statements) == 2


def test_no_names_means_no_secrets_and_no_read_policy():
    seen = {}

    def program():
        secrets = Secrets("secrets", SecretsArgs(service="payments-api", environment="prod", tags=TAGS))
        seen["read_policy_arn"] = secrets.read_policy_arn
        seen["secret_arns"] = secrets.secret_arns

    run = run_under_mocks(program)

    assert run.by_type(SECRET) == []
    assert run.by_type(POLICY) == []
    assert seen == {"read_policy_arn": None, "secret_arns": {}}


def test_outputs_give_each_secret_arn_by_name_and_the_read_policy_arn():
    seen: dict[str, object] = {}

    def program():
        secrets = Secrets(
            "secrets",
            SecretsArgs(
                service="payments-api", environment="prod", names=["db-password", "api_key"], tags=TAGS
            ),
        )
        for secret, arn in secrets.secret_arns.items():
            arn.apply(lambda value, secret=secret: seen.__setitem__(secret, value))
        secrets.read_policy_arn.apply(lambda value: seen.__setitem__("read_policy_arn", value))

    run_under_mocks(program)

    assert seen["db-password"].endswith(":secrets-db-password")
    assert seen["api_key"].endswith(":secrets-api_key")
    assert seen["read_policy_arn"].startswith("arn:aws:iam:")


def test_every_taggable_resource_carries_the_given_tags():
    run = run_secrets(values={"db-password": "hunter2"})
    taggable = [r for r in run.resources if r.custom and takes_tags(r)]

    assert {r.type for r in taggable} == {KEY, SECRET, POLICY}
    for resource in taggable:
        assert TAGS.items() <= resource.inputs["tags"].items(), resource.name


def test_every_resource_is_a_child_of_the_component():
    run = run_secrets(values={"db-password": "hunter2"})
    component = run.one("goldenpath:aws:Secrets")

    children = [r for r in run.resources if r is not component]
    assert {r.type for r in children} == {KEY, ALIAS, SECRET, VERSION, POLICY}
    assert all(r.parent == component.urn for r in children)
