"""Ci: an encrypted, immutable image repository and a GitHub deploy role held to one repository."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pydantic import ValidationError

from goldenpath import conventions
from goldenpath.components.aws.ci import Ci, CiArgs
from goldenpath.harness import MOCK_ACCOUNT_ID, MOCK_REGION, ProgramRun, run_under_mocks

TAGS = conventions.standard_tags(
    team="payments-team", service="payments", environment="prod", cost_center="cc-42", blueprint="web-service"
)
EXISTING_PROVIDER = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com"
HOST = "token.actions.githubusercontent.com"

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
REPOSITORY = "aws:ecr/repository:Repository"
KEY = "aws:kms/key:Key"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"


def ci_args(**overrides: Any) -> CiArgs:
    values: dict[str, Any] = {
        "service": "payments",
        "environment": "prod",
        "repository": "acme/payments",
        "ecs_cluster_name": "payments-prod",
        "ecs_service_name": "payments-prod",
        "task_role_name": "payments-prod-task",
        "execution_role_name": "payments-prod-execution",
        "repository_name": "payments-prod",
        "tags": TAGS,
    }
    values.update(overrides)
    return CiArgs(**values)


def run_ci(args: CiArgs, captured: dict[str, Any] | None = None) -> ProgramRun:
    def program() -> None:
        ci = Ci("payments", args)
        if captured is not None:
            names = ["deploy_role_arn", "repository_url", "repository_arn", "oidc_provider_arn"]
            pulumi.Output.all(*[getattr(ci, n) for n in names]).apply(
                lambda v: captured.update(zip(names, v, strict=True))
            )

    return run_under_mocks(program)


@pytest.fixture(scope="module")
def run() -> ProgramRun:
    return run_ci(ci_args())


def trust_statement(run: ProgramRun) -> dict[str, Any]:
    (statement,) = json.loads(run.one(ROLE).inputs["assumeRolePolicy"])["Statement"]
    return statement


def permissions(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(run.one(ROLE_POLICY).inputs["policy"])["Statement"]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- Trust ---------------------------------------------------------------------------------------


def test_deploy_role_trusts_only_the_repository_on_its_branch(run: ProgramRun) -> None:
    statement = trust_statement(run)
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"][f"{HOST}:sub"] == ["repo:acme/payments:ref:refs/heads/main"]


def test_deploy_role_trusts_the_github_oidc_provider(run: ProgramRun) -> None:
    provider = run.one(OIDC_PROVIDER)
    expected_arn = f"arn:aws:iam:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:{provider.name}"  # the mock's ARN
    assert trust_statement(run)["Principal"] == {"Federated": expected_arn}


def test_deploy_role_trusts_the_named_branch_and_deployment_environments() -> None:
    run = run_ci(ci_args(branch="release", environments=["production", "canary"]))
    assert trust_statement(run)["Condition"]["StringEquals"][f"{HOST}:sub"] == [
        "repo:acme/payments:ref:refs/heads/release",
        "repo:acme/payments:environment:production",
        "repo:acme/payments:environment:canary",
    ]


def test_deploy_role_requires_the_sts_audience(run: ProgramRun) -> None:
    assert trust_statement(run)["Condition"]["StringEquals"][f"{HOST}:aud"] == "sts.amazonaws.com"


def test_deploy_role_trust_has_no_wildcard_or_pattern_match(run: ProgramRun) -> None:
    condition = trust_statement(run)["Condition"]
    assert set(condition) == {"StringEquals"}
    values = [v for value in condition["StringEquals"].values() for v in as_list(value)]
    assert not [v for v in values if "*" in v or "?" in v]


def test_deploy_role_sessions_last_at_most_an_hour_and_the_role_is_named_by_convention(
    run: ProgramRun,
) -> None:
    role = run.one(ROLE)
    assert role.inputs["maxSessionDuration"] == 3600
    assert role.inputs["name"] == conventions.physical_name("payments", "prod", "deploy", kind="iam_role")


# --- Input validation ----------------------------------------------------------------------------


def test_repository_without_owner_is_rejected_with_the_owner_name_form() -> None:
    with pytest.raises(ValidationError) as error:
        ci_args(repository="payments")
    message = str(error.value)
    assert "repository" in message and "'payments'" in message and "owner/name" in message


@pytest.mark.parametrize("repository", ["acme/*", "*/payments", "acme/pay*", "acme/payments/extra", "acme/"])
def test_repository_patterns_and_malformed_names_are_rejected(repository: str) -> None:
    with pytest.raises(ValidationError, match="owner/name"):
        ci_args(repository=repository)


@pytest.mark.parametrize("branch", ["*", "release/*", "refs/heads/main", ""])
def test_branch_must_be_one_plain_branch_name(branch: str) -> None:
    with pytest.raises(ValidationError, match="branch"):
        ci_args(branch=branch)


def test_environment_wildcard_is_rejected() -> None:
    with pytest.raises(ValidationError, match="environments"):
        ci_args(environments=["prod*"])


def test_oidc_provider_other_than_github_is_rejected() -> None:
    with pytest.raises(ValidationError, match="oidc_provider_arn"):
        ci_args(oidc_provider_arn=f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/gitlab.com")


# --- OIDC provider -------------------------------------------------------------------------------


def test_new_oidc_provider_is_githubs_with_the_sts_audience(run: ProgramRun) -> None:
    provider = run.one(OIDC_PROVIDER)
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]


def test_existing_oidc_provider_is_trusted_and_no_provider_is_created() -> None:
    captured: dict[str, Any] = {}
    run = run_ci(ci_args(oidc_provider_arn=EXISTING_PROVIDER), captured)
    assert run.by_type(OIDC_PROVIDER) == []
    assert trust_statement(run)["Principal"] == {"Federated": EXISTING_PROVIDER}
    assert captured["oidc_provider_arn"] == EXISTING_PROVIDER


# --- Repository ----------------------------------------------------------------------------------


def test_repository_tags_are_immutable_and_images_scanned_on_push(run: ProgramRun) -> None:
    repository = run.one(REPOSITORY)
    assert repository.inputs["name"] == "payments-prod"
    assert repository.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repository.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository.inputs["forceDelete"] is False


def test_repository_is_encrypted_with_its_own_rotating_kms_key(run: ProgramRun) -> None:
    key = run.one(KEY)
    assert key.inputs["enableKeyRotation"] is True
    (encryption,) = run.one(REPOSITORY).inputs["encryptionConfigurations"]
    assert encryption == {
        "encryptionType": "KMS",
        "kmsKey": f"arn:aws:kms:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:{key.name}",
    }


def test_repository_key_policy_lets_the_account_administer_the_key_and_no_service_use_it(
    run: ProgramRun,
) -> None:
    (statement,) = json.loads(run.one(KEY).inputs["policy"])["Statement"]
    assert statement == {
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    assert run.one(KEY).inputs["deletionWindowInDays"] == conventions.KMS_DELETION_WINDOW_DAYS


def test_lifecycle_policy_expires_untagged_images_and_keeps_a_bounded_history(run: ProgramRun) -> None:
    lifecycle = run.one("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert lifecycle.inputs["repository"] == "payments-prod"
    rules = sorted(json.loads(lifecycle.inputs["policy"])["rules"], key=lambda r: r["rulePriority"])
    assert [
        (r["selection"]["tagStatus"], r["selection"]["countType"], r["selection"]["countNumber"])
        for r in rules
    ] == [
        ("untagged", "sinceImagePushed", conventions.ECR_UNTAGGED_EXPIRY_DAYS),
        ("any", "imageCountMoreThan", conventions.ECR_KEEP_TAGGED_IMAGES),
    ]
    assert all(r["action"] == {"type": "expire"} for r in rules)


# --- Permissions ---------------------------------------------------------------------------------


def test_deploy_policy_is_attached_to_the_deploy_role(run: ProgramRun) -> None:
    assert run.one(ROLE_POLICY).inputs["role"] == run.one(ROLE).inputs["name"]


def test_deploy_policy_pushes_only_to_its_own_repository(run: ProgramRun) -> None:
    push = permissions(run)["EcrPush"]
    assert push["Resource"] == f"arn:aws:ecr:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:{run.one(REPOSITORY).name}"
    assert set(push["Action"]) == {
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
    }


def test_only_actions_without_resource_level_permissions_use_a_wildcard_resource(run: ProgramRun) -> None:
    wildcard_actions = {
        action
        for statement in permissions(run).values()
        if "*" in as_list(statement["Resource"])
        for action in as_list(statement["Action"])
    }
    assert wildcard_actions == {
        "ecr:GetAuthorizationToken",
        "ecs:RegisterTaskDefinition",
        "ecs:DescribeTaskDefinition",
    }


def test_deploy_policy_uses_only_the_repository_key(run: ProgramRun) -> None:
    statement = permissions(run)["EcrImageKey"]
    assert set(statement["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert statement["Resource"] == f"arn:aws:kms:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:{run.one(KEY).name}"


def test_deploy_policy_updates_only_its_ecs_service(run: ProgramRun) -> None:
    statement = permissions(run)["EcsRollOut"]
    assert set(statement["Action"]) == {"ecs:UpdateService", "ecs:DescribeServices"}
    assert (
        statement["Resource"]
        == f"arn:aws:ecs:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:service/payments-prod/payments-prod"
    )


def test_deploy_policy_tags_only_its_task_definition_family_on_registration(run: ProgramRun) -> None:
    statement = permissions(run)["EcsTagTaskDefinitionOnCreate"]
    assert statement["Action"] == "ecs:TagResource"
    assert (
        statement["Resource"]
        == f"arn:aws:ecs:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:task-definition/payments-prod:*"
    )
    assert statement["Condition"] == {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}}


def test_deploy_policy_passes_only_the_service_roles_and_only_to_ecs_tasks(run: ProgramRun) -> None:
    statement = permissions(run)["PassServiceRolesToEcsTasks"]
    assert statement["Action"] == "iam:PassRole"
    assert sorted(statement["Resource"]) == [
        f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/payments-prod-execution",
        f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/payments-prod-task",
    ]
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


# --- Component contract --------------------------------------------------------------------------


def test_outputs_name_the_role_and_the_repository() -> None:
    captured: dict[str, Any] = {}
    run_ci(ci_args(), captured)
    assert captured["deploy_role_arn"] == f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/payments-prod-deploy"
    assert (
        captured["repository_url"] == f"{MOCK_ACCOUNT_ID}.dkr.ecr.{MOCK_REGION}.amazonaws.com/payments-prod"
    )
    assert captured["repository_arn"].startswith(f"arn:aws:ecr:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:")


def test_every_child_is_parented_to_the_component(run: ProgramRun) -> None:
    component = run.one("goldenpath:aws:Ci")
    children = [r for r in run.resources if r is not component]
    assert len(children) == 6
    assert all(r.parent == component.urn for r in children)


def _takes_tags(type_token: str) -> bool:
    module, class_name = type_token.split(":")[1].split("/")[0], type_token.split(":")[2]
    resource_class = getattr(getattr(aws, module), class_name)
    return "tags" in inspect.signature(resource_class._internal_init).parameters


def test_every_taggable_resource_carries_the_tags(run: ProgramRun) -> None:
    taggable = [r for r in run.resources if r.custom and _takes_tags(r.type)]
    assert {r.type for r in taggable} == {OIDC_PROVIDER, KEY, REPOSITORY, ROLE}
    assert all(r.inputs.get("tags") == TAGS for r in taggable)
