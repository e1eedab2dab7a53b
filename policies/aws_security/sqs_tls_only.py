"""SQS queues refuse every request made without TLS (a queue policy Deny on aws:SecureTransport false)."""

# Peers: cdk-nag AwsSolutions-SQS4

from goldenpath.policy import NIST, PCI, PolicySpec

from ._elb import Pointers
from ._s3 import UNKNOWN, arn_covers_prefix, read
from ._transport import denies_plain_http

QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
_EXPECTED = (
    'a statement that denies "sqs:*" to Principal "*" on the queue when aws:SecureTransport is "false"'
)


def _every_sqs_action(action: str) -> bool:
    # Denying only some actions leaves the rest (receiving, deleting with receipt handles) on plain HTTP.
    return arn_covers_prefix(action, "sqs:")


def stack_check(resources, config):
    queues = [r for r in resources if r.resource_type == QUEUE]
    # A queue's id is its URL, which is what a QueuePolicy's queueUrl holds.
    policies = Pointers(
        queues, [r for r in resources if r.resource_type == QUEUE_POLICY], "queueUrl", keys=("url", "id")
    )
    for queue in queues:
        documents = [read(p.props, "policy") for p in policies.of(queue)]
        inline = read(queue.props, "policy")
        if inline is not None:
            documents.append(inline)
        if not documents:
            if policies.reach(queue) is False:
                yield queue.urn, f"queue has no queue policy; add a QueuePolicy with {_EXPECTED}"
            continue
        arn = read(queue.props, "arn")
        verdicts = [
            denies_plain_http(d, None if arn is UNKNOWN else arn, _every_sqs_action) for d in documents
        ]
        if any(v is not False for v in verdicts) or policies.reach(queue) is None:
            continue  # undecided, or a policy whose target is not known yet may be this queue's
        yield queue.urn, f"queue policy does not refuse requests over plain HTTP; add {_EXPECTED}"


POLICY = PolicySpec(
    id="aws-sqs-tls-only",
    description="Every SQS queue has a queue policy that denies all SQS actions when aws:SecureTransport is false.",
    severity="medium",
    rationale="SQS endpoints accept plain HTTP, so a producer or consumer that is misconfigured or downgraded "
    "sends and receives message bodies readable and alterable on the network; an explicit Deny on "
    "aws:SecureTransport=false makes the queue refuse every such request, whoever signs it.",
    remediation="Add an `aws.sqs.QueuePolicy` (`queue_url=queue.id`) or set `policy` on the `aws.sqs.Queue` with "
    'the statement `{"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": queue_arn, '
    '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}`.',
    resource_types=(QUEUE, QUEUE_POLICY),
    stack_check=stack_check,
    controls={NIST: ("SC-8",), PCI: ("4.2.1",)},
    peers={"cdk-nag": ("AwsSolutions-SQS4",)},
)
