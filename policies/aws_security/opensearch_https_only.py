"""OpenSearch domains accept only HTTPS, with TLS 1.2 or later."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path, note_unknown

OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain"
ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain"
RECOMMENDED = "Policy-Min-TLS-1-2-PFS-2023-10"

# Peers: checkov CKV_AWS_83 (enforceHttps), CKV_AWS_228 (TLS policy)


def _options_problem(props):
    if get_path(props, "domainEndpointOptions") is not None:
        return None
    return (
        "domainEndpointOptions is not set, so HTTPS enforcement and the minimum TLS version are left to "
        f"service defaults; set domainEndpointOptions: {{enforceHttps: true, tlsSecurityPolicy: {RECOMMENDED}}}"
    )


def _https_problem(props):
    if get_path(props, "domainEndpointOptions.enforceHttps") is False:  # unset in the block means true
        return (
            "domainEndpointOptions.enforceHttps is false, so the endpoint serves plain HTTP; set it to true"
        )
    return None


def _tls_problem(props):
    if get_path(props, "domainEndpointOptions") is None:
        return None  # reported once, by _options_problem
    policy = get_path(props, "domainEndpointOptions.tlsSecurityPolicy")
    if policy is None:
        return (
            "domainEndpointOptions.tlsSecurityPolicy is not set, so the service default applies (TLS 1.0 on "
            f"older domains); set it to {RECOMMENDED}"
        )
    if not str(policy).startswith("Policy-Min-TLS-1-2"):
        return (
            f"domainEndpointOptions.tlsSecurityPolicy allows TLS versions before 1.2; set it to {RECOMMENDED}"
        )
    return None


def check(props, config):
    messages = []
    for judge in (_options_problem, _https_problem, _tls_problem):
        try:
            message = judge(props)
        except UnknownValueError as error:
            note_unknown(error)  # this part is decided after apply; the other parts are judged now
            continue
        if message:
            messages.append(message)
    return messages


POLICY = PolicySpec(
    id="aws-opensearch-https-only",
    description="OpenSearch and Elasticsearch domains enforce HTTPS with a TLS 1.2+ security policy.",
    severity="medium",
    rationale="A domain endpoint that accepts HTTP, or TLS 1.0/1.1, lets credentials, signed requests and query "
    "results be read or downgraded on the network; pinning Policy-Min-TLS-1-2-* keeps the minimum from depending "
    "on when the domain was created.",
    remediation="Pass `domain_endpoint_options=aws.opensearch.DomainDomainEndpointOptionsArgs(enforce_https=True, "
    f'tls_security_policy="{RECOMMENDED}")` to the `aws.opensearch.Domain` '
    "(`aws.elasticsearch.DomainDomainEndpointOptionsArgs` for an `aws.elasticsearch.Domain`).",
    resource_types=(OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN),
    check=check,
    controls={NIST: ("SC-8", "SC-13"), PCI: ("4.2.1",)},
    peers={"checkov": ("CKV_AWS_83", "CKV_AWS_228")},
)
