"""OpenSearch domains publish audit logs to CloudWatch Logs."""

from collections.abc import Sequence

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, as_list, get_path

OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain"
ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain"

# Peers: checkov CKV_AWS_317


def _publishes_audit_logs(option):
    # enabled defaults to true when a log publishing option is declared
    return get_path(option, "logType") == "AUDIT_LOGS" and get_path(option, "enabled", True) is not False


def _problem(props):
    options = get_path(props, "logPublishingOptions")  # a whole list unknown propagates: can't run yet
    if not isinstance(options, Sequence) or isinstance(options, str):
        options = as_list(options)
    unknown = None
    for index in range(len(options)):
        try:
            if _publishes_audit_logs(options[index]):
                return None
        except UnknownValueError as error:
            unknown = unknown or error  # another option may still prove it
    if unknown is not None:
        raise unknown  # an option known only after apply may be the audit log: can't run yet
    return (
        "domain does not publish audit logs, so who read or changed which index is not recorded; add "
        "logPublishingOptions: [{logType: AUDIT_LOGS, cloudwatchLogGroupArn: <log group ARN>}] (needs "
        "advancedSecurityOptions.enabled: true)"
    )


def check(props, config):
    return _problem(props)  # an unknown value propagates: the engine says it can't run yet


POLICY = PolicySpec(
    id="aws-opensearch-audit-logs",
    description="OpenSearch and Elasticsearch domains publish AUDIT_LOGS to CloudWatch Logs.",
    severity="low",
    rationale="Audit logs record authentication failures and index reads and writes per user; without them an "
    "incident on a search domain cannot be scoped. They require fine-grained access control, which is worth "
    "enabling on its own.",
    remediation="Enable `advanced_security_options` and pass `log_publishing_options=["
    'aws.opensearch.DomainLogPublishingOptionArgs(log_type="AUDIT_LOGS", cloudwatch_log_group_arn=group.arn)]` '
    "to the `aws.opensearch.Domain`, with an `aws.cloudwatch.LogResourcePolicy` that lets es.amazonaws.com write "
    "to the group.",
    resource_types=(OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN),
    check=check,
    controls={NIST: ("AU-2", "AU-12")},
    peers={"checkov": ("CKV_AWS_317",)},
)
