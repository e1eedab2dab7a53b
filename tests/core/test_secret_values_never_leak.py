"""No secret value ever appears in an error or a report, whatever path the error takes.

Each path feeds distinct sentinel strings (``SENTINEL-<n>-…``) where a secret may sit — a key
Pulumi holds as secret (``{secure: …}``, or plaintext handed to the program as the engine hands
decrypted secrets), anything under ``secretValues``, a field typed secret, environment variable
values — and greps everything a person could see for them: the exception and its traceback,
stdout, stderr, and the report files.

Paths come in three kinds: the blueprints' config validation run as the engine runs a program
(plaintext values, secret keys marked as the engine marks them), component ``Args`` built
directly, and the CLI (``check`` in text, json and sarif, and ``render``) on a Pulumi project
written to a temporary folder, where ``{secure: …}`` ciphertext is the sentinel.
"""

from __future__ import annotations

import itertools
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from goldenpath.blueprints import K8sService, WebService
from goldenpath.cli import app
from goldenpath.components.aws.secrets import SecretsArgs
from goldenpath.components.aws.service import ServiceArgs
from goldenpath.components.k8s.workload import WorkloadArgs
from goldenpath.config import ConfigError
from goldenpath.harness import read_stack_files, run_under_mocks

from ..conftest import STACKS

_numbers = itertools.count(1)


def sentinel(kind: str = "x") -> str:
    """A fresh, greppable stand-in for a secret; none is a substring of another."""
    return f"SENTINEL-{next(_numbers):03d}-{kind}-7f3c9a"


SENTINEL_MARK = "SENTINEL-"
WEB = "payments-api"
K8S = "catalog-k8s"
WEB_BASE = read_stack_files(STACKS / WEB, "dev").config
K8S_BASE = read_stack_files(STACKS / K8S, "dev").config


def _everything_said(error: BaseException | None, *streams: str) -> str:
    """All a person could read, upper-cased so that a sentinel is found in any case."""
    parts = list(streams)
    if error is not None:
        parts.append(str(error))
        parts.append("".join(traceback.format_exception(error)))
    return "\n".join(parts).upper()


# --- Blueprint config, as the engine runs the program -----------------------------------------------


@dataclass(frozen=True)
class EnginePath:
    """One config error of a blueprint: config over the stack's own, and the keys held as secrets."""

    id: str
    blueprint: str
    overrides: dict[str, Any]
    key: str
    secret_keys: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def config(self) -> dict[str, str]:
        base = WEB_BASE if self.blueprint == WEB else K8S_BASE
        config = {k: v for k, v in base.items() if k not in self.removed}
        for key, value in self.overrides.items():
            config[key] = value if isinstance(value, str) else json.dumps(value)
        return config


def _web(
    id: str, overrides: dict[str, Any], key: str, *secret: str, removed: tuple[str, ...] = ()
) -> EnginePath:
    return EnginePath(id, WEB, overrides, key, tuple(f"{WEB}:{k}" for k in secret), removed)


def _k8s(
    id: str, overrides: dict[str, Any], key: str, *secret: str, removed: tuple[str, ...] = ()
) -> EnginePath:
    return EnginePath(id, K8S, overrides, key, tuple(f"{K8S}:{k}" for k in secret), removed)


