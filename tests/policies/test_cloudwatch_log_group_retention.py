"""aws-cloudwatch-log-retention: its fix line holds for whatever minimum the pack is configured with."""

from __future__ import annotations

import re

from goldenpath.policies.aws_security.cloudwatch_log_group_retention import POLICY, check


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
