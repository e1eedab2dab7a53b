"""goldenpath new makes a service project that is on the golden path; goldenpath upgrade keeps it there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from goldenpath import __version__
from goldenpath.blueprint_reference import BLUEPRINTS, template_config_files
from goldenpath.check import check_stack, load_pack_config
from goldenpath.cli import app
from goldenpath.harness import read_stack_files
from goldenpath.scaffold import TEMPLATE, NewProject, ScaffoldError, create, upgrade

from .referees.outside import run_actionlint, run_check_jsonschema, validate_catalog
from .test_distribution import distribution_problems

runner = CliRunner()

CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0f4b1c52-8a3e-4c1d-9d57-1b2c3d4e5f60"
# What each blueprint needs beyond the flags, as a team would pass it.
NEEDED = {
    "web-service": ["--set", f"certificateArn={CERTIFICATE}", "--set", "imageTag=1.0.0"],
    "worker": ["--set", "imageTag=1.0.0"],
    "scheduled-job": ["--set", "imageTag=1.0.0", "--set", "schedule=cron(0 2 * * ? *)"],
    "k8s-service": ["--set", "image=ghcr.io/acme/orders:1.0.0"],
    "k8s-worker": [
        *("--set", "image=ghcr.io/acme/orders-worker:1.0.0", "--set", "queue.type=aws-sqs-queue"),
        *("--set", "queue.url=https://sqs.eu-west-1.amazonaws.com/123456789012/orders"),
        *("--set", "queue.region=eu-west-1"),
    ],
    "k8s-scheduled-job": ["--set", "image=ghcr.io/acme/orders-report:1.0.0", "--set", "schedule=30 2 * * *"],
}
AWS_PACKS = [("aws_security", "aws-security"), ("platform_standards", "platform-standards")]
PACKS = {
    "web-service": AWS_PACKS,
    "worker": AWS_PACKS,
    "scheduled-job": AWS_PACKS,
    "k8s-service": [("kubernetes", "kubernetes"), ("platform_standards", "platform-standards")],
    "k8s-worker": [("kubernetes", "kubernetes"), ("platform_standards", "platform-standards")],
    "k8s-scheduled-job": [("kubernetes", "kubernetes"), ("platform_standards", "platform-standards")],
}
GENERATED = {
    ".copier-answers.yml",
    ".github/workflows/goldenpath.yml",
    ".gitignore",
    "Pulumi.yaml",
    "Pulumi.dev.yaml",
    "Pulumi.prod.yaml",
    "README.md",
    "__main__.py",
    "catalog-info.yaml",
    "requirements.txt",
    "policy/platform-standards.json",
}


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """The template repository lives under ~/.cache: give every test a home of its own."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def _new(tmp_path, monkeypatch, blueprint: str, *extra: str, name: str = "orders"):
    monkeypatch.chdir(tmp_path)
    args = ["new", name, "--blueprint", blueprint, "--team", "orders", "--cost-center", "cc-1234"]
    return runner.invoke(app, [*args, "--repo", f"acme/{name}", *NEEDED[blueprint], *extra, "--yes"])


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(
    scope="module", params=sorted(b for b, spec in BLUEPRINTS.items() if spec.project == "service")
)
def project(request, tmp_path_factory) -> tuple[str, Path]:
    """A project made by `goldenpath new --yes` for each blueprint (shared: checking is slow)."""
    blueprint = request.param
    root = tmp_path_factory.mktemp(blueprint)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(root / "home"))
        result = _new(root, patch, blueprint)
    assert result.exit_code == 0, result.output
    return blueprint, root / "orders"


def test_new_writes_a_complete_pulumi_project(project):
    blueprint, folder = project
    pack_configs = {f"policy/{config}.json" for _, config in PACKS[blueprint]}

    assert _files(folder) == GENERATED | pack_configs


