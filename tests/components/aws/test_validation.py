"""Rules shared by the blueprint config and the component Args: one definition, one behaviour."""

from __future__ import annotations

import pytest

from goldenpath.components.aws import _validation as rules

SHA = "a" * 64


@pytest.mark.parametrize("tag", ["1.4.2", "v2", "3f2c1ab", "release_2024-01.1"])
def test_a_pinned_tag_is_accepted_alone_and_inside_an_image(tag: str) -> None:
    assert rules.check_image_tag(tag) == tag
    assert rules.image_problem(f"registry.example.com/app:{tag}") is None


@pytest.mark.parametrize("tag", ["latest", "", ".hidden", "-x", "a" * 129, "has space"])
def test_a_moving_or_malformed_tag_is_refused_alone_and_inside_an_image(tag: str) -> None:
    with pytest.raises(ValueError, match="'latest' is not allowed"):
        rules.check_image_tag(tag)
    assert rules.image_problem(f"registry.example.com/app:{tag}") is not None


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("app", "has no tag, so it means ':latest'"),
        ("localhost:5000/app", "has no tag, so it means ':latest'"),
        ("app:latest", "uses the moving tag ':latest'"),
        ("app@sha256:short", "has a malformed digest (sha256: and 64 hex digits)"),
        (f"app@sha1:{SHA}", "has a malformed digest (sha256: and 64 hex digits)"),
        (f"app@sha256:{SHA}", None),
        (f"app:1.0@sha256:{SHA}", None),
    ],
)
def test_image_problem_says_why_a_reference_is_not_immutable(image: str, problem: str | None) -> None:
    assert rules.image_problem(image) == problem


def test_the_cluster_name_is_read_from_the_cluster_arn() -> None:
    arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/shared-prod"

    assert rules.check_ecs_cluster_arn(arn) == arn
    assert rules.ecs_cluster_name(arn) == "shared-prod"


@pytest.mark.parametrize(
    "arn",
    [
        "shared-prod",
        "arn:aws:ecs:eu-west-1:123456789012:service/shared-prod/api",
        "arn:aws:ecs:eu-west-1:123456789012:cluster/",
        "arn:aws:eks:eu-west-1:123456789012:cluster/shared-prod",
    ],
)
def test_anything_but_an_ecs_cluster_arn_is_refused(arn: str) -> None:
    with pytest.raises(ValueError, match="ECS cluster ARN"):
        rules.check_ecs_cluster_arn(arn)


def test_every_wildcard_environment_is_named() -> None:
    with pytest.raises(ValueError, match="not allowed: 'prod\\*', 'stag:ing'"):
        rules.check_github_environments(["production", "prod*", "stag:ing"])


@pytest.mark.parametrize("branch", ["release:1", "feature branch", "main*", "refs/heads/main", "main/"])
def test_a_branch_that_is_not_one_plain_name_is_refused(branch: str) -> None:
    with pytest.raises(ValueError, match="one branch name"):
        rules.check_github_branch(branch)


@pytest.mark.parametrize("repository", ["acme/..", "acme/.", "-acme/api", "acme/api/x"])
def test_a_repository_that_is_not_owner_slash_name_is_refused(repository: str) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        rules.check_github_repository(repository)


@pytest.mark.parametrize("value", ["cc-1234", "Finance / EMEA", "Zürich:2026", "ops@acme", "a+b=c_d.e"])
def test_a_tag_value_of_letters_digits_spaces_and_the_allowed_punctuation_passes(value):
    assert rules.check_tag_value(value) == value


@pytest.mark.parametrize("value", ["", "   ", "\u001d", "cc\t1", "cc#1", "cc,1"])
def test_a_blank_tag_value_or_one_with_other_characters_is_refused(value):
    with pytest.raises(ValueError):
        rules.check_tag_value(value)
