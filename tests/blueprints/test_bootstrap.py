"""The Bootstrap blueprint: an account's Pulumi state bucket, secrets key and GitHub Actions roles."""

from __future__ import annotations

import json
import re
import shutil
from typing import Any

import pulumi
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from goldenpath import conventions
from goldenpath.blueprints import Bootstrap, BootstrapConfig
from goldenpath.check import resource_input
from goldenpath.cli import app
from goldenpath.config import ConfigError
from goldenpath.harness import MOCK_ACCOUNT_ID, run_stack, run_under_mocks
from goldenpath.taggable import is_taggable

from ..conftest import STACKS

BLUEPRINT = "goldenpath:blueprints:Bootstrap"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
GITHUB_SUB = "token.actions.githubusercontent.com:sub"
GITHUB_AUD = "token.actions.githubusercontent.com:aud"
EXISTING_PROVIDER = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com"
STATE_BUCKET = f"bootstrap-prod-pulumi-state-{MOCK_ACCOUNT_ID}-eu-west-1"
LOG_BUCKET = f"bootstrap-prod-state-access-logs-{MOCK_ACCOUNT_ID}-eu-west-1"

MINIMAL: dict[str, Any] = {
    "team": "platform",
    "costCenter": "cc-1000",
    "environment": "prod",
    "repositories": [{"repository": "acme/payments-api"}],
}
TWO_REPOSITORIES: dict[str, Any] = {
    **MINIMAL,
    "repositories": [
        {"repository": "acme/payments-api", "environments": ["production"]},
        {"repository": "acme/catalog", "branch": "release", "environments": ["prod-eu", "prod-us"]},
    ],
}


def _run(config: dict[str, Any], name: str = "bootstrap"):
    model = BootstrapConfig.model_validate(config)

    def program():
        for key, value in Bootstrap(name, model).exports.items():
            pulumi.export(key, value)

    return run_under_mocks(program, project=name, stack=model.environment, config={"aws:region": "eu-west-1"})


def _config_errors(config: dict[str, Any]) -> tuple[list[str], int]:
    """The problems a stack config gives, and how many resources were registered before them."""
    errors: list[ConfigError] = []

    def program():
        try:
            Bootstrap("bootstrap")
        except ConfigError as error:
            errors.append(error)

    stack_config = {
        f"bootstrap:{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in config.items()
    }
    run = run_under_mocks(
        program, project="bootstrap", stack="prod", config={"aws:region": "eu-west-1", **stack_config}
    )
    assert errors, "expected a config error"
    return errors[0].problems, len(run.resources)


def _named(run, type_token: str, name: str):
    (found,) = [r for r in run.by_type(type_token) if r.name == name]
    return found


def _document(resource, prop: str = "policy") -> dict[str, Any]:
    return json.loads(resource.inputs[prop])


def _role_actions(run, role_name: str) -> set[str]:
    actions: set[str] = set()
    for policy in run.by_type(ROLE_POLICY):
        if policy.inputs["role"] != role_name:
            continue
        for statement in _document(policy)["Statement"]:
            assert statement["Effect"] == "Allow"
            found = statement["Action"]
            actions.update([found] if isinstance(found, str) else found)
    return actions


def _subjects(run, role: str) -> set[str]:
    (statement,) = _document(_named(run, ROLE, f"bootstrap-{role}-role"), "assumeRolePolicy")["Statement"]
    assert set(statement["Condition"]) == {"StringEquals"}
    return set(statement["Condition"]["StringEquals"][GITHUB_SUB])


def _findings(processes, run, *, level: str | None = None) -> list[str]:
    inputs = [resource_input(r) for r in run.evaluated if r.custom]
    return sorted(
        f"{d.enforcement} {d.policy} on {d.urn.rsplit('::', 1)[-1]}: {d.message}"
        for process in processes
        for d in process.evaluate(inputs)
        if level is None or d.enforcement == level
    )


@pytest.fixture(scope="module")
def minimal():
    return _run(MINIMAL)


@pytest.fixture(scope="module")
def two_repositories():
    return _run(TWO_REPOSITORIES)


@pytest.fixture(scope="module")
def example():
    return run_stack(STACKS / "bootstrap", "prod")


# --- Compliant by construction ---------------------------------------------------------------------


