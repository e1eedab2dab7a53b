"""What the IAM policies share: finding policy documents in a resource and reading their statements.

Documents arrive as JSON strings. IAM accepts ``Statement`` as one object or a list, and
``Action``/``Resource``/principal values as one string or a list; all of these are read here so
that no policy reads them differently. Action names are compared case-insensitively, as IAM does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from goldenpath.policy import as_list, get_path

POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ROLE = "aws:iam/role:Role"
# The resources that hold permissions documents (a role's assumeRolePolicy is a trust policy).
DOCUMENT_HOLDERS: tuple[str, ...] = (POLICY, ROLE_POLICY, USER_POLICY, GROUP_POLICY, ROLE)


class MalformedDocument(ValueError):
    """A policy document that is not a JSON object of statements."""


def parse(document: Any) -> list[Mapping[str, Any]]:
    """The statements of ``document`` (a JSON string or an already parsed object).

    Raises :class:`MalformedDocument` with a reason a person can act on.
    """
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as error:
            raise MalformedDocument(f"is not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, Mapping):
        raise MalformedDocument("is not a JSON object with a Statement")
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, Sequence) or isinstance(statements, str):
        raise MalformedDocument("has no Statement list")
    return [s for s in statements if isinstance(s, Mapping)]


def permission_documents(props: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(where, document)`` for each permissions document a resource's props hold.

    ``policy`` for managed and inline policy resources, ``inlinePolicies[].policy`` for a role.
    """
    document = get_path(props, "policy")
    if document is not None:
        yield "policy", document
    for index, inline in enumerate(as_list(get_path(props, "inlinePolicies"))):
        document = get_path(inline, "policy")
        if document:  # an empty inline policy block only tells the provider to remove inline policies
            name = get_path(inline, "name")
            where = (
                f"inline policy {name!r}" if isinstance(name, str) and name else f"inline policy #{index + 1}"
            )
            yield where, document


def strings(value: Any) -> list[str]:
    """The strings of a value IAM allows as one string or a list of strings."""
    return [v for v in as_list(value) if isinstance(v, str)]


def is_allow(statement: Mapping[str, Any]) -> bool:
    return str(statement.get("Effect", "")).lower() == "allow"


def covers_all_resources(statement: Mapping[str, Any]) -> bool:
    """True for ``Resource: "*"``, and for ``NotResource`` (every resource but the ones listed)."""
    if "NotResource" in statement:
        return True
    return "*" in strings(statement.get("Resource"))


def label(statement: Mapping[str, Any], index: int) -> str:
    """How a message names a statement: its Sid, or its position."""
    sid = statement.get("Sid")
    return f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement #{index + 1}"
