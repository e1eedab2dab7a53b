"""S3 buckets refuse every request that does not use TLS."""

# Peers: cdk-nag AwsSolutions-S10

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec

from ._s3 import (
    BUCKET,
    UNKNOWN,
    BucketIndex,
    MalformedPolicy,
    bucket_arns,
    denies_insecure_transport,
    read,
    statements,
)

BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
_EXPECTED = (
    'a statement that denies "s3:*" to Principal "*" on the bucket and its objects '
    '(Resource [bucket_arn, bucket_arn + "/*"]) when aws:SecureTransport is "false"'
)


def _verdict(document, arns):
    """True if the policy denies plain HTTP on the whole bucket, False if not, None while unknown
    (the document, or the bucket ARN its Resource would have to match)."""
    if document is UNKNOWN:
        return None
    if document is None or document == "":
        return False
    try:
        return denies_insecure_transport(statements(document), arns)
    except MalformedPolicy:
        return False
    except UnknownValueError:
        return None


def stack_check(resources, config):
    index = BucketIndex(resources)
    policies = index.links((BUCKET_POLICY,))
    for bucket in index.buckets:
        documents = [read(p.props, "policy") for p in policies.of(bucket)]
        inline = read(bucket.props, "policy")
        if inline is not None:
            documents.append(inline)
        if not documents:
            if not policies.may_reach(bucket):
                yield bucket.urn, f"bucket has no bucket policy; add a BucketPolicy with {_EXPECTED}"
            continue
        arns = bucket_arns(bucket)
        verdicts = [_verdict(d, arns) for d in documents]
        if any(v is not False for v in verdicts):
            continue
        yield bucket.urn, f"bucket policy does not refuse plain HTTP on the whole bucket; add {_EXPECTED}"


POLICY = PolicySpec(
    id="aws-s3-tls-only",
    description="Every S3 bucket has a bucket policy that denies requests made without TLS, on the bucket "
    "and all its objects.",
    severity="medium",
    rationale="S3 accepts plain HTTP by default; only an explicit Deny on aws:SecureTransport=false keeps "
    "credentials-signed requests and object data from crossing the network unencrypted.",
    remediation="Add an `aws.s3.BucketPolicy` for the bucket with the statement "
    '`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [bucket_arn, bucket_arn + "/*"], '
    '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}` (goldenpath\'s Service component adds it to its '
    "access-log bucket).",
    resource_types=(BUCKET, BUCKET_POLICY),
    stack_check=stack_check,
    controls={CIS_AWS: ("2.1.1",), NIST: ("SC-8",), PCI: ("4.2.1",)},
    peers={"cdk-nag": ("AwsSolutions-S10",)},
)
