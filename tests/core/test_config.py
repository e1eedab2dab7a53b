import pytest
from pydantic import Field

from goldenpath.config import ConfigError, ConfigModel, validate_config


class Nested(ConfigModel):
    repository: str = Field(pattern=r"^[^/]+/[^/]+$")


class Example(ConfigModel):
    team: str
    desired_count: int = 2
    github: Nested


def test_camel_case_keys_fill_snake_case_fields():
    config = validate_config(
        Example, {"team": "a", "desiredCount": 3, "github": {"repository": "o/r"}}, "proj"
    )

    assert config.desired_count == 3


def test_a_missing_key_is_named_with_its_namespace():
    with pytest.raises(ConfigError) as error:
        validate_config(Example, {"github": {"repository": "o/r"}}, "proj")

    assert error.value.problems == ["proj:team: required, but not set"]


def test_a_bad_nested_value_names_the_full_key_and_the_value_given():
    with pytest.raises(ConfigError) as error:
        validate_config(Example, {"team": "a", "github": {"repository": "payments"}}, "proj")

    (problem,) = error.value.problems
    assert problem.startswith("proj:github.repository:")
    assert "'payments'" in problem


def test_an_unknown_key_is_reported_as_a_likely_typo():
    with pytest.raises(ConfigError) as error:
        validate_config(Example, {"team": "a", "github": {"repository": "o/r"}, "desiredCuont": 1}, "proj")

    assert error.value.problems == ["proj:desiredCuont: unknown key (given 1); check its spelling"]


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as error:
        validate_config(Example, {"desiredCount": "many", "github": {}}, "proj")

    assert len(error.value.problems) == 3


def test_config_models_are_frozen():
    config = validate_config(Example, {"team": "a", "github": {"repository": "o/r"}}, "proj")

    with pytest.raises(ValueError):
        config.team = "b"
