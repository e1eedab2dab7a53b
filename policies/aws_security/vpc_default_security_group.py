"""A VPC's default security group allows no traffic at all."""

from goldenpath.policy import CIS_AWS, NIST, PolicySpec, get_known

from ._elb import Pointers
from ._iam import known_items
from ._s3 import UNKNOWN, read

# Peers: none exact. checkov CKV2_AWS_12 checks the same rules but also fails every VPC whose default
# security group the program does not manage.

VPC = "aws:ec2/vpc:Vpc"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
# Rules declared as resources of their own, naming the group they add to.
RULES = (
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
)
_FIX = "give workloads security groups of their own"


def _inline_rules(group):
    # Adopting the default security group without rules removes all of them (provider behaviour).
    for direction in ("ingress", "egress"):
        rules = read(group.props, direction)
        count = 0 if rules is UNKNOWN else len(known_items(rules))
        if count:
            yield f"the default security group has {count} {direction} rule(s); leave {direction} unset and {_FIX}"


def stack_check(resources, config):
    groups = [r for r in resources if r.resource_type == DEFAULT_SECURITY_GROUP]
    rules = [r for r in resources if r.resource_type in RULES]
    added = Pointers(groups, rules, "securityGroupId", keys=("id",))
    for group in groups:
        for message in _inline_rules(group):
            yield group.urn, message
        for rule in added.of(group):
            yield group.urn, f"rule {rule.name!r} adds to the default security group; remove it and {_FIX}"
    # A rule on the id a VPC reports as its default group's, with no DefaultSecurityGroup declared.
    defaults = {get_known(v.props, "defaultSecurityGroupId") for v in resources if v.resource_type == VPC}
    defaults.discard(None)
    for rule in rules:
        if added.of_any(rule):
            continue
        if get_known(rule.props, "securityGroupId") in defaults:
            yield rule.urn, f"this rule adds to a VPC's default security group; remove it and {_FIX}"


POLICY = PolicySpec(
    id="aws-vpc-default-security-group-restricts-all",
    description="Default security groups have no ingress or egress rules, inline or as rule resources.",
    severity="medium",
    rationale="Every network interface created without a security group lands in the VPC's default group; "
    "rules there silently apply to resources nobody meant to open. CIS asks that it restrict all traffic.",
    remediation="Declare the `aws.ec2.DefaultSecurityGroup` with `vpc_id` and no `ingress` or `egress` "
    "(which removes all rules), add no `aws.vpc.SecurityGroupIngressRule` / `SecurityGroupEgressRule` / "
    "`aws.ec2.SecurityGroupRule` to it, and attach purpose-made `aws.ec2.SecurityGroup`s to workloads.",
    resource_types=(DEFAULT_SECURITY_GROUP, VPC, *RULES),
    stack_check=stack_check,
    controls={CIS_AWS: ("5.4",), NIST: ("SC-7", "AC-4")},
)
