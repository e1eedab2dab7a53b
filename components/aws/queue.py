"""Queue: an SQS queue and its dead-letter queue, under the service's own KMS key, TLS only.

The main queue (when there is one) sends a message that was received ``max_receive_count`` times
without being deleted to the dead-letter queue; the dead-letter queue accepts messages from that
queue only (or, for a queue that only a service such as EventBridge Scheduler writes to, from no
queue at all). Both refuse every request made without TLS. A managed policy grants exactly what a
consumer of the main queue needs.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field

from goldenpath import conventions
from goldenpath.components.aws._kms import encryption_key, key_alias_name
from goldenpath.components.aws.logging import PURPOSE_PATTERN, SERVICE_PATTERN
from goldenpath.conventions import Environment
from goldenpath.models import ComponentArgs

__all__ = ["CONSUME_ACTIONS", "Queue", "QueueArgs", "consume_policy_document", "tls_only_queue_policy"]

CONSUME_ACTIONS: tuple[str, ...] = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
)


class QueueArgs(ComponentArgs):
    """Inputs of :class:`Queue`."""

    service: str = Field(pattern=SERVICE_PATTERN, description="Service name; part of the queue names.")
    environment: Environment = Field(description="Deployment environment; part of the queue names.")
    purpose: str = Field(
        pattern=PURPOSE_PATTERN,
        description="What the queue holds ('jobs', 'failed-invocations'); part of the names and the key alias.",
    )
    dead_letter_only: bool = Field(
        default=False,
        description="Create only the dead-letter queue, for a service that sends its failures to it "
        "(no main queue, no consume policy).",
    )
    max_receive_count: int = Field(
        default=conventions.SQS_MAX_RECEIVE_COUNT,
        ge=1,
        le=1000,
        description="Receives of a message without a delete before it moves to the dead-letter queue.",
    )
    visibility_timeout_seconds: int = Field(
        default=conventions.SQS_VISIBILITY_TIMEOUT_SECONDS,
        ge=0,
        le=43_200,
        description="How long a received message stays hidden from other consumers.",
    )
    message_retention_seconds: int = Field(
        default=conventions.SQS_MESSAGE_RETENTION_SECONDS,
        ge=60,
        le=conventions.SQS_MAX_RETENTION_SECONDS,
        description="How long the main queue keeps a message; the dead-letter queue keeps them 14 days.",
    )
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")


def tls_only_queue_policy(queue_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """A queue policy that refuses every SQS action made without TLS, whoever signs it."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sqs:*",
                    "Resource": queue_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def consume_policy_document(
    *,
    queue_arn: pulumi.Input[str],
    key_arn: pulumi.Input[str],
    region: pulumi.Input[str],
    dns_suffix: pulumi.Input[str],
) -> dict[str, Any]:
    """Receive, delete and extend messages of exactly one queue; decrypt them only through SQS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ConsumeQueue",
                "Effect": "Allow",
                "Action": list(CONSUME_ACTIONS),
                "Resource": queue_arn,
            },
            {
                "Sid": "DecryptThroughSqs",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
                "Condition": {
                    "StringEquals": {"kms:ViaService": pulumi.Output.concat("sqs.", region, ".", dns_suffix)}
                },
            },
        ],
    }


class Queue(pulumi.ComponentResource):
    """An encrypted, TLS-only SQS queue with a dead-letter queue, and the policy to consume it."""

    kms_key_arn: pulumi.Output[str]
    queue_arn: pulumi.Output[str] | None
    queue_url: pulumi.Output[str] | None
    queue_name: pulumi.Output[str] | None
    # The URL SQS gives the main queue, spelt from its name: known before the queue exists, so a task
    # definition that carries it can be judged at preview.
    queue_address: pulumi.Output[str] | None
    dead_letter_arn: pulumi.Output[str]
    dead_letter_url: pulumi.Output[str]
    dead_letter_name: pulumi.Output[str]
    consume_policy_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: QueueArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Queue", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region
        partition = aws.get_partition_output(opts=invoke)

        # No service statement: SQS uses the key for whoever IAM lets send or receive.
        key, _ = encryption_key(
            f"{name}-key",
            description=f"Encrypts the {args.purpose} queues of {args.service} ({args.environment})",
            account_id=account_id,
            partition=partition.partition,
            alias=key_alias_name(args.service, args.environment, f"{args.purpose}-queue"),
            tags=args.tags,
            parent=self,
        )
        dead_letter = aws.sqs.Queue(
            f"{name}-dlq",
            name=conventions.physical_name(
                args.service, args.environment, args.purpose, "dlq", kind="sqs_queue"
            ),
            kms_master_key_id=key.arn,
            message_retention_seconds=conventions.SQS_MAX_RETENTION_SECONDS,
            tags=args.tags,
            opts=child,
        )
        aws.sqs.QueuePolicy(
            f"{name}-dlq-policy",
            queue_url=dead_letter.id,
            policy=tls_only_queue_policy(dead_letter.arn),
            opts=child,
        )

        queue: aws.sqs.Queue | None = None
        queue_address: pulumi.Output[str] | None = None
        consume_policy: aws.iam.Policy | None = None
        if not args.dead_letter_only:
            queue_name = conventions.physical_name(
                args.service, args.environment, args.purpose, kind="sqs_queue"
            )
            queue_address = pulumi.Output.concat(
                "https://sqs.", region, ".", partition.dns_suffix, "/", account_id, "/", queue_name
            )
            queue = aws.sqs.Queue(
                f"{name}-queue",
                name=queue_name,
                kms_master_key_id=key.arn,
                visibility_timeout_seconds=args.visibility_timeout_seconds,
                message_retention_seconds=args.message_retention_seconds,
                receive_wait_time_seconds=conventions.SQS_RECEIVE_WAIT_SECONDS,
                redrive_policy=pulumi.Output.json_dumps(
                    {"deadLetterTargetArn": dead_letter.arn, "maxReceiveCount": args.max_receive_count}
                ),
                tags=args.tags,
                opts=child,
            )
            aws.sqs.QueuePolicy(
                f"{name}-queue-policy",
                queue_url=queue.id,
                policy=tls_only_queue_policy(queue.arn),
                opts=child,
            )
            consume_policy = aws.iam.Policy(
                f"{name}-consume",
                name=conventions.physical_name(
                    args.service, args.environment, args.purpose, "consume", kind="iam_policy"
                ),
                description=f"Consume the {args.purpose} queue of {args.service} ({args.environment})",
                policy=pulumi.Output.json_dumps(
                    consume_policy_document(
                        queue_arn=queue.arn,
                        key_arn=key.arn,
                        region=region,
                        dns_suffix=partition.dns_suffix,
                    )
                ),
                tags=args.tags,
                opts=child,
            )
        # Only the main queue may move its failures here; a service's dead-letter queue takes none.
        aws.sqs.RedriveAllowPolicy(
            f"{name}-dlq-redrive-allow",
            queue_url=dead_letter.id,
            redrive_allow_policy=(
                pulumi.Output.json_dumps({"redrivePermission": "byQueue", "sourceQueueArns": [queue.arn]})
                if queue is not None
                else pulumi.Output.json_dumps({"redrivePermission": "denyAll"})
            ),
            opts=child,
        )

        self.kms_key_arn = key.arn
        self.queue_arn = queue.arn if queue is not None else None
        self.queue_url = queue.url if queue is not None else None
        self.queue_name = queue.name if queue is not None else None
        self.queue_address = queue_address
        self.dead_letter_arn = dead_letter.arn
        self.dead_letter_url = dead_letter.url
        self.dead_letter_name = dead_letter.name
        self.consume_policy_arn = consume_policy.arn if consume_policy is not None else None
        self.register_outputs(
            {
                "kms_key_arn": self.kms_key_arn,
                "queue_arn": self.queue_arn,
                "queue_url": self.queue_url,
                "queue_name": self.queue_name,
                "dead_letter_arn": self.dead_letter_arn,
                "dead_letter_url": self.dead_letter_url,
                "dead_letter_name": self.dead_letter_name,
                "consume_policy_arn": self.consume_policy_arn,
            }
        )
