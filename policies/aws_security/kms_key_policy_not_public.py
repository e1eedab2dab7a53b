"""KMS key policies grant nothing to every principal without a condition that pins the caller."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._principals import public_policy_problems

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"

# Peers: checkov CKV_AWS_33


def check(props, config, resource):
    owner = "aws.kms.KeyPolicy" if resource.resource_type == KEY_POLICY else "aws.kms.Key"
    return public_policy_problems(
        props,
        "policy",
        "key policy",
        f"`policy` of the {owner}",
        "kms:CallerAccount, aws:PrincipalOrgID or aws:PrincipalAccount",
    )


POLICY = PolicySpec(
    id="aws-kms-key-policy-not-public",
    description='No KMS key policy allows every principal ("*") without a condition that pins the caller.',
    severity="critical",
    rationale='A key policy is the first authority over a KMS key: an Allow for Principal "*" lets a principal '
    "of any AWS account use (or administer) the key, and so read everything it encrypts, unless a condition "
    "such as kms:CallerAccount or aws:PrincipalOrgID ties the caller to an owner. A key without a `policy` "
    "gets the default policy, which trusts only the owning account.",
    remediation="In `policy` of the `aws.kms.Key` (or `aws.kms.KeyPolicy`) name the principals "
    '(`{"AWS": "arn:aws:iam::<account>:root"}`, a role ARN or a service principal) instead of "*", or add a '
    "condition on kms:CallerAccount, aws:PrincipalOrgID or aws:PrincipalAccount with fixed values.",
    resource_types=(KEY, KEY_POLICY),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("AC-3", "AC-6", "SC-12"), PCI: ("3.6.1", "7.2.1")},
    peers={"checkov": ("CKV_AWS_33",)},
)
