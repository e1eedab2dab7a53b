"""aws-cloudwatch-log-retention: its fix line holds for whatever minimum the pack is configured with, and
its remediation only fills in a retention that is not set (0, "never expire", is a decision it keeps)."""

from __future__ import annotations

import re

import pytest

from goldenpath.analyzer import ResourceInput, to_struct
from goldenpath.conventions import LOG_RETENTION_MINIMUM_DAYS
from goldenpath.policies.aws_security.cloudwatch_log_group_retention import LOG_GROUP, POLICY, check

from .fixtures import urn_for


def test_the_fix_line_states_no_minimum_that_a_configured_one_could_contradict():
    assert re.search(r"at least \d", POLICY.remediation) is None
    assert "at least the configured `minimumDays`" in POLICY.remediation


def test_the_fix_line_names_the_config_keys_of_both_log_groups_a_web_service_makes():
    assert "`logRetentionDays`" in POLICY.remediation
    assert "`flowLogRetentionDays`" in POLICY.remediation


def test_the_finding_names_the_configured_minimum():
    assert check({"retentionInDays": 30}, {"minimumDays": 90}) == (
        "log group retention is 30 days; at least 90 days are required"
    )


def test_never_expire_is_not_reported_as_no_retention():
    assert check({"retentionInDays": 0}, {"minimumDays": 365}) is None


@pytest.fixture
def pack(running_packs):
    process = running_packs("aws_security")
    process.configure({POLICY.id: "remediate"})
    yield process
    process.configure(None)


def _remediated(pack, props):
    resource = ResourceInput(
        urn=urn_for(LOG_GROUP, "logs"), type=LOG_GROUP, name="logs", properties=to_struct(props)
    )
    return [fixed for policy, fixed in pack.remediate(resource) if policy == POLICY.id]


def test_remediation_never_rewrites_a_log_group_that_never_expires(pack):
    assert _remediated(pack, {"name": "/svc/audit", "retentionInDays": 0}) == []


def test_remediation_sets_the_minimum_on_a_log_group_with_no_retention(pack):
    (fixed,) = _remediated(pack, {"name": "/svc/undecided"})

    assert fixed["retentionInDays"] == LOG_RETENTION_MINIMUM_DAYS
    assert fixed["name"] == "/svc/undecided"
