"""Every security group rule says why it exists."""

from goldenpath.policy import PCI, PolicySpec

from ._sg_rules import INGRESS_TYPES, VPC_EGRESS_RULE, judge


def _problem(rule):
    description = rule.description
    if description is True or (isinstance(description, str) and description.strip()):
        return None
    return f"{rule.where} ({rule.traffic}) has no description; say what the rule is for"


def check(props, config):
    return judge(props, _problem, ingress_only=False)


POLICY = PolicySpec(
    id="aws-sg-rule-description",
    description="Every security group rule, ingress or egress, has a description.",
    severity="low",
    rationale="A rule nobody can explain is a rule nobody dares remove; the description is the business "
    "justification reviewers and auditors ask for each open port.",
    remediation="Set `description` on each inline `ingress`/`egress` block, `aws.ec2.SecurityGroupRule` and "
    "`aws.vpc.SecurityGroupIngressRule`/`SecurityGroupEgressRule` (goldenpath's Service component describes all "
    "of its rules).",
    resource_types=(*INGRESS_TYPES, VPC_EGRESS_RULE),
    check=check,
    controls={PCI: ("1.2.5",)},
    peers={"cdk-nag": ("AwsSolutions-EC27",), "checkov": ("CKV_AWS_23",)},
)
