"""The customer-managed KMS key a component encrypts its data with, built one way everywhere.

Every key rotates and waits before deletion as the conventions decide, and its policy lets the
owning account administer it (so IAM policies decide who uses it) plus whatever AWS services
the component names for its own data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from goldenpath import conventions


def account_administers_key(*, account_id: pulumi.Input[str], partition: pulumi.Input[str]) -> dict[str, Any]:
    """The key policy statement that hands the key to the account, and so to its IAM policies."""
    return {
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": pulumi.Output.concat("arn:", partition, ":iam::", account_id, ":root")},
        "Action": "kms:*",
        "Resource": "*",
    }


def key_policy(
    *,
    account_id: pulumi.Input[str],
    partition: pulumi.Input[str],
    service_statements: Sequence[dict[str, Any]] = (),
) -> pulumi.Output[str]:
    """The key policy: the account administers the key; ``service_statements`` follow, in order."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                account_administers_key(account_id=account_id, partition=partition),
                *service_statements,
            ],
        }
    )


def key_alias_name(service: str, environment: str, purpose: str) -> str:
    """``alias/goldenpath/<service>/<environment>/<purpose>``."""
    return f"alias/{conventions.NAME_ROOT}/{service}/{environment}/{purpose}"


def encryption_key(
    resource_name: str,
    *,
    description: str,
    account_id: pulumi.Input[str],
    partition: pulumi.Input[str],
    service_statements: Sequence[dict[str, Any]] = (),
    alias: str | None = None,
    tags: dict[str, str],
    parent: pulumi.Resource,
    protect: bool = False,
) -> tuple[aws.kms.Key, aws.kms.Alias | None]:
    """A rotating KMS key under :func:`key_policy`, and its alias (``<resource_name>-alias``) if named.

    ``protect`` keeps Pulumi from deleting the key: a destroy that would delete it fails before it starts.
    """
    child = pulumi.ResourceOptions(parent=parent)
    key = aws.kms.Key(
        resource_name,
        description=description,
        enable_key_rotation=conventions.KMS_KEY_ROTATION,
        rotation_period_in_days=conventions.KMS_ROTATION_PERIOD_DAYS,
        deletion_window_in_days=conventions.KMS_DELETION_WINDOW_DAYS,
        policy=key_policy(account_id=account_id, partition=partition, service_statements=service_statements),
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    key_alias = (
        aws.kms.Alias(f"{resource_name}-alias", name=alias, target_key_id=key.id, opts=child)
        if alias is not None
        else None
    )
    return key, key_alias
