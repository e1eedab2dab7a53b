"""The shape every goldenpath policy takes, and how a pack is assembled from a folder.

A policy module declares one :class:`PolicySpec` named ``POLICY`` next to its check:

* a *resource* check is a pure function ``(props, config) -> messages`` that sees one resource's
  inputs; it yields (or returns) one message per problem and nothing when the resource complies
  (with ``check_receives_resource=True`` it is called as ``(props, config, resource)``, where
  ``resource`` has ``resource_type``, ``urn`` and ``name``, for a policy that judges several types
  differently or reads the URN). ``resource_types`` may end in a wildcard (``"aws:*"``);
* a *stack* check is ``(resources, config) -> [(urn, message), …]`` and sees every resource,
  for truths that span resources (an S3 bucket and its separate versioning resource).

The spec carries what a security reviewer needs: id, severity, framework controls, rationale,
remediation steps, config schema and default enforcement (mandatory for critical and high).
:func:`discover` finds every ``POLICY`` in a pack's folder, so adding a policy edits no list, and
:func:`build_policies` turns them into pulumi-policy objects with waivers applied.

Waivers: a resource may carry the tag (AWS) ``goldenpath:waiver:<policy-id>`` or the annotation
(Kubernetes) ``waiver.goldenpath.dev/<policy-id>`` with the value ``YYYY-MM-DD: reason``. While
the date has not passed and the reason is at least ten characters, the policy does not block the
resource; the pack's ``waived-violations`` policy reports it (advisory) as suppressed, with the
reason and expiry, so it is never dropped. An expired or malformed waiver is ignored and the
violation is reported again. Critical policies cannot be waived.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal, NamedTuple

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from goldenpath.conventions import (
    WAIVER_ANNOTATION_PREFIX,
    WAIVER_MIN_REASON_LENGTH,
    WAIVER_TAG_PREFIX,
)

__all__ = [
    "CIS_AWS",
    "CIS_K8S",
    "NIST",
    "PCI",
    "PEERS",
    "PSS",
    "EnforcementLevel",
    "PolicySpec",
    "Severity",
    "Waiver",
    "build_policies",
    "discover",
    "docs_url",
    "find_waiver",
    "get_known",
    "get_path",
    "note_unknown",
]

DOCS_BASE = "https://github.com/goldenpath/goldenpath/blob/main/docs/policies.md"
WAIVER_AUDIT_POLICY = "waived-violations"

# Framework keys used in PolicySpec.controls, with the name and version a reviewer expects.
CIS_AWS = "cis-aws"
NIST = "nist-800-53"
PCI = "pci-dss"
CIS_K8S = "cis-kubernetes"
PSS = "pod-security-standards"
FRAMEWORKS: dict[str, tuple[str, str]] = {
    CIS_AWS: ("CIS AWS Foundations Benchmark", "3.0.0"),
    NIST: ("NIST SP 800-53", "r5"),
    PCI: ("PCI DSS", "4.0"),
    CIS_K8S: ("CIS Kubernetes Benchmark", "1.9.0"),
    PSS: ("Kubernetes Pod Security Standards", "restricted"),
}

# Peer tools a security reviewer compares a pack with, keyed as in PolicySpec.peers; their rule
# lists (read from each peer's own source) are data in goldenpath/peers/<key>.yaml.
PEERS: dict[str, str] = {
    "awsguard": "AWSGuard (pulumi-policy-aws)",
    "cdk-nag": "cdk-nag AwsSolutions",
    "checkov": "checkov",
    "kyverno": "Kyverno policies",
}

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
_WAIVER_VALUE_RE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})\s*:\s*(?P<reason>.*)$", re.S)

Messages = Iterable[str] | str | None
ResourceCheck = Callable[[Mapping[str, Any], Mapping[str, Any]], Messages]
StackCheck = Callable[[Sequence[Any], Mapping[str, Any]], Iterable[tuple[str, str]]]
Remediation = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any] | None]


def docs_url(policy_id: str) -> str:
    return f"{DOCS_BASE}#{policy_id}"


@dataclass(frozen=True)
class PolicySpec:
    """One policy: its metadata for reviewers and its check for the engine."""

    id: str
    description: str
    severity: Literal["low", "medium", "high", "critical"]
    rationale: str
    remediation: str
    resource_types: tuple[str, ...]
    check: ResourceCheck | None = None
    stack_check: StackCheck | None = None
    remediate: Remediation | None = None
    controls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    config_schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The equivalent rule ids of peer tools (keys of PEERS), so a reviewer can map what they know.
    peers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    enforcement: Literal["advisory", "mandatory", "remediate"] | None = None
    # True when the check needs to know which resource it judges (type, URN, name): it is then
    # called as ``check(props, config, resource)``.
    check_receives_resource: bool = False

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"policy id {self.id!r} must be lower-case words joined by '-'")
        if (self.check is None) == (self.stack_check is None):
            raise ValueError(f"policy {self.id}: give exactly one of check or stack_check")
        if self.check_receives_resource and self.check is None:
            raise ValueError(f"policy {self.id}: check_receives_resource needs a resource check")
        if self.remediate is not None and self.check is None:
            raise ValueError(f"policy {self.id}: only resource policies can remediate")
        unknown = set(self.controls) - set(FRAMEWORKS)
        if unknown:
            raise ValueError(
                f"policy {self.id}: unknown frameworks {sorted(unknown)}; use {sorted(FRAMEWORKS)}"
            )
        unknown_peers = set(self.peers) - set(PEERS)
        if unknown_peers:
            raise ValueError(f"policy {self.id}: unknown peers {sorted(unknown_peers)}; use {sorted(PEERS)}")
        if not self.resource_types:
            raise ValueError(f"policy {self.id}: resource_types must name what it applies to")

    @property
    def kind(self) -> Literal["resource", "stack"]:
        return "resource" if self.check is not None else "stack"

    @property
    def default_enforcement(self) -> EnforcementLevel:
        if self.enforcement is not None:
            return EnforcementLevel(self.enforcement)
        if self.severity in ("critical", "high"):
            return EnforcementLevel.MANDATORY
        return EnforcementLevel.ADVISORY

    @property
    def waivable(self) -> bool:
        return self.severity != "critical"

    @property
    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.config_schema.items() if "default" in v}

    def config(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The effective config: schema defaults overlaid with what the pack was configured with."""
        merged = self.defaults
        merged.update({k: v for k, v in (given or {}).items() if k in self.config_schema})
        return merged

    def framework_tags(self) -> list[str]:
        return [f"{key}:{control}" for key, ids in self.controls.items() for control in ids]

    def primary_framework(self) -> PolicyComplianceFramework | None:
        for key, ids in self.controls.items():
            name, version = FRAMEWORKS[key]
            return PolicyComplianceFramework(name=name, version=version, reference=", ".join(ids))
        return None

    def applies_to(self, resource_type: str) -> bool:
        """Whether ``resource_type`` is one of ``resource_types`` (``"aws:*"`` covers every aws type)."""
        return _type_matcher(self.resource_types)(resource_type)

    def evaluate(
        self,
        props: Mapping[str, Any],
        config: Mapping[str, Any] | None = None,
        resource_type: str = "",
        urn: str = "",
    ) -> list[str]:
        """Run a resource check on plain props; the messages it reports (empty when compliant)."""
        name = urn.rsplit("::", 1)[-1]
        return self.run_check(props, self.config(config), Subject(resource_type, urn, name))

    def run_check(self, props: Mapping[str, Any], config: Mapping[str, Any], resource: Any) -> list[str]:
        """The messages of the resource check, given the effective config and the resource judged
        (anything with ``resource_type``, ``urn`` and ``name``)."""
        assert self.check is not None
        skipped: list[UnknownValueError] = []
        token = _SKIPPED_UNKNOWNS.set(skipped)
        try:
            if self.check_receives_resource:
                messages = _messages(self.check(props, config, resource))  # type: ignore[call-arg]
            else:
                messages = _messages(self.check(props, config))
        finally:
            _SKIPPED_UNKNOWNS.reset(token)
        if not messages and skipped:
            raise skipped[0]  # judged only part of it: the policy can't run yet, it does not pass
        return messages


