"""A project from `goldenpath new`, made in a fresh virtualenv, through the real Pulumi CLI.

goldenpath's wheel is installed into a new virtualenv (tests/engine/conftest.py); its own
`goldenpath` command makes each blueprint's project non-interactively and checks it; then the real
CLI (on the stub provider plugins: NOT real providers) loads the generated Pulumi.yaml — its
project-level config declarations included, which the CLI checks every stack's values against —
and previews each stack with the packs and pack configs the generated workflow names. The engine's
verdicts must be the ones check predicts, with no mandatory violation.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from goldenpath.check import check_stack, load_pack_config

from .conftest import engine_verdicts
from .test_preview_up import check_preview_set, make_project, policy_args

CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0f4b1c52-8a3e-4c1d-9d57-1b2c3d4e5f60"
BLUEPRINTS = {
    "web-service": (
        ["--set", f"certificateArn={CERTIFICATE}", "--set", "imageTag=1.0.0"],
        ["aws_security", "platform_standards"],
    ),
    "worker": (["--set", "imageTag=1.0.0"], ["aws_security", "platform_standards"]),
    "scheduled-job": (
        ["--set", "imageTag=1.0.0", "--set", "schedule=cron(0 2 * * ? *)"],
        ["aws_security", "platform_standards"],
    ),
    "k8s-service": (["--set", "image=ghcr.io/acme/orders:1.0.0"], ["kubernetes", "platform_standards"]),
    "k8s-worker": (
        [
            *("--set", "image=ghcr.io/acme/orders-worker:1.0.0", "--set", "queue.type=aws-sqs-queue"),
            *("--set", "queue.url=https://sqs.eu-west-1.amazonaws.com/123456789012/orders"),
            *("--set", "queue.region=eu-west-1"),
        ],
        ["kubernetes", "platform_standards"],
    ),
    "k8s-scheduled-job": (
        ["--set", "image=ghcr.io/acme/orders-report:1.0.0", "--set", "schedule=30 2 * * *"],
        ["kubernetes", "platform_standards"],
    ),
}
STACKS = ("dev", "prod")


@pytest.fixture(scope="module")
def generated(installed_wheel, tmp_path_factory) -> dict[str, Path]:
    """Each blueprint's project, made by the installed `goldenpath new --yes` in a folder of its own."""
    python, _ = installed_wheel
    goldenpath = python.parent / "goldenpath"
    projects = {}
    for blueprint, (settings, _) in BLUEPRINTS.items():
        work = tmp_path_factory.mktemp(f"new-{blueprint}")
        env = {**os.environ, "HOME": str(work / "home")}
        for name in ("VIRTUAL_ENV", "PYTHONPATH"):
            env.pop(name, None)
        done = subprocess.run(
            [str(goldenpath), "new", "orders", "--blueprint", blueprint, "--team", "orders",
             "--cost-center", "cc-1234", "--repo", "acme/orders", *settings, "--yes"],
            cwd=work, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        projects[blueprint] = work / "orders"
    return projects


def _workflow_policy(project: Path) -> tuple[list[str], list[str]]:
    """The pack folder names and pack config files the generated workflow's pulumi up passes."""
    workflow = yaml.safe_load((project / ".github" / "workflows" / "goldenpath.yml").read_text())
    action = next(
        s for s in workflow["jobs"]["deploy-prod"]["steps"] if s.get("uses", "").startswith("pulumi/")
    )
    packs = [line.rsplit("/", 1)[-1] for line in action["with"]["policyPacks"].splitlines()]
    return packs, action["with"]["policyPackConfigs"].splitlines()


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_the_installed_goldenpath_checks_the_project_it_made_clean(
    installed_wheel, generated, blueprint, stack
):
    python, _ = installed_wheel
    project = generated[blueprint]
    packs, configs = _workflow_policy(project)
    args = [
        a
        for pack, config in zip(packs, configs, strict=True)
        for a in ("--pack", pack, "--pack-config", config)
    ]

    done = subprocess.run(
        [str(python.parent / "goldenpath"), "check", ".", "--stack", stack, "--no-tree", *args],
        cwd=project, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"PASSED orders ({stack})" in done.stdout
    assert ": 0 mandatory," in done.stdout


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_the_engine_previews_the_generated_project_as_check_predicts(
    pulumi, installed_wheel, stub_providers, generated, tmp_path, blueprint, stack
):
    python, site = installed_wheel
    project, secure = make_project(generated[blueprint], stack, tmp_path, python, stub_providers)
    assert secure == []
    packs, configs = _workflow_policy(project)
    env = {"PULUMI_BACKEND_URL": (tmp_path / "backend").as_uri()}
    (tmp_path / "backend").mkdir()
    policy = []
    for pack, config in zip(packs, configs, strict=True):
        policy += policy_args([site / "goldenpath" / "policies" / pack], project / config)

    init = pulumi("stack", "init", stack, cwd=project, python=python, env=env)
    assert init.returncode == 0, init.stderr
    log = tmp_path / "preview.jsonl"
    preview = pulumi(
        "preview", "--stack", stack, "--non-interactive", *policy, "--event-log", str(log),
        cwd=project, python=python, env=env,
    )  # fmt: skip

    assert preview.returncode == 0, preview.stdout + preview.stderr
    violations, _ = engine_verdicts(log.read_text())
    assert not [v for v in violations if v[2] == "mandatory" and not v[3]]
    pack_config = load_pack_config([generated[blueprint] / c for c in configs], paired=True)
    predicted = check_stack(generated[blueprint], stack, packs=packs, pack_config=pack_config)
    assert violations == check_preview_set(predicted)


def test_the_engine_refuses_a_stack_value_of_the_wrong_declared_type_as_check_does(
    pulumi, installed_wheel, stub_providers, generated, tmp_path
):
    python, _ = installed_wheel
    project, _ = make_project(generated["k8s-service"], "dev", tmp_path, python, stub_providers)
    stack_file = project / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text() + "  orders:replicas: many\n")
    env = {"PULUMI_BACKEND_URL": (tmp_path / "backend").as_uri()}
    (tmp_path / "backend").mkdir()
    assert pulumi("stack", "init", "dev", cwd=project, python=python, env=env).returncode == 0

    preview = pulumi("preview", "--stack", "dev", "--non-interactive", cwd=project, python=python, env=env)

    expected = "Stack 'dev' with configuration key 'replicas' must be of type 'integer'"
    assert preview.returncode != 0
    assert expected in preview.stdout + preview.stderr
    from goldenpath.harness import StackConfigError, read_stack_files

    with pytest.raises(StackConfigError, match=expected):
        read_stack_files(project, "dev")
