"""`goldenpath check` end to end: the stack under mocks, every pack over the analyzer protocol."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from goldenpath.cli import app

from .conftest import ROOT, STACKS

EXAMPLES = ROOT / "tests" / "examples"
runner = CliRunner()

INSECURE_MANDATORY = {
    ("aws-s3-no-public-acl", "open-bucket-acl"),
    ("aws-s3-no-public-bucket-policy", "open-bucket-policy"),
    ("aws-s3-public-access-block", "open-bucket"),
    ("aws-s3-kms-encryption", "open-bucket"),
    ("aws-sg-no-world-admin-ports", "ssh-open"),
    ("aws-alb-http-redirects-to-https", "plain-http"),
    ("aws-alb-tls-policy", "old-tls"),
    ("aws-ecs-no-privileged-containers", "root-task"),
    ("aws-ecs-non-root-user", "root-task"),
    ("aws-iam-no-admin-policy", "admin-policy"),
    ("aws-iam-no-wildcard-actions-on-all-resources", "admin-policy"),
    # "*" on "*" also grants every privilege-escalation and data-exfiltration action.
    ("aws-iam-no-privilege-escalation", "admin-policy"),
    ("aws-iam-no-data-exfiltration", "admin-policy"),
    ("aws-iam-github-oidc-trust-pinned", "any-repo-deploy"),
    ("aws-rds-not-public", "public-db"),
    ("aws-rds-encrypted", "public-db"),
    ("aws-ec2-imdsv2", "imdsv1-host"),
    ("aws-ec2-encrypted-volumes", "imdsv1-host"),
}


def _check(*args: str):
    result = runner.invoke(app, ["check", *map(str, args)])
    return result.exit_code, result.stdout


def _json(*args: str) -> tuple[int, dict]:
    code, out = _check(*args, "--format", "json")
    return code, json.loads(out)


@pytest.fixture(scope="module")
def insecure_report():
    return _json(EXAMPLES / "insecure-aws", "--pack", "aws_security")


@pytest.fixture(scope="module")
def payments_report():
    return _json(STACKS / "payments-api", "--stack", "dev")


def test_the_example_stack_passes_every_pack_with_no_mandatory_violation(payments_report):
    code, report = payments_report

    assert code == 0
    assert report["summary"]["mandatory"] == 0
    assert {p["name"] for p in report["packs"]} >= {
        "goldenpath-aws-security",
        "goldenpath-platform-standards",
    }


def test_the_example_prod_stack_passes_too():
    code, report = _json(STACKS / "payments-api", "--stack", "prod")

    assert (code, report["summary"]["mandatory"]) == (0, 0)


@pytest.mark.parametrize("stack", ["orders-worker", "nightly-report"])
@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_worker_and_scheduled_job_example_stacks_pass_every_pack(stack, environment):
    code, report = _json(STACKS / stack, "--stack", environment)

    assert (code, report["summary"]["verdict"], report["summary"]["mandatory"]) == (0, "passed", 0)
    assert report["summary"]["notEvaluated"] == 0


def test_the_insecure_example_exits_one(insecure_report):
    code, _ = insecure_report

    assert code == 1


def test_the_insecure_example_is_flagged_with_exactly_the_expected_mandatory_policies(insecure_report):
    _, report = insecure_report
    mandatory = {
        (f["policy"], f["resource"]["name"])
        for f in report["findings"]
        if f["status"] == "violation" and f["enforcement"] == "mandatory"
    }

    assert mandatory == INSECURE_MANDATORY


def test_a_missing_log_retention_is_remediated_not_blocked(insecure_report):
    _, report = insecure_report
    remediated = {
        (f["policy"], f["resource"]["name"]) for f in report["findings"] if f["status"] == "remediated"
    }

    assert ("aws-cloudwatch-log-retention", "forever-logs") in remediated


def test_json_findings_carry_policy_severity_enforcement_resource_and_remediation(insecure_report):
    _, report = insecure_report
    finding = next(f for f in report["findings"] if f["policy"] == "aws-sg-no-world-admin-ports")

    assert report["schemaVersion"] == 1
    assert finding["severity"] == "critical"
    assert finding["enforcement"] == "mandatory"
    assert finding["resource"] == {
        "urn": "urn:pulumi:dev::insecure-aws::aws:ec2/securityGroup:SecurityGroup::ssh-open",
        "type": "aws:ec2/securityGroup:SecurityGroup",
        "name": "ssh-open",
    }
    assert "22" in finding["message"]
    assert finding["remediation"]
    assert finding["url"].endswith("#aws-sg-no-world-admin-ports")


def test_text_output_names_each_bad_resource():
    code, out = _check(EXAMPLES / "insecure-aws", "--pack", "aws_security", "--no-tree")

    assert code == 1
    for _, resource in INSECURE_MANDATORY:
        assert resource in out
    assert "FAILED insecure-aws (dev)" in out


def test_text_output_prints_the_resource_tree_with_a_count():
    code, out = _check(STACKS / "payments-api", "--pack", "aws_security")

    assert code == 0
    assert "payments-api goldenpath:blueprints:WebService" in out
    assert "payments-api-service goldenpath:aws:Service" in out
    assert "resources:" in out and "components" in out


def test_sarif_output_has_rules_with_help_and_results_at_the_stack_program(tmp_path):
    out = tmp_path / "report.sarif"
    code, _ = _check(
        EXAMPLES / "insecure-aws", "--pack", "aws_security", "--format", "sarif", "--output", out
    )
    sarif = json.loads(out.read_text())
    (run,) = sarif["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    errors = [r for r in run["results"] if r["level"] == "error"]

    assert code == 1
    assert sarif["version"] == "2.1.0"
    assert rules["aws-iam-no-admin-policy"]["help"]["text"]
    assert rules["aws-iam-no-admin-policy"]["properties"]["security-severity"] == "9.5"
    assert {
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]) for r in errors
    } == INSECURE_MANDATORY
    location = errors[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("tests/examples/insecure-aws/__main__.py")
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_pack_config_can_lower_every_policy_to_advisory(tmp_path):
    config = tmp_path / "advisory.json"
    config.write_text(json.dumps({"all": "advisory"}))
    code, report = _json(EXAMPLES / "insecure-aws", "--pack", "aws_security", "--pack-config", config)

    assert code == 0
    assert report["summary"]["mandatory"] == 0
    assert report["summary"]["advisory"] >= len(INSECURE_MANDATORY)


def test_pack_config_can_disable_one_policy(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("aws-ec2-imdsv2: disabled\n")
    _, report = _json(EXAMPLES / "insecure-aws", "--pack", "aws_security", "--pack-config", config)

    assert "aws-ec2-imdsv2" not in {f["policy"] for f in report["findings"]}


def test_pack_config_naming_an_unknown_policy_is_a_usage_error(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"aws-no-such-policy": "mandatory"}))
    result = runner.invoke(app, ["check", str(EXAMPLES / "insecure-aws"), "--pack-config", str(config)])

    assert result.exit_code == 2
    assert "aws-no-such-policy" in result.stderr


def test_an_in_force_waiver_is_reported_as_suppressed_and_an_expired_one_blocks(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"aws-sns-encryption": "mandatory"}))
    code, report = _json(EXAMPLES / "waived-aws", "--pack", "aws_security", "--pack-config", config)
    by_resource = {
        (f["resource"]["name"], f["status"])
        for f in report["findings"]
        if f["policy"] == "aws-sns-encryption"
    }

    assert by_resource == {("waived-topic", "suppressed"), ("expired-waiver-topic", "violation")}
    assert code == 1
    suppressed = next(f for f in report["findings"] if f["status"] == "suppressed")
    assert "2099-12-31" in suppressed["message"] and "public build notifications" in suppressed["message"]


def test_a_program_error_exits_two_with_the_programs_message_and_no_traceback():
    result = runner.invoke(app, ["check", str(EXAMPLES / "broken-config")])

    assert result.exit_code == 2
    assert "broken-config:github.repository" in result.stderr
    assert "broken-config:memory" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_folder_without_pulumi_yaml_exits_two(tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path)])

    assert result.exit_code == 2
    assert "no Pulumi.yaml" in result.stderr


def test_an_unknown_stack_exits_two_and_lists_the_stacks_there():
    result = runner.invoke(app, ["check", str(STACKS / "payments-api"), "--stack", "qa"])

    assert result.exit_code == 2
    assert "dev, prod" in result.stderr


def test_an_unknown_pack_exits_two():
    result = runner.invoke(app, ["check", str(STACKS / "payments-api"), "--pack", "no-such-pack"])

    assert result.exit_code == 2
    assert "no-such-pack" in result.stderr


INSECURE_K8S_MANDATORY = {
    ("k8s-no-privileged", "legacy"),
    ("k8s-no-host-path-volumes", "legacy"),
    ("k8s-image-tag-pinned", "legacy"),
    ("k8s-no-cluster-admin-binding", "legacy-admin"),
    ("k8s-capabilities-dropped", "legacy"),
    ("k8s-run-as-non-root", "legacy"),
    ("k8s-no-privilege-escalation", "legacy"),
    ("k8s-seccomp-profile", "legacy"),
}


def test_the_insecure_kubernetes_example_exits_one_naming_each_bad_object():
    code, report = _json(EXAMPLES / "insecure-k8s", "--pack", "kubernetes")
    mandatory = {
        (f["policy"], f["resource"]["name"])
        for f in report["findings"]
        if f["status"] == "violation" and f["enforcement"] == "mandatory"
    }

    assert code == 1
    assert mandatory == INSECURE_K8S_MANDATORY


def test_a_waiver_is_judged_with_the_policys_configured_settings_and_level(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps({"aws-cloudwatch-log-retention": {"enforcementLevel": "mandatory", "minimumDays": 90}})
    )
    _, report = _json(EXAMPLES / "waived-aws", "--pack", "aws_security", "--pack-config", config)
    (finding,) = [f for f in report["findings"] if f["policy"] == "aws-cloudwatch-log-retention"]

    assert (finding["status"], finding["enforcement"]) == ("suppressed", "mandatory")
    assert "60" in finding["message"] and "90" in finding["message"]


def test_waivers_for_one_pack_raise_nothing_in_the_others():
    _, report = _json(EXAMPLES / "waived-aws")

    assert [f for f in report["findings"] if "unknown policy" in f["message"]] == []


def test_pack_config_settings_are_checked_against_the_policys_schema(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"aws-cloudwatch-log-retention": {"minimumDays": "ninety"}}))
    result = runner.invoke(app, ["check", str(EXAMPLES / "waived-aws"), "--pack-config", str(config)])

    assert result.exit_code == 2
    assert "aws-cloudwatch-log-retention" in result.stderr and "minimumDays" in result.stderr


def test_pack_config_with_a_misspelled_setting_is_a_usage_error(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"aws-cloudwatch-log-retention": {"minimumDayz": 90}}))
    result = runner.invoke(app, ["check", str(EXAMPLES / "waived-aws"), "--pack-config", str(config)])

    assert result.exit_code == 2
    assert "minimumDayz" in result.stderr and "it takes minimumDays" in result.stderr


def test_a_stack_in_an_unapproved_region_is_blocked(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: far-away\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: ap-southeast-2\n")
    (tmp_path / "__main__.py").write_text("import pulumi_aws as aws\n\naws.sns.Topic('alerts')\n")
    code, report = _json(tmp_path, "--pack", "platform_standards")
    regions = [f for f in report["findings"] if f["policy"] == "platform-approved-regions"]

    assert code == 1
    assert [(f["resource"]["type"], f["enforcement"]) for f in regions] == [
        ("pulumi:providers:aws", "mandatory")
    ]
    assert "ap-southeast-2" in regions[0]["message"]


def test_sarif_results_point_at_the_line_that_declares_the_resource(tmp_path):
    out = tmp_path / "report.sarif"
    _check(EXAMPLES / "insecure-aws", "--pack", "aws_security", "--format", "sarif", "--output", out)
    (run,) = json.loads(out.read_text())["runs"]
    program = (EXAMPLES / "insecure-aws" / "__main__.py").read_text().splitlines()
    expected = next(n for n, line in enumerate(program, 1) if '"ssh-open"' in line)
    (result,) = [r for r in run["results"] if r["ruleId"] == "aws-sg-no-world-admin-ports"]

    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == expected


def test_a_stack_policy_verdict_that_reads_computed_outputs_is_decided_at_up_not_preview():
    # The queue policy of print-outputs is built from the queue's ARN: in a preview of a new stack
    # AnalyzeStack sees it unknown and reaches no verdict (the engine prints none); the DLQ has no
    # policy at all, which preview already sees.
    _, report = _json(ROOT / "tests" / "corpus" / "print-outputs", "--stack", "dev")
    decided = {
        f["resource"]["name"]: f["decidedAt"]
        for f in report["findings"]
        if f["policy"] == "aws-sqs-tls-only" and f["status"] == "violation"
    }

    assert decided == {"orders": "up", "orders-dlq": "preview"}
