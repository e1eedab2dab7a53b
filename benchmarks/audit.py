"""``python -m benchmarks.audit``: ``goldenpath audit`` of a generated organisation.

The estate is written in the Pulumi CLI's file layout (``.pulumi/meta.yaml`` version 1,
``.pulumi/stacks/<project>/<stack>.json`` checkpoints version 3, ``.pulumi/history/<project>/<stack>/
<stack>-<unixnano>.history.json``) from ``goldenpath check`` runs of the example stacks, each run
written as state by :func:`goldenpath.state.to_deployment`:

* a *service* stack holds ``stacks/payments-api`` (dev or prod) and ``stacks/catalog-k8s`` (dev or
  prod) under one root Stack resource — a WebService and a K8sService, about 105 resources;
* every 50th stack is an account's ``stacks/bootstrap`` (prod), 30 resources.

Each stack gets a project and stack name of its own (``payments-api-0007`` / ``staging``): its
URNs, root Stack name and checkpoint path say so, as the CLI would have written them, while the
resources' own names and inputs stay the example's. So the estate is the memo's good case — many
stacks made from the same blueprints with the same settings; the ``--no-memo`` run (every
resource through every pack over gRPC, nothing reused) is the bad case, of an estate where no two
resources are alike. Each stack gets a made-up but deterministic update history (6-14 updates over
six weeks, about one in eight failed, some refreshes).

See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

from rich.console import Console

from goldenpath.audit import audit, dumps, print_text
from goldenpath.backends import open_backend
from goldenpath.check import check_stack
from goldenpath.state import to_deployment

REPO_ROOT = Path(__file__).resolve().parent.parent
STACKS = REPO_ROOT / "stacks"
GOAL_SECONDS = 60.0
DEFAULT_STACKS = 1000
DEFAULT_NO_MEMO_STACKS = 50
BOOTSTRAP_EVERY = 50
# Histories end here, so that the estate (and its report) is the same on every run.
HISTORY_END = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Template:
    """One example stack's run, written as state."""

    project: str
    stack: str
    deployment: dict[str, Any]

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.deployment["deployment"]["resources"]


def template(folder: str, stack: str) -> Template:
    run = check_stack(STACKS / folder, stack).run
    return Template(run.project, run.stack, to_deployment(run))


def templates() -> dict[str, Template]:
    """``check`` runs of the example stacks, as state."""
    return {
        f"{folder}/{stack}": template(folder, stack)
        for folder, stack in (
            ("payments-api", "dev"),
            ("payments-api", "prod"),
            ("catalog-k8s", "dev"),
            ("catalog-k8s", "prod"),
            ("bootstrap", "prod"),
        )
    }


def renamed(t: Template, project: str, stack: str) -> list[dict[str, Any]]:
    """The template's resources as the CLI would have written them for ``project``/``stack``:
    every URN (and parent, provider, dependency) under the new names, the root Stack named
    ``<project>-<stack>``."""
    text = json.dumps(t.resources)
    text = text.replace(f"{_STACK_TYPE}::{t.project}-{t.stack}", f"{_STACK_TYPE}::{project}-{stack}").replace(
        f"urn:pulumi:{t.stack}::{t.project}::", f"urn:pulumi:{stack}::{project}::"
    )
    return json.loads(text)


