"""``goldenpath check``: a stack's verdict offline, through the same packs the engine would run.

The stack program runs in-process under Pulumi mocks with its ``Pulumi.<stack>.yaml`` config;
each registered resource then goes to every selected policy pack — started as its own process,
as the engine starts one — over the analyzer protocol: ``Remediate`` (for policies at the
remediate level), ``Analyze`` per resource, ``AnalyzeStack`` once. The same diagnostics the
engine would print become :class:`Finding` values.
"""

from __future__ import annotations

import dataclasses
import json
import queue
import re
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import grpc
from google.protobuf import json_format
from pulumi.runtime.rpc import UNKNOWN

from goldenpath.analyzer import (
    ORGANIZATION,
    Diagnostic,
    PackInfo,
    PolicyPackError,
    PolicyPackProcess,
    ResourceInput,
    pack_dirs,
    to_struct,
)
from goldenpath.harness import (
    ProgramRun,
    RecordedResource,
    StackFiles,
    Unexamined,
    read_stack_files,
    run_stack,
)
from goldenpath.policy import WAIVER_AUDIT_POLICY

Status = Literal["violation", "suppressed", "remediated", "not-evaluated"]
_PREVIEW_PREFIX = "can't run policy"


class UsageError(Exception):
    """Bad arguments to check: unknown pack, unreadable pack config."""


@dataclass(frozen=True)
class Finding:
    """One policy result on one resource."""

    policy: str
    pack: str
    severity: str
    enforcement: str
    status: Status
    message: str
    urn: str
    resource_type: str
    resource_name: str
    component: str
    remediation: str = ""
    url: str = ""
    # "preview" when `pulumi preview` would reach this verdict; "up" when it needs values that are
    # only known once other resources exist (see docs/check-output.md).
    decided_at: Literal["preview", "up"] = "preview"

    @property
    def blocking(self) -> bool:
        return self.status == "violation" and self.enforcement == "mandatory"

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "pack": self.pack,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "status": self.status,
            "message": self.message,
            "resource": {"urn": self.urn, "type": self.resource_type, "name": self.resource_name},
            "component": self.component,
            "remediation": self.remediation,
            "url": self.url,
            "decidedAt": self.decided_at,
        }


_STATUS_ORDER = {"violation": 0, "not-evaluated": 1, "suppressed": 2, "remediated": 3}


def finding_order(f: Finding) -> tuple[Any, ...]:
    """Findings by component, then blocking first, then policy and resource: the same order for
    the same findings however they arrived (the program and the packs run on threads)."""
    return (
        f.component,
        _STATUS_ORDER.get(f.status, len(_STATUS_ORDER)),
        f.enforcement != "mandatory",
        f.policy,
        f.urn,
        f.pack,
        f.message,
    )


@dataclass
class CheckResult:
    stack_dir: Path
    run: ProgramRun
    packs: list[PackInfo]
    findings: list[Finding]
    timings: dict[str, float] = field(default_factory=dict)
    # The enforcement level each (pack, policy) ran at, after pack config.
    levels: dict[tuple[str, str], str] = field(default_factory=dict)
    # With ``--allow-partial`` a clean but partial check exits 0 (its verdict still says partial).
    allow_partial: bool = False
    # Policies `pulumi preview` of a new stack cannot run on a resource ("can't run policy …
    # during preview", advisory) because they read values known only at `pulumi up`; check judged
    # them with the mocks' values (their verdicts, if any, are in ``findings``, decidedAt "up").
    preview_not_evaluated: list[Finding] = field(default_factory=list)
    # The inputs (wire form) of each resource a pack rewrote at the remediate level, after every
    # pack's rewrite: what the engine creates the resource with and records as its inputs. Holds
    # secret values in plaintext form: never put it in a report.
    remediated_inputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def unexamined(self) -> list[Unexamined]:
        return self.run.unexamined

    @property
    def verdict(self) -> Literal["failed", "partial", "passed"]:
        """``failed`` on a mandatory violation; ``partial`` when something could not be examined
        (a green verdict would claim more than check saw); ``passed`` otherwise."""
        if any(f.blocking for f in self.findings):
            return "failed"
        return "partial" if self.unexamined else "passed"

    @property
    def exit_code(self) -> int:
        if self.verdict == "failed" or (self.verdict == "partial" and not self.allow_partial):
            return 1
        return 0

    def counts(self) -> dict[str, int]:
        result = {"mandatory": 0, "advisory": 0, "suppressed": 0, "remediated": 0, "not-evaluated": 0}
        for f in self.findings:
            if f.status == "violation":
                result["mandatory" if f.enforcement == "mandatory" else "advisory"] += 1
            else:
                result[f.status] += 1
        return result