def test_new_declares_every_declarable_key_in_pulumi_yaml_and_names_the_rest(project):
    blueprint, folder = project
    doc = yaml.safe_load((folder / "Pulumi.yaml").read_text())
    model = BLUEPRINTS[blueprint].model
    keys = {field.alias or name for name, field in model.model_fields.items()}
    text = (folder / "Pulumi.yaml").read_text()

    assert doc["name"] == "orders"
    assert doc["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    declared = set(doc["config"])
    assert declared < keys
    for key in keys - declared:
        assert f"#   {key}: " in text
    assert {"team", "costCenter", "environment"} <= declared
    assert all("default" not in doc["config"][k] for k in ("team", "costCenter", "environment"))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_new_project_passes_check_with_the_workflows_own_packs_and_configs(project, stack):
    blueprint, folder = project
    packs = [pack for pack, _ in PACKS[blueprint]]
    configs = load_pack_config([folder / "policy" / f"{c}.json" for _, c in PACKS[blueprint]], paired=True)

    result = check_stack(folder, stack, packs=packs, pack_config=configs)

    assert result.verdict == "passed", [f"{f.policy}: {f.message}" for f in result.findings if f.blocking]
    assert result.counts()["mandatory"] == 0


def test_the_workflow_runs_the_same_packs_and_configs_as_check(project):
    blueprint, folder = project
    workflow = yaml.safe_load((folder / ".github" / "workflows" / "goldenpath.yml").read_text())
    check_run = next(
        s["run"] for s in workflow["jobs"]["check"]["steps"] if s.get("name") == "goldenpath check"
    )

    for job in ("preview", "deploy-dev", "deploy-prod"):
        action = next(
            s for s in workflow["jobs"][job]["steps"] if s.get("uses", "").startswith("pulumi/actions@")
        )
        packs = action["with"]["policyPacks"].splitlines()
        configs = action["with"]["policyPackConfigs"].splitlines()
        assert packs == [f"${{{{ steps.install.outputs.packs }}}}/{pack}" for pack, _ in PACKS[blueprint]]
        assert configs == [f"policy/{c}.json" for _, c in PACKS[blueprint]]
    for pack, config in PACKS[blueprint]:
        assert f"--pack {pack} --pack-config policy/{config}.json" in check_run


def test_the_workflow_pins_every_action_by_commit_and_grants_least_permissions(project):
    _, folder = project
    workflow = yaml.safe_load((folder / ".github" / "workflows" / "goldenpath.yml").read_text())
    uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]

    assert workflow["permissions"] == {}
    assert all(len(u.split("@", 1)[1]) == 40 for u in uses), uses
    assert workflow["jobs"]["check"]["permissions"] == {"contents": "read", "security-events": "write"}
    assert workflow["jobs"]["preview"]["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",
    }
    assert workflow["jobs"]["deploy-prod"]["permissions"] == {"contents": "read", "id-token": "write"}
    assert workflow["jobs"]["deploy-prod"]["environment"] == "production"
    assert workflow["jobs"]["deploy-prod"]["needs"] == "deploy-dev"


def test_prods_deploy_role_trusts_the_environment_the_prod_deploy_job_runs_in(project):
    blueprint, folder = project
    prod = yaml.safe_load((folder / "Pulumi.prod.yaml").read_text())["config"]
    dev = yaml.safe_load((folder / "Pulumi.dev.yaml").read_text())["config"]

    if blueprint in ("web-service", "worker", "scheduled-job"):
        assert prod["orders:github"] == {"repository": "acme/orders", "environments": ["production"]}
        assert dev["orders:github"] == {"repository": "acme/orders"}
    else:  # no GitHub deploy role in the stack: its CI credentials come from the bootstrap stack
        assert "orders:github" not in prod and "orders:github" not in dev


def test_the_workflow_passes_actionlint(project):
    _, folder = project

    assert run_actionlint(folder / ".github" / "workflows" / "goldenpath.yml") == []


