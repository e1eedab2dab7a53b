"""REST API stages are protected by an AWS WAFv2 web ACL."""

import re

from goldenpath.policy import NIST, PCI, PolicySpec

from ._s3 import UNKNOWN, read, read_list

# Peers: checkov CKV2_AWS_29 (which also passes PRIVATE APIs), cdk-nag AwsSolutions-APIG3 (which judges those too).

REST_API = "aws:apigateway/restApi:RestApi"
STAGE = "aws:apigateway/stage:Stage"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
_STAGE_ARN = re.compile(r"^arn:[^:]+:apigateway:[^:]*::/restapis/(?P<api>[^/]+)/stages/(?P<stage>[^/]+)$")


class _Stage:
    def __init__(self, resource):
        self.resource = resource
        self.urn = resource.urn
        self.arn = read(resource.props, "arn")
        self.api = read(resource.props, "restApi")
        self.name = read(resource.props, "stageName")
        self.api_urns = {d.urn for d in resource.property_dependencies.get("restApi", ())}

    def named_by(self, arn):
        """True if ``arn`` is this stage's ARN, None if that cannot be known yet, else False."""
        if isinstance(self.arn, str):
            return arn == self.arn
        match = _STAGE_ARN.match(arn)
        if not match:
            return False
        parts = [(self.api, match["api"]), (self.name, match["stage"])]
        if any(isinstance(mine, str) and mine != theirs for mine, theirs in parts):
            return False
        return True if all(isinstance(mine, str) for mine, _ in parts) else None


def _private_apis(resources):
    """URNs and ids of the stack's REST APIs that are, or may yet turn out to be, PRIVATE (reachable only from VPCs)."""
    private = set()
    for r in resources:
        if r.resource_type != REST_API:
            continue
        types = read_list(r.props, "endpointConfiguration.types")
        if types is UNKNOWN or "PRIVATE" in types:
            private.add(r.urn)
            api_id = read(r.props, "id")
            if isinstance(api_id, str):
                private.add(api_id)
    return private


def stack_check(resources, config):
    resources = list(resources)
    private = _private_apis(resources)
    stages = [
        s
        for s in (_Stage(r) for r in resources if r.resource_type == STAGE)
        if not (s.api_urns & private or (isinstance(s.api, str) and s.api in private))
    ]
    by_urn = {s.urn: s for s in stages}
    api_urns = {r.urn for r in resources if r.resource_type == REST_API}
    protected, undecided = set(), set()
    for association in resources:
        if association.resource_type != ASSOCIATION:
            continue
        deps = {d.urn for d in association.property_dependencies.get("resourceArn", ())}
        linked = deps & set(by_urn)
        value = read(association.props, "resourceArn")
        if isinstance(value, str):
            for s in stages:
                verdict = s.named_by(value)
                if verdict:
                    linked.add(s.urn)
                elif verdict is None:
                    undecided.add(s.urn)
        protected |= linked
        if linked or value is not UNKNOWN:
            continue
        apis = deps & api_urns
        if apis:  # an ARN built from a REST API's id: any stage of that API
            undecided |= {s.urn for s in stages if s.api_urns & apis}
        elif not deps:  # an ARN from outside the stack's resources: it may be any stage
            undecided |= set(by_urn)
    for s in stages:
        if s.urn in protected or s.urn in undecided:
            continue
        yield (
            s.urn,
            "stage is not associated with a WAFv2 web ACL; add an aws.wafv2.WebAclAssociation with "
            "resourceArn set to the stage's arn",
        )


POLICY = PolicySpec(
    id="aws-apigateway-waf",
    description="API Gateway REST API stages (of APIs that are not PRIVATE) are associated with an AWS WAFv2 web ACL.",
    severity="medium",
    rationale="A web ACL in front of a public API blocks common exploits (SQL injection, known bad inputs), "
    "rate-limits abusive clients and drops traffic from known malicious sources before it reaches, and bills, "
    "the backend. A PRIVATE API is reachable only from VPCs and is not judged. A web ACL costs money and needs "
    "tuning, so this is advice rather than a gate.",
    remediation="Add an `aws.wafv2.WebAclAssociation` with `resource_arn=stage.arn` and `web_acl_arn` of a "
    '`scope="REGIONAL"` `aws.wafv2.WebAcl` (e.g. with the AWS managed common rule set and a rate-based rule).',
    resource_types=(STAGE, ASSOCIATION, REST_API),
    stack_check=stack_check,
    controls={NIST: ("SC-7", "SI-4"), PCI: ("6.4.2",)},
    peers={"cdk-nag": ("AwsSolutions-APIG3",), "checkov": ("CKV2_AWS_29",)},
)