# --- Pack selection and config --------------------------------------------------------------------


def _declared_pack_name(pack_dir: Path) -> str | None:
    """The name a shipped pack gives ``PolicyPack`` in its ``__main__.py`` (read, never imported:
    a pack's main blocks forever)."""
    try:
        match = re.search(r"\bname\s*=\s*[\"']([^\"']+)[\"']", (pack_dir / "__main__.py").read_text())
    except OSError:
        return None
    return match.group(1) if match else None


def resolve_packs(names: Sequence[str] | None) -> list[Path]:
    """Pack folders from shipped packs' folder names (``aws_security``) or pack names
    (``goldenpath-aws-security``, as reports show them), or paths to pack folders; all shipped
    packs by default. A pack named twice runs once."""
    shipped = pack_dirs()
    pack_names = {folder: _declared_pack_name(path) for folder, path in shipped.items()}
    by_pack_name = {pack_names[folder]: path for folder, path in shipped.items()}
    if not names:
        return list(shipped.values())
    resolved: list[Path] = []
    for name in names:
        path = Path(name)
        if (path / "PulumiPolicy.yaml").is_file():
            found = path.resolve()
        elif name in shipped:
            found = shipped[name]
        elif name in by_pack_name:
            found = by_pack_name[name]
        else:
            choices = ", ".join(f"{folder} ({pack_names[folder]})" for folder in shipped)
            raise UsageError(
                f"--pack {name!r}: neither a shipped pack ({choices}) nor a folder with PulumiPolicy.yaml"
            )
        if found not in resolved:
            resolved.append(found)
    return resolved


def load_pack_config(
    paths: Sequence[Path | str] | None, *, paired: bool = False
) -> dict[str, Any] | list[dict[str, Any]]:
    """Read ``--policy-pack-config``-style JSON (or YAML) files: ``{all: level, policy: level | {…}}``.

    With ``paired`` each file is one pack's config (in the order of the packs, as pulumi pairs
    ``--policy-pack-config`` with ``--policy-pack``); otherwise the files merge into one config that
    every pack gets.
    """
    documents = [_read_pack_config(Path(raw)) for raw in paths or ()]
    if paired:
        return documents
    merged: dict[str, Any] = {}
    for document in documents:
        merged.update(document)
    return merged


def _read_pack_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as error:
        raise UsageError(f"--pack-config {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--pack-config {path}: not a text file") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else _yaml(text)
    except ValueError as error:
        raise UsageError(
            f"--pack-config {path}: not valid {path.suffix.lstrip('.') or 'JSON'}: {error}"
        ) from None
    if data is None:
        return {}  # an empty file, as the engine reads one: no config
    if not isinstance(data, Mapping):
        raise UsageError(f"--pack-config {path}: expected an object of policy names")
    data = dict(data)
    data.pop("environments", None)  # the engine's ESC environments for the pack; nothing offline
    return data


def _yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from None


def reject_unknown_policies(config: Mapping[str, Any], infos: Sequence[PackInfo]) -> None:
    """A config entry that names a policy no selected pack has is a usage error (most likely a typo)."""
    known = {p.name for info in infos for p in info.policies}
    unknown = sorted(set(config) - known - {"all"})
    if unknown:
        raise UsageError(f"pack config names policies no selected pack has: {', '.join(unknown)}")


# --- Evaluation ------------------------------------------------------------------------------------


def component_of(resource: RecordedResource | None, by_urn: Mapping[str, RecordedResource]) -> str:
    """The name of the nearest enclosing component ('stack' for top-level resources)."""
    parent = by_urn.get(resource.parent) if resource is not None and resource.parent else None
    while parent is not None and parent.custom:
        parent = by_urn.get(parent.parent) if parent.parent else None
    return parent.name if parent is not None else "stack"


