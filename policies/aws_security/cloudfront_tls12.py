"""CloudFront speaks TLS 1.2 or newer to viewers and to custom origins."""

import re

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path, note_unknown

from ._cloudfront import named_origins
from ._iam import known_strings

# Peers: checkov CKV_AWS_174 (the viewer side). cdk-nag AwsSolutions-CFR4/CFR5 accept TLS 1.1 and are left out.

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"

# The oldest viewer security policy accepted (TLS 1.2 with the ciphers CloudFront chose in 2019).
MINIMUM_VIEWER_POLICY = "TLSv1.2_2019"
OUTDATED_ORIGIN_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1")
_POLICY = re.compile(r"^TLSv(\d)(?:\.(\d))?_(\d{4})$")


def _rank(policy):
    """(major, minor, year) of a viewer security policy such as TLSv1.2_2021; SSLv3 and TLSv1 rank lowest."""
    match = _POLICY.match(policy) if isinstance(policy, str) else None
    if not match:
        return (0, 0, 0)
    return (int(match.group(1)), int(match.group(2) or 0), int(match.group(3)))


def _viewer(props):
    try:
        certificate = get_path(props, "viewerCertificate")
    except UnknownValueError as error:
        note_unknown(error)
        return
    try:
        default_certificate = get_path(certificate, "cloudfrontDefaultCertificate")
    except UnknownValueError as error:
        # May be the default certificate (TLSv1); a known outdated minimum fails either way.
        note_unknown(error)
        default_certificate = None
    try:
        minimum = get_path(certificate, "minimumProtocolVersion", "TLSv1")  # provider default: TLSv1
    except UnknownValueError as error:
        if default_certificate is not True:
            note_unknown(error)
            return
        minimum = None
    if default_certificate is True:
        yield (
            "the distribution uses the CloudFront default certificate, which accepts TLSv1; use an ACM certificate "
            f"(viewerCertificate.acmCertificateArn, sslSupportMethod sni-only) with minimumProtocolVersion "
            f"{MINIMUM_VIEWER_POLICY} or newer"
        )
    elif certificate is not None and _rank(minimum) < _rank(MINIMUM_VIEWER_POLICY):
        yield (
            f"viewers may connect with {minimum}; set viewerCertificate.minimumProtocolVersion to "
            f"{MINIMUM_VIEWER_POLICY} or newer (TLSv1.2_2021)"
        )


def _origins(props):
    for name, origin in named_origins(props):
        try:
            custom = get_path(origin, "customOriginConfig")
        except UnknownValueError as error:
            note_unknown(error)
            continue
        if custom is None:
            continue
        try:
            protocol_policy = get_path(custom, "originProtocolPolicy")
        except UnknownValueError as error:
            note_unknown(error)  # may be http-only; known outdated protocols fail either way
            protocol_policy = None
        try:
            protocols = get_path(custom, "originSslProtocols")
        except UnknownValueError as error:
            note_unknown(error)
            protocols = None
        if protocol_policy == "http-only":
            yield (
                f"origin {name!r} is reached over plain HTTP; set customOriginConfig.originProtocolPolicy to "
                "https-only"
            )
            continue
        known, _ = known_strings(protocols)
        outdated = [p for p in known if p in OUTDATED_ORIGIN_PROTOCOLS]
        if outdated:
            yield (
                f"origin {name!r} allows {', '.join(outdated)}; set customOriginConfig.originSslProtocols to "
                '["TLSv1.2"]'
            )


def check(props, config):
    yield from _viewer(props)
    yield from _origins(props)


POLICY = PolicySpec(
    id="aws-cloudfront-tls12",
    description="CloudFront distributions require TLS 1.2+ from viewers (TLSv1.2_2019 or newer) and use only "
    "TLS 1.2 over HTTPS to custom origins.",
    severity="medium",
    rationale="TLS 1.0 and 1.1 are deprecated (RFC 8996) and SSLv3 is broken; a distribution that still accepts "
    "them, or fetches from its origin over plain HTTP, lets a network attacker read or downgrade the traffic.",
    remediation="Give the `aws.cloudfront.Distribution` a `viewer_certificate` with `acm_certificate_arn`, "
    '`ssl_support_method="sni-only"` and `minimum_protocol_version="TLSv1.2_2021"`, and every '
    '`custom_origin_config` `origin_protocol_policy="https-only"` with `origin_ssl_protocols=["TLSv1.2"]`.',
    resource_types=(DISTRIBUTION,),
    check=check,
    controls={NIST: ("SC-8", "SC-13"), PCI: ("4.2.1",)},
    peers={"checkov": ("CKV_AWS_174",)},
)
