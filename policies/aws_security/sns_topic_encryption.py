"""SNS topics encrypt the messages they hold with a KMS key."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

TOPIC = "aws:sns/topic:Topic"


def check(props, config):
    try:
        key = get_path(props, "kmsMasterKeyId")
    except UnknownValueError:
        return None  # a key ARN computed from another resource: set, known after apply
    if not key:
        return "topic has no kmsMasterKeyId; encrypt it with a customer managed KMS key"
    return None


POLICY = PolicySpec(
    id="aws-sns-encryption",
    description="SNS topics use server-side encryption with a KMS key.",
    severity="medium",
    rationale="SNS stores messages until they are delivered; without server-side encryption alarm and event "
    "payloads rest unencrypted under keys nobody controls.",
    remediation="Set `kms_master_key_id` on the `aws.sns.Topic` to a customer managed `aws.kms.Key` whose policy "
    "lets the publishing services (e.g. cloudwatch.amazonaws.com) use it; goldenpath's Monitoring component "
    "does this for its alarm topic.",
    resource_types=(TOPIC,),
    check=check,
    controls={NIST: ("SC-12", "SC-28")},
    peers={"checkov": ("CKV_AWS_26",)},
)