class Subject(NamedTuple):
    """The resource a check judges, where it asks for it."""

    resource_type: str
    urn: str
    name: str


# The unknown values a running check skipped to judge the rest (see note_unknown).
_SKIPPED_UNKNOWNS: ContextVar[list[UnknownValueError] | None] = ContextVar("goldenpath_skipped", default=None)


def note_unknown(error: UnknownValueError) -> None:
    """Record that a check skipped a value unknown until apply (at preview) to judge the rest.

    A check reports what the known values already prove; but when it finds nothing and skipped
    something, :meth:`PolicySpec.run_check` raises the first skipped error again, so the engine
    reports that the policy can't run yet rather than a pass nothing proved.
    """
    skipped = _SKIPPED_UNKNOWNS.get()
    if skipped is not None:
        skipped.append(error)


def _type_matcher(resource_types: Sequence[str]) -> Callable[[str], bool]:
    exact = frozenset(t for t in resource_types if not t.endswith("*"))
    prefixes = tuple(t[:-1] for t in resource_types if t.endswith("*"))
    if not prefixes:
        return exact.__contains__
    return lambda resource_type: resource_type in exact or resource_type.startswith(prefixes)


def _messages(result: Messages) -> list[str]:
    if result is None:
        return []
    if isinstance(result, str):
        return [result]
    return list(result)


