"""Clickstream: a Kinesis data stream, a DynamoDB sessions table, and a Firehose stream of direct puts to S3."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
shards = config.get_int("shards") or 1

provider = aws.Provider(
    "tagged",
    region="eu-west-1",
    default_tags={
        "tags": {
            "team": "analytics",
            "service": "clickstream",
            "environment": pulumi.get_stack(),
            "cost-center": "cc-4000",
            "managed-by": "pulumi",
            "goldenpath:blueprint": "none",
            "goldenpath:version": "0",
        }
    },
)
opts = pulumi.ResourceOptions(provider=provider)

stream = aws.kinesis.Stream("clicks", shard_count=shards, retention_period=48, opts=opts)

sessions = aws.dynamodb.Table(
    "sessions",
    attributes=[{"name": "sessionId", "type": "S"}],
    hash_key="sessionId",
    billing_mode="PAY_PER_REQUEST",
    ttl={"attribute_name": "expiresAt", "enabled": True},
    opts=opts,
)

archive = aws.s3.Bucket("click-archive", opts=opts)

firehose_role = aws.iam.Role(
    "firehose-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "firehose.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    opts=opts,
)

aws.iam.RolePolicy(
    "firehose-write",
    role=firehose_role.id,
    policy=archive.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:PutObject", "s3:GetBucketLocation"],
                        "Resource": [arn, f"{arn}/*"],
                    }
                ],
            }
        )
    ),
    opts=opts,
)

aws.kinesis.FirehoseDeliveryStream(
    "raw-events",
    destination="extended_s3",
    extended_s3_configuration={"role_arn": firehose_role.arn, "bucket_arn": archive.arn},
    opts=opts,
)

pulumi.export("stream", stream.name)
pulumi.export("table", sessions.name)
