"""A static website hosted on S3 (after Pulumi's aws-py-s3-folder example)."""

import mimetypes
import os

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
index_document = config.get("indexDocument") or "index.html"
site_dir = "www"
bucket_name = f"acme-docs-site-{pulumi.get_stack()}"

bucket = aws.s3.Bucket("site", bucket=bucket_name)

website = aws.s3.BucketWebsiteConfiguration(
    "site-website",
    bucket=bucket.id,
    index_document={"suffix": index_document},
    error_document={"key": "404.html"},
)

ownership = aws.s3.BucketOwnershipControls(
    "site-ownership",
    bucket=bucket.id,
    rule={"object_ownership": "ObjectWriter"},
)

# A website bucket has to be readable by everyone.
public_access = aws.s3.BucketPublicAccessBlock(
    "site-public-access",
    bucket=bucket.id,
    block_public_acls=False,
    block_public_policy=False,
    ignore_public_acls=False,
    restrict_public_buckets=False,
)

acl = aws.s3.BucketAcl(
    "site-acl",
    bucket=bucket.id,
    acl="public-read",
    opts=pulumi.ResourceOptions(depends_on=[ownership, public_access]),
)

for file in sorted(os.listdir(site_dir)):
    filepath = os.path.join(site_dir, file)
    mime_type, _ = mimetypes.guess_type(filepath)
    aws.s3.BucketObject(
        file,
        bucket=bucket.id,
        key=file,
        source=pulumi.FileAsset(filepath),
        content_type=mime_type,
        opts=pulumi.ResourceOptions(depends_on=[acl]),
    )

read_policy = aws.iam.get_policy_document(
    statements=[
        {
            "sid": "PublicReadGetObject",
            "effect": "Allow",
            "principals": [{"type": "*", "identifiers": ["*"]}],
            "actions": ["s3:GetObject"],
            "resources": [f"arn:aws:s3:::{bucket_name}/*"],
        }
    ]
)

aws.s3.BucketPolicy(
    "site-policy",
    bucket=bucket.id,
    policy=read_policy.json,
    opts=pulumi.ResourceOptions(depends_on=[public_access]),
)

pulumi.export("bucket_name", bucket.id)
pulumi.export("website_url", website.website_endpoint)
