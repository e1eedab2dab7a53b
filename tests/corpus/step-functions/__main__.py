"""Two Lambda functions chained by a Step Functions state machine (after aws-py-stepfunctions)."""

import json

import pulumi
import pulumi_aws as aws

stack = pulumi.get_stack()
account_id = aws.get_caller_identity().account_id
region = aws.get_region().region

tags = {
    "team": "orders",
    "service": "greeting-flow",
    "environment": stack,
    "cost-center": "cc-4410",
    "managed-by": "pulumi",
    "goldenpath:blueprint": "none",
    "goldenpath:version": "0",
}


def function_arn(name):
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


lambda_role = aws.iam.Role(
    "lambda-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Effect": "Allow",
                }
            ],
        }
    ),
    tags=tags,
)

aws.iam.RolePolicyAttachment(
    "lambda-basic-execution",
    role=lambda_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

function_names = {"hello": f"greeting-hello-{stack}", "world": f"greeting-world-{stack}"}
functions = {
    step: aws.lambda_.Function(
        f"{step}-function",
        name=name,
        role=lambda_role.arn,
        runtime="python3.12",
        handler=f"steps.{step}",
        code=pulumi.AssetArchive({".": pulumi.FileArchive("./functions")}),
        tags=tags,
    )
    for step, name in function_names.items()
}

sfn_role = aws.iam.Role(
    "sfn-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": f"states.{region}.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)

aws.iam.RolePolicy(
    "sfn-invoke",
    role=sfn_role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["lambda:InvokeFunction"],
                    "Resource": [function_arn(name) for name in function_names.values()],
                }
            ],
        }
    ),
)

definition = {
    "Comment": "A Hello World example of the Amazon States Language using an AWS Lambda Function",
    "StartAt": "Hello",
    "States": {
        "Hello": {"Type": "Task", "Resource": function_arn(function_names["hello"]), "Next": "World"},
        "World": {"Type": "Task", "Resource": function_arn(function_names["world"]), "End": True},
    },
}

state_machine = aws.sfn.StateMachine(
    "state-machine",
    role_arn=sfn_role.arn,
    definition=json.dumps(definition),
    tags=tags,
    opts=pulumi.ResourceOptions(depends_on=list(functions.values())),
)

pulumi.export("state_machine_arn", state_machine.id)
