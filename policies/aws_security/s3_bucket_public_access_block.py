"""S3 buckets block every form of public access at the bucket level."""

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec

from ._s3 import BUCKET, UNKNOWN, BucketIndex, read

PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _flags_off(block):
    """The flags a public access block leaves off, or None while any is unknown."""
    values = {flag: read(block.props, flag, False) for flag in FLAGS}
    if any(v is UNKNOWN for v in values.values()):
        return None
    return [flag for flag, value in values.items() if value is not True]


def stack_check(resources, config):
    index = BucketIndex(resources)
    blocks = index.links((PUBLIC_ACCESS_BLOCK,))
    for bucket in index.buckets:
        attached = blocks.of(bucket)
        if not attached:
            if not blocks.may_reach(bucket):
                yield (
                    bucket.urn,
                    ("bucket has no BucketPublicAccessBlock; add one with " + ", ".join(FLAGS) + " all true"),
                )
            continue
        verdicts = [_flags_off(b) for b in attached]
        if any(v == [] or v is None for v in verdicts):
            continue
        off = verdicts[0]
        yield (
            bucket.urn,
            f"bucket's public access block leaves {', '.join(off)} off; set all four flags to true",
        )


POLICY = PolicySpec(
    id="aws-s3-public-access-block",
    description="Every S3 bucket has a BucketPublicAccessBlock with all four flags true.",
    severity="high",
    rationale="Block Public Access overrides any ACL or bucket policy that would make data public, so one "
    "mistaken grant cannot expose the bucket; it is the control that catches the errors the others let through.",
    remediation="Add an `aws.s3.BucketPublicAccessBlock` with `bucket=bucket.id` and `block_public_acls`, "
    "`block_public_policy`, `ignore_public_acls` and `restrict_public_buckets` all `True` (goldenpath's Service "
    "component does this for its access-log bucket).",
    resource_types=(BUCKET, PUBLIC_ACCESS_BLOCK),
    stack_check=stack_check,
    controls={CIS_AWS: ("2.1.4",), NIST: ("AC-3", "AC-4", "SC-7"), PCI: ("1.3.1", "1.4.4")},
    peers={
        "cdk-nag": ("AwsSolutions-S2",),
        "checkov": (
            "CKV2_AWS_6",
            "CKV_AWS_53",
            "CKV_AWS_54",
            "CKV_AWS_55",
            "CKV_AWS_56",
        ),
    },
)