def _finding(
    diagnostic: Diagnostic,
    info: PackInfo,
    levels: Mapping[str, str],
    by_urn: Mapping[str, RecordedResource],
    status: Status | None = None,
    decided_at: Literal["preview", "up"] = "preview",
) -> Finding:
    policy_name, message = diagnostic.policy, diagnostic.message
    if status is None:
        if policy_name == WAIVER_AUDIT_POLICY and message.startswith("suppressed "):
            status = "suppressed"
            policy_name, _, message = message[len("suppressed ") :].partition(": ")
        elif message.startswith(_PREVIEW_PREFIX):
            status = "not-evaluated"
        else:
            status = "violation"
    try:
        meta = info.policy(policy_name)
    except KeyError:
        meta = None
    resource = by_urn.get(diagnostic.urn)
    return Finding(
        policy=policy_name,
        pack=info.name,
        severity=meta.severity if meta else diagnostic.severity,
        # A suppressed violation is reported by the audit policy; show the level it would block at.
        enforcement=levels.get(policy_name, diagnostic.enforcement)
        if status == "suppressed"
        else diagnostic.enforcement,
        status=status,
        message=message,
        urn=diagnostic.urn,
        resource_type=resource.type if resource else "",
        resource_name=resource.name if resource else "",
        component=component_of(resource, by_urn),
        remediation=meta.remediation if meta else "",
        url=meta.url if meta else "",
        decided_at="up" if status == "not-evaluated" else decided_at,
    )


class PackSession:
    """One pack, started as the engine starts it, judging resources as the program registers them.

    ``Remediate`` runs in the caller's thread (the pipeline chains packs, each seeing the rewrites
    of the packs before it); ``Analyze`` runs on a thread of this session's own, so that packs
    analyze in parallel, as the engine's analyzers do, and overlap the program.
    """

    _DONE = object()

    def __init__(self, pack_dir: Path, config: Mapping[str, Any], env: Mapping[str, str]):
        self.process = PolicyPackProcess(pack_dir, env=env)
        self._config = config
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.diagnostics: list[tuple[Diagnostic, Status | None]] = []
        # Indexes of the diagnostics that came from AnalyzeStack (stack policies), not Analyze.
        self.stack_diagnostics: set[int] = set()
        self.info: PackInfo | None = None
        self.error: BaseException | None = None
        self._begun = False
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._work, name=f"pack-{pack_dir.name}", daemon=True)
        self._thread.start()

    def _start(self, stack: StackIdentity) -> None:
        try:
            self.process.start()
            # The engine's order: the proxy answers ConfigureStack first, then GetAnalyzerInfo
            # and Configure with the reconciled config.
            self.process.configure_stack(
                project=stack.project, stack=stack.stack, organization=stack.organization, dry_run=True
            )
            self.info = self.process.info()
            self.process.configure(self._config, strict=False)
        except grpc.RpcError as error:
            raise PolicyPackError(
                f"pack {self.process.pack_dir.name} failed to start: {error.details()}"
            ) from None
        except (OSError, subprocess.SubprocessError) as error:
            raise PolicyPackError(f"pack {self.process.pack_dir.name} failed to start: {error}") from None

    def _work(self) -> None:
        try:
            stack = self._queue.get()
            if stack is self._DONE:
                return  # abandoned before it began
            try:
                self._start(stack)
            finally:
                self.ready.set()
            while (resource := self._queue.get()) is not self._DONE:
                try:
                    self.diagnostics.extend((d, None) for d in self.process.analyze(resource))
                except grpc.RpcError as error:
                    raise PolicyPackError(
                        f"pack {self.info.name} failed on {resource.urn}: {error.details()}"
                    ) from None
        except BaseException as error:  # noqa: BLE001 - handed to the caller in finish()
            self.error = error
            self.ready.set()
            while self._queue.get() is not self._DONE:
                pass

    def begin(self, stack: StackIdentity) -> None:
        self._begun = True
        self._queue.put(stack)

    def concerns(self, resource: ResourceInput) -> bool:
        # A pack declared for one provider: every one of its resource policies would skip the others.
        return self.error is None and self.info is not None and self.info.concerns(resource.type)

    @property
    def remediates(self) -> bool:
        """Whether any policy runs at the remediate level. pulumi-policy's Remediate skips every
        other policy, so for a pack with none the engine's call is a no-op and is not made."""
        return "remediate" in self.process.levels.values()

    def remediate(self, resource: ResourceInput) -> ResourceInput:
        """The resource after this pack's remediations (the engine calls Remediate on every pack)."""
        try:
            rewrites = self.process.remediate(resource)
        except grpc.RpcError as error:
            self.error = PolicyPackError(
                f"pack {self.info.name} failed to remediate {resource.urn}: {error.details()}"
            )
            return resource
        for policy, new_props in rewrites:
            resource = dataclasses.replace(resource, properties=to_struct(new_props))
            note = Diagnostic(
                policy, self.info.name, "properties rewritten by the pack", "remediate", "", resource.urn
            )
            self.diagnostics.append((note, "remediated"))
        return resource

    def analyze(self, resource: ResourceInput) -> None:
        self._queue.put(resource)

    def finish(self, stack_resources: Sequence[ResourceInput]) -> None:
        """Wait for every submitted resource, then run the stack policies over the whole stack."""
        self._queue.put(self._DONE)
        self._thread.join()
        if self.error is not None:
            raise self.error
        try:
            found = self.process.analyze_stack(stack_resources)
            self.stack_diagnostics.update(range(len(self.diagnostics), len(self.diagnostics) + len(found)))
            self.diagnostics.extend((d, None) for d in found)
        except grpc.RpcError as error:
            raise PolicyPackError(
                f"pack {self.info.name} failed on the stack policies: {error.details()}"
            ) from None

    def abandon(self) -> None:
        if not self._begun:
            self._queue.put(self._DONE)  # taken as the stack: the thread sees it and returns
        self._queue.put(self._DONE)
        self._thread.join()
        self.process.stop()


