"""`goldenpath check` on a corpus of Pulumi programs written the way users write them.

Each folder of ``tests/corpus/`` is a Pulumi project (``Pulumi.yaml`` with ``runtime: python``,
``Pulumi.dev.yaml``, ``__main__.py``, and any files the program reads) in the style of Pulumi's
public examples — raw pulumi_aws / pulumi_kubernetes, not goldenpath components — plus an
``expect.yaml`` holding the truth, derived by reading the program and the policies (not by running
check)::

    exit: 1            # 0: clean and fully examined; 1: a mandatory violation, or something left
                       # unexamined (partial); 2: a program or usage error
    mandatory:         # exactly the (policy id, resource name) pairs that block (mandatory violations)
      - [aws-sg-no-world-admin-ports, ssh-open]
    unexamined:        # exactly what check could not examine offline: resource names (awsx and other
      - my-release     # multi-language components, yaml/v2 ConfigGroup, Helm v3 Release, Helm v4
                       # Chart, StackReference) and the tokens of invokes it cannot answer
                       # (e.g. aws:acm/getCertificate:getCertificate)
    not_evaluated:     # optional: exactly the (policy id, resource name) pairs of mandatory policies
      - [...]          # that cannot run because a value they read is unknown even at apply offline
    decided_at_up:     # optional: exactly the mandatory violations (policy id, resource name) that
      - [...]          # a preview cannot reach: they read values known only once other resources exist
    error: ""          # exit 2 only: text the error message on stderr must contain

The truth is what ``pulumi preview --policy-pack`` and then ``pulumi up`` with every shipped pack
would decide, within what can be known offline: a violation that reads outputs of resources not yet
created (unknown during a preview) is still a violation, decided at up (``decided_at_up``), and a
value nothing offline can know (an unanswered data source) leaves a policy not evaluated; ``sys.exit(0)`` ends a program early with success, so what it declared
before is judged; ``sys.exit(n)`` with n != 0, an exception in an apply or on a thread are program
errors. The provider's default tags (``aws:defaultTags`` in stack config, or ``default_tags`` of an
explicit provider, also when a child inherits it from its parent) count for platform-required-tags,
as that policy's own remediation recommends. Data sources that check answers offline
(get_policy_document, get_ami, get_vpc, get_subnets, route53.get_zone, get_caller_identity,
get_region, get_availability_zones, kubernetes:yaml:decode) are known values. For a program that
fails (exit 2) only the exit code and the error are compared: a failed program has no verdict.

Every check runs in a process of its own (``python -m tests.test_corpus PROGRAM OUT``) with a
wall-clock limit, so that a hanging or crashing check fails its own tests and not the session; the
runs go in parallel, started once for every program the session selected.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
PROGRAMS = sorted(p.name for p in CORPUS.iterdir() if (p / "Pulumi.yaml").is_file())
# The whole check of one program (program run and every pack) must end well within this.
TIME_LIMIT_SECONDS = 60
EXPECT_KEYS = {"exit", "mandatory", "unexamined", "not_evaluated", "decided_at_up", "error"}
# A program whose print() calls must not reach a machine-readable report.
PRINTING_PROGRAM = "print-outputs"
PRINTED = ("deploying print-outputs/dev", "queue and topic declared", "queue arn:")


@dataclass(frozen=True)
class Expectation:
    exit: int
    mandatory: frozenset[tuple[str, str]]
    unexamined: frozenset[str]
    not_evaluated: frozenset[tuple[str, str]] | None
    error: str
    decided_at_up: frozenset[tuple[str, str]] | None = None


def _pairs(value: Any, key: str, program: str) -> frozenset[tuple[str, str]]:
    pairs = value or []
    if not all(isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in pairs):
        raise ValueError(f"{program}/expect.yaml: {key} must be a list of [policy id, resource name]")
    if len(pairs) != len({tuple(p) for p in pairs}):
        raise ValueError(f"{program}/expect.yaml: {key} lists a pair twice")
    return frozenset(tuple(p) for p in pairs)


def expectation(program: str) -> Expectation:
    data = yaml.safe_load((CORPUS / program / "expect.yaml").read_text())
    unknown = set(data) - EXPECT_KEYS
    if unknown:
        raise ValueError(f"{program}/expect.yaml: unknown keys {sorted(unknown)}")
    if data.get("exit") not in (0, 1, 2):
        raise ValueError(f"{program}/expect.yaml: exit must be 0, 1 or 2")
    unexamined = data.get("unexamined") or []
    if not all(isinstance(u, str) for u in unexamined):
        raise ValueError(f"{program}/expect.yaml: unexamined must be a list of names")
    return Expectation(
        exit=data["exit"],
        mandatory=_pairs(data.get("mandatory"), "mandatory", program),
        unexamined=frozenset(unexamined),
        not_evaluated=_pairs(data["not_evaluated"], "not_evaluated", program)
        if "not_evaluated" in data
        else None,
        error=data.get("error") or "",
        decided_at_up=_pairs(data["decided_at_up"], "decided_at_up", program)
        if "decided_at_up" in data
        else None,
    )


EXPECTED = {program: expectation(program) for program in PROGRAMS}
JUDGED = [p for p in PROGRAMS if EXPECTED[p].exit != 2]
FAILING = [p for p in PROGRAMS if EXPECTED[p].exit == 2]
WITH_UNKNOWNS = [p for p in PROGRAMS if EXPECTED[p].not_evaluated is not None]
WITH_UP_ONLY = [p for p in PROGRAMS if EXPECTED[p].decided_at_up is not None]


# --- The worker: one check in a process of its own ------------------------------------------------


def summarize(program_dir: Path) -> dict[str, Any]:
    """What ``check_stack`` decided for one program, as plain JSON-able data."""
    from goldenpath.check import UsageError, check_stack
    from goldenpath.harness import ProgramError

    summary: dict[str, Any] = {"exit": None, "error": "", "crash": None}
    started = time.perf_counter()
    try:
        result = check_stack(program_dir, "dev")
    except (ProgramError, UsageError) as error:
        summary.update(exit=2, error=str(getattr(error, "message", error)))
    except BaseException as error:  # noqa: BLE001 - a crash of check itself (or a program's SystemExit)
        summary["crash"] = "".join(traceback.format_exception_only(type(error), error)).strip()
    else:
        findings = result.findings
        summary.update(
            exit=result.exit_code,
            error=str(getattr(result, "error", "") or ""),
            mandatory=sorted({(f.policy, f.resource_name) for f in findings if f.blocking}),
            not_evaluated=sorted(
                {
                    (f.policy, f.resource_name)
                    for f in findings
                    if f.status == "not-evaluated" and f.enforcement == "mandatory"
                }
            ),
            unexamined=sorted({item.name for item in getattr(result, "unexamined", None) or []}),
            decided_at_up=sorted(
                {(f.policy, f.resource_name) for f in findings if f.blocking and f.decided_at == "up"}
            ),
        )
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


def _worker_main(program_dir: str, out: str) -> None:
    summary = summarize(Path(program_dir))
    # Written to a file: the program's own print() calls share this process's stdout.
    Path(out).write_text(json.dumps(summary))
    sys.stdout.flush()
    os._exit(0)  # whatever threads the program or check left behind, this process is done


@dataclass(frozen=True)
class Run:
    """A finished (or abandoned) process: exit status, output, seconds it took."""

    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool


def _run(args: list[str]) -> Run:
    started = time.perf_counter()
    # A session of its own, so that on timeout the packs it started are ended with it.
    process = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=TIME_LIMIT_SECONDS)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        timed_out = True
    return Run(process.returncode, stdout, stderr, time.perf_counter() - started, timed_out)


def _check(program: str, out_dir: Path) -> tuple[Run, dict[str, Any] | None]:
    out = out_dir / f"{program}.json"
    run = _run([sys.executable, "-m", "tests.test_corpus", str(CORPUS / program), str(out)])
    return run, json.loads(out.read_text()) if out.is_file() else None


def _cli(program: str, *args: str) -> Run:
    return _run([sys.executable, "-m", "goldenpath.cli", "check", str(CORPUS / program), *args])


@pytest.fixture(scope="session")
def corpus(request, tmp_path_factory) -> dict[str, Future]:
    """Every run the selected tests of this module need, started at once in parallel."""
    this_module = sys.modules[__name__]
    needed: set[tuple[str, str]] = set()
    for item in request.session.items:
        if getattr(item, "module", None) is not this_module:
            continue
        program = getattr(item, "callspec", None) and item.callspec.params.get("program")
        name = item.originalname
        if name == "test_print_in_a_program_does_not_reach_the_json_report":
            needed.add(("cli-json", PRINTING_PROGRAM))
        elif name == "test_a_failed_program_exits_two_naming_its_error" and program:
            needed.add(("cli", program))
        elif program:
            needed.add(("check", program))
    out_dir = tmp_path_factory.mktemp("corpus")
    pool = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)))
    jobs = {
        "check": lambda program: _check(program, out_dir),
        "cli": lambda program: _cli(program),
        "cli-json": lambda program: _cli(program, "--format", "json"),
    }
    futures = {f"{kind}:{program}": pool.submit(jobs[kind], program) for kind, program in sorted(needed)}
    yield futures
    pool.shutdown(wait=True)


def _summary(corpus: dict[str, Future], program: str) -> dict[str, Any]:
    run, summary = corpus[f"check:{program}"].result()
    if run.timed_out:
        pytest.fail(f"check of {program} did not finish within {TIME_LIMIT_SECONDS} s")
    if summary is None:
        pytest.fail(
            f"check of {program} ended without a result (status {run.returncode}):\n{run.stderr[-3000:]}"
        )
    if summary["crash"]:
        pytest.fail(f"check of {program} neither returned nor reported a program error: {summary['crash']}")
    return summary


def _cli_run(corpus: dict[str, Future], key: str) -> Run:
    run = corpus[key].result()
    if run.timed_out:
        pytest.fail(f"goldenpath {key} did not finish within {TIME_LIMIT_SECONDS} s")
    return run


# --- The corpus itself ------------------------------------------------------------------------------


def test_the_corpus_has_at_least_sixteen_programs_each_a_python_pulumi_project():
    for program in PROGRAMS:
        project = yaml.safe_load((CORPUS / program / "Pulumi.yaml").read_text())
        runtime = project["runtime"]
        assert project["name"] == program
        assert (runtime["name"] if isinstance(runtime, dict) else runtime) == "python"
        assert (CORPUS / program / "Pulumi.dev.yaml").is_file()
        assert (CORPUS / program / "__main__.py").is_file()
    assert len(PROGRAMS) >= 16


def test_only_programs_that_fail_expect_an_error_message():
    assert {p for p in PROGRAMS if EXPECTED[p].error} == set(FAILING)


# --- Verdicts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("program", PROGRAMS)
def test_check_of_each_program_finishes_within_the_time_limit(corpus, program):
    summary = _summary(corpus, program)

    assert summary["seconds"] < TIME_LIMIT_SECONDS


@pytest.mark.parametrize("program", PROGRAMS)
def test_check_exits_with_the_expected_code(corpus, program):
    summary = _summary(corpus, program)

    assert summary["exit"] == EXPECTED[program].exit, summary["error"]


@pytest.mark.parametrize("program", JUDGED)
def test_check_reports_exactly_the_expected_mandatory_violations(corpus, program):
    summary = _summary(corpus, program)

    assert {tuple(p) for p in summary.get("mandatory", [])} == EXPECTED[program].mandatory


@pytest.mark.parametrize("program", JUDGED)
def test_check_lists_exactly_what_it_could_not_examine(corpus, program):
    summary = _summary(corpus, program)

    assert set(summary.get("unexamined", [])) == EXPECTED[program].unexamined


@pytest.mark.parametrize("program", WITH_UNKNOWNS)
def test_check_leaves_exactly_the_expected_policies_not_evaluated(corpus, program):
    summary = _summary(corpus, program)

    assert {tuple(p) for p in summary.get("not_evaluated", [])} == EXPECTED[program].not_evaluated


@pytest.mark.parametrize("program", WITH_UP_ONLY)
def test_check_says_which_violations_only_pulumi_up_would_reach(corpus, program):
    summary = _summary(corpus, program)

    assert {tuple(p) for p in summary.get("decided_at_up", [])} == EXPECTED[program].decided_at_up


@pytest.mark.parametrize("program", FAILING)
def test_a_failed_program_exits_two_naming_its_error(corpus, program):
    run = _cli_run(corpus, f"cli:{program}")

    assert run.returncode == 2
    assert EXPECTED[program].error in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def test_print_in_a_program_does_not_reach_the_json_report(corpus):
    run = _cli_run(corpus, f"cli-json:{PRINTING_PROGRAM}")
    report = json.loads(run.stdout)  # fails on anything but one JSON document

    assert run.returncode == EXPECTED[PRINTING_PROGRAM].exit
    assert isinstance(report.get("findings"), list)
    assert not [text for text in PRINTED if text in run.stdout]


if __name__ == "__main__":
    _worker_main(*sys.argv[1:3])
