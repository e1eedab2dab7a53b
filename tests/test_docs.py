"""Docs that are generated or quoted stay true."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from goldenpath.catalog import render_catalog
from goldenpath.cli import app
from goldenpath.policy import discover

from .conftest import ROOT, STACKS

CATALOG = ROOT / "docs" / "policies.md"


def test_the_committed_policy_catalog_is_current():
    assert CATALOG.read_text() == render_catalog(), "run `goldenpath docs` and commit docs/policies.md"


def test_the_catalog_lists_every_policy_with_its_remediation():
    text = CATALOG.read_text()

    for pack in ("aws_security", "platform_standards", "kubernetes"):
        for spec in discover(f"goldenpath.policies.{pack}"):
            assert f"### {spec.id}\n" in text
            assert spec.remediation in text


def test_docs_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "policies.md"
    stale.write_text("# old\n")

    assert runner.invoke(app, ["docs", "--out", str(stale), "--check"]).exit_code == 1
    assert runner.invoke(app, ["docs", "--out", str(stale)]).exit_code == 0
    assert runner.invoke(app, ["docs", "--out", str(stale), "--check"]).exit_code == 0


def test_the_readme_quotes_the_example_stack_program_verbatim():
    readme = (ROOT / "README.md").read_text()
    program = (STACKS / "payments-api" / "__main__.py").read_text()

    assert program.strip() in readme


def test_the_readme_first_commands_are_the_setup_and_test_commands():
    commands = re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text())

    assert "pip install -e '.[dev]'" in commands[0] and "goldenpath check stacks/payments-api" in commands[0]
    assert commands[1] == "python -m pytest -q"
    assert "python -m pytest -q" in (ROOT / ".ci" / "run").read_text()


runner = CliRunner()


def test_the_readme_config_error_example_is_what_check_prints():
    readme = (ROOT / "README.md").read_text()
    quoted = readme[readme.index("invalid stack configuration:") :].split("```")[0].strip().splitlines()
    result = runner.invoke(app, ["check", str(ROOT / "tests" / "examples" / "broken-config")])

    printed = [line.replace("broken-config:", "payments-api:") for line in result.stderr.splitlines()]
    assert quoted[1:] and all(line in printed for line in quoted)


def test_docs_check_says_a_missing_file_is_missing(tmp_path):
    result = runner.invoke(app, ["docs", "--out", str(tmp_path / "policies.md"), "--check"])

    assert result.exit_code == 1
    assert "policies.md is missing" in result.stderr


@pytest.mark.parametrize("check_only", [False, True])
def test_docs_out_a_folder_is_a_clear_error_naming_it(tmp_path, check_only):
    result = runner.invoke(app, ["docs", "--out", str(tmp_path), *(["--check"] if check_only else [])])

    assert result.exit_code == 2
    assert f"--out {tmp_path} is a folder" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("check_only", [False, True])
def test_docs_out_under_a_file_is_a_clear_error_naming_it(tmp_path, check_only):
    regular = tmp_path / "regular-file"
    regular.write_text("keep me\n")
    out = regular / "policies.md"
    result = runner.invoke(app, ["docs", "--out", str(out), *(["--check"] if check_only else [])])

    assert result.exit_code == 2
    assert f"--out {out}: {regular} is a file, not a folder" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert regular.read_text() == "keep me\n"


def test_docs_check_of_an_unreadable_file_is_a_clear_error_naming_it(tmp_path):
    binary = tmp_path / "policies.md"
    binary.write_bytes(b"\xff\xfe\x00")
    result = runner.invoke(app, ["docs", "--out", str(binary), "--check"])

    assert result.exit_code == 2
    assert f"--out {binary}: cannot read it" in result.stderr


def test_the_committed_blueprint_reference_is_current():
    from goldenpath.blueprint_reference import reference_files

    for name, text in reference_files().items():
        assert (ROOT / "docs" / name).read_text() == text, "run `goldenpath docs` and commit docs/"


@pytest.mark.parametrize(
    ("schema", "stack"),
    [
        ("web-service", "payments-api"),
        ("k8s-service", "catalog-k8s"),
        ("k8s-worker", "orders-worker-k8s"),
        ("k8s-scheduled-job", "nightly-report-k8s"),
        ("worker", "orders-worker"),
        ("scheduled-job", "nightly-report"),
    ],
)
@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_example_stacks_config_is_valid_under_its_blueprints_json_schema(schema, stack, environment):
    import json

    import jsonschema
    import yaml

    document = json.loads((ROOT / "docs" / "schemas" / f"{schema}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    config = yaml.safe_load((STACKS / stack / f"Pulumi.{environment}.yaml").read_text())["config"]
    values = {key.split(":", 1)[1]: value for key, value in config.items() if key.startswith(f"{stack}:")}

    assert list(jsonschema.Draft202012Validator(document).iter_errors(values)) == []


def test_a_blueprint_json_schema_rejects_what_the_blueprint_rejects():
    import json

    import jsonschema

    document = json.loads((ROOT / "docs" / "schemas" / "web-service.schema.json").read_text())
    config = {
        "team": "payments",
        "costCenter": "cc-1",
        "environment": "qa",
        "certificateArn": "arn:aws:iam::123456789012:role/x",
        "github": {"repository": "acme/payments-api"},
        "cpu": 300,
        "colour": "blue",
    }
    errors = jsonschema.Draft202012Validator(document).iter_errors(config)

    assert sorted(e.json_path for e in errors) == ["$", "$.certificateArn", "$.cpu", "$.environment"]


def test_the_readme_links_every_blueprint_reference():
    from goldenpath.blueprint_reference import BLUEPRINTS

    readme = (ROOT / "README.md").read_text()
    for name in BLUEPRINTS:
        assert f"(docs/blueprints/{name}.md)" in readme
        assert f"(docs/schemas/{name}.schema.json)" in readme
