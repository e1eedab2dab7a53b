"""No IAM principal gets full administrative rights: "*" on "*", written out or as an admin managed policy."""

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec

from ._iam import (
    ATTACHMENTS,
    DOCUMENT_HOLDERS,
    MalformedDocument,
    attached_arns,
    aws_managed_policy,
    covers_all_resources,
    field,
    is_allow,
    label,
    parse,
    permission_documents,
)

# Peers: checkov CKV_AWS_62 ("*" on "*" in a policy), CKV_AWS_274 (AdministratorAccess attached).

_EVERY_ACTION = frozenset({"*", "*:*"})
# AWS managed policies that make a principal an administrator, or able to make itself one: every
# action (AdministratorAccess), every action outside IAM and Organizations (PowerUserAccess), or
# every IAM action, with which a principal attaches AdministratorAccess to itself (IAMFullAccess).
ADMIN_MANAGED_POLICIES = {
    "AdministratorAccess": "every action on every resource",
    "PowerUserAccess": "every action outside IAM and Organizations",
    "IAMFullAccess": "every IAM action, enough to grant itself AdministratorAccess",
}


def _attached_admin(props, resource_type):
    prop, arns = attached_arns(props, resource_type)
    for arn in arns:
        managed = aws_managed_policy(arn)
        if managed is None or managed[0]:  # a customer policy, or a service-role/ job-function/ path
            continue
        grants = ADMIN_MANAGED_POLICIES.get(managed[1])
        if grants:
            yield (
                f"{prop} attaches {arn} ({grants}); attach a policy with the specific actions and resources "
                "the principal needs"
            )


def check(props, config, resource):
    resource_type = resource.resource_type
    messages = list(_attached_admin(props, resource_type))
    if resource_type in DOCUMENT_HOLDERS:
        messages += _documents(props)
    return messages


def _documents(props):
    messages = []
    for where, document in permission_documents(props):
        try:
            statements = parse(document)
        except MalformedDocument as error:
            messages.append(f"{where} {error}; it cannot be checked for administrative rights")
            continue
        for index, statement in enumerate(statements):
            if not is_allow(statement) or not covers_all_resources(statement):
                continue
            actions, _ = field(statement, "Action")
            if _EVERY_ACTION.intersection(actions):
                messages.append(
                    f"{where} {label(statement, index)} allows every action ('*') on every resource; "
                    "grant the specific actions on the specific resources the principal needs"
                )
    return messages


POLICY = PolicySpec(
    id="aws-iam-no-admin-policy",
    description='IAM policies do not allow every action ("*") on every resource ("*"), and no principal gets the '
    "AdministratorAccess, PowerUserAccess or IAMFullAccess managed policy attached.",
    severity="critical",
    rationale='A principal with "*" on "*" is an account administrator: one leaked credential or one '
    "compromised workload owns the account, including its audit trail and every other principal. PowerUserAccess "
    "is the same outside IAM, and IAMFullAccess lets its holder attach AdministratorAccess to itself.",
    remediation="Replace the statement or the attachment (`policy_arn` of RolePolicyAttachment, "
    "`managed_policy_arns` of Role) with the specific actions on the specific resource ARNs the principal uses "
    "(the goldenpath Ci, Service and Secrets components write such least-privilege policies). Administrators get "
    "their rights through SSO permission sets, not through policies a stack creates.",
    resource_types=tuple(dict.fromkeys((*DOCUMENT_HOLDERS, *ATTACHMENTS))),
    check=check,
    check_receives_resource=True,
    controls={CIS_AWS: ("1.16",), NIST: ("AC-6",), PCI: ("7.2.1", "7.2.2")},
    peers={"checkov": ("CKV_AWS_62", "CKV_AWS_274", "CKV2_AWS_56")},
)
