"""The command line around its commands: the version, and errors that are messages, not tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from goldenpath import __version__
from goldenpath.cli import app

runner = CliRunner()


def test_version_prints_the_name_and_version_and_exits_0():
    result = runner.invoke(app, ["--version"])

    assert result.exit_code == 0
    assert result.stdout == f"goldenpath {__version__}\n"


def test_version_is_answered_before_any_command_runs():
    result = runner.invoke(app, ["--version", "docs", "--out", "/nonexistent/never/written.md"])

    assert result.exit_code == 0
    assert result.stdout == f"goldenpath {__version__}\n"


def test_version_works_from_the_installed_entry_point():
    completed = subprocess.run(
        [sys.executable, "-m", "goldenpath.cli", "--version"], capture_output=True, text=True, timeout=120
    )

    assert (completed.returncode, completed.stdout) == (0, f"goldenpath {__version__}\n")


def test_no_arguments_still_shows_the_commands():
    result = runner.invoke(app, [])

    assert "check" in result.output and "render" in result.output and "docs" in result.output


@pytest.mark.parametrize("command", ["check", "render", "docs", "new", "upgrade", "bootstrap", "audit"])
def test_every_commands_help_renders(command):
    result = runner.invoke(app, [command, "--help"])

    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output and result.exception is None
