"""Logging: a CloudWatch log group encrypted with its own KMS key, kept as long as the platform decided."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator

from goldenpath import conventions
from goldenpath.components.aws._kms import encryption_key, key_alias_name
from goldenpath.conventions import Environment
from goldenpath.models import ComponentArgs

SERVICE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
PURPOSE_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

# What CloudWatch Logs needs on the key to encrypt and read back one log group's data.
_LOGS_KEY_ACTIONS = (
    "kms:Encrypt*",
    "kms:Decrypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:Describe*",
)


def check_retention_days(days: int) -> int:
    """Return ``days`` if CloudWatch Logs accepts it and it meets the platform minimum, else raise."""
    allowed = [d for d in conventions.LOG_RETENTION_ALLOWED if d >= conventions.LOG_RETENTION_MINIMUM_DAYS]
    if days not in allowed:
        raise ValueError(
            f"retention of {days} days is not allowed; log retention must be at least "
            f"{conventions.LOG_RETENTION_MINIMUM_DAYS} days and one of the values CloudWatch Logs accepts: "
            f"{', '.join(str(d) for d in allowed)}"
        )
    return days


def resolve_retention_days(environment: str, retention_days: int | None) -> int:
    """The retention to apply: the given one, or the platform's default for ``environment``."""
    if retention_days is None:
        return conventions.LOG_RETENTION_DAYS[environment]
    return check_retention_days(retention_days)


def log_group_name(service: str, environment: str, purpose: str | None = None) -> str:
    """``/goldenpath/<service>/<environment>``, with ``/<purpose>`` appended when given."""
    parts = [conventions.NAME_ROOT, service, environment, *([purpose] if purpose else [])]
    return "/" + "/".join(parts)


def logs_key_statement(
    *,
    account_id: pulumi.Input[str],
    region: pulumi.Input[str],
    partition: pulumi.Input[str],
    dns_suffix: pulumi.Input[str],
    log_group: str,
) -> dict[str, Any]:
    """Key policy statement: CloudWatch Logs may use the key for ``log_group`` only."""
    return {
        "Sid": "CloudWatchLogsUsesKeyForThisLogGroup",
        "Effect": "Allow",
        "Principal": {"Service": pulumi.Output.concat("logs.", region, ".", dns_suffix)},
        "Action": list(_LOGS_KEY_ACTIONS),
        "Resource": "*",
        "Condition": {
            "ArnEquals": {
                "kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                    "arn:", partition, ":logs:", region, ":", account_id, ":log-group:", log_group
                )
            }
        },
    }


class LoggingArgs(ComponentArgs):
    """Inputs of :class:`Logging`."""

    service: str = Field(pattern=SERVICE_PATTERN, description="Service name; part of the log group name.")
    environment: Environment = Field(description="Deployment environment; picks the default retention.")
    retention_days: int | None = Field(
        default=None,
        description="Days to keep logs. None takes conventions.LOG_RETENTION_DAYS for the environment; "
        "otherwise one of conventions.LOG_RETENTION_ALLOWED and at least LOG_RETENTION_MINIMUM_DAYS.",
    )
    purpose: str | None = Field(
        default=None,
        pattern=PURPOSE_PATTERN,
        description="What the log group holds when it is not the service's own log (e.g. 'vpc-flow-logs'); "
        "appended to the log group name and the key alias.",
    )
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")

    @field_validator("retention_days")
    @classmethod
    def _retention_allowed(cls, value: int | None) -> int | None:
        return None if value is None else check_retention_days(value)


class Logging(pulumi.ComponentResource):
    """A CloudWatch log group with a decided retention, encrypted with a rotating KMS key of its own."""

    log_group_name: pulumi.Output[str]
    log_group_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: LoggingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Logging", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region
        partition = aws.get_partition_output(opts=invoke)

        group_name = log_group_name(args.service, args.environment, args.purpose)
        label = args.purpose or "logs"
        key, _ = encryption_key(
            f"{name}-key",
            description=f"Encrypts the {label} of {args.service} ({args.environment})",
            account_id=account_id,
            partition=partition.partition,
            service_statements=[
                logs_key_statement(
                    account_id=account_id,
                    region=region,
                    partition=partition.partition,
                    dns_suffix=partition.dns_suffix,
                    log_group=group_name,
                )
            ],
            alias=key_alias_name(args.service, args.environment, label),
            tags=args.tags,
            parent=self,
        )
        group = aws.cloudwatch.LogGroup(
            f"{name}-log-group",
            name=group_name,
            retention_in_days=resolve_retention_days(args.environment, args.retention_days),
            kms_key_id=key.arn,
            tags=args.tags,
            opts=child,
        )

        self.log_group_name = group.name
        self.log_group_arn = group.arn
        self.kms_key_arn = key.arn
        self.register_outputs(
            {
                "log_group_name": self.log_group_name,
                "log_group_arn": self.log_group_arn,
                "kms_key_arn": self.kms_key_arn,
            }
        )
