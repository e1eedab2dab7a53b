"""Drive a CrossGuard policy pack the way the Pulumi engine does.

:class:`PolicyPackProcess` starts a pack as its own process (``python -m pulumi.policy <engine>
<packdir>``), reads the port it prints, and speaks the gRPC ``Analyzer`` service from
``pulumi.runtime.proto``: ``GetAnalyzerInfo``, ``Configure``, ``ConfigureStack``, ``Analyze``,
``AnalyzeStack`` and ``Remediate``. Results come back as plain :class:`Diagnostic` values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import jsonschema
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

ENFORCEMENT_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
ENFORCEMENT_VALUES = {name: value for value, name in ENFORCEMENT_NAMES.items()}
SEVERITY_NAMES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
_START_TIMEOUT_SECONDS = 60
# What the engine's self-managed (diy) backends call every organization.
ORGANIZATION = "organization"
_MAX_MESSAGE = 1024 * 1024 * 400


class PolicyPackError(RuntimeError):
    """A pack could not be started or configured."""


@dataclass(frozen=True)
class Diagnostic:
    """One violation as the pack reported it."""

    policy: str
    pack: str
    message: str
    enforcement: str
    severity: str
    urn: str
    description: str = ""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement: str
    severity: str
    kind: str
    remediation: str
    url: str
    tags: tuple[str, ...]
    framework: str
    config_schema: Mapping[str, Any]


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    description: str
    policies: tuple[PolicyInfo, ...]
    provider: str = ""

    def concerns(self, resource_type: str) -> bool:
        """Whether a pack declared for one provider has any business with a resource of this type."""
        if not self.provider:
            return True
        return (
            resource_type.split(":", 1)[0] == self.provider
            or resource_type == f"pulumi:providers:{self.provider}"
        )

    def policy(self, name: str) -> PolicyInfo:
        for p in self.policies:
            if p.name == name:
                return p
        raise KeyError(name)


@dataclass(frozen=True)
class ResourceInput:
    """A resource as the engine hands it to an analyzer."""

    urn: str
    type: str
    name: str
    properties: struct_pb2.Struct
    parent: str = ""
    dependencies: Sequence[str] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    protect: bool = False
    # The provider resource that manages it (default or explicit), as the engine names it.
    provider: ResourceInput | None = None

    def options(self) -> analyzer_pb2.AnalyzerResourceOptions:
        return analyzer_pb2.AnalyzerResourceOptions(protect=self.protect, parent=self.parent)

    def request(self) -> analyzer_pb2.AnalyzeRequest:
        """What the engine sends for this resource to ``Analyze`` and ``Remediate``."""
        return analyzer_pb2.AnalyzeRequest(
            type=self.type,
            properties=self.properties,
            urn=self.urn,
            name=self.name,
            options=self.options(),
            provider=self.provider_message(),
        )

    def provider_message(self) -> analyzer_pb2.AnalyzerProviderResource | None:
        p = self.provider
        if p is None:
            return None
        return analyzer_pb2.AnalyzerProviderResource(
            type=p.type, properties=p.properties, urn=p.urn, name=p.name
        )


def _detail(message: str, description: str) -> str:
    # pulumi-policy prefixes every violation message with the policy description and a newline.
    prefix = f"{description}\n"
    return message[len(prefix) :] if description and message.startswith(prefix) else message


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(json.loads(json.dumps(props, default=str)))
    return struct


def _policy_entry(policy: PolicyInfo, entry: Any, all_level: Any) -> tuple[str, dict[str, Any]]:
    """The effective level and the schema-checked properties of one policy's config entry."""
    level = all_level or policy.enforcement
    properties: dict[str, Any] = {}
    if isinstance(entry, str):
        level = entry
    elif isinstance(entry, Mapping):
        properties = dict(entry)
        level = properties.pop("enforcementLevel", level)
    elif entry is not None:
        raise PolicyPackError(
            f"policy pack config for {policy.name}: expected an enforcement level or an object of settings, "
            f"given {entry!r}"
        )
    if level not in ENFORCEMENT_VALUES:
        raise PolicyPackError(
            f"policy pack config for {policy.name}: enforcement level {level!r} is not one of "
            f"{', '.join(sorted(ENFORCEMENT_VALUES))}"
        )
    schema = {"type": "object", "properties": dict(policy.config_schema), "additionalProperties": False}
    problems = sorted(jsonschema.Draft7Validator(schema).iter_errors(properties), key=lambda e: list(e.path))
    if problems:
        allowed = ", ".join(policy.config_schema) or "no settings"
        details = "; ".join(f"{'.'.join(map(str, e.path)) or 'settings'}: {e.message}" for e in problems)
        raise PolicyPackError(f"policy pack config for {policy.name}: {details} (it takes {allowed})")
    # As the engine's ReconcilePolicyPackConfig does, the pack gets every schema default filled in.
    defaults = {
        k: v["default"] for k, v in policy.config_schema.items() if isinstance(v, Mapping) and "default" in v
    }
    return level, {**defaults, **properties}