@pytest.mark.parametrize("environment", conventions.ENVIRONMENTS)
def test_bootstrap_defaults_have_no_mandatory_violation(aws_packs, environment):
    run = _run({**MINIMAL, "environment": environment})

    assert _findings(aws_packs, run, level="mandatory") == []


def test_bootstrap_defaults_have_no_advisory_finding_either(aws_packs, minimal):
    assert _findings(aws_packs, minimal) == []


repository_names = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)


@st.composite
def bootstrap_configs(draw):
    names = draw(st.lists(repository_names, min_size=1, max_size=3, unique=True))
    config: dict[str, Any] = {
        **MINIMAL,
        "environment": draw(st.sampled_from(conventions.ENVIRONMENTS)),
        "repositories": [
            {
                "repository": f"acme/{repo}",
                "branch": draw(st.sampled_from(["main", "release/1.x"])),
                "environments": draw(st.lists(st.sampled_from(["staging", "production"]), unique=True)),
            }
            for repo in names
        ],
        "deployPolicyArns": draw(
            st.sampled_from([[], [f"arn:aws:iam::{MOCK_ACCOUNT_ID}:policy/platform/deploy-services"]])
        ),
        "previewPolicyArns": draw(st.sampled_from([[], ["arn:aws:iam::aws:policy/ReadOnlyAccess"]])),
    }
    if draw(st.booleans()):
        config["oidcProviderArn"] = EXISTING_PROVIDER
    if draw(st.booleans()):
        config["projects"] = draw(st.lists(repository_names, min_size=1, max_size=3, unique=True))
    return config


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=bootstrap_configs())
def test_bootstrap_has_no_mandatory_violation_for_any_valid_config(aws_packs, config):
    assert _findings(aws_packs, _run(config), level="mandatory") == []


def test_the_example_stack_passes_check_with_no_finding():
    result = CliRunner().invoke(
        app, ["check", str(STACKS / "bootstrap"), "--stack", "prod", "--format", "json"]
    )
    report = json.loads(result.stdout)

    assert result.exit_code == 0, result.output
    assert report["summary"]["verdict"] == "passed"
    assert (report["summary"]["mandatory"], report["summary"]["advisory"]) == (0, 0)


def test_the_example_stack_check_prints_passed():
    result = CliRunner().invoke(app, ["check", str(STACKS / "bootstrap"), "--stack", "prod", "--no-tree"])

    assert result.exit_code == 0, result.output
    assert "PASSED bootstrap (prod)" in result.stdout


# --- Resource graph --------------------------------------------------------------------------------


def test_every_resource_descends_from_the_blueprint(example):
    blueprint = example.one(BLUEPRINT)
    by_urn = {r.urn: r for r in example.resources}

    for resource in example.resources:
        if resource is blueprint:
            continue
        assert by_urn[resource.parent] is blueprint, f"{resource.name} is not a child of the blueprint"


def test_every_taggable_resource_carries_the_standard_tags(example):
    expected = conventions.standard_tags(
        team="platform", service="bootstrap", environment="prod", cost_center="cc-1000", blueprint="Bootstrap"
    )
    taggable = [r for r in example.resources if r.custom and is_taggable(r.type)]

    assert len(taggable) == 9  # the provider, two roles, three keys, two buckets, the metadata object
    for resource in taggable:
        assert resource.inputs.get("tags") == expected, f"{resource.type} {resource.name}"


def test_a_new_account_gets_a_github_oidc_provider_for_the_sts_audience(minimal):
    provider = minimal.one(OIDC_PROVIDER)

    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]


def test_an_existing_oidc_provider_is_reused_and_trusted_by_both_roles():
    run = _run({**MINIMAL, "oidcProviderArn": EXISTING_PROVIDER})

    assert run.by_type(OIDC_PROVIDER) == []
    for role in run.by_type(ROLE):
        (statement,) = _document(role, "assumeRolePolicy")["Statement"]
        assert statement["Principal"] == {"Federated": EXISTING_PROVIDER}
    assert run.stack_resource.outputs["oidcProviderArn"] == EXISTING_PROVIDER


def test_the_state_and_secrets_keys_and_the_state_bucket_are_protected_from_destroy(minimal):
    protected = {r.name for r in minimal.resources if r.protect}

    assert protected == {"bootstrap-state-key", "bootstrap-secrets-key", "bootstrap-state"}


