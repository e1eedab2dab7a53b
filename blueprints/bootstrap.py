"""The one-time CI bootstrap of an AWS account: what GitHub Actions need before the first ``pulumi up``.

An account's whole bootstrap stack::

    import pulumi
    from goldenpath.blueprints import Bootstrap

    for key, value in Bootstrap("bootstrap").exports.items():
        pulumi.export(key, value)

It registers the account's GitHub OIDC provider (or reuses one), a private, versioned, KMS-encrypted
S3 bucket for Pulumi state with server access logs, a KMS key for Pulumi's ``awskms://`` secrets
provider, and two roles GitHub Actions assume with OIDC: a *deploy* role for the configured
repositories' branch and deployment environments, and a read-only *preview* role for their pull
requests. Both reach only the state of the configured Pulumi projects and the secrets key. The
outputs are what CI needs::

    pulumi login "$(pulumi stack output backendUrl)"
    pulumi stack init prod --secrets-provider "$(pulumi stack output secretsProvider)"

What the roles may do to the services themselves is not the bootstrap's to decide: they get no
permissions beyond state and secrets unless ``deployPolicyArns`` (and, read-only,
``previewPolicyArns``) attach managed policies the platform team wrote for them.

Anyone who may push a branch can run a pull-request workflow, and so use the preview role: it reads
the projects' state and decrypts their Pulumi secrets, as ``pulumi preview`` must. Keep values that
branch authors must not see out of Pulumi config (in Secrets Manager, set out of band).

Every knob lives in ``Pulumi.<env>.yaml`` under the project's namespace and is validated by
:class:`BootstrapConfig` before a single resource is registered.
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator, model_validator

from goldenpath import conventions
from goldenpath.components.aws._kms import encryption_key, key_alias_name
from goldenpath.components.aws._s3 import block_public_access
from goldenpath.components.aws._validation import (
    GithubBranch,
    GithubEnvironments,
    GithubRepository,
    TagValue,
    check_github_oidc_provider_arn,
)
from goldenpath.components.aws.ci import deploy_trust_policy, github_oidc_provider, github_subjects
from goldenpath.config import ConfigModel, load_config

BLUEPRINT = "Bootstrap"
TYPE_TOKEN = "goldenpath:blueprints:Bootstrap"

# Pulumi's self-managed backend in project mode (meta.yaml version 1), as pkg/backend/diy lays it out:
# .pulumi/<dir>/<project>/<stack>… for these dirs, and stack locks under .pulumi/locks/organization/.
PULUMI_STATE_DIRS: tuple[str, ...] = ("stacks", "history", "backups", "journal")
PULUMI_LOCK_DIR = "locks/organization"
PULUMI_META_KEY = ".pulumi/meta.yaml"
# Written by the bootstrap so that no CI role needs to write outside its projects: a CLI that finds
# no meta.yaml writes one on `pulumi login`.
PULUMI_META_CONTENT = "version: 1\n"

S3_LOG_DELIVERY_SERVICE = "logging.s3.amazonaws.com"
STATE_ACCESS_LOG_PREFIX = "state/"
# What the CI roles do with the state bucket's key, which they may use only through S3.
STATE_KEY_WRITE_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")
STATE_KEY_READ_ACTIONS: tuple[str, ...] = ("kms:Decrypt",)
# What Pulumi's awskms secrets provider calls: Encrypt wraps a new stack's data key, Decrypt unwraps it.
SECRETS_KEY_WRITE_ACTIONS: tuple[str, ...] = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")
SECRETS_KEY_READ_ACTIONS: tuple[str, ...] = ("kms:Decrypt",)
STATE_WRITE_ACTIONS: tuple[str, ...] = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
STATE_READ_ACTIONS: tuple[str, ...] = ("s3:GetObject",)

_PULUMI_PROJECT = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_MANAGED_POLICY_ARN = re.compile(
    r"^arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,128}$"
)
_ADMINISTRATOR_ACCESS = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")
# AWS managed policies that grant reading only, by AWS's own naming (AmazonEC2ReadOnlyAccess, …).
_READ_ONLY_AWS_POLICY = re.compile(
    r"^arn:aws[a-z-]*:iam::aws:policy/(?:[\w+=,.@-]+/)*"
    r"(?:[A-Za-z0-9]*ReadOnly(?:Access)?|ViewOnlyAccess|SecurityAudit)$"
)


def policy_name(arn: str) -> str:
    """The name in a managed policy ARN: ``…:policy/job-function/ViewOnlyAccess`` → ``ViewOnlyAccess``."""
    return arn.rsplit("/", 1)[-1]


def check_managed_policy_arns(arns: list[str]) -> list[str]:
    """Managed policy ARNs, distinct by name, none of them AdministratorAccess."""
    bad = [arn for arn in arns if not _MANAGED_POLICY_ARN.match(arn)]
    if bad:
        raise ValueError(
            "must be managed policy ARNs, arn:aws:iam::<account>:policy/<name> or "
            f"arn:aws:iam::aws:policy/<name>; not allowed: {', '.join(map(repr, bad))}"
        )
    admin = [arn for arn in arns if _ADMINISTRATOR_ACCESS.match(arn)]
    if admin:
        raise ValueError(
            "must not attach AdministratorAccess; attach a policy with the actions and resources the "
            "deployments need"
        )
    names = [policy_name(arn) for arn in arns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(
            f"attach each policy once; policy names listed more than once: {', '.join(repeated)}"
        )
    return arns


def check_read_only_policy_arns(arns: list[str]) -> list[str]:
    """Managed policy ARNs for the preview role: AWS managed ones must be AWS's read-only policies."""
    check_managed_policy_arns(arns)
    writing = [arn for arn in arns if ":iam::aws:policy/" in arn and not _READ_ONLY_AWS_POLICY.match(arn)]
    if writing:
        raise ValueError(
            "the preview role is for pull requests and stays read-only; AWS managed policies must be "
            "read-only ones (ReadOnlyAccess, ViewOnlyAccess, SecurityAudit, <Service>ReadOnlyAccess); "
            f"not allowed: {', '.join(map(repr, writing))}"
        )
    return arns


