"""IAM policies do not let a principal raise its own privileges: no escalation action on every resource."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._iam import DOCUMENT_HOLDERS, grants_on_all_resources_in

# Peers: checkov CKV_AWS_286 (cloudsplaining's PRIVILEGE_ESCALATION_METHODS, after Rhino Security Labs).
# The actions that escalate on their own there, plus iam:PassRole, which every PassExistingRoleTo*
# method needs: on "*" it hands any role, an administrator's included, to code the principal runs.
ESCALATION_ACTIONS: tuple[str, ...] = (
    "iam:PassRole",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
)


def check(props, config):
    return grants_on_all_resources_in(
        props,
        ESCALATION_ACTIONS,
        "privilege escalation",
        lambda actions: (
            ": the principal can make itself an administrator; name the role, user, policy or "
            "function ARNs it may act on"
        ),
    )


POLICY = PolicySpec(
    id="aws-iam-no-privilege-escalation",
    description='IAM policies do not allow, on every resource ("*"), the actions a principal can raise its own '
    "privileges with (iam:PassRole, iam:CreatePolicyVersion, iam:Attach*Policy, iam:Put*Policy, "
    "iam:CreateAccessKey, lambda:UpdateFunctionCode, …), whether named or matched by a wildcard.",
    severity="high",
    rationale="Each of these actions on any resource turns a limited principal into an administrator: it "
    "rewrites or attaches a policy to itself, creates credentials for a more powerful user, rewrites a role's "
    "trust to assume it, or passes an administrator role to, or swaps the code of, a function it controls. "
    "Conditions such as iam:PassedToService narrow the service, not the role passed, so they do not exempt it.",
    remediation='Replace Resource "*" with the ARNs the principal acts on: for iam:PassRole the task and '
    "execution roles it deploys with, with an iam:PassedToService condition (as the goldenpath Ci component "
    "does); for the others the specific users, roles, policies or functions. Set it in the `policy` JSON of "
    "aws.iam.Policy / RolePolicy or a Role's `inline_policies`.",
    resource_types=DOCUMENT_HOLDERS,
    check=check,
    controls={NIST: ("AC-6", "AC-6(1)"), PCI: ("7.2.1", "7.2.2")},
    peers={"checkov": ("CKV_AWS_286",)},
)
