"""No IAM principal gets full administrative rights: "*" on "*", written out or as AdministratorAccess."""

import re

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, get_path

from ._iam import (
    DOCUMENT_HOLDERS,
    ROLE,
    MalformedDocument,
    covers_all_resources,
    is_allow,
    label,
    parse,
    permission_documents,
    strings,
)

_EVERY_ACTION = frozenset({"*", "*:*"})
# The AWS managed policy that is "*" on "*", in every partition.
_ADMINISTRATOR_ACCESS = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")
# Resources that attach managed policies by ARN, and the property that holds the ARN(s).
ATTACHMENTS = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    ROLE: "managedPolicyArns",
}


def _attached_admin(props, resource_type):
    prop = ATTACHMENTS.get(resource_type)
    if prop is None:
        return
    try:
        arns = strings(get_path(props, prop))
    except UnknownValueError:
        return  # the ARN of a policy the stack creates, judged on its own document
    for arn in arns:
        if _ADMINISTRATOR_ACCESS.match(arn):
            yield f"{prop} attaches {arn}; attach a policy with the specific actions and resources the principal needs"


def check(props, config, resource):
    resource_type = resource.resource_type
    yield from _attached_admin(props, resource_type)
    if resource_type not in DOCUMENT_HOLDERS:
        return
    for where, document in permission_documents(props):
        try:
            statements = parse(document)
        except MalformedDocument as error:
            yield f"{where} {error}; it cannot be checked for administrative rights"
            continue
        for index, statement in enumerate(statements):
            if not is_allow(statement) or not covers_all_resources(statement):
                continue
            if _EVERY_ACTION.intersection(strings(statement.get("Action"))):
                yield (
                    f"{where} {label(statement, index)} allows every action ('*') on every resource; "
                    "grant the specific actions on the specific resources the principal needs"
                )


POLICY = PolicySpec(
    id="aws-iam-no-admin-policy",
    description='IAM policies do not allow every action ("*") on every resource ("*"), and no principal gets the '
    "AdministratorAccess managed policy attached.",
    severity="critical",
    rationale='A principal with "*" on "*" is an account administrator: one leaked credential or one '
    "compromised workload owns the account, including its audit trail and every other principal.",
    remediation="Replace the statement with the specific actions on the specific resource ARNs the principal "
    "uses (the goldenpath Ci, Service and Secrets components write such least-privilege policies). Administrators "
    "get their rights through SSO permission sets, not through policies a stack creates.",
    resource_types=tuple(dict.fromkeys((*DOCUMENT_HOLDERS, *ATTACHMENTS))),
    check=check,
    check_receives_resource=True,
    controls={CIS_AWS: ("1.16",), NIST: ("AC-6",), PCI: ("7.2.1", "7.2.2")},
)
