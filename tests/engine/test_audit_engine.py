"""goldenpath audit judges state the real Pulumi CLI wrote as the engine judged it.

Four projects — copies of stacks/catalog-k8s, the insecure-aws and waived-aws examples and the
rds-postgres corpus program (whose password is a config secret), run on
the stub providers of tests/engine/conftest.py (NOT real providers: their outputs are check's
mocks') — go through `pulumi up` with every shipped pack at the advisory level, so that each up
runs to the end whatever it finds, into one file backend. The engine's own verdicts are the
referees: the policy events of each `pulumi up` (Analyze on the inputs after Check, AnalyzeStack on
the outputs) and of `pulumi policy analyze --stack` over the state the up left. The audit of that
backend must report the same violations, waivers and expired waivers, and read the update history
`pulumi stack history` shows.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from goldenpath.audit import audit, dumps
from goldenpath.harness import SECRET_PLACEHOLDER
from goldenpath.policy import WAIVER_AUDIT_POLICY

from ..conftest import ROOT, STACKS
from .conftest import Verdict, engine_verdicts
from .test_preview_up import make_project, policy_args

EXAMPLES = ROOT / "tests" / "examples"
PACKS = ["aws_security", "platform_standards", "kubernetes"]
CONFIG = {"all": "advisory"}
PROJECTS = {
    "catalog-k8s": (STACKS / "catalog-k8s", "dev"),
    "insecure-aws": (EXAMPLES / "insecure-aws", "dev"),
    "waived-aws": (EXAMPLES / "waived-aws", "dev"),
    # Its database password is a config secret: the CLI writes it encrypted into the state.
    "rds-postgres": (ROOT / "tests" / "corpus" / "rds-postgres", "dev"),
}


def _deploy(pulumi, python, site, stub_providers, work: Path, backend: Path, name: str) -> dict:
    stack_dir, stack = PROJECTS[name]
    project, secure = make_project(stack_dir, stack, work, python, stub_providers)
    config = work / "policy-config.json"
    config.write_text(json.dumps(CONFIG))
    packs = policy_args([site / "goldenpath" / "policies" / p for p in PACKS], config)
    env = {"PULUMI_BACKEND_URL": backend.as_uri()}

    def engine(*args: str, check: bool = True) -> str:
        done = pulumi(*args, cwd=project, python=python, env=env)
        if check:
            assert done.returncode == 0, (
                f"pulumi {' '.join(args)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
        return done.stdout

    engine("stack", "init", stack)
    for key in secure:
        engine("config", "set", "--secret", "--stack", stack, key, SECRET_PLACEHOLDER)
    up_log = work / "up.jsonl"
    common = ["--stack", stack, "--non-interactive", *packs]
    engine("up", "--yes", "--skip-preview", *common, "--event-log", str(up_log))
    analyzed = engine("policy", "analyze", "--stack", stack, "--json", *packs, check=False)
    return {
        "up": engine_verdicts(up_log.read_text())[0],
        "analyze": engine_verdicts(analyzed)[0],
        "export": json.loads(engine("stack", "export", "--stack", stack)),
        "history": json.loads(engine("stack", "history", "--stack", stack, "--json")),
        "secure": secure,
    }


@pytest.fixture(scope="module")
def deployed(pulumi, installed_wheel, stub_providers, tmp_path_factory):
    python, site = installed_wheel
    backend = tmp_path_factory.mktemp("audit-backend")
    engine = {
        name: _deploy(pulumi, python, site, stub_providers, tmp_path_factory.mktemp(name), backend, name)
        for name in PROJECTS
    }
    report = audit([backend.as_uri()], packs=PACKS, pack_config=CONFIG)
    return engine, report


def _stack(report: dict, project: str) -> dict:
    (found,) = [s for s in report["stacks"] if s["project"] == project]
    return found


def audit_verdicts(entry: dict) -> Counter[Verdict]:
    """The audit's findings as the engine prints them: a waived violation is reported by the
    pack's waiver audit policy at its own level; a policy not evaluated, as one that could not run."""
    seen: Counter[Verdict] = Counter()
    for f in entry["findings"]:
        if f["status"] == "suppressed":
            seen[(WAIVER_AUDIT_POLICY, f["urn"], "advisory", False)] += 1
        else:
            seen[(f["policy"], f["urn"], f["enforcement"], f["status"] == "not-evaluated")] += 1
    return seen


@pytest.mark.parametrize("project", PROJECTS)
def test_the_audit_reads_every_resource_the_cli_wrote(deployed, project):
    engine, report = deployed
    entry = _stack(report, project)
    exported = engine[project]["export"]["deployment"]["resources"]

    assert entry["qualifiedName"] == f"organization/{project}/dev"
    assert entry["resources"] == len(exported) > 1
    assert not entry["problems"], entry["problems"]


@pytest.mark.parametrize("project", PROJECTS)
def test_the_audit_reports_the_verdicts_pulumi_up_reported(deployed, project):
    engine, report = deployed

    assert audit_verdicts(_stack(report, project)) == engine[project]["up"]


@pytest.mark.parametrize("project", PROJECTS)
def test_the_audit_reports_the_verdicts_pulumi_policy_analyze_reports_on_the_same_state(deployed, project):
    engine, report = deployed

    assert audit_verdicts(_stack(report, project)) == engine[project]["analyze"]


def test_the_deployed_state_has_violations_waivers_and_an_expired_waiver_to_compare(deployed):
    _, report = deployed
    insecure, waived = _stack(report, "insecure-aws"), _stack(report, "waived-aws")

    assert sum(f["status"] == "violation" for f in insecure["findings"]) >= 10
    assert any(f["status"] == "suppressed" for f in waived["findings"])
    assert [(w["policy"], w["urn"].rsplit("::", 1)[1], w["expiry"]) for w in waived["expiredWaivers"]] == [
        ("aws-sns-encryption", "expired-waiver-topic", "2020-01-01")
    ]


@pytest.mark.parametrize("project", PROJECTS)
def test_delivery_comes_from_the_history_the_cli_wrote(deployed, project):
    engine, report = deployed
    delivery = _stack(report, project)["delivery"]
    (update,) = engine[project]["history"]

    def second(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(microsecond=0)

    assert (delivery["updates"], delivery["failedUpdates"], delivery["changeFailureRate"]) == (1, 0, 0.0)
    assert update["kind"] == "update" and update["result"] == "succeeded"
    assert second(delivery["lastSuccessfulDeploy"]) == second(update["endTime"])
    assert delivery["previews"] == 0


def test_adoption_of_the_cli_written_blueprint_stack(deployed):
    _, report = deployed
    catalog = _stack(report, "catalog-k8s")

    assert [(b["type"], b["name"]) for b in catalog["blueprints"]] == [
        ("goldenpath:blueprints:K8sService", "catalog")
    ]
    assert catalog["customResources"] == catalog["customInsideGoldenpath"] > 0
    assert catalog["team"] == "commerce"
    assert _stack(report, "insecure-aws")["customInsideGoldenpath"] == 0


def test_a_secret_the_cli_encrypted_is_never_in_the_report(deployed):
    engine, report = deployed
    database = _stack(report, "rds-postgres")
    exported = json.dumps(engine["rds-postgres"]["export"])

    assert engine["rds-postgres"]["secure"] == ["rds-postgres:dbPassword"]
    assert "ciphertext" in exported  # the CLI holds the password encrypted in the state
    assert SECRET_PLACEHOLDER not in dumps(report)
    assert database["findings"]
