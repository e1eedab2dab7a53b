"""Hello-world REST API: API Gateway (v1) with a Lambda proxy integration, as in the classic examples."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "greeter-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "greeter-basic",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

handler = aws.lambda_.Function(
    "greeter",
    runtime="python3.8",
    handler="index.handler",
    role=role.arn,
    code=pulumi.AssetArchive(
        {
            "index.py": pulumi.StringAsset(
                "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hello'}\n"
            )
        }
    ),
)

api = aws.apigateway.RestApi("greeter-api", description="Greeter")

proxy = aws.apigateway.Resource(
    "proxy", rest_api=api.id, parent_id=api.root_resource_id, path_part="{proxy+}"
)

method = aws.apigateway.Method(
    "proxy-any", rest_api=api.id, resource_id=proxy.id, http_method="ANY", authorization="NONE"
)

integration = aws.apigateway.Integration(
    "proxy-lambda",
    rest_api=api.id,
    resource_id=proxy.id,
    http_method=method.http_method,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=handler.invoke_arn,
)

deployment = aws.apigateway.Deployment(
    "greeter-deployment",
    rest_api=api.id,
    triggers={"redeployment": "1"},
    opts=pulumi.ResourceOptions(depends_on=[integration]),
)

stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")

aws.lambda_.Permission(
    "apigw-invoke",
    action="lambda:InvokeFunction",
    function=handler.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)

pulumi.export("url", stage.invoke_url)
