"""Docs that are generated or quoted stay true."""

from __future__ import annotations

import re

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
