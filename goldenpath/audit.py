"""``goldenpath audit``: adoption, standards after deployment and delivery, from the stacks' own state.

The sources are Pulumi self-managed backends (``file://``, ``s3://``, a state folder) or ``pulumi
stack export`` files, read by :mod:`goldenpath.backends` exactly as the CLI lays them out, never
written. Every stack gets:

* **adoption** — the ``goldenpath:*`` component types in its URNs, each blueprint with the
  version its children's ``goldenpath:version`` tag (AWS) or ``app.kubernetes.io/version`` label
  (Kubernetes, on objects ``managed-by`` goldenpath) carry, and how many of its custom resources
  sit inside a goldenpath component (some ancestor, walking ``parent``, has a ``goldenpath:`` type);
* **standards after deployment** — what ``pulumi policy analyze --file`` does
  (pkg/resource/deploy/analyze_snapshot.go): ``Analyze`` on every resource's *inputs*,
  ``AnalyzeStack`` on every resource's *outputs*, through the same packs over the same analyzer
  protocol (:class:`goldenpath.analyzer.PolicyPackProcess`); waivers are honoured by the packs
  themselves and an expired one is listed;
* **delivery** — from the update history (see :func:`delivery`).

The packs are started once for the whole audit. Their ``Analyze`` verdicts are memoized by pack
and by everything the engine sends except the stack and project its URNs name (type, the URN's
type chain and name, inputs, options, provider); ``AnalyzeStack`` verdicts by the whole stack so
relativized. The URNs in a reused verdict are re-stamped with the stack's own. This holds for
packs whose verdicts do not depend on which stack or project a resource is in — true of the
shipped packs, which cannot learn it from their environment either, as they start once for every
stack; ``memoize=False`` turns it off. Each pack answers on a thread of its own, so the packs
evaluate in parallel.

Secrets stay encrypted: backends.py masks them and the packs get each one as a secret whose value
is unknown, so a policy that reads one reports that it cannot run (``not-evaluated``) instead of
judging a stand-in. Nothing in a report quotes a secret value.

The report is a JSON document, versioned by ``schemaVersion``; docs/audit-output.md documents it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2

from goldenpath import __version__
from goldenpath.analyzer import ORGANIZATION, PackInfo, PolicyPackError, PolicyPackProcess, ResourceInput
from goldenpath.backends import (
    Backend,
    BackendError,
    Secret,
    StackRef,
    StackState,
    Update,
    open_backend,
)
from goldenpath.check import UsageError, _pair_configs, reject_unknown_policies, resolve_packs
from goldenpath.conventions import (
    LABEL_TEAM,
    MANAGED_BY,
    TAG_TEAM,
    TAG_VERSION,
    WAIVER_ANNOTATION_PREFIX,
    WAIVER_TAG_PREFIX,
)
from goldenpath.policy import WAIVER_AUDIT_POLICY

__all__ = [
    "SCHEMA_VERSION",
    "AuditError",
    "audit",
    "delivery",
    "dumps",
    "exit_code",
    "merge_reports",
    "print_text",
    "redact",
]

SCHEMA_VERSION = 1

_STACK_TYPE = "pulumi:pulumi:Stack"
_PROVIDER_PREFIX = "pulumi:providers:"
_GOLDENPATH_PREFIX = "goldenpath:"
_BLUEPRINT_PREFIX = "goldenpath:blueprints:"
# standard_labels (goldenpath.conventions) writes goldenpath's version and its own name here.
_LABEL_VERSION = "app.kubernetes.io/version"
_LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
# sdk/go/common/resource/sig: special values, and Pulumi's sentinel for a value not known.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SECRET_WIRE = {_SIG_KEY: _SECRET_SIG, "value": _UNKNOWN}
# pulumi-policy's words when a policy read a value it cannot see (an unknown: here, a secret).
_CANT_RUN = "can't run policy"
_EXPIRED = re.compile(r"\[waiver expired on (?P<date>\d{4}-\d{2}-\d{2})\]\s*$")
_WAIVER_VALUE = re.compile(r"^\s*(?P<date>\d{4}-\d{2}-\d{2})\s*:\s*(?P<reason>.*)$", re.S)
_SEVERITIES = ("critical", "high", "medium", "low")
_STATUS_ORDER = {"violation": 0, "not-evaluated": 1, "suppressed": 2}
_WEEK = timedelta(days=7)
# Stacks read ahead of the one being evaluated (S3 round trips overlap evaluation), and stacks
# whose evaluation may be in flight at once.
_READ_AHEAD = 4
_IN_FLIGHT = 3
_SECRET_NOTE = (
    "not evaluated: the policy reads a value the state holds as a secret, which the audit never decrypts"
)


class AuditError(Exception):
    """The audit cannot run as asked: a source that names no backend, an unknown pack, a pack
    config the packs refuse, a pack that does not start, reports that cannot be merged."""


# --- Sources ----------------------------------------------------------------------------------------


_USERINFO = re.compile(r"(?<=//)[^/@\s?#]+@")


def redact(source: str) -> str:
    """A source as a report may show it: any ``user:password@`` (in the URL or a query
    parameter's URL, such as an S3 ``endpoint``) replaced by ``****:****@``."""
    return _USERINFO.sub("****:****@", source)


def _open(source: str | os.PathLike[str]) -> Backend:
    try:
        return open_backend(source)
    except BackendError as error:
        raise AuditError(str(error)) from None


def _read(backend: Backend, seconds: list[float]) -> Iterator[StackState]:
    """The backend's stacks one by one, a few read ahead on threads (an S3 read is a round trip);
    ``seconds`` collects the time each read took."""

    def one(ref: StackRef) -> StackState:
        started = time.perf_counter()
        try:
            return StackState(ref, backend.checkpoint(ref), backend.history(ref), backend.locked(ref))
        finally:
            seconds.append(time.perf_counter() - started)

    refs = backend.stacks()
    with ThreadPoolExecutor(max_workers=_READ_AHEAD, thread_name_prefix="audit-read") as pool:
        pending: deque[Future[StackState]] = deque()
        for ref in refs:
            pending.append(pool.submit(one, ref))
            if len(pending) >= _READ_AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# --- A stack as the packs get it --------------------------------------------------------------------


def _wire_default(value: Any) -> Any:
    if isinstance(value, Secret):
        return _SECRET_WIRE
    raise TypeError(f"{type(value).__name__} is not a state value")


def _dereferenced(value: Any) -> Any:
    """Resource references as the engine hands them to an analyzer (MarshalProperties without
    KeepResources): the resource's id if it has one, else its URN."""
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _RESOURCE_SIG:
            return value.get("id") or value.get("urn") or ""
        return {k: _dereferenced(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dereferenced(v) for v in value]
    return value


def _wire(props: Any) -> str:
    """Canonical JSON of a property map as the packs get it: keys sorted, secrets as secret
    unknowns, resource references dereferenced."""
    if not isinstance(props, dict):
        props = {}
    text = json.dumps(props, sort_keys=True, separators=(",", ":"), default=_wire_default)
    if _RESOURCE_SIG in text:
        text = json.dumps(
            _dereferenced(json.loads(text)), sort_keys=True, separators=(",", ":"), default=_wire_default
        )
    return text


def _struct(text: str) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(json.loads(text))
    return struct


def _digest(*parts: str) -> bytes:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


_ROOT_MARK = "\x00root"
_PREFIX_MARK = "\x00prefix::"


class _Urns:
    """A stack's URNs relative to the stack: ``urn:pulumi:<stack>::<project>::`` and the root
    Stack resource's own name (``<project>-<stack>``) taken out, so that two stacks alike but for
    those share their verdicts; and back."""

    def __init__(self, resources: Sequence[dict[str, Any]]):
        root = next(
            (r["urn"] for r in resources if r.get("type") == _STACK_TYPE and not r.get("parent")), None
        )
        first = root or (str(resources[0].get("urn", "")) if resources else "")
        parts = first.split("::")
        self.prefix: str | None = None
        self.root = root or ""
        if len(parts) >= 4 and parts[0].startswith("urn:pulumi:"):
            stack, project = parts[0][len("urn:pulumi:") :], parts[1]
            self.prefix = f"{parts[0]}::{project}::"
            # resource.DefaultRootStackURN: where the engine attributes a stack policy's violation.
            self.root = root or f"{self.prefix}{_STACK_TYPE}::{project}-{stack}"

    def rel(self, urn: str) -> str:
        if urn == self.root:
            return _ROOT_MARK
        if self.prefix and urn.startswith(self.prefix):
            return _PREFIX_MARK + urn[len(self.prefix) :]
        return urn

    def absolute(self, rel: str) -> str:
        if rel == _ROOT_MARK:
            return self.root
        if rel.startswith(_PREFIX_MARK):
            return (self.prefix or "") + rel[len(_PREFIX_MARK) :]
        return rel

    def rel_text(self, text: str) -> str:
        if "urn:pulumi:" not in text:
            return text
        if self.root:
            text = text.replace(self.root, _ROOT_MARK)
        return text.replace(self.prefix, _PREFIX_MARK) if self.prefix else text

    def absolute_text(self, text: str) -> str:
        if "\x00" not in text:
            return text
        return text.replace(_ROOT_MARK, self.root).replace(_PREFIX_MARK, self.prefix or "")


@dataclass
class _Resource:
    urn: str
    type: str
    name: str
    parent: str
    protect: bool
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: str
    outputs: str
    external: bool = False
    provider: _Resource | None = None
    key: bytes = b""
    _analyze_input: ResourceInput | None = None
    _stack_input: ResourceInput | None = None


def _urn_name(urn: str) -> str:
    parts = urn.split("::", 3)
    return parts[3] if len(parts) == 4 else urn


@dataclass
class _Prepared:
    """One stack, ready for the packs: its resources in wire form and their memo keys."""

    urns: _Urns
    resources: list[_Resource]
    stack_key: bytes
    has_secrets: bool
    by_urn: dict[str, _Resource] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def analyze_input(self, r: _Resource) -> ResourceInput:
        """What Analyze gets (stateToAnalyzerResource with the inputs); built once, shared."""
        with self._lock:
            if r._analyze_input is None:
                r._analyze_input = ResourceInput(
                    urn=r.urn,
                    type=r.type,
                    name=r.name,
                    properties=_struct(r.inputs),
                    parent=r.parent,
                    protect=r.protect,
                    provider=self._provider_input(r),
                )
            return r._analyze_input

    def stack_inputs(self) -> list[ResourceInput]:
        """What AnalyzeStack gets: every resource with its outputs, parent and dependencies."""
        with self._lock:
            for r in self.resources:
                if r._stack_input is None:
                    r._stack_input = ResourceInput(
                        urn=r.urn,
                        type=r.type,
                        name=r.name,
                        properties=_struct(r.outputs),
                        parent=r.parent,
                        dependencies=r.dependencies,
                        property_dependencies=r.property_dependencies,
                        protect=r.protect,
                        provider=self._provider_input(r),
                    )
            return [r._stack_input for r in self.resources]  # type: ignore[misc]

    def _provider_input(self, r: _Resource) -> ResourceInput | None:
        p = r.provider
        if p is None:
            return None
        return ResourceInput(urn=p.urn, type=p.type, name=p.name, properties=_struct(p.inputs))


def _prepare(resources: Sequence[dict[str, Any]]) -> _Prepared:
    """The resources (deleted ones left out, as AnalyzeSnapshot does) in wire form, with keys."""
    live = [r for r in resources if not r.get("delete")]
    urns = _Urns(live)
    prepared: list[_Resource] = []
    by_urn: dict[str, _Resource] = {}
    for r in live:
        urn = str(r.get("urn", ""))
        item = _Resource(
            urn=urn,
            type=str(r.get("type", "")),
            name=_urn_name(urn),
            parent=str(r.get("parent") or ""),
            protect=bool(r.get("protect", False)),
            dependencies=[str(d) for d in r.get("dependencies") or []],
            property_dependencies={
                str(k): [str(d) for d in v or []]
                for k, v in (r.get("propertyDependencies") or {}).items()
                if isinstance(v, list)
            },
            inputs=_wire(r.get("inputs")),
            outputs=_wire(r.get("outputs")),
            external=bool(r.get("external", False)),
        )
        prepared.append(item)
        by_urn[urn] = item
    has_secrets = False
    stack_hash = hashlib.blake2b(digest_size=16)
    for item, raw in zip(prepared, live, strict=True):
        reference = str(raw.get("provider") or "")
        # A provider reference is "<provider URN>::<provider id>" (sdk/go/common/providers).
        provider = by_urn.get(reference.rsplit("::", 1)[0]) if reference else None
        item.provider = (
            provider if provider is not None and provider.type.startswith(_PROVIDER_PREFIX) else None
        )
        has_secrets = has_secrets or _SECRET_SIG in item.inputs or _SECRET_SIG in item.outputs
        provider_part = (
            f"{provider.type}\x1e{urns.rel(provider.urn)}\x1e{provider.inputs}" if item.provider else ""
        )
        parent = urns.rel(item.parent) if item.parent else ""
        item.key = _digest(
            item.type, urns.rel(item.urn), str(item.protect), parent, provider_part, item.inputs
        )
        dependencies = "\x1e".join(map(urns.rel, item.dependencies))
        property_dependencies = "\x1d".join(
            f"{k}\x1e{chr(0x1E).join(map(urns.rel, v))}"
            for k, v in sorted(item.property_dependencies.items())
        )
        stack_hash.update(
            _digest(
                item.type,
                urns.rel(item.urn),
                str(item.protect),
                parent,
                dependencies,
                property_dependencies,
                provider_part,
                item.outputs,
            )
        )
    return _Prepared(urns, prepared, stack_hash.digest(), has_secrets, by_urn)


# --- The packs ---------------------------------------------------------------------------------------

# (policy, message, enforcement, severity, urn), as a pack reported it; in a memo, relative.
_Verdict = tuple[str, str, str, str, str]


@dataclass
class _Evaluation:
    verdicts: list[_Verdict]
    errors: list[str]
    analyze_calls: int = 0
    analyze_reused: int = 0
    stack_calls: int = 0
    stack_reused: int = 0


class _Pack:
    """One policy pack process, answering on a thread of its own, with its memo."""

    def __init__(self, path: Path, config: Mapping[str, Any], memoize: bool):
        env = {"PULUMI_ORGANIZATION": ORGANIZATION, "PULUMI_CONFIG": "{}"}
        self.path = path
        self.config = config
        self.memoize = memoize
        self.process = PolicyPackProcess(path, env=env)
        self.info: PackInfo | None = None
        self.levels: dict[str, str] = {}
        self._analyzed: dict[bytes, tuple[_Verdict, ...]] = {}
        self._stacked: dict[bytes, tuple[_Verdict, ...]] = {}
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"audit-{path.name}")

    def start(self) -> None:
        try:
            self.process.start()
            self.info = self.process.info()
            self.levels = self.process.configure(self.config, strict=False)
        except grpc.RpcError as error:
            raise PolicyPackError(f"pack {self.path.name} failed to start: {error.details()}") from None
        except OSError as error:
            raise PolicyPackError(f"pack {self.path.name} failed to start: {error}") from None

    def stop(self) -> None:
        self._thread.shutdown(wait=True, cancel_futures=True)
        self.process.stop()

    @property
    def name(self) -> str:
        return self.info.name if self.info else self.path.name

    def submit(self, stack: _Prepared) -> Future[_Evaluation]:
        return self._thread.submit(self._evaluate, stack)

    def _evaluate(self, stack: _Prepared) -> _Evaluation:
        assert self.info is not None
        result = _Evaluation([], [])
        urns = stack.urns
        for r in stack.resources:
            # A pack declared for one provider: every one of its resource policies skips the others.
            # A read (`external`) is no registration: `pulumi up` runs no Analyze on it.
            if r.external or not self.info.concerns(r.type):
                continue
            cached = self._analyzed.get(r.key) if self.memoize else None
            if cached is None:
                try:
                    found = self.process.analyze(stack.analyze_input(r))
                except grpc.RpcError as error:
                    result.errors.append(f"pack {self.name} failed on {r.urn}: {error.details()}")
                    continue
                result.analyze_calls += 1
                cached = tuple(
                    (d.policy, urns.rel_text(d.message), d.enforcement, d.severity, urns.rel(d.urn))
                    for d in found
                )
                if self.memoize:
                    self._analyzed[r.key] = cached
            else:
                result.analyze_reused += 1
            result.verdicts.extend(
                (p, urns.absolute_text(m), e, s, urns.absolute(u)) for p, m, e, s, u in cached
            )
        if not stack.resources:
            return result  # `pulumi policy analyze`: "no resources; nothing to analyze"
        cached = self._stacked.get(stack.stack_key) if self.memoize else None
        if cached is None:
            try:
                found = self.process.analyze_stack(stack.stack_inputs())
            except grpc.RpcError as error:
                result.errors.append(f"pack {self.name} failed on the stack policies: {error.details()}")
                return result
            result.stack_calls += 1
            # resolveStackPolicyViolationURN: a URN outside the stack goes to the root stack.
            cached = tuple(
                (
                    d.policy,
                    urns.rel_text(d.message),
                    d.enforcement,
                    d.severity,
                    urns.rel(d.urn if d.urn in stack.by_urn else urns.root),
                )
                for d in found
            )
            if self.memoize:
                self._stacked[stack.stack_key] = cached
        else:
            result.stack_reused += 1
        result.verdicts.extend((p, urns.absolute_text(m), e, s, urns.absolute(u)) for p, m, e, s, u in cached)
        return result


class _Packs:
    """Every selected pack, started once (in parallel) for the whole audit."""

    def __init__(self, names: Sequence[str] | None, pack_config: Any, memoize: bool):
        try:
            paths = resolve_packs(names)
            configs = _pair_configs(pack_config, len(paths))
        except UsageError as error:
            raise AuditError(str(error)) from None
        self.shared = pack_config is None or isinstance(pack_config, Mapping)
        self.configs = configs
        self.packs = [_Pack(path, config, memoize) for path, config in zip(paths, configs, strict=True)]
        self.counters: Counter[str] = Counter()

    def __enter__(self) -> _Packs:
        try:
            with ThreadPoolExecutor(max_workers=max(len(self.packs), 1)) as pool:
                for future in [pool.submit(p.start) for p in self.packs]:
                    future.result()
            infos = [p.info for p in self.packs if p.info is not None]
            if self.shared:
                reject_unknown_policies(self.configs[0] if self.configs else {}, infos)
            else:
                for pack, config in zip(self.packs, self.configs, strict=True):
                    reject_unknown_policies(config, [pack.info] if pack.info else [])
        except (PolicyPackError, UsageError) as error:
            self.__exit__()
            raise AuditError(str(error)) from None
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for pack in self.packs:
            pack.stop()

    def submit(self, stack: _Prepared) -> list[Future[_Evaluation]]:
        return [pack.submit(stack) for pack in self.packs]

    def collect(self, futures: Sequence[Future[_Evaluation]]) -> list[tuple[_Pack, _Evaluation]]:
        done = []
        for pack, future in zip(self.packs, futures, strict=True):
            evaluation = future.result()
            for name in ("analyze_calls", "analyze_reused", "stack_calls", "stack_reused"):
                self.counters[name] += getattr(evaluation, name)
            done.append((pack, evaluation))
        return done


# --- Findings ----------------------------------------------------------------------------------------


def _findings(
    stack: _Prepared, evaluated: Iterable[tuple[_Pack, _Evaluation]], source: str
) -> tuple[list[dict[str, Any]], list[str]]:
    findings: list[dict[str, Any]] = []
    errors: list[str] = []
    for pack, evaluation in evaluated:
        errors.extend(evaluation.errors)
        for policy, message, enforcement, severity, urn in evaluation.verdicts:
            status = "violation"
            if policy == WAIVER_AUDIT_POLICY and message.startswith("suppressed "):
                status = "suppressed"
                policy, _, message = message[len("suppressed ") :].partition(": ")
                # The audit policy reports it; show the level the waived policy would block at.
                enforcement = pack.levels.get(policy, enforcement)
            elif message.startswith(_CANT_RUN):
                status = "not-evaluated"
                enforcement = pack.levels.get(policy, enforcement)
                if stack.has_secrets:
                    message = _SECRET_NOTE
            meta = next((p for p in pack.info.policies if p.name == policy), None) if pack.info else None
            resource = stack.by_urn.get(urn)
            findings.append(
                {
                    "policy": policy,
                    "pack": pack.name,
                    "severity": meta.severity if meta else severity,
                    "enforcement": enforcement,
                    "status": status,
                    "message": message,
                    "urn": urn,
                    "resourceType": resource.type if resource else "",
                    "source": source,
                }
            )
    findings.sort(key=_finding_order)
    return findings, errors


def _finding_order(f: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        _STATUS_ORDER.get(f["status"], len(_STATUS_ORDER)),
        f["enforcement"] != "mandatory",
        f["policy"],
        f["urn"],
        f["pack"],
        f["message"],
    )


def _waiver_value(resource: Mapping[str, Any], policy: str) -> str | None:
    for props in (resource.get("inputs"), resource.get("outputs")):
        if not isinstance(props, dict):
            continue
        tags = props.get("tags")
        if isinstance(tags, dict) and isinstance(tags.get(WAIVER_TAG_PREFIX + policy), str):
            return tags[WAIVER_TAG_PREFIX + policy]
        metadata = props.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        if isinstance(annotations, dict) and isinstance(
            annotations.get(WAIVER_ANNOTATION_PREFIX + policy), str
        ):
            return annotations[WAIVER_ANNOTATION_PREFIX + policy]
    return None


def _expired_waivers(
    findings: Iterable[Mapping[str, Any]], resources: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The waivers the packs found expired: their policy is violated again (the pack appends
    ``[waiver expired on <date>]`` to the violation's message)."""
    expired: dict[tuple[str, str], dict[str, Any]] = {}
    for f in findings:
        match = _EXPIRED.search(f["message"]) if f["status"] == "violation" else None
        if match is None or (f["policy"], f["urn"]) in expired:
            continue
        value = _waiver_value(resources.get(f["urn"], {}), f["policy"])
        parsed = _WAIVER_VALUE.match(value) if value else None
        expired[(f["policy"], f["urn"])] = {
            "policy": f["policy"],
            "urn": f["urn"],
            "expiry": match["date"],
            "reason": parsed["reason"].strip() if parsed else "",
        }
    return sorted(expired.values(), key=lambda w: (w["policy"], w["urn"]))


# --- Adoption ----------------------------------------------------------------------------------------


def _tags(resource: Mapping[str, Any]) -> dict[str, str]:
    """The resource's AWS tags, or its Kubernetes labels; only plain string values."""
    for props in (resource.get("inputs"), resource.get("outputs")):
        if not isinstance(props, dict):
            continue
        tags = props.get("tags")
        if isinstance(tags, list):  # aws:autoscaling/group:Group's [{key, value, …}]
            tags = {t.get("key"): t.get("value") for t in tags if isinstance(t, dict)}
        if isinstance(tags, dict) and tags:
            return {k: v for k, v in tags.items() if isinstance(k, str) and isinstance(v, str)}
        metadata = props.get("metadata")
        labels = metadata.get("labels") if isinstance(metadata, dict) else None
        if isinstance(labels, dict) and labels:
            return {k: v for k, v in labels.items() if isinstance(k, str) and isinstance(v, str)}
    return {}


def _team(tags: Mapping[str, str]) -> str | None:
    return tags.get(TAG_TEAM) or tags.get(LABEL_TEAM) or None


def _version(tags: Mapping[str, str]) -> str | None:
    if tags.get(TAG_VERSION):
        return tags[TAG_VERSION]
    if tags.get(_LABEL_MANAGED_BY) == MANAGED_BY and tags.get(_LABEL_VERSION):
        return tags[_LABEL_VERSION]
    return None


def _most_common(values: Iterable[str]) -> str | None:
    counts = Counter(values)
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], v))


