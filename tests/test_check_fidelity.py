"""check behaves as `pulumi preview --policy-pack` would, on programs written the way users write them.

Each test writes a small Pulumi project and runs it through check; the Pulumi engine's own
behaviour each one mirrors is named in docs/check-output.md ("Engine fidelity").
"""

from __future__ import annotations

import importlib.metadata
import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goldenpath.check import check_stack, resolve_packs
from goldenpath.cli import app
from goldenpath.harness import ProgramError, run_stack

runner = CliRunner()

SSH_OPEN = (
    "aws.ec2.SecurityGroup('ssh-open', ingress=[{'protocol': 'tcp', 'from_port': 22, 'to_port': 22, "
    "'cidr_blocks': ['0.0.0.0/0'], 'description': 'ssh'}])\n"
)


def _project(
    folder: Path, program: str, config: str = "  aws:region: eu-west-1\n", name: str = "demo"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text("config:\n" + config)
    (folder / "__main__.py").write_text(textwrap.dedent(program))
    return folder


def _mandatory(result) -> set[tuple[str, str]]:
    return {(f.policy, f.resource_name) for f in result.findings if f.blocking}


def test_a_resource_passed_directly_as_an_input_reaches_the_pack_as_its_id(tmp_path):
    program = """
        import pulumi_aws as aws
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("subnet", vpc_id=vpc, cidr_block="10.0.1.0/24")
    """
    run = run_stack(_project(tmp_path, program), "dev", timeout=60)

    assert run.one("aws:ec2/subnet:Subnet").inputs["vpcId"] == "vpc-id"
    assert [r.name for r in run.resources] == ["vpc", "subnet"]


def test_a_program_that_never_finishes_is_stopped_with_a_clear_error(tmp_path):
    program = """
        import threading
        threading.Event().wait()
    """
    with pytest.raises(ProgramError, match="did not finish within 2 s"):
        run_stack(_project(tmp_path, program), "dev", timeout=2)


def test_sys_exit_zero_ends_the_program_and_what_it_declared_is_still_judged(tmp_path):
    program = "import sys\nimport pulumi_aws as aws\n" + SSH_OPEN + "sys.exit(0)\naws.sns.Topic('never')\n"
    result = check_stack(_project(tmp_path, program), packs=["aws_security"])

    assert ("aws-sg-no-world-admin-ports", "ssh-open") in _mandatory(result)
    assert "never" not in {r.name for r in result.run.resources}
    assert result.exit_code == 1


@pytest.mark.parametrize("statement", ["sys.exit(3)", "raise SystemExit('bye')", "sys.exit(1)"])
def test_a_failing_exit_status_is_a_program_error_exit_two(tmp_path, statement):
    program = "import sys\nimport pulumi_aws as aws\n" + SSH_OPEN + statement + "\n"
    result = runner.invoke(app, ["check", str(_project(tmp_path, program)), "--pack", "aws_security"])

    assert result.exit_code == 2
    assert "exited with status" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_exception_in_a_thread_of_the_program_is_a_program_error(tmp_path):
    program = """
        import threading
        import pulumi_aws as aws
        def declare():
            raise RuntimeError("the worker thread broke")
        worker = threading.Thread(target=declare)
        worker.start()
        worker.join()
        aws.sns.Topic("t")
    """
    result = runner.invoke(app, ["check", str(_project(tmp_path, program))])

    assert result.exit_code == 2
    assert "the worker thread broke" in result.stderr


def test_an_exception_in_an_apply_is_a_program_error(tmp_path):
    program = """
        import pulumi_aws as aws
        topic = aws.sns.Topic("t")
        topic.arn.apply(lambda arn: 1 / 0)
    """
    result = runner.invoke(app, ["check", str(_project(tmp_path, program))])

    assert result.exit_code == 2
    assert "ZeroDivisionError" in result.stderr


def test_program_output_never_reaches_the_json_report(tmp_path):
    program = """
        import os, subprocess, sys
        import pulumi_aws as aws
        print("chatter from print")
        os.write(1, b"chatter on fd 1\\n")
        aws.sns.Topic("t")
    """
    result = runner.invoke(app, ["check", str(_project(tmp_path, program)), "--format", "json"])

    report = json.loads(result.stdout)
    assert report["summary"]["resources"] == 1
    assert "chatter from print" in result.stderr


def test_get_policy_document_yields_the_policy_json_the_iam_policies_judge(tmp_path):
    program = """
        import pulumi_aws as aws
        doc = aws.iam.get_policy_document(statements=[{"actions": ["*"], "resources": ["*"]}])
        aws.iam.Policy("admin", policy=doc.json)
    """
    result = check_stack(_project(tmp_path, program), packs=["aws_security"])
    policy = json.loads(result.run.one("aws:iam/policy:Policy").inputs["policy"])

    assert policy == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    assert ("aws-iam-no-admin-policy", "admin") in _mandatory(result)


def test_lookups_are_answered_so_resources_keep_their_inputs(tmp_path):
    program = """
        import pulumi_aws as aws
        ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"])
        vpc = aws.ec2.get_vpc(default=True)
        subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
        zone = aws.route53.get_zone(name="example.com")
        aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro", subnet_id=subnets.ids[0])
        aws.route53.Record("www", zone_id=zone.zone_id, name="www", type="A", ttl=60, records=["192.0.2.1"])
    """
    run = run_stack(_project(tmp_path, program), "dev", timeout=60)

    assert run.one("aws:ec2/instance:Instance").inputs["ami"].startswith("ami-")
    assert run.one("aws:ec2/instance:Instance").inputs["subnetId"].startswith("subnet-")
    assert run.one("aws:route53/record:Record").inputs["zoneId"].startswith("Z")
    assert run.unexamined == []


def test_an_invoke_check_cannot_answer_is_unknown_and_makes_the_check_partial(tmp_path):
    program = """
        import pulumi_aws as aws
        param = aws.ssm.get_parameter_output(name="/team/topic-key")
        aws.sns.Topic("t", kms_master_key_id=param.value, tags={})
    """
    result = check_stack(_project(tmp_path, program), packs=["aws_security"])

    assert [(u.name, u.type) for u in result.unexamined] == [("aws:ssm/getParameter:getParameter", "invoke")]
    assert result.verdict == "partial"
    assert result.exit_code == 1
    assert check_stack(tmp_path, packs=["aws_security"], allow_partial=True).exit_code == 0


def test_a_plain_invoke_check_cannot_answer_fails_naming_the_data_source(tmp_path):
    program = """
        import pulumi_aws as aws
        param = aws.ssm.get_parameter(name="/team/topic-key")
        aws.sns.Topic("t", kms_master_key_id=param.value)
    """
    with pytest.raises(ProgramError, match="aws:ssm/getParameter:getParameter"):
        run_stack(_project(tmp_path, program), "dev", timeout=60)


def test_kubernetes_yaml_v1_is_decoded_offline_and_its_objects_are_judged(tmp_path):
    manifest = """
        apiVersion: v1
        kind: Pod
        metadata: {name: debug}
        spec:
          containers:
            - name: shell
              image: busybox:latest
              securityContext: {privileged: true}
    """
    program = """
        import pulumi_kubernetes as k8s
        k8s.yaml.ConfigFile("debug", file="pod.yaml")
    """
    folder = _project(tmp_path, program, config="  kubernetes:namespace: default\n")
    (folder / "pod.yaml").write_text(textwrap.dedent(manifest))
    result = check_stack(folder, packs=["kubernetes"])

    assert {("k8s-no-privileged", "debug"), ("k8s-image-tag-pinned", "debug")} <= _mandatory(result)
    assert result.unexamined == []


@pytest.mark.parametrize(
    ("declaration", "kind"),
    [
        (
            "k8s.helm.v3.Release('web', chart='nginx', repository_opts={'repo': 'https://charts.example.com'})",
            "Release",
        ),
        ("k8s.helm.v4.Chart('web', chart='oci://registry.example.com/charts/nginx')", "Chart"),
        (
            "k8s.yaml.v2.ConfigGroup('web', yaml='apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\n')",
            "ConfigGroup",
        ),
    ],
)
def test_what_a_provider_plugin_expands_is_listed_and_never_passes(tmp_path, declaration, kind):
    program = "import pulumi_kubernetes as k8s\n" + declaration + "\n"
    result = check_stack(_project(tmp_path, program, config="  kubernetes:namespace: default\n"))

    assert [u.name for u in result.unexamined] == ["web"]
    assert kind in result.unexamined[0].type
    assert result.verdict == "partial" and result.exit_code == 1


@pytest.mark.parametrize(
    ("declaration", "token"),
    [
        (
            "k8s.helm.v3.Chart('web', k8s.helm.v3.ChartOpts(chart='nginx', "
            "fetch_opts=k8s.helm.v3.FetchOpts(repo='https://charts.example.com')))",
            "kubernetes:helm:template",
        ),
        ("k8s.kustomize.Directory('web', directory='overlays/prod')", "kubernetes:kustomize:directory"),
    ],
)
def test_objects_a_provider_would_render_through_an_invoke_are_listed(tmp_path, declaration, token):
    program = "import pulumi_kubernetes as k8s\n" + declaration + "\n"
    result = check_stack(_project(tmp_path, program, config="  kubernetes:namespace: default\n"))

    assert [(u.name, u.type) for u in result.unexamined] == [(token, "invoke")]
    assert "check does not run" in result.unexamined[0].reason
    assert result.verdict == "partial"


def test_a_stack_reference_is_unexamined_and_its_outputs_unknown(tmp_path):
    program = """
        import pulumi
        import pulumi_aws as aws
        network = pulumi.StackReference("acme/network/prod")
        aws.ec2.Subnet("app", vpc_id=network.get_output("vpcId"), cidr_block="10.0.1.0/24")
    """
    run = run_stack(_project(tmp_path, program), "dev", timeout=60)

    assert [u.type for u in run.unexamined] == ["pulumi:pulumi:StackReference"]
    assert run.one("aws:ec2/subnet:Subnet").properties["vpcId"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def test_default_tags_of_the_provider_count_for_the_required_tags_policy(tmp_path):
    tags = "".join(
        f"      {key}: {value}\n"
        for key, value in {
            "team": "web",
            "service": "demo",
            "environment": "dev",
            "cost-center": "cc-1",
            "managed-by": "goldenpath",
            "goldenpath:blueprint": "none",
            "goldenpath:version": "0.1.0",
        }.items()
    )
    config = "  aws:region: eu-west-1\n  aws:defaultTags:\n    tags:\n" + tags
    program = "import pulumi_aws as aws\naws.sns.Topic('t', kms_master_key_id='alias/aws/sns')\n"
    result = check_stack(_project(tmp_path, program, config=config), packs=["platform_standards"])

    assert "platform-required-tags" not in {f.policy for f in result.findings}
    assert result.run.one("aws:sns/topic:Topic").inputs["tagsAll"]["team"] == "web"


def test_an_explicit_provider_with_default_tags_applies_them_to_its_resources(tmp_path):
    program = """
        import pulumi
        import pulumi_aws as aws
        provider = aws.Provider("eu", region="eu-west-1", default_tags={"tags": {"team": "web"}})
        aws.sns.Topic("t", opts=pulumi.ResourceOptions(provider=provider))
    """
    run = run_stack(_project(tmp_path, program), "dev", timeout=60)
    topic = run.one("aws:sns/topic:Topic")

    assert topic.inputs["tagsAll"] == {"team": "web"}
    assert topic.provider == run.one("pulumi:providers:aws").urn
    assert run.default_providers == []


def test_the_default_provider_is_named_for_its_version_as_the_engine_names_it(tmp_path):
    run = run_stack(_project(tmp_path, "import pulumi_aws as aws\naws.sns.Topic('t')\n"), "dev", timeout=60)
    version = importlib.metadata.version("pulumi_aws")

    assert run.one("aws:sns/topic:Topic").provider.endswith(
        "::pulumi:providers:aws::default_" + version.replace(".", "_")
    )


def test_a_pack_named_twice_or_by_its_pack_name_runs_once():
    assert resolve_packs(["aws_security", "goldenpath-aws-security", "aws_security"]) == resolve_packs(
        ["aws_security"]
    )


def test_analyze_stack_sees_the_stack_components_and_providers_with_outputs(tmp_path):
    program = """
        import pulumi
        import pulumi_aws as aws
        class Site(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("acme:web:Site", name)
                self.topic = aws.sns.Topic(f"{name}-events", opts=pulumi.ResourceOptions(parent=self))
                self.register_outputs({"topicArn": self.topic.arn})
        site = Site("site")
        pulumi.export("topic", site.topic.arn)
    """
    run = run_stack(_project(tmp_path, program), "dev", timeout=60)
    types = [r.type for r in run.stack_view]

    assert types[:2] == ["pulumi:pulumi:Stack", "pulumi:providers:aws"]
    assert set(types[2:]) == {"acme:web:Site", "aws:sns/topic:Topic"}
    assert run.stack_resource.outputs["topic"].startswith("arn:aws:sns:")
    assert run.one("acme:web:Site").outputs["topicArn"].startswith("arn:aws:sns:")


def test_a_violation_that_needs_another_resources_arn_is_decided_at_up(tmp_path):
    program = """
        import json
        import pulumi_aws as aws
        bucket = aws.s3.Bucket("site")
        aws.s3.BucketPolicy(
            "public",
            bucket=bucket.id,
            policy=bucket.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn}/*"}]})),
        )
        aws.ec2.SecurityGroup("ssh-open", ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22,
                                                   "cidr_blocks": ["0.0.0.0/0"], "description": "ssh"}])
    """
    result = check_stack(_project(tmp_path, program), packs=["aws_security"])
    decided = {(f.policy, f.resource_name): f.decided_at for f in result.findings if f.blocking}

    assert decided[("aws-s3-no-public-bucket-policy", "public")] == "up"
    assert decided[("aws-sg-no-world-admin-ports", "ssh-open")] == "preview"


def test_a_compliant_policy_that_preview_cannot_run_is_listed_as_preview_not_evaluated(tmp_path):
    # Preview cannot read a policy built from the bucket's ARN; check judges it (compliant) and
    # says the engine's preview will print "can't run policy" for it, and for nothing else.
    program = """
        import json
        import pulumi_aws as aws
        bucket = aws.s3.Bucket("site")
        aws.s3.BucketPolicy(
            "tls-only",
            bucket=bucket.id,
            policy=bucket.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, f"{arn}/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})),
        )
        aws.sns.Topic("plain", kms_master_key_id="alias/aws/sns")
    """
    result = check_stack(_project(tmp_path, program), packs=["aws_security"])
    listed = {(f.policy, f.resource_name) for f in result.preview_not_evaluated}
    report = json.loads(runner.invoke(app, ["check", str(tmp_path), "--format", "json"]).stdout)

    assert ("aws-s3-no-public-bucket-policy", "tls-only") in listed
    assert {name for _, name in listed} == {"tls-only"}
    assert all(
        f.status == "not-evaluated" and f.enforcement == "advisory" for f in result.preview_not_evaluated
    )
    assert not [f for f in result.findings if f.resource_name == "tls-only" and f.status == "violation"]
    assert report["summary"]["previewNotEvaluated"] == len(report["previewNotEvaluated"]) >= 1


SPY_PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def report_retention(args, report):
    if args.resource_type == "aws:cloudwatch/logGroup:LogGroup":
        report(f"retention seen: {args.props.get('retentionInDays')}")

PolicyPack(
    name="spy",
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=[ResourceValidationPolicy(name="spy-retention", description="Reports what it sees.",
                                       validate=report_retention)],
)
"""


def test_a_remediation_by_one_pack_is_what_the_next_pack_analyzes(tmp_path):
    spy = tmp_path / "spy"
    spy.mkdir()
    (spy / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (spy / "__main__.py").write_text(SPY_PACK)
    program = "import pulumi_aws as aws\naws.cloudwatch.LogGroup('logs')\n"
    result = check_stack(
        _project(tmp_path / "p", program),
        packs=["aws_security", str(spy)],
        pack_config={"aws-cloudwatch-log-retention": "remediate"},
    )
    by_policy = {f.policy: f for f in result.findings if f.resource_name == "logs"}

    assert by_policy["aws-cloudwatch-log-retention"].status == "remediated"
    assert by_policy["spy-retention"].message == "retention seen: 30.0"  # protobuf numbers are doubles


def test_a_partial_check_says_so_in_text_json_and_sarif(tmp_path):
    folder = _project(
        tmp_path,
        "import pulumi_kubernetes as k8s\nk8s.helm.v3.Release('web', chart='nginx')\n",
        config="  kubernetes:namespace: default\n",
    )
    text = runner.invoke(app, ["check", str(folder), "--no-tree"])
    document = json.loads(runner.invoke(app, ["check", str(folder), "--format", "json"]).stdout)
    sarif = json.loads(runner.invoke(app, ["check", str(folder), "--format", "sarif"]).stdout)
    allowed = runner.invoke(app, ["check", str(folder), "--allow-partial", "--no-tree"])

    assert text.exit_code == 1 and "PARTIAL" in text.stdout and "PASSED" not in text.stdout
    assert (document["summary"]["verdict"], document["summary"]["unexamined"]) == ("partial", 1)
    assert document["unexamined"][0]["type"] == "kubernetes:helm.sh/v3:Release"
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["warning"] and "web" in notes[0]["message"]["text"]
    assert allowed.exit_code == 0 and "PARTIAL" in allowed.stdout


def test_secret_provider_config_reaches_the_pack_as_a_secret_and_never_crashes(tmp_path):
    config = "  aws:region: eu-west-1\n  aws:secretKey:\n    secure: v1:AAAABBBBCCCC\n"
    folder = _project(tmp_path, "import pulumi_aws as aws\naws.sns.Topic('t')\n", config=config)
    result = check_stack(folder, packs=["platform_standards"])
    (provider,) = result.run.default_providers

    assert provider.properties["secretKey"]["value"] == "[secret]"
    assert "AAAABBBBCCCC" not in json.dumps([f.to_json() for f in result.findings])


def test_a_resource_read_with_get_is_recorded_as_a_read_and_not_analyzed(tmp_path):
    program = """
        import pulumi_aws as aws
        vpc = aws.ec2.Vpc.get("existing", "vpc-0123")
        aws.ec2.SecurityGroup("app", description="app", vpc_id=vpc.id)
    """
    result = check_stack(_project(tmp_path, program), packs=["aws_security"])
    read = result.run.one("aws:ec2/vpc:Vpc")

    assert read.read and result.run.one("aws:ec2/securityGroup:SecurityGroup").inputs["vpcId"] == "vpc-0123"
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "statement",
    [
        "sg.id.apply(lambda _: sys.exit(0))",
        "sg.id.apply(lambda _: os._exit(0))",
        "sg.id.apply(lambda _: os._exit(3))",
    ],
)
def test_ending_the_process_from_an_apply_is_a_program_error_not_a_green(tmp_path, statement):
    program = "import os, sys\nimport pulumi_aws as aws\nsg = " + SSH_OPEN + statement + "\n"
    out = tmp_path / "out.sarif"
    result = runner.invoke(
        app, ["check", str(_project(tmp_path / "p", program)), "--format", "sarif", "-o", str(out)]
    )

    assert result.exit_code == 2
    assert "exited with status" in result.stderr


def test_a_pack_that_cannot_be_read_next_to_a_good_one_is_a_usage_error_without_hanging(tmp_path):
    bad = tmp_path / "badpack"
    bad.mkdir()
    (bad / "PulumiPolicy.yaml").write_text("runtime: python\nversion: [0.1\n")
    folder = _project(tmp_path / "p", "import pulumi_aws as aws\n" + SSH_OPEN)
    result = runner.invoke(app, ["check", str(folder), "-p", "aws_security", "-p", str(bad)])

    assert result.exit_code == 2
    assert "PulumiPolicy.yaml" in result.stderr and "Traceback" not in result.stderr


def test_a_pack_that_prints_before_its_port_is_refused_at_once(tmp_path):
    chatty = tmp_path / "chatty"
    chatty.mkdir()
    (chatty / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (chatty / "__main__.py").write_text("print('loading policies')\n" + SPY_PACK)
    folder = _project(tmp_path / "p", "import pulumi_aws as aws\n" + SSH_OPEN)
    result = runner.invoke(app, ["check", str(folder), "-p", str(chatty)])

    assert result.exit_code == 2
    assert "'loading policies' where its port belongs" in result.stderr


def test_children_of_nested_components_get_the_engines_urn(tmp_path):
    program = """
        import pulumi
        import pulumi_aws as aws
        class Inner(pulumi.ComponentResource):
            def __init__(self, name, opts=None):
                super().__init__("acme:net:Inner", name, None, opts)
                aws.sns.Topic(f"{name}-topic", opts=pulumi.ResourceOptions(parent=self))
        class Outer(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("acme:net:Outer", name)
                Inner(f"{name}-inner", pulumi.ResourceOptions(parent=self))
        Outer("o")
    """
    run = run_stack(_project(tmp_path, program), "dev", timeout=60)

    assert run.one("aws:sns/topic:Topic").urn == (
        "urn:pulumi:dev::demo::acme:net:Outer$acme:net:Inner$aws:sns/topic:Topic::o-inner-topic"
    )


STACK_SPY_PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def report_stack(args, report):
    if args.resource_type == "pulumi:pulumi:Stack":
        report("the stack was analyzed")

PolicyPack(name="stack-spy", enforcement_level=EnforcementLevel.ADVISORY, policies=[
    ResourceValidationPolicy(name="spy-stack", description="Reports the Stack.", validate=report_stack)])
"""


def test_the_stack_registration_is_analyzed_like_any_other(tmp_path):
    spy = tmp_path / "spy"
    spy.mkdir()
    (spy / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (spy / "__main__.py").write_text(STACK_SPY_PACK)
    result = check_stack(
        _project(tmp_path / "p", "import pulumi_aws as aws\naws.sns.Topic('t')\n"), packs=[str(spy)]
    )

    assert [(f.policy, f.resource_type) for f in result.findings] == [("spy-stack", "pulumi:pulumi:Stack")]


def test_a_stack_policy_verdict_on_a_resource_with_dependent_inputs_stays_decided_at_preview(tmp_path):
    program = """
        import pulumi_aws as aws
        logs = aws.s3.Bucket("logs")
        aws.s3.Bucket("data", tags={"owner": logs.id})
    """
    result = check_stack(_project(tmp_path, program), packs=["aws_security"])
    data = {(f.policy, f.decided_at) for f in result.findings if f.resource_name == "data" and f.blocking}

    assert ("aws-s3-kms-encryption", "preview") in data
    assert {d for _, d in data} == {"preview"}


def test_a_pack_that_never_starts_is_given_up_on_within_the_start_limit(tmp_path, monkeypatch):
    import goldenpath.analyzer as analyzer
    from goldenpath.check import UsageError

    monkeypatch.setattr(analyzer, "_START_TIMEOUT_SECONDS", 3)
    sleepy = tmp_path / "sleepy"
    sleepy.mkdir()
    (sleepy / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (sleepy / "__main__.py").write_text("import time\ntime.sleep(600)\n")
    folder = _project(tmp_path / "p", "import pulumi_aws as aws\n" + SSH_OPEN)

    with pytest.raises(UsageError, match="printed nothing within 3 s"):
        check_stack(folder, packs=["aws_security", str(sleepy)])


def test_a_resource_that_cannot_be_handed_to_the_packs_fails_the_check_instead_of_passing(
    tmp_path, monkeypatch
):
    import goldenpath.check as check_module
    from goldenpath.check import UsageError

    real = check_module.resource_input

    def broken(recorded, provider=None):
        if recorded.name == "t":
            raise ValueError("cannot encode")
        return real(recorded, provider)

    monkeypatch.setattr(check_module, "resource_input", broken)
    folder = _project(tmp_path, "import pulumi_aws as aws\naws.sns.Topic('t')\n")

    with pytest.raises(UsageError, match="could not hand .*::t to the packs"):
        check_stack(folder, packs=["aws_security"])


def test_default_tags_are_not_merged_into_secret_or_unknown_tags():
    from pulumi.runtime import rpc

    from goldenpath.harness import with_default_tags

    defaults = {"tags": {"team": "payments"}}
    secret = {rpc._special_sig_key: rpc._special_secret_sig, "value": {"owner": "x"}}
    plain = with_default_tags("aws:sns/topic:Topic", {"tags": {"owner": "x"}}, defaults)

    assert plain["tagsAll"] == {"team": "payments", "owner": "x"}
    assert "tagsAll" not in with_default_tags("aws:sns/topic:Topic", {"tags": secret}, defaults)
    assert "tagsAll" not in with_default_tags("aws:sns/topic:Topic", {"tags": rpc.UNKNOWN}, defaults)
    assert "tagsAll" not in with_default_tags("aws:sns/topic:Topic", {}, {"tags": secret})
