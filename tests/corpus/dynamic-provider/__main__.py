"""A private, KMS-encrypted, versioned artifacts bucket named with a suffix from a dynamic provider."""

import secrets

import pulumi
import pulumi_aws as aws
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider


class SuffixProvider(ResourceProvider):
    def create(self, props):
        suffix = secrets.token_hex(int(props["byte_count"]))
        return CreateResult(id_=suffix, outs={"byte_count": props["byte_count"], "hex": suffix})

    def diff(self, _id, olds, news):
        return DiffResult(changes=olds["byte_count"] != news["byte_count"], replaces=["byte_count"])


class Suffix(Resource):
    hex: pulumi.Output[str]

    def __init__(self, name, byte_count, opts=None):
        super().__init__(SuffixProvider(), name, {"byte_count": byte_count, "hex": None}, opts)


config = pulumi.Config()
suffix = Suffix("artifacts-suffix", config.get_int("suffixBytes") or 4)

tags = {
    "team": "build",
    "service": "artifacts",
    "environment": pulumi.get_stack(),
    "cost-center": "cc-1900",
    "managed-by": "pulumi",
    "goldenpath:blueprint": "none",
    "goldenpath:version": "0",
}

key = aws.kms.Key(
    "artifacts-key",
    description="artifacts bucket encryption",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    tags=tags,
)

bucket = aws.s3.Bucket(
    "artifacts",
    bucket=suffix.hex.apply(lambda hex_suffix: f"acme-artifacts-{hex_suffix}"),
    tags=tags,
)

aws.s3.BucketPublicAccessBlock(
    "artifacts-public-access",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)

aws.s3.BucketServerSideEncryptionConfiguration(
    "artifacts-encryption",
    bucket=bucket.id,
    rules=[
        {
            "apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": key.arn,
            },
            "bucket_key_enabled": True,
        }
    ],
)

aws.s3.BucketVersioning(
    "artifacts-versioning",
    bucket=bucket.id,
    versioning_configuration={"status": "Enabled"},
)

pulumi.export("bucket", bucket.bucket)
