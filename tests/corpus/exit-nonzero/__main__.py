"""A guard some teams put on top of their programs: only deploy into the accounts they list."""

import json
import sys

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
allowed = json.loads(config.get("allowedAccountIds") or "[]")

queue = aws.sqs.Queue("jobs", sqs_managed_sse_enabled=True)

account_id = aws.get_caller_identity().account_id
if allowed and account_id not in allowed:
    print(f"account {account_id} is not one of {allowed}; refusing to deploy", file=sys.stderr)
    sys.exit(3)

pulumi.export("queue_url", queue.id)
