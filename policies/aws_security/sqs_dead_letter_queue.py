"""SQS queues have a dead-letter queue, unless they are one."""

# Peers: cdk-nag AwsSolutions-SQS3

import json
from collections.abc import Mapping

from goldenpath.policy import NIST, PolicySpec

from ._s3 import UNKNOWN, read

QUEUE = "aws:sqs/queue:Queue"
REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy"
FUNCTION = "aws:lambda/function:Function"
SCHEDULE = "aws:scheduler/schedule:Schedule"


def _dead_letter_target(document):
    """The deadLetterTargetArn of a redrive policy, UNKNOWN until apply, or None when it names none."""
    if document is UNKNOWN:
        return UNKNOWN
    if isinstance(document, str):
        if not document.strip():
            return None
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return None
    if not isinstance(document, Mapping):
        return None
    target = read(document, "deadLetterTargetArn")
    return target if target is UNKNOWN or (isinstance(target, str) and target) else None


class _Reach:
    """Which queues something points at, and whether an unresolved pointer may point at any queue."""

    def __init__(self, queues):
        self.urns = {q.urn for q in queues}
        self.by_key = {}
        for q in queues:
            for key in ("arn", "url", "id"):
                value = read(q.props, key)
                if isinstance(value, str) and value:
                    self.by_key[value] = q.urn
        self.found = set()
        self.anywhere = False

    def add(self, resource, prop, value):
        linked = {d.urn for d in resource.property_dependencies.get(prop, ())} & self.urns
        if isinstance(value, str) and value in self.by_key:
            linked.add(self.by_key[value])
        self.found |= linked
        if not linked and value is UNKNOWN and not resource.property_dependencies.get(prop):
            self.anywhere = True

    def verdict(self, queue):
        if queue.urn in self.found:
            return True
        return None if self.anywhere else False


def stack_check(resources, config):
    queues = [r for r in resources if r.resource_type == QUEUE]
    redriven = _Reach(queues)  # queues whose redrive a separate RedrivePolicy sets
    dead_letter = _Reach(queues)  # queues some queue, function or schedule sends its failures to
    for r in resources:
        if r.resource_type == QUEUE:
            target = _dead_letter_target(read(r.props, "redrivePolicy"))
            if target is not None:
                dead_letter.add(r, "redrivePolicy", target)
        elif r.resource_type == REDRIVE_POLICY:
            target = _dead_letter_target(read(r.props, "redrivePolicy"))
            if target is not None:
                redriven.add(r, "queueUrl", read(r.props, "queueUrl"))
                dead_letter.add(r, "redrivePolicy", target)
        elif r.resource_type == FUNCTION:
            target = read(r.props, "deadLetterConfig.targetArn")
            if target is UNKNOWN or (isinstance(target, str) and target):
                dead_letter.add(r, "deadLetterConfig", target)
        elif r.resource_type == SCHEDULE:
            target = read(r.props, "target.deadLetterConfig.arn")
            if target is UNKNOWN or (isinstance(target, str) and target):
                dead_letter.add(r, "target", target)
    for queue in queues:
        if _dead_letter_target(read(queue.props, "redrivePolicy")) is not None:
            continue  # its own redrive policy (a target known only after apply is still a target)
        if redriven.verdict(queue) is not False or dead_letter.verdict(queue) is not False:
            continue
        yield (
            queue.urn,
            (
                "queue has no dead-letter queue and is not one; set redrivePolicy to "
                '{"deadLetterTargetArn": <DLQ ARN>, "maxReceiveCount": <n>}'
            ),
        )


POLICY = PolicySpec(
    id="aws-sqs-dead-letter-queue",
    description="SQS queues that are not themselves dead-letter queues (of a queue, a Lambda function or an "
    "EventBridge Scheduler schedule) send messages that keep failing to one (redrivePolicy.deadLetterTargetArn).",
    severity="low",
    rationale="Without a dead-letter queue a message that no consumer can process is received again and again "
    "until its retention period deletes it: it blocks a FIFO group, costs receives, and is lost without a trace; "
    "a dead-letter queue keeps it for inspection and lets an alarm on its depth show the failure.",
    remediation="Create a second `aws.sqs.Queue` as the dead-letter queue and pass "
    '`redrive_policy=pulumi.Output.json_dumps({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 5})` to the '
    "`aws.sqs.Queue` (or an `aws.sqs.RedrivePolicy`).",
    resource_types=(QUEUE, REDRIVE_POLICY, FUNCTION, SCHEDULE),
    stack_check=stack_check,
    controls={NIST: ("CP-10",)},
    peers={"cdk-nag": ("AwsSolutions-SQS3",)},
)