def test_the_workflow_passes_the_github_workflow_schema(project):
    _, folder = project

    assert run_check_jsonschema(folder / ".github" / "workflows" / "goldenpath.yml") == []


def test_the_catalog_entry_passes_backstages_own_validation(project):
    _, folder = project

    assert validate_catalog(folder / "catalog-info.yaml") == []


def test_requirements_pin_this_version_through_the_private_index(project):
    _, folder = project
    lines = [
        line for line in (folder / "requirements.txt").read_text().splitlines() if not line.startswith("#")
    ]

    assert lines == ["--index-url https://pypi.internal.example/simple", f"goldenpath=={__version__}"]


def test_the_catalog_entry_names_owner_slugs_and_blueprint(project):
    blueprint, folder = project
    entity = yaml.safe_load((folder / "catalog-info.yaml").read_text())

    assert entity["kind"] == "Component"
    assert entity["spec"]["owner"] == "group:orders"
    assert entity["metadata"]["annotations"] == {
        "github.com/project-slug": "acme/orders",
        "pulumi.com/project-slug": "orders",
        "goldenpath.dev/blueprint": blueprint,
        "goldenpath.dev/version": __version__,
    }


def test_no_generated_file_installs_goldenpath_by_name_from_a_public_index(project):
    _, folder = project

    assert {name: distribution_problems(folder / name) for name in _files(folder)} == dict.fromkeys(
        _files(folder), []
    )


def test_the_git_channel_pins_the_tag(tmp_path, monkeypatch):
    result = _new(tmp_path, monkeypatch, "k8s-service", "--channel", "git")

    assert result.exit_code == 0, result.output
    assert distribution_problems(tmp_path / "orders" / "requirements.txt") == []
    lines = (tmp_path / "orders" / "requirements.txt").read_text().splitlines()
    assert lines[-1] == f"goldenpath @ git+https://git.internal.example/platform/goldenpath@v{__version__}"


def test_a_required_key_still_missing_is_one_line_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        [
            "new",
            "orders",
            "--blueprint",
            "k8s-service",
            "--team",
            "orders",
            "--cost-center",
            "cc-1",
            "--repo",
            "acme/orders",
        ],
    )

    assert result.exit_code == 2
    assert result.output.splitlines() == ["error: invalid answers:", "  - --set image: required, but not set"]
    assert not (tmp_path / "orders").exists()


def test_missing_flags_are_named_together(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "orders", "--blueprint", "web-service", "--yes"])

    assert result.exit_code == 2
    assert "--team: required" in result.output and "--cost-center: required" in result.output
    assert "--repo: required" in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit 2, not an error escaping the command


def test_bad_answers_get_the_config_models_own_lines_named_by_flag(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        [
            "new", "orders", "--blueprint", "web-service", "--team", "Orders", "--cost-center", "cc-1",
            "--repo", "acme", "--set", "cpu=300", "--set", f"certificateArn={CERTIFICATE}", "--set", "imageTag=latest",
            "--yes",
        ],
    )  # fmt: skip
    lines = result.output.splitlines()[1:]

    assert result.exit_code == 2
    assert [line.split(":", 1)[0] for line in lines] == [
        "  - --team",
        "  - --repo",
        "  - --set imageTag",
        "  - --set cpu",
    ]
    assert not (tmp_path / "orders").exists()


def test_secret_values_are_refused_on_the_command_line_and_never_echoed(tmp_path, monkeypatch):
    result = _new(
        tmp_path,
        monkeypatch,
        "web-service",
        "--set",
        "secrets=[stripe-key]",
        "--set",
        "secretValues.stripe-key=sk_live_abc123",
    )

    assert result.exit_code == 2
    assert "sk_live_abc123" not in result.output
    assert "pulumi config set --secret --path 'secretValues.<name>'" in result.output


