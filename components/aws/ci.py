"""CI access for one service: an image repository and a role GitHub Actions can deploy with.

The deploy role trusts GitHub's OIDC provider for exactly one repository, on one branch and the
named GitHub deployment environments, and may do nothing but push to its own repository and
roll out a new task definition to its own ECS service. No long-lived access key exists.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator, model_validator

from goldenpath import conventions
from goldenpath.components.aws._kms import encryption_key
from goldenpath.components.aws._validation import (
    GithubBranch,
    GithubEnvironments,
    GithubRepository,
    check_github_oidc_provider_arn,
)
from goldenpath.components.aws.service import ECS_TASKS_SERVICE
from goldenpath.models import ComponentArgs, StrInput

__all__ = ["Ci", "CiArgs"]

ECR_PUSH_ACTIONS: tuple[str, ...] = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
    "ecr:DescribeImages",
)


class CiArgs(ComponentArgs):
    """Inputs of :class:`Ci`."""

    service: str = Field(description="Service name, as in the tags.")
    environment: str = Field(description="Environment name (dev, staging, prod).")
    repository: GithubRepository = Field(
        description="The GitHub repository allowed to deploy, as 'owner/name' (exact; no wildcards). "
        "IAM compares it case-sensitively with the token's 'sub' claim, so spell it as GitHub does."
    )
    branch: GithubBranch = Field(default="main", description="The one branch whose workflows may deploy.")
    environments: GithubEnvironments = Field(
        default_factory=list,
        description="GitHub deployment environments whose jobs may also deploy "
        "(a job that names an environment presents 'repo:<owner>/<name>:environment:<env>').",
    )
    oidc_provider_arn: StrInput | None = Field(
        default=None,
        description="ARN of the account's existing GitHub OIDC provider. An account holds one provider "
        "per URL, so every service after the first must pass it; None creates it.",
    )
    ecs_cluster_name: str = Field(description="Physical name of the ECS cluster the service runs in.")
    ecs_service_name: str | None = Field(
        description="Physical name of the ECS service the role may update; None for tasks that no ECS "
        "service runs (a scheduled job): the role then updates no service."
    )
    task_definition_family: str | None = Field(
        default=None,
        description="Family of the service's task definitions; defaults to ecs_service_name, as Service does.",
    )
    task_role_name: str = Field(description="Physical name of the task role the role may pass to ECS.")
    execution_role_name: str = Field(
        description="Physical name of the execution role the role may pass to ECS."
    )
    repository_name: str = Field(description="Physical name of the ECR repository to create.")
    deploy_role_name: str | None = Field(
        default=None,
        description="Physical name of the deploy role; defaults to physical_name(service, environment, 'deploy').",
    )
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")

    @field_validator("oidc_provider_arn")
    @classmethod
    def _oidc_provider_is_github(cls, value: StrInput | None) -> StrInput | None:
        return check_github_oidc_provider_arn(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _family_known(self) -> CiArgs:
        if self.ecs_service_name is None and self.task_definition_family is None:
            raise ValueError("without ecs_service_name, task_definition_family must be given")
        return self


def github_subjects(repository: str, branch: str | None, environments: list[str]) -> list[str]:
    """The exact ``sub`` claims the deploy role accepts (no branch: deployment environments only)."""
    return [f"repo:{repository}:ref:refs/heads/{branch}" for _ in [branch] if branch] + [
        f"repo:{repository}:environment:{env}" for env in environments
    ]


def deploy_trust_policy(
    provider_arn: pulumi.Input[str], subjects: list[str], sid: str = "GitHubActionsDeploy"
) -> pulumi.Output[str]:
    """Trust GitHub's OIDC tokens for the given subjects and the STS audience only."""
    host = conventions.GITHUB_OIDC_HOST
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    # StringEquals, not StringLike: the subjects are exact and stay exact.
                    "Condition": {
                        "StringEquals": {
                            f"{host}:aud": conventions.GITHUB_OIDC_AUDIENCE,
                            f"{host}:sub": subjects,
                        }
                    },
                }
            ],
        }
    )


