"""The fuzz campaign (benchmarks/fuzz.py): a few hundred drawn configs, and the judge it applies."""

from __future__ import annotations

import pytest

from benchmarks import fuzz
from goldenpath.blueprint_reference import BLUEPRINTS
from goldenpath.config import ConfigError

DRAWS_PER_BLUEPRINT = 100


@pytest.mark.slow
def test_drawn_configs_build_compliant_or_fail_with_one_line_per_key_and_nothing_else():
    tallies = fuzz.run_campaign(sorted(BLUEPRINTS), DRAWS_PER_BLUEPRINT, seed=7)

    for tally in tallies:
        figures = tally.summary()
        assert figures["drawn"] == DRAWS_PER_BLUEPRINT
        assert figures["valid"] > DRAWS_PER_BLUEPRINT // 4, figures  # the campaign reaches the builds
        assert figures["invalid"] > 0, figures  # and the errors
        assert not tally.failed(), figures["problems"]


def test_the_same_seed_draws_the_same_configs():
    blueprint = BLUEPRINTS["k8s-service"]

    first = [(values, mutation) for values, mutation, _ in fuzz.draws(blueprint, 15, seed=3)]
    again = [(values, mutation) for values, mutation, _ in fuzz.draws(blueprint, 15, seed=3)]

    assert first == again and len(first) == 15


@pytest.mark.parametrize(
    ("problem", "counter"),
    [
        ("orders:cpu: 300 is not a Fargate task size (given 300)", None),
        ("orders:cpu: 300 is\nnot a task size", "bad_errors"),
        ("cpu must be a number", "bad_errors"),
        ("orders:nonsense: unknown", "bad_errors"),
        ("payments:cpu: wrong namespace (given 300)", "bad_errors"),
        ("orders:secretValues.api-token: too long (given 'fuzz-secret-000000000001')", "secret_echoes"),
    ],
)
def test_the_judge_counts_an_error_that_names_no_key_spans_lines_or_echoes_the_secret(problem, counter):
    tally = fuzz.Tally("web-service")
    values = {"team": "orders", "secretValues": {"api-token": "fuzz-secret-000000000001"}}

    fuzz.Campaign._judge_error(
        ConfigError([problem]), BLUEPRINTS["web-service"], values, "fuzz-secret-000000000001", tally, "case"
    )

    flagged = {name for name in ("bad_errors", "secret_echoes") if getattr(tally, name)}
    assert flagged == ({counter} if counter else set())
