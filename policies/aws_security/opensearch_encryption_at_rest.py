"""OpenSearch domains encrypt their indices at rest."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain"
ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain"

# Peers: checkov CKV_AWS_5, cdk-nag AwsSolutions-OS8, awsguard elasticsearch-encrypted-at-rest


def _problem(props):
    enabled = get_path(props, "encryptAtRest.enabled")
    if enabled is True or (isinstance(enabled, str) and enabled.lower() == "true"):
        return None
    return (
        "indices, logs, swap and automated snapshots are not encrypted (encryptAtRest.enabled is not true; "
        "it defaults to false); set encryptAtRest: {enabled: true, kmsKeyId: <customer managed key ARN>}"
    )


def check(props, config):
    return _problem(props)  # an unknown value propagates: the engine says it can't run yet


POLICY = PolicySpec(
    id="aws-opensearch-encryption-at-rest",
    description="OpenSearch and Elasticsearch domains have encryption at rest enabled.",
    severity="high",
    rationale="A search domain holds a searchable copy of the data it indexes, often logs and records with "
    "personal data; without encryption at rest its volumes and automated snapshots are unencrypted, and the "
    "provider default is off.",
    remediation="Pass `encrypt_at_rest=aws.opensearch.DomainEncryptAtRestArgs(enabled=True, kms_key_id=key.arn)` "
    "to the `aws.opensearch.Domain` (`aws.elasticsearch.DomainEncryptAtRestArgs` for an `aws.elasticsearch.Domain`) "
    "and use an instance type that supports it (not t2 or t3.small).",
    resource_types=(OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN),
    check=check,
    controls={NIST: ("SC-28",), PCI: ("3.5.1",)},
    peers={
        "checkov": ("CKV_AWS_5",),
        "cdk-nag": ("AwsSolutions-OS8",),
        "awsguard": ("elasticsearch-encrypted-at-rest",),
    },
)
