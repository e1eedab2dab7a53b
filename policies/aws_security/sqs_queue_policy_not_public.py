"""SQS queue policies grant nothing to every principal without a condition that pins the caller."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._principals import public_policy_problems

QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"

# Peers: checkov CKV_AWS_168, CKV_AWS_387


def check(props, config, resource):
    owner = "aws.sqs.QueuePolicy" if resource.resource_type == QUEUE_POLICY else "aws.sqs.Queue"
    return public_policy_problems(props, "policy", "queue policy", f"`policy` of the {owner}")


POLICY = PolicySpec(
    id="aws-sqs-queue-policy-not-public",
    description='No SQS queue policy allows every principal ("*") without a condition that pins the caller.',
    severity="critical",
    rationale='An Allow for Principal "*" on a queue lets a principal of any AWS account send, read or delete '
    "its messages unless a condition such as aws:SourceArn (the topic or bucket that feeds it) or "
    "aws:PrincipalOrgID ties the caller to an owner.",
    remediation="In `policy` of the `aws.sqs.QueuePolicy` (or `aws.sqs.Queue`) name the principals (an account, "
    'role or service principal such as `{"Service": "sns.amazonaws.com"}`) instead of "*", or add a condition '
    "on aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID with fixed values.",
    resource_types=(QUEUE, QUEUE_POLICY),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("AC-3", "AC-4", "SC-7"), PCI: ("1.3.1", "7.2.1")},
    peers={"checkov": ("CKV_AWS_168", "CKV_AWS_387")},
)
