"""Permissions go to groups and roles, not directly to IAM users."""

from goldenpath.policy import CIS_AWS, NIST, PolicySpec, get_path

# Peers: checkov CKV_AWS_40

USER_POLICY = "aws:iam/userPolicy:UserPolicy"
USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
USER_POLICIES_EXCLUSIVE = "aws:iam/userPoliciesExclusive:UserPoliciesExclusive"
USER_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive"

ADVICE = "grant it to an aws.iam.Group the user joins (or a role the user assumes) instead"


def check(props, config, resource):
    kind = resource.resource_type
    if kind == USER_POLICY:
        return f"inline policy is attached directly to an IAM user; {ADVICE}"
    if kind == USER_POLICY_ATTACHMENT:
        return f"managed policy is attached directly to an IAM user; {ADVICE}"
    if kind == POLICY_ATTACHMENT:
        # An unknown list raises: whether it names users is not known until apply.
        users = get_path(props, "users")
        if users:
            return f"PolicyAttachment attaches the policy directly to {len(users)} IAM user(s); {ADVICE}"
        return None
    # The exclusive resources with an empty list remove every direct policy: that is what we want.
    listed = get_path(props, "policyNames" if kind == USER_POLICIES_EXCLUSIVE else "policyArns")
    if listed:
        return f"{len(listed)} policy(ies) are kept attached directly to an IAM user; {ADVICE}"
    return None


POLICY = PolicySpec(
    id="aws-iam-no-user-policies",
    description="IAM policies are attached to groups or roles, never directly to IAM users.",
    severity="low",
    rationale="Permissions attached user by user drift apart and are missed in access reviews: removing someone "
    "from a group or a role takes their access away in one place, while direct policies linger on each user. "
    "CIS asks that users receive permissions only through groups.",
    remediation="Replace `aws.iam.UserPolicy` and `aws.iam.UserPolicyAttachment` (and the `users` argument of "
    "`aws.iam.PolicyAttachment`) with an `aws.iam.GroupPolicyAttachment` on an `aws.iam.Group` and an "
    "`aws.iam.UserGroupMembership`, or with a role the user assumes; better, use IAM Identity Center.",
    resource_types=(
        USER_POLICY,
        USER_POLICY_ATTACHMENT,
        POLICY_ATTACHMENT,
        USER_POLICIES_EXCLUSIVE,
        USER_POLICY_ATTACHMENTS_EXCLUSIVE,
    ),
    check=check,
    check_receives_resource=True,
    controls={CIS_AWS: ("1.15",), NIST: ("AC-2", "AC-6")},
    peers={"checkov": ("CKV_AWS_40",)},
)
