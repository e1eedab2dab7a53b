"""OpenSearch domains are reachable only from inside a VPC."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, as_list, get_path

OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain"
ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain"

# Peers: checkov CKV_AWS_137, cdk-nag AwsSolutions-OS1, awsguard elasticsearch-in-vpc-only


def _problem(props):
    if as_list(get_path(props, "vpcOptions.subnetIds")):
        return None
    return (
        "domain has a public endpoint (vpcOptions.subnetIds is not set), so only its access policy stands between "
        "the internet and the data; set vpcOptions: {subnetIds: [...], securityGroupIds: [...]}"
    )


def check(props, config):
    try:
        return _problem(props)
    except UnknownValueError:
        return None  # decided by a value known only after apply


POLICY = PolicySpec(
    id="aws-opensearch-in-vpc",
    description="OpenSearch and Elasticsearch domains are placed in a VPC (vpcOptions.subnetIds).",
    severity="medium",
    rationale="A domain outside a VPC has an internet-facing endpoint guarded only by its resource-based access "
    'policy; one overly broad statement (Principal "*", an IP condition gone stale) exposes every index, the '
    "breach pattern behind most leaked search clusters. In a VPC, security groups and private subnets add a "
    "network boundary. Placement is fixed at creation.",
    remediation="Pass `vpc_options=aws.opensearch.DomainVpcOptionsArgs(subnet_ids=[...private subnet ids], "
    "security_group_ids=[sg.id])` to the `aws.opensearch.Domain` (or `aws.elasticsearch.DomainVpcOptionsArgs` to "
    "an `aws.elasticsearch.Domain`); this replaces an existing public domain.",
    resource_types=(OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN),
    check=check,
    controls={NIST: ("SC-7", "AC-3")},
    peers={
        "checkov": ("CKV_AWS_137",),
        "cdk-nag": ("AwsSolutions-OS1",),
        "awsguard": ("elasticsearch-in-vpc-only",),
    },
)