_WEB_KEYS = tuple(k for k in WEB_BASE if k.startswith(f"{WEB}:"))
ENGINE_PATHS = [
    # Anything under secretValues, held as a secret or not.
    _web(
        "secret-values-undeclared",
        {f"{WEB}:secretValues": {"stripe-key": sentinel()}},
        f"{WEB}:secretValues",
        "secretValues",
    ),
    _web(
        "secret-values-undeclared-plaintext",
        {f"{WEB}:secretValues": {"stripe-key": sentinel()}},
        f"{WEB}:secretValues",
    ),
    _web(
        "secret-values-declared-plaintext",
        {f"{WEB}:secretValues": {"database-url": sentinel()}},
        f"{WEB}:secretValues",
    ),
    _web(
        "secret-values-a-string", {f"{WEB}:secretValues": sentinel()}, f"{WEB}:secretValues", "secretValues"
    ),
    _web("secret-values-a-plaintext-string", {f"{WEB}:secretValues": sentinel()}, f"{WEB}:secretValues"),
    _web(
        "secret-values-nested",
        {f"{WEB}:secretValues": {"database-url": {"value": sentinel()}}},
        f"{WEB}:secretValues.database-url",
        "secretValues",
    ),
    _web("secret-values-a-list", {f"{WEB}:secretValues": [sentinel(), sentinel()]}, f"{WEB}:secretValues"),
    _web(
        "secret-values-misspelt",
        {f"{WEB}:secretValue": {"database-url": sentinel()}},
        f"{WEB}:secretValue",
    ),
    _web(
        "secret-values-with-a-bad-secret-name",
        {
            f"{WEB}:secrets": ["1password"],
            f"{WEB}:secretValues": {"1password": sentinel()},
        },
        f"{WEB}:secrets",
        "secretValues",
    ),
    # Environment variable values.
    _web(
        "env-bad-name",
        {f"{WEB}:environmentVariables": {"bad-name": sentinel(), "LOG_LEVEL": sentinel()}},
        f"{WEB}:environmentVariables",
    ),
    _web(
        "env-clashes-with-a-secret",
        {f"{WEB}:environmentVariables": {"DATABASE_URL": sentinel()}},
        f"{WEB}:environmentVariables",
    ),
    _web("env-not-a-mapping", {f"{WEB}:environmentVariables": [sentinel()]}, f"{WEB}:environmentVariables"),
    _web(
        "env-value-not-text",
        {f"{WEB}:environmentVariables": {"LOG_LEVEL": {"level": sentinel()}}},
        f"{WEB}:environmentVariables.LOG_LEVEL",
    ),
    _web(
        "env-misspelt",
        {f"{WEB}:environmentVariable": {"LOG_LEVEL": sentinel()}},
        f"{WEB}:environmentVariable",
    ),
    # Keys Pulumi holds as secrets, each failing its own rule.
    _web("secret-team", {f"{WEB}:team": sentinel()}, f"{WEB}:team", "team"),
    _web("secret-cost-center", {f"{WEB}:costCenter": sentinel("c" * 64)}, f"{WEB}:costCenter", "costCenter"),
    _web("secret-environment", {f"{WEB}:environment": sentinel()}, f"{WEB}:environment", "environment"),
    _web(
        "secret-certificate", {f"{WEB}:certificateArn": sentinel()}, f"{WEB}:certificateArn", "certificateArn"
    ),
    _web("secret-image-tag", {f"{WEB}:imageTag": f"-{sentinel()}"}, f"{WEB}:imageTag", "imageTag"),
    _web(
        "secret-image",
        {f"{WEB}:image": f"registry.example/{sentinel()}"},
        f"{WEB}:image",
        "image",
        removed=(f"{WEB}:imageTag",),
    ),
    _web("secret-cpu", {f"{WEB}:cpu": sentinel()}, f"{WEB}:cpu", "cpu"),
    _web(
        "secret-github", {f"{WEB}:github": {"repository": sentinel()}}, f"{WEB}:github.repository", "github"
    ),
    _web(
        "secret-github-provider",
        {f"{WEB}:github": {"repository": "acme/payments-api", "oidcProviderArn": sentinel()}},
        f"{WEB}:github.oidcProviderArn",
        "github",
    ),
    _web(
        "secret-alarm-endpoint",
        {f"{WEB}:alarmSubscriptions": [{"protocol": "email", "endpoint": sentinel()}]},
        f"{WEB}:alarmSubscriptions.0.endpoint",
        "alarmSubscriptions",
    ),
    _web(
        "secret-alarm-https-endpoint",
        {f"{WEB}:alarmSubscriptions": [{"protocol": "https", "endpoint": f"http://{sentinel()}.example"}]},
        f"{WEB}:alarmSubscriptions.0.endpoint",
        "alarmSubscriptions",
    ),
    _web(
        "secret-vpc",
        {f"{WEB}:vpc": {"vpcId": sentinel(), "publicSubnetIds": ["a", "b"], "privateSubnetIds": ["c", "d"]}},
        f"{WEB}:vpc.vpcId",
        "vpc",
    ),
    _web("secret-cluster", {f"{WEB}:clusterArn": sentinel()}, f"{WEB}:clusterArn", "clusterArn"),
    _web("secret-unknown-key", {f"{WEB}:stripeKey": sentinel()}, f"{WEB}:stripeKey", "stripeKey"),
    _web(
        "secret-health-path",
        {f"{WEB}:healthCheckPath": sentinel()},
        f"{WEB}:healthCheckPath",
        "healthCheckPath",
    ),
    # Keys under a misspelt project name, secret or not.
    EnginePath(
        "stray-prefix-secret",
        WEB,
        {"payment-api:team": sentinel()},
        "payment-api:team",
        ("payment-api:team",),
        removed=(f"{WEB}:team",),
    ),
    EnginePath(
        "stray-prefix-secret-values",
        WEB,
        {"payment-api:secretValues": json.dumps({"stripe-key": sentinel()})},
        "payment-api:secretValues",
        ("payment-api:secretValues",),
    ),
    EnginePath(
        "stray-prefix-everything",
        WEB,
        {
            **{k.replace(f"{WEB}:", "payment-api:"): v for k, v in WEB_BASE.items() if k in _WEB_KEYS},
            "payment-api:environmentVariables": json.dumps({"bad-name": sentinel()}),
        },
        "payment-api:team",
        removed=_WEB_KEYS,
    ),
    # The Kubernetes blueprint.
    _k8s(
        "k8s-env-bad-name",
        {f"{K8S}:environmentVariables": {"bad-name": sentinel(), "LOG_LEVEL": sentinel()}},
        f"{K8S}:environmentVariables",
    ),
    _k8s("k8s-env-not-a-mapping", {f"{K8S}:environmentVariables": sentinel()}, f"{K8S}:environmentVariables"),
    _k8s(
        "k8s-env-value-not-text",
        {f"{K8S}:environmentVariables": {"LOG_LEVEL": [sentinel()]}},
        f"{K8S}:environmentVariables.LOG_LEVEL",
    ),
    _k8s("k8s-secret-team", {f"{K8S}:team": sentinel()}, f"{K8S}:team", "team"),
    _k8s("k8s-secret-image-untagged", {f"{K8S}:image": f"ghcr.io/{sentinel()}"}, f"{K8S}:image", "image"),
    _k8s(
        "k8s-secret-image-latest", {f"{K8S}:image": f"ghcr.io/{sentinel()}:latest"}, f"{K8S}:image", "image"
    ),
    _k8s("k8s-secret-namespace", {f"{K8S}:namespace": sentinel()}, f"{K8S}:namespace", "namespace"),
    _k8s(
        "k8s-secret-resources",
        {f"{K8S}:resources": {"requests": {"cpu": sentinel(), "memory": "128Mi"}}},
        f"{K8S}:resources.requests.cpu",
        "resources",
    ),
    _k8s(
        "k8s-secret-labels",
        {f"{K8S}:prometheusLabels": {"release": f"{sentinel()}!"}},
        f"{K8S}:prometheusLabels",
        "prometheusLabels",
    ),
    _k8s("k8s-secret-store", {f"{K8S}:secretStore": sentinel()}, f"{K8S}:secretStore", "secretStore"),
    _k8s("k8s-secret-unknown-key", {f"{K8S}:apiToken": sentinel()}, f"{K8S}:apiToken", "apiToken"),
    EnginePath(
        "k8s-stray-prefix-secret",
        K8S,
        {"catalog-k8:image": sentinel()},
        "catalog-k8:image",
        ("catalog-k8:image",),
        removed=(f"{K8S}:image",),
    ),
]


