"""CloudWatch log groups encrypt their logs with a customer managed KMS key."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def check(props, config):
    try:
        key = get_path(props, "kmsKeyId")
    except UnknownValueError:
        return None  # a key ARN computed from another resource: set, known after apply
    if not key:
        return "log group has no kmsKeyId; encrypt it with a customer managed KMS key"
    return None


POLICY = PolicySpec(
    id="aws-cloudwatch-log-encryption",
    description="CloudWatch log groups are encrypted with a customer managed KMS key.",
    severity="medium",
    rationale="Logs carry request data, identifiers and sometimes secrets; a KMS key whose policy you control "
    "adds a second permission (kms:Decrypt) to read them, and disabling the key cuts off access at once.",
    remediation="Set `kms_key_id` on the `aws.cloudwatch.LogGroup` to the ARN of an `aws.kms.Key` whose policy "
    "lets the logs service principal of the region use it; goldenpath's Logging component does both.",
    resource_types=(LOG_GROUP,),
    check=check,
    controls={NIST: ("AU-9", "SC-28")},
    peers={"checkov": ("CKV_AWS_158",)},
)