# --- Trust -----------------------------------------------------------------------------------------


def test_the_deploy_role_trusts_exactly_each_repositorys_branch_and_environments(two_repositories):
    assert _subjects(two_repositories, "deploy") == {
        "repo:acme/payments-api:ref:refs/heads/main",
        "repo:acme/payments-api:environment:production",
        "repo:acme/catalog:ref:refs/heads/release",
        "repo:acme/catalog:environment:prod-eu",
        "repo:acme/catalog:environment:prod-us",
    }


def test_the_preview_role_trusts_exactly_each_repositorys_pull_requests(two_repositories):
    assert _subjects(two_repositories, "preview") == {
        "repo:acme/payments-api:pull_request",
        "repo:acme/catalog:pull_request",
    }


def test_both_roles_accept_only_the_sts_audience_from_the_accounts_github_provider(minimal):
    for role in minimal.by_type(ROLE):
        (statement,) = _document(role, "assumeRolePolicy")["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Principal"] == {"Federated": EXISTING_PROVIDER}
        assert statement["Condition"]["StringEquals"][GITHUB_AUD] == "sts.amazonaws.com"


# --- State bucket ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bucket", [STATE_BUCKET, LOG_BUCKET])
def test_the_bucket_policy_denies_plain_http_on_the_bucket_and_on_its_objects(minimal, bucket):
    (policy,) = [p for p in minimal.by_type(BUCKET_POLICY) if p.inputs["bucket"] == bucket]
    denies = [s for s in _document(policy)["Statement"] if s["Effect"] == "Deny"]

    assert denies == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_the_state_bucket_policy_grants_nothing(minimal):
    (policy,) = [p for p in minimal.by_type(BUCKET_POLICY) if p.inputs["bucket"] == STATE_BUCKET]

    assert [s["Effect"] for s in _document(policy)["Statement"]] == ["Deny"]


def test_the_state_bucket_blocks_public_access_and_disables_acls(minimal):
    block = _named(
        minimal, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bootstrap-state-public-access"
    )
    ownership = _named(
        minimal, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bootstrap-state-ownership"
    )
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")

    assert {flag: block.inputs[flag] for flag in flags} == dict.fromkeys(flags, True)
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_the_state_bucket_is_encrypted_with_its_own_rotating_customer_key(minimal):
    encryption = _named(
        minimal,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "bootstrap-state-encryption",
    )
    key = _named(minimal, KEY, "bootstrap-state-key")
    (rule,) = encryption.inputs["rules"]

    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key.outputs["arn"],
    }
    assert key.inputs["enableKeyRotation"] is True


def test_the_state_bucket_is_versioned_and_expires_only_superseded_versions(minimal):
    versioning = _named(minimal, "aws:s3/bucketVersioning:BucketVersioning", "bootstrap-state-versioning")
    lifecycle = _named(
        minimal,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "bootstrap-state-lifecycle",
    )
    (rule,) = lifecycle.inputs["rules"]

    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert rule["noncurrentVersionExpiration"] == {
        "noncurrentDays": conventions.PULUMI_STATE_NONCURRENT_EXPIRY_DAYS
    }
    assert rule["expiration"] == {"expiredObjectDeleteMarker": True}


def test_the_state_buckets_access_logs_go_to_a_log_bucket_that_only_s3_log_delivery_may_write(minimal):
    logging = minimal.one("aws:s3/bucketLogging:BucketLogging")
    (policy,) = [p for p in minimal.by_type(BUCKET_POLICY) if p.inputs["bucket"] == LOG_BUCKET]
    (allow,) = [s for s in _document(policy)["Statement"] if s["Effect"] == "Allow"]

    assert (logging.inputs["bucket"], logging.inputs["targetBucket"]) == (STATE_BUCKET, LOG_BUCKET)
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:s3:::{STATE_BUCKET}"}


def test_the_state_bucket_holds_the_backend_metadata_so_no_ci_role_writes_outside_its_projects(minimal):
    meta = minimal.one("aws:s3/bucketObjectv2:BucketObjectv2")

    assert (meta.inputs["bucket"], meta.inputs["key"]) == (STATE_BUCKET, ".pulumi/meta.yaml")
    assert yaml.safe_load(meta.inputs["content"]) == {"version": 1}
    assert meta.inputs["kmsKeyId"] == _named(minimal, KEY, "bootstrap-state-key").outputs["arn"]


