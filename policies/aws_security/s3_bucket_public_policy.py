"""S3 bucket policies grant nothing to anonymous or arbitrary principals."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._principals import public_policy_problems
from ._s3 import BUCKET

BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def check(props, config):
    return public_policy_problems(props, "policy", "bucket policy", "`policy` of the aws.s3.BucketPolicy")


POLICY = PolicySpec(
    id="aws-s3-no-public-bucket-policy",
    description='No S3 bucket policy allows anyone (Principal "*") without a condition that pins the caller.',
    severity="critical",
    rationale='An Allow for Principal "*" is an open door to the internet unless a condition such as '
    "aws:SourceArn, aws:SourceVpce or aws:PrincipalOrgID limits who can walk through it.",
    remediation="Name the principals that need access (an account, role or service principal) or add a "
    "condition on aws:SourceArn, aws:SourceAccount, aws:SourceVpce or aws:PrincipalOrgID to the statement; "
    "serve public content through CloudFront with origin access control instead of a public bucket.",
    resource_types=(BUCKET, BUCKET_POLICY),
    check=check,
    controls={NIST: ("AC-3", "AC-4", "SC-7"), PCI: ("1.3.1", "1.4.4")},
    peers={"checkov": ("CKV_AWS_70",)},
)
