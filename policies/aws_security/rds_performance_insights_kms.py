"""RDS Performance Insights data is encrypted with a customer-managed KMS key."""

# Peers: checkov CKV_AWS_354

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import CLUSTER, CLUSTER_INSTANCE, INSTANCE, is_true

AWS_MANAGED_ALIAS = "alias/aws/rds"


def check(props, config):
    if not is_true(get_path(props, "performanceInsightsEnabled")):
        return None
    try:
        key = get_path(props, "performanceInsightsKmsKeyId")
    except UnknownValueError:
        return None  # the ARN of a key the stack creates: a customer-managed key
    if not key:
        return (
            f"Performance Insights is on without performanceInsightsKmsKeyId, so the AWS managed key "
            f"{AWS_MANAGED_ALIAS} encrypts the captured SQL text; set a customer-managed key"
        )
    if isinstance(key, str) and (key == AWS_MANAGED_ALIAS or key.endswith(f":{AWS_MANAGED_ALIAS}")):
        return f"performanceInsightsKmsKeyId names the AWS managed key {AWS_MANAGED_ALIAS}; set a customer-managed key"
    return None


POLICY = PolicySpec(
    id="aws-rds-performance-insights-kms",
    description="RDS databases with Performance Insights encrypt its data with a customer-managed KMS key.",
    severity="low",
    rationale="Performance Insights keeps the text of the top SQL statements, literals included, which can "
    "hold personal data or secrets; under the AWS managed key anyone with pi:* in the account reads it, a "
    "customer-managed key's policy decides who may.",
    remediation="Set `performance_insights_kms_key_id` to a customer-managed key's ARN wherever "
    "`performance_insights_enabled=True` (it cannot be changed after Performance Insights is first enabled).",
    resource_types=(INSTANCE, CLUSTER_INSTANCE, CLUSTER),
    check=check,
    controls={NIST: ("SC-28", "SC-12")},
    peers={"checkov": ("CKV_AWS_354",)},
)
