"""Who a statement grants to, and when a grant to everyone is public: the reading the public-policy checks share."""

from __future__ import annotations

import pytest

from goldenpath.policies.aws_security._conditions import pins_caller
from goldenpath.policies.aws_security._iam import MalformedDocument
from goldenpath.policies.aws_security._principals import (
    account_of,
    is_everyone,
    is_service_principal,
    public_grants,
    read_principal,
)


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::123456789012:root", "*"]}])
def test_a_star_for_aws_principals_is_everyone(principal):
    assert is_everyone(principal)


@pytest.mark.parametrize(
    "principal", [{"Service": "*"}, {"AWS": "arn:aws:iam::123456789012:root"}, None, ["*"]]
)
def test_named_principals_are_not_everyone(principal):
    assert not is_everyone(principal)


def test_a_principal_reads_by_kind():
    read = read_principal(
        {"AWS": ["*", "123456789012"], "Service": "s3.amazonaws.com", "Federated": "cognito"}
    )

    assert read.everyone and read.aws == ("123456789012",)
    assert read.services == ("s3.amazonaws.com",) and read.federated == ("cognito",)


@pytest.mark.parametrize(
    ("principal", "account"),
    [
        ("123456789012", "123456789012"),
        ("arn:aws:iam::123456789012:root", "123456789012"),
        ("arn:aws-us-gov:iam::123456789012:role/deploy", "123456789012"),
        ("arn:aws:sts::123456789012:assumed-role/deploy/ci", "123456789012"),
        ("AROAEXAMPLEID", None),
        ("arn:aws:s3:::bucket", None),
    ],
)
def test_the_account_of_an_aws_principal(principal, account):
    assert account_of(principal) == account


def test_service_principals_end_in_the_aws_service_domain():
    assert is_service_principal("logs.eu-west-1.amazonaws.com")
    assert not is_service_principal("alexa-appkit.amazon.com")


def test_a_negated_or_if_exists_condition_pins_nothing():
    assert not pins_caller({"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123def4"}})
    assert not pins_caller({"StringEqualsIfExists": {"aws:PrincipalAccount": "123456789012"}})
    assert pins_caller({"StringEquals": {"AWS:SourceOwner": "123456789012"}})


def test_a_key_outside_those_asked_for_pins_nothing():
    assert not pins_caller({"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}})
    assert pins_caller({"StringEquals": {"sts:ExternalId": "a1b2"}}, frozenset({"sts:externalid"}))


@pytest.mark.parametrize("document", [None, "", "{}", {}])
def test_an_empty_document_grants_nothing(document):
    assert public_grants(document) == []


def test_each_unpinned_allow_to_everyone_is_a_public_grant():
    document = {
        "Statement": [
            {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": ["sqs:SendMessage"]},
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "sqs:*",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            },
            {"Effect": "Deny", "Principal": "*", "Action": "sqs:*"},
        ]
    }

    grants = public_grants(document)

    assert [(g.statement, g.actions) for g in grants] == [("statement 'Open'", "sqs:SendMessage")]


def test_a_document_that_is_not_a_policy_is_malformed():
    with pytest.raises(MalformedDocument):
        public_grants('{"Version": "2012-10-17"}')
