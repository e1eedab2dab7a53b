import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    if event.get("requestContext", {}).get("http", {}).get("method") == "POST":
        item = json.loads(event.get("body") or "{}")
        table.put_item(Item=item)
        return {"statusCode": 201, "body": json.dumps(item)}
    return {"statusCode": 200, "body": json.dumps(table.scan().get("Items", []))}
