"""The KMS key every component encrypts with: rotating, deletion-delayed, administered by its account."""

from __future__ import annotations

import json

import pulumi

from goldenpath import conventions
from goldenpath.components.aws._kms import encryption_key, key_alias_name
from goldenpath.harness import MOCK_ACCOUNT_ID, ProgramRun, run_under_mocks

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
TAGS = {"team": "payments", "service": "payments-api"}
LOGS_STATEMENT = {
    "Sid": "LogsUseKey",
    "Effect": "Allow",
    "Principal": {"Service": "logs.amazonaws.com"},
    "Action": "kms:Decrypt",
    "Resource": "*",
}


class Holder(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Holder", name)


def run_key(*, alias: str | None, account_id: pulumi.Input[str] = MOCK_ACCOUNT_ID) -> ProgramRun:
    def program() -> None:
        holder = Holder("holder")
        encryption_key(
            "holder-key",
            description="Encrypts test data",
            account_id=account_id,
            partition="aws",
            service_statements=[LOGS_STATEMENT],
            alias=alias,
            tags=TAGS,
            parent=holder,
        )

    return run_under_mocks(program)


def test_key_rotates_and_waits_before_deletion_as_the_conventions_decide() -> None:
    key = run_key(alias=None).one(KEY).inputs

    assert (key["enableKeyRotation"], key["rotationPeriodInDays"], key["deletionWindowInDays"]) == (
        conventions.KMS_KEY_ROTATION,
        conventions.KMS_ROTATION_PERIOD_DAYS,
        conventions.KMS_DELETION_WINDOW_DAYS,
    )
    assert key["tags"] == TAGS


def test_policy_lets_the_account_administer_the_key_then_lists_the_service_statements() -> None:
    statements = json.loads(run_key(alias=None).one(KEY).inputs["policy"])["Statement"]

    assert statements == [
        {
            "Sid": "AccountAdministersKey",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        LOGS_STATEMENT,
    ]


def test_an_account_known_only_at_deployment_reaches_the_policy() -> None:
    run = run_key(alias=None, account_id=pulumi.Output.from_input("210987654321"))
    (admin, _) = json.loads(run.one(KEY).inputs["policy"])["Statement"]

    assert admin["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}


def test_a_named_alias_points_at_the_key_and_none_means_no_alias() -> None:
    with_alias = run_key(alias=key_alias_name("payments-api", "prod", "logs"))
    alias = with_alias.one(ALIAS)

    assert alias.inputs["name"] == "alias/goldenpath/payments-api/prod/logs"
    assert alias.property_dependencies["targetKeyId"] == (with_alias.one(KEY).urn,)
    assert run_key(alias=None).by_type(ALIAS) == []


def test_key_and_alias_are_children_of_the_given_parent() -> None:
    run = run_key(alias="alias/test")
    holder = run.one("test:index:Holder")

    assert run.one(KEY).parent == holder.urn
    assert run.one(ALIAS).parent == holder.urn
