"""OpenSearch domains encrypt the traffic between their nodes."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain"
ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain"

# Peers: checkov CKV_AWS_6 (which also passes single-node domains), cdk-nag AwsSolutions-OS2


def _problem(props):
    enabled = get_path(props, "nodeToNodeEncryption.enabled")
    if enabled is True or (isinstance(enabled, str) and enabled.lower() == "true"):
        return None
    return (
        "nodes exchange data in plaintext inside the VPC (nodeToNodeEncryption.enabled is not true; it defaults "
        "to false); set nodeToNodeEncryption: {enabled: true}"
    )


def check(props, config):
    return _problem(props)  # an unknown value propagates: the engine says it can't run yet


POLICY = PolicySpec(
    id="aws-opensearch-node-to-node",
    description="OpenSearch and Elasticsearch domains have node-to-node encryption enabled.",
    severity="medium",
    rationale="Without node-to-node encryption, shard replication and queries between nodes travel unencrypted; "
    "it is also a prerequisite of fine-grained access control, and it costs nothing. A single-node domain that "
    "later grows is covered from the start.",
    remediation="Pass `node_to_node_encryption=aws.opensearch.DomainNodeToNodeEncryptionArgs(enabled=True)` to the "
    "`aws.opensearch.Domain` (`aws.elasticsearch.DomainNodeToNodeEncryptionArgs` for an `aws.elasticsearch.Domain`).",
    resource_types=(OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN),
    check=check,
    controls={NIST: ("SC-8",), PCI: ("4.2.1",)},
    peers={"checkov": ("CKV_AWS_6",), "cdk-nag": ("AwsSolutions-OS2",)},
)