@dataclass(frozen=True)
class StackIdentity:
    project: str
    stack: str
    organization: str = ORGANIZATION


class Pipeline:
    """Feeds each registered resource through the packs in the engine's order.

    For each resource: ``Remediate`` on every pack in turn, each seeing the rewrites of the packs
    before it; then ``Analyze`` on every pack with the final properties. Runs on one thread of its
    own so the program never waits on a pack.
    """

    _DONE = object()

    def __init__(self, sessions: Sequence[PackSession]):
        self.sessions = list(sessions)
        self.final: dict[str, ResourceInput] = {}
        self._seen: dict[str, RecordedResource] = {}
        self.error: PolicyPackError | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="pack-pipeline", daemon=True)
        self._thread.start()

    def submit(self, resource: RecordedResource) -> None:
        if not resource.read:  # reads are not registrations: the engine runs no Analyze on them
            self._queue.put(resource)

    def _work(self) -> None:
        for session in self.sessions:
            session.ready.wait()
        try:
            while (recorded := self._queue.get()) is not self._DONE:
                resource = resource_input(recorded, self._provider(recorded))
                for session in self.sessions:
                    if session.remediates and session.concerns(resource):
                        resource = session.remediate(resource)
                self.final[resource.urn] = resource
                for session in self.sessions:
                    if session.concerns(resource):
                        session.analyze(resource)
        except Exception as error:  # noqa: BLE001 - a resource left unjudged must fail the check
            self.error = PolicyPackError(
                f"check could not hand {recorded.urn} to the packs ({type(error).__name__}: {error}); "
                "no verdict was reached"
            )
            while self._queue.get() is not self._DONE:
                pass

    def _provider(self, recorded: RecordedResource) -> ResourceInput | None:
        self._seen[recorded.urn] = recorded
        provider = self._seen.get(recorded.provider) if recorded.provider else None
        return resource_input(provider) if provider is not None else None

    def close(self) -> None:
        self._queue.put(self._DONE)
        self._thread.join()


def resource_input(r: RecordedResource, provider: ResourceInput | None = None) -> ResourceInput:
    """A recorded resource as the engine hands it to ``Analyze``: its inputs after Check."""
    return ResourceInput(
        urn=r.urn,
        type=r.type,
        name=r.name,
        properties=r.properties,
        parent=r.parent or "",
        dependencies=r.dependencies,
        property_dependencies=r.property_dependencies,
        protect=r.protect,
        provider=provider,
    )