# --- Roles -----------------------------------------------------------------------------------------


def test_the_preview_role_cannot_write(two_repositories):
    assert _role_actions(two_repositories, "bootstrap-prod-preview") == {
        "s3:ListBucket",
        "s3:GetObject",
        "kms:Decrypt",
    }
    assert [
        a for a in two_repositories.by_type(ATTACHMENT) if a.inputs["role"] == "bootstrap-prod-preview"
    ] == []


def test_the_deploy_role_writes_state_and_uses_the_secrets_key_to_encrypt_and_decrypt(minimal):
    policy = _named(minimal, ROLE_POLICY, "bootstrap-deploy-state-policy")
    by_sid = {s["Sid"]: s for s in _document(policy)["Statement"]}
    secrets_key = _named(minimal, KEY, "bootstrap-secrets-key")

    assert set(by_sid["WriteProjectState"]["Action"]) == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    assert by_sid["PulumiSecretsProvider"]["Resource"] == secrets_key.outputs["arn"]
    assert set(by_sid["PulumiSecretsProvider"]["Action"]) == {
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }


def test_the_roles_reach_only_their_projects_state_and_the_backend_metadata(two_repositories):
    bucket = f"arn:aws:s3:::{STATE_BUCKET}"
    project_objects = re.compile(
        rf"^{re.escape(bucket)}/\.pulumi/(?:stacks|history|backups|journal|locks/organization)/"
        r"(?:payments-api|catalog)/\*$"
    )
    for policy in two_repositories.by_type(ROLE_POLICY):
        for statement in _document(policy)["Statement"]:
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            if statement["Sid"].endswith("ProjectState"):
                assert len(resources) == 10
                assert all(project_objects.match(r) for r in resources), resources
            elif statement["Sid"] == "ReadBackendMetadata":
                assert resources == [f"{bucket}/.pulumi/meta.yaml"]
            assert "*" not in resources


