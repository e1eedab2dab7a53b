"""AppSync GraphQL APIs log requests to CloudWatch at a field log level other than NONE."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

# Peers: checkov CKV_AWS_193 (logConfig with a role), CKV_AWS_194 (field log level), cdk-nag AwsSolutions-ASC3
# (which also refuses excludeVerboseContent).

GRAPHQL_API = "aws:appsync/graphQLApi:GraphQLApi"


def check(props, config):
    log_config = get_path(props, "logConfig")  # unknown: may be absent, the policy can't run until apply
    if log_config is None:
        return "API writes no logs; set logConfig with cloudwatchLogsRoleArn and fieldLogLevel ERROR or ALL"
    try:
        role = get_path(log_config, "cloudwatchLogsRoleArn")
    except UnknownValueError:
        role = True  # a role ARN known after apply is a role that is set
    if not role:
        return "API's logConfig has no cloudwatchLogsRoleArn, so AppSync cannot write logs; set it"
    level = get_path(log_config, "fieldLogLevel")  # unknown: may be NONE, can't run until apply
    if level == "NONE":
        return "API's logConfig fieldLogLevel is NONE; set it to ERROR (or ALL, INFO, DEBUG)"
    return None


POLICY = PolicySpec(
    id="aws-appsync-logging",
    description="AppSync GraphQL APIs have CloudWatch logging on, with a field log level other than NONE.",
    severity="medium",
    rationale="Request and resolver logs are the only record of which operations were run against the API and "
    "which failed; without them abuse of a GraphQL API (introspection, query batching, data scraping) leaves "
    "no trace.",
    remediation='Set `log_config={"cloudwatch_logs_role_arn": role.arn, "field_log_level": "ERROR"}` on the '
    "`aws.appsync.GraphQLApi`, with a role AppSync can assume that may write to CloudWatch Logs "
    "(AWSAppSyncPushToCloudWatchLogs).",
    resource_types=(GRAPHQL_API,),
    check=check,
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
    peers={"checkov": ("CKV_AWS_193", "CKV_AWS_194"), "cdk-nag": ("AwsSolutions-ASC3",)},
)