def _is_cloud_resource(r: Mapping[str, Any]) -> bool:
    """A custom resource the stack manages: not a provider, not read (``external``)."""
    return (
        bool(r.get("custom"))
        and not str(r.get("type", "")).startswith(_PROVIDER_PREFIX)
        and not r.get("external")
    )


def _adoption(resources: Sequence[dict[str, Any]]) -> dict[str, Any]:
    by_urn = {r.get("urn"): r for r in resources}
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in resources:
        if r.get("parent"):
            children[r["parent"]].append(r)

    def inside_goldenpath(r: Mapping[str, Any]) -> bool:
        seen: set[str] = set()
        parent = r.get("parent")
        while parent and parent not in seen:
            seen.add(parent)
            ancestor = by_urn.get(parent)
            if ancestor is None:
                return False
            if str(ancestor.get("type", "")).startswith(_GOLDENPATH_PREFIX):
                return True
            parent = ancestor.get("parent")
        return False

    def descendants(urn: str) -> Iterator[dict[str, Any]]:
        queue, seen = deque([urn]), {urn}
        while queue:
            for child in children.get(queue.popleft(), []):
                if child.get("urn") not in seen:
                    seen.add(child["urn"])
                    queue.append(child["urn"])
                    yield child

    cloud = [r for r in resources if _is_cloud_resource(r)]
    blueprints = [
        {
            "type": r["type"],
            "name": _urn_name(str(r.get("urn", ""))),
            "version": _most_common(
                v for d in descendants(r["urn"]) if d.get("custom") and (v := _version(_tags(d)))
            ),
            "versionsBehind": None,
        }
        for r in resources
        if str(r.get("type", "")).startswith(_BLUEPRINT_PREFIX)
    ]
    components = Counter(
        str(r["type"]) for r in resources if str(r.get("type", "")).startswith(_GOLDENPATH_PREFIX)
    )
    return {
        "team": _most_common(t for r in cloud if (t := _team(_tags(r)))),
        "blueprints": sorted(blueprints, key=lambda b: (b["type"], b["name"])),
        "resources": len(resources),
        "customResources": len(cloud),
        "customInsideGoldenpath": sum(1 for r in cloud if inside_goldenpath(r)),
        "components": dict(sorted(components.items())),
    }


