"""Who a policy statement grants to, and whether a resource policy document is open to everyone.

IAM accepts a principal as ``"*"`` or as an object whose ``AWS``/``Service``/``Federated``/
``CanonicalUser`` values are one string or a list. ``"*"`` and ``{"AWS": "*"}`` (alone or in a
list) both mean every AWS principal of every account, anonymous callers included; an Allow with
``NotPrincipal`` grants to everyone except those named. Such a grant is *public* unless a positive
condition pins the caller to an owner (:func:`._conditions.pins_caller`).

Service principals are not "everyone" here: whether a service acting for any account is
constrained (the confused deputy) depends on the service and is judged where it matters (Lambda
permissions); cross-account principals are judged where the accounts are configured (trust policies).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import get_path, note_unknown

from ._conditions import PINNING_KEYS, pins_caller
from ._iam import MalformedDocument, is_allow, label, parse, strings

EVERYONE = "*"
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_IAM_ARN = re.compile(r"^arn:[a-z-]+:(?:iam|sts)::(\d{12}):")
# How the public-policy messages name the conditions that would pin the caller.
PINNING_HINT = "aws:SourceArn, aws:SourceAccount, aws:SourceVpce, aws:PrincipalOrgID or aws:PrincipalAccount"


@dataclass(frozen=True)
class Principals:
    """A statement's ``Principal``, read: everyone, or the principals named by kind."""

    everyone: bool = False
    aws: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_users: tuple[str, ...] = ()


def read_principal(principal: Any) -> Principals:
    """The principals of a ``Principal`` value (a missing or malformed one names nobody)."""
    if principal == EVERYONE:
        return Principals(everyone=True)
    if not isinstance(principal, Mapping):
        return Principals()
    aws = strings(principal.get("AWS"))
    return Principals(
        everyone=EVERYONE in aws,
        aws=tuple(a for a in aws if a != EVERYONE),
        services=tuple(strings(principal.get("Service"))),
        federated=tuple(strings(principal.get("Federated"))),
        canonical_users=tuple(strings(principal.get("CanonicalUser"))),
    )


def is_everyone(principal: Any) -> bool:
    """True for ``"*"`` and ``{"AWS": "*"}`` (alone or in a list): any AWS principal, anonymous included."""
    return read_principal(principal).everyone


def account_of(aws_principal: str) -> str | None:
    """The account an AWS principal belongs to: a bare account id, or the account of an IAM/STS ARN."""
    if _ACCOUNT_ID.match(aws_principal):
        return aws_principal
    match = _IAM_ARN.match(aws_principal)
    return match.group(1) if match else None


def is_service_principal(principal: str) -> bool:
    """True for an AWS service principal (``s3.amazonaws.com``, ``logs.eu-west-1.amazonaws.com``, …)."""
    return principal.endswith((".amazonaws.com", ".amazonaws.com.cn"))


def grantee(statement: Mapping[str, Any]) -> str | None:
    """How a message names the grantee of an Allow to everyone, or None when it names principals."""
    if not is_allow(statement):
        return None
    if "NotPrincipal" in statement:
        return "every principal except those in NotPrincipal"
    if is_everyone(statement.get("Principal")):
        return 'every principal ("*")'
    return None


def actions(statement: Mapping[str, Any]) -> str:
    """The statement's actions for a message (``NotAction`` reads as "every action except …")."""
    if "NotAction" in statement:
        return "every action except " + (", ".join(strings(statement.get("NotAction"))) or "none")
    return ", ".join(strings(statement.get("Action"))) or "access"


@dataclass(frozen=True)
class PublicGrant:
    statement: str  # the statement's Sid or position, as messages name it
    actions: str
    grantee: str


def public_grants(document: Any, keys: frozenset[str] = PINNING_KEYS) -> list[PublicGrant]:
    """The statements of ``document`` that allow everyone with no condition on ``keys`` that pins.

    An empty document (``""`` or ``{}``, how the providers spell "no policy") grants nothing. A
    statement holding a value not known until apply is left undecided. Raises
    :class:`MalformedDocument` for anything else that is not a policy.
    """
    if document is None or (isinstance(document, Mapping) and not document):
        return []
    if isinstance(document, str) and document.strip() in ("", "{}"):
        return []
    found = []
    for index, statement in enumerate(parse(document)):
        try:
            who = grantee(statement)
            if who is None or pins_caller(statement.get("Condition"), keys):
                continue
            found.append(PublicGrant(label(statement, index), actions(statement), who))
        except UnknownValueError as error:
            note_unknown(error)
            continue
    return found


def public_policy_problems(
    props: Any, path: str, what: str, remedy: str, conditions: str = PINNING_HINT
) -> list[str]:
    """Messages for each public statement of the policy document at ``path`` of ``props``.

    ``what`` names the document ("key policy"), ``remedy`` says which argument to change and
    ``conditions`` which condition keys would pin the caller.
    """
    # A document built from values known only after apply raises here: the engine reports that
    # preview cannot run the policy, and judges the document at up.
    document = get_path(props, path)
    try:
        grants = public_grants(document)
    except MalformedDocument as error:
        return [f"{what} {error}; give a valid JSON policy document in {remedy}"]
    return [
        f"{what} {g.statement} allows {g.actions} to {g.grantee} with no condition that pins the caller "
        f"({conditions} compared with fixed values); in {remedy} name the principals that need access "
        "or add such a condition"
        for g in grants
    ]