def github_oidc_provider(
    resource_name: str, *, tags: dict[str, str], parent: pulumi.Resource
) -> aws.iam.OpenIdConnectProvider:
    """The account's IAM OIDC provider for GitHub Actions tokens with the STS audience."""
    # No thumbprint: for GitHub, IAM validates the certificate against its own trusted CAs and
    # ignores thumbprints; pulumi-aws 7 makes the list optional.
    return aws.iam.OpenIdConnectProvider(
        resource_name,
        url=conventions.GITHUB_OIDC_URL,
        client_id_lists=[conventions.GITHUB_OIDC_AUDIENCE],
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def deploy_permissions(
    *,
    partition: pulumi.Input[str],
    region: pulumi.Input[str],
    account: pulumi.Input[str],
    repository_arn: pulumi.Input[str],
    key_arn: pulumi.Input[str],
    cluster_name: str,
    service_name: str | None,
    task_definition_family: str,
    task_role_name: str,
    execution_role_name: str,
) -> pulumi.Output[str]:
    """The deploy role's least-privilege permissions policy (no ECS service: no roll-out statement)."""

    def document(p: str, r: str, a: str, repo_arn: str, key: str) -> dict[str, Any]:
        statements: list[dict[str, Any] | None] = [
            {
                # GetAuthorizationToken is account-wide; AWS accepts only "*" for it.
                "Sid": "EcrLogin",
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*",
            },
            {
                "Sid": "EcrPush",
                "Effect": "Allow",
                "Action": list(ECR_PUSH_ACTIONS),
                "Resource": repo_arn,
            },
            {
                "Sid": "EcrImageKey",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": key,
            },
            {
                "Sid": "EcsRollOut",
                "Effect": "Allow",
                "Action": ["ecs:UpdateService", "ecs:DescribeServices"],
                "Resource": f"arn:{p}:ecs:{r}:{a}:service/{cluster_name}/{service_name}",
            }
            if service_name is not None
            else None,
            {
                # RegisterTaskDefinition and DescribeTaskDefinition support no resource-level
                # permissions in IAM: AWS evaluates them against "*" only. What they can do is
                # bounded by the PassRole statement below (only this service's two roles).
                "Sid": "EcsTaskDefinitions",
                "Effect": "Allow",
                "Action": ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"],
                "Resource": "*",
            },
            {
                # Registering a tagged task definition also needs TagResource, which can be
                # held to this family and to tagging on creation.
                "Sid": "EcsTagTaskDefinitionOnCreate",
                "Effect": "Allow",
                "Action": "ecs:TagResource",
                "Resource": f"arn:{p}:ecs:{r}:{a}:task-definition/{task_definition_family}:*",
                "Condition": {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}},
            },
            {
                "Sid": "PassServiceRolesToEcsTasks",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": [
                    f"arn:{p}:iam::{a}:role/{task_role_name}",
                    f"arn:{p}:iam::{a}:role/{execution_role_name}",
                ],
                "Condition": {"StringEquals": {"iam:PassedToService": ECS_TASKS_SERVICE}},
            },
        ]
        return {"Version": "2012-10-17", "Statement": [s for s in statements if s is not None]}

    return pulumi.Output.all(partition, region, account, repository_arn, key_arn).apply(
        lambda values: json.dumps(document(*values))
    )


def ecr_lifecycle_policy() -> str:
    """Expire untagged images quickly and keep a bounded history of tagged ones."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Expire untagged images after {conventions.ECR_UNTAGGED_EXPIRY_DAYS} days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": conventions.ECR_UNTAGGED_EXPIRY_DAYS,
                    },
                    "action": {"type": "expire"},
                },
                {
                    # A tagStatus "any" rule must come last; untagged images are gone by then.
                    "rulePriority": 2,
                    "description": f"Keep the last {conventions.ECR_KEEP_TAGGED_IMAGES} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": conventions.ECR_KEEP_TAGGED_IMAGES,
                    },
                    "action": {"type": "expire"},
                },
            ]
        }
    )


class Ci(pulumi.ComponentResource):
    """ECR repository and GitHub Actions deploy role for one service in one environment."""

    deploy_role_arn: pulumi.Output[str]
    repository_url: pulumi.Output[str]
    repository_arn: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]

    def __init__(self, name: str, args: CiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Ci", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)

        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id

        if args.oidc_provider_arn is None:
            provider_arn: pulumi.Output[str] = github_oidc_provider(
                f"{name}-github-oidc", tags=args.tags, parent=self
            ).arn
        else:
            provider_arn = pulumi.Output.from_input(args.oidc_provider_arn)

        # Written out, the account-administers policy AWS would apply by default: IAM policies (the
        # deploy role's EcrImageKey statement) decide who uses the key.
        key, _ = encryption_key(
            f"{name}-ecr-key",
            description=f"Encrypts the container images of {args.service} ({args.environment})",
            account_id=account,
            partition=partition,
            tags=args.tags,
            parent=self,
        )
        repository = aws.ecr.Repository(
            f"{name}-repository",
            name=args.repository_name,
            image_tag_mutability=conventions.ECR_IMAGE_TAG_MUTABILITY,
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=key.arn)
            ],
            force_delete=False,
            tags=args.tags,
            opts=child,
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-repository-lifecycle",
            repository=repository.name,
            policy=ecr_lifecycle_policy(),
            opts=child,
        )

        role_name = args.deploy_role_name or conventions.physical_name(
            args.service, args.environment, "deploy", kind="iam_role"
        )
        role = aws.iam.Role(
            f"{name}-deploy-role",
            name=role_name,
            description=f"GitHub Actions deploys {args.service} ({args.environment}) from {args.repository}",
            assume_role_policy=deploy_trust_policy(
                provider_arn, github_subjects(args.repository, args.branch, args.environments)
            ),
            max_session_duration=conventions.DEPLOY_ROLE_MAX_SESSION_SECONDS,
            tags=args.tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-deploy-policy",
            name="deploy",
            role=role.name,
            policy=deploy_permissions(
                partition=partition,
                region=region,
                account=account,
                repository_arn=repository.arn,
                key_arn=key.arn,
                cluster_name=args.ecs_cluster_name,
                service_name=args.ecs_service_name,
                task_definition_family=args.task_definition_family or args.ecs_service_name,
                task_role_name=args.task_role_name,
                execution_role_name=args.execution_role_name,
            ),
            opts=child,
        )

        self.deploy_role_arn = role.arn
        self.repository_url = repository.repository_url
        self.repository_arn = repository.arn
        self.oidc_provider_arn = provider_arn
        self.register_outputs(
            {
                "deploy_role_arn": self.deploy_role_arn,
                "repository_url": self.repository_url,
                "repository_arn": self.repository_arn,
                "oidc_provider_arn": self.oidc_provider_arn,
            }
        )
