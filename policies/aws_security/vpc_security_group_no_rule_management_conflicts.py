"""A security group's rules of one direction are written inline or as separate rule resources, never both."""

from goldenpath.policy import PolicySpec

from ._managers import UNKNOWN, Targets, known_items, read

# Peers: awsguard security-group-no-rule-management-conflicts

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
DIRECTIONS = ("ingress", "egress")


def _directions(rule):
    """The directions a separate rule may be in: one when known, both while SecurityGroupRule.type is unknown."""
    if rule.resource_type == VPC_INGRESS_RULE:
        return ("ingress",), True
    if rule.resource_type == VPC_EGRESS_RULE:
        return ("egress",), True
    kind = read(rule.props, "type")
    if kind in DIRECTIONS:
        return (kind,), True
    return DIRECTIONS, False


def _has_inline(group, direction):
    """Whether the group declares inline rules of ``direction`` (None while that is unknown)."""
    value = read(group.props, direction)
    if value is UNKNOWN:
        return None
    items, unknown = known_items(value)
    # An unknown item is still an inline rule.
    return bool(items or unknown)


def stack_check(resources, config):
    resources = list(resources)
    groups = Targets(resources, SECURITY_GROUP)
    by_urn = {g.urn: g for g in groups.resources}
    for rule in resources:
        if rule.resource_type not in (SECURITY_GROUP_RULE, VPC_INGRESS_RULE, VPC_EGRESS_RULE):
            continue
        directions, certain = _directions(rule)
        for urn in sorted(groups.linked(rule, "securityGroupId")):
            group = by_urn[urn]
            inline = [d for d in DIRECTIONS if _has_inline(group, d) is True]
            # While a SecurityGroupRule's type is unknown it conflicts only if the group has both directions inline.
            if not set(directions) <= set(inline):
                continue
            direction = directions[0] if certain else "ingress and egress"
            kind = rule.resource_type.rsplit(":", 1)[-1]
            yield (
                rule.urn,
                f"{kind} adds an {direction} rule to security group "
                f"{group.name!r}, which also declares inline {direction} rules; the group replaces its rules "
                "with its inline list on every update, so the two fight: move this rule into the group's "
                f"{direction} list, or move every inline {direction} rule into separate rule resources",
            )


POLICY = PolicySpec(
    id="aws-vpc-security-group-no-rule-management-conflicts",
    description="A security group with inline ingress (or egress) rules has no separate SecurityGroupRule, "
    "SecurityGroupIngressRule or SecurityGroupEgressRule for the same direction.",
    severity="medium",
    rationale="A security group's inline ingress and egress lists are exclusive: on every update the provider "
    "makes the group's rules of that direction exactly the list. Separate rule resources for the same group "
    "and direction then fight it: each `pulumi up` removes rules the other added, so traffic the service "
    "needs is cut off between runs, or rules meant to be removed come back.",
    remediation="Write a group's rules one way only: either in the `ingress` / `egress` arguments of the "
    "`aws.ec2.SecurityGroup`, or (preferred) leave those out and use `aws.vpc.SecurityGroupIngressRule` / "
    "`aws.vpc.SecurityGroupEgressRule` resources with `security_group_id=group.id`.",
    resource_types=(SECURITY_GROUP, SECURITY_GROUP_RULE, VPC_INGRESS_RULE, VPC_EGRESS_RULE),
    stack_check=stack_check,
    peers={"awsguard": ("security-group-no-rule-management-conflicts",)},
)
