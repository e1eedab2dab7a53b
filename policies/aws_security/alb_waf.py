"""Internet-facing Application Load Balancers are protected by an AWS WAF web ACL."""

from goldenpath.policy import NIST, PolicySpec

from ._elb import LOAD_BALANCERS, Pointers
from ._s3 import read

# Peers: checkov CKV2_AWS_28

WAF_ASSOCIATIONS = (
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafregional/webAclAssociation:WebAclAssociation",
)


def _internet_facing_alb(lb):
    # Provider defaults: loadBalancerType "application", internal false; unknown values decide nothing.
    return (
        read(lb.props, "loadBalancerType", "application") == "application"
        and read(lb.props, "internal", False) is False
    )


def stack_check(resources, config):
    balancers = [r for r in resources if r.resource_type in LOAD_BALANCERS]
    associations = Pointers(
        balancers, (r for r in resources if r.resource_type in WAF_ASSOCIATIONS), "resourceArn"
    )
    for alb in (b for b in balancers if _internet_facing_alb(b)):
        if associations.reach(alb) is False:
            yield (
                alb.urn,
                "internet-facing application load balancer has no WAF web ACL; add an aws.wafv2.WebAclAssociation "
                "with resourceArn set to its arn",
            )


POLICY = PolicySpec(
    id="aws-alb-waf",
    description="Every internet-facing Application Load Balancer has an AWS WAF web ACL association.",
    severity="medium",
    rationale="A web ACL in front of a public load balancer blocks known exploit patterns, bad bots and request "
    "floods (AWS managed rule groups, rate-based rules) before they reach the application.",
    remediation="Create an `aws.wafv2.WebAcl` (scope REGIONAL, with the AWS managed common and known-bad-inputs "
    "rule groups) and an `aws.wafv2.WebAclAssociation` with `resource_arn=load_balancer.arn` and "
    "`web_acl_arn=web_acl.arn`.",
    resource_types=(*LOAD_BALANCERS, *WAF_ASSOCIATIONS),
    stack_check=stack_check,
    controls={NIST: ("SC-7", "SI-4")},
    peers={"checkov": ("CKV2_AWS_28",)},
)
