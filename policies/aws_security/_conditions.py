"""Whether an IAM condition's values pin the caller to an owner, or match anyone's resources.

A condition such as ``ArnLike: {aws:SourceArn: arn:aws:iam::*:role/*}`` names a key that could
restrict who calls, but its wildcards match a resource in any account, so it restricts nothing:
anyone can create a role in their own account. A value pins when the part of it that says whose
it is stays fixed: the account of an ARN (or, for ARNs without one such as S3 buckets, the name
before the first ``/``), an account id, organization id or VPC (endpoint) id itself, the
organization at the root of an organization path, the unique id before ``:`` in ``aws:userid``.

``ArnEquals``/``ArnLike`` and the ``…Like`` operators read ``*`` and ``?`` as wildcards; the
``…Equals`` string operators compare them literally, but ``*`` alone is still read as "anything"
(a policy author who wrote it meant that, and it pins nothing they intended).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from goldenpath.policy import as_list

from ._cidr import anywhere

ARN_KEYS = frozenset({"aws:sourcearn", "aws:principalarn", "s3:dataaccesspointarn"})
SOURCE_IP = "aws:sourceip"
ORGANIZATION_PATH_KEYS = frozenset({"aws:sourceorgpaths", "aws:principalorgpaths"})
USER_ID = "aws:userid"
_WILDCARDS = ("*", "?")


def _wild(text: str) -> bool:
    return any(w in text for w in _WILDCARDS)


def reads_wildcards(operator: str) -> bool:
    """True for the operators that match ``*`` and ``?`` as wildcards (ArnEquals included)."""
    base = operator.split(":")[-1].lower().removesuffix("ifexists")
    return base.startswith("arn") or base.endswith("like")


def _arn_owner(arn: str) -> str | None:
    """The part of an ARN that says whose resource it is, or None when the ARN has no such part."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return None
    account, resource = parts[4], parts[5]
    if account:
        return account
    return resource.split("/", 1)[0] or None


def _owner(key: str, value: str) -> str | None:
    if key in ARN_KEYS:
        return _arn_owner(value)
    if key in ORGANIZATION_PATH_KEYS:
        return value.split("/", 1)[0] or None
    if key == USER_ID:
        return value.split(":", 1)[0] or None
    return value or None


def value_pins(key: str, operator: str, value: Any) -> bool:
    """True when ``value`` of condition ``key`` (compared with ``operator``) fixes an owner."""
    text = str(value)
    if text == "*":
        return False
    if not reads_wildcards(operator):
        return True
    owner = _owner(key.lower(), text)
    return owner is not None and not _wild(owner)


def values_pin(key: str, operator: str, values: Iterable[Any]) -> bool:
    """True when every value pins (a request matching any one value passes the condition)."""
    listed = list(values)
    if not listed:
        return False
    if key.lower() == SOURCE_IP:
        return not anywhere(str(v) for v in listed)  # ranges that hold every address pin nothing
    return all(value_pins(key, operator, v) for v in listed)


# --- Conditions that stop a grant to everyone from meaning "anyone" ------------------------------

# Condition keys that, compared with fixed values, tie a request to an owner: the keys S3 and IAM
# Access Analyzer accept as making a resource policy non-public, plus ``kms:CallerAccount``.
PINNING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceIp",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:userid",
        "kms:CallerAccount",
        "s3:DataAccessPointArn",
        "s3:DataAccessPointAccount",
    )
)


def _positive(operator: str) -> bool:
    # Negated, IfExists and Null operators let requests without the key (anonymous ones) through.
    return not ("Not" in operator or operator.endswith("IfExists") or operator == "Null")


def pins_caller(condition: Any, keys: frozenset[str] = PINNING_KEYS) -> bool:
    """True when a positive operator of ``condition`` compares one of ``keys`` with values that pin.

    ``keys`` are lower-case condition key names (IAM compares key names case-insensitively).
    """
    if not isinstance(condition, Mapping):
        return False
    for operator, clauses in condition.items():
        op = str(operator)
        if not _positive(op) or not isinstance(clauses, Mapping):
            continue
        for key, values in clauses.items():
            if str(key).lower() in keys and values_pin(str(key), op, as_list(values)):
                return True
    return False