def stack_input(
    r: RecordedResource, final: Mapping[str, ResourceInput], by_urn: Mapping[str, RecordedResource]
) -> ResourceInput:
    """A resource as the engine hands it to ``AnalyzeStack``: its outputs (after any remediation)."""
    properties = r.outputs
    remediated = final.get(r.urn)
    if r.custom:
        outputs = json_format.MessageToDict(r.outputs)
        if remediated is not None and remediated.properties is not r.properties:
            outputs.update(json_format.MessageToDict(remediated.properties))
        properties = to_struct(outputs)
    provider = by_urn.get(r.provider) if r.provider else None
    analyzed = resource_input(r, resource_input(provider) if provider is not None else None)
    return dataclasses.replace(analyzed, properties=properties)


def pack_environment(files: StackFiles, identity: StackIdentity) -> dict[str, str]:
    """What the engine puts in a pack's environment (``constructEnv`` in analyzer_plugin.go)."""
    return {
        "PULUMI_CONFIG": json.dumps(files.config, sort_keys=True),
        "PULUMI_ORGANIZATION": identity.organization,
        "PULUMI_PROJECT": identity.project,
        "PULUMI_STACK": identity.stack,
        "PULUMI_DRY_RUN": "true",
    }


def check_stack(
    stack_dir: Path | str,
    stack: str = "dev",
    packs: Sequence[str] | None = None,
    pack_config: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    timeout: float | None = None,
    allow_partial: bool = False,
) -> CheckResult:
    """Run the stack under mocks and evaluate it through every selected pack.

    ``pack_config`` is one config shared by every pack, or one per pack (paired by position with
    ``packs``, as the engine pairs ``--policy-pack-config`` with ``--policy-pack``).
    """
    pack_paths = resolve_packs(packs)
    files = read_stack_files(stack_dir, stack)
    configs = _pair_configs(pack_config, len(pack_paths))
    identity = StackIdentity(files.project, files.stack)
    env = pack_environment(files, identity)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    sessions: list[PackSession] = []
    pipeline: Pipeline | None = None
    try:
        for path, config in zip(pack_paths, configs, strict=True):
            sessions.append(PackSession(path, config, env))
        for session in sessions:
            session.begin(identity)
        pipeline = Pipeline(sessions)
        try:
            run = run_stack(stack_dir, stack, on_resource=pipeline.submit, timeout=timeout)
        finally:
            timings["program"] = time.perf_counter() - started
            pipeline.close()
        if pipeline.error is not None:
            raise pipeline.error
        by_urn = {r.urn: r for r in run.stack_view}
        stack_resources = [stack_input(r, pipeline.final, by_urn) for r in run.stack_view]
        stack_started = time.perf_counter()
        for session in sessions:
            session.finish(stack_resources)
        decided_started = time.perf_counter()
        timings["analyze-stack"] = decided_started - stack_started
        preview = _preview_view(sessions, by_urn, pipeline.final, stack_resources)
        timings["decided-at"] = time.perf_counter() - decided_started
        timings["total"] = time.perf_counter() - started
        timings["policies-after-program"] = timings["total"] - timings["program"]
    except PolicyPackError as error:
        raise UsageError(str(error)) from None
    finally:
        for session in sessions:
            session.abandon()

    infos = [s.info for s in sessions if s.info is not None]
    if _is_shared(pack_config):
        reject_unknown_policies(configs[0] if configs else {}, infos)
    else:
        for session, config in zip(sessions, configs, strict=True):
            reject_unknown_policies(config, [session.info] if session.info is not None else [])
    findings = [
        _finding(
            diagnostic,
            session.info,
            session.process.levels,
            by_urn,
            status,
            "up"
            if (index, diagnostic.policy, diagnostic.message, diagnostic.urn) in preview.needs_apply
            else "preview",
        )
        for index, session in enumerate(sessions)
        for diagnostic, status in session.diagnostics
    ]
    findings.sort(key=finding_order)
    preview_not_evaluated = sorted(
        (
            _finding(diagnostic, sessions[index].info, sessions[index].process.levels, by_urn)
            for index, diagnostic in preview.not_evaluated
        ),
        key=finding_order,
    )
    levels = {
        (s.info.name, name): level for s in sessions if s.info for name, level in s.process.levels.items()
    }
    remediated_inputs = {
        urn: json_format.MessageToDict(final.properties)
        for urn, final in pipeline.final.items()
        if urn in by_urn and final.properties is not by_urn[urn].properties
    }
    return CheckResult(
        Path(stack_dir),
        run,
        infos,
        findings,
        timings,
        levels,
        allow_partial,
        preview_not_evaluated,
        remediated_inputs,
    )


