"""API Gateway stages (REST, HTTP and WebSocket) write access logs."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

# Peers: checkov CKV_AWS_76 (both stage types), cdk-nag AwsSolutions-APIG1.

REST_STAGE = "aws:apigateway/stage:Stage"
V2_STAGE = "aws:apigatewayv2/stage:Stage"


def check(props, config):
    try:
        destination = get_path(props, "accessLogSettings.destinationArn")
    except UnknownValueError:
        return None  # a log group ARN known after apply
    if destination:
        return None
    return (
        "stage writes no access logs; set accessLogSettings with destinationArn (a CloudWatch log group "
        "or Firehose stream ARN) and a format"
    )


POLICY = PolicySpec(
    id="aws-apigateway-access-logs",
    description="API Gateway REST and v2 (HTTP/WebSocket) stages send access logs to a destination.",
    severity="medium",
    rationale="Access logs record who called which route, from where, and with what result; without them there "
    "is no record of abuse, credential stuffing or data scraping through the API, and no trail for an incident.",
    remediation='Set `access_log_settings={"destination_arn": log_group.arn, "format": ...}` on the '
    "`aws.apigateway.Stage` or `aws.apigatewayv2.Stage` (an `aws.cloudwatch.LogGroup` with retention, and for "
    "REST APIs the account's `aws.apigateway.Account` CloudWatch role).",
    resource_types=(REST_STAGE, V2_STAGE),
    check=check,
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
    peers={"checkov": ("CKV_AWS_76",), "cdk-nag": ("AwsSolutions-APIG1",)},
)
