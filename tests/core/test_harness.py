"""Reading a Pulumi project the way the CLI does, and running it under mocks."""

from __future__ import annotations

import importlib.metadata
import json
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
