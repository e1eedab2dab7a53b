"""S3 buckets that receive CloudTrail logs lock their objects (Object Lock with a default retention)."""

# Peers: checkov CKV_AWS_143 (object lock on every bucket that configures it)

from fnmatch import fnmatchcase

from goldenpath.policy import NIST, PCI, PolicySpec

from ._s3 import BUCKET, BucketIndex, read

TRAIL = "aws:cloudtrail/trail:Trail"
LOCK_CONFIGURATIONS = (
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
)


def _has_default_retention(props):
    retention = read(props, "rule.defaultRetention")
    return retention is not None and read(props, "objectLockEnabled", "Enabled") != "Disabled"


def stack_check(resources, config):
    index = BucketIndex(resources)
    locks = index.links(LOCK_CONFIGURATIONS)
    trails = index.links((TRAIL,), "s3BucketName")
    patterns = list(config["requireFor"])
    for bucket in index.buckets:
        name = read(bucket.props, "bucket", bucket.name)
        named = isinstance(name, str) and any(fnmatchcase(name, p) for p in patterns)
        receives_trail = trails.of(bucket)
        if not named and not receives_trail:
            continue  # a trail whose bucket is not known yet is not enough to blame any bucket
        if any(_has_default_retention(lock.props) for lock in locks.of(bucket)) or locks.may_reach(bucket):
            continue
        if _has_default_retention(read(bucket.props, "objectLockConfiguration", {})):
            continue
        why = "receives CloudTrail logs" if receives_trail else f"is named {name!r}, which requireFor lists"
        yield (
            bucket.urn,
            f"bucket {why} but does not lock its objects: anyone who can delete objects in it can erase the "
            "record; set objectLockEnabled: true and add a BucketObjectLockConfiguration with a "
            "rule.defaultRetention (COMPLIANCE or GOVERNANCE, days)",
        )


POLICY = PolicySpec(
    id="aws-s3-object-lock-log-buckets",
    description="S3 buckets that receive CloudTrail logs (or whose names `requireFor` lists) use Object Lock "
    "with a default retention.",
    severity="low",
    rationale="An attacker with account access deletes the CloudTrail logs that record what they did; Object "
    "Lock with a default retention makes each log object undeletable for that period, whoever asks. CloudTrail "
    "sets no retention of its own, so only a default retention locks its objects. Server access log buckets "
    "are not required to: S3 does not deliver server access logs to a bucket with a default retention.",
    remediation="Create the bucket with `object_lock_enabled=True` (versioning on) and add an "
    "`aws.s3.BucketObjectLockConfiguration` with `rule={'default_retention': {'mode': 'GOVERNANCE', 'days': "
    "365}}` (COMPLIANCE when not even the root user may shorten it); `requireFor` (bucket-name glob "
    "patterns) extends the rule to other buckets.",
    resource_types=(BUCKET, TRAIL, *LOCK_CONFIGURATIONS),
    stack_check=stack_check,
    controls={NIST: ("AU-9",), PCI: ("10.3.2",)},
    peers={"checkov": ("CKV_AWS_143",)},
    config_schema={
        "requireFor": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Glob patterns (fnmatch, case-sensitive) of bucket names that must also use Object "
            "Lock, beyond the CloudTrail destinations.",
        }
    },
)
