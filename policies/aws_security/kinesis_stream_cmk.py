"""Kinesis data streams encrypt their records with a customer managed KMS key, not aws/kinesis."""

# Peers: checkov CKV_AWS_185 (cdk-nag AwsSolutions-KDS3 asks for the opposite: the AWS managed key, for cost)

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

STREAM = "aws:kinesis/stream:Stream"
AWS_MANAGED_ALIAS = "alias/aws/kinesis"
_CREATED = object()  # a key ARN known only after apply: a key the stack creates


def _problem(props):
    try:
        key = get_path(props, "kmsKeyId")
    except UnknownValueError:
        key = _CREATED
    if key is not _CREATED and _aws_managed(key):
        # Whatever encryptionType turns out to be, no customer managed key protects the records.
        return (
            f"kmsKeyId names the AWS managed key {AWS_MANAGED_ALIAS}, whose key policy you cannot restrict; "
            "set kmsKeyId to a customer managed key"
        )
    if str(get_path(props, "encryptionType", "NONE")).upper() != "KMS":
        return (
            "stream records are not encrypted with a customer managed key (encryptionType is not KMS); set "
            "encryptionType: KMS and kmsKeyId to a customer managed key"
        )
    if key is _CREATED:
        return None  # the ARN of a key the stack creates: a customer managed key
    if not key:
        return "encryptionType is KMS but kmsKeyId is not set; set kmsKeyId to a customer managed key"
    return None


def _aws_managed(key) -> bool:
    return isinstance(key, str) and (key == AWS_MANAGED_ALIAS or key.endswith(f":{AWS_MANAGED_ALIAS}"))


def check(props, config):
    return _problem(props)


POLICY = PolicySpec(
    id="aws-kinesis-stream-cmk",
    description="Kinesis data streams are encrypted with a customer managed KMS key rather than the AWS managed "
    "key alias/aws/kinesis.",
    severity="low",
    rationale="With the AWS managed key aws/kinesis, any principal of the account allowed kinesis:GetRecords reads "
    "the stream, and the key can be neither restricted, disabled nor shared with consumers in other accounts; a "
    "customer managed key adds a key policy and CloudTrail-logged decryption you control (at a KMS cost per "
    "producer and consumer call).",
    remediation='Pass `encryption_type="KMS"` and `kms_key_id=key.arn` to the `aws.kinesis.Stream`, with `key` an '
    "`aws.kms.Key` that has rotation enabled and grants the stream's producers kms:GenerateDataKey and its "
    "consumers kms:Decrypt.",
    resource_types=(STREAM,),
    check=check,
    controls={NIST: ("SC-12", "SC-28")},
    peers={"checkov": ("CKV_AWS_185",)},
)
