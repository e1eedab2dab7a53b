"""Kinesis data streams encrypt their records with KMS."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

STREAM = "aws:kinesis/stream:Stream"

# Peers: checkov CKV_AWS_43, cdk-nag AwsSolutions-KDS1


def _key_set(props):
    try:
        return bool(get_path(props, "kmsKeyId"))
    except UnknownValueError:
        return True  # a key id known only after apply is a key that is set


def _problem(props):
    encryption = get_path(props, "encryptionType", "NONE")
    if str(encryption).upper() != "KMS":
        return (
            "stream records are stored unencrypted (encryptionType is not KMS; unset means NONE); "
            "set encryptionType: KMS and kmsKeyId to a KMS key"
        )
    if not _key_set(props):
        return "encryptionType is KMS but kmsKeyId is not set; set kmsKeyId to a customer managed key or alias/aws/kinesis"
    return None


def check(props, config):
    return _problem(props)  # an unknown value propagates: the engine says it can't run yet


POLICY = PolicySpec(
    id="aws-kinesis-stream-encryption",
    description="Kinesis data streams use server-side encryption with a KMS key (encryptionType: KMS).",
    severity="high",
    rationale="A Kinesis stream stores every record for its retention period (one day to a year); with the "
    "default encryptionType NONE those records sit unencrypted on AWS storage, and server-side encryption has no "
    "throughput cost.",
    remediation='Pass `encryption_type="KMS"` and `kms_key_id=key.arn` (a customer managed `aws.kms.Key`, or '
    '`"alias/aws/kinesis"` for the AWS managed key) to the `aws.kinesis.Stream`.',
    resource_types=(STREAM,),
    check=check,
    controls={NIST: ("SC-28",), PCI: ("3.5.1",)},
    peers={"checkov": ("CKV_AWS_43",), "cdk-nag": ("AwsSolutions-KDS1",)},
)
