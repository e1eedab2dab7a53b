"""IAM users get no console password; people sign in through single sign-on."""

from goldenpath.policy import NIST, PolicySpec

# Peers: checkov CKV2_AWS_22

LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile"


def check(props, config):
    # The password is never named or shown: the resource itself is the finding.
    return (
        "IAM user is given a console password; remove the aws.iam.UserLoginProfile and let people sign in "
        "through IAM Identity Center (SSO) instead"
    )


POLICY = PolicySpec(
    id="aws-iam-no-console-users",
    description="No IAM user has a console password (an aws.iam.UserLoginProfile); people sign in through SSO.",
    severity="low",
    rationale="A console password is a long-lived credential tied to one IAM user: it is phished, reused and "
    "forgotten when its owner leaves, and its MFA is up to each user. IAM Identity Center (or another identity "
    "provider) gives people short-lived sessions, central MFA and one place to revoke access.",
    remediation="Remove the `aws.iam.UserLoginProfile`; grant people access with IAM Identity Center permission "
    "sets (`aws.ssoadmin.PermissionSet`, `aws.ssoadmin.AccountAssignment`) or a role federated from your "
    "identity provider. If a break-glass user must keep a password, waive this policy on it with a reason and "
    "enforce MFA.",
    resource_types=(LOGIN_PROFILE,),
    check=check,
    controls={NIST: ("AC-2", "IA-2")},
    peers={"checkov": ("CKV2_AWS_22",)},
)