def test_set_takes_nested_keys_and_yaml_values(tmp_path, monkeypatch):
    result = _new(
        tmp_path,
        monkeypatch,
        "web-service",
        "--set",
        "alarms.cpuPercent=70",
        "--set",
        "secrets=[database-url]",
    )

    assert result.exit_code == 0, result.output
    dev = yaml.safe_load((tmp_path / "orders" / "Pulumi.dev.yaml").read_text())["config"]
    assert dev["orders:alarms"] == {"cpuPercent": 70}
    assert dev["orders:secrets"] == ["database-url"]


def test_new_refuses_a_folder_that_is_not_empty(tmp_path, monkeypatch):
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "keep.txt").write_text("mine")

    result = _new(tmp_path, monkeypatch, "k8s-service")

    assert result.exit_code == 2
    assert "already exists" in result.output
    assert _files(tmp_path / "orders") == {"keep.txt"}


def test_on_a_terminal_new_asks_for_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("goldenpath.cli._interactive", lambda: True)

    result = runner.invoke(
        app, ["new", "orders"], input="k8s-service\norders\ncc-9\nacme/orders\nghcr.io/acme/orders:2.0.0\n"
    )

    assert result.exit_code == 0, result.output
    dev = yaml.safe_load((tmp_path / "orders" / "Pulumi.dev.yaml").read_text())["config"]
    assert dev["orders:costCenter"] == "cc-9"
    assert dev["orders:image"] == "ghcr.io/acme/orders:2.0.0"


# --- Generated data stays current ---------------------------------------------------------------


def test_the_templates_pulumi_yaml_config_blocks_are_current():
    for path, text in template_config_files().items():
        assert path.read_text() == text, "run `python -m goldenpath.blueprint_reference` and commit"


def test_the_template_renders_the_installed_version():
    copier_yml = yaml.safe_load((TEMPLATE / "copier.yml").read_text())

    assert copier_yml["goldenpath_version"]["default"] == __version__


# --- upgrade ------------------------------------------------------------------------------------


