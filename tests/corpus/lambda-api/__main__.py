"""A todo API: Lambda + API Gateway v2 (HTTP API) + DynamoDB."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
table_name = config.get("tableName") or "todos"

identity = aws.get_caller_identity()
region = aws.get_region()

table = aws.dynamodb.Table(
    "todos",
    name=table_name,
    attributes=[{"name": "id", "type": "S"}],
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
)

assume_role = aws.iam.get_policy_document_output(
    statements=[
        {
            "effect": "Allow",
            "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
            "actions": ["sts:AssumeRole"],
        }
    ]
)

role = aws.iam.Role("lambda-role", assume_role_policy=assume_role.json)

aws.iam.RolePolicyAttachment(
    "lambda-logs",
    role=role.name,
    policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE,
)

aws.iam.RolePolicy(
    "lambda-dynamo",
    role=role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"],
                    "Resource": f"arn:aws:dynamodb:{region.region}:{identity.account_id}:table/{table_name}",
                },
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:ListTables", "xray:PutTraceSegments"],
                    "Resource": "*",
                },
            ],
        }
    ),
)

fn = aws.lambda_.Function(
    "todos-handler",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    timeout=10,
    code=pulumi.AssetArchive({".": pulumi.FileArchive("./app")}),
    environment={"variables": {"TABLE_NAME": table.name}},
)

api = aws.apigatewayv2.Api("todos-api", protocol_type="HTTP")

integration = aws.apigatewayv2.Integration(
    "todos-integration",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=fn.invoke_arn,
    payload_format_version="2.0",
)

aws.apigatewayv2.Route(
    "todos-route",
    api_id=api.id,
    route_key="ANY /{proxy+}",
    target=integration.id.apply(lambda integration_id: f"integrations/{integration_id}"),
)

stage = aws.apigatewayv2.Stage("default-stage", api_id=api.id, name="$default", auto_deploy=True)

aws.lambda_.Permission(
    "api-invoke",
    action="lambda:InvokeFunction",
    function=fn.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)

pulumi.export("endpoint", stage.invoke_url)
pulumi.export("account", identity.account_id)
