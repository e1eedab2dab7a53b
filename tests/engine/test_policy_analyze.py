"""The real engine judges what check judged: `pulumi policy analyze --file` over check's state.

check writes each stack as Pulumi deployment state (goldenpath.state); the Pulumi CLI, built from
pulumi/pulumi at the version engine/go.mod pins, must accept that file and, running the shipped
packs itself (through the stub language host, see engine/pulumi-language-python), report exactly
the violations check reports. One difference is the engine's own and is asserted, not hidden:
`policy analyze` cannot change a state, so a remediate-level policy is reported as a remediation
*and* as a mandatory violation, where preview and up (and check) apply the fix.
"""

from __future__ import annotations

import json

import pytest

from goldenpath.check import check_stack, resolve_packs
from goldenpath.policy import WAIVER_AUDIT_POLICY
from goldenpath.state import to_deployment

from ..conftest import ROOT, STACKS
from .conftest import engine_verdicts


def _engine_verdicts(stdout: str) -> tuple[set[tuple[str, str, str]], set[tuple[str, str]]]:
    """The engine's (policy, URN, enforcement) set: a state holds no unknowns, so every policy ran."""
    events, remediated = engine_verdicts(stdout)
    assert not [v for v in events if v[3]], "a state has no unknowns: every policy must run"
    return {v[:3] for v in events}, remediated


EXAMPLES = ROOT / "tests" / "examples"
CORPUS = ROOT / "tests" / "corpus"
ALL_PACKS = ["aws_security", "platform_standards", "kubernetes"]

CASES = {
    "insecure-aws": (EXAMPLES / "insecure-aws", "dev", ["aws_security"], None),
    "insecure-aws, all advisory": (EXAMPLES / "insecure-aws", "dev", ["aws_security"], {"all": "advisory"}),
    "waived-aws": (EXAMPLES / "waived-aws", "dev", ["aws_security"], {"aws-sns-encryption": "mandatory"}),
    "insecure-k8s": (EXAMPLES / "insecure-k8s", "dev", ["kubernetes"], None),
    "payments-api dev": (STACKS / "payments-api", "dev", ALL_PACKS, None),
    "payments-api prod": (STACKS / "payments-api", "prod", ALL_PACKS, None),
    "catalog-k8s dev": (STACKS / "catalog-k8s", "dev", ALL_PACKS, None),
    "catalog-k8s prod": (STACKS / "catalog-k8s", "prod", ALL_PACKS, None),
    "orders-worker dev": (STACKS / "orders-worker", "dev", ALL_PACKS, None),
    "orders-worker prod": (STACKS / "orders-worker", "prod", ALL_PACKS, None),
    "nightly-report dev": (STACKS / "nightly-report", "dev", ALL_PACKS, None),
    "nightly-report prod": (STACKS / "nightly-report", "prod", ALL_PACKS, None),
    "corpus s3-static-site (aws:defaultTags)": (CORPUS / "s3-static-site", "dev", ALL_PACKS, None),
    "corpus fargate-alb (provider default_tags)": (CORPUS / "fargate-alb", "dev", ALL_PACKS, None),
}
Verdict = tuple[str, str, str]  # (policy as the pack reports it, URN, enforcement)


def _check_verdicts(result) -> tuple[set[Verdict], set[tuple[str, str]]]:
    violations: set[Verdict] = set()
    remediated: set[tuple[str, str]] = set()
    for f in result.findings:
        if f.status == "violation":
            violations.add((f.policy, f.urn, f.enforcement))
        elif f.status == "suppressed":
            # Reported by the pack's waiver audit policy, at its own (advisory) level.
            violations.add((WAIVER_AUDIT_POLICY, f.urn, "advisory"))
        elif f.status == "remediated":
            remediated.add((f.policy, f.urn))
    return violations, remediated


@pytest.fixture(scope="module")
def verdicts(pulumi, tmp_path_factory):
    results = {}
    for name, (stack_dir, stack, packs, config) in CASES.items():
        work = tmp_path_factory.mktemp("analyze")
        result = check_stack(stack_dir, stack, packs=packs, pack_config=config)
        state = work / "state.json"
        state.write_text(json.dumps(to_deployment(result.run)))
        args = ["policy", "analyze", "--file", str(state), "--json"]
        for pack in resolve_packs(packs):
            args += ["--policy-pack", str(pack)]
            if config is not None:
                config_file = work / "policy-config.json"
                config_file.write_text(json.dumps(config))
                args += ["--policy-pack-config", str(config_file)]
        engine = pulumi(*args, cwd=work)
        results[name] = (result, engine)
    return results