def _pack_version(pack_dir: Path) -> str:
    import yaml

    path = pack_dir / "PulumiPolicy.yaml"
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise PolicyPackError(f"{path}: cannot be read as YAML: {error}") from None
    if not isinstance(doc, Mapping):
        raise PolicyPackError(f"{path}: expected a mapping (runtime, version, description)")
    return str(doc.get("version", "0.0.1"))


class PolicyPackProcess:
    """A running policy pack, started as the engine starts one. Use as a context manager."""

    def __init__(self, pack_dir: Path | str, python: str | None = None, env: Mapping[str, str] | None = None):
        self.env = dict(env or {})
        self.pack_dir = Path(pack_dir).resolve()
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir}: not a policy pack (no PulumiPolicy.yaml)")
        self.python = python or sys.executable
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._stderr: list[bytes] = []
        self.version = _pack_version(self.pack_dir)
        self._info: PackInfo | None = None
        self.levels: dict[str, str] = {}

    # -- lifecycle --

    def start(self) -> PolicyPackProcess:
        env = {**os.environ, **self.env}
        # The engine's address is only used for logging, which a pack does not do at start.
        self._process = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(self.pack_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.pack_dir,
            env=env,
        )
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        port = self._read_port()
        # A pack that prints must not fill its stdout pipe and block; the engine drains it too.
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", _MAX_MESSAGE)]
        )
        try:
            grpc.channel_ready_future(self._channel).result(timeout=_START_TIMEOUT_SECONDS)
        except grpc.FutureTimeoutError:
            self.stop()
            raise PolicyPackError(
                f"{self.pack_dir.name}: the pack's gRPC server did not become ready"
            ) from None
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        return self

    def _drain_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line)

    def _drain_stdout(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for _line in self._process.stdout:
            pass  # what a pack prints after its port is nobody's report

    def _read_port(self) -> int:
        """The port the pack prints as its first line of stdout, as the engine reads it; a pack
        that prints something else first, or nothing within the start limit, is stopped."""
        process = self._process
        assert process is not None and process.stdout is not None
        first: list[bytes] = []
        reader = threading.Thread(target=lambda: first.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(_START_TIMEOUT_SECONDS)
        line = first[0].decode(errors="replace").strip() if first else None
        if line is None or not line.isdigit():
            self.stop()
            stderr = b"".join(self._stderr).decode(errors="replace").strip()
            said = (
                f"printed nothing within {_START_TIMEOUT_SECONDS:g} s"
                if line is None
                else f"printed {line[:200]!r} where its port belongs (a pack must not print before it starts)"
            )
            raise PolicyPackError(
                f"{self.pack_dir.name}: the pack did not start: it {said}\n{stderr[-2000:]}".strip()
            )
        return int(line)

    def stop(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            for stream in (self._process.stdout, self._process.stderr):
                if stream is not None:
                    stream.close()
            self._process = None

    def __enter__(self) -> PolicyPackProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            raise PolicyPackError("the pack is not running; call start() first")
        return self._stub

    # -- protocol --

    def info(self) -> PackInfo:
        if self._info is None:
            raw = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
            policies = tuple(
                PolicyInfo(
                    name=p.name,
                    description=p.description,
                    enforcement=ENFORCEMENT_NAMES[p.enforcementLevel],
                    severity=SEVERITY_NAMES.get(p.severity, ""),
                    kind="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
                    remediation=p.remediation_steps,
                    url=p.url,
                    tags=tuple(p.tags),
                    framework=p.framework.name,
                    config_schema=json_format.MessageToDict(p.configSchema.properties),
                )
                for p in raw.policies
            )
            # The engine takes the version from PulumiPolicy.yaml; so do we.
            self._info = PackInfo(raw.name, self.version, raw.description, policies, raw.provider)
        return self._info

    def configure(self, config: Mapping[str, Any] | None, *, strict: bool = True) -> dict[str, str]:
        """Apply a ``--policy-pack-config``-style mapping: ``{all: level, policy: level | {…}}``.

        As the engine does, every policy gets an entry: its configured level (or ``all``'s, or its
        default) and its properties, which must match the policy's config schema. With
        ``strict=False`` entries naming policies of other packs are ignored, so one config can be
        shared by several packs. Returns each policy's effective enforcement level.
        """
        config = dict(config or {})
        all_level = config.pop("all", None)
        if isinstance(all_level, Mapping):
            all_level = all_level.get("enforcementLevel")
        policies = {p.name: p for p in self.info().policies}
        unknown = sorted(set(config) - set(policies))
        if unknown and strict:
            raise PolicyPackError(
                f"policy pack config names unknown policies of {self.info().name}: {', '.join(unknown)}"
            )
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        levels: dict[str, str] = {}
        for name, policy in policies.items():
            level, properties = _policy_entry(policy, config.get(name), all_level)
            levels[name] = level
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(
                    enforcementLevel=ENFORCEMENT_VALUES[level], properties=to_struct(properties)
                )
            )
        self.stub.Configure(request)
        self.levels = levels
        return levels

    def configure_stack(
        self,
        *,
        project: str,
        stack: str,
        organization: str = ORGANIZATION,
        dry_run: bool = True,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.stub.ConfigureStack(
            analyzer_pb2.AnalyzerStackConfigureRequest(
                project=project,
                stack=stack,
                organization=organization,
                dry_run=dry_run,
                tags=dict(tags or {}),
            )
        )

    def _diagnostics(self, response: analyzer_pb2.AnalyzeResponse, default_urn: str = "") -> list[Diagnostic]:
        return [
            Diagnostic(
                policy=d.policyName,
                pack=d.policyPackName,
                message=_detail(d.message, d.description),
                enforcement=ENFORCEMENT_NAMES[d.enforcementLevel],
                severity=SEVERITY_NAMES.get(d.severity, ""),
                urn=d.urn or default_urn,
                description=d.description,
            )
            for d in response.diagnostics
        ]

    def analyze(self, resource: ResourceInput) -> list[Diagnostic]:
        return self._diagnostics(self.stub.Analyze(resource.request()), default_urn=resource.urn)

    def analyze_stack(self, resources: Iterable[ResourceInput]) -> list[Diagnostic]:
        request = analyzer_pb2.AnalyzeStackRequest(
            resources=[
                analyzer_pb2.AnalyzerResource(
                    type=r.type,
                    properties=r.properties,
                    urn=r.urn,
                    name=r.name,
                    parent=r.parent,
                    dependencies=list(r.dependencies),
                    propertyDependencies={
                        k: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(v))
                        for k, v in r.property_dependencies.items()
                    },
                    options=r.options(),
                    provider=r.provider_message(),
                )
                for r in resources
            ]
        )
        return self._diagnostics(self.stub.AnalyzeStack(request))

    def remediate(self, resource: ResourceInput) -> list[tuple[str, dict[str, Any]]]:
        """(policy, new properties) for each remediation the pack applies to ``resource``."""
        response = self.stub.Remediate(resource.request())
        # A remediation that could not apply carries a diagnostic instead of new properties.
        return [
            (r.policyName, json_format.MessageToDict(r.properties))
            for r in response.remediations
            if not r.diagnostic and r.HasField("properties")
        ]

    def evaluate(self, resources: Sequence[ResourceInput]) -> list[Diagnostic]:
        """Every diagnostic for ``resources``: one ``Analyze`` each, then one ``AnalyzeStack``."""
        diagnostics: list[Diagnostic] = []
        for resource in resources:
            diagnostics.extend(self.analyze(resource))
        diagnostics.extend(self.analyze_stack(resources))
        return diagnostics


def pack_dirs() -> dict[str, Path]:
    """The policy packs shipped with goldenpath, by folder name."""
    import goldenpath.policies as policies

    root = Path(policies.__path__[0])
    return {p.name: p for p in sorted(root.iterdir()) if (p / "PulumiPolicy.yaml").is_file()}
