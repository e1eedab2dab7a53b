"""Two unencrypted topics: one carries an in-force waiver, the other an expired one."""

import pulumi_aws as aws

aws.sns.Topic(
    "waived-topic",
    tags={"goldenpath:waiver:aws-sns-encryption": "2099-12-31: carries only public build notifications"},
)
aws.sns.Topic(
    "expired-waiver-topic",
    tags={"goldenpath:waiver:aws-sns-encryption": "2020-01-01: carries only public build notifications"},
)
aws.cloudwatch.LogGroup(
    "waived-short-logs",
    retention_in_days=60,
    tags={
        "goldenpath:waiver:aws-cloudwatch-log-retention": "2099-12-31: scratch logs of a throwaway sandbox"
    },
)
