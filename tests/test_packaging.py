"""The distribution as a user gets it: a wheel installed into a fresh virtualenv."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import tomllib
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from packaging.utils import canonicalize_name
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from goldenpath.policy import pack_policies

from .conftest import ROOT, STACKS, build_wheel, venv_with_wheel_only

pytestmark = pytest.mark.slow

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
# Whatever would let pip take a dependency from somewhere other than an index, or let this
# environment's packages leak into the new one.
_NOT_FROM_AN_INDEX = (
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_USER",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_REQUIREMENT",
    "PIP_CONSTRAINT",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory, wheel) -> Path:
    """A new virtualenv with only the wheel installed, its dependencies borrowed from this one."""
    home = tmp_path_factory.mktemp("venv")
    venv_with_wheel_only(home, wheel)
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


@dataclass(frozen=True)
class IndexedEnv:
    home: Path
    python: Path
    site_packages: Path
    install_log: str
    report: dict
    install_seconds: float


@pytest.fixture(scope="module")
def indexed_env(tmp_path_factory, wheel) -> IndexedEnv:
    """A new virtualenv where pip installed the wheel file and fetched every dependency from the
    configured index (PyPI, or the mirror ``PIP_INDEX_URL`` names), as a company's CI would."""
    home = tmp_path_factory.mktemp("indexed") / "venv"
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    report = home.parent / "install-report.json"
    env = {k: v for k, v in os.environ.items() if k not in _NOT_FROM_AN_INDEX}
    started = time.monotonic()
    install = subprocess.run(
        # --no-compile: byte-compiling pulumi-aws's thousands of modules doubles the time and proves
        # nothing pip would not also skip on a failure.
        [str(python), "-m", "pip", "install", "--no-compile", "--report", str(report), f"./{wheel.name}"],
        cwd=wheel.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if install.returncode != 0:
        pytest.fail(
            f"pip could not install the wheel with its dependencies:\n{install.stdout}{install.stderr}"
        )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"\npip installed the wheel and its dependencies from the index in {seconds:.1f} s")
    return IndexedEnv(home, python, Path(site), install.stdout, json.loads(report.read_text()), seconds)


def test_pip_takes_goldenpath_only_from_the_wheel_and_every_dependency_from_the_index(indexed_env, wheel):
    installed = {canonicalize_name(item["metadata"]["name"]): item for item in indexed_env.report["install"]}
    ours = installed.pop("goldenpath")

    assert f"Processing ./{wheel.name}" in indexed_env.install_log
    assert "Downloading goldenpath" not in indexed_env.install_log
    assert ours["download_info"]["url"] == wheel.as_uri() and ours["is_direct"]
    assert ours["metadata"]["version"] == VERSION
    assert {"pulumi", "pulumi-policy", "pulumi-aws", "pydantic"} <= set(installed)
    assert not [name for name, item in installed.items() if item["is_direct"]]
    assert {urlsplit(item["download_info"]["url"]).scheme for item in installed.values()} <= {"https", "http"}


def test_pip_reports_goldenpath_installed_from_the_wheel_into_the_new_site_packages(indexed_env):
    shown = subprocess.run(
        [str(indexed_env.python), "-m", "pip", "show", "goldenpath"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fields = dict(line.split(": ", 1) for line in shown.splitlines() if ": " in line)

    assert fields["Version"] == VERSION
    assert Path(fields["Location"]) == indexed_env.site_packages
    assert "Editable project location" not in fields


def _start_pack_as_the_engine_does(python: Path, pack_dir: Path) -> tuple[subprocess.Popen, int, list[bytes]]:
    # pulumi-language-python's RunPlugin: `<python> -u -m pulumi.policy <engine> <abs packdir>`, cwd the pack dir.
    process = subprocess.Popen(
        [str(python), "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(pack_dir)],
        cwd=pack_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k not in _NOT_FROM_AN_INDEX},
    )
    stderr: list[bytes] = []
    threading.Thread(target=lambda: stderr.extend(process.stderr), daemon=True).start()
    port_line = process.stdout.readline().decode().strip()
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()
    if not port_line.isdigit():
        process.wait(timeout=30)
        pytest.fail(f"the pack printed {port_line!r} instead of its port:\n{b''.join(stderr).decode()}")
    return process, int(port_line), stderr


def test_a_shipped_pack_runs_from_site_packages_with_the_engines_interpreter_and_working_directory(
    indexed_env,
):
    pack_dir = indexed_env.site_packages / "goldenpath" / "policies" / "aws_security"
    process, port, _ = _start_pack_as_the_engine_does(indexed_env.python, pack_dir)
    ssh_from_world = analyzer_pb2.AnalyzeRequest(
        type="aws:ec2/securityGroup:SecurityGroup",
        urn="urn:pulumi:ci::payments-api::aws:ec2/securityGroup:SecurityGroup::ssh-from-world",
        name="ssh-from-world",
        properties=struct_pb2.Struct(),
    )
    ssh_from_world.properties.update(
        {
            "description": "bastion",
            "ingress": [
                {
                    "protocol": "tcp",
                    "fromPort": 22,
                    "toPort": 22,
                    "cidrBlocks": ["0.0.0.0/0"],
                    "description": "SSH",
                }
            ],
        }
    )
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=60)
            analyzer = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
            diagnostics = analyzer.Analyze(ssh_from_world).diagnostics
    finally:
        process.terminate()
        process.wait(timeout=30)

    assert info.name == "goldenpath-aws-security"
    assert len(info.policies) == len(pack_policies("goldenpath.policies.aws_security"))
    (violation,) = [d for d in diagnostics if d.policyName == "aws-sg-no-world-admin-ports"]
    assert violation.enforcementLevel == analyzer_pb2.MANDATORY
    assert "0.0.0.0/0 on port 22 (SSH)" in violation.message
