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
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import grpc
from google.protobuf import struct_pb2

from goldenpath.analyzer import (
    Diagnostic,
    PackInfo,
    PolicyPackError,
    PolicyPackProcess,
    ResourceInput,
    pack_dirs,
)
from goldenpath.harness import ProgramRun, RecordedResource, read_stack_files, run_stack
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
        }


@dataclass
class CheckResult:
    stack_dir: Path
    run: ProgramRun
    packs: list[PackInfo]
    findings: list[Finding]
    timings: dict[str, float] = field(default_factory=dict)
    # The enforcement level each (pack, policy) ran at, after pack config.
    levels: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if any(f.blocking for f in self.findings) else 0

    def counts(self) -> dict[str, int]:
        result = {"mandatory": 0, "advisory": 0, "suppressed": 0, "remediated": 0, "not-evaluated": 0}
        for f in self.findings:
            if f.status == "violation":
                result["mandatory" if f.enforcement == "mandatory" else "advisory"] += 1
            else:
                result[f.status] += 1
        return result


# --- Pack selection and config --------------------------------------------------------------------


def resolve_packs(names: Sequence[str] | None) -> list[Path]:
    """Pack folders from names of shipped packs or paths to pack folders; all shipped packs by default."""
    shipped = pack_dirs()
    if not names:
        return list(shipped.values())
    resolved = []
    for name in names:
        path = Path(name)
        if (path / "PulumiPolicy.yaml").is_file():
            resolved.append(path.resolve())
        elif name in shipped:
            resolved.append(shipped[name])
        else:
            raise UsageError(
                f"--pack {name!r}: neither a shipped pack ({', '.join(shipped)}) nor a folder with PulumiPolicy.yaml"
            )
    return resolved


def load_pack_config(paths: Sequence[Path | str] | None) -> dict[str, Any]:
    """Merge ``--policy-pack-config``-style JSON (or YAML) files: ``{all: level, policy: level | {…}}``."""
    merged: dict[str, Any] = {}
    for raw in paths or ():
        path = Path(raw)
        try:
            text = path.read_text()
        except OSError as error:
            raise UsageError(f"--pack-config {path}: {error.strerror}") from None
        try:
            data = json.loads(text) if path.suffix == ".json" else _yaml(text)
        except ValueError as error:
            raise UsageError(
                f"--pack-config {path}: not valid {path.suffix.lstrip('.') or 'JSON'}: {error}"
            ) from None
        if not isinstance(data, Mapping):
            raise UsageError(f"--pack-config {path}: expected an object of policy names")
        merged.update(data)
    return merged


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
    )


