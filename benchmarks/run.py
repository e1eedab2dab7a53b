"""``python -m benchmarks.run [--quick] [--json PATH]``: check vs the raw SDK, policy throughput, audit.

See benchmarks/README.md for what each number means and the goals.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks import audit as audit_benchmark
from benchmarks.compare import Comparison, compare, timed
from benchmarks.policy_eval import (
    InProcessResult,
    ProtocolResult,
    evaluate_in_process,
    evaluate_over_protocol,
    shipped_packs,
)
from benchmarks.raw import run_raw
from benchmarks.stacks import EXAMPLE_STACK, EXAMPLE_STACK_NAME, generate_stack
from goldenpath.check import check_stack

CHECK_RATIO_GOAL = 1.3
IN_PROCESS_RESOURCES_PER_SECOND_GOAL = 20_000
SMALL_SERVICES = 10
LARGE_SERVICES = 100
QUICK_AUDIT_STACKS = 100
_TIMING_ORDER = ["program", "policies", "policies-after-program"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Time goldenpath check against the raw Pulumi SDK under mocks, and policy throughput.",
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"skip the {LARGE_SERVICES}-service stack (~9,000 resources)"
    )
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write every number as JSON here")
    parser.add_argument("--repeats", type=int, default=5, help="repeats for the example stack (default 5)")
    parser.add_argument(
        "--small-repeats",
        type=int,
        default=3,
        help=f"repeats for the {SMALL_SERVICES}-service stack (default 3)",
    )
    parser.add_argument(
        "--large-repeats",
        type=int,
        default=1,
        help="repeats for the large stack (default 1)",
    )
    parser.add_argument(
        "--large-services",
        type=int,
        default=LARGE_SERVICES,
        help=f"services in the large stack (default {LARGE_SERVICES})",
    )
    parser.add_argument(
        "--policy-repeats", type=int, default=5, help="repeats of the in-process evaluation (default 5)"
    )
    parser.add_argument(
        "--audit-stacks",
        type=int,
        default=None,
        help=f"stacks in the audited organisation (default {audit_benchmark.DEFAULT_STACKS}, "
        f"{QUICK_AUDIT_STACKS} with --quick; 0 skips the audit benchmark)",
    )
    parser.add_argument(
        "--audit-no-memo-stacks",
        type=int,
        default=audit_benchmark.DEFAULT_NO_MEMO_STACKS,
        help="stacks audited with and without memoization, for the ratio "
        f"(default {audit_benchmark.DEFAULT_NO_MEMO_STACKS}; 0 skips)",
    )
    return parser


def _environment(packs: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "pulumi": version("pulumi"),
        "pulumi_aws": version("pulumi_aws"),
        "pulumi_policy": version("pulumi_policy"),
        "packs": {name: len(policies) for name, policies in packs.items()},
    }


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


# --- Report -------------------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(
            h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


def _s(seconds: float) -> str:
    return f"{seconds:.3f}"


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def report(
    environment: dict[str, Any],
    first_check: float,
    comparisons: list[Comparison],
    in_process: InProcessResult,
    in_process_seconds: list[float],
    protocol: list[ProtocolResult],
    policy_stack: str,
) -> str:
    out = [
        "goldenpath benchmarks",
        f"python {environment['python']}, pulumi {environment['pulumi']}, pulumi-aws {environment['pulumi_aws']}, "
        f"pulumi-policy {environment['pulumi_policy']}, {environment['cpus']} CPUs",
        "packs: "
        + ", ".join(f"{n} ({c} policies incl. waiver audit)" for n, c in environment["packs"].items()),
        "",
        f"1-3. check vs raw SDK under the same mocks — wall seconds, median of n [best]; goal: check ≤ {CHECK_RATIO_GOAL}× raw",
    ]
    rows = []
    for c in comparisons:
        rows.append(
            [
                c.label,
                str(c.resources),
                str(c.custom_resources),
                str(len(c.check_seconds)),
                f"{_s(c.check_median)} [{_s(min(c.check_seconds))}]",
                f"{_s(c.raw_median)} [{_s(min(c.raw_seconds))}]",
                f"{c.ratio_median:.2f}× [{c.ratio_best:.2f}×]",
                f"{1000 * c.check_median / c.custom_resources:.2f}",
                f"{1000 * c.raw_median / c.custom_resources:.2f}",
                "yes" if c.ratio_median <= CHECK_RATIO_GOAL else "no",
            ]
        )
    out.append(
        _table(
            [
                "stack",
                "resources",
                "custom",
                "n",
                "check s",
                "raw s",
                "check/raw",
                "check ms/res",
                "raw ms/res",
                "goal met",
            ],
            rows,
        )
    )
    out.append(
        f"first check in this process (imports, cold caches): {_s(first_check)} s on the example stack"
    )
    mismatched = [c.label for c in comparisons if c.raw_inputs_mismatched]
    out.append(
        "raw baseline registered identical inputs for every custom resource"
        if not mismatched
        else f"WARNING: raw inputs differ from the recorded ones for {', '.join(mismatched)}"
    )

    out += ["", "5. where check's time goes — CheckResult.timings, median seconds (share of its total)"]
    keys = [k for k in _TIMING_ORDER if any(k in c.timings[0] for c in comparisons)]
    keys += sorted({k for c in comparisons for k in c.timings[0]} - set(keys) - {"total"})
    rows = []
    for c in comparisons:
        total = c.timing_median("total")
        cells = [f"{_s(c.timing_median(k))} ({c.timing_median(k) / total:.0%})" for k in keys]
        program = c.program_median
        rows.append(
            [
                c.label,
                *cells,
                _s(total),
                _s(program) if program is not None else "-",
                f"{total / program:.2f}×" if program is not None else "-",
                ", ".join(f"{k} {v}" for k, v in c.findings.items() if v) or "none",
            ]
        )
    out.append(_table(["stack", *keys, "total", "program alone", "check/program", "findings"], rows))
    out.append(
        "program alone = run_stack with no pack, timed in the same rotation (not run for the largest stack); "
        "check's own 'program' runs while the packs evaluate in parallel"
    )

    out += [
        "",
        f"4a. in-process policy evaluation — {policy_stack}: {in_process.resources} custom resources × "
        f"{in_process.resource_policies} resource policies ({in_process.evaluations:,} evaluations)",
    ]
    best = min(in_process_seconds)
    median = statistics.median(in_process_seconds)
    out.append(
        _table(
            [
                "",
                "seconds",
                "resource×policy evaluations/s",
                "resources/s (all packs)",
                "goal ≥ 20,000 resources/s",
            ],
            [
                [
                    f"best of {len(in_process_seconds)}",
                    _s(best),
                    _rate(in_process.evaluations / best),
                    _rate(in_process.resources / best),
                    "yes" if in_process.resources / best >= IN_PROCESS_RESOURCES_PER_SECOND_GOAL else "no",
                ],
                [
                    "median",
                    _s(median),
                    _rate(in_process.evaluations / median),
                    _rate(in_process.resources / median),
                    "yes" if in_process.resources / median >= IN_PROCESS_RESOURCES_PER_SECOND_GOAL else "no",
                ],
            ],
        )
    )
    out.append(
        f"stack policies in-process ({in_process.stack_policies}, all packs, once): {_s(in_process.stack_seconds)} s; "
        f"violations reported: {in_process.violations}; not evaluated (unknowns): {in_process.not_evaluated}"
    )

    out += ["", f"4b. over the analyzer protocol (one pack process each) — {policy_stack}"]
    rows = [
        [
            p.pack,
            _s(p.start_seconds),
            str(p.resources),
            str(p.resource_policies),
            _s(p.analyze_seconds),
            _rate(p.analyze_calls_per_second),
            _rate(p.evaluations_per_second),
            f"{1000 * p.analyze_seconds / p.resources:.2f}",
            _s(p.analyze_stack_seconds),
            str(p.diagnostics),
        ]
        for p in protocol
    ]
    analyze_total = sum(p.analyze_seconds for p in protocol)
    resources = protocol[0].resources if protocol else 0
    rows.append(
        [
            "all packs, one after another",
            _s(sum(p.start_seconds for p in protocol)),
            str(resources),
            str(sum(p.resource_policies for p in protocol)),
            _s(analyze_total),
            _rate(resources / analyze_total) + " res/s",
            _rate(sum(p.resources * p.resource_policies for p in protocol) / analyze_total),
            f"{1000 * analyze_total / resources:.2f}",
            _s(sum(p.analyze_stack_seconds for p in protocol)),
            str(sum(p.diagnostics for p in protocol)),
        ]
    )
    out.append(
        _table(
            [
                "pack",
                "start s",
                "resources",
                "policies",
                "Analyze s",
                "Analyze/s",
                "evaluations/s",
                "ms/res",
                "AnalyzeStack s",
                "diagnostics",
            ],
            rows,
        )
    )
    return "\n".join(out)


# --- Main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    packs = shipped_packs()
    environment = _environment(packs)

    _progress("warming up (first check in this process)")
    first_check, warm = timed(lambda: check_stack(EXAMPLE_STACK, EXAMPLE_STACK_NAME))
    run_raw(warm.run)

    comparisons: list[Comparison] = []
    with tempfile.TemporaryDirectory(prefix="goldenpath-bench-") as tmp:
        plan = [(f"{EXAMPLE_STACK.name}/{EXAMPLE_STACK_NAME}", EXAMPLE_STACK, args.repeats)]
        plan.append(
            (f"{SMALL_SERVICES} services", generate_stack(Path(tmp), SMALL_SERVICES), args.small_repeats)
        )
        if not args.quick:
            plan.append(
                (f"{LARGE_SERVICES} services", generate_stack(Path(tmp), LARGE_SERVICES), args.large_repeats)
            )
        for label, folder, repeats in plan:
            _progress(f"check vs raw: {label}, {repeats} repeats")
            stack = EXAMPLE_STACK_NAME if folder == EXAMPLE_STACK else "dev"
            # The largest stack's program alone would double the longest part of the run.
            alone = args.quick or label != plan[-1][0]
            comparisons.append(
                compare(label, folder, stack, repeats, program_alone=alone, progress=_progress)
            )

    largest = comparisons[-1]
    assert largest.recorded is not None
    _progress(f"in-process policy evaluation: {largest.label}")
    evaluate_in_process(largest.recorded, packs)  # warm-up
    runs = [evaluate_in_process(largest.recorded, packs) for _ in range(args.policy_repeats)]
    in_process_seconds = [r.seconds for r in runs]
    in_process = min(runs, key=lambda r: r.seconds)
    _progress(f"policy evaluation over the analyzer protocol: {largest.label}")
    protocol = evaluate_over_protocol(largest.recorded)

    print(
        report(environment, first_check, comparisons, in_process, in_process_seconds, protocol, largest.label)
    )
    audit_stacks = args.audit_stacks
    if audit_stacks is None:
        audit_stacks = QUICK_AUDIT_STACKS if args.quick else audit_benchmark.DEFAULT_STACKS
    audits = (
        audit_benchmark.run(audit_stacks, args.audit_no_memo_stacks, _progress) if audit_stacks > 0 else []
    )
    if audits:
        print("\n6. " + audit_benchmark.report(audits))
    elapsed = time.perf_counter() - started
    print(f"\n(benchmark wall time {elapsed:.0f} s)")

    if args.json:
        document = {
            "environment": environment,
            "settings": {
                "quick": args.quick,
                "large_services": args.large_services,
                "repeats": args.repeats,
                "small_repeats": args.small_repeats,
                "large_repeats": args.large_repeats,
                "policy_repeats": args.policy_repeats,
                "audit_stacks": audit_stacks,
                "audit_no_memo_stacks": args.audit_no_memo_stacks,
            },
            "goals": {
                "check_over_raw_ratio_max": CHECK_RATIO_GOAL,
                "in_process_resources_per_second_min": IN_PROCESS_RESOURCES_PER_SECOND_GOAL,
                "audit_seconds_max": audit_benchmark.GOAL_SECONDS,
            },
            "first_check_seconds": first_check,
            "check_vs_raw": [c.to_json() for c in comparisons],
            "policy_throughput": {
                "stack": largest.label,
                "in_process": {
                    **in_process.to_json(),
                    "seconds_all_repeats": in_process_seconds,
                    "seconds_median": statistics.median(in_process_seconds),
                },
                "protocol": [p.to_json() for p in protocol],
            },
            "audit": [a.to_json() for a in audits],
            "benchmark_seconds": elapsed,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        print(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