def combined(primary: list[dict[str, Any]], secondary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``secondary`` (already renamed to the same stack) moved under ``primary``'s root Stack: its
    own root Stack resource is dropped and its children reparented."""
    root = next(r["urn"] for r in primary if r["type"] == _STACK_TYPE)
    other = next(r["urn"] for r in secondary if r["type"] == _STACK_TYPE)
    text = json.dumps([r for r in secondary if r["urn"] != other]).replace(
        json.dumps(other), json.dumps(root)
    )
    return primary + json.loads(text)


def history(rng: random.Random, end: datetime) -> list[dict[str, Any]]:
    """A made-up update history (backend.UpdateInfo), oldest first."""
    entries = []
    moment = end - timedelta(days=42)
    updates = rng.randint(6, 14)
    for _ in range(updates):
        moment += timedelta(hours=rng.uniform(12, 100))
        kind = "refresh" if rng.random() < 0.12 else "update"
        result = "failed" if kind == "update" and rng.random() < 0.125 else "succeeded"
        finished = moment + timedelta(seconds=rng.randint(60, 600))
        entries.append(
            {
                "kind": kind,
                "startTime": int(moment.timestamp()),
                "message": "",
                "environment": {"exec.kind": "cli"},
                "config": {},
                "result": result,
                "endTime": int(finished.timestamp()),
                "version": len(entries) + 1,
                "resourceChanges": {"same": 90} if result == "succeeded" else {"update": 1},
            }
        )
    return entries


def write_stack(
    root: Path, project: str, stack: str, resources: list[dict[str, Any]], updates: list[dict[str, Any]]
) -> None:
    """One stack in the CLI's project-scoped layout: checkpoint, history and checkpoint copies."""
    last = max((u["endTime"] for u in updates), default=int(HISTORY_END.timestamp()))
    manifest = {
        "time": datetime.fromtimestamp(last, UTC).isoformat().replace("+00:00", "Z"),
        "magic": "",
        "version": "v3.274.1",
    }
    checkpoint = {
        "version": 3,
        "checkpoint": {
            "stack": f"organization/{project}/{stack}",
            "latest": {
                "manifest": manifest,
                "secrets_providers": {"type": "passphrase"},
                "resources": resources,
            },
        },
    }
    path = root / ".pulumi" / "stacks" / project / f"{stack}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(checkpoint))
    folder = root / ".pulumi" / "history" / project / stack
    folder.mkdir(parents=True, exist_ok=True)
    for update in updates:
        stem = f"{stack}-{update['startTime'] * 1_000_000_000}"
        (folder / f"{stem}.history.json").write_text(json.dumps(update))


def estate(
    made: dict[str, Template], stacks: int, seed: int = 0
) -> Iterator[tuple[str, str, list[dict], list[dict]]]:
    """(project, stack, resources, history) of each generated stack."""
    rng = random.Random(seed)
    for index in range(stacks):
        if index % BOOTSTRAP_EVERY == BOOTSTRAP_EVERY - 1:
            project, stack = f"bootstrap-{index:04d}", "prod"
            resources = renamed(made["bootstrap/prod"], project, stack)
        else:
            environment = ("dev", "staging", "prod")[index % 3]
            flavour = "prod" if environment == "prod" else "dev"
            project, stack = f"payments-api-{index:04d}", environment
            resources = combined(
                renamed(made[f"payments-api/{flavour}"], project, stack),
                renamed(made[f"catalog-k8s/{flavour}"], project, stack),
            )
        yield project, stack, resources, history(rng, HISTORY_END)


def write_estate(root: Path, made: dict[str, Template], stacks: int) -> tuple[int, int]:
    """Write the estate as a file backend under ``root``; (stacks, resources) written."""
    (root / ".pulumi").mkdir(parents=True, exist_ok=True)
    (root / ".pulumi" / "meta.yaml").write_text("version: 1\n")
    resources = 0
    for project, stack, items, updates in estate(made, stacks):
        write_stack(root, project, stack, items, updates)
        resources += len(items)
    return stacks, resources


@dataclass
class AuditTiming:
    label: str
    stacks: int
    resources: int
    memoize: bool
    read_seconds: float
    audit_seconds: float
    report_seconds: float
    timings: dict[str, float]
    report_bytes: int

    @property
    def total(self) -> float:
        return self.audit_seconds + self.report_seconds

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "total_seconds": self.total}


def _timed(action):
    gc.collect()
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def measure(label: str, backend: Path, stacks: int, resources: int, memoize: bool) -> AuditTiming:
    """Read alone; then the audit (read, evaluate, aggregate, packs started once); then the
    report (JSON and text)."""
    url = backend.as_uri()
    read_seconds, _ = _timed(lambda: open_backend(url).read())
    timings: dict[str, float] = {}
    audit_seconds, report = _timed(lambda: audit([url], memoize=memoize, timings=timings))

    def render() -> int:
        text = dumps(report)
        print_text(report, Console(file=StringIO(), width=200))
        return len(text)

    report_seconds, size = _timed(render)
    assert report["summary"]["stacks"] == stacks, report["summary"]
    return AuditTiming(
        label, stacks, resources, memoize, read_seconds, audit_seconds, report_seconds, timings, size
    )