def _sentinels(value: Any) -> list[str]:
    text = json.dumps(value) if not isinstance(value, str) else value
    return [w for w in text.replace('"', " ").replace("/", " ").split() if SENTINEL_MARK in w]


@pytest.mark.parametrize("path", ENGINE_PATHS, ids=lambda p: p.id)
def test_a_blueprint_config_error_names_the_key_and_never_a_secret(path, capfd):
    blueprint = WebService if path.blueprint == WEB else K8sService
    name = "payments-api" if path.blueprint == WEB else "catalog"

    with pytest.raises(Exception) as raised:  # noqa: PT011 - any error, as long as it leaks nothing
        run_under_mocks(
            lambda: blueprint(name),
            project=path.blueprint,
            stack="dev",
            config=path.config(),
            secret_keys=list(path.secret_keys),
        )
    out, err = capfd.readouterr()
    error = raised.value

    assert isinstance(error, ConfigError), repr(error)
    assert any(p.startswith(f"{path.key}:") for p in error.problems), error.problems
    assert SENTINEL_MARK not in _everything_said(error, out, err)


# --- Component Args, built directly ----------------------------------------------------------------

_SERVICE = {
    "service": "payments-api",
    "environment": "dev",
    "vpc_id": "vpc-0abc1234",
    "public_subnet_ids": ["subnet-1", "subnet-2"],
    "private_subnet_ids": ["subnet-3", "subnet-4"],
    "image": "registry.example/app:1.0.0",
    "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
    "log_group_name": "/goldenpath/payments-api/dev",
    "tags": {},
}
_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"
_LABELS = {
    "app.kubernetes.io/name": "catalog",
    "app.kubernetes.io/instance": "catalog",
    "goldenpath.dev/team": "commerce",
    "goldenpath.dev/environment": "dev",
}
_WORKLOAD = {
    "service": "catalog",
    "namespace": "catalog",
    "labels": _LABELS,
    "image": "ghcr.io/acme/catalog:1.0",
}