def _git(folder: Path, *args: str) -> str:
    identity = ["-c", "user.name=Team", "-c", "user.email=team@example.com"]
    return subprocess.run(
        ["git", *identity, *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout


def _next_template(tmp_path: Path, version: str = "0.99.0") -> Path:
    """The template as the next release might change it: a bumped version, a workflow timeout, a
    new config key declared in Pulumi.yaml."""
    folder = tmp_path / f"template-{version}"
    shutil.copytree(TEMPLATE, folder)
    copier_yml = folder / "copier.yml"
    copier_yml.write_text(
        copier_yml.read_text().replace(f'default: "{__version__}"', f'default: "{version}"')
    )
    workflow = folder / "service" / ".github" / "workflows" / "goldenpath.yml.jinja"
    workflow.write_text(workflow.read_text().replace("timeout-minutes: 20", "timeout-minutes: 25"))
    block = folder / "config" / "k8s-service.yaml"
    block.write_text(
        block.read_text().replace(
            "config:\n", "config:\n  drainSeconds:\n    type: integer\n    default: 30\n", 1
        )
    )
    return folder


@pytest.fixture
def committed(tmp_path, monkeypatch) -> Path:
    """A k8s-service project made by this version's template, committed, then edited and committed."""
    create(
        NewProject(
            name="orders",
            blueprint="k8s-service",
            team="orders",
            cost_center="cc-1",
            repository="acme/orders",
            settings={"image": "ghcr.io/acme/orders:1.0.0"},
        ),
        tmp_path / "orders",
    )
    folder = tmp_path / "orders"
    _git(folder, "init", "--quiet")
    _git(folder, "add", "--all")
    _git(folder, "commit", "--quiet", "-m", "New service")
    workflow = folder / ".github" / "workflows" / "goldenpath.yml"
    workflow.write_text(
        workflow.read_text().replace(
            "      - name: goldenpath check\n",
            "      - name: Unit tests\n        run: make test\n      - name: goldenpath check\n",
        )
    )
    dev = folder / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text() + "  orders:replicas: 3\n")
    _git(folder, "commit", "--quiet", "-am", "Our edits")
    return folder


def test_upgrade_applies_the_next_template_and_keeps_the_teams_edits(committed, tmp_path):
    history = [(__version__, TEMPLATE), ("0.99.0", _next_template(tmp_path))]

    result = upgrade(committed, history=history)

    workflow = (committed / ".github" / "workflows" / "goldenpath.yml").read_text()
    assert (result.old_version, result.new_version) == (__version__, "0.99.0")
    assert "      - name: Unit tests\n        run: make test\n" in workflow
    assert "timeout-minutes: 25" in workflow and "timeout-minutes: 20" not in workflow
    assert yaml.safe_load((committed / "Pulumi.yaml").read_text())["config"]["drainSeconds"] == {
        "type": "integer",
        "default": 30,
    }
    assert "orders:replicas: 3" in (committed / "Pulumi.dev.yaml").read_text()
    assert (committed / "requirements.txt").read_text().splitlines()[-1] == "goldenpath==0.99.0"
    assert yaml.safe_load((committed / ".copier-answers.yml").read_text())["_commit"] == "v0.99.0"
    assert set(result.changed) == {
        ".copier-answers.yml",
        ".github/workflows/goldenpath.yml",
        "Pulumi.yaml",
        "catalog-info.yaml",
        "requirements.txt",
    }
    assert result.conflicts == []


def test_upgrade_reports_a_conflict_and_the_cli_exits_1(committed, tmp_path, monkeypatch):
    workflow = committed / ".github" / "workflows" / "goldenpath.yml"
    workflow.write_text(workflow.read_text().replace("timeout-minutes: 20", "timeout-minutes: 40"))
    _git(committed, "commit", "--quiet", "-am", "Longer checks")
    history = [(__version__, TEMPLATE), ("0.99.0", _next_template(tmp_path))]

    result = upgrade(committed, history=history)

    assert result.conflicts == [".github/workflows/goldenpath.yml"]
    assert "<<<<<<< before updating" in workflow.read_text()


def test_upgrade_prints_the_migration_notes_of_the_versions_crossed(committed, tmp_path, monkeypatch):
    from goldenpath import scaffold

    notes = tmp_path / "migrations.yaml"
    notes.write_text(
        json.dumps(
            {
                __version__: {"all": ["already applied"]},
                "0.50.0": {"k8s-service": ["port moved"], "web-service": ["not this one"]},
                "0.99.0": {"all": ["new workflow timeout"]},
            }
        )
    )
    monkeypatch.setattr(scaffold, "MIGRATIONS", notes)

    result = upgrade(committed, history=[(__version__, TEMPLATE), ("0.99.0", _next_template(tmp_path))])

    assert result.notes == ["0.50.0: port moved", "0.99.0: new workflow timeout"]


def test_upgrade_on_the_current_version_changes_nothing(committed, monkeypatch):
    monkeypatch.chdir(committed)

    result = runner.invoke(app, ["upgrade"])

    assert result.exit_code == 0, result.output
    assert "already on goldenpath" in result.output
    assert _git(committed, "status", "--porcelain") == ""


def test_upgrade_refuses_uncommitted_changes(committed, tmp_path):
    (committed / "Pulumi.dev.yaml").write_text("config: {}\n")

    with pytest.raises(ScaffoldError, match="uncommitted changes"):
        upgrade(committed, history=[(__version__, TEMPLATE), ("0.99.0", _next_template(tmp_path))])


def test_upgrade_needs_a_git_repository(tmp_path, monkeypatch):
    result = _new(tmp_path, monkeypatch, "k8s-service")
    assert result.exit_code == 0, result.output

    with pytest.raises(ScaffoldError, match="not in a git repository"):
        upgrade(tmp_path / "orders", history=[(__version__, TEMPLATE), ("0.99.0", _next_template(tmp_path))])


def test_upgrade_of_a_folder_goldenpath_did_not_make_is_one_line(tmp_path):
    result = runner.invoke(app, ["upgrade", str(tmp_path)])

    assert result.exit_code == 2
    assert "no .copier-answers.yml" in result.output


# --- bootstrap ----------------------------------------------------------------------------------


def test_bootstrap_makes_an_account_project_that_passes_check(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        [
            "bootstrap",
            "--team",
            "platform",
            "--cost-center",
            "cc-1",
            "--repo",
            "acme/orders",
            "--repo",
            "acme/catalog",
        ],
    )

    assert result.exit_code == 0, result.output
    folder = tmp_path / "bootstrap"
    assert _files(folder) == {
        ".gitignore",
        "Pulumi.yaml",
        "Pulumi.prod.yaml",
        "README.md",
        "__main__.py",
        "requirements.txt",
    }
    config = yaml.safe_load((folder / "Pulumi.prod.yaml").read_text())["config"]
    assert config["bootstrap:repositories"] == [
        {"repository": "acme/orders", "branch": None, "environments": ["production"]},
        {"repository": "acme/catalog", "branch": None, "environments": ["production"]},
    ]
    assert "&id" not in (folder / "Pulumi.prod.yaml").read_text()
    checked = check_stack(folder, "prod")
    assert checked.verdict == "passed"
    assert checked.counts()["mandatory"] == 0


def test_bootstrap_readme_sets_the_variables_the_service_workflow_reads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(
        app, ["bootstrap", "--team", "platform", "--cost-center", "cc-1", "--repo", "acme/orders"]
    )
    assert made.exit_code == 0, made.output
    _new(tmp_path, monkeypatch, "web-service")
    readme = (tmp_path / "bootstrap" / "README.md").read_text()
    workflow = (tmp_path / "orders" / ".github" / "workflows" / "goldenpath.yml").read_text()

    read = set(re.findall(r"vars\.([A-Z_]+?)(?:_DEV|_PROD)?\b", workflow))
    read |= set(re.findall(r"vars\[format\('([A-Z_]+)_\{0\}'", workflow))
    assert read == {
        "PULUMI_BACKEND_URL",
        "PULUMI_SECRETS_PROVIDER",
        "AWS_DEPLOY_ROLE_ARN",
        "AWS_PREVIEW_ROLE_ARN",
    }
    assert set(re.findall(r'gh variable set "([A-Z_]+)\$SUFFIX" --repo "\$repo"', readme)) == read
    assert "SUFFIX=_PROD" in readme and "for repo in acme/orders; do" in readme


def test_a_prod_accounts_deploy_role_trusts_only_the_production_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(
        app, ["bootstrap", "--team", "platform", "--cost-center", "cc-1", "--repo", "acme/orders"]
    )
    assert made.exit_code == 0, made.output
    dev = runner.invoke(
        app,
        [
            "bootstrap",
            "bootstrap-dev",
            "--team",
            "platform",
            "--cost-center",
            "cc-1",
            "--repo",
            "acme/orders",
            "--environment",
            "dev",
        ],
    )
    assert dev.exit_code == 0, dev.output

    prod_repos = yaml.safe_load((tmp_path / "bootstrap" / "Pulumi.prod.yaml").read_text())["config"][
        "bootstrap:repositories"
    ]
    dev_repos = yaml.safe_load((tmp_path / "bootstrap-dev" / "Pulumi.dev.yaml").read_text())["config"][
        "bootstrap-dev:repositories"
    ]
    assert prod_repos == [{"repository": "acme/orders", "branch": None, "environments": ["production"]}]
    assert dev_repos == [{"repository": "acme/orders", "environments": []}]


def test_bootstrap_answers_go_through_the_bootstrap_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        ["bootstrap", "--team", "platform", "--cost-center", "cc-1", "--repo", "acme", "--environment", "qa",
         "--set", "deployPolicyArns=[arn:aws:iam::aws:policy/AdministratorAccess]"],
    )  # fmt: skip

    assert result.exit_code == 2
    assert [line.split(":", 1)[0] for line in result.output.splitlines()[1:]] == [
        "  - --environment",
        "  - --repo",
        "  - --set deployPolicyArns",
    ]
    assert not (tmp_path / "bootstrap").exists()


