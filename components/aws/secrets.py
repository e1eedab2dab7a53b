"""Secrets: Secrets Manager secrets encrypted with the service's own KMS key, and a policy to read them."""

from __future__ import annotations

import re
from typing import Annotated, Any

import pulumi
import pulumi_aws as aws
from pydantic import ConfigDict, Field, field_validator, model_validator

from goldenpath import conventions
from goldenpath.components.aws._kms import encryption_key, key_alias_name
from goldenpath.components.aws.logging import SERVICE_PATTERN
from goldenpath.conventions import Environment
from goldenpath.models import WITHHELD, ComponentArgs, StrInput

SECRET_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def check_secret_names(names: list[str]) -> list[str]:
    """Unique names of 1-64 letters, digits, '-' or '_' (the last part of each secret's name)."""
    bad = [n for n in names if not re.fullmatch(SECRET_NAME_PATTERN, n)]
    if bad:
        raise ValueError(
            f"secret names are 1-64 letters, digits, '-' or '_'; not allowed: {', '.join(map(repr, bad))}"
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"secret names must be unique; repeated: {', '.join(repeated)}")
    return names


def secret_name(service: str, environment: str, secret: str) -> str:
    """``goldenpath/<service>/<environment>/<secret>``: the name of the secret in Secrets Manager."""
    return f"{conventions.NAME_ROOT}/{service}/{environment}/{secret}"


def read_policy_document(
    *,
    secret_arns: list[pulumi.Output[str]],
    key_arn: pulumi.Output[str],
    region: pulumi.Input[str],
    dns_suffix: pulumi.Input[str],
) -> dict[str, Any]:
    """Read exactly these secrets, and decrypt with the key only through Secrets Manager."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": secret_arns,
            },
            {
                "Sid": "DecryptThroughSecretsManager",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": pulumi.Output.concat("secretsmanager.", region, ".", dns_suffix)
                    }
                },
            },
        ],
    }


class SecretsArgs(ComponentArgs):
    """Inputs of :class:`Secrets`."""

    # A refused value may be a real secret: keep it out of the error message.
    model_config = ConfigDict(hide_input_in_errors=True)

    service: str = Field(pattern=SERVICE_PATTERN, description="Service name; part of each secret's name.")
    environment: Environment = Field(description="Deployment environment; part of each secret's name.")
    names: list[str] = Field(
        default_factory=list,
        description="Secret names (1-64 letters, digits, '-' and '_'), unique; one secret each.",
    )
    values: Annotated[dict[str, StrInput], WITHHELD] = Field(
        default_factory=dict,
        description="Initial values by secret name, as Pulumi secrets (e.g. config.require_secret). Plain "
        "strings are refused; Outputs are stored as secrets whether or not they were marked so.",
    )
    recovery_window_in_days: int = Field(
        default=conventions.SECRET_RECOVERY_WINDOW_DAYS,
        ge=conventions.SECRET_RECOVERY_WINDOW_RANGE[0],
        le=conventions.SECRET_RECOVERY_WINDOW_RANGE[1],
        description="Days a deleted secret stays recoverable.",
    )
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")

    @field_validator("names")
    @classmethod
    def _names_valid(cls, names: list[str]) -> list[str]:
        return check_secret_names(names)

    @field_validator("values")
    @classmethod
    def _values_are_outputs(cls, values: dict[str, StrInput]) -> dict[str, StrInput]:
        plain = sorted(key for key, value in values.items() if not isinstance(value, pulumi.Output))
        if plain:
            raise ValueError(
                f"values for {', '.join(plain)} are plain strings, which would be stored unencrypted in "
                "the stack state; read them from secret config "
                "(pulumi config set --secret …, then config.require_secret(…))"
            )
        return values

    @model_validator(mode="after")
    def _values_name_declared_secrets(self) -> SecretsArgs:
        unknown = sorted(set(self.values) - set(self.names))
        if unknown:
            raise ValueError(
                f"values given for undeclared secrets: {', '.join(unknown)}; declared names: "
                f"{', '.join(self.names) or 'none'}"
            )
        return self


class Secrets(pulumi.ComponentResource):
    """One Secrets Manager secret per name, under a rotating KMS key, with a least-privilege read policy."""

    kms_key_arn: pulumi.Output[str]
    secret_arns: dict[str, pulumi.Output[str]]
    read_policy_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Secrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region
        partition = aws.get_partition_output(opts=invoke)

        # No service statement: who may decrypt is decided by IAM (the read policy below).
        key, _ = encryption_key(
            f"{name}-key",
            description=f"Encrypts the secrets of {args.service} ({args.environment})",
            account_id=account_id,
            partition=partition.partition,
            alias=key_alias_name(args.service, args.environment, "secrets"),
            tags=args.tags,
            parent=self,
        )

        secret_arns: dict[str, pulumi.Output[str]] = {}
        for secret in args.names:
            resource = aws.secretsmanager.Secret(
                f"{name}-{secret}",
                name=secret_name(args.service, args.environment, secret),
                description=f"{secret} of {args.service} ({args.environment})",
                kms_key_id=key.arn,
                recovery_window_in_days=args.recovery_window_in_days,
                tags=args.tags,
                opts=child,
            )
            if secret in args.values:
                aws.secretsmanager.SecretVersion(
                    f"{name}-{secret}",
                    secret_id=resource.id,
                    # Marked secret here too: a value that reached us unmarked must not land in state.
                    secret_string=pulumi.Output.secret(args.values[secret]),
                    opts=child,
                )
            secret_arns[secret] = resource.arn

        read_policy_arn: pulumi.Output[str] | None = None
        if secret_arns:
            policy = aws.iam.Policy(
                f"{name}-read",
                name=conventions.physical_name(
                    args.service, args.environment, "secrets-read", kind="iam_policy"
                ),
                description=f"Read the secrets of {args.service} ({args.environment})",
                policy=pulumi.Output.json_dumps(
                    read_policy_document(
                        secret_arns=list(secret_arns.values()),
                        key_arn=key.arn,
                        region=region,
                        dns_suffix=partition.dns_suffix,
                    )
                ),
                tags=args.tags,
                opts=child,
            )
            read_policy_arn = policy.arn

        self.kms_key_arn = key.arn
        self.secret_arns = secret_arns
        self.read_policy_arn = read_policy_arn
        self.register_outputs(
            {
                "kms_key_arn": self.kms_key_arn,
                "secret_arns": self.secret_arns,
                "read_policy_arn": self.read_policy_arn,
            }
        )
