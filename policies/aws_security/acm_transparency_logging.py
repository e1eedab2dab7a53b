"""Publicly trusted ACM certificates are recorded in certificate transparency logs."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

# Peers: checkov CKV_AWS_234

CERTIFICATE = "aws:acm/certificate:Certificate"


def check(props, config):
    try:
        if get_path(props, "certificateAuthorityArn"):
            return None  # a private CA's certificates are never published to public logs
    except UnknownValueError:
        return None  # a CA ARN known after apply is still a private CA
    # An unknown preference may turn out DISABLED: let it raise, the policy can't run yet.
    preference = get_path(props, "options.certificateTransparencyLoggingPreference", "ENABLED")
    if isinstance(preference, str) and preference.upper() == "DISABLED":
        return (
            "certificate transparency logging is disabled; set options.certificateTransparencyLoggingPreference "
            "to ENABLED (or remove it)"
        )
    return None


POLICY = PolicySpec(
    id="aws-acm-transparency-logging",
    description="Amazon-issued ACM certificates keep certificate transparency logging enabled.",
    severity="low",
    rationale="Certificate transparency logs let domain owners see every certificate issued for their names; "
    "browsers distrust public certificates missing from them, and opting out hides mis-issuance.",
    remediation='Leave `options.certificate_transparency_logging_preference` unset or set it to `"ENABLED"` on '
    "the `aws.acm.Certificate`; certificates of an internal host belong to a private CA "
    "(`certificate_authority_arn`) instead.",
    resource_types=(CERTIFICATE,),
    check=check,
    controls={NIST: ("SC-17", "AU-2")},
    peers={"checkov": ("CKV_AWS_234",)},
)