def test_set_keeps_the_text_of_string_keys_that_yaml_would_read_as_numbers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        ["new", "orders", "--blueprint", "web-service", "--team", "orders", "--cost-center", "cc-1", "--repo",
         "acme/orders", "--set", f"certificateArn={CERTIFICATE}", "--set", "imageTag=1.10",
         "--set", "environmentVariables.API_VERSION=2.0", "--yes"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    dev = yaml.safe_load((tmp_path / "orders" / "Pulumi.dev.yaml").read_text())["config"]
    assert dev["orders:imageTag"] == "1.10"
    assert dev["orders:environmentVariables"] == {"API_VERSION": "2.0"}
    assert read_stack_files(tmp_path / "orders", "dev").config["orders:imageTag"] == "1.10"


def test_a_same_size_template_change_made_in_the_same_second_still_reaches_the_next_version(tmp_path):
    from goldenpath.scaffold import template_repository

    old, new = tmp_path / "old", tmp_path / "new"
    for folder, version in ((old, "0.1.0"), (new, "0.2.0")):
        folder.mkdir()
        (folder / "copier.yml").write_text(f'version: "{version}"\n')
        os.utime(folder / "copier.yml", (1_700_000_000, 1_700_000_000))

    repository = template_repository([("0.1.0", old), ("0.2.0", new)], str(tmp_path / "repo"))

    shown = subprocess.run(
        ["git", "show", "v0.2.0:copier.yml"], cwd=repository, capture_output=True, text=True, check=True
    )
    assert shown.stdout == 'version: "0.2.0"\n'


def test_new_ignores_the_users_git_signing_and_hooks(tmp_path, monkeypatch, home):
    (home / ".gitconfig").write_text(
        "[tag]\n\tgpgSign = true\n[commit]\n\tgpgSign = true\n[core]\n\thooksPath = /nonexistent-hooks\n"
    )

    result = _new(tmp_path, monkeypatch, "k8s-service")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "orders" / ".copier-answers.yml").is_file()


