"""``check`` against the raw SDK, side by side: the same stack, repeats interleaved.

Each repeat times ``goldenpath.check.check_stack`` (wall clock, pack start included) and the raw
baseline (:mod:`benchmarks.raw`) back to back, rotating which goes first, so both see the same
machine load. The resources for the baseline are those the first check recorded
(``CheckResult.run``, produced by ``goldenpath.harness.run_stack``). Optionally the program alone
(``run_stack`` without any pack) is timed in the same rotation, which separates the cost of the
program from the cost of checking it.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.raw import mismatched_inputs, run_raw
from goldenpath.check import CheckResult, check_stack
from goldenpath.harness import ProgramRun, run_stack

T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Wall seconds of ``action()`` after a full garbage collection, and its result."""
    gc.collect()
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


@dataclass
class Comparison:
    """Repeated, interleaved timings of check and of the raw baseline on one stack."""

    label: str
    stack_dir: Path
    stack: str
    resources: int = 0
    custom_resources: int = 0
    check_seconds: list[float] = field(default_factory=list)
    raw_seconds: list[float] = field(default_factory=list)
    program_seconds: list[float] = field(default_factory=list)
    timings: list[dict[str, float]] = field(default_factory=list)
    raw_inputs_mismatched: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    recorded: ProgramRun | None = field(default=None, repr=False)

    @property
    def check_median(self) -> float:
        return statistics.median(self.check_seconds)

    @property
    def raw_median(self) -> float:
        return statistics.median(self.raw_seconds)

    @property
    def ratio_median(self) -> float:
        return self.check_median / self.raw_median

    @property
    def ratio_best(self) -> float:
        return min(self.check_seconds) / min(self.raw_seconds)

    @property
    def program_median(self) -> float | None:
        return statistics.median(self.program_seconds) if self.program_seconds else None

    def timing_median(self, key: str) -> float:
        return statistics.median(t.get(key, 0.0) for t in self.timings)

    def to_json(self) -> dict[str, Any]:
        keys = sorted({k for t in self.timings for k in t})
        return {
            "label": self.label,
            "stack_dir": str(self.stack_dir),
            "stack": self.stack,
            "resources": self.resources,
            "custom_resources": self.custom_resources,
            "repeats": len(self.check_seconds),
            "check_seconds": self.check_seconds,
            "raw_seconds": self.raw_seconds,
            "check_median": self.check_median,
            "check_best": min(self.check_seconds),
            "raw_median": self.raw_median,
            "raw_best": min(self.raw_seconds),
            "ratio_median": self.ratio_median,
            "ratio_best": self.ratio_best,
            "program_alone_seconds": self.program_seconds,
            "program_alone_median": self.program_median,
            "check_timings": self.timings,
            "check_timings_median": {k: self.timing_median(k) for k in keys},
            "raw_inputs_mismatched": self.raw_inputs_mismatched,
            "findings": self.findings,
        }


def compare(
    label: str,
    stack_dir: Path,
    stack: str,
    repeats: int,
    *,
    program_alone: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> Comparison:
    """Time check and the raw baseline (and the program alone) ``repeats`` times on ``stack_dir``."""
    result = Comparison(label, stack_dir, stack)

    def check() -> None:
        seconds, outcome = timed(lambda: check_stack(stack_dir, stack))
        assert isinstance(outcome, CheckResult)
        result.check_seconds.append(seconds)
        result.timings.append(dict(outcome.timings))
        progress(f"{label}: check {seconds:.3f} s")
        if result.recorded is None:
            result.recorded = outcome.run
            result.resources = len(outcome.run.resources)
            result.custom_resources = sum(1 for r in outcome.run.resources if r.custom)
            result.findings = outcome.counts()

    def raw() -> None:
        assert result.recorded is not None
        seconds, run = timed(lambda: run_raw(result.recorded))
        result.raw_seconds.append(seconds)
        progress(f"{label}: raw {seconds:.3f} s")
        if len(result.raw_seconds) == 1:
            result.raw_inputs_mismatched = mismatched_inputs(result.recorded, run)

    def program() -> None:
        seconds, _ = timed(lambda: run_stack(stack_dir, stack))
        result.program_seconds.append(seconds)
        progress(f"{label}: program alone {seconds:.3f} s")

    steps = [check, raw, program] if program_alone else [check, raw]
    for index in range(repeats):
        # Rotate the order so that no step always runs on a machine another one just warmed;
        # check stays first in the first repeat, as the baseline replays what it recorded.
        shift = index % len(steps)
        for step in steps[shift:] + steps[:shift]:
            step()
    return result
