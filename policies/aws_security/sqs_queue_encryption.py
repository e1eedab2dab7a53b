"""SQS queues encrypt the messages they hold."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

QUEUE = "aws:sqs/queue:Queue"


def _encrypted(props):
    """True, False, or None while the answer depends on a value known only after apply."""
    try:
        if get_path(props, "kmsMasterKeyId"):
            return True
    except UnknownValueError:
        return None  # a key ARN computed from another resource: set, known after apply
    return get_path(props, "sqsManagedSseEnabled") is True


def check(props, config):
    if _encrypted(props) is False:
        return "queue is not encrypted; set kmsMasterKeyId to a KMS key or sqsManagedSseEnabled to true"
    return None


def remediate(props, config):
    if _encrypted(props) is not False or get_path(props, "sqsManagedSseEnabled") is False:
        return None  # an explicit false is a decision to leave to its owner
    fixed = dict(props)
    fixed["sqsManagedSseEnabled"] = True
    return fixed


POLICY = PolicySpec(
    id="aws-sqs-encryption",
    description="SQS queues use server-side encryption (a KMS key or SQS managed SSE).",
    severity="medium",
    rationale="Queues hold messages for up to 14 days; server-side encryption keeps them unreadable on disk, "
    "and a customer managed KMS key also puts reading them behind a key policy you control.",
    remediation="Set `kms_master_key_id` on the `aws.sqs.Queue` to a customer managed `aws.kms.Key` (preferred), "
    "or at least `sqs_managed_sse_enabled=True`.",
    resource_types=(QUEUE,),
    check=check,
    remediate=remediate,
    controls={NIST: ("SC-12", "SC-28")},
    peers={"cdk-nag": ("AwsSolutions-SQS2",), "checkov": ("CKV_AWS_27",)},
)