def test_the_branch_answer_reaches_the_workflow_and_the_deploy_role(tmp_path, monkeypatch):
    result = _new(tmp_path, monkeypatch, "web-service", "--set", "github.branch=release")

    assert result.exit_code == 0, result.output
    workflow = yaml.safe_load((tmp_path / "orders" / ".github" / "workflows" / "goldenpath.yml").read_text())
    triggers = workflow[True]  # PyYAML reads the key `on` as the boolean true
    assert triggers["push"]["branches"] == ["release"] and triggers["pull_request"]["branches"] == ["release"]
    dev = yaml.safe_load((tmp_path / "orders" / "Pulumi.dev.yaml").read_text())["config"]
    assert dev["orders:github"] == {"repository": "acme/orders", "branch": "release"}


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        (["--region", "eu-west-1\n  INJECTED: 1"], "--region"),
        (["--system", "x\n  evil: ["], "--system"),
        (["--set", "github=5"], "--set github"),
        (["--set", "github.repository=evil/repo"], "--set github.repository"),
    ],
)
def test_answers_that_would_land_in_files_unchecked_are_refused(tmp_path, monkeypatch, extra, flag):
    result = _new(tmp_path, monkeypatch, "web-service", *extra)

    assert result.exit_code == 2
    assert f"  - {flag}: " in result.output
    assert not (tmp_path / "orders").exists()
