"""goldenpath.backends reads what the real Pulumi CLI wrote into a file backend.

One small project (a copy of stacks/catalog-k8s, run on the stub providers of tests/engine/conftest.py:
NOT real providers, their outputs are check's mocks') goes through `pulumi stack init`, two `pulumi
up`, a `pulumi preview` (which records no history) and a `pulumi refresh`, once in the project-scoped
layout and once in the legacy layout with gzip-compressed state. The CLI's own views are the
referees: `pulumi stack export` for the resources, `pulumi stack ls --json` for the resource count
and last update time, `pulumi stack history --json` for the updates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pytest

from goldenpath.backends import open_backend
from goldenpath.harness import SECRET_PLACEHOLDER

from ..conftest import STACKS
from .test_preview_up import make_project

LAYOUTS = {
    "project": {},
    "legacy, gzip": {
        "PULUMI_DIY_BACKEND_LEGACY_LAYOUT": "1",
        "PULUMI_DIY_BACKEND_IGNORE_DEPRECATION_ERROR": "1",
        "PULUMI_DIY_BACKEND_GZIP": "true",
    },
}


@dataclass
class Written:
    backend: Path
    layout: str
    export: dict
    listed: list[dict]
    history: list[dict]


@pytest.fixture(scope="module", params=LAYOUTS)
def written(request, pulumi, installed_wheel, stub_providers, tmp_path_factory) -> Written:
    python, _ = installed_wheel
    work = tmp_path_factory.mktemp("backend-checkpoints")
    project, secure = make_project(STACKS / "catalog-k8s", "dev", work, python, stub_providers)
    backend = work / "backend"
    backend.mkdir()
    env = {"PULUMI_BACKEND_URL": backend.as_uri(), **LAYOUTS[request.param]}

    def engine(*args: str) -> str:
        done = pulumi(*args, cwd=project, python=python, env=env)
        assert done.returncode == 0, f"pulumi {' '.join(args)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        return done.stdout

    engine("stack", "init", "dev")
    for key in secure:
        engine("config", "set", "--secret", "--stack", "dev", key, SECRET_PLACEHOLDER)
    common = ("--stack", "dev", "--non-interactive")
    engine("up", "--yes", "--skip-preview", *common)
    engine("up", "--yes", "--skip-preview", *common)
    engine("preview", *common)
    engine("refresh", "--yes", *common)
    return Written(
        backend=backend,
        layout=request.param,
        export=json.loads(engine("stack", "export", "--stack", "dev")),
        listed=json.loads(engine("stack", "ls", "--json")),
        history=json.loads(engine("stack", "history", "--stack", "dev", "--json")),
    )


def _cli_time(value) -> str:
    # pkg/cmd/pulumi/cmd/time.go: milliseconds, UTC, "Z".
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def test_the_reader_finds_the_stack_resources_and_history_the_cli_wrote(written):
    read = open_backend(written.backend.as_uri()).read()

    (stack,) = read.stacks
    (listed,) = written.listed
    exported = written.export["deployment"]["resources"]
    assert (stack.ref.project, stack.ref.name) == (
        (None, "dev") if written.layout.startswith("legacy") else ("catalog-k8s", "dev")
    )
    assert stack.ref.path.endswith(".json.gz" if "gzip" in written.layout else ".json")
    assert len(stack.checkpoint.resources) == len(exported) == listed["resourceCount"] > 1
    assert [r["urn"] for r in stack.checkpoint.resources] == [r["urn"] for r in exported]
    assert _cli_time(stack.checkpoint.time) == listed["lastUpdate"]
    assert stack.checkpoint.project == "catalog-k8s"
    assert [(u.kind, u.result) for u in stack.history] == [
        ("refresh", "succeeded"),
        ("update", "succeeded"),
        ("update", "succeeded"),
    ]
    assert [
        (u.kind, u.result, _cli_time(u.start), _cli_time(u.end), u.resource_changes, u.version)
        for u in stack.history
    ] == [
        (h["kind"], h["result"], h["startTime"], h["endTime"], h["resourceChanges"], h["version"])
        for h in written.history
    ]
    # The engine counts no step for a default provider.
    providers = [r for r in exported if r["type"].startswith("pulumi:providers:")]
    assert stack.history[-1].resource_changes == {"create": len(exported) - len(providers)}
    assert stack.history[1].resource_changes == {"same": len(exported) - len(providers)}
    assert all(u.checkpoint_path for u in stack.history)
    assert not stack.locked
    legacy = [p for p in read.problems if "legacy (non-project) layout" in p.message]
    assert read.problems == legacy
    assert bool(legacy) == written.layout.startswith("legacy")
