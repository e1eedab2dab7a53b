"""The real Pulumi engine, built by .ci/engine.sh, for the engine conformance tests.

Set GOLDENPATH_ENGINE_BIN to the folder `.ci/engine.sh` prints (CI does). Without it these tests
are skipped and say so; with GOLDENPATH_REQUIRE_ENGINE=1 (CI) a missing engine fails them instead.

The engine runs with test doubles where the real plugins cannot be built here (engine/README.md):
a stub Python language host (engine/pulumi-language-python) and a stub provider plugin
(engine/pulumi-resource-stub) installed as pulumi-resource-aws, -kubernetes, -random and -tls.
The stub provider is not a real provider: no autonaming, no provider defaults, outputs made up by
goldenpath check's own mocks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def engine_bin() -> Path:
    folder = os.environ.get("GOLDENPATH_ENGINE_BIN", "")
    path = Path(folder) if folder else None
    needed = ("pulumi", "pulumi-language-python", "pulumi-language-python-exec", "pulumi-resource-stub")
    if path is None or not all((path / name).is_file() for name in needed):
        reason = (
            "no Pulumi engine: set GOLDENPATH_ENGINE_BIN to the folder `bash .ci/engine.sh` prints "
            f"(given {folder!r})"
        )
        if os.environ.get("GOLDENPATH_REQUIRE_ENGINE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


# (policy as the pack reports it, URN, enforcement, whether it says the policy could not run)
Verdict = tuple[str, str, str, bool]
CANT_RUN = "can't run policy"


def engine_verdicts(json_lines: str) -> tuple[Counter[Verdict], set[tuple[str, str]]]:
    """Each policy event (as a multiset: the engine reports every diagnostic) and each
    remediation's (policy, URN) in the engine's JSON event lines (`policy analyze --json`,
    `--event-log`)."""
    violations: Counter[Verdict] = Counter()
    remediated: set[tuple[str, str]] = set()
    for line in json_lines.splitlines():
        event = json.loads(line)
        if "policyEvent" in event:
            e = event["policyEvent"]
            violations[
                (e["policyName"], e["resourceUrn"], e["enforcementLevel"], e["message"].startswith(CANT_RUN))
            ] += 1
        elif "policyRemediationEvent" in event:
            e = event["policyRemediationEvent"]
            remediated.add((e["policyName"], e["resourceUrn"]))
    return violations, remediated


STUB_PROVIDERS = ("aws", "kubernetes", "random", "tls")


def engine_env(engine_bin: Path, home: Path, python: Path | None = None) -> dict[str, str]:
    """The environment the engine runs in: offline, its own home, no plugin downloads, and
    ``python``'s folder on PATH right after the engine's (the `python3` the packs and the stub
    host run with, as an activated virtualenv puts it there)."""
    python_bin = Path(python or sys.executable).parent
    # Nothing of this machine's own Pulumi or Python setup: the engine's folder first (the CLI
    # prefers a plugin on PATH to its own), no PULUMI_* settings, no PYTHONPATH/HOME, no venv.
    inherited = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_") and k not in inherited}
    return {
        **env,
        "PATH": os.pathsep.join([str(engine_bin), str(python_bin), os.environ.get("PATH", "")]),
        "PULUMI_HOME": str(home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_CONFIG_PASSPHRASE": "engine-conformance",
        # Enables --event-log (the engine's own event stream, as the Automation API reads it).
        "PULUMI_DEBUG_COMMANDS": "true",
    }


@pytest.fixture(scope="session")
def pulumi(engine_bin, tmp_path_factory):
    """Run the engine's CLI offline (see engine_env); ``python`` picks the interpreter on PATH,
    ``env`` adds variables (a backend URL)."""
    home = tmp_path_factory.mktemp("pulumi-home")

    def run(
        *args: str,
        cwd: Path | None = None,
        python: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(engine_bin / "pulumi"), *args],
            cwd=cwd,
            env={**engine_env(engine_bin, home, python), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="session")
def stub_providers(engine_bin, tmp_path_factory) -> dict[str, Path]:
    """A plugin folder per provider package, each holding the stub provider under its plugin name."""
    root = tmp_path_factory.mktemp("stub-providers")
    folders = {}
    for package in STUB_PROVIDERS:
        folder = root / package
        folder.mkdir()
        (folder / f"pulumi-resource-{package}").symlink_to(engine_bin / "pulumi-resource-stub")
        folders[package] = folder
    return folders


@pytest.fixture(scope="session")
def goldenpath_wheel(tmp_path_factory) -> Path:
    """goldenpath's wheel, built once from this checkout for the session."""
    from ..conftest import build_wheel

    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def installed_wheel(goldenpath_wheel, tmp_path_factory) -> tuple[Path, Path]:
    """(python, site-packages) of a new virtualenv holding only goldenpath's wheel; dependencies are
    borrowed from this environment (tests/test_packaging.py installs them from the index instead)."""
    from ..conftest import venv_with_wheel_only

    return venv_with_wheel_only(tmp_path_factory.mktemp("venv"), goldenpath_wheel)
