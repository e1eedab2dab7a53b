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

from ._conditions import values_pin
from ._elb import LOAD_BALANCERS

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

# Condition keys that, compared with fixed values, stop a "*" principal from meaning "anyone"
# (the keys S3 itself accepts as making a bucket policy non-public).
RESTRICTING_CONDITION_KEYS = frozenset(
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
        "s3:DataAccessPointArn",
        "s3:DataAccessPointAccount",
    )
)


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


def is_everyone(principal: Any) -> bool:
    """True for ``"*"`` and ``{"AWS": "*"}`` (alone or in a list): any AWS principal, anonymous included."""
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any(p == "*" for p in as_list(principal.get("AWS")))
    return False


def has_restricting_condition(statement: Mapping[str, Any]) -> bool:
    """True when a positive condition pins a source or principal key (aws:SourceArn, …) to an owner."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator, clauses in condition.items():
        op = str(operator)
        # Negated, IfExists and Null operators let requests without the key (anonymous ones) through.
        if "Not" in op or op.endswith("IfExists") or op == "Null" or not isinstance(clauses, Mapping):
            continue
        for key, values in clauses.items():
            if str(key).lower() not in RESTRICTING_CONDITION_KEYS:
                continue
            if values_pin(str(key), op, as_list(values)):
                return True
    return False


def denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    """True for a Deny of every S3 action to every principal when aws:SecureTransport is false."""
    if statement.get("Effect") != "Deny" or not is_everyone(statement.get("Principal")):
        return False
    actions = {str(a).lower() for a in as_list(statement.get("Action"))}
    if not actions & {"s3:*", "*"}:
        return False
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator in ("Bool", "BoolIfExists"):
        clause = condition.get(operator)
        if not isinstance(clause, Mapping):
            continue
        for key, value in clause.items():
            if str(key).lower() == "aws:securetransport" and any(
                str(v).lower() == "false" for v in as_list(value)
            ):
                return True
    return False
