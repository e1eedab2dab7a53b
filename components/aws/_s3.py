"""What makes a bucket private, written once for every bucket the components create."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def block_public_access(
    resource_name: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions
) -> tuple[aws.s3.BucketPublicAccessBlock, aws.s3.BucketOwnershipControls]:
    """All four public access block flags on, and ACLs disabled (BucketOwnerEnforced).

    Children are named ``<resource_name>-public-access`` and ``<resource_name>-ownership``.
    """
    public_access_block = aws.s3.BucketPublicAccessBlock(
        f"{resource_name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    ownership = aws.s3.BucketOwnershipControls(
        f"{resource_name}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=opts,
    )
    return public_access_block, ownership
