"""S3 buckets record server access logs, so that every request to their data can be traced."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._elb import LOAD_BALANCERS
from ._s3 import BUCKET, BucketIndex, read

BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"


def stack_check(resources, config):
    index = BucketIndex(resources)
    logging = index.links((BUCKET_LOGGING,))
    # Log destinations are exempt: logging a log bucket into itself or another bucket never ends.
    destinations = (
        index.links((BUCKET_LOGGING,), "targetBucket"),
        index.links((BUCKET,), "logging", "logging.targetBucket"),
        index.access_log_buckets(application_only=False),
    )
    for bucket in index.buckets:
        if logging.of(bucket) or read(bucket.props, "logging.targetBucket") is not None:
            continue
        if logging.may_reach(bucket):
            continue
        destination = [d.reach(bucket) for d in destinations]
        if any(d is not False for d in destination):
            continue
        yield (
            bucket.urn,
            ("bucket has no server access logging; add a BucketLogging that sends its logs to a log bucket"),
        )


POLICY = PolicySpec(
    id="aws-s3-access-logging",
    description="Every S3 bucket that is not itself a log destination has server access logging.",
    severity="low",
    rationale="Server access logs record each request (who, what object, from where), which CloudTrail "
    "management events do not; without them a data exfiltration cannot be scoped.",
    remediation="Add an `aws.s3.BucketLogging` with `bucket=bucket.id`, `target_bucket` a dedicated log bucket "
    "and a `target_prefix`; log buckets themselves (the target of a BucketLogging or of load balancer access "
    "logs, such as goldenpath's Service access-log bucket) are exempt.",
    resource_types=(BUCKET, BUCKET_LOGGING, *LOAD_BALANCERS),
    stack_check=stack_check,
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
    peers={
        "awsguard": ("s3-bucket-logging-enabled",),
        "cdk-nag": ("AwsSolutions-S1",),
        "checkov": ("CKV_AWS_18",),
    },
)
