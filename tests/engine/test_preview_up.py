"""The real engine runs our stacks with the packs: `pulumi preview` and `pulumi up --policy-pack`.

Each case is a copy of a stack (or an example) made into a project the engine runs offline: a
file backend, a passphrase secrets provider, and the stub provider plugins declared in Pulumi.yaml
``plugins.providers`` (tests/engine/conftest.py; NOT real providers: their Check returns the inputs
unchanged — no autonames, no provider defaults — and their outputs are check's own mocks'). The
program runs in a virtualenv holding only goldenpath's wheel, through the stub language host; the
packs are loaded from that wheel, as the README's CI section loads them.

What the engine prints (its event log: policy events and remediations) must equal what check
predicts: at preview, the violations check says preview reaches (``decidedAt: preview``) and the
"can't run policy … during preview" advisories it predicts (``preview_not_evaluated``); at up,
every violation. A stack with a mandatory violation fails both, with the engine's own exit code;
`pulumi up` stops at the first resource a mandatory violation rejects, so there the engine's set
is a part of check's and holds a mandatory one. After an up, `pulumi stack export` must hold the
resource graph check recorded.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from google.protobuf import json_format

from goldenpath.check import CheckResult, check_stack
from goldenpath.harness import SECRET_PLACEHOLDER, ProgramError
from goldenpath.policy import WAIVER_AUDIT_POLICY
from goldenpath.state import to_deployment

from ..conftest import ROOT, STACKS
from .conftest import Verdict, engine_verdicts

EXAMPLES = ROOT / "tests" / "examples"
CORPUS = ROOT / "tests" / "corpus"
# Programs written the way users write them (tests/corpus/): every one whose providers the stub
# stands in for. Left out: program errors (test_program_errors_fail_the_engine_as_they_fail_check),
# what needs a plugin no stub replaces — awsx, Helm and kubernetes.yaml.v2 components, the
# dynamic provider host, another stack's outputs — and alb-https, whose acm.get_certificate lookup
# check answers as unknown (its verdict is PARTIAL) and the stub provider refuses.
# Compared at preview (and a stopped up), not to the end of an up: ec2-webserver, k8s-guestbook
# and lambda-api read computed outputs the stub provider (check's mocks) does not make up —
# route53 Record `fqdn`, a Service's load balancer status, Lambda `invokeArn` — which a real
# provider returns: on the stub the program fails in an apply or the SDK drops the dependency.
# component-network's state after up holds one resource check does not record,
# `pulumi:providers:pulumi::default` (docs/check-output.md, Engine fidelity).
MOCKS_LACK_OUTPUTS = {"component-network", "ec2-webserver", "k8s-guestbook", "lambda-api"}
CORPUS_CASES = [
    "apply-resources",
    "bastion-exit",
    "component-network",
    "ec2-webserver",
    "ecr-worker",
    "fargate-alb",
    "k8s-guestbook",
    "k8s-yaml-v1",
    "lambda-api",
    "print-outputs",
    "rds-postgres",
    "s3-static-site",
    "step-functions",
]
ALL_PACKS = ["aws_security", "platform_standards", "kubernetes"]
# The engine's exit status when an operation fails, a mandatory policy violation included.
ENGINE_FAILED = 1

CASES = {
    "payments-api dev": (STACKS / "payments-api", "dev", ALL_PACKS, None),
    "payments-api prod": (STACKS / "payments-api", "prod", ALL_PACKS, None),
    "catalog-k8s dev": (STACKS / "catalog-k8s", "dev", ALL_PACKS, None),
    "catalog-k8s prod": (STACKS / "catalog-k8s", "prod", ALL_PACKS, None),
    "orders-worker dev": (STACKS / "orders-worker", "dev", ALL_PACKS, None),
    "orders-worker prod": (STACKS / "orders-worker", "prod", ALL_PACKS, None),
    "nightly-report dev": (STACKS / "nightly-report", "dev", ALL_PACKS, None),
    "nightly-report prod": (STACKS / "nightly-report", "prod", ALL_PACKS, None),
    "insecure-aws": (EXAMPLES / "insecure-aws", "dev", ["aws_security"], None),
    "insecure-aws, all advisory": (EXAMPLES / "insecure-aws", "dev", ["aws_security"], {"all": "advisory"}),
    "insecure-aws, advisory but log retention remediated": (
        EXAMPLES / "insecure-aws",
        "dev",
        ["aws_security"],
        {"all": "advisory", "aws-cloudwatch-log-retention": "remediate"},
    ),
    "waived-aws": (EXAMPLES / "waived-aws", "dev", ["aws_security"], None),
    "insecure-k8s": (EXAMPLES / "insecure-k8s", "dev", ["kubernetes"], None),
    "insecure-k8s, all advisory": (EXAMPLES / "insecure-k8s", "dev", ["kubernetes"], {"all": "advisory"}),
    **{f"corpus {name}": (CORPUS / name, "dev", ALL_PACKS, None) for name in CORPUS_CASES},
    # Every policy advisory, so that `pulumi up` runs each program to the end and every verdict
    # is compared at up too (with mandatory ones it stops at the first rejected resource).
    **{
        f"corpus {name}, all advisory": (CORPUS / name, "dev", ALL_PACKS, {"all": "advisory"})
        for name in CORPUS_CASES
        if name not in MOCKS_LACK_OUTPUTS
    },
}


@dataclass
class Events:
    returncode: int
    stderr: str
    violations: Counter[Verdict]
    remediated: set[tuple[str, str]]


@dataclass
class Case:
    check: CheckResult
    preview: Events
    up: Events
    export: dict


def read_events(log: Path, completed) -> Events:
    # The engine writes the log from its start: none means it never ran the operation.
    assert log.exists(), completed.stdout + completed.stderr
    violations, remediated = engine_verdicts(log.read_text())
    return Events(completed.returncode, completed.stdout + completed.stderr, violations, remediated)


def make_project(
    stack_dir: Path, stack: str, work: Path, python: Path, providers: dict[str, Path]
) -> tuple[Path, list[str]]:
    """A copy of ``stack_dir`` that the engine runs with the stub providers and ``python``'s venv,
    and the config keys whose secure values (another passphrase's ciphertext) it must set anew."""
    project = work / stack_dir.name
    shutil.copytree(stack_dir, project, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    stack_file = project / f"Pulumi.{stack}.yaml"
    stack_config = yaml.safe_load(stack_file.read_text()) or {}
    stack_config.pop("encryptionsalt", None)
    values = stack_config.get("config") or {}
    secure = sorted(k for k, v in values.items() if isinstance(v, dict) and set(v) == {"secure"})
    for key in secure:
        del values[key]
    stack_file.write_text(yaml.safe_dump(stack_config, sort_keys=False))
    manifest = yaml.safe_load((project / "Pulumi.yaml").read_text())
    manifest["plugins"] = {
        "providers": [{"name": name, "path": str(path)} for name, path in sorted(providers.items())]
    }
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    runtime = manifest.get("runtime")
    virtualenv = runtime.get("options", {}).get("virtualenv") if isinstance(runtime, dict) else None
    if virtualenv:
        # The project's own virtualenv, as `pulumi install` would have made it: goldenpath's wheel.
        (project / virtualenv).symlink_to(python.parent.parent)
    return project, secure


def policy_args(pack_dirs: list[Path], config_file: Path | None) -> list[str]:
    args = []
    for pack in pack_dirs:
        args += ["--policy-pack", str(pack)]
        if config_file is not None:
            args += ["--policy-pack-config", str(config_file)]
    return args


class SetupFailed(Exception):
    pass


def run_case(pulumi, python: Path, site: Path, stub_providers, work: Path, case) -> Case:
    stack_dir, stack, packs, config = case
    project, secure = make_project(stack_dir, stack, work, python, stub_providers)
    env = {"PULUMI_BACKEND_URL": (work / "backend").as_uri()}
    (work / "backend").mkdir()
    config_file = None
    if config is not None:
        config_file = work / "policy-config.json"
        config_file.write_text(json.dumps(config))
    packs_args = policy_args([site / "goldenpath" / "policies" / p for p in packs], config_file)

    def engine(*args: str):
        done = pulumi(*args, cwd=project, python=python, env=env)
        if args[0] in ("stack", "config") and done.returncode != 0:
            raise SetupFailed(f"pulumi {' '.join(args)}: {done.stderr}")
        return done

    engine("stack", "init", stack)
    for key in secure:
        # check reads a secure value as this placeholder; the engine gets the same text, encrypted.
        engine("config", "set", "--secret", "--stack", stack, key, SECRET_PLACEHOLDER)
    common = ["--stack", stack, "--non-interactive", *packs_args]
    preview_log, up_log = work / "preview.jsonl", work / "up.jsonl"
    preview = engine("preview", *common, "--event-log", str(preview_log))
    up = engine("up", "--yes", "--skip-preview", *common, "--event-log", str(up_log))
    exported = engine("stack", "export", "--stack", stack)
    return Case(
        check=check_stack(stack_dir, stack, packs=packs, pack_config=config),
        preview=read_events(preview_log, preview),
        up=read_events(up_log, up),
        export=json.loads(exported.stdout),
    )


@pytest.fixture(scope="module")
def all_cases(pulumi, installed_wheel, stub_providers, tmp_path_factory) -> dict[str, Case | str]:
    python, site = installed_wheel
    results: dict[str, Case | str] = {}
    for name, case in CASES.items():
        try:
            results[name] = run_case(
                pulumi, python, site, stub_providers, tmp_path_factory.mktemp("engine-project"), case
            )
        except SetupFailed as error:
            results[name] = str(error)
    return results


@pytest.fixture
def cases(all_cases) -> dict[str, Case]:
    """The cases, failing the test (not the whole module) for one that could not be set up."""

    class Checked(dict):
        def __getitem__(self, name):
            value = super().__getitem__(name)
            if isinstance(value, str):
                pytest.fail(value)
            return value

    return Checked(all_cases)


def _verdict(f) -> Verdict:
    return (f.policy, f.urn, f.enforcement, f.status == "not-evaluated")


def _suppressed(result: CheckResult) -> Counter[Verdict]:
    # A waived violation is reported by the pack's waiver audit policy, at its own level.
    return Counter(
        (WAIVER_AUDIT_POLICY, f.urn, "advisory", False) for f in result.findings if f.status == "suppressed"
    )


def check_preview_set(result: CheckResult) -> Counter[Verdict]:
    """What check says `pulumi preview` of a new stack prints: the violations it reaches, the
    policies that could not run (check's own and those only preview cannot run), the waived."""
    seen = Counter(
        _verdict(f)
        for f in result.findings
        if f.status == "not-evaluated" or (f.status == "violation" and f.decided_at == "preview")
    )
    return seen + Counter(_verdict(f) for f in result.preview_not_evaluated) + _suppressed(result)


def check_up_set(result: CheckResult) -> Counter[Verdict]:
    """What check says `pulumi up` prints: every verdict, with every value known."""
    seen = Counter(_verdict(f) for f in result.findings if f.status in ("violation", "not-evaluated"))
    return seen + _suppressed(result)


def check_remediated(result: CheckResult) -> set[tuple[str, str]]:
    return {(f.policy, f.urn) for f in result.findings if f.status == "remediated"}


@pytest.mark.parametrize("case", CASES)
def test_preview_prints_what_check_predicts(cases, case):
    c = cases[case]

    assert "error: loading" not in c.preview.stderr, c.preview.stderr[-3000:]
    assert c.preview.violations == check_preview_set(c.check), c.preview.stderr[-3000:]
    assert c.preview.remediated == check_remediated(c.check)


@pytest.mark.parametrize("case", CASES)
def test_a_mandatory_violation_fails_the_preview_as_it_fails_check(cases, case):
    c = cases[case]
    blocks = any(f.blocking and f.decided_at == "preview" for f in c.check.findings)

    assert c.preview.returncode == (ENGINE_FAILED if blocks else 0), c.preview.stderr[-3000:]
    if blocks:
        assert "error: preview failed" in c.preview.stderr


@pytest.mark.parametrize("case", CASES)
def test_up_prints_what_check_predicts(cases, case):
    c = cases[case]
    expected = check_up_set(c.check)

    if c.check.verdict == "failed":
        # The engine rejects the first resource a mandatory violation blocks and stops there.
        assert c.up.returncode == ENGINE_FAILED, c.up.stderr[-3000:]
        assert c.up.violations <= expected
        assert any(level == "mandatory" for _, _, level, _ in c.up.violations)
    else:
        assert c.up.returncode == 0, c.up.stderr[-3000:]
        assert c.up.violations == expected
        assert c.up.remediated == check_remediated(c.check)


def _graph(resources: list[dict]) -> dict[str, tuple]:
    return {
        r["urn"]: (
            r["type"],
            r.get("custom", False),
            r.get("parent", ""),
            r.get("provider", "").rsplit("::", 1)[0],
            tuple(sorted(r.get("dependencies", []))),
        )
        for r in resources
    }


@pytest.mark.parametrize("case", CASES)
def test_the_engine_state_after_up_holds_the_graph_check_recorded(cases, case):
    c = cases[case]
    engine = _graph(c.export["deployment"].get("resources", []))
    predicted = _graph(to_deployment(c.check.run)["deployment"]["resources"])

    if c.check.verdict == "failed":
        # The up stopped at a rejected resource: what it created is part of check's graph.
        assert set(engine) < set(predicted)
    else:
        assert set(engine) == set(predicted)
    assert engine == {urn: predicted[urn] for urn in engine}


@pytest.mark.parametrize("case", CASES)
def test_the_engine_records_the_inputs_check_says_the_remediations_leave(cases, case):
    c = cases[case]
    state = {r["urn"]: r for r in c.export["deployment"].get("resources", [])}
    compared = 0
    for urn, remediated in c.check.remediated_inputs.items():
        if urn not in state:
            continue  # an up stopped by a mandatory violation before this resource
        recorded = {r.urn: r for r in c.check.run.stack_view}[urn]
        program = json_format.MessageToDict(recorded.properties)
        changed = {k for k in remediated.keys() | program.keys() if remediated.get(k) != program.get(k)}
        assert changed, urn
        assert {k: state[urn]["inputs"].get(k) for k in changed} == {k: remediated.get(k) for k in changed}
        compared += 1
    if c.check.verdict != "failed":
        assert compared == len(c.check.remediated_inputs)
        assert set(c.check.remediated_inputs) == {urn for _, urn in check_remediated(c.check)}


def test_a_remediation_is_applied_by_the_engine_at_up(cases):
    c = cases["insecure-aws, advisory but log retention remediated"]

    assert c.up.returncode == 0 and c.up.remediated == check_remediated(c.check) != set()
    assert c.check.remediated_inputs


def test_the_comparison_covers_hundreds_of_verdicts(cases):
    ran = [cases[name] for name in CASES]
    preview = sum(check_preview_set(c.check).total() for c in ran)
    up = sum(check_up_set(c.check).total() for c in ran if c.check.verdict != "failed")
    resources = sum(len(c.export["deployment"].get("resources", [])) for c in ran)
    print(f"engine conformance: {preview} preview and {up} up verdicts compared, {resources} resources")

    assert preview >= 100 and up >= 40


PROGRAM_ERRORS = {
    "apply-raises": "unknown worker size 'large'",
    # The stub language host's own words for the exit status (the real host says the same).
    "exit-nonzero": "exit code: 3",
    # A documented difference (docs/check-output.md, Engine fidelity): under the engine, Python
    # prints an exception on a thread the program started and the run goes on; check refuses it.
    "thread-raises": "allow-list service unreachable",
}
ENGINE_GOES_ON = {"thread-raises"}


@pytest.mark.parametrize("name", PROGRAM_ERRORS)
def test_program_errors_fail_the_engine_as_they_fail_check(
    pulumi, installed_wheel, stub_providers, tmp_path, name
):
    python, _ = installed_wheel
    project, _ = make_project(CORPUS / name, "dev", tmp_path, python, stub_providers)
    env = {"PULUMI_BACKEND_URL": (tmp_path / "backend").as_uri()}
    (tmp_path / "backend").mkdir()
    assert pulumi("stack", "init", "dev", cwd=project, python=python, env=env).returncode == 0
    preview = pulumi("preview", "--stack", "dev", "--non-interactive", cwd=project, python=python, env=env)

    with pytest.raises(ProgramError):
        check_stack(CORPUS / name, "dev")
    assert preview.returncode == (0 if name in ENGINE_GOES_ON else ENGINE_FAILED), preview.stdout
    assert PROGRAM_ERRORS[name] in preview.stdout + preview.stderr