def test_the_state_key_is_usable_only_through_s3(minimal):
    for policy in minimal.by_type(ROLE_POLICY):
        (statement,) = [s for s in _document(policy)["Statement"] if s["Sid"] == "StateKeyThroughS3"]
        assert statement["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}


def test_projects_default_to_the_repositories_names(two_repositories):
    assert BootstrapConfig.model_validate(TWO_REPOSITORIES).state_projects == ["payments-api", "catalog"]


def test_projects_given_replace_the_repositories_names():
    run = _run({**MINIMAL, "projects": ["payments-infra"]})
    policy = _named(run, ROLE_POLICY, "bootstrap-deploy-state-policy")
    (statement,) = [s for s in _document(policy)["Statement"] if s["Sid"] == "WriteProjectState"]

    assert {r.split("/")[-2] for r in statement["Resource"]} == {"payments-infra"}


def test_deploy_policy_arns_are_attached_to_the_deploy_role_and_preview_policy_arns_to_the_preview_role():
    deploy = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:policy/platform/deploy-services"
    run = _run(
        {
            **MINIMAL,
            "deployPolicyArns": [deploy],
            "previewPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        }
    )

    assert {(a.inputs["role"], a.inputs["policyArn"]) for a in run.by_type(ATTACHMENT)} == {
        ("bootstrap-prod-deploy", deploy),
        ("bootstrap-prod-preview", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    }


def test_by_default_the_roles_get_no_permissions_for_the_services_themselves(minimal):
    assert minimal.by_type(ATTACHMENT) == []


# --- Outputs ---------------------------------------------------------------------------------------


def test_the_outputs_are_what_ci_needs(example):
    outputs = example.stack_resource.outputs

    assert dict(outputs) == {
        "backendUrl": f"s3://{STATE_BUCKET}",
        "secretsProvider": "awskms://alias/goldenpath/bootstrap/prod/pulumi-secrets?region=eu-west-1",
        "deployRoleArn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/bootstrap-prod-deploy",
        "previewRoleArn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/bootstrap-prod-preview",
        "oidcProviderArn": example.one(OIDC_PROVIDER).outputs["arn"],
    }


def test_the_backend_url_names_the_state_bucket_and_is_a_valid_bucket_name(example):
    backend = example.stack_resource.outputs["backendUrl"]

    assert backend == f"s3://{_named(example, BUCKET, 'bootstrap-state').inputs['bucket']}"
    assert re.fullmatch(r"s3://[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", backend)


def test_the_secrets_provider_names_the_alias_of_the_secrets_key(example):
    provider = example.stack_resource.outputs["secretsProvider"]
    alias = _named(example, ALIAS, "bootstrap-secrets-key-alias")
    key = _named(example, KEY, "bootstrap-secrets-key")

    assert provider == f"awskms://{alias.inputs['name']}?region=eu-west-1"
    assert alias.inputs["targetKeyId"] == key.id


# --- Config errors ---------------------------------------------------------------------------------


BAD_CONFIG = {
    "wildcard repository": (
        {"repositories": [{"repository": "acme/*"}]},
        "bootstrap:repositories.0.repository: must be a GitHub repository written as owner/name",
    ),
    "branch as a ref": (
        {"repositories": [{"repository": "acme/payments-api", "branch": "refs/heads/main"}]},
        "bootstrap:repositories.0.branch: must be one branch name",
    ),
    "no repository": ({"repositories": []}, "bootstrap:repositories: List should have at least 1 item"),
    "repository twice": (
        {"repositories": [{"repository": "acme/api"}, {"repository": "Acme/API"}]},
        "bootstrap:repositories: list each repository once",
    ),
    "wildcard project": ({"projects": ["payments-*"]}, "bootstrap:projects: must be Pulumi project names"),
    "another identity provider": (
        {"oidcProviderArn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/gitlab.com"},
        "bootstrap:oidcProviderArn: must be the account's GitHub OIDC provider",
    ),
    "administrator deploys": (
        {"deployPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
        "bootstrap:deployPolicyArns: must not attach AdministratorAccess",
    ),
    "preview that writes": (
        {"previewPolicyArns": ["arn:aws:iam::aws:policy/PowerUserAccess"]},
        "bootstrap:previewPolicyArns: the preview role is for pull requests and stays read-only",
    ),
    "not a policy ARN": (
        {"deployPolicyArns": ["deploy-services"]},
        "bootstrap:deployPolicyArns: must be managed",
    ),
    "unknown key": ({"repository": "acme/payments-api"}, "bootstrap:repository: unknown key"),
}


@pytest.mark.parametrize("case", BAD_CONFIG)
def test_a_bad_config_value_gives_one_line_naming_the_key(case):
    overrides, expected = BAD_CONFIG[case]

    problems, registered = _config_errors({**MINIMAL, **overrides})

    assert registered == 0
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems
    assert "\n" not in problems[0]


def test_a_missing_key_is_named():
    config = {k: v for k, v in MINIMAL.items() if k != "team"}

    assert _config_errors(config)[0] == ["bootstrap:team: required, but not set"]


def test_check_reports_a_bad_config_with_the_key_and_exit_status_two(tmp_path):
    project = tmp_path / "bootstrap"
    shutil.copytree(STACKS / "bootstrap", project)
    stack_file = project / "Pulumi.prod.yaml"
    stack = yaml.safe_load(stack_file.read_text())
    stack["config"]["bootstrap:repositories"] = [{"repository": "acme/*"}]
    stack_file.write_text(yaml.safe_dump(stack))

    result = CliRunner().invoke(app, ["check", str(project), "--stack", "prod"])

    assert result.exit_code == 2, result.output
    assert "bootstrap:repositories.0.repository: must be a GitHub repository" in result.output


def test_a_repository_trusted_for_no_branch_must_name_its_deployment_environments():
    from goldenpath.config import ConfigError, validate_config

    base = {"team": "platform", "costCenter": "cc-1", "environment": "prod"}
    with pytest.raises(ConfigError, match="with branch null, list the deployment environments"):
        validate_config(
            BootstrapConfig, {**base, "repositories": [{"repository": "acme/a", "branch": None}]}, "bootstrap"
        )


def test_no_branch_leaves_only_the_environment_subjects_in_the_trust_policy():
    from goldenpath.components.aws.ci import github_subjects

    assert github_subjects("acme/a", None, ["production"]) == ["repo:acme/a:environment:production"]
    assert github_subjects("acme/a", "main", []) == ["repo:acme/a:ref:refs/heads/main"]
