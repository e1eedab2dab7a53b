"""A notes GraphQL API on AppSync with a DynamoDB resolver, API-key auth (the quick-start shape)."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
tags = {
    "team": config.require("owner"),
    "service": "notes",
    "environment": pulumi.get_stack(),
    "cost-center": "cc-3000",
    "managed-by": "pulumi",
    "goldenpath:blueprint": "none",
    "goldenpath:version": "0",
}

table = aws.dynamodb.Table(
    "notes",
    attributes=[{"name": "id", "type": "S"}],
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
    tags=tags,
)

role = aws.iam.Role(
    "appsync-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "appsync.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)

aws.iam.RolePolicy(
    "appsync-dynamo",
    role=role.id,
    policy=table.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"],
                        "Resource": [arn],
                    }
                ],
            }
        )
    ),
)

api = aws.appsync.GraphQLApi(
    "notes-api",
    authentication_type="API_KEY",
    schema="""
type Note { id: ID! text: String }
type Query { note(id: ID!): Note }
type Mutation { addNote(id: ID!, text: String): Note }
schema { query: Query mutation: Mutation }
""",
    tags=tags,
)

key = aws.appsync.ApiKey("notes-key", api_id=api.id)

source = aws.appsync.DataSource(
    "notes-table",
    api_id=api.id,
    name="notes_table",
    type="AMAZON_DYNAMODB",
    service_role_arn=role.arn,
    dynamodb_config={"table_name": table.name},
)

aws.appsync.Resolver(
    "get-note",
    api_id=api.id,
    type="Query",
    field="note",
    data_source=source.name,
    request_template='{"version": "2018-05-29", "operation": "GetItem", "key": {"id": $util.dynamodb.toDynamoDBJson($ctx.args.id)}}',
    response_template="$util.toJson($ctx.result)",
)

pulumi.export("endpoint", api.uris["GRAPHQL"])
pulumi.export("api_key", key.key)