# --- Reading props safely -----------------------------------------------------------------------

_MISSING = object()


def get_path(props: Any, path: str, default: Any = None) -> Any:
    """``props["a"]["b"][0]`` for ``"a.b.0"``, or ``default`` where any step is missing or null.

    Works on the read-only Mapping/Sequence proxies pulumi-policy hands to policies (which are not
    ``dict``/``list``); an unknown value still raises so the engine reports "can't run during
    preview" rather than a wrong verdict.
    """
    current = props
    for part in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(part, _MISSING)
        elif isinstance(current, Sequence) and not isinstance(current, str) and part.isdigit():
            index = int(part)
            current = current[index] if index < len(current) else _MISSING
        else:
            return default
        if current is _MISSING or current is None:
            return default
    return current


def get_known(props: Any, path: str, default: Any = None) -> Any:
    """Like :func:`get_path`, but a value unknown until apply reads as ``default``.

    For stack checks, where one resource's unknown attribute must not stop the verdict on all
    the others.
    """
    try:
        return get_path(props, path, default)
    except UnknownValueError:
        return default


def as_list(value: Any) -> list[Any]:
    """A list from a list-like value, a single value, or nothing."""
    if value is None:
        return []
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return [value]


# --- Waivers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiver:
    policy_id: str
    expires: _dt.date | None
    reason: str
    raw: str
    problem: str | None  # why the waiver does not apply, or None when it is in force


def _waiver_values(props: Mapping[str, Any]) -> Mapping[str, Any]:
    tags = get_path(props, "tags")
    if isinstance(tags, Mapping):
        return {k[len(WAIVER_TAG_PREFIX) :]: v for k, v in tags.items() if k.startswith(WAIVER_TAG_PREFIX)}
    annotations = get_path(props, "metadata.annotations")
    if isinstance(annotations, Mapping):
        return {
            k[len(WAIVER_ANNOTATION_PREFIX) :]: v
            for k, v in annotations.items()
            if k.startswith(WAIVER_ANNOTATION_PREFIX)
        }
    return {}


def find_waiver(spec: PolicySpec, props: Mapping[str, Any], today: _dt.date | None = None) -> Waiver | None:
    """The waiver a resource declares for ``spec``, with the reason it is not in force if any."""
    try:
        raw = _waiver_values(props).get(spec.id)
    except Exception:  # noqa: BLE001 - unknown tags during preview: no waiver can be read
        return None
    if raw is None:
        return None
    raw = str(raw)
    match = _WAIVER_VALUE_RE.match(raw.strip())
    if not match:
        return Waiver(spec.id, None, "", raw, "malformed waiver; write 'YYYY-MM-DD: reason'")
    try:
        expires = _dt.date.fromisoformat(match["date"])
    except ValueError:
        return Waiver(spec.id, None, "", raw, f"waiver date {match['date']!r} is not a date")
    reason = match["reason"].strip()
    today = today or _dt.datetime.now(_dt.UTC).date()
    if not spec.waivable:
        problem = f"{spec.severity} policies cannot be waived"
    elif len(reason) < WAIVER_MIN_REASON_LENGTH:
        problem = f"waiver reason must be at least {WAIVER_MIN_REASON_LENGTH} characters"
    elif expires < today:
        problem = f"waiver expired on {expires.isoformat()}"
    else:
        problem = None
    return Waiver(spec.id, expires, reason, raw, problem)


# --- Discovery and pack assembly ----------------------------------------------------------------


def discover(package: str | ModuleType) -> list[PolicySpec]:
    """Every ``POLICY`` declared by a module of ``package``, sorted by id; ids must be unique."""
    module = importlib.import_module(package) if isinstance(package, str) else package
    specs: list[PolicySpec] = []
    for info in pkgutil.iter_modules(module.__path__):
        if info.name.startswith("_"):
            continue
        child = importlib.import_module(f"{module.__name__}.{info.name}")
        spec = getattr(child, "POLICY", None)
        if isinstance(spec, PolicySpec):
            specs.append(spec)
    ids = [s.id for s in specs]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate policy ids in {module.__name__}: {sorted(duplicates)}")
    return sorted(specs, key=lambda s: s.id)


def _severity(spec: PolicySpec) -> Severity:
    return Severity(spec.severity)


def _metadata(spec: PolicySpec) -> dict[str, Any]:
    return {
        "description": spec.description,
        "enforcement_level": spec.default_enforcement,
        "config_schema": PolicyConfigSchema(properties=dict(spec.config_schema))
        if spec.config_schema
        else None,
        "severity": _severity(spec),
        "framework": spec.primary_framework(),
        "tags": spec.framework_tags(),
        "remediation_steps": spec.remediation,
        "url": docs_url(spec.id),
    }


