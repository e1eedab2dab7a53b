"""API Gateway custom domain names refuse TLS below 1.2."""

import re

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

# Peers: checkov CKV_AWS_206 (REST domain names).

REST_DOMAIN = "aws:apigateway/domainName:DomainName"
V2_DOMAIN = "aws:apigatewayv2/domainName:DomainName"
# API Gateway's choice when a REST domain name gives no securityPolicy: the legacy TLS 1.0 policy.
REST_DEFAULT = "TLS_1_0"
# Enhanced policies are named SecurityPolicy_TLS<max>_<min>_…; one whose minimum is 1.0 or 1.1 is refused.
_ENHANCED = re.compile(r"^SecurityPolicy_TLS1[23]_")
_OLD_MINIMUM = re.compile(r"TLS1[01]|_1_[01](_|$)")


def _modern(policy):
    return policy == "TLS_1_2" or bool(_ENHANCED.match(policy) and not _OLD_MINIMUM.search(policy))


def check(props, config, resource):
    rest = resource.resource_type == REST_DOMAIN
    path = "securityPolicy" if rest else "domainNameConfiguration.securityPolicy"
    policy = get_path(props, path)  # unknown: may be TLS_1_0, the policy can't run until apply
    if policy is None and rest:
        given = f"no securityPolicy, so API Gateway uses {REST_DEFAULT}"
    elif isinstance(policy, str) and not _modern(policy):
        given = f"security policy {policy}"
    else:
        return None  # modern, or a v2 domain without a configuration (the provider rejects it)
    return f"domain name accepts TLS below 1.2 ({given}); set {path} to TLS_1_2 or a SecurityPolicy_TLS13_* policy"


POLICY = PolicySpec(
    id="aws-apigateway-tls12",
    description="API Gateway custom domain names use a security policy with TLS 1.2 or later as the minimum.",
    severity="high",
    rationale="TLS 1.0 and 1.1 have known weaknesses (BEAST, weak CBC and SHA-1 suites) and are no longer "
    "acceptable for protecting data in transit (PCI DSS, NIST SP 800-52r2). A REST API custom domain name with no "
    "securityPolicy gets the legacy TLS_1_0 policy, so an omission is an exposure, not a default to trust.",
    remediation='Set `security_policy="TLS_1_2"` (or an enhanced `"SecurityPolicy_TLS13_1_2_2021_06"`-style policy) '
    "on the `aws.apigateway.DomainName`; on an `aws.apigatewayv2.DomainName` set `domain_name_configuration."
    'security_policy="TLS_1_2"`.',
    resource_types=(REST_DOMAIN, V2_DOMAIN),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("SC-8", "SC-13"), PCI: ("4.2.1",)},
    peers={"checkov": ("CKV_AWS_206",)},
)
