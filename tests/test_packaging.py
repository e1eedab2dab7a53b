"""The distribution as a user gets it: a wheel installed into a fresh virtualenv."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, STACKS


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("goldenpath-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory, wheel) -> Path:
    """A new virtualenv with only the wheel installed; dependencies are borrowed from this environment
    through a path entry (not a site dir, so this environment's editable goldenpath stays invisible)."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return home


def test_wheel_maps_the_folders_into_the_goldenpath_namespace_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {n.split("/")[0] for n in names if not n.startswith("goldenpath-")}

    assert top_level == {"goldenpath"}
    assert "goldenpath/blueprints/web_service.py" in names
    assert "goldenpath/components/aws/service.py" in names
    assert "goldenpath/policies/aws_security/PulumiPolicy.yaml" in names
    assert "goldenpath/policies/aws_security/requirements.txt" in names
    assert "goldenpath/py.typed" in names


def test_the_example_stack_runs_under_mocks_from_the_installed_wheel(fresh_env, tmp_path):
    stack = tmp_path / "payments-api"
    shutil.copytree(STACKS / "payments-api", stack)
    script = (
        "import goldenpath, goldenpath.harness as h;"
        "r = h.run_stack('payments-api', 'dev');"
        "print(goldenpath.__file__);"
        "print(len(r.resources), r.one('goldenpath:blueprints:WebService').name)"
    )
    result = subprocess.run(
        [str(fresh_env / "bin" / "python"), "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    location, summary = result.stdout.strip().splitlines()[-2:]

    assert str(fresh_env) in location
    assert int(summary.split()[0]) > 50
    assert summary.endswith("payments-api")


def test_the_installed_command_checks_the_example_stack_through_the_installed_packs(fresh_env, tmp_path):
    stack = tmp_path / "payments-api"
    shutil.copytree(STACKS / "payments-api", stack)
    result = subprocess.run(
        [str(fresh_env / "bin" / "goldenpath"), "check", str(stack), "--pack", "aws_security", "--no-tree"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    assert "PASSED payments-api (dev)" in result.stdout
