"""Reading a Pulumi project the way the CLI does, and running it under mocks."""

from __future__ import annotations

import importlib.metadata
import json
import re
from pathlib import Path

import pytest

from goldenpath.harness import SECRET_PLACEHOLDER, ProgramError, StackConfigError, read_stack_files, run_stack


def _project(tmp_path: Path, project_yaml: str, stack_yaml: str, program: str = "") -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project_yaml)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    (tmp_path / "__main__.py").write_text(program)
    return tmp_path


def test_stack_config_keys_without_a_namespace_belong_to_the_project(tmp_path):
    files = read_stack_files(
        _project(tmp_path, "name: demo\nruntime: python\n", "config:\n  size: 3\n"), "dev"
    )

    assert files.config == {"demo:size": "3"}


def test_structured_config_reaches_the_program_as_json(tmp_path):
    stack = "config:\n  demo:github:\n    repository: acme/demo\n    environments: [prod]\n"
    files = read_stack_files(_project(tmp_path, "name: demo\nruntime: python\n", stack), "dev")

    assert json.loads(files.config["demo:github"]) == {"repository": "acme/demo", "environments": ["prod"]}


def test_secure_values_become_placeholders_and_mark_their_key_secret(tmp_path):
    stack = "config:\n  demo:token:\n    secure: AAABAxyz\n  demo:values:\n    a:\n      secure: AAAB\n    b: plain\n"
    files = read_stack_files(_project(tmp_path, "name: demo\nruntime: python\n", stack), "dev")

    assert files.config["demo:token"] == SECRET_PLACEHOLDER
    assert json.loads(files.config["demo:values"]) == {"a": SECRET_PLACEHOLDER, "b": "plain"}
    assert sorted(files.secret_keys) == ["demo:token", "demo:values"]


def test_project_level_defaults_apply_and_the_stack_file_overrides_them(tmp_path):
    project = (
        "name: demo\nruntime: python\nconfig:\n  size:\n    type: integer\n    default: 2\n  color: blue\n"
    )
    files = read_stack_files(_project(tmp_path, project, "config:\n  demo:size: 5\n"), "dev")

    assert files.config == {"demo:size": "5", "demo:color": "blue"}


def test_a_date_like_value_stays_the_text_that_was_written(tmp_path):
    files = read_stack_files(
        _project(tmp_path, "name: demo\nruntime: python\n", "config:\n  demo:expires: 2025-01-01\n"), "dev"
    )

    assert files.config["demo:expires"] == "2025-01-01"


@pytest.mark.parametrize(
    ("project_yaml", "stack_yaml", "fragment"),
    [
        ("runtime: python\n", "config: {}\n", "'name' is required"),
        ("name: demo\nruntime: nodejs\n", "config: {}\n", "runtime is 'nodejs'"),
        ("name: demo\nruntime: python\nmain: 3\n", "config: {}\n", "'main' must be a path"),
        ("name: demo\nruntime: python\n", "config: [a, b]\n", "'config' must be a mapping"),
        ("name: demo\nruntime: python\nconfig: [a]\n", "config: {}\n", "'config' must be a mapping"),
        ("name: [demo\n", "config: {}\n", "not valid YAML"),
    ],
)
def test_a_malformed_project_is_a_clear_error(tmp_path, project_yaml, stack_yaml, fragment):
    with pytest.raises(StackConfigError, match=fragment.replace("[", r"\[")):
        read_stack_files(_project(tmp_path, project_yaml, stack_yaml), "dev")


def test_a_program_error_carries_the_programs_message(tmp_path):
    _project(tmp_path, "name: demo\nruntime: python\n", "config: {}\n", "raise RuntimeError('bad program')\n")

    with pytest.raises(ProgramError, match="RuntimeError: bad program"):
        run_stack(tmp_path, "dev")


def test_modules_a_program_imports_from_its_folder_do_not_leak_into_the_next_run(tmp_path):
    program = "import helpers\nimport pulumi\npulumi.export('who', helpers.WHO)\n"
    for who in ("first", "second"):
        folder = tmp_path / who
        folder.mkdir()
        _project(folder, "name: demo\nruntime: python\n", "config: {}\n", program)
        (folder / "helpers.py").write_text(f"WHO = {who!r}\n")

    import sys

    run_stack(tmp_path / "first", "dev")
    assert "helpers" not in sys.modules
    run_stack(tmp_path / "second", "dev")
    assert "helpers" not in sys.modules


def test_the_engine_default_provider_is_evaluated_with_the_stacks_region(tmp_path):
    program = "import pulumi_aws as aws\naws.sns.Topic('t')\n"
    _project(tmp_path, "name: demo\nruntime: python\n", "config:\n  aws:region: eu-central-1\n", program)
    run = run_stack(tmp_path, "dev")
    (provider,) = run.default_providers

    version = importlib.metadata.version("pulumi_aws")
    assert provider.type == "pulumi:providers:aws"
    # The engine names a default provider for its version and records the version in its inputs.
    assert provider.name == "default_" + version.replace(".", "_")
    assert provider.urn == f"urn:pulumi:dev::demo::pulumi:providers:aws::{provider.name}"
    assert provider.inputs == {"region": "eu-central-1", "version": version}
    assert [r.type for r in run.resources] == ["aws:sns/topic:Topic"]
    assert run.resources[0].urn == "urn:pulumi:dev::demo::aws:sns/topic:Topic::t"


# --- Project-level config, as the Pulumi CLI applies and checks it ------------------------------


def _declared_project(tmp_path, declared: str, stack: str):
    (tmp_path / "Pulumi.yaml").write_text(f"name: svc\nruntime: python\nconfig:\n{declared}")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.dev.yaml").write_text(f"config:\n{stack}")
    return read_stack_files(tmp_path, "dev")


