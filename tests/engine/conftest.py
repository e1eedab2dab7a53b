"""The real Pulumi engine, built by .ci/engine.sh, for the engine conformance tests.

Set GOLDENPATH_ENGINE_BIN to the folder `.ci/engine.sh` prints (CI does). Without it these tests
are skipped and say so; with GOLDENPATH_REQUIRE_ENGINE=1 (CI) a missing engine fails them instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def engine_bin() -> Path:
    folder = os.environ.get("GOLDENPATH_ENGINE_BIN", "")
    path = Path(folder) if folder else None
    if path is None or not (path / "pulumi").is_file() or not (path / "pulumi-language-python").is_file():
        reason = (
            "no Pulumi engine: set GOLDENPATH_ENGINE_BIN to the folder `bash .ci/engine.sh` prints "
            f"(given {folder!r})"
        )
        if os.environ.get("GOLDENPATH_REQUIRE_ENGINE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def pulumi(engine_bin, tmp_path_factory):
    """Run the engine's CLI offline: its own home, no plugin downloads, the stub language host on PATH."""
    home = tmp_path_factory.mktemp("pulumi-home")
    env = {
        **os.environ,
        "PATH": os.pathsep.join(
            [str(engine_bin), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
        ),
        "PULUMI_HOME": str(home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_CONFIG_PASSPHRASE": "engine-conformance",
        "GOLDENPATH_PACK_PYTHON": sys.executable,
    }

    def run(
        *args: str, cwd: Path | None = None, pack_python: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        run_env = dict(env, GOLDENPATH_PACK_PYTHON=str(pack_python)) if pack_python else env
        return subprocess.run(
            [str(engine_bin / "pulumi"), *args],
            cwd=cwd,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory) -> tuple[Path, Path]:
    """(python, site-packages) of a new virtualenv holding only goldenpath's wheel; dependencies are
    borrowed from this environment (tests/test_packaging.py installs them from the index instead)."""
    from ..conftest import build_wheel, venv_with_wheel_only

    wheel = build_wheel(tmp_path_factory.mktemp("wheel"))
    return venv_with_wheel_only(tmp_path_factory.mktemp("venv"), wheel)
