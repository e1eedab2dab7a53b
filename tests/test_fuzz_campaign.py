"""The fuzz campaign (benchmarks/fuzz.py): a few hundred drawn configs, and the judge it applies."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from benchmarks import fuzz
from goldenpath.blueprint_reference import BLUEPRINTS
from goldenpath.config import ConfigError

DRAWS_PER_BLUEPRINT = 100


@pytest.mark.slow
def test_drawn_configs_build_compliant_or_fail_with_one_line_per_key_and_nothing_else():
    tallies = fuzz.run_campaign(sorted(fuzz.SUBJECTS), DRAWS_PER_BLUEPRINT, seed=7)

    assert {t.blueprint for t in tallies} == {*BLUEPRINTS, "service-spec-aws", "service-spec-kubernetes"}

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


def test_a_long_campaign_leaves_its_figures_so_far_and_marks_them_incomplete(tmp_path, monkeypatch):
    # A 10,000-draw campaign runs for an hour: stopped early, it must still leave what it judged.
    written = []
    real = fuzz._write_figures

    def record(path, tallies, complete):
        real(path, tallies, complete)
        written.append(json.loads(Path(path).read_text()))

    monkeypatch.setattr(fuzz, "_write_figures", record)
    monkeypatch.setattr(fuzz, "run_campaign", functools.partial(fuzz.run_campaign, every=2))
    out = tmp_path / "figures.json"

    fuzz.main(["--blueprint", "k8s-service", "--count", "5", "--seed", "3", "--json", str(out)])

    assert [(f["drawn"], f["complete"]) for [f] in written] == [(2, False), (4, False), (5, True)]
    assert json.loads(out.read_text()) == written[-1]
    assert [p.name for p in tmp_path.iterdir()] == ["figures.json"]


def test_a_spec_draw_carries_the_secret_marker_where_its_aws_target_reads_values():
    blueprint = fuzz.SUBJECTS["service-spec-aws"]

    drawn = [
        (v, m)
        for v, m, marker in fuzz.draws(blueprint, 40, seed=2)
        if v.get("target") == "aws" and isinstance(v.get("aws"), dict)
    ]

    assert drawn
    for values, _ in drawn:
        config, secrets = fuzz._stack_config(blueprint, values)
        assert values["aws"]["secretValues"]["api-token"].startswith("fuzz-secret-")
        assert "orders:aws" in secrets and "orders:secretValues" not in config
        assert config["aws:region"] == "eu-west-1"