# --- Delivery ----------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def delivery(history: Sequence[Update]) -> dict[str, Any]:
    """Delivery metrics from a stack's update history (any order).

    * ``updates``: entries of kind ``update``; ``failedUpdates``: those whose result is ``failed``;
      ``changeFailureRate`` = failedUpdates / updates (``None`` without updates).
    * ``deploymentsPerWeek``: updates per week between the first update's start and the last
      one's, that span counted as at least one week.
    * ``meanTimeToRestoreHours``: the mean, over every run of consecutive failed updates that a
      succeeded update ends, of the time from the first failed update's end to that succeeded
      update's end (``None`` when there is none).
    * ``lastSuccessfulDeploy``: the end of the newest succeeded update.
    * ``refreshes``, ``destroys`` and ``imports`` (``import`` and ``resource-import``) are counted
      apart; ``previews`` is always 0: a self-managed backend records no preview.
    """
    ordered = sorted(history, key=lambda u: u.start or u.end or datetime.min.replace(tzinfo=UTC))
    updates = [u for u in ordered if u.kind == "update"]
    failed = [u for u in updates if u.result == "failed"]
    succeeded = [u for u in updates if u.result == "succeeded"]

    per_week = None
    starts = [u.start for u in updates if u.start is not None]
    if updates and starts:
        weeks = max((max(starts) - min(starts)) / _WEEK, 1.0)
        per_week = round(len(updates) / weeks, 2)

    restores: list[float] = []
    incident: datetime | None = None
    for u in updates:
        when = u.end or u.start
        if u.result == "failed":
            if incident is None:
                incident = when
        elif u.result == "succeeded":
            if incident is not None and when is not None:
                restores.append((when - incident).total_seconds() / 3600)
            incident = None
    last = max(succeeded, key=lambda u: u.end or u.start or datetime.min.replace(tzinfo=UTC), default=None)
    return {
        "updates": len(updates),
        "failedUpdates": len(failed),
        "changeFailureRate": round(len(failed) / len(updates), 4) if updates else None,
        "deploymentsPerWeek": per_week,
        "meanTimeToRestoreHours": round(sum(restores) / len(restores), 2) if restores else None,
        "lastSuccessfulDeploy": _iso(last.end or last.start) if last else None,
        "refreshes": sum(1 for u in ordered if u.kind == "refresh"),
        "destroys": sum(1 for u in ordered if u.kind == "destroy"),
        "imports": sum(1 for u in ordered if u.kind in ("import", "resource-import")),
        "previews": 0,
        "history": [
            {"kind": u.kind, "result": u.result, "start": _iso(u.start), "end": _iso(u.end)}
            for u in reversed(ordered)
        ],
    }