class RepositoryConfig(ConfigModel):
    """One GitHub repository whose workflows may use the account's Pulumi state."""

    repository: GithubRepository = Field(description="GitHub repository as owner/name.")
    branch: GithubBranch | None = Field(
        "main",
        description="The only branch whose workflows may assume the deploy role; null for none, so "
        "that only jobs in the deployment environments below may (a prod account's choice).",
    )
    environments: GithubEnvironments = Field(
        default_factory=list,
        description="GitHub deployment environments whose jobs may also assume the deploy role.",
    )

    @model_validator(mode="after")
    def _trusts_something(self) -> RepositoryConfig:
        if self.branch is None and not self.environments:
            raise ValueError(
                f"{self.repository}: with branch null, list the deployment environments whose jobs may deploy"
            )
        return self


class BootstrapConfig(ConfigModel):
    """The knobs of a Bootstrap, read from the stack config (camelCase keys)."""

    team: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="Owning team, lower-case kebab.")
    cost_center: TagValue = Field(
        min_length=1, max_length=64, description="Cost center billed for the account."
    )
    environment: conventions.Environment = Field(description="What the account is for: dev, staging or prod.")
    repositories: list[RepositoryConfig] = Field(
        min_length=1,
        description="Repositories whose workflows may assume the roles. They share both roles, so each "
        "may reach the state of every project in projects.",
    )
    projects: list[str] | None = Field(
        None,
        description="Pulumi projects whose state the roles may read and write; the repositories' names "
        "when unset.",
    )
    oidc_provider_arn: str | None = Field(
        None, description="ARN of the account's existing GitHub OIDC provider; one is created when unset."
    )
    deploy_policy_arns: list[str] = Field(
        default_factory=list,
        description="Managed policies attached to the deploy role: what deployments may do to the "
        "services themselves (none by default).",
    )
    preview_policy_arns: list[str] = Field(
        default_factory=list,
        description="Read-only managed policies attached to the preview role (e.g. ReadOnlyAccess).",
    )

    @field_validator("repositories")
    @classmethod
    def _distinct_repositories(cls, value: list[RepositoryConfig]) -> list[RepositoryConfig]:
        # GitHub treats owner/name case-insensitively; two spellings would be one repository.
        spelled = [r.repository.lower() for r in value]
        repeated = sorted({r.repository for r in value if spelled.count(r.repository.lower()) > 1})
        if repeated:
            raise ValueError(f"list each repository once; repeated: {', '.join(repeated)}")
        return value

    @field_validator("projects")
    @classmethod
    def _pulumi_projects(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError(
                "must name at least one Pulumi project (or be unset for the repositories' names)"
            )
        bad = [p for p in value if not _PULUMI_PROJECT.match(p) or p in (".", "..")]
        if bad:
            raise ValueError(
                "must be Pulumi project names (letters, digits, '_', '.' or '-'; no wildcards); "
                f"not allowed: {', '.join(map(repr, bad))}"
            )
        repeated = sorted({p for p in value if value.count(p) > 1})
        if repeated:
            raise ValueError(f"list each project once; repeated: {', '.join(repeated)}")
        return value

    @field_validator("oidc_provider_arn")
    @classmethod
    def _github_provider(cls, value: str | None) -> str | None:
        return None if value is None else check_github_oidc_provider_arn(value)

    @field_validator("deploy_policy_arns")
    @classmethod
    def _deploy_policies(cls, value: list[str]) -> list[str]:
        return check_managed_policy_arns(value)

    @field_validator("preview_policy_arns")
    @classmethod
    def _preview_policies(cls, value: list[str]) -> list[str]:
        return check_read_only_policy_arns(value)

    @property
    def state_projects(self) -> list[str]:
        """The Pulumi projects the roles reach: ``projects``, else each repository's name."""
        if self.projects is not None:
            return list(self.projects)
        return list(dict.fromkeys(r.repository.split("/", 1)[1] for r in self.repositories))


# --- Trust ----------------------------------------------------------------------------------------


def deploy_subjects(repositories: list[RepositoryConfig]) -> list[str]:
    """The exact ``sub`` claims the deploy role accepts: each repository's branch and environments."""
    return [
        subject
        for r in repositories
        for subject in github_subjects(r.repository, r.branch, list(r.environments))
    ]


def preview_subjects(repositories: list[RepositoryConfig]) -> list[str]:
    """The exact ``sub`` claims the preview role accepts: each repository's pull requests."""
    return [f"repo:{r.repository}:pull_request" for r in repositories]


# --- Documents ------------------------------------------------------------------------------------


def deny_insecure_transport(bucket_arn: pulumi.Input[str]) -> dict[str, Any]:
    """The bucket policy statement that refuses every request made without TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def state_bucket_policy(bucket_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """Refuse plain HTTP; who may read and write is decided by IAM (the CI roles' policies)."""
    return pulumi.Output.json_dumps(
        {"Version": "2012-10-17", "Statement": [deny_insecure_transport(bucket_arn)]}
    )


def access_log_bucket_policy(
    *, bucket_arn: pulumi.Input[str], source_bucket_arn: pulumi.Input[str], account_id: pulumi.Input[str]
) -> pulumi.Output[str]:
    """Let S3 deliver the state bucket's server access logs, and nothing else; refuse plain HTTP."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowS3ServerAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": S3_LOG_DELIVERY_SERVICE},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(bucket_arn, "/", STATE_ACCESS_LOG_PREFIX, "*"),
                    "Condition": {
                        "ArnLike": {"aws:SourceArn": source_bucket_arn},
                        "StringEquals": {"aws:SourceAccount": account_id},
                    },
                },
                deny_insecure_transport(bucket_arn),
            ],
        }
    )


def log_delivery_key_statement(*, account_id: pulumi.Input[str]) -> dict[str, Any]:
    """Key policy statement: S3 log delivery may encrypt this account's access logs with the key."""
    return {
        "Sid": "S3ServerAccessLogDeliveryUsesKey",
        "Effect": "Allow",
        "Principal": {"Service": S3_LOG_DELIVERY_SERVICE},
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }


def state_object_arns(bucket_arn: pulumi.Input[str], projects: list[str]) -> list[pulumi.Output[str]]:
    """The ARNs of every object Pulumi keeps for ``projects``: stacks, history, backups, journal, locks."""
    prefixes = [f".pulumi/{d}/{p}/*" for p in projects for d in PULUMI_STATE_DIRS] + [
        f".pulumi/{PULUMI_LOCK_DIR}/{p}/*" for p in projects
    ]
    return [pulumi.Output.concat(bucket_arn, "/", prefix) for prefix in prefixes]


def ci_state_permissions(
    *,
    bucket_arn: pulumi.Input[str],
    state_key_arn: pulumi.Input[str],
    secrets_key_arn: pulumi.Input[str],
    projects: list[str],
    region: pulumi.Input[str],
    dns_suffix: pulumi.Input[str],
    write: bool,
) -> pulumi.Output[str]:
    """A CI role's policy: the state of ``projects`` and the secrets key; read-only unless ``write``."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    # Bucket-wide: `pulumi stack ls` lists all of .pulumi/stacks/, and S3 answers a
                    # read of a missing stack file with 404 rather than 403 only to a principal that
                    # may list the bucket, which an s3:prefix condition would not count.
                    "Sid": "ListStateBucket",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": bucket_arn,
                },
                {
                    "Sid": "ReadBackendMetadata",
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": pulumi.Output.concat(bucket_arn, "/", PULUMI_META_KEY),
                },
                {
                    "Sid": "WriteProjectState" if write else "ReadProjectState",
                    "Effect": "Allow",
                    "Action": list(STATE_WRITE_ACTIONS if write else STATE_READ_ACTIONS),
                    "Resource": state_object_arns(bucket_arn, projects),
                },
                {
                    "Sid": "StateKeyThroughS3",
                    "Effect": "Allow",
                    "Action": list(STATE_KEY_WRITE_ACTIONS if write else STATE_KEY_READ_ACTIONS),
                    "Resource": state_key_arn,
                    "Condition": {
                        "StringEquals": {
                            "kms:ViaService": pulumi.Output.concat("s3.", region, ".", dns_suffix)
                        }
                    },
                },
                {
                    "Sid": "PulumiSecretsProvider",
                    "Effect": "Allow",
                    "Action": list(SECRETS_KEY_WRITE_ACTIONS if write else SECRETS_KEY_READ_ACTIONS),
                    "Resource": secrets_key_arn,
                },
            ],
        }
    )


# --- Buckets --------------------------------------------------------------------------------------


def _private_bucket(
    resource_name: str,
    *,
    bucket_name: pulumi.Input[str],
    key_arn: pulumi.Input[str],
    lifecycle: aws.s3.BucketLifecycleConfigurationRuleArgs,
    policy: pulumi.Output[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
    protect: bool = False,
) -> tuple[aws.s3.Bucket, list[pulumi.Resource]]:
    """A bucket no ACL or public policy can open, SSE-KMS with ``key_arn``, versioned, under ``lifecycle``.

    ``policy`` is its bucket policy. Returns the bucket and the setting resources (the policy among
    them) that must exist before anything writes to it.
    """
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        resource_name,
        bucket=bucket_name,
        force_destroy=False,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    public_access_block, ownership = block_public_access(resource_name, bucket, child)
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{resource_name}-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key_arn
                ),
                # One data key per bucket rather than per object: fewer KMS calls, same key policy.
                bucket_key_enabled=True,
            )
        ],
        opts=child,
    )
    versioning = aws.s3.BucketVersioning(
        f"{resource_name}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=child,
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{resource_name}-lifecycle",
        bucket=bucket.id,
        rules=[lifecycle],
        # S3 rejects noncurrent-version rules on a bucket whose versioning is not yet enabled.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    bucket_policy = aws.s3.BucketPolicy(
        f"{resource_name}-policy",
        bucket=bucket.id,
        policy=policy,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[public_access_block, ownership]),
    )
    return bucket, [public_access_block, ownership, encryption, versioning, bucket_policy]


def _state_lifecycle() -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="expire-superseded-state",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        # Current objects never expire; delete markers left with no versions behind them go.
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True),
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=conventions.PULUMI_STATE_NONCURRENT_EXPIRY_DAYS
        ),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=conventions.S3_ABORT_INCOMPLETE_UPLOAD_DAYS
        ),
    )


def _access_log_lifecycle(environment: str) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="expire-access-logs",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
            days=conventions.ACCESS_LOG_EXPIRY_DAYS[environment]
        ),
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=conventions.ACCESS_LOG_NONCURRENT_EXPIRY_DAYS
        ),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=conventions.S3_ABORT_INCOMPLETE_UPLOAD_DAYS
        ),
    )


class Bootstrap(pulumi.ComponentResource):
    """An account's Pulumi state bucket, secrets key and the GitHub Actions roles that use them."""

    backend_url: pulumi.Output[str]
    secrets_provider: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    state_bucket_name: pulumi.Output[str]
    exports: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        config: BootstrapConfig | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if config is None:
            config = load_config(BootstrapConfig, pulumi.get_project())
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.config = config
        env = config.environment
        tags = conventions.standard_tags(
            team=config.team,
            service=name,
            environment=env,
            cost_center=config.cost_center,
            blueprint=BLUEPRINT,
        )
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke)
        region = aws.get_region_output(opts=invoke).region
        account_id = aws.get_caller_identity_output(opts=invoke).account_id

        # ARNs that follow from the account and names are written out rather than read from the
        # resources, so that `pulumi preview` already knows (and the packs judge) the policies
        # that name them.
        if config.oidc_provider_arn is None:
            provider = github_oidc_provider(f"{name}-github-oidc", tags=tags, parent=self)
            trusted_provider_arn = pulumi.Output.concat(
                "arn:",
                partition.partition,
                ":iam::",
                account_id,
                ":oidc-provider/",
                conventions.GITHUB_OIDC_HOST,
            )
            provider_arn: pulumi.Output[str] = provider.arn
            role_opts = pulumi.ResourceOptions(parent=self, depends_on=[provider])
        else:
            trusted_provider_arn = provider_arn = pulumi.Output.from_input(config.oidc_provider_arn)
            role_opts = child

        # --- Keys ------------------------------------------------------------------------------
        # Losing either key loses every stack's state or secrets: `pulumi destroy` must not reach them.
        state_key, _ = encryption_key(
            f"{name}-state-key",
            description=f"Encrypts the Pulumi state of the {env} account",
            account_id=account_id,
            partition=partition.partition,
            alias=key_alias_name(name, env, "pulumi-state"),
            tags=tags,
            parent=self,
            protect=True,
        )
        secrets_alias = key_alias_name(name, env, "pulumi-secrets")
        secrets_key, _ = encryption_key(
            f"{name}-secrets-key",
            description=f"Pulumi secrets provider (awskms) of the {env} account",
            account_id=account_id,
            partition=partition.partition,
            alias=secrets_alias,
            tags=tags,
            parent=self,
            protect=True,
        )
        log_key, _ = encryption_key(
            f"{name}-access-log-key",
            description=f"Encrypts the server access logs of the Pulumi state bucket of the {env} account",
            account_id=account_id,
            partition=partition.partition,
            service_statements=[log_delivery_key_statement(account_id=account_id)],
            alias=key_alias_name(name, env, "state-access-logs"),
            tags=tags,
            parent=self,
        )

        # --- Buckets ---------------------------------------------------------------------------
        # Account and region make the names unique worldwide, as bucket names must be.
        def bucket_name(purpose: str) -> pulumi.Output[str]:
            return pulumi.Output.all(account_id, region).apply(
                lambda values: conventions.physical_name(name, env, purpose, *values, kind="s3_bucket")
            )

        def bucket_arn(bucket: pulumi.Output[str]) -> pulumi.Output[str]:
            return pulumi.Output.concat("arn:", partition.partition, ":s3:::", bucket)

        state_name, log_name = bucket_name("pulumi-state"), bucket_name("state-access-logs")
        state_arn, log_arn = bucket_arn(state_name), bucket_arn(log_name)
        state_bucket, state_settings = _private_bucket(
            f"{name}-state",
            bucket_name=state_name,
            key_arn=state_key.arn,
            lifecycle=_state_lifecycle(),
            policy=state_bucket_policy(state_arn),
            tags=tags,
            parent=self,
            protect=True,
        )
        log_bucket, log_settings = _private_bucket(
            f"{name}-state-access-logs",
            bucket_name=log_name,
            key_arn=log_key.arn,
            lifecycle=_access_log_lifecycle(env),
            policy=access_log_bucket_policy(
                bucket_arn=log_arn, source_bucket_arn=state_arn, account_id=account_id
            ),
            tags=tags,
            parent=self,
        )
        aws.s3.BucketLogging(
            f"{name}-state-logging",
            bucket=state_bucket.id,
            target_bucket=log_bucket.id,
            target_prefix=STATE_ACCESS_LOG_PREFIX,
            # With ACLs disabled, delivery rests on the log bucket's policy and key alone.
            opts=pulumi.ResourceOptions(parent=self, depends_on=log_settings),
        )
        aws.s3.BucketObjectv2(
            f"{name}-state-meta",
            bucket=state_bucket.id,
            key=PULUMI_META_KEY,
            content=PULUMI_META_CONTENT,
            content_type="application/yaml",
            server_side_encryption="aws:kms",
            kms_key_id=state_key.arn,
            bucket_key_enabled=True,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=state_settings),
        )

        # --- Roles -----------------------------------------------------------------------------
        def ci_role(kind: str, subjects: list[str], write: bool, policy_arns: list[str]) -> aws.iam.Role:
            role = aws.iam.Role(
                f"{name}-{kind}-role",
                name=conventions.physical_name(name, env, kind, kind="iam_role"),
                description=f"GitHub Actions {kind}s with the Pulumi state of the {env} account",
                assume_role_policy=deploy_trust_policy(
                    trusted_provider_arn, subjects, sid=f"GitHubActions{kind.capitalize()}"
                ),
                max_session_duration=conventions.DEPLOY_ROLE_MAX_SESSION_SECONDS,
                tags=tags,
                opts=role_opts,
            )
            aws.iam.RolePolicy(
                f"{name}-{kind}-state-policy",
                name="pulumi-state",
                role=role.name,
                policy=ci_state_permissions(
                    bucket_arn=state_arn,
                    state_key_arn=state_key.arn,
                    secrets_key_arn=secrets_key.arn,
                    projects=config.state_projects,
                    region=region,
                    dns_suffix=partition.dns_suffix,
                    write=write,
                ),
                opts=child,
            )
            for arn in policy_arns:
                aws.iam.RolePolicyAttachment(
                    f"{name}-{kind}-{policy_name(arn)}", role=role.name, policy_arn=arn, opts=child
                )
            return role

        deploy_role = ci_role("deploy", deploy_subjects(config.repositories), True, config.deploy_policy_arns)
        preview_role = ci_role(
            "preview", preview_subjects(config.repositories), False, config.preview_policy_arns
        )

        self.state_bucket_name = state_bucket.bucket
        self.backend_url = pulumi.Output.concat("s3://", state_bucket.bucket)
        self.secrets_provider = pulumi.Output.concat("awskms://", secrets_alias, "?region=", region)
        self.deploy_role_arn = deploy_role.arn
        self.preview_role_arn = preview_role.arn
        self.oidc_provider_arn = provider_arn
        self.exports = {
            "backendUrl": self.backend_url,
            "secretsProvider": self.secrets_provider,
            "deployRoleArn": self.deploy_role_arn,
            "previewRoleArn": self.preview_role_arn,
            "oidcProviderArn": self.oidc_provider_arn,
        }
        self.register_outputs(dict(self.exports))
