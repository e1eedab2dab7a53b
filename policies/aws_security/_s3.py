"""What the S3 policies share: linking a bucket to its setting resources, and reading bucket policies.

In pulumi-aws 7 a bucket's settings (public access block, encryption, logging, policy) are separate
resources that name the bucket in a property. A setting belongs to a bucket when that property
depends on the bucket (``bucket=bucket.id``) or holds the bucket's name (``bucket="my-bucket"``).
During preview either side may be unknown; a link that cannot be resolved yet may point at any
bucket, so the policies then leave "this bucket has no such setting" undecided rather than guess.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import as_list, get_path

from ._elb import LOAD_BALANCERS
from ._principals import is_everyone

BUCKET = "aws:s3/bucket:Bucket"
# The only encryption Elastic Load Balancing can deliver access logs to (an ALB cannot use SSE-KMS).
ALB_LOG_ENCRYPTION = "AES256"


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()  # a value that is not known until apply (during preview)


def read(props: Any, path: str, default: Any = None) -> Any:
    """``get_path``, but a value not known until apply reads as :data:`UNKNOWN` (never raises)."""
    try:
        return get_path(props, path, default)
    except UnknownValueError:
        return UNKNOWN


def read_list(props: Any, path: str) -> list[Any] | Any:
    """The list at ``path`` (a single value becomes a one-item list), or :data:`UNKNOWN`."""
    try:
        return as_list(get_path(props, path))
    except UnknownValueError:
        return UNKNOWN


class Links:
    """Which buckets some resources point at, and where an unresolved pointer may still land."""

    def __init__(self, index: BucketIndex):
        self._index = index
        self._by_bucket: dict[str, list[Any]] = {}
        self._anywhere = False
        self._unnamed = False

    def add(self, resource: Any, prop: str, path: str) -> None:
        urns = {d.urn for d in resource.property_dependencies.get(prop, ()) if d.urn in self._index.urns}
        value = read(resource.props, path)
        if isinstance(value, str) and value in self._index.by_name:
            urns.add(self._index.by_name[value])
        for urn in urns:
            self._by_bucket.setdefault(urn, []).append(resource)
        if not urns:
            if value is UNKNOWN:
                self._anywhere = True
            elif isinstance(value, str) and value:
                self._unnamed = True

    def of(self, bucket: Any) -> list[Any]:
        """The resources that certainly point at ``bucket``."""
        return self._by_bucket.get(bucket.urn, [])

    def may_reach(self, bucket: Any) -> bool:
        """True when a pointer not resolved yet could be pointing at ``bucket``."""
        return self._anywhere or (self._unnamed and bucket.urn in self._index.unnamed)

    def reach(self, bucket: Any) -> bool | None:
        """True if something points at ``bucket``, None if that cannot be known yet, else False."""
        if self.of(bucket):
            return True
        return None if self.may_reach(bucket) else False


class BucketIndex:
    """The stack's buckets by URN and by name, to link setting resources to them."""

    def __init__(self, resources: Iterable[Any]):
        self.resources = list(resources)
        self.buckets = [r for r in self.resources if r.resource_type == BUCKET]
        self.urns = {b.urn for b in self.buckets}
        self.by_name: dict[str, str] = {}
        self.unnamed: set[str] = set()
        for b in self.buckets:
            # An auto-named bucket has no `bucket` input; its logical name stands in, as in goldenpath check.
            name = read(b.props, "bucket", b.name)
            if isinstance(name, str):
                self.by_name[name] = b.urn
            else:
                self.unnamed.add(b.urn)

    def links(self, types: Iterable[str], prop: str = "bucket", path: str | None = None) -> Links:
        """Links from every resource of ``types`` through property ``prop`` (the name read at ``path``)."""
        wanted = frozenset(types)
        links = Links(self)
        for r in self.resources:
            if r.resource_type in wanted:
                links.add(r, prop, path or prop)
        return links

    def access_log_buckets(self, *, application_only: bool) -> Links:
        """Buckets that load balancers deliver access logs to (Application Load Balancers only if asked)."""
        links = Links(self)
        for r in self.resources:
            if r.resource_type not in LOAD_BALANCERS:
                continue
            if application_only and read(r.props, "loadBalancerType", "application") not in (
                "application",
                UNKNOWN,
            ):
                continue
            links.add(r, "accessLogs", "accessLogs.bucket")
        return links


# --- Bucket policy documents --------------------------------------------------------------------


class MalformedPolicy(ValueError):
    """A policy document that cannot be read as one."""


def statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of a policy given as JSON text or as an object; MalformedPolicy if it is neither."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as error:
            raise MalformedPolicy(f"is not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, Mapping):
        raise MalformedPolicy("is not a JSON object")
    found = document.get("Statement")
    if found is None:
        raise MalformedPolicy("has no Statement")
    items = [found] if isinstance(found, Mapping) else as_list(found)
    if not all(isinstance(s, Mapping) for s in items):
        raise MalformedPolicy("has a Statement that is not an object")
    return items


def statement_label(statement: Mapping[str, Any], index: int) -> str:
    sid = statement.get("Sid")
    return f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement {index + 1}"


# Partitions a bucket ARN may be written in when only the bucket's name is known.
_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
_SECURE_TRANSPORT = "aws:securetransport"


def bucket_arns(bucket: Any) -> list[str] | None:
    """The ARNs a bucket may be written as in a policy, or None while neither its name nor ARN is known.

    An auto-named bucket with neither input stands in with its logical name, as :class:`BucketIndex` does.
    """
    arn = read(bucket.props, "arn")
    if isinstance(arn, str) and arn:
        return [arn]
    name = read(bucket.props, "bucket", bucket.name)
    if isinstance(name, str) and name:
        return [f"arn:{p}:s3:::{name}" for p in _PARTITIONS]
    return None


def _states(pattern: str, text: str) -> set[int]:
    """Positions in an IAM wildcard ``pattern`` (``*`` any run, ``?`` one character) after reading ``text``."""

    def closure(positions: set[int]) -> set[int]:
        result = set(positions)
        stack = list(positions)
        while stack:
            pos = stack.pop()
            if pos < len(pattern) and pattern[pos] == "*" and pos + 1 not in result:
                result.add(pos + 1)
                stack.append(pos + 1)
        return result

    current = closure({0})
    for char in text:
        following: set[int] = set()
        for pos in current:
            if pos >= len(pattern):
                continue
            if pattern[pos] == "*":
                following.add(pos)
            elif pattern[pos] == "?" or pattern[pos] == char:
                following.add(pos + 1)
        current = closure(following)
        if not current:
            break
    return current


def arn_matches(pattern: str, arn: str) -> bool:
    """True when the Resource ``pattern`` matches ``arn`` exactly."""
    return len(pattern) in _states(pattern, arn)


def arn_covers_prefix(pattern: str, prefix: str) -> bool:
    """True when ``pattern`` matches every ARN that starts with ``prefix`` (every object of a bucket)."""
    return any(set(pattern[pos:]) == {"*"} for pos in _states(pattern, prefix))


def arn_meets_prefix(pattern: str, prefix: str) -> bool:
    """True when ``pattern`` matches at least one ARN that starts with ``prefix``."""
    return bool(_states(pattern, prefix))


def _covers_bucket_and_objects(statement: Mapping[str, Any], arns: list[str] | None) -> bool | None:
    """Whether the statement's Resource (or NotResource) takes in the bucket and all its objects;
    None when the bucket's ARN is not known yet."""
    if "NotResource" in statement:
        excluded = [str(r) for r in as_list(statement.get("NotResource"))]
        if arns is None:
            return None
        # Every partition the ARN may be in must stay denied: the real one is among them.
        return all(
            not any(arn_matches(p, arn) or arn_meets_prefix(p, f"{arn}/") for p in excluded) for arn in arns
        )
    patterns = [str(r) for r in as_list(statement.get("Resource"))]
    if "*" in patterns:
        return True
    if arns is None:
        return None
    return any(
        any(arn_matches(p, arn) for p in patterns) and any(arn_covers_prefix(p, f"{arn}/") for p in patterns)
        for arn in arns
    )


def only_insecure_transport(condition: Any) -> bool:
    """True when the Condition is exactly aws:SecureTransport false (any other key narrows a Deny)."""
    if not isinstance(condition, Mapping) or not condition:
        return False
    found = False
    for operator, clause in condition.items():
        if str(operator) not in ("Bool", "BoolIfExists") or not isinstance(clause, Mapping):
            return False
        for key, value in clause.items():
            if str(key).lower() != _SECURE_TRANSPORT:
                return False
            values = [str(v).lower() for v in as_list(value)]
            if not values or any(v != "false" for v in values):
                return False
            found = True
    return found


def _is_insecure_transport_deny(statement: Mapping[str, Any]) -> bool:
    """A Deny of every S3 action to every principal whose only condition is aws:SecureTransport false."""
    if statement.get("Effect") != "Deny" or not is_everyone(statement.get("Principal")):
        return False
    actions = {str(a).lower() for a in as_list(statement.get("Action"))}
    if not actions & {"s3:*", "*"}:
        return False
    return only_insecure_transport(statement.get("Condition"))


def denies_insecure_transport(
    items: Iterable[Mapping[str, Any]], arns: list[str] | None = None
) -> bool | None:
    """True when the statements deny every S3 action to every principal, on the bucket and all its
    objects, when aws:SecureTransport is false; None when only the bucket's unknown ARN could decide it.

    ``arns`` are the bucket's ARNs (:func:`bucket_arns`); without them only ``"*"`` proves the scope.
    Several such statements add up (one for the bucket, one for ``bucket/*``). A condition on
    s3:TlsVersion is a different control (the minimum TLS version) and does not count.
    """
    denies = [s for s in items if _is_insecure_transport_deny(s)]
    if not denies:
        return False
    verdicts = [_covers_bucket_and_objects(s, arns) for s in denies if "NotResource" in s]
    patterns = [str(r) for s in denies if "NotResource" not in s for r in as_list(s.get("Resource"))]
    if patterns:
        verdicts.append(_covers_bucket_and_objects({"Resource": patterns}, arns))
    if True in verdicts:
        return True
    return None if None in verdicts else False
