"""S3 buckets keep object versions so that an overwrite or delete can be undone."""

from goldenpath.policy import NIST, PolicySpec, get_known

BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"


def stack_check(resources, config):
    enabled_for = set()
    for r in resources:
        if r.resource_type != VERSIONING:
            continue
        if get_known(r.props, "versioningConfiguration.status") != "Enabled":
            continue
        enabled_for.update(d.urn for d in r.property_dependencies.get("bucket", []))
        enabled_for.add(get_known(r.props, "bucket"))
    for r in resources:
        if r.resource_type != BUCKET:
            continue
        if r.urn in enabled_for or get_known(r.props, "bucket", r.name) in enabled_for:
            continue
        yield r.urn, "bucket has no BucketVersioning resource with status Enabled"


POLICY = PolicySpec(
    id="aws-s3-versioning-enabled",
    description="Every S3 bucket has versioning enabled by a BucketVersioning resource.",
    severity="medium",
    rationale="Versioning lets an accidental or malicious overwrite or delete be rolled back.",
    remediation='Add an `aws.s3.BucketVersioning` for the bucket with `versioning_configuration.status = "Enabled"`.',
    resource_types=(BUCKET, VERSIONING),
    stack_check=stack_check,
    controls={NIST: ("CP-9", "SI-12")},
    peers={"checkov": ("CKV_AWS_21",)},
)