# --- Live --------------------------------------------------------------------------------------------

LiveDrift = Callable[..., tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]]


def _live_function(live: Any) -> LiveDrift | None:
    if live is None or live is False:
        return None
    if callable(live):
        return live
    try:
        from goldenpath.drift import live_drift
    except ImportError as error:
        if error.name in ("goldenpath.drift", None) or "live_drift" in str(error):
            raise AuditError(
                "--live needs goldenpath.drift (live_drift), which this goldenpath does not have yet"
            ) from None
        raise AuditError(f"--live: goldenpath.drift cannot be loaded ({error})") from None
    return live_drift


def _region(resources: Sequence[Mapping[str, Any]]) -> str | None:
    """The region of the stack's aws provider (its default one first), from its inputs in state."""
    providers = [r for r in resources if r.get("type") == "pulumi:providers:aws"]
    providers.sort(key=lambda r: "::default" not in str(r.get("urn", "")))
    for p in providers:
        region = (p.get("inputs") or {}).get("region")
        if isinstance(region, str) and region:
            return region
    return None


def _scrubbed(value: Any) -> Any:
    """A value as a report may hold it: any secret left as ``[secret]``."""
    if isinstance(value, Secret):
        return "[secret]"
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return "[secret]"
        return {str(k): _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(v) for v in value]
    return value