def computed_values(resource: RecordedResource) -> set[str]:
    """The values of ``resource`` that a real preview of a new stack would not know: its id and
    every output it was not given as an input (ARNs, DNS names, generated names)."""
    inputs = json_format.MessageToDict(resource.properties)
    values = {resource.id} if resource.id else set()
    for key, value in json_format.MessageToDict(resource.outputs).items():
        if key not in inputs and isinstance(value, str):
            values.add(value)
    # A mock id equal to an input (an S3 bucket's id is its name) cannot be told apart from that
    # known input, so it is not counted: check errs towards "preview" only where mocks are ambiguous.
    given = {v for v in inputs.values() if isinstance(v, str)}
    return {v for v in values - given if len(v) >= _MIN_COMPUTED_LENGTH}


_MIN_COMPUTED_LENGTH = 4


def _as_preview_sees(value: Any, computed: set[str]) -> Any:
    # A text built from an unknown value (an interpolation, Output.json_dumps) is wholly unknown.
    if isinstance(value, str):
        return UNKNOWN if any(c in value for c in computed) else value
    if isinstance(value, dict):
        return {k: _as_preview_sees(v, computed) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_preview_sees(v, computed) for v in value]
    return value


@dataclass
class PreviewView:
    """What `pulumi preview` of a new stack would report that differs from check's own run."""

    # (pack index, policy, message, URN) of violations preview could not reach: decidedAt "up".
    needs_apply: set[tuple[int, str, str, str]] = field(default_factory=set)
    # (pack index, diagnostic) of the "can't run policy … during preview" advisories preview
    # prints for policies that read values known only at up.
    not_evaluated: list[tuple[int, Diagnostic]] = field(default_factory=list)


def _preview_stack(
    stack_resources: Sequence[ResourceInput],
    by_urn: Mapping[str, RecordedResource],
    created: Mapping[str, RecordedResource],
    cache: dict[str, set[str]],
) -> tuple[list[ResourceInput], bool]:
    """The stack as `AnalyzeStack` sees it in a preview of a new stack, and whether it differs.

    A resource to be created has, beyond its inputs, only outputs the provider computes: unknown.
    Its inputs built from other new resources are unknown as in Analyze.
    """
    masked_any = False
    view = []
    for resource in stack_resources:
        recorded = by_urn.get(resource.urn)
        if recorded is None or resource.urn not in created:
            view.append(resource)
            continue
        inputs = json_format.MessageToDict(recorded.properties)
        computed: dict[str, set[str]] = {}
        for key, deps in recorded.property_dependencies.items():
            for dep in deps:
                if dep in created:
                    computed.setdefault(key, set()).update(
                        cache.setdefault(dep, computed_values(created[dep]))
                    )
        wire = json_format.MessageToDict(resource.properties)
        masked = {}
        for key, value in wire.items():
            if key not in inputs:
                masked[key] = UNKNOWN  # an output the provider computes on create
            elif key in computed:
                masked[key] = _as_preview_sees(value, computed[key])
            else:
                masked[key] = value
        if masked != wire:
            masked_any = True
            resource = dataclasses.replace(resource, properties=to_struct(masked))
        view.append(resource)
    return view, masked_any