# Each pack process keeps, per enabled policy, the config the engine last handed it, so that the
# waiver audit judges a waived resource exactly as the policy itself did (a disabled policy is
# never called, is absent, and has nothing to suppress).
ConfigSeen = dict[str, Mapping[str, Any]]


def _resource_policy(spec: PolicySpec, seen: ConfigSeen) -> ResourceValidationPolicy:
    applies = _type_matcher(spec.resource_types)
    assert spec.check is not None

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        seen[spec.id] = args.get_config()
        if not applies(args.resource_type):
            return
        messages = spec.run_check(args.props, spec.config(args.get_config()), args)
        if not messages:
            return
        waiver = find_waiver(spec, args.props)
        if waiver is not None and waiver.problem is None:
            return  # reported as suppressed by the waiver audit policy
        suffix = f" [{waiver.problem}]" if waiver is not None else ""
        for message in messages:
            report(message + suffix)

    remediate = None
    if spec.remediate is not None:
        fix = spec.remediate

        def remediate(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
            if not applies(args.resource_type):
                return None
            return fix(args.props, spec.config(args.get_config()))

    return ResourceValidationPolicy(name=spec.id, validate=validate, remediate=remediate, **_metadata(spec))


def _stack_policy(spec: PolicySpec, seen: ConfigSeen) -> StackValidationPolicy:
    stack_check = spec.stack_check
    assert stack_check is not None

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        seen[spec.id] = args.get_config()
        by_urn = {r.urn: r for r in args.resources}
        for urn, message in stack_check(args.resources, spec.config(args.get_config())):
            resource = by_urn.get(urn)
            waiver = find_waiver(spec, resource.props) if resource is not None else None
            if waiver is not None and waiver.problem is None:
                continue
            suffix = f" [{waiver.problem}]" if waiver is not None else ""
            report(message + suffix, urn)

    return StackValidationPolicy(name=spec.id, validate=validate, **_metadata(spec))


def _waiver_audit_policy(specs: Sequence[PolicySpec], seen: ConfigSeen) -> StackValidationPolicy:
    by_id = {s.id: s for s in specs}
    # Waivers for other packs' policies are theirs to judge; only a waiver with this pack's id
    # prefix ("aws-", "k8s-", …) that names no policy here is a mistake worth reporting.
    prefixes = {s.id.split("-", 1)[0] for s in specs}

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        stack_results: dict[str, list[tuple[str, str]]] = {}
        for resource in args.resources:
            try:
                declared = list(_waiver_values(resource.props))
            except Exception:  # noqa: BLE001 - unknown tags: nothing can be read yet
                continue
            for policy_id in declared:
                spec = by_id.get(policy_id)
                if spec is None:
                    if policy_id.split("-", 1)[0] in prefixes:
                        report(f"waiver names unknown policy {policy_id!r}", resource.urn)
                    continue
                waiver = find_waiver(spec, resource.props)
                if waiver is None or waiver.problem is not None or spec.id not in seen:
                    continue
                config = spec.config(seen[spec.id])
                if spec.check is not None:
                    if not spec.applies_to(resource.resource_type):
                        continue
                    messages = spec.run_check(resource.props, config, resource)
                else:
                    if spec.id not in stack_results:
                        stack_results[spec.id] = list(spec.stack_check(args.resources, config))
                    messages = [m for urn, m in stack_results[spec.id] if urn == resource.urn]
                for message in messages:
                    report(
                        f"suppressed {spec.id}: {message} — waived until {waiver.expires}: {waiver.reason}",
                        resource.urn,
                    )

    return StackValidationPolicy(
        name=WAIVER_AUDIT_POLICY,
        description="Reports every violation a waiver suppresses, with its reason and expiry, so none is dropped.",
        validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        remediation_steps="Fix the resource and remove the waiver before it expires.",
        url=docs_url(WAIVER_AUDIT_POLICY),
    )


def build_policies(specs: Sequence[PolicySpec]) -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """pulumi-policy objects for ``specs``, plus the pack's waiver audit policy."""
    seen: ConfigSeen = {}
    policies: list[ResourceValidationPolicy | StackValidationPolicy] = [
        _resource_policy(s, seen) if s.kind == "resource" else _stack_policy(s, seen) for s in specs
    ]
    policies.append(_waiver_audit_policy(specs, seen))
    return policies


def pack_policies(package: str) -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """What a pack's ``__main__.py`` hands to ``PolicyPack``."""
    return build_policies(discover(package))
