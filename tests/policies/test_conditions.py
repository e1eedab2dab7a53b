"""Whether a condition's values pin the caller: the reading the policies that credit conditions share."""

from __future__ import annotations

import pytest

from goldenpath.policies.aws_security._conditions import reads_wildcards, values_pin


@pytest.mark.parametrize(
    ("key", "operator", "value"),
    [
        ("aws:PrincipalArn", "ArnLike", "arn:aws:iam::123456789012:role/*"),
        ("aws:SourceArn", "ArnEquals", "arn:aws:s3:::my-log-bucket"),
        ("aws:SourceAccount", "StringEquals", "123456789012"),
        ("aws:userid", "StringLike", "AROAEXAMPLEID:*"),
        ("aws:PrincipalOrgPaths", "ForAnyValue:StringLike", "o-abc123def4/r-ab12/*"),
        ("aws:SourceIp", "IpAddress", "203.0.113.0/24"),
    ],
)
def test_a_value_that_fixes_an_owner_pins(key, operator, value):
    assert values_pin(key, operator, [value])


@pytest.mark.parametrize(
    ("key", "operator", "value"),
    [
        ("aws:PrincipalArn", "ArnLike", "arn:aws:iam::*:role/*"),
        ("aws:PrincipalArn", "ArnEquals", "arn:aws:iam::12345678901?:role/reader"),
        ("aws:SourceArn", "ArnLike", "arn:*"),
        ("aws:SourceArn", "ArnLike", "arn:aws:s3:::logs-*"),
        ("aws:SourceArn", "StringLike", "*"),
        ("aws:SourceAccount", "StringEquals", "*"),
        ("aws:SourceAccount", "StringLike", "????????????"),
        ("aws:PrincipalOrgID", "StringLike", "o-*"),
        ("aws:SourceIp", "IpAddress", "0000:0000:0000:0000:0000:0000:0000:0000/0"),
    ],
)
def test_a_value_whose_owner_is_a_wildcard_pins_nothing(key, operator, value):
    assert not values_pin(key, operator, [value])


def test_one_value_that_pins_nothing_undoes_the_others():
    values = ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::*:role/b"]

    assert not values_pin("aws:PrincipalArn", "ArnLike", values)


def test_no_values_pin_nothing():
    assert not values_pin("aws:SourceAccount", "StringEquals", [])


def test_string_equals_compares_wildcards_literally_except_a_lone_star():
    assert not reads_wildcards("StringEquals")
    assert values_pin("aws:SourceAccount", "StringEquals", ["1234*"])
    assert reads_wildcards("ArnEquals") and reads_wildcards("ForAllValues:StringLike")
