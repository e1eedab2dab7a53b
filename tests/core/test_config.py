import contextvars
import json
from typing import Annotated

import pulumi
import pytest
from pydantic import Field, SecretStr, field_validator

from goldenpath.config import ConfigError, ConfigModel, load_config, validate_config
from goldenpath.models import WITHHELD


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


# --- Values that may be secret are never repeated ---------------------------------------------------


class WithSecrets(ConfigModel):
    team: str = Field(pattern=r"^[a-z]+$")
    region: str = Field("eu-west-1", pattern=r"^[a-z]+-[a-z]+-\d$")
    endpoint: str = "https://example.com"
    secret_values: dict[str, SecretStr] = Field(default_factory=dict)
    environment_variables: Annotated[dict[str, str], WITHHELD] = Field(default_factory=dict)

    @field_validator("endpoint")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(f"endpoint {value!r} must be an https:// URL")
        return value

    @field_validator("secret_values")
    @classmethod
    def _declared(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        if value:
            raise ValueError(f"has values for {sorted(value)}, which are not declared in secrets")
        return value

    @field_validator("environment_variables")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if "-" in k]
        if bad:
            raise ValueError(f"environment variable names {bad} must match [A-Za-z_][A-Za-z0-9_]*")
        return value


def _in_stack(function, config: dict[str, str] | None = None, secret_keys: list[str] | None = None):
    """Run ``function`` with the stack config Pulumi would hold, in a context of its own."""

    def run():
        pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))
        return function()

    return contextvars.Context().run(run)


def _problems(data: dict, secret_keys: list[str] | None = None) -> list[str]:
    def validate():
        with pytest.raises(ConfigError) as error:
            validate_config(WithSecrets, data, "proj")
        return error.value.problems

    return _in_stack(validate, secret_keys=secret_keys)


def test_a_value_under_a_field_typed_secret_is_never_shown():
    (problem,) = _problems({"team": "a", "secretValues": {"stripe-key": "sk_live_abc123"}})

    assert problem.startswith("proj:secretValues: has values for ['stripe-key']")
    assert "sk_live_abc123" not in problem
    assert "value not shown" in problem


def test_a_field_typed_secret_given_as_text_is_not_shown():
    (problem,) = _problems({"team": "a", "secretValues": "sk_live_abc123"})

    assert problem.startswith("proj:secretValues: Input should be a valid dictionary")
    assert "sk_live_abc123" not in problem


def test_environment_variable_errors_name_the_variables_but_not_their_values():
    (problem,) = _problems({"team": "a", "environmentVariables": {"bad-name": "hunter22", "OK": "pa55word"}})

    assert "['bad-name']" in problem
    assert "hunter22" not in problem and "pa55word" not in problem


def test_a_key_pulumi_holds_as_secret_is_not_shown_while_a_plain_key_still_is():
    problems = _problems({"team": "NotOK", "region": "Mars-1"}, secret_keys=["proj:team"])

    assert problems == [
        "proj:team: String should match pattern '^[a-z]+$' (value not shown: it may be secret)",
        "proj:region: String should match pattern '^[a-z]+-[a-z]+-\\d$' (given 'Mars-1')",
    ]


def test_a_message_that_quotes_a_secret_value_has_it_replaced():
    (problem,) = _problems(
        {"team": "a", "endpoint": "http://token-9f8e7d@hooks.example"}, secret_keys=["proj:endpoint"]
    )

    assert problem.startswith("proj:endpoint: endpoint '[withheld]' must be an https:// URL")
    assert "token-9f8e7d" not in problem


def test_an_unknown_key_spelt_like_a_withheld_field_is_not_shown():
    (problem,) = _problems({"team": "a", "secretValue": {"stripe-key": "sk_live_abc123"}})

    assert problem == "proj:secretValue: unknown key (value not shown: it may be secret); check its spelling"


# --- Keys under a misspelt project name ---------------------------------------------------------------


def _load(config: dict[str, str]):
    return _in_stack(lambda: load_config(Example, "payments-api"), config)


def _load_problems(config: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as error:
        _load(config)
    return error.value.problems


GITHUB = json.dumps({"repository": "o/r"})


def test_keys_under_a_misspelt_project_name_are_named_instead_of_reported_missing():
    problems = _load_problems(
        {"payment-api:team": "a", "payment-api:github": GITHUB, "aws:region": "eu-west-1"}
    )

    assert problems == [
        "payment-api:github: not a key of project payments-api; did you mean payments-api:github?",
        "payment-api:team: not a key of project payments-api; did you mean payments-api:team?",
    ]


def test_keys_under_the_project_name_load():
    config = _load({"payments-api:team": "a", "payments-api:github": GITHUB, "aws:region": "eu-west-1"})

    assert (config.team, config.github.repository) == ("a", "o/r")


def test_a_stray_key_is_an_error_even_when_the_rest_of_the_config_is_valid():
    problems = _load_problems(
        {"payments-api:team": "a", "payments-api:github": GITHUB, "payment-api:desiredCount": "3"}
    )

    assert problems == [
        "payment-api:desiredCount: not a key of project payments-api; did you mean payments-api:desiredCount?"
    ]


def test_problems_that_moving_the_stray_keys_would_not_fix_are_still_reported():
    problems = _load_problems(
        {"payment-api:team": "a", "payment-api:github": json.dumps({"repository": "x"})}
    )

    assert problems[:2] == [
        "payment-api:github: not a key of project payments-api; did you mean payments-api:github?",
        "payment-api:team: not a key of project payments-api; did you mean payments-api:team?",
    ]
    assert [p.split(":", 2)[1] for p in problems[2:]] == ["github.repository"]


def test_keys_of_another_project_are_stray_when_the_project_sets_none_of_its_own():
    problems = _load_problems({"catalog:team": "a", "catalog:github": GITHUB})

    assert problems == [
        "catalog:github: not a key of project payments-api; did you mean payments-api:github?",
        "catalog:team: not a key of project payments-api; did you mean payments-api:team?",
    ]


def test_package_and_unrelated_namespaces_are_never_stray():
    config = _load(
        {
            "payments-api:team": "a",
            "payments-api:github": GITHUB,
            "aws:team": "x",
            "kubernetes:desiredCount": "3",
            "billing-lib:team": "y",
        }
    )

    assert config.team == "a"
