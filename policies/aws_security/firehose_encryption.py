"""Firehose delivery streams that take direct puts encrypt the data they buffer."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

DELIVERY_STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"

# Peers: checkov CKV_AWS_240, cdk-nag AwsSolutions-KDF1
# Firehose supports server-side encryption only for Direct PUT sources: data read from a Kinesis
# stream stays under that stream's encryption, and an MSK source under the cluster's.
_SOURCES = ("kinesisSourceConfiguration", "mskSourceConfiguration")


def _key_set(sse):
    try:
        return bool(get_path(sse, "keyArn"))
    except UnknownValueError:
        return True  # a key ARN known only after apply is a key that is set


def _problem(props):
    if any(get_path(props, source) for source in _SOURCES):
        return None
    sse = get_path(props, "serverSideEncryption")
    if get_path(sse, "enabled") is not True:
        return (
            "delivery stream does not encrypt the data it buffers (serverSideEncryption.enabled defaults to "
            "false); set serverSideEncryption: {enabled: true, keyType: CUSTOMER_MANAGED_CMK, keyArn: <key ARN>}"
        )
    if get_path(sse, "keyType") == "CUSTOMER_MANAGED_CMK" and not _key_set(sse):
        return "serverSideEncryption.keyType is CUSTOMER_MANAGED_CMK but keyArn is not set; set keyArn to the key"
    return None


def check(props, config):
    return _problem(props)  # an unknown value propagates: the engine says it can't run yet


POLICY = PolicySpec(
    id="aws-firehose-encryption",
    description="Firehose delivery streams with a Direct PUT source enable server-side encryption.",
    severity="medium",
    rationale="Firehose buffers records for up to a day when a destination is slow or failing; server-side "
    "encryption (off by default) keeps that buffer encrypted, and a customer managed key puts it behind a key "
    "policy. Streams fed by Kinesis or MSK are covered by their source's encryption and pass.",
    remediation="Pass `server_side_encryption=aws.kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs("
    'enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=key.arn)` to the `aws.kinesis.FirehoseDeliveryStream` '
    '(`key_type="AWS_OWNED_CMK"` at least).',
    resource_types=(DELIVERY_STREAM,),
    check=check,
    controls={NIST: ("SC-28",)},
    peers={"checkov": ("CKV_AWS_240",), "cdk-nag": ("AwsSolutions-KDF1",)},
)