@pytest.mark.parametrize("case", CASES)
def test_the_engine_accepts_the_state_check_writes_and_loads_every_pack(verdicts, case):
    _, engine = verdicts[case]

    assert "error: loading" not in engine.stderr, engine.stderr
    assert engine.returncode in (0, 1), engine.stderr
    assert all(json.loads(line) for line in engine.stdout.splitlines())


@pytest.mark.parametrize("case", CASES)
def test_the_engine_reports_exactly_the_violations_check_reports(verdicts, case):
    result, engine = verdicts[case]
    check_violations, check_remediated = _check_verdicts(result)
    engine_violations, engine_remediated = _engine_verdicts(engine.stdout)
    # policy analyze cannot apply a fix to a state: what preview remediates it also reports as mandatory.
    engine_violations -= {(policy, urn, "mandatory") for policy, urn in engine_remediated}

    assert engine_violations == check_violations
    assert engine_remediated == check_remediated


@pytest.mark.parametrize("case", CASES)
def test_a_mandatory_violation_fails_the_engine_as_it_fails_check(verdicts, case):
    result, engine = verdicts[case]
    _, engine_remediated = _engine_verdicts(engine.stdout)
    blocks = result.exit_code == 1 or bool(engine_remediated)

    assert engine.returncode == (1 if blocks else 0), engine.stderr[-2000:]
    if blocks:
        assert "mandatory policy violations were found" in engine.stderr


def test_the_comparison_covers_hundreds_of_verdicts(verdicts):
    compared = sum(len(_check_verdicts(result)[0]) for result, _ in verdicts.values())
    print(f"engine conformance: {compared} (policy, resource, enforcement) verdicts compared")

    assert compared >= 100


def test_the_state_names_every_resource_of_the_run_with_its_provider_and_parent():
    result = check_stack(STACKS / "payments-api", "dev", packs=["platform_standards"])
    deployment = to_deployment(result.run)["deployment"]
    resources = {r["urn"]: r for r in deployment["resources"]}

    assert len(resources) == len(result.run.stack_view)
    assert deployment["resources"][0]["type"] == "pulumi:pulumi:Stack"
    for r in deployment["resources"]:
        if r.get("parent"):
            assert r["parent"] in resources
        if r.get("provider"):
            assert r["provider"].rsplit("::", 1)[0] in resources


def test_an_unknown_value_is_left_out_of_the_state_and_a_secret_written_as_plaintext(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: s\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  s:token:\n    secure: v1:abc\n"
    )
    (tmp_path / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n"
        "ref = pulumi.StackReference('acme/net/dev')\n"
        "aws.ssm.Parameter('p', type='SecureString', value=pulumi.Config().require_secret('token'),"
        " description=ref.get_output('why'))\n"
    )
    result = check_stack(tmp_path, packs=["platform_standards"])
    (param,) = [
        r for r in to_deployment(result.run)["deployment"]["resources"] if r["type"].startswith("aws:ssm")
    ]

    assert "description" not in param["inputs"]
    assert param["inputs"]["value"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "plaintext": json.dumps("[secret]"),
    }


@pytest.mark.parametrize("pack", ["aws_security", "platform_standards", "kubernetes"])
def test_each_shipped_pack_loads_from_an_installed_wheel_as_the_readme_runs_it(
    pulumi, installed_wheel, tmp_path, pack
):
    python, site = installed_wheel
    pack_dir = site / "goldenpath" / "policies" / pack
    stack_dir = EXAMPLES / ("insecure-k8s" if pack == "kubernetes" else "insecure-aws")
    result = check_stack(stack_dir, "dev", packs=[pack])
    state = tmp_path / "state.json"
    state.write_text(json.dumps(to_deployment(result.run)))
    engine = pulumi(
        "policy",
        "analyze",
        "--file",
        str(state),
        "--policy-pack",
        str(pack_dir),
        "--json",
        cwd=tmp_path,
        python=python,
    )
    engine_violations, engine_remediated = _engine_verdicts(engine.stdout)
    engine_violations -= {(policy, urn, "mandatory") for policy, urn in engine_remediated}

    assert engine_violations == _check_verdicts(result)[0]
    assert engine_violations, "the example must give the pack something to find"