COMPONENT_PATHS: list[tuple[str, Callable[[], object], str]] = [
    (
        "service-env-bad-name",
        lambda: ServiceArgs(**_SERVICE, environment_variables={"bad-name": sentinel(), "OK": sentinel()}),
        "environment_variables",
    ),
    (
        "service-env-value-not-text",
        lambda: ServiceArgs(**_SERVICE, environment_variables={"OK": [sentinel()]}),
        "environment_variables",
    ),
    (
        "service-env-and-secret-clash",
        lambda: ServiceArgs(
            **_SERVICE, environment_variables={"API_KEY": sentinel()}, secrets={"API_KEY": _SECRET_ARN}
        ),
        "API_KEY",
    ),
    (
        "workload-env-bad-name",
        lambda: WorkloadArgs(**_WORKLOAD, env={"bad-name": sentinel()}),
        "env",
    ),
    (
        "workload-env-and-other-error",
        lambda: WorkloadArgs(**{**_WORKLOAD, "port": 80}, env={"1BAD": sentinel()}),
        "port",
    ),
    (
        "secrets-plain-value",
        lambda: SecretsArgs(
            service="payments-api", environment="dev", names=["a"], values={"a": sentinel()}, tags={}
        ),
        "values",
    ),
    (
        "secrets-undeclared-value",
        lambda: SecretsArgs(
            service="payments-api", environment="dev", names=[], values={"b": sentinel()}, tags={}
        ),
        "values",
    ),
]


@pytest.mark.parametrize(
    ("build", "named"), [p[1:] for p in COMPONENT_PATHS], ids=[p[0] for p in COMPONENT_PATHS]
)
def test_a_component_args_error_names_the_field_and_never_a_value_it_withholds(build, named):
    with pytest.raises(ValueError) as raised:
        build()

    assert named in str(raised.value)
    assert SENTINEL_MARK not in _everything_said(raised.value)


# --- The CLI on a Pulumi project -----------------------------------------------------------------------

FORMATS = ("text", "json", "sarif")
_WEB_MAIN = "import pulumi\nfrom goldenpath.blueprints import WebService\n\nWebService('payments-api')\n"
_K8S_MAIN = "import pulumi\nfrom goldenpath.blueprints import K8sService\n\nK8sService('catalog')\n"
# A component used directly; its arguments come from config, so the program's source holds no sentinel.
_SERVICE_MAIN = """\
import pulumi
from goldenpath.components.aws.service import Service, ServiceArgs

Service("api", ServiceArgs(**pulumi.Config().require_object("args")))
"""


def _secure(value: str) -> dict[str, str]:
    return {"secure": value}


