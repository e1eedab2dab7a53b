"""KMS keys scheduled for deletion stay recoverable long enough to notice a mistake."""

from goldenpath.conventions import KMS_DELETION_WINDOW_DAYS
from goldenpath.policy import NIST, PolicySpec, get_path

KEY = "aws:kms/key:Key"
# AWS applies 30 days when deletionWindowInDays is not set.
AWS_DEFAULT_DELETION_WINDOW_DAYS = 30


def check(props, config):
    days = get_path(props, "deletionWindowInDays", AWS_DEFAULT_DELETION_WINDOW_DAYS)
    minimum = config["minimumDays"]
    if days < minimum:
        return f"key deletion window is {days:g} days; at least {minimum:g} days are required"
    return None


def remediate(props, config):
    minimum = config["minimumDays"]
    if get_path(props, "deletionWindowInDays", AWS_DEFAULT_DELETION_WINDOW_DAYS) >= minimum:
        return None
    fixed = dict(props)
    fixed["deletionWindowInDays"] = int(minimum)
    return fixed


POLICY = PolicySpec(
    id="aws-kms-deletion-window",
    description="KMS keys keep a deletion window of at least the configured number of days.",
    severity="low",
    rationale="Deleting a KMS key makes every object encrypted under it unreadable for good; the waiting "
    "period is the only chance to cancel a mistaken or malicious deletion.",
    remediation="Set `deletion_window_in_days` on the `aws.kms.Key` to at least 30 (or leave it unset: AWS "
    "then waits 30 days); goldenpath's components use conventions.KMS_DELETION_WINDOW_DAYS.",
    resource_types=(KEY,),
    check=check,
    remediate=remediate,
    controls={NIST: ("SC-12",)},
    config_schema={
        "minimumDays": {
            "type": "integer",
            "minimum": 7,
            "maximum": 30,
            "default": KMS_DELETION_WINDOW_DAYS,
            "description": "The shortest deletion window allowed, in days (AWS accepts 7 to 30).",
        }
    },
)
