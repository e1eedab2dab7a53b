"""The credential detector shared by the plaintext-secret policies: names, values, scripts, and no leaks."""

from __future__ import annotations

import json

import pytest

from goldenpath.policies.aws_security import (
    ec2_no_secrets_in_user_data,
    ecs_no_plaintext_secrets,
    lambda_no_plaintext_secrets,
)
from goldenpath.policies.aws_security._credentials import (
    is_credential_name,
    is_literal_value,
    script_findings,
    variable_problem,
)
from goldenpath.policy import Subject

SECRET = "Sup3r-s3cret-Valu3"


@pytest.mark.parametrize(
    "name", ["DB_PASSWORD", "dbPassword", "DB_PASS", "API_KEY", "apiKey", "GITHUB_TOKEN", "client-secret"]
)
def test_credential_names_are_recognised_in_any_convention(name):
    assert is_credential_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "SECRET_ARN",
        "DB_SECRET_NAME",
        "TOKEN_URL",
        "PASSWORD_FILE",
        "BYPASS_CACHE",
        "AWS_ACCESS_KEY_ID",
        "PWD",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "PASS_THROUGH",
        "TOKEN_SIGNING_ALG",
    ],
)
def test_names_that_point_at_a_secret_or_only_contain_the_letters_are_not_credentials(name):
    assert not is_credential_name(name)


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
        "${DB_PASSWORD}",
        "$(cat /run/pw)",
        "true",
        "",
    ],
)
def test_references_flags_and_empty_values_are_not_literals(value):
    assert not is_literal_value(value)


def test_a_credential_shaped_value_is_found_whatever_the_name():
    assert variable_problem("UPLOADER", "AKIAIOSFODNN7EXAMPLE") == "its value looks like an AWS access key id"


def test_script_findings_name_the_line_and_variable_but_not_the_value():
    findings = script_findings(f"#!/bin/sh\nexport DB_PASSWORD='{SECRET}'\n")

    assert findings == ["line 2 sets DB_PASSWORD to a literal"]


def test_no_policy_message_repeats_the_secret_value():
    ecs = ecs_no_plaintext_secrets.POLICY.evaluate(
        {
            "containerDefinitions": json.dumps(
                [{"name": "app", "environment": [{"name": "DB_PASSWORD", "value": SECRET}]}]
            )
        }
    )
    lam = lambda_no_plaintext_secrets.POLICY.evaluate({"environment": {"variables": {"API_TOKEN": SECRET}}})
    ec2 = ec2_no_secrets_in_user_data.POLICY.check(
        {"userData": f"TOKEN={SECRET}\n"}, {}, Subject(ec2_no_secrets_in_user_data.INSTANCE, "", "i")
    )
    messages = [*ecs, *lam, *ec2]

    assert len(messages) == 3
    assert not [m for m in messages if SECRET in m]
