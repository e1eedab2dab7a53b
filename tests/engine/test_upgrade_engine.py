"""The real engine steps through an upgrade as goldenpath.upgrade_safety predicts.

Each case deploys a program with one version (`pulumi up` on the stub providers of
tests/engine/conftest.py: NOT real providers), switches the project to another version of the code
and asks `pulumi preview --json` what it would do. The engine's creates and deletes — its own URN
matching, aliases and the aliases a renamed parent passes to its children included — must be
exactly those :func:`goldenpath.upgrade_safety.compare` finds between the two mock runs. (The stub
provider reports any changed input as an update and never a replacement, so replacements are
outside what this can referee; the replace-on-change data is checked against the SDKs instead.)

Cases: the stacks under stacks/ from the last released wheel (releases/) to this checkout, and a
small program whose component is renamed with and without an alias.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from goldenpath import upgrade_safety as us
from goldenpath._upgrade_snapshot import _jsonable as snapshot_json
from goldenpath._upgrade_snapshot import _resources as snapshot_resources
from goldenpath.harness import run_stack

from ..conftest import STACKS
from .test_preview_up import make_project

STORE = """
import pulumi
import pulumi_aws as aws


class Store(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("shop:index:Store", name, None, opts)
        shelf = pulumi.ComponentResource("shop:index:Shelf", f"{name}-shelf", None, pulumi.ResourceOptions(parent=self))
        aws.s3.Bucket(f"{name}-shelf-bucket", bucket="acme-shop", opts=pulumi.ResourceOptions(parent=shelf))
        aws.sqs.Queue(f"{name}-jobs", name="acme-jobs", opts=pulumi.ResourceOptions(parent=self))
"""
PROGRAMS = {
    "before": STORE + 'Store("orders")\naws.s3.Bucket("logs", bucket="acme-logs")\n',
    # A renamed component with an alias, and a top-level resource renamed without one.
    "after": STORE
    + 'Store("sales", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="orders")]))\n'
    + 'aws.s3.Bucket("audit-logs", bucket="acme-logs")\n',
}


def _engine_steps(preview_stdout: str) -> tuple[dict[str, set[str]], dict[str, int]]:
    """The URNs of each step the preview lists (it leaves out unchanged ones), and its counts."""
    preview = json.loads(preview_stdout)
    steps: dict[str, set[str]] = {}
    for step in preview.get("steps", []):
        steps.setdefault(step["op"], set()).add(step["urn"])
    return steps, preview.get("changeSummary", {})


def _predicted(comparison: us.Comparison) -> dict[str, set[str]]:
    return {
        "create": set(comparison.created),
        "delete": {c.urn for c in comparison.changes if c.action == "delete"}
        | set(comparison.dropped_components),
    }


def _snapshot(stack_dir: Path, stack: str) -> list[dict]:
    run = run_stack(stack_dir, stack, preview=False)
    return json.loads(json.dumps(snapshot_resources(run), default=snapshot_json))


def _upgrade(pulumi, project: Path, stack: str, old_python: Path, new_python: Path):
    """`pulumi up` with ``old_python``'s goldenpath, then `pulumi preview --json` with ``new_python``'s."""
    env = {"PULUMI_BACKEND_URL": (project.parent / "backend").as_uri()}
    (project.parent / "backend").mkdir()
    venv_link = project / "venv"

    def use(python: Path) -> None:
        if venv_link.is_symlink() or venv_link.exists():
            venv_link.unlink()
        venv_link.symlink_to(python.parent.parent)

    use(old_python)
    for args in (
        ("stack", "init", stack),
        ("up", "--yes", "--skip-preview", "--stack", stack, "--non-interactive"),
    ):
        done = pulumi(*args, cwd=project, python=old_python, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    use(new_python)
    preview = pulumi(
        "preview", "--json", "--stack", stack, "--non-interactive", cwd=project, python=new_python, env=env
    )
    assert preview.returncode == 0, preview.stdout + preview.stderr
    return _engine_steps(preview.stdout)


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> tuple[Path, Path]:
    return us.wheel_venv(tmp_path_factory.mktemp("release") / "venv", us.latest_release())


@pytest.mark.parametrize(("stack_name", "stack"), [("payments-api", "dev"), ("catalog-k8s", "prod")])
def test_the_engine_upgrades_a_stack_from_the_release_as_compare_predicts(
    pulumi, stub_providers, installed_wheel, release, tmp_path, stack_name, stack
):
    release_python, _ = release
    head_python, _ = installed_wheel
    stack_dir = STACKS / stack_name
    project, secure = make_project(stack_dir, stack, tmp_path, release_python, stub_providers)
    assert not secure

    engine, counts = _upgrade(pulumi, project, stack, release_python, head_python)
    old = us.take_snapshots(release_python, [{"label": "x", "kind": "stack", "dir": str(stack_dir), "stack": stack}],
                            tmp_path / "old")["runs"]["x"]["resources"]  # fmt: skip
    comparison = us.compare(stack_name, old, _snapshot(stack_dir, stack))

    assert {op: urns for op, urns in engine.items() if op in ("create", "delete")} == {
        op: urns for op, urns in _predicted(comparison).items() if urns
    }
    # Every resource the engine keeps is one compare matched (the stack itself aside).
    kept = counts.get("same", 0) + counts.get("update", 0) - 1
    assert kept == comparison.same_urn + len(comparison.aliased) > 10


def test_the_engine_follows_a_renamed_components_alias_to_its_grandchildren_as_compare_does(
    pulumi, stub_providers, installed_wheel, tmp_path
):
    python, _ = installed_wheel
    project = tmp_path / "shop"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: shop\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n"
        + "plugins:\n  providers:\n"
        + "".join(f"    - name: {n}\n      path: {p}\n" for n, p in sorted(stub_providers.items()))
    )
    (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    snapshots = {}
    for version, program in PROGRAMS.items():
        (project / "__main__.py").write_text(textwrap.dedent(program))
        snapshots[version] = _snapshot(project, "dev")
        shutil.copy(project / "__main__.py", tmp_path / f"{version}.py")

    (project / "__main__.py").write_text(PROGRAMS["before"])
    env = {"PULUMI_BACKEND_URL": (tmp_path / "backend").as_uri()}
    (tmp_path / "backend").mkdir()
    (project / "venv").symlink_to(python.parent.parent)
    for args in (
        ("stack", "init", "dev"),
        ("up", "--yes", "--skip-preview", "--stack", "dev", "--non-interactive"),
    ):
        done = pulumi(*args, cwd=project, python=python, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    (project / "__main__.py").write_text(PROGRAMS["after"])
    preview = pulumi(
        "preview", "--json", "--stack", "dev", "--non-interactive", cwd=project, python=python, env=env
    )
    assert preview.returncode == 0, preview.stdout + preview.stderr
    engine, counts = _engine_steps(preview.stdout)

    comparison = us.compare("shop", snapshots["before"], snapshots["after"])

    assert (
        engine["create"]
        == set(comparison.created)
        == {"urn:pulumi:dev::shop::aws:s3/bucket:Bucket::audit-logs"}
    )
    assert (
        engine["delete"]
        == _predicted(comparison)["delete"]
        == {"urn:pulumi:dev::shop::aws:s3/bucket:Bucket::logs"}
    )
    # The component, its child component, the grandchild bucket and the queue: carried over by the alias.
    assert len(comparison.aliased) == 4 == counts.get("same", 0) + counts.get("update", 0) - 1
