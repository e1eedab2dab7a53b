"""SNS topic policies grant nothing to every principal without a condition that pins the caller."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._principals import public_policy_problems

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"

# Peers: checkov CKV_AWS_169


def check(props, config, resource):
    owner = "aws.sns.TopicPolicy" if resource.resource_type == TOPIC_POLICY else "aws.sns.Topic"
    return public_policy_problems(props, "policy", "topic policy", f"`policy` of the {owner}")


POLICY = PolicySpec(
    id="aws-sns-topic-policy-not-public",
    description='No SNS topic policy allows every principal ("*") without a condition that pins the caller.',
    severity="critical",
    rationale='An Allow for Principal "*" on a topic lets a principal of any AWS account publish to it or '
    "subscribe an endpoint of theirs to its messages unless a condition such as aws:SourceOwner, "
    "aws:SourceArn or aws:PrincipalOrgID ties the caller to an owner (the topic policy SNS writes by default "
    "pins AWS:SourceOwner to the owning account and passes).",
    remediation="In `policy` of the `aws.sns.TopicPolicy` (or `aws.sns.Topic`) name the principals (an account, "
    'role or service principal such as `{"Service": "cloudwatch.amazonaws.com"}`) instead of "*", or add a '
    "condition on aws:SourceOwner, aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID with fixed values.",
    resource_types=(TOPIC, TOPIC_POLICY),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("AC-3", "AC-4", "SC-7"), PCI: ("1.3.1", "7.2.1")},
    peers={"checkov": ("CKV_AWS_169",)},
)
