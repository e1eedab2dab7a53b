"""Secrets Manager secrets are encrypted with a customer-managed KMS key."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

SECRET = "aws:secretsmanager/secret:Secret"
AWS_MANAGED_ALIAS = "alias/aws/secretsmanager"


def check(props, config):
    try:
        key = get_path(props, "kmsKeyId")
    except UnknownValueError:
        return None  # the ARN of a key the stack creates: a customer-managed key
    if not key:
        return f"kmsKeyId is not set, so the AWS managed key {AWS_MANAGED_ALIAS} is used; set a customer-managed key"
    if isinstance(key, str) and (key == AWS_MANAGED_ALIAS or key.endswith(f":{AWS_MANAGED_ALIAS}")):
        return f"kmsKeyId names the AWS managed key {AWS_MANAGED_ALIAS}; set a customer-managed key"
    return None


POLICY = PolicySpec(
    id="aws-secretsmanager-cmk",
    description="Secrets Manager secrets set kmsKeyId to a customer-managed KMS key.",
    severity="medium",
    rationale="With the AWS managed key, anyone in the account with secretsmanager:GetSecretValue can read the "
    "secret; a customer-managed key adds a key policy that decides who may decrypt, and it can be rotated, "
    "disabled and audited on its own.",
    remediation="Set `kmsKeyId` to a customer-managed key (the goldenpath Secrets component creates one per "
    "service and environment and limits decryption to Secrets Manager).",
    resource_types=(SECRET,),
    check=check,
    controls={NIST: ("SC-28", "SC-12"), PCI: ("3.6.1", "8.3.2")},
    peers={"checkov": ("CKV_AWS_149",)},
)
