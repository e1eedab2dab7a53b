"""SNS topic -> SQS queue (with a dead-letter queue); the prints are what the author debugged with."""

import json
import sys

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
retention = config.get_int("retentionSeconds") or 345600
print(f"deploying {pulumi.get_project()}/{pulumi.get_stack()} with retention {retention}s")

tags = {
    "team": "orders",
    "service": "order-events",
    "environment": pulumi.get_stack(),
    "cost-center": "cc-4410",
    "managed-by": "pulumi",
    "goldenpath:blueprint": "none",
    "goldenpath:version": "0",
}

dead_letters = aws.sqs.Queue("orders-dlq", sqs_managed_sse_enabled=True, tags=tags)
queue = aws.sqs.Queue(
    "orders",
    sqs_managed_sse_enabled=True,
    message_retention_seconds=retention,
    redrive_policy=dead_letters.arn.apply(
        lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    ),
    tags=tags,
)
topic = aws.sns.Topic("order-events", kms_master_key_id="alias/aws/sns", tags=tags)

aws.sqs.QueuePolicy(
    "orders-from-topic",
    queue_url=queue.id,
    policy=pulumi.Output.all(queue.arn, topic.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": arns[0],
                        "Condition": {"ArnEquals": {"aws:SourceArn": arns[1]}},
                    }
                ],
            }
        )
    ),
)
aws.sns.TopicSubscription("orders-subscription", topic=topic.arn, protocol="sqs", endpoint=queue.arn)

print("queue and topic declared", {"queue": "orders", "topic": "order-events"})
queue.arn.apply(lambda arn: print(f"queue arn: {arn}"))
print("warning: printing to stderr too", file=sys.stderr)

pulumi.export("topic_arn", topic.arn)
pulumi.export("queue_url", queue.id)
