"""KMS keys are not declared disabled."""

from goldenpath.policy import PolicySpec, get_path

# Peers: checkov CKV_AWS_227

KEY = "aws:kms/key:Key"


def check(props, config):
    # Unset, a key is enabled; an unknown value raises and is decided after apply.
    if get_path(props, "isEnabled") is False:
        return (
            "KMS key is declared disabled (isEnabled is false): nothing it protects can be decrypted; "
            "set isEnabled to true, or schedule the key for deletion if it is no longer needed"
        )
    return None


POLICY = PolicySpec(
    id="aws-kms-key-enabled",
    description="Customer managed KMS keys are enabled (isEnabled is not false).",
    severity="low",
    rationale="A disabled key cannot encrypt or decrypt: every log group, bucket, secret or volume it protects "
    "becomes unreadable and writes to it fail. A key left disabled in code is either a mistake that breaks "
    "those services or a retired key that should be scheduled for deletion instead of kept around.",
    remediation="Remove `is_enabled=False` from the `aws.kms.Key` (it defaults to enabled), or delete the key "
    "resource so that AWS schedules it for deletion after `deletion_window_in_days`.",
    resource_types=(KEY,),
    check=check,
    peers={"checkov": ("CKV_AWS_227",)},
)