def test_a_declared_key_without_default_that_the_stack_does_not_set_stops_check_as_it_stops_pulumi(tmp_path):
    with pytest.raises(
        StackConfigError, match=r"Stack 'dev' is missing configuration values 'image' and 'team'"
    ):
        _declared_project(
            tmp_path, "  team:\n    type: string\n  image:\n    type: string\n", "  other:x: 1\n"
        )


def test_declared_defaults_apply_and_the_stack_value_wins(tmp_path):
    files = _declared_project(
        tmp_path,
        "  cpu:\n    type: integer\n    default: 256\n  port:\n    type: integer\n    default: 8080\n",
        "  svc:port: 9090\n",
    )

    assert files.config == {"svc:cpu": "256", "svc:port": "9090"}


@pytest.mark.parametrize(
    ("declared", "value", "type_name"),
    [
        ("type: integer", "'2.5'", "integer"),
        ("type: boolean", "maybe", "boolean"),
        ("type: object", "[a]", "object"),
        ("type: array\n    items:\n      type: integer", "[1, x]", "array<integer>"),
        ("type: string", "{a: 1}", "string"),
    ],
)
def test_a_stack_value_of_the_wrong_declared_type_is_refused_as_pulumi_refuses_it(
    tmp_path, declared, value, type_name
):
    with pytest.raises(
        StackConfigError, match=rf"configuration key 'k' must be of type '{re.escape(type_name)}'"
    ):
        _declared_project(tmp_path, f"  k:\n    {declared}\n", f"  svc:k: {value}\n")


@pytest.mark.parametrize(
    ("declared", "value"),
    [("type: integer", "'42'"), ("type: boolean", "'true'"), ("type: string", "7"), ("type: string", "true")],
)
def test_values_pulumi_accepts_for_a_declared_type_pass(tmp_path, declared, value):
    assert set(_declared_project(tmp_path, f"  k:\n    {declared}\n", f"  svc:k: {value}\n").config) == {
        "svc:k"
    }


def test_a_declared_secret_must_be_encrypted_in_the_stack(tmp_path):
    with pytest.raises(StackConfigError, match="must be encrypted as it's secret"):
        _declared_project(tmp_path, "  token:\n    type: string\n    secret: true\n", "  svc:token: plain\n")


def test_event_loops_made_for_mock_calls_in_worker_threads_are_closed_at_exit():
    import asyncio
    import threading

    from goldenpath import harness

    made = []

    def serve():
        harness._ensure_worker_loop()
        made.append(asyncio.get_event_loop())

    worker = threading.Thread(target=serve)
    worker.start()
    worker.join()
    assert made and not made[0].is_closed()

    harness._close_worker_loops()

    assert made[0].is_closed()


@pytest.mark.parametrize(
    ("written", "read"), [("on", "on"), ("yes", "yes"), ("off", "off"), ("true", "true")]
)
def test_stack_values_are_read_as_yaml_1_2_as_the_pulumi_cli_reads_them(tmp_path, written, read):
    assert _declared_project(tmp_path, "  k:\n    type: string\n", f"  svc:k: {written}\n").config == {
        "svc:k": read
    }


def test_yes_is_not_a_boolean_to_pulumi_and_so_not_to_check(tmp_path):
    with pytest.raises(StackConfigError, match="configuration key 'k' must be of type 'boolean'"):
        _declared_project(tmp_path, "  k:\n    type: boolean\n", "  svc:k: yes\n")


def test_running_many_stacks_in_one_process_does_not_leak_file_descriptors():
    from goldenpath.check import check_stack

    from ..conftest import STACKS

    def descriptors_after_a_run() -> int:
        check_stack(STACKS / "catalog-k8s", "dev")
        return len(list(Path("/proc/self/fd").iterdir()))

    # Holding each run's loops leaked about ten descriptors a run, for good. Without a leak, what a
    # run leaves open until the next one varies by up to nine (gRPC sockets and pollers; measured,
    # stable for seconds, so not in flight). So compare runs, not one count against a margin: the
    # fewest open after runs 6-10 exceeds the most after runs 1-5 once a run leaks two or more.
    descriptors_after_a_run()
    first = [descriptors_after_a_run() for _ in range(5)]
    then = [descriptors_after_a_run() for _ in range(5)]
    assert min(then) <= max(first), (first, then)


@pytest.mark.parametrize("module", ["lb", "alb"])
def test_a_load_balancer_of_either_module_gets_the_outputs_a_real_one_has(tmp_path, module):
    # aws.alb.* are their own type tokens in pulumi-aws, not aliases of aws.lb.*: the mocks must
    # answer both, or a program written with aws.alb reads None where AWS gives a DNS name.
    program = (
        "import pulumi, pulumi_aws as aws\n"
        f"lb = aws.{module}.LoadBalancer('web', subnets=['subnet-1'])\n"
        f"tg = aws.{module}.TargetGroup('app', port=80, protocol='HTTP', vpc_id='vpc-1')\n"
        "aws.sns.Topic('t', display_name=pulumi.Output.all(lb.dns_name, lb.arn_suffix, tg.arn_suffix)"
        ".apply(lambda v: '|'.join(v)))\n"
    )
    _project(tmp_path, "name: demo\nruntime: python\n", "config:\n  aws:region: eu-west-1\n", program)
    topic = next(r for r in run_stack(tmp_path, "dev").resources if r.type == "aws:sns/topic:Topic")

    assert topic.inputs["displayName"] == (
        "web-1234567890.eu-west-1.elb.amazonaws.com|app/web/50dc6c495c0c9188|targetgroup/app/73e2d6bc24d8a067"
    )
