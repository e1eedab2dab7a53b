"""A role's policies are managed in one place: not by the role's exclusive lists and by separate resources too."""

from goldenpath.policy import PolicySpec

from ._managers import UNKNOWN, Targets, known_items, read

# Peers: awsguard iam-role-no-policy-management-conflicts (which also flags a RolePolicy beside
# managedPolicyArns and an attachment beside inlinePolicies; those manage different policy types
# and do not conflict, so it is not listed as covered).

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_POLICIES_EXCLUSIVE = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"
ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"

# Each separate manager: the property naming its role(s), the property naming what it manages, whether
# that is the role's managed policies (else its inline policies), and whether it manages the whole set.
MANAGERS = {
    ROLE_POLICY_ATTACHMENT: ("role", "policyArn", True, False),
    POLICY_ATTACHMENT: ("roles", "policyArn", True, False),
    ROLE_POLICY_ATTACHMENTS_EXCLUSIVE: ("roleName", "policyArns", True, True),
    ROLE_POLICY: ("role", "name", False, False),
    ROLE_POLICIES_EXCLUSIVE: ("roleName", "policyNames", False, True),
}


def _declared(role, managed):
    """The names or ARNs the role's exclusive list holds (None when it declares none), and whether all are known.

    Only a non-empty list takes over management: the engine reports an empty one for every role.
    """
    if managed:
        value = read(role.props, "managedPolicyArns")
        items, unknown = known_items(value)
        if value is UNKNOWN or not (items or unknown):
            return None, False
        return {i for i in items if isinstance(i, str)}, not unknown and all(
            isinstance(i, str) for i in items
        )
    value = read(role.props, "inlinePolicies")
    entries, unknown = known_items(value)
    if value is UNKNOWN:
        return None, False
    names = set()
    complete = not unknown
    declared = unknown
    for entry in entries:
        name = read(entry, "name")
        if name is UNKNOWN or not isinstance(name, str):
            complete = False
            declared = declared or name is UNKNOWN or read(entry, "policy") not in (None, "")
            continue
        if name or read(entry, "policy") not in (None, ""):
            declared = True
            names.add(name)
    return (names if declared else None), complete


def _in_agreement(manager, what_prop, exclusive, declared, complete):
    """True when the separate resource only restates what the role's list already says (no fight)."""
    value = read(manager.props, what_prop)
    items, unknown = known_items(value)
    if unknown or not all(isinstance(i, str) for i in items):
        return False
    if exclusive:
        return complete and set(items) == declared
    return len(items) == 1 and items[0] in declared


def stack_check(resources, config):
    resources = list(resources)
    roles = Targets(resources, ROLE)
    by_urn = {r.urn: r for r in roles.resources}
    for manager in resources:
        shape = MANAGERS.get(manager.resource_type)
        if shape is None:
            continue
        role_prop, what_prop, managed, exclusive = shape
        for urn in sorted(roles.linked(manager, role_prop)):
            role = by_urn[urn]
            declared, complete = _declared(role, managed)
            if declared is None or _in_agreement(manager, what_prop, exclusive, declared, complete):
                continue
            kind = manager.resource_type.rsplit(":", 1)[-1]
            if managed:
                yield (
                    manager.urn,
                    f"{kind} manages the managed policies of role {role.name!r}, whose managedPolicyArns "
                    "already manages them exclusively, so every `pulumi up` detaches what the other attached; "
                    "list the policies in the role's managedPolicyArns and remove this resource, or remove "
                    "managedPolicyArns from the role",
                )
            else:
                yield (
                    manager.urn,
                    f"{kind} manages inline policies of role {role.name!r}, whose inlinePolicies already "
                    "manages them exclusively, so every `pulumi up` deletes what the other put; move the "
                    "policy into the role's inlinePolicies and remove this resource, or remove inlinePolicies "
                    "from the role",
                )


POLICY = PolicySpec(
    id="aws-iam-role-no-policy-management-conflicts",
    description="An IAM role that lists its managedPolicyArns or inlinePolicies has no separate attachment or "
    "role policy resources managing the same kind of policy.",
    severity="medium",
    rationale="A role's managedPolicyArns and inlinePolicies are exclusive: on every update the provider makes the "
    "role's policies exactly those lists. A RolePolicyAttachment, PolicyAttachment, RolePolicy or exclusive "
    "policy resource on the same role then fights it: each `pulumi up` removes what the other added, so the "
    "role's permissions flap between runs and a deployment can lose the permission it relies on.",
    remediation="Manage a role's policies in one way only: either pass them as `managed_policy_arns` / "
    "`inline_policies` of the `aws.iam.Role`, or drop those arguments and use `aws.iam.RolePolicyAttachment` "
    "and `aws.iam.RolePolicy` resources (goldenpath's components use the separate resources).",
    resource_types=(ROLE, *MANAGERS),
    stack_check=stack_check,
)