class PackSession:
    """One pack evaluating resources while the program still registers them.

    The pack runs in its own process; a thread here feeds it each resource as it arrives
    (``Remediate`` where the pack remediates, then ``Analyze``), so evaluation overlaps the
    program instead of following it. ``finish`` adds the ``AnalyzeStack`` pass.
    """

    _DONE = object()

    def __init__(self, pack_dir: Path, config: Mapping[str, Any], project: str, stack: str):
        self.process = PolicyPackProcess(pack_dir)
        self._config = config
        self._project, self._stack = project, stack
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._analyzed: list[ResourceInput] = []
        self.diagnostics: list[tuple[Diagnostic, Status | None]] = []
        self.info: PackInfo | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name=f"pack-{pack_dir.name}", daemon=True)
        self._thread.start()

    def submit(self, resource: RecordedResource) -> None:
        if resource.custom:
            self._queue.put(resource_input(resource))

    def _work(self) -> None:
        try:
            try:
                self.process.start()
                self.info = self.process.info()
                levels = self.process.configure(self._config, strict=False)
                self.process.configure_stack(project=self._project, stack=self._stack, dry_run=True)
            except grpc.RpcError as error:
                raise PolicyPackError(
                    f"pack {self.process.pack_dir.name} failed to start: {error.details()}"
                ) from None
            remediating = "remediate" in levels.values()
            while (resource := self._queue.get()) is not self._DONE:
                if not self.info.concerns(resource.type):
                    continue  # a pack for another provider: every one of its policies would skip it
                try:
                    self._evaluate(resource, remediating)
                except grpc.RpcError as error:
                    raise PolicyPackError(
                        f"pack {self.info.name} failed on {resource.urn}: {error.details()}"
                    ) from None
        except BaseException as error:  # noqa: BLE001 - handed to the caller in finish()
            self.error = error
            while self._queue.get() is not self._DONE:
                pass

    def _evaluate(self, resource: ResourceInput, remediating: bool) -> None:
        if remediating:
            for policy, new_props in self.process.remediate(resource):
                props = struct_pb2.Struct()
                props.update(new_props)
                resource = dataclasses.replace(resource, properties=props)
                note = Diagnostic(
                    policy, self.info.name, "properties rewritten by the pack", "remediate", "", resource.urn
                )
                self.diagnostics.append((note, "remediated"))
        self._analyzed.append(resource)
        self.diagnostics.extend((d, None) for d in self.process.analyze(resource))

    def finish(self) -> None:
        """Wait for every submitted resource, then run the stack policies over them all."""
        self._queue.put(self._DONE)
        self._thread.join()
        if self.error is not None:
            raise self.error
        try:
            self.diagnostics.extend((d, None) for d in self.process.analyze_stack(self._analyzed))
        except grpc.RpcError as error:
            raise PolicyPackError(
                f"pack {self.info.name} failed on the stack policies: {error.details()}"
            ) from None

    def abandon(self) -> None:
        self._queue.put(self._DONE)
        self._thread.join()
        self.process.stop()


def resource_input(r: RecordedResource) -> ResourceInput:
    """A recorded resource as the engine hands it to an analyzer."""
    return ResourceInput(
        urn=r.urn,
        type=r.type,
        name=r.name,
        properties=r.properties,
        parent=r.parent or "",
        dependencies=r.dependencies,
        property_dependencies=r.property_dependencies,
        protect=r.protect,
    )


def check_stack(
    stack_dir: Path | str,
    stack: str = "dev",
    packs: Sequence[str] | None = None,
    pack_config: Mapping[str, Any] | None = None,
) -> CheckResult:
    """Run the stack under mocks and evaluate it through every selected pack."""
    pack_paths = resolve_packs(packs)
    files = read_stack_files(stack_dir, stack)
    config = dict(pack_config or {})
    timings: dict[str, float] = {}
    started = time.perf_counter()
    sessions: list[PackSession] = []

    def submit(resource: RecordedResource) -> None:
        for session in sessions:
            session.submit(resource)

    try:
        for path in pack_paths:
            sessions.append(PackSession(path, config, files.project, files.stack))
        try:
            run = run_stack(stack_dir, stack, on_resource=submit)
        finally:
            timings["program"] = time.perf_counter() - started
        for session in sessions:
            session.finish()
        timings["total"] = time.perf_counter() - started
        timings["policies-after-program"] = timings["total"] - timings["program"]
    except PolicyPackError as error:
        raise UsageError(str(error)) from None
    finally:
        for session in sessions:
            session.abandon()

    infos = [s.info for s in sessions if s.info is not None]
    reject_unknown_policies(config, infos)
    by_urn = {r.urn: r for r in run.evaluated}
    findings = [
        _finding(diagnostic, session.info, session.process.levels, by_urn, status)
        for session in sessions
        for diagnostic, status in session.diagnostics
    ]
    order = {"violation": 0, "not-evaluated": 1, "suppressed": 2, "remediated": 3}
    findings.sort(key=lambda f: (f.component, order[f.status], f.enforcement != "mandatory", f.policy, f.urn))
    levels = {
        (s.info.name, name): level for s in sessions if s.info for name, level in s.process.levels.items()
    }
    return CheckResult(Path(stack_dir), run, infos, findings, timings, levels)
