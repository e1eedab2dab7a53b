"""Secrets Manager resource policies grant nothing to every principal without a pinning condition."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._principals import public_policy_problems

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"


def check(props, config, resource):
    owner = (
        "aws.secretsmanager.SecretPolicy"
        if resource.resource_type == SECRET_POLICY
        else "aws.secretsmanager.Secret"
    )
    return public_policy_problems(props, "policy", "secret policy", f"`policy` of the {owner}")


POLICY = PolicySpec(
    id="aws-secretsmanager-policy-not-public",
    description='No Secrets Manager secret policy allows every principal ("*") without a condition that pins '
    "the caller.",
    severity="critical",
    rationale='An Allow for Principal "*" on a secret lets a principal of any AWS account read it (with '
    "secretsmanager:GetSecretValue) unless a condition such as aws:PrincipalOrgID or aws:PrincipalAccount "
    "ties the caller to an owner. `block_public_policy` on a SecretPolicy makes the API refuse such a policy "
    "at apply; this check refuses it at preview, and also for the `policy` of a Secret, which has no such guard.",
    remediation="In `policy` of the `aws.secretsmanager.SecretPolicy` (or `aws.secretsmanager.Secret`) name the "
    'roles that read the secret instead of "*", or add a condition on aws:PrincipalOrgID, aws:PrincipalAccount '
    "or aws:PrincipalArn with fixed values; set `block_public_policy=True` on the SecretPolicy.",
    resource_types=(SECRET, SECRET_POLICY),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("AC-3", "AC-6", "IA-5"), PCI: ("7.2.1",)},
)