def _live_resources(
    state: Sequence[dict[str, Any]], drift: Sequence[Mapping[str, Any]], live: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The stack as it stands in the account: each resource read live in place of its state (its
    live values as inputs and outputs), those gone from the account left out — drift.live_view
    where goldenpath.drift has it."""
    try:
        from goldenpath.drift import live_view
    except ImportError:
        live_view = None
    if live_view is not None:
        return [dict(r) for r in live_view(state, drift, list(live))]
    by_urn = {str(r.get("urn")): r for r in live if isinstance(r, Mapping) and r.get("urn")}
    gone = {d.get("urn") for d in drift if d.get("field") == "*" and d.get("live") is None}
    merged = []
    for r in state:
        seen = by_urn.get(str(r.get("urn")))
        if r.get("urn") in gone and seen is None:
            continue
        if seen is None:
            merged.append(r)
            continue
        values = seen.get("inputs") or seen.get("outputs") or {}
        merged.append({**r, "inputs": dict(values), "outputs": dict(seen.get("outputs") or values)})
    return merged


# --- One stack ---------------------------------------------------------------------------------------


def _qualified(ref: StackRef, project: str | None) -> str:
    project = ref.project or project
    return f"{ORGANIZATION}/{project}/{ref.name}" if project else ref.name


def _stack_entry(state: StackState, source: str) -> dict[str, Any]:
    checkpoint = state.checkpoint
    resources = [r for r in checkpoint.resources if not r.get("delete")] if checkpoint else []
    project = state.ref.project or (checkpoint.project if checkpoint else None)
    adoption = _adoption(resources)
    return {
        "project": project,
        "stack": state.ref.name,
        "qualifiedName": _qualified(state.ref, project),
        "source": source,
        "team": adoption["team"],
        "blueprints": adoption["blueprints"],
        "resources": adoption["resources"],
        "customResources": adoption["customResources"],
        "customInsideGoldenpath": adoption["customInsideGoldenpath"],
        "components": adoption["components"],
        "lastUpdate": _iso(checkpoint.time)
        if checkpoint and checkpoint.time
        else _last_history(state.history),
        "findings": [],
        "expiredWaivers": [],
        "delivery": delivery(state.history),
        "drift": None,
        "problems": [],
    }


def _last_history(history: Sequence[Update]) -> str | None:
    ends = [u.end or u.start for u in history if (u.end or u.start) is not None]
    return _iso(max(ends)) if ends else None


@dataclass
class _InFlight:
    state: StackState
    entry: dict[str, Any]
    prepared: _Prepared | None
    futures: list[Future[_Evaluation]]


def _conclude(flight: _InFlight, packs: _Packs, live: LiveDrift | None) -> None:
    """The stack's findings once its packs answered; with ``live``, its drift and live findings."""
    entry, prepared = flight.entry, flight.prepared
    if prepared is None:
        if live is not None:
            entry["drift"] = []
        return
    findings, errors = _findings(prepared, packs.collect(flight.futures), "state")
    entry["problems"].extend(errors)
    resources = {r["urn"]: r for r in flight.state.checkpoint.resources if r.get("urn")}
    if live is not None:
        entry["drift"] = []
        try:
            drift, seen, problems = live(
                list(flight.state.checkpoint.resources), region=_region(flight.state.checkpoint.resources)
            )
        except Exception as error:  # noqa: BLE001 - one stack's live read must not stop the audit
            entry["problems"].append(f"live read failed ({type(error).__name__}); drift not reported")
        else:
            entry["drift"] = _scrubbed(list(drift))
            entry["problems"].extend(str(p) for p in problems)
            if seen:
                live_state = _live_resources(flight.state.checkpoint.resources, drift, seen)
                again = _prepare(live_state)
                live_findings, live_errors = _findings(again, packs.collect(packs.submit(again)), "live")
                entry["problems"].extend(live_errors)
                known = {(f["policy"], f["urn"], f["status"], f["message"]) for f in findings}
                # What the live values add: verdicts the state alone does not give.
                findings.extend(
                    f
                    for f in live_findings
                    if (f["policy"], f["urn"], f["status"], f["message"]) not in known
                )
                findings.sort(key=_finding_order)
    entry["findings"] = findings
    entry["expiredWaivers"] = _expired_waivers(findings, resources)


# --- The audit ---------------------------------------------------------------------------------------


def audit(
    sources: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    packs: Sequence[str] | None = None,
    pack_config: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    live: bool | LiveDrift | None = None,
    *,
    memoize: bool = True,
    timings: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Audit every stack of ``sources`` (backend URLs, state folders, export files) through the
    packs (shipped ones by default; ``pack_config`` shared or one per pack, as ``check`` takes
    them) and return the report (schemaVersion 1, docs/audit-output.md).

    ``live``: ``True`` reads the AWS resources live with :func:`goldenpath.drift.live_drift`; a
    callable of that signature is used instead. What cannot be read is a problem in the report;
    :class:`AuditError` is raised only when the audit cannot run as asked.
    """
    started = time.perf_counter()
    given = [sources] if isinstance(sources, str | os.PathLike) else list(sources)
    if not given:
        raise AuditError(
            "no source given: name a backend URL (file://, s3://), a state folder or export files"
        )
    live_drift = _live_function(live)
    backends = [(redact(os.fspath(s)), _open(s)) for s in given]
    clock: dict[str, float] = defaultdict(float)
    read_seconds: list[float] = []
    stacks: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    with _Packs(packs, pack_config, memoize) as evaluator:
        clock["start-packs"] = time.perf_counter() - started
        for source, backend in backends:
            entries: dict[StackRef, dict[str, Any]] = {}
            in_flight: deque[_InFlight] = deque()
            for state in _read(backend, read_seconds):
                step = time.perf_counter()
                entry = _stack_entry(state, source)
                entries[state.ref] = entry
                prepared = _prepare(state.checkpoint.resources) if state.checkpoint else None
                futures = evaluator.submit(prepared) if prepared is not None else []
                in_flight.append(_InFlight(state, entry, prepared, futures))
                clock["prepare"] += time.perf_counter() - step
                if len(in_flight) >= _IN_FLIGHT:
                    step = time.perf_counter()
                    _conclude(in_flight.popleft(), evaluator, live_drift)
                    clock["evaluate"] += time.perf_counter() - step
            step = time.perf_counter()
            while in_flight:
                _conclude(in_flight.popleft(), evaluator, live_drift)
            clock["evaluate"] += time.perf_counter() - step
            for problem in backend.problems:
                entry = entries.get(problem.stack) if problem.stack is not None else None
                if entry is not None:
                    entry["problems"].append(problem.message)
                else:
                    problems.append(
                        {
                            "stack": problem.stack.qualified if problem.stack else None,
                            "message": problem.message,
                        }
                    )
            stacks.extend(entries.values())
        pack_list = [{"name": p.name, "version": p.process.version} for p in evaluator.packs]
        counters = dict(evaluator.counters)
    step = time.perf_counter()
    report = {
        "schemaVersion": SCHEMA_VERSION,
        "generatedAt": _iso(datetime.now(UTC)),
        "goldenpathVersion": __version__,
        "sources": [source for source, _ in backends],
        "packs": pack_list,
        "live": live_drift is not None,
        "summary": {},
        "newestBlueprintVersions": {},
        "stacks": stacks,
        "teams": [],
        "blueprintVersions": [],
        "deploymentsByWeek": [],
        "problems": problems,
    }
    _aggregate(report, extra_versions=[__version__])
    clock["aggregate"] = time.perf_counter() - step
    if timings is not None:
        timings.update(clock)
        timings["read-threads"] = sum(read_seconds)
        timings["total"] = time.perf_counter() - started
        timings.update({k: float(v) for k, v in counters.items()})
    return report


# --- Aggregates (an audit's and a merge's) -------------------------------------------------------


_VERSION = re.compile(r"^v?(?P<release>\d+(?:\.\d+)*)(?:[-.]?(?P<pre>a|b|rc|alpha|beta|dev)\.?(?P<n>\d*))?$")
_PRE_ORDER = {"dev": 0, "a": 1, "alpha": 1, "b": 2, "beta": 2, "rc": 3}


def _version_key(version: Any) -> tuple[Any, ...] | None:
    """An order for versions written as goldenpath tags them (``1.2.3``, ``1.3.0rc1``); ``None``
    for anything else."""
    match = _VERSION.match(version.strip()) if isinstance(version, str) else None
    if match is None:
        return None
    release = tuple(int(p) for p in match["release"].split("."))
    release += (0,) * (4 - len(release)) if len(release) < 4 else ()
    pre = (_PRE_ORDER[match["pre"]], int(match["n"] or 0)) if match["pre"] else (9, 0)
    return (*release, *pre)


def _released_versions() -> list[str]:
    """The goldenpath versions this installation knows were released: its own, those whose
    project templates it ships (templates/releases/<version>/) and those migrations.yaml names."""
    templates = Path(__file__).parent / "templates"
    versions = {__version__}
    releases = templates / "releases"
    if releases.is_dir():
        versions.update(p.name for p in releases.iterdir() if p.is_dir() and _version_key(p.name))
    try:
        import yaml

        notes = yaml.safe_load((templates / "migrations.yaml").read_text()) or {}
        versions.update(str(v) for v in notes if _version_key(str(v)))
    except (OSError, ValueError, AttributeError):
        pass
    return sorted(versions, key=lambda v: _version_key(v) or ())


def _aggregate(report: dict[str, Any], extra_versions: Iterable[str]) -> None:
    """Fill in what depends on every stack: versions behind, summary, teams, blueprint versions,
    deployments by week and the problem list."""
    stacks = report["stacks"]
    extra = [v for v in extra_versions if _version_key(v)]
    known = {*_released_versions(), *extra}
    newest: dict[str, str] = {}
    for s in stacks:
        for b in s["blueprints"]:
            if _version_key(b["version"]):
                known.add(b["version"])
            candidates = [v for v in (b["version"], newest.get(b["type"]), *extra) if _version_key(v)]
            if candidates:
                newest[b["type"]] = max(candidates, key=_version_key)
    ordered_known = sorted({_version_key(v): v for v in known if _version_key(v)}.items())
    behind_stacks = 0
    for s in stacks:
        behind = False
        for b in s["blueprints"]:
            own, top = _version_key(b["version"]), _version_key(newest.get(b["type"]))
            if own is None or top is None:
                b["versionsBehind"] = None
                continue
            b["versionsBehind"] = sum(1 for key, _ in ordered_known if own < key <= top)
            behind = behind or b["versionsBehind"] > 0
        behind_stacks += behind
    report["newestBlueprintVersions"] = dict(sorted(newest.items()))

    violations = [f for s in stacks for f in s["findings"] if f["status"] == "violation"]
    custom = sum(s["customResources"] for s in stacks)
    inside = sum(s["customInsideGoldenpath"] for s in stacks)
    updates = sum(s["delivery"]["updates"] for s in stacks)
    failed = sum(s["delivery"]["failedUpdates"] for s in stacks)
    names = {s["qualifiedName"] for s in stacks}
    problems = [p for p in report.get("problems", []) if p.get("stack") is None or p["stack"] not in names]
    problems += [{"stack": s["qualifiedName"], "message": m} for s in stacks for m in s["problems"]]
    report["problems"] = problems
    report["summary"] = {
        "stacks": len(stacks),
        "resources": sum(s["resources"] for s in stacks),
        "customResources": custom,
        "customInsideGoldenpath": inside,
        "adoptionPercent": _percent(inside, custom),
        "bySeverity": {sev: sum(1 for f in violations if f["severity"] == sev) for sev in _SEVERITIES},
        "mandatory": sum(1 for f in violations if f["enforcement"] == "mandatory"),
        "advisory": sum(1 for f in violations if f["enforcement"] == "advisory"),
        "suppressed": sum(1 for s in stacks for f in s["findings"] if f["status"] == "suppressed"),
        "expiredWaivers": sum(len(s["expiredWaivers"]) for s in stacks),
        "updates": updates,
        "failedUpdates": failed,
        "changeFailureRate": round(failed / updates, 4) if updates else None,
        "stacksBehind": behind_stacks,
        "drifted": sum(1 for s in stacks if s.get("drift")),
        "problems": len(problems),
    }
    report["teams"] = _teams(stacks)
    versions = Counter(
        (b["type"], b["version"])
        for s in stacks
        for b in {(b["type"], b["version"]): b for b in s["blueprints"]}.values()
    )
    report["blueprintVersions"] = [
        {"blueprint": blueprint, "version": version, "stacks": count}
        for (blueprint, version), count in sorted(
            versions.items(), key=lambda item: (item[0][0], _version_key(item[0][1]) or (), str(item[0][1]))
        )
    ]
    report["deploymentsByWeek"] = _by_week(stacks)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _teams(stacks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[str | None, list[Mapping[str, Any]]] = defaultdict(list)
    for s in stacks:
        grouped[s["team"]].append(s)
    rows = []
    for team in sorted(grouped, key=lambda t: (t is None, t or "")):
        members = grouped[team]
        violations = [f for s in members for f in s["findings"] if f["status"] == "violation"]
        rows.append(
            {
                "team": team,
                "stacks": len(members),
                "resources": sum(s["resources"] for s in members),
                "adoptionPercent": _percent(
                    sum(s["customInsideGoldenpath"] for s in members),
                    sum(s["customResources"] for s in members),
                ),
                "mandatory": sum(1 for f in violations if f["enforcement"] == "mandatory"),
                "advisory": sum(1 for f in violations if f["enforcement"] == "advisory"),
                "stacksBehind": sum(
                    1 for s in members if any((b["versionsBehind"] or 0) > 0 for b in s["blueprints"])
                ),
            }
        )
    return rows


def _iso_week(moment: datetime) -> tuple[int, int]:
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return year, week


def _by_week(stacks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Updates (and failed ones) per ISO week of their start, every week from the first to the
    last, empty ones included."""
    counts: Counter[tuple[int, int]] = Counter()
    failures: Counter[tuple[int, int]] = Counter()
    for s in stacks:
        for h in s["delivery"]["history"]:
            start = _parse_iso(h.get("start"))
            if h.get("kind") != "update" or start is None:
                continue
            counts[_iso_week(start)] += 1
            failures[_iso_week(start)] += h.get("result") == "failed"
    if not counts:
        return []
    first, last = min(counts), max(counts)
    monday = date.fromisocalendar(first[0], first[1], 1)
    rows = []
    while (key := monday.isocalendar()[:2]) <= last:
        rows.append({"week": f"{key[0]}-W{key[1]:02d}", "updates": counts[key], "failed": failures[key]})
        monday += _WEEK
    return rows


# --- Merge -------------------------------------------------------------------------------------------


def merge_reports(reports: Sequence[Mapping[str, Any]], names: Sequence[str] | None = None) -> dict[str, Any]:
    """One report from the reports of sharded audits: their stacks (a stack two reports hold is
    kept once, and said so), sources and packs; every summary and aggregate recomputed. Reports of
    another ``schemaVersion`` are refused with :class:`AuditError`."""
    names = list(names or [f"report {i + 1}" for i in range(len(reports))])
    if not reports:
        raise AuditError("no reports to merge")
    for name, report in zip(names, reports, strict=True):
        if not isinstance(report, Mapping) or "schemaVersion" not in report:
            raise AuditError(f"{name}: not a goldenpath audit report (no schemaVersion)")
        if report["schemaVersion"] != SCHEMA_VERSION:
            raise AuditError(
                f"{name}: schemaVersion {report['schemaVersion']!r}; this goldenpath merges schemaVersion "
                f"{SCHEMA_VERSION} reports only (re-run that audit with this version)"
            )
        if not isinstance(report.get("stacks"), list):
            raise AuditError(f"{name}: not a goldenpath audit report (no stacks)")
    stacks: list[dict[str, Any]] = []
    seen: dict[tuple[Any, Any], tuple[str, dict[str, Any]]] = {}
    problems: list[dict[str, Any]] = []
    sources: list[str] = []
    packs: dict[tuple[Any, Any], dict[str, Any]] = {}
    for name, report in zip(names, reports, strict=True):
        own = {s.get("qualifiedName") for s in report["stacks"]}
        for source in report.get("sources", []):
            if source not in sources:
                sources.append(source)
        for pack in report.get("packs", []):
            packs.setdefault((pack.get("name"), pack.get("version")), dict(pack))
        for p in report.get("problems", []):
            # A stack's own problems come back with its entry; the rest once, however many say it.
            if (p.get("stack") is None or p.get("stack") not in own) and dict(p) not in problems:
                problems.append(dict(p))
        for stack in report["stacks"]:
            key = (stack.get("source"), stack.get("qualifiedName"))
            if key in seen:
                first, kept = seen[key]
                kept["problems"].append(
                    f"audited in {first} and in {name} (from {key[0]}); the first is kept"
                )
                continue
            kept = json.loads(json.dumps(stack))
            seen[key] = (name, kept)
            stacks.append(kept)
    versions = {pack_name for pack_name, _ in packs}
    for pack_name in sorted(versions, key=str):
        differing = sorted(str(v) for n, v in packs if n == pack_name)
        if len(differing) > 1:
            problems.append(
                {
                    "stack": None,
                    "message": f"the reports ran {pack_name} at different versions: {', '.join(differing)}",
                }
            )
    merged = {
        "schemaVersion": SCHEMA_VERSION,
        "generatedAt": _iso(datetime.now(UTC)),
        "goldenpathVersion": __version__,
        "sources": sources,
        "packs": sorted(packs.values(), key=lambda p: (str(p.get("name")), str(p.get("version")))),
        "live": any(bool(r.get("live")) for r in reports),
        "summary": {},
        "newestBlueprintVersions": {},
        "stacks": stacks,
        "teams": [],
        "blueprintVersions": [],
        "deploymentsByWeek": [],
        "problems": problems,
    }
    _aggregate(merged, extra_versions=[__version__, *(str(r.get("goldenpathVersion", "")) for r in reports)])
    return merged


# --- Output ------------------------------------------------------------------------------------------


def exit_code(report: Mapping[str, Any]) -> int:
    """1 when any mandatory violation, expired waiver or problem is reported; 0 otherwise."""
    summary = report["summary"]
    return 1 if summary["mandatory"] or summary["expiredWaivers"] or summary["problems"] else 0


def dumps(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=_scrubbed_default) + "\n"


def _scrubbed_default(value: Any) -> Any:
    if isinstance(value, Secret):
        return "[secret]"
    raise TypeError(f"{type(value).__name__} is not JSON")


def _cell(value: Any, suffix: str = "") -> str:
    return "-" if value is None else f"{value}{suffix}"


def print_text(report: Mapping[str, Any], console: Any) -> None:
    """The report for people: stacks, blocking findings, advisory ones by policy, teams,
    blueprint versions, problems, and a verdict line."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    summary = report["summary"]
    packs = ", ".join(f"{p['name']}@{p['version']}" for p in report["packs"]) or "no packs"
    console.print(
        f"[bold]goldenpath audit[/] of {len(report['sources'])} source(s): {escape(', '.join(report['sources']))}"
    )
    console.print(f"[dim]packs: {escape(packs)}; goldenpath {escape(str(report['goldenpathVersion']))}[/]")
    console.print()

    table = Table(title="Stacks", title_justify="left", box=box.SIMPLE_HEAD)
    # Short headers: the table must fit a 200-column CI log. "waived" are suppressed violations.
    columns = (
        ("stack", "left"),
        ("team", "left"),
        ("blueprints", "left"),
        ("resources", "right"),
        ("adoption", "right"),
        ("mand.", "right"),
        ("adv.", "right"),
        ("waived", "right"),
        ("expired", "right"),
        ("deploys/wk", "right"),
        ("fail rate", "right"),
        ("MTTR h", "right"),
        ("last deploy", "left"),
        ("problems", "right"),
    )
    for header, justify in columns:
        table.add_column(header, justify=justify, no_wrap=header in ("stack", "blueprints", "last deploy"))
    for s in report["stacks"]:
        violations = [f for f in s["findings"] if f["status"] == "violation"]
        d = s["delivery"]
        blueprints = "\n".join(
            f"{b['type'].rsplit(':', 1)[-1]}@{b['version'] or '?'}"
            + (f" ({b['versionsBehind']} behind)" if b["versionsBehind"] else "")
            for b in s["blueprints"]
        )
        table.add_row(
            escape(s["qualifiedName"]),
            escape(s["team"] or "-"),
            escape(blueprints or "-"),
            str(s["resources"]),
            _cell(_percent(s["customInsideGoldenpath"], s["customResources"]), "%"),
            str(sum(1 for f in violations if f["enforcement"] == "mandatory")),
            str(sum(1 for f in violations if f["enforcement"] != "mandatory")),
            str(sum(1 for f in s["findings"] if f["status"] == "suppressed")),
            str(len(s["expiredWaivers"])),
            _cell(d["deploymentsPerWeek"]),
            _cell(None if d["changeFailureRate"] is None else f"{100 * d['changeFailureRate']:.0f}%"),
            _cell(d["meanTimeToRestoreHours"]),
            escape((d["lastSuccessfulDeploy"] or "-").replace("T", " ")[:16]),
            str(len(s["problems"])),
        )
    console.print(table)
    console.print()

    blocking = [
        (s, f)
        for s in report["stacks"]
        for f in s["findings"]
        if f["status"] == "violation" and f["enforcement"] == "mandatory"
    ]
    if blocking:
        console.print("[bold underline]mandatory violations[/]")
        current = None
        for s, f in blocking:
            if s["qualifiedName"] != current:
                current = s["qualifiedName"]
                console.print(f"  [bold]{escape(current)}[/]")
            where = _urn_name(f["urn"]) + (f" ({f['resourceType']})" if f["resourceType"] else "")
            console.print(
                f"    [bold red]MANDATORY[/] [bold]{escape(f['policy'])}[/] [dim]{escape(f['severity'])}[/]  "
                f"{escape(where)} [dim]({f['source']})[/]"
            )
            console.print(f"        {escape(f['message'])}")
        console.print()
    expired = [(s, w) for s in report["stacks"] for w in s["expiredWaivers"]]
    if expired:
        console.print("[bold underline]expired waivers[/] [dim](their policies are violated again)[/]")
        for s, w in expired:
            console.print(
                f"  [bold red]EXPIRED {escape(w['expiry'])}[/] [bold]{escape(w['policy'])}[/]  "
                f"{escape(s['qualifiedName'])} {escape(_urn_name(w['urn']))}: {escape(w['reason'] or '(no reason)')}"
            )
        console.print()
    advisory: dict[tuple[str, str], set[str]] = defaultdict(set)
    advisory_counts: Counter[tuple[str, str]] = Counter()
    for s in report["stacks"]:
        for f in s["findings"]:
            if f["status"] == "violation" and f["enforcement"] != "mandatory":
                advisory[(f["policy"], f["severity"])].add(s["qualifiedName"])
                advisory_counts[(f["policy"], f["severity"])] += 1
    if advisory:
        by_policy = Table(title="Advisory violations by policy", title_justify="left", box=box.SIMPLE_HEAD)
        for header in ("policy", "severity", "violations", "stacks"):
            by_policy.add_column(header, justify="left" if header in ("policy", "severity") else "right")
        for (policy, severity), count in sorted(
            advisory_counts.items(), key=lambda item: (-item[1], item[0])
        ):
            by_policy.add_row(
                escape(policy), escape(severity), str(count), str(len(advisory[(policy, severity)]))
            )
        console.print(by_policy)
        console.print()
    not_evaluated = sum(1 for s in report["stacks"] for f in s["findings"] if f["status"] == "not-evaluated")
    if not_evaluated:
        console.print(
            f"[magenta]{not_evaluated} policy checks not evaluated[/] [dim](they read values the state holds as "
            "secrets; --format json lists them)[/]"
        )
        console.print()

    teams = Table(title="Teams", title_justify="left", box=box.SIMPLE_HEAD)
    for header in ("team", "stacks", "resources", "adoption", "mandatory", "advisory", "stacks behind"):
        teams.add_column(header, justify="left" if header == "team" else "right")
    for t in report["teams"]:
        teams.add_row(
            escape(t["team"] or "(no team tag)"),
            str(t["stacks"]),
            str(t["resources"]),
            _cell(t["adoptionPercent"], "%"),
            str(t["mandatory"]),
            str(t["advisory"]),
            str(t["stacksBehind"]),
        )
    console.print(teams)
    console.print()
    if report["blueprintVersions"]:
        versions = Table(title="Blueprint versions", title_justify="left", box=box.SIMPLE_HEAD)
        for header in ("blueprint", "version", "stacks", "newest"):
            versions.add_column(header, justify="right" if header == "stacks" else "left")
        for row in report["blueprintVersions"]:
            versions.add_row(
                escape(row["blueprint"]),
                escape(row["version"] or "?"),
                str(row["stacks"]),
                escape(report["newestBlueprintVersions"].get(row["blueprint"], "?")),
            )
        console.print(versions)
        console.print()
    if report["problems"]:
        console.print("[bold underline]problems[/] [dim](what could not be read or judged; the rest was)[/]")
        for p in report["problems"]:
            console.print(
                f"  [bold red]PROBLEM[/] {escape((p['stack'] + ': ') if p['stack'] else '')}{escape(p['message'])}"
            )
        console.print()
    verdict = "[bold red]FAILED[/]" if exit_code(report) else "[bold green]PASSED[/]"
    console.print(
        f"{verdict} {summary['stacks']} stacks, {summary['resources']} resources; adoption "
        f"{_cell(summary['adoptionPercent'], '%')} of {summary['customResources']} custom resources; "
        f"{summary['mandatory']} mandatory, {summary['advisory']} advisory, {summary['suppressed']} waived, "
        f"{summary['expiredWaivers']} expired waivers; {summary['updates']} updates, change failure rate "
        f"{_cell(None if summary['changeFailureRate'] is None else round(100 * summary['changeFailureRate'], 1), '%')}; "
        f"{summary['stacksBehind']} stacks behind; {summary['problems']} problems"
    )
