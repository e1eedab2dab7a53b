"""Offline answers to data sources: get_policy_document writes the JSON the AWS provider writes."""

from __future__ import annotations

import json

from goldenpath.invokes import answer

POLICY_DOCUMENT = "aws:iam/getPolicyDocument:getPolicyDocument"


def _document(args: dict) -> dict:
    return json.loads(answer(POLICY_DOCUMENT, args, "eu-west-1")["json"])


def test_one_value_is_a_string_and_several_are_reverse_sorted_as_the_provider_writes_sets():
    doc = _document(
        {"statements": [{"actions": ["s3:GetObject", "s3:ListBucket", "s3:GetObject"], "resources": ["*"]}]}
    )

    assert doc["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "*"}
    ]


def test_conditions_on_the_same_key_add_up_and_keep_their_order():
    condition = {"test": "StringEquals", "variable": "aws:SourceVpce"}
    doc = _document(
        {
            "statements": [
                {
                    "actions": ["s3:GetObject"],
                    "resources": ["arn:aws:s3:::b/*"],
                    "conditions": [{**condition, "values": ["vpce-2"]}, {**condition, "values": ["vpce-1"]}],
                }
            ]
        }
    )

    assert doc["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceVpce": ["vpce-2", "vpce-1"]}}


def test_principals_are_grouped_by_type_and_a_bare_star_stays_a_star():
    star = _document(
        {"statements": [{"principals": [{"type": "*", "identifiers": ["*"]}], "actions": ["s3:*"]}]}
    )
    aws = _document(
        {
            "statements": [
                {
                    "principals": [
                        {"type": "AWS", "identifiers": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]}
                    ],
                    "actions": ["sts:AssumeRole"],
                }
            ]
        }
    )

    assert star["Statement"][0]["Principal"] == "*"
    assert aws["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::2:root", "arn:aws:iam::1:root"]}


def test_a_statement_with_the_sid_of_a_source_statement_replaces_it_in_place():
    source = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Read", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Sid": "Other", "Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
            ],
        }
    )
    doc = _document(
        {
            "sourcePolicyDocuments": [source],
            "statements": [{"sid": "Read", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}],
        }
    )

    assert [(s["Sid"], s["Action"]) for s in doc["Statement"]] == [
        ("Read", "s3:GetObject"),
        ("Other", "sqs:*"),
    ]


def test_policy_variables_written_with_an_ampersand_become_interpolations():
    doc = _document(
        {"statements": [{"actions": ["s3:*"], "resources": ["arn:aws:s3:::home/&{aws:username}/*"]}]}
    )

    assert doc["Statement"][0]["Resource"] == "arn:aws:s3:::home/${aws:username}/*"


def test_kubernetes_yaml_decode_returns_every_document():
    result = answer("kubernetes:yaml:decode", {"text": "kind: A\n---\n---\nkind: B\n"}, "eu-west-1")

    assert result == {"result": [{"kind": "A"}, {"kind": "B"}]}


def test_an_invoke_only_the_cloud_can_answer_has_no_offline_answer():
    assert answer("aws:ssm/getParameter:getParameter", {"name": "/x"}, "eu-west-1") is None