@dataclass(frozen=True)
class CliPath:
    """A project folder: Pulumi.yaml's name, the program, the dev stack's config, what must be named."""

    id: str
    project: str
    main: str
    config: dict[str, Any]
    named: str
    # The example stack whose dev config the project starts from, if any.
    base: str | None = None
    removed: tuple[str, ...] = ()
    # True when the stack is valid: check then reaches a verdict and writes report files.
    valid: bool = False
    render: bool = True

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "Pulumi.yaml").write_text(yaml.safe_dump({"name": self.project, "runtime": "python"}))
        (folder / "__main__.py").write_text(self.main)
        config: dict[str, Any] = {"aws:region": "eu-west-1"}
        if self.base is not None:
            config = yaml.safe_load((STACKS / self.base / "Pulumi.dev.yaml").read_text())["config"]
        config = {k: v for k, v in config.items() if k not in self.removed} | self.config
        (folder / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
        return folder


def _web_project(id: str, config: dict[str, Any], named: str, **options: Any) -> CliPath:
    return CliPath(id, WEB, _WEB_MAIN, config, named, base=WEB, **options)


def _k8s_project(id: str, config: dict[str, Any], named: str, **options: Any) -> CliPath:
    return CliPath(id, K8S, _K8S_MAIN, config, named, base=K8S, **options)


CLI_PATHS = [
    _web_project(
        "secure-secret-values-undeclared",
        {f"{WEB}:secretValues": {"stripe-key": _secure(sentinel())}},
        f"{WEB}:secretValues",
    ),
    _web_project(
        "plaintext-secret-values-undeclared",
        {f"{WEB}:secretValues": {"stripe-key": sentinel()}},
        f"{WEB}:secretValues",
    ),
    _web_project(
        "plaintext-secret-values-declared",
        {f"{WEB}:secretValues": {"database-url": sentinel()}},
        f"{WEB}:secretValues",
    ),
    _web_project(
        "plaintext-secret-values-a-string", {f"{WEB}:secretValues": sentinel()}, f"{WEB}:secretValues"
    ),
    _web_project(
        "env-bad-name",
        {f"{WEB}:environmentVariables": {"bad-name": sentinel(), "LOG_LEVEL": sentinel()}},
        f"{WEB}:environmentVariables",
    ),
    _web_project("secure-team", {f"{WEB}:team": _secure(sentinel())}, f"{WEB}:team"),
    _web_project(
        "secure-alarm-endpoint",
        {f"{WEB}:alarmSubscriptions": [{"protocol": "email", "endpoint": _secure(sentinel())}]},
        f"{WEB}:alarmSubscriptions.0.endpoint",
    ),
    _web_project("secure-unknown-key", {f"{WEB}:stripeKey": _secure(sentinel())}, f"{WEB}:stripeKey"),
    _web_project(
        "stray-prefix-secure",
        {"payment-api:team": _secure(sentinel()), "payment-api:secretValues": {"stripe-key": sentinel()}},
        "payment-api:team",
        removed=(f"{WEB}:team",),
    ),
    _k8s_project(
        "k8s-env-bad-name",
        {f"{K8S}:environmentVariables": {"bad-name": sentinel(), "LOG_LEVEL": sentinel()}},
        f"{K8S}:environmentVariables",
    ),
    _k8s_project("k8s-secure-image", {f"{K8S}:image": _secure(sentinel())}, f"{K8S}:image"),
    CliPath(
        "component-env-bad-name",
        "api",
        _SERVICE_MAIN,
        {"api:args": {**_SERVICE, "environment_variables": {"bad-name": sentinel()}}},
        "environment_variables",
        render=False,
    ),
    # Valid stacks: the ciphertext of a secure value reaches no report, on stdout or in a file.
    _web_project(
        "valid-secure-values",
        {
            f"{WEB}:secretValues": {
                "database-url": _secure(sentinel()),
                "stripe-api-key": _secure(sentinel()),
            },
        },
        "",
        valid=True,
        render=False,
    ),
    _k8s_project(
        "valid-secure-env-value",
        {f"{K8S}:environmentVariables": {"LOG_LEVEL": "debug", "API_TOKEN": _secure(sentinel())}},
        "",
        valid=True,
    ),
]

# Every (project, command) pair the CLI paths run: check in each format, and render.
CLI_RUNS = [
    (path, command)
    for path in CLI_PATHS
    for command in [*(f"check-{f}" for f in FORMATS), *(["render"] if path.render else [])]
]
runner = CliRunner()


@pytest.mark.parametrize(("path", "command"), CLI_RUNS, ids=[f"{p.id}-{c}" for p, c in CLI_RUNS])
def test_the_cli_names_the_key_and_never_a_secret_in_any_output(path, command, tmp_path):
    project = path.write(tmp_path / "project")
    report = tmp_path / "out" / f"report.{command}"
    if command == "render":
        args = ["render", str(project), "--stack", "dev", "--out", str(tmp_path / "rendered")]
    else:
        args = ["check", str(project), "--stack", "dev", "--format", command.removeprefix("check-")]
        if path.valid:
            args += ["--output", str(report)]
    result = runner.invoke(app, args)
    written = [p.read_text() for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(project)]

    if path.valid:
        assert result.exit_code in (0, 1), result.output
        assert written, "expected a report or rendered objects"
    else:
        assert result.exit_code == 2, result.output
        assert path.named in result.stderr
    assert SENTINEL_MARK not in _everything_said(result.exception, result.stdout, result.stderr, *written)


# --- How many paths ------------------------------------------------------------------------------------

PATHS_TRIED = len(ENGINE_PATHS) + len(COMPONENT_PATHS) + len(CLI_RUNS)


def test_every_path_feeds_sentinels_and_the_count_is_known():
    sentinels = [s for p in ENGINE_PATHS for s in _sentinels(p.overrides)]
    print(f"sentinel-secret paths tried: {PATHS_TRIED}")

    assert len(sentinels) == len(set(sentinels))
    assert all(_sentinels(p.overrides) for p in ENGINE_PATHS)
    assert all(_sentinels(p.config) for p in CLI_PATHS)
    assert PATHS_TRIED == 105
