"""Lambda functions with environment variables encrypt them with a customer-managed KMS key."""

# Peers: checkov CKV_AWS_173 (which also fails a key set on a function without variables, a Terraform
# drift lint rather than an exposure; this policy passes that).

from collections.abc import Mapping

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

FUNCTION = "aws:lambda/function:Function"
AWS_MANAGED_ALIAS = "alias/aws/lambda"


def check(props, config):
    try:
        key = get_path(props, "kmsKeyArn")
    except UnknownValueError:
        return None  # the ARN of a key the stack creates: a customer-managed key
    if isinstance(key, str) and (key == AWS_MANAGED_ALIAS or key.endswith(f":{AWS_MANAGED_ALIAS}")):
        return f"kmsKeyArn names the AWS managed key {AWS_MANAGED_ALIAS}; set a customer-managed key's ARN"
    if key:
        return None
    variables = get_path(props, "environment.variables")
    if not isinstance(variables, Mapping) or not variables:
        return None  # nothing to encrypt
    return (
        f"the function's {len(variables)} environment variable(s) are encrypted only with the AWS managed key "
        f"{AWS_MANAGED_ALIAS}; set kmsKeyArn to a customer-managed KMS key"
    )


POLICY = PolicySpec(
    id="aws-lambda-environment-cmk",
    description="Lambda functions that have environment variables encrypt them with a customer-managed KMS key.",
    severity="low",
    rationale="Lambda encrypts environment variables at rest with the AWS managed key by default, which every "
    "principal allowed lambda:GetFunctionConfiguration can have decrypted for them; with a customer-managed key, "
    "its key policy decides who can read the values, each decryption is logged under that key, and it can be "
    "disabled in an incident.",
    remediation="Set `kms_key_arn` on the `aws.lambda_.Function` to an `aws.kms.Key` ARN (with rotation on) whose "
    "policy lets the function's role `kms:Decrypt`; better still, keep secrets out of environment variables.",
    resource_types=(FUNCTION,),
    check=check,
    controls={NIST: ("SC-12", "SC-28")},
    peers={"checkov": ("CKV_AWS_173",)},
)