def _preview_view(
    sessions: Sequence[PackSession],
    by_urn: Mapping[str, RecordedResource],
    final: Mapping[str, ResourceInput],
    stack_resources: Sequence[ResourceInput] = (),
) -> PreviewView:
    """Analyze every resource once more as `pulumi preview` of a new stack would send it.

    Under mocks every output is known. In a real preview of a new stack, the id and computed
    outputs of every resource the program creates are unknown, and so is every input built from
    them. Each resource whose inputs depend on such resources is analyzed again with exactly those
    values unknown: a violation that no longer shows needs values known only at `pulumi up`, and a
    policy that reports it cannot run is what preview prints as "can't run policy … during preview".
    """
    created = {
        urn: r
        for urn, r in by_urn.items()
        if r.custom and not r.read and not r.type.startswith("pulumi:providers:")
    }
    cache: dict[str, set[str]] = {}
    masked_resources: list[tuple[str, ResourceInput]] = []
    for urn in sorted(final):
        resource, recorded = final[urn], by_urn.get(urn)
        if recorded is None or recorded.read:
            continue
        # Only a property built from another new resource can hold its unknown values.
        computed_by_key: dict[str, set[str]] = {}
        for key, deps in recorded.property_dependencies.items():
            for dep in deps:
                if dep in created:
                    computed = cache.setdefault(dep, computed_values(created[dep]))
                    computed_by_key.setdefault(key, set()).update(computed)
        if not computed_by_key:
            continue
        wire = json_format.MessageToDict(resource.properties)
        masked_wire = {
            key: _as_preview_sees(value, computed_by_key[key]) if key in computed_by_key else value
            for key, value in wire.items()
        }
        if masked_wire != wire:
            masked_resources.append((urn, dataclasses.replace(resource, properties=to_struct(masked_wire))))

    preview_stack, stack_differs = _preview_stack(stack_resources, by_urn, created, cache)

    def judge_stack(
        index: int, session: PackSession, view: PreviewView, already: set[tuple[str, str]]
    ) -> None:
        # Stack policies judge outputs, and at preview a new resource's computed outputs are unknown.
        if not stack_differs or not session.stack_diagnostics:
            return
        reached = [
            d
            for n, (d, status) in enumerate(session.diagnostics)
            if status is None
            and n in session.stack_diagnostics
            and d.policy != WAIVER_AUDIT_POLICY
            and not d.message.startswith(_PREVIEW_PREFIX)
        ]
        try:
            seen = session.process.analyze_stack(preview_stack)
        except grpc.RpcError as error:
            raise PolicyPackError(
                f"pack {session.info.name} failed on the stack policies: {error.details()}"
            ) from None
        still = {(d.policy, d.urn, d.message) for d in seen if not d.message.startswith(_PREVIEW_PREFIX)}
        view.needs_apply.update(
            (index, d.policy, d.message, d.urn) for d in reached if (d.policy, d.urn, d.message) not in still
        )
        view.not_evaluated.extend(
            (index, d)
            for d in seen
            if d.message.startswith(_PREVIEW_PREFIX) and (d.policy, d.urn) not in already
        )

    def judge(index: int, session: PackSession) -> PreviewView:
        # Analyze verdicts are re-judged per resource, and stack verdicts over the whole stack, as a
        # preview of a new stack would send them.
        analyzed = [
            d
            for n, (d, status) in enumerate(session.diagnostics)
            if status is None
            and n not in session.stack_diagnostics
            and d.policy != WAIVER_AUDIT_POLICY
            and not d.message.startswith(_PREVIEW_PREFIX)
        ]
        already = {(d.policy, d.urn) for d, _ in session.diagnostics if d.message.startswith(_PREVIEW_PREFIX)}
        view = PreviewView()
        for urn, masked in masked_resources:
            try:
                seen = session.process.analyze(masked)
            except grpc.RpcError as error:
                raise PolicyPackError(
                    f"pack {session.info.name} failed on {urn}: {error.details()}"
                ) from None
            still = {(d.policy, d.message) for d in seen if not d.message.startswith(_PREVIEW_PREFIX)}
            view.needs_apply.update(
                (index, d.policy, d.message, urn)
                for d in analyzed
                if d.urn == urn and (d.policy, d.message) not in still
            )
            view.not_evaluated.extend(
                (index, d)
                for d in seen
                if d.message.startswith(_PREVIEW_PREFIX) and (d.policy, urn) not in already
            )
        judge_stack(index, session, view, already)
        return view

    # Each pack is its own process: they re-judge in parallel, as they analyze during the run.
    view = PreviewView()
    with ThreadPoolExecutor(max_workers=max(len(sessions), 1)) as pool:
        for part in pool.map(judge, range(len(sessions)), sessions):
            view.needs_apply |= part.needs_apply
            view.not_evaluated.extend(part.not_evaluated)
    return view


def _is_shared(pack_config: Any) -> bool:
    return pack_config is None or isinstance(pack_config, Mapping)


def _pair_configs(
    pack_config: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None, count: int
) -> list[Mapping[str, Any]]:
    if _is_shared(pack_config):
        shared = dict(pack_config or {})
        return [shared] * count
    configs = list(pack_config)
    if len(configs) != count:
        raise UsageError(
            f"{len(configs)} pack configs for {count} packs: give one --pack-config per --pack (paired in "
            "order, as pulumi pairs --policy-pack-config with --policy-pack), or a single one for all"
        )
    return [dict(c) for c in configs]