def table(results: Iterable[AuditTiming]) -> str:
    results = list(results)
    headers = [
        "estate",
        "stacks",
        "resources",
        "memo",
        "read s",
        "audit s",
        "report s",
        "total s",
        "ms/res",
        "Analyze calls",
        "reused",
        "AnalyzeStack calls",
        "reused",
        "goal",
    ]
    rows = []
    for r in results:
        t = r.timings
        rows.append(
            [
                r.label,
                str(r.stacks),
                f"{r.resources:,}",
                "yes" if r.memoize else "no",
                f"{r.read_seconds:.2f}",
                f"{r.audit_seconds:.2f}",
                f"{r.report_seconds:.2f}",
                f"{r.total:.2f}",
                f"{1000 * r.total / r.resources:.3f}",
                f"{int(t.get('analyze_calls', 0)):,}",
                f"{int(t.get('analyze_reused', 0)):,}",
                f"{int(t.get('stack_calls', 0)):,}",
                f"{int(t.get('stack_reused', 0)):,}",
                ("yes" if r.total < GOAL_SECONDS else "no") if r.stacks >= DEFAULT_STACKS else "-",
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def breakdown(r: AuditTiming) -> str:
    t = r.timings
    return (
        f"{r.label}: packs started in {t.get('start-packs', 0):.2f} s; reading threads busy {t.get('read-threads', 0):.2f} s "
        f"(overlapping); preparing stacks (wire form, memo keys) {t.get('prepare', 0):.2f} s; waiting for and "
        f"assembling verdicts {t.get('evaluate', 0):.2f} s; aggregates {t.get('aggregate', 0):.3f} s; "
        f"JSON report {r.report_bytes / 1e6:.1f} MB"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--stacks", type=int, default=DEFAULT_STACKS, help=f"stacks in the estate (default {DEFAULT_STACKS})"
    )
    parser.add_argument(
        "--no-memo-stacks",
        type=int,
        default=DEFAULT_NO_MEMO_STACKS,
        help=f"stacks audited again with memoization off, for the ratio (default {DEFAULT_NO_MEMO_STACKS}; 0 skips)",
    )
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write every number as JSON here")
    return parser


def run(stacks: int, no_memo_stacks: int, progress=lambda message: None) -> list[AuditTiming]:
    progress("goldenpath check of the example stacks (the templates)")
    made = templates()
    results = []
    with tempfile.TemporaryDirectory(prefix="goldenpath-audit-bench-") as tmp:
        plans = [("organisation", stacks, True)]
        if no_memo_stacks:
            plans += [("sample", no_memo_stacks, True), ("sample", no_memo_stacks, False)]
        written: dict[int, tuple[Path, int]] = {}
        for label, count, memoize in plans:
            if count not in written:
                folder = Path(tmp) / f"estate-{count}"
                progress(f"writing {count} stacks in the CLI's file layout")
                written[count] = (folder, write_estate(folder, made, count)[1])
            folder, resources = written[count]
            progress(f"audit of {count} stacks, memoization {'on' if memoize else 'off'}")
            results.append(measure(label, folder, count, resources, memoize))
    return results


def report(results: list[AuditTiming]) -> str:
    out = [
        f"goldenpath audit — {os.cpu_count()} CPUs, python {sys.version.split()[0]}; goal: "
        f"{DEFAULT_STACKS:,} stacks read, evaluated and reported in under {GOAL_SECONDS:.0f} s",
        table(results),
    ]
    out += [breakdown(r) for r in results]
    by_key = {(r.label, r.memoize): r for r in results}
    memo, no_memo = by_key.get(("sample", True)), by_key.get(("sample", False))
    if memo and no_memo:
        per_resource = no_memo.total / no_memo.resources
        organisation = by_key.get(("organisation", True))
        out.append(
            f"memoization: {no_memo.total / memo.total:.1f}x faster on the {memo.stacks}-stack sample "
            f"({no_memo.total:.2f} s without, {memo.total:.2f} s with)"
        )
        if organisation:
            out.append(
                f"without memoization the {organisation.stacks}-stack estate would take about "
                f"{per_resource * organisation.resources:.0f} s (the sample's {1000 * per_resource:.2f} ms per resource "
                f"× {organisation.resources:,}), {per_resource * organisation.resources / organisation.total:.0f}x the "
                "memoized run: the cost of an estate where no two resources are alike"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    results = run(args.stacks, args.no_memo_stacks, lambda m: print(f"… {m}", file=sys.stderr, flush=True))
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([r.to_json() for r in results], indent=2) + "\n")
        print(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
