"""CloudFront distributions are protected by an AWS WAF web ACL."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

# Peers: checkov CKV_AWS_68, cdk-nag AwsSolutions-CFR2

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def check(props, config):
    try:
        web_acl = get_path(props, "webAclId")
    except UnknownValueError:
        return None
    if not web_acl:
        return "distribution has no WAF web ACL; set webAclId to the arn of an aws.wafv2.WebAcl with scope CLOUDFRONT"
    return None


POLICY = PolicySpec(
    id="aws-cloudfront-waf",
    description="CloudFront distributions have an AWS WAF web ACL (webAclId).",
    severity="low",
    rationale="A web ACL at the edge blocks known exploit patterns, bad bots and request floods before they "
    "reach the origin or run up the bill.",
    remediation='Create an `aws.wafv2.WebAcl` with `scope="CLOUDFRONT"` (in us-east-1, with the AWS managed '
    "common rule set and a rate-based rule) and set `web_acl_id=web_acl.arn` on the `aws.cloudfront.Distribution`.",
    resource_types=(DISTRIBUTION,),
    check=check,
    controls={NIST: ("SC-7", "SI-4")},
    peers={"checkov": ("CKV_AWS_68",), "cdk-nag": ("AwsSolutions-CFR2",)},
)
