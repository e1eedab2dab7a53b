"""DynamoDB tables encrypt their data with a customer managed KMS key."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

TABLE = "aws:dynamodb/table:Table"

# Peers: checkov CKV_AWS_119


def check(props, config):
    sse = get_path(props, "serverSideEncryption")  # unknown: the policy can't run until apply
    try:
        enabled = get_path(sse, "enabled") if sse is not None else False
    except UnknownValueError as error:
        enabled = error
    if enabled is not True and not isinstance(enabled, UnknownValueError):
        return (
            "table is encrypted with the AWS owned key, outside any key policy you control; set "
            "serverSideEncryption: {enabled: true, kmsKeyArn: <customer managed key ARN>}"
        )
    try:
        key = get_path(sse, "kmsKeyArn")
    except UnknownValueError:
        key = True  # a key ARN known after apply is a key that is set
    if not key:
        if enabled is True:
            return (
                "table is encrypted with the AWS managed key aws/dynamodb, whose key policy you cannot restrict; "
                "set serverSideEncryption.kmsKeyArn to a customer managed key"
            )
        # enabled or not, no kmsKeyArn means an AWS owned or AWS managed key
        return (
            "table names no customer managed key; set serverSideEncryption: {enabled: true, kmsKeyArn: "
            "<customer managed key ARN>}"
        )
    if isinstance(enabled, UnknownValueError):
        raise enabled  # a key is set, but encryption with it may be off: can't run until apply
    return None


POLICY = PolicySpec(
    id="aws-dynamodb-cmk-encryption",
    description="DynamoDB tables are encrypted with a customer managed KMS key (serverSideEncryption.kmsKeyArn).",
    severity="medium",
    rationale="DynamoDB always encrypts at rest, but with the AWS owned key (the default) or the AWS managed key "
    "aws/dynamodb anyone granted dynamodb:GetItem in the account reads the data; a customer managed key adds a key "
    "policy and CloudTrail-logged kms:Decrypt that can be revoked separately, and lets a table be made unreadable "
    "by disabling the key.",
    remediation="Pass `server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, "
    "kms_key_arn=key.arn)` to the `aws.dynamodb.Table`, with `key` an `aws.kms.Key` that has rotation enabled "
    "(replicas take their own `kms_key_arn` in `replicas`).",
    resource_types=(TABLE,),
    check=check,
    controls={NIST: ("SC-12", "SC-28")},
    peers={"checkov": ("CKV_AWS_119",)},
)
