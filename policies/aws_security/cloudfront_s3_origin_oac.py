"""CloudFront reads its S3 origins through an origin access control."""

import re

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path, note_unknown

from ._cloudfront import named_origins

# Peers: cdk-nag AwsSolutions-CFR7

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"

# S3 REST endpoints (bucket.s3.amazonaws.com, bucket.s3.eu-west-1.amazonaws.com, bucket.s3-eu-west-1...);
# website endpoints (s3-website) serve only public HTTP and cannot use origin access control.
_S3_REST = re.compile(r"\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$", re.IGNORECASE)
_S3_WEBSITE = re.compile(r"\.s3-website[.-]", re.IGNORECASE)


def _is_s3(domain, s3_config):
    if s3_config is not None:
        return True
    if isinstance(domain, str) and not _S3_WEBSITE.search(domain):
        return bool(_S3_REST.search(domain.strip().rstrip(".")))
    return False


def check(props, config):
    for name, origin in named_origins(props):
        try:
            if get_path(origin, "originAccessControlId"):
                continue
        except UnknownValueError:
            continue  # an access control id known after apply is one that is set
        try:
            s3_config = get_path(origin, "s3OriginConfig")
        except UnknownValueError as error:
            s3_config, unknown_config = None, error
        else:
            unknown_config = None
        if s3_config is None:
            try:
                domain = get_path(origin, "domainName")
            except UnknownValueError as error:
                # A computed domain name may be a bucket's, unless the origin is a custom one (a load
                # balancer's); without an s3OriginConfig to tell, the policy can't run until apply.
                try:
                    custom = get_path(origin, "customOriginConfig")
                except UnknownValueError:
                    custom = None
                if custom is None or unknown_config is not None:
                    note_unknown(unknown_config or error)
                continue
            if not _is_s3(domain, None):
                if unknown_config is not None:
                    note_unknown(unknown_config)  # an s3OriginConfig known after apply makes it S3
                continue
        try:
            identity = get_path(s3_config, "originAccessIdentity") if s3_config is not None else None
        except UnknownValueError:
            identity = "unknown"
        if identity:
            yield (
                f"S3 origin {name!r} uses a legacy origin access identity; create an aws.cloudfront."
                "OriginAccessControl and set originAccessControlId (and drop the identity)"
            )
        else:
            yield (
                f"S3 origin {name!r} has no origin access control, so its bucket must be public to be read; set "
                "originAccessControlId to an aws.cloudfront.OriginAccessControl and grant it in the bucket policy"
            )


POLICY = PolicySpec(
    id="aws-cloudfront-s3-origin-oac",
    description="CloudFront S3 origins use an origin access control (not a legacy origin access identity or a "
    "public bucket).",
    severity="medium",
    rationale="Without origin access, CloudFront reads the bucket as an anonymous user, so the bucket must be "
    "public and the CDN (with its WAF, geo and signed-URL rules) can be bypassed. Origin access identities "
    "are legacy: they do not sign requests with SigV4, nor work with SSE-KMS buckets or newer regions.",
    remediation='Create an `aws.cloudfront.OriginAccessControl` (`origin_access_control_origin_type="s3"`, '
    '`signing_behavior="always"`, `signing_protocol="sigv4"`), set `origin_access_control_id` on the origin, and '
    "allow `cloudfront.amazonaws.com` with `aws:SourceArn` the distribution's ARN in the bucket policy.",
    resource_types=(DISTRIBUTION,),
    check=check,
    controls={NIST: ("AC-3", "AC-6")},
    peers={"cdk-nag": ("AwsSolutions-CFR7",)},
)
