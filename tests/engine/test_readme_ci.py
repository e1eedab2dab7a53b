"""The README's CI section, run as written with the real Pulumi CLI.

The block under "CI: `pulumi preview` and `pulumi up` with the packs" runs with bash in a copy of
stacks/payments-api (stack prod), with one line replaced: the install from the company's index
(`pypi.internal.example` never resolves) installs goldenpath's wheel built from this checkout
instead, its dependencies borrowed from this environment. Everything else — the virtualenv, the
PACKS lookup, the paired --policy-pack-config flags, `pulumi preview` and `pulumi up --yes` — is
the README's own text. The engine runs on the stub provider plugins (tests/engine/conftest.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sysconfig

import pytest

from goldenpath.check import check_stack

from ..conftest import ROOT, STACKS
from .conftest import engine_env
from .test_preview_up import make_project

INSTALL_LINE = re.compile(
    r"^pip install --index-url https://pypi\.internal\.example/simple goldenpath==\S+.*$", re.M
)
CONFIGS = {"aws-security.json": {}, "platform-standards.json": {"all": "mandatory"}}
# "- [advisory] [severity: high]  policy-name  (aws:iam:Policy: resource-name)", as the CLI prints it.
POLICY_LINE = re.compile(
    r"- \[(mandatory|advisory|remediate)\] \[severity: \w+\]\s+(\S+)\s+\([^:]+:[^:]+:[^:]+: (.+)\)$", re.M
)


def readme_ci_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## CI: `pulumi preview` and `pulumi up` with the packs", 1)[1]
    return section.split("```bash\n", 1)[1].split("```", 1)[0]


def test_the_readme_ci_block_names_each_pack_with_its_own_config():
    block = readme_ci_block()

    assert INSTALL_LINE.search(block)
    assert block.count("--policy-pack ") == block.count("--policy-pack-config ") == 2
    assert "pulumi preview --stack prod" in block and "pulumi up --yes --stack prod" in block


@pytest.fixture(scope="module")
def readme_run(engine_bin, stub_providers, installed_wheel, goldenpath_wheel, tmp_path_factory):
    python, _ = installed_wheel
    work = tmp_path_factory.mktemp("readme-ci")
    project, _ = make_project(STACKS / "payments-api", "prod", work, python, stub_providers)
    for name, config in CONFIGS.items():
        (project / name).write_text(json.dumps(config))
    borrowed = sysconfig.get_paths()["purelib"]
    install = (
        f"pip install --quiet --no-deps --no-index {goldenpath_wheel} && "
        f'echo {borrowed} > "$(python -c \'import sysconfig; print(sysconfig.get_paths()["purelib"])\')'
        '/borrowed-dependencies.pth"'
    )
    script = INSTALL_LINE.sub(lambda _: install, readme_ci_block())
    env = {
        **engine_env(engine_bin, tmp_path_factory.mktemp("readme-pulumi-home")),
        "PULUMI_BACKEND_URL": (work / "backend").as_uri(),
    }
    (work / "backend").mkdir()
    init = subprocess.run(
        [str(engine_bin / "pulumi"), "stack", "init", "prod"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return project, done


def test_the_readme_ci_block_previews_and_deploys_the_stack_with_the_packs(readme_run):
    project, done = readme_run
    output = done.stdout + done.stderr

    assert done.returncode == 0, output[-4000:]
    assert "Previewing update (prod)" in output and "Updating (prod)" in output
    # The block's own virtualenv holds the packs it pointed the CLI at, and the CLI loaded them.
    assert list((project / ".venv" / "lib").glob("python*/site-packages/goldenpath/policies/aws_security"))
    assert "goldenpath-aws-security@v" in output and "goldenpath-platform-standards@v" in output


def test_the_readme_ci_block_prints_what_check_predicts_for_the_same_flags(readme_run):
    _, done = readme_run
    # The block's own `pulumi preview`, then `pulumi up`'s preview and update.
    _, preview_output, up_output = done.stdout.split("Previewing update (prod)")
    printed = {(policy, name, level) for level, policy, name in POLICY_LINE.findall(preview_output)}
    up_preview = up_output.split("Updating (prod)", 1)[0]
    result = check_stack(
        STACKS / "payments-api",
        "prod",
        packs=["aws_security", "platform_standards"],
        pack_config=list(CONFIGS.values()),
    )
    predicted = {
        (f.policy, f.resource_name, f.enforcement)
        for f in result.findings
        if f.status == "not-evaluated" or (f.status == "violation" and f.decided_at == "preview")
    } | {(f.policy, f.resource_name, f.enforcement) for f in result.preview_not_evaluated}

    assert printed == predicted
    assert printed, "prod's preview cannot run some policies; the comparison must not be empty"
    assert {(p, n, lv) for lv, p, n in POLICY_LINE.findall(up_preview)} == predicted
