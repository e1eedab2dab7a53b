"""What the SNS and SQS TLS-only policies share: finding a resource policy's Deny of plain HTTP.

A topic or queue refuses requests made without TLS when one of its policy documents (the inline
``policy`` or a separate TopicPolicy/QueuePolicy) holds a Deny, for every principal, of the actions
that matter, on the resource, whose only condition is ``aws:SecureTransport`` false.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import as_list, note_unknown

from ._principals import is_everyone
from ._s3 import UNKNOWN, MalformedPolicy, arn_matches, only_insecure_transport, statements


def _covers(statement: Mapping[str, Any], arn: Any) -> bool | None:
    """Whether the statement's Resource (or NotResource) takes in ``arn``; None while ``arn`` is unknown."""
    if "NotResource" in statement:
        excluded = [str(r) for r in as_list(statement.get("NotResource"))]
        if not isinstance(arn, str) or not arn:
            return None
        return not any(arn_matches(p, arn) for p in excluded)
    patterns = [str(r) for r in as_list(statement.get("Resource"))]
    if "*" in patterns:
        return True
    if not isinstance(arn, str) or not arn:
        return None
    return any(arn_matches(p, arn) for p in patterns)


def _is_tls_deny(statement: Mapping[str, Any], action_ok: Callable[[str], bool]) -> bool:
    if statement.get("Effect") != "Deny" or not is_everyone(statement.get("Principal")):
        return False
    if not any(action_ok(str(a).lower()) for a in as_list(statement.get("Action"))):
        return False
    return only_insecure_transport(statement.get("Condition"))


def denies_plain_http(document: Any, arn: Any, action_ok: Callable[[str], bool]) -> bool | None:
    """True when ``document`` denies plain HTTP on the resource with ARN ``arn``, False when it does
    not, None while a value it depends on is not known yet (the document, or the ARN its Resource
    must match). ``action_ok`` says whether a lower-cased Action pattern counts."""
    if document is UNKNOWN:
        return None
    if document is None or document == "":
        return False
    try:
        verdicts = [
            _covers(s, arn)
            for s in statements(document)
            if isinstance(s, Mapping) and _is_tls_deny(s, action_ok)
        ]
    except MalformedPolicy:
        return False
    except UnknownValueError as error:
        note_unknown(error)
        return None
    if True in verdicts:
        return True
    return None if None in verdicts else False
