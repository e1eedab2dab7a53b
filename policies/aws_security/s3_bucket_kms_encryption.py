"""S3 buckets encrypt objects at rest with a customer managed KMS key."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._elb import LOAD_BALANCERS
from ._s3 import ALB_LOG_ENCRYPTION, BUCKET, UNKNOWN, BucketIndex, read, read_list

ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
AWS_MANAGED_S3_KEY = "alias/aws/s3"
_ASK_KMS = "use sseAlgorithm aws:kms with kmsMasterKeyId set to a customer managed KMS key"
PENDING = object()  # the verdict waits for values known only after apply


def _default_rule(configuration):
    """The applyServerSideEncryptionByDefault block of an encryption configuration, if any."""
    rules = read_list(configuration.props, "rules")
    if rules is UNKNOWN:
        return UNKNOWN
    for rule in rules:
        default = read(rule, "applyServerSideEncryptionByDefault")
        if default is not None:
            return default
    return None


def _problem(default, log_bucket):
    """What is wrong with one default-encryption block: None if fine, PENDING if not known yet."""
    if default is UNKNOWN:
        return PENDING
    if default is None:
        return "bucket's encryption configuration sets no default encryption; " + _ASK_KMS
    algorithm = read(default, "sseAlgorithm")
    if algorithm is UNKNOWN:
        return PENDING
    if algorithm in KMS_ALGORITHMS:
        key = read(default, "kmsMasterKeyId")
        if key is UNKNOWN or (isinstance(key, str) and key.strip() and not key.endswith(AWS_MANAGED_S3_KEY)):
            return None
        return f"bucket uses {algorithm} with the AWS managed key aws/s3; set kmsMasterKeyId to a customer managed KMS key"
    if algorithm == ALB_LOG_ENCRYPTION:
        if log_bucket is None:
            return PENDING
        if log_bucket:
            return None
        return f"bucket is encrypted with {ALB_LOG_ENCRYPTION} (SSE-S3, an AWS owned key); " + _ASK_KMS
    return f"bucket uses sseAlgorithm {algorithm!r}; " + _ASK_KMS


def stack_check(resources, config):
    index = BucketIndex(resources)
    configurations = index.links((ENCRYPTION,))
    alb_logs = index.access_log_buckets(application_only=True)
    for bucket in index.buckets:
        log_bucket = alb_logs.reach(bucket)
        defaults = [_default_rule(c) for c in configurations.of(bucket)]
        inline = read(bucket.props, "serverSideEncryptionConfiguration")
        if inline is not None:
            defaults.append(
                UNKNOWN if inline is UNKNOWN else read(inline, "rule.applyServerSideEncryptionByDefault")
            )
        if not defaults:
            if configurations.may_reach(bucket):
                continue
            if log_bucket:
                yield (
                    bucket.urn,
                    (
                        "load balancer access-log bucket has no BucketServerSideEncryptionConfiguration; add one with "
                        f"sseAlgorithm {ALB_LOG_ENCRYPTION} (the only encryption log delivery supports)"
                    ),
                )
            else:
                yield (
                    bucket.urn,
                    "bucket has no BucketServerSideEncryptionConfiguration; add one and " + _ASK_KMS,
                )
            continue
        problems = [_problem(d, log_bucket) for d in defaults]
        if any(p is None or p is PENDING for p in problems):
            continue
        yield bucket.urn, problems[0]


POLICY = PolicySpec(
    id="aws-s3-kms-encryption",
    description="Every S3 bucket is encrypted by default with SSE-KMS and a customer managed key "
    "(load balancer access-log buckets: SSE-S3).",
    severity="high",
    rationale="With a customer managed KMS key, reading an object also needs kms:Decrypt on a key whose policy "
    "you control and audit in CloudTrail, so a leaked S3 permission alone does not expose data; SSE-S3 and the "
    "AWS managed aws/s3 key give no such second gate. Elastic Load Balancing can only deliver access logs to "
    "SSE-S3 buckets, so those buckets must use AES256.",
    remediation="Add an `aws.s3.BucketServerSideEncryptionConfiguration` for the bucket whose rule sets "
    '`apply_server_side_encryption_by_default` to `sse_algorithm="aws:kms"` and `kms_master_key_id=key.arn` of '
    "an `aws.kms.Key` with rotation enabled (set `bucket_key_enabled=True` to cut KMS costs). For a load balancer "
    'access-log bucket use `sse_algorithm="AES256"`, as goldenpath\'s Service component does.',
    resource_types=(BUCKET, ENCRYPTION, *LOAD_BALANCERS),
    stack_check=stack_check,
    controls={NIST: ("SC-12", "SC-13", "SC-28"), PCI: ("3.5.1",)},
    peers={
        "checkov": (
            "CKV_AWS_145",
            "CKV_AWS_19",
        )
    },
)
