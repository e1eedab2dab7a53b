"""KMS keys rotate their key material every year."""

from goldenpath.conventions import KMS_KEY_ROTATION
from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, get_path

KEY = "aws:kms/key:Key"
SYMMETRIC = "SYMMETRIC_DEFAULT"
ROTATABLE_USAGE = "ENCRYPT_DECRYPT"


def _why_rotation_impossible(props):
    """Why AWS cannot rotate this key automatically, or None when it can."""
    spec = get_path(props, "customerMasterKeySpec", SYMMETRIC)
    if spec != SYMMETRIC:
        return f"{spec} keys"
    usage = get_path(props, "keyUsage", ROTATABLE_USAGE)
    if usage != ROTATABLE_USAGE:
        return f"{usage} keys"
    if get_path(props, "customKeyStoreId") or get_path(props, "xksKeyId"):
        return "keys in a custom key store"
    return None


def check(props, config):
    if _why_rotation_impossible(props):
        return None
    if get_path(props, "enableKeyRotation") is not True:
        return "symmetric key has automatic rotation off; set enableKeyRotation to true"
    return None


def remediate(props, config):
    if _why_rotation_impossible(props) or get_path(props, "enableKeyRotation") is True:
        return None
    fixed = dict(props)
    fixed["enableKeyRotation"] = KMS_KEY_ROTATION
    return fixed


POLICY = PolicySpec(
    id="aws-kms-key-rotation",
    description="Symmetric customer managed KMS keys have automatic key rotation enabled.",
    severity="medium",
    rationale="Yearly rotation limits how much data one version of key material protects and how long a "
    "leaked copy of it stays useful; AWS keeps old versions to decrypt old data, so rotation costs nothing. "
    "Asymmetric, HMAC and custom key store keys cannot rotate automatically and are exempt.",
    remediation="Set `enable_key_rotation=True` on the `aws.kms.Key` (and optionally `rotation_period_in_days`); "
    "goldenpath's Logging, Secrets and Monitoring components create their keys this way.",
    resource_types=(KEY,),
    check=check,
    remediate=remediate,
    controls={CIS_AWS: ("3.6",), NIST: ("SC-12",), PCI: ("3.7.4",)},
    peers={
        "awsguard": ("cmk-backing-key-rotation-enabled",),
        "cdk-nag": ("AwsSolutions-KMS5",),
        "checkov": ("CKV_AWS_7",),
    },
)
