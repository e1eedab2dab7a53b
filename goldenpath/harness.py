"""Run a Pulumi program in-process under Pulumi mocks and record every resource it registers.

This is what ``goldenpath check`` and the tests stand on: no Pulumi CLI, no cloud account. The
recording keeps, for each resource, the serialized inputs exactly as the SDK sent them to the
(mock) engine — secrets and unknowns included — so they can be handed on unchanged to a policy
pack over the analyzer protocol, plus parent, dependencies and property dependencies for stack
policies.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import importlib.metadata
import json
import os
import re
import runpy
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.config import _SECRET_KEYS, CONFIG, get_config_env
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from goldenpath import invokes

MOCK_ACCOUNT_ID = invokes.MOCK_ACCOUNT_ID
MOCK_REGION = "eu-west-1"
SECRET_PLACEHOLDER = "[secret]"
PROGRAM_TIMEOUT_SECONDS = 300.0

_SIG = rpc._special_sig_key
_RESOURCE_SIG = rpc._special_resource_sig
_STACK_TYPE = "pulumi:pulumi:Stack"
_STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"

_WORKER_LOOPS: list[tuple[threading.Thread, asyncio.AbstractEventLoop]] = []
_WORKER_LOOPS_LOCK = threading.Lock()


def _ensure_worker_loop() -> None:
    """Give the thread serving a mock call the event loop the Pulumi SDK expects there.

    A loop made here is closed once its thread has ended (each run's executor threads end with
    it), and the rest at interpreter exit while their sockets still exist: left to the garbage
    collector at shutdown, closing them fails and prints a traceback to stderr.
    """
    _close_worker_loops(only_finished=True)
    try:
        asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        with _WORKER_LOOPS_LOCK:
            _WORKER_LOOPS.append((threading.current_thread(), loop))


@atexit.register
def _close_worker_loops(only_finished: bool = False) -> None:
    with _WORKER_LOOPS_LOCK:
        done = [(t, loop) for t, loop in _WORKER_LOOPS if not (only_finished and t.is_alive())]
        _WORKER_LOOPS[:] = [pair for pair in _WORKER_LOOPS if pair not in done]
    for _, loop in done:
        if not loop.is_running() and not loop.is_closed():
            loop.close()


# Resources whose content is produced by a provider plugin at apply time, not by the program:
# the harness registers them but cannot see what they would create.
_OPAQUE_CUSTOM_TYPES = {
    "kubernetes:helm.sh/v3:Release": "a Helm release: the chart is rendered by the provider, which check does not run",
}


# Invokes through which a provider renders objects the program then registers.
_PROVIDER_RENDERED_INVOKES = {
    "kubernetes:helm:template": "a Helm chart (kubernetes.helm.v3.Chart): the provider templates it, which check "
    "does not run, so none of its objects are registered here",
    "kubernetes:kustomize:directory": "a kustomization (kubernetes.kustomize.Directory): the provider builds it, "
    "which check does not run, so none of its objects are registered here",
}


@dataclass(frozen=True)
class RecordedResource:
    """One resource as the program registered it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    inputs: Mapping[str, Any]
    properties: struct_pb2.Struct = field(repr=False, compare=False)
    provider: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    # Outputs as the engine would record them: a custom resource's state from the mocks, a
    # component's registered outputs (filled in when it registers them).
    outputs: struct_pb2.Struct = field(default_factory=struct_pb2.Struct, repr=False, compare=False)
    # True for a resource read with ``.get()`` or a StackReference: it exists outside the program.
    read: bool = False
    # The id the mocks gave it (a real preview does not know a new resource's id).
    id: str = ""
    # The resource's ``aliases`` option as the engine receives it: each an ``{"urn": …}`` or the
    # fields of an alias spec (name, type, stack, project, parentUrn, noParent) that are set.
    aliases: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Unexamined:
    """Something the program declared or asked for that check cannot see into offline."""

    name: str
    type: str
    reason: str
    urn: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type, "urn": self.urn, "reason": self.reason}


@dataclass
class ProgramRun:
    """The outcome of one program run under mocks."""

    project: str
    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    # The providers the engine would create for resources that name none (not part of the program).
    default_providers: list[RecordedResource] = field(default_factory=list)
    # The root stack resource, as the engine registers it (its outputs are the stack's exports).
    stack_resource: RecordedResource | None = None
    # What could not be examined offline: multi-language components, Helm releases, invokes that
    # could not be answered, other stacks' outputs.
    unexamined: list[Unexamined] = field(default_factory=list)

    @property
    def evaluated(self) -> list[RecordedResource]:
        """What a policy pack sees: the program's resources and the default providers."""
        return [*self.default_providers, *self.resources]

    @property
    def stack_view(self) -> list[RecordedResource]:
        """Every resource of the stack as ``AnalyzeStack`` sees it: the Stack, providers, components."""
        head = [self.stack_resource] if self.stack_resource is not None else []
        return [*head, *self.default_providers, *self.resources]

    def by_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> RecordedResource:
        found = self.by_type(type_token)
        if len(found) != 1:
            raise AssertionError(f"expected exactly one {type_token}, found {len(found)}")
        return found[0]

    def children_of(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == urn]


def with_default_tags(resource_type: str, wire: dict[str, Any], default_tags: Any) -> dict[str, Any]:
    """A taggable AWS resource's inputs with ``tagsAll``: the provider's ``defaultTags.tags``
    overlaid with the resource's own ``tags``, as pulumi-aws's Check merges them (policies see
    that). ``default_tags`` is the provider's input, an object or (nested config) JSON text."""
    if isinstance(default_tags, str):
        try:
            default_tags = json.loads(default_tags)
        except ValueError:
            return wire
    tags = default_tags.get("tags") if isinstance(default_tags, Mapping) else None
    if not isinstance(tags, Mapping) or not tags or _SIG in tags:
        return wire  # no default tags, or secret ones: nothing a policy could read
    from goldenpath.taggable import is_taggable

    if not is_taggable(resource_type) or "tagsAll" in wire:
        return wire
    own = wire.get("tags")
    if own is not None and (not isinstance(own, dict) or _SIG in own):
        return wire  # unknown or secret tags: the merge is not known until apply
    return {**wire, "tagsAll": {**tags, **(own or {})}}


class ProgramError(Exception):
    """The program under check failed; ``message`` is the program's own error."""

    def __init__(self, message: str, detail: str = ""):
        self.message = message
        self.detail = detail
        super().__init__(message)


class StackConfigError(ProgramError):
    """The stack's Pulumi.yaml or Pulumi.<stack>.yaml cannot be read."""


class ProgramExit(Exception):
    """The program called ``sys.exit`` with a failing status."""

    def __init__(self, code: object):
        self.code = code
        super().__init__(f"the program exited with status {code!r} (sys.exit / SystemExit)")


def mock_region() -> str:
    """The stack's ``aws:region``, as the provider would use it, or the mocks' default."""
    region = pulumi.runtime.get_config("aws:region")
    return region if isinstance(region, str) and region else MOCK_REGION


def _arn(resource_type: str, name: str, region: str) -> str:
    service = resource_type.split(":")[1].split("/")[0]
    return f"arn:aws:{service}:{region}:{MOCK_ACCOUNT_ID}:{name}"


class GoldenpathMocks(pulumi_mocks.Mocks):
    """Mocks that give AWS resources the outputs real ones have (arn, id, dnsName, …) and answer
    data sources offline (see :mod:`goldenpath.invokes`).

    ``region`` is the AWS region the outputs name; by default the running stack's ``aws:region``.
    The engine conformance tests' stub provider (engine/pulumi-resource-stub) answers with these
    same mocks, given the region its provider was configured with.
    """

    def __init__(self, region: str | None = None):
        self._region = region

    def region(self) -> str:
        return self._region or mock_region()

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        state = dict(args.inputs)
        resource_id = args.resource_id or f"{args.name}-id"
        region = self.region()
        if args.typ.startswith("aws:"):
            state.setdefault("arn", _arn(args.typ, args.name, region))
            # A name computed from an unknown value (another resource's output) is unknown; the
            # made-up ARNs and ids use the resource's logical name instead.
            name = (
                state.get("name") if isinstance(state.get("name"), str) and state.get("name") else args.name
            )
            state.setdefault("name", name)
            if args.typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
                state.setdefault("dnsName", f"{args.name}-1234567890.{region}.elb.amazonaws.com")
                state.setdefault("zoneId", "Z32O12XQLNTSW2")
                state["arnSuffix"] = f"app/{args.name}/50dc6c495c0c9188"
            elif args.typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
                state["arnSuffix"] = f"targetgroup/{args.name}/73e2d6bc24d8a067"
            elif args.typ == "aws:ecr/repository:Repository":
                state.setdefault(
                    "repositoryUrl",
                    f"{MOCK_ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{name}",
                )
            elif args.typ == "aws:s3/bucket:Bucket" or args.typ == "aws:s3/bucketV2:BucketV2":
                bucket = state.get("bucket") if isinstance(state.get("bucket"), str) else None
                bucket = bucket or args.name
                state.setdefault("bucket", bucket)
                state["arn"] = f"arn:aws:s3:::{bucket}"
                resource_id = bucket
            elif args.typ == "aws:cloudwatch/logGroup:LogGroup":
                state["arn"] = f"arn:aws:logs:{region}:{MOCK_ACCOUNT_ID}:log-group:{name}"
            elif args.typ == "aws:iam/role:Role":
                state["arn"] = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/{name}"
        elif args.typ.startswith("random:index/random"):
            # A generated value: known at apply, never shown (a password stays secret).
            length = int(state.get("length") or 16)
            value = ("x" * length) if "Password" in args.typ or "String" in args.typ else "1"
            state.setdefault("result", value)
            state.setdefault("hex", "0" * length * 2)
            state.setdefault("b64Std", value)
        return resource_id, state

    def answer(self, token: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
        """The invoke's result offline, or None when only the cloud could answer it."""
        return invokes.answer(token, args, self.region())

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list]:
        return self.answer(args.token, args.args) or {}, []


def engine_form(value: Any) -> Any:
    """A wire value (``MessageToDict`` of a Struct) as the engine hands it to an analyzer.

    The engine marshals properties for policies without resource references: a reference becomes
    the resource's id (custom resources) or URN (components), and URNs drop the mock monitor's
    root-stack type prefix. Unknowns and secrets keep their sentinel encodings.
    """
    if isinstance(value, dict):
        if value.get(_SIG) == _RESOURCE_SIG:
            resource_id = value.get("id")
            return resource_id if resource_id else engine_urn(str(value.get("urn", "")))
        return {k: engine_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [engine_form(v) for v in value]
    return value


def _struct(wire: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(wire)
    return struct


def _engine_struct(message: struct_pb2.Struct) -> struct_pb2.Struct:
    return _struct(engine_form(json_format.MessageToDict(message)))


def _plain(struct: struct_pb2.Struct) -> dict[str, Any]:
    # Resource references are gone from engine-form structs, so this creates no resources (which
    # would register again from this thread and deadlock or run on the wrong event loop).
    return rpc.deserialize_properties(struct)


def _default_provider_name(version: str) -> str:
    """``default_7_51_1`` for version 7.51.1, as the engine names a default provider."""
    if not version:
        return "default"
    core, _, build = version.partition("+")
    core, _, pre = core.partition("-")
    parts = ["default", *core.split(".")[:3]]
    parts += [p for p in pre.split(".") if p] + [b for b in build.split(".") if b]
    return "_".join(parts)


def _package_version(package: str) -> str:
    try:
        return importlib.metadata.version(f"pulumi_{package.replace('-', '_')}")
    except importlib.metadata.PackageNotFoundError:
        return ""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that records every registration the way the engine would see it.

    For each resource it keeps parent, dependencies, provider and inputs in the engine's form
    (resource references as ids or URNs), plus outputs. Like the engine it adds a default
    provider (``pulumi:providers:<package>``, named ``default_<version>``, configured from the
    stack's ``<package>:*`` keys) before the first resource of a package that names no provider,
    and it applies the provider's ``defaultTags`` to ``tagsAll`` as pulumi-aws's Check does.
    """

    def __init__(
        self, mocks: pulumi_mocks.Mocks, on_resource: Callable[[RecordedResource], None] | None = None
    ):
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.default_providers: dict[tuple[str, str], RecordedResource] = {}
        self.stack_resource: RecordedResource | None = None
        self.unexamined: list[Unexamined] = []
        self.on_resource = on_resource
        self._by_urn: dict[str, RecordedResource] = {}
        self._lock = threading.RLock()

    # -- helpers --

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine qualifies a child's type with its parent's whole qualified type
        # (Outer$Inner$aws:…); the SDK's mock monitor keeps only the parent's own type.
        if parent:
            type_ = parent.split("::")[2] + "$" + type_
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def _record(self, resource: RecordedResource) -> None:
        with self._lock:
            self.recorded.append(resource)
            self._by_urn[resource.urn] = resource
            if self.on_resource is not None:
                self.on_resource(resource)

    def _note(self, item: Unexamined) -> None:
        with self._lock:
            if item not in self.unexamined:
                self.unexamined.append(item)

    def _default_provider(self, resource_type: str, version: str) -> RecordedResource | None:
        package = resource_type.split(":", 1)[0]
        if package in ("pulumi", "goldenpath", "pulumi-python"):
            return None
        version = version or _package_version(package)
        with self._lock:
            provider = self.default_providers.get((package, version))
            if provider is not None:
                return provider
            inputs = default_provider_inputs(package)
            if version:
                inputs["version"] = version
            provider_type = f"pulumi:providers:{package}"
            name = _default_provider_name(version)
            # Secret config reaches the provider, and its policies, as secrets.
            secret = default_provider_secret_keys(package)
            properties = _struct(
                {
                    k: ({_SIG: rpc._special_secret_sig, "value": v} if k in secret else v)
                    for k, v in inputs.items()
                }
            )
            provider = RecordedResource(
                urn=f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{provider_type}::{name}",
                type=provider_type,
                name=name,
                custom=True,
                parent=None,
                inputs=inputs,
                properties=properties,
                outputs=properties,
            )
            # Kept apart from what the program registered, but handed on for evaluation.
            self.default_providers[(package, version)] = provider
            self._by_urn[provider.urn] = provider
            if self.on_resource is not None:
                self.on_resource(provider)
            return provider

    def _provider_of(self, request: Any) -> RecordedResource | None:
        if request.provider:
            urn = engine_urn(request.provider.rsplit("::", 1)[0])
            with self._lock:
                return self._by_urn.get(urn)
        # A read (ReadResourceRequest) is always of a custom resource and has no `custom` field.
        if getattr(request, "custom", True):
            return self._default_provider(request.type, getattr(request, "version", ""))
        return None

    def _with_default_tags(
        self, resource_type: str, wire: dict[str, Any], provider: RecordedResource | None
    ) -> dict[str, Any]:
        if provider is None or not resource_type.startswith("aws:"):
            return wire
        return with_default_tags(resource_type, wire, provider.inputs.get("defaultTags"))

    # -- the monitor's RPCs --

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        mock_urn = self.make_urn(request.parent, request.type, request.name)
        urn = engine_urn(mock_urn)
        if request.type == _STACK_TYPE:
            stack = RecordedResource(
                urn=urn, type=request.type, name=request.name, custom=False, parent=None,
                inputs={}, properties=struct_pb2.Struct(),
            )  # fmt: skip
            with self._lock:
                self.stack_resource = stack
                self._by_urn[urn] = stack
                # The engine analyzes the Stack's registration like any other.
                if self.on_resource is not None:
                    self.on_resource(stack)
            return resource_pb2.RegisterResourceResponse(urn=mock_urn)

        _ensure_worker_loop()
        provider = self._provider_of(request)
        wire = engine_form(json_format.MessageToDict(request.object))
        if request.custom:
            wire = self._with_default_tags(request.type, wire, provider)
        properties = _struct(wire)
        inputs = _plain(properties)

        resource_id: str | None = ""
        if request.remote:
            # A multi-language component: its children come from its provider plugin. Its outputs
            # stay unknown (an echo of its inputs would not have the types the SDK checks).
            state: dict[str, Any] = {}
            self._note(
                Unexamined(
                    request.name,
                    request.type,
                    "a multi-language component: its children are created by its provider plugin, "
                    "which check does not run",
                    urn,
                )
            )
        else:
            resource_id, state = self.mocks.new_resource(
                pulumi_mocks.MockResourceArgs(
                    typ=request.type,
                    name=request.name,
                    inputs=inputs,
                    provider=request.provider,
                    resource_id=request.importId,
                    custom=bool(request.custom),
                )
            )
            if request.type in _OPAQUE_CUSTOM_TYPES:
                self._note(Unexamined(request.name, request.type, _OPAQUE_CUSTOM_TYPES[request.type], urn))
        outputs_proto = _sync_await(rpc.serialize_properties(state, {}))
        self.resources[mock_urn] = pulumi_mocks.MockMonitor.ResourceRegistration(mock_urn, resource_id, state)

        recorded = RecordedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=engine_urn(request.parent) if request.parent else None,
            inputs=inputs,
            properties=properties,
            provider=provider.urn if provider is not None else "",
            dependencies=tuple(engine_urn(u) for u in request.dependencies),
            property_dependencies={
                key: tuple(engine_urn(u) for u in deps.urns)
                for key, deps in request.propertyDependencies.items()
            },
            protect=bool(request.protect),
            outputs=_engine_struct(outputs_proto) if request.custom else struct_pb2.Struct(),
            id=resource_id or "",
            aliases=_aliases(request),
        )
        self._record(recorded)
        return resource_pb2.RegisterResourceResponse(urn=mock_urn, id=resource_id or "", object=outputs_proto)

    def RegisterResourceOutputs(self, request):  # noqa: N802 - gRPC method name
        urn = engine_urn(request.urn)
        outputs = _engine_struct(request.outputs)
        with self._lock:
            if self.stack_resource is not None and self.stack_resource.urn == urn:
                self.stack_resource.outputs.CopyFrom(outputs)
            else:
                resource = self._by_urn.get(urn)
                if resource is not None:
                    resource.outputs.CopyFrom(outputs)
        return empty_pb2.Empty()

    def ReadResource(self, request):  # noqa: N802 - gRPC method name
        _ensure_worker_loop()
        mock_urn = self.make_urn(request.parent, request.type, request.name)
        urn = engine_urn(mock_urn)
        properties = _engine_struct(request.properties)
        inputs = _plain(properties)
        if request.type == _STACK_REFERENCE_TYPE:
            # Another stack's outputs live in its backend; offline they are unknown.
            state: dict[str, Any] = {
                "name": inputs.get("name", request.id),
                "outputs": rpc.UNKNOWN,
                "secretOutputNames": [],
            }
            self._note(
                Unexamined(
                    request.name,
                    request.type,
                    "another stack's outputs cannot be read offline; values taken from it are unknown here",
                    urn,
                )
            )
        else:
            _, state = self.mocks.new_resource(
                pulumi_mocks.MockResourceArgs(
                    typ=request.type, name=request.name, inputs=inputs,
                    provider=request.provider, resource_id=request.id,
                )
            )  # fmt: skip
        outputs_proto = _sync_await(rpc.serialize_properties(state, {}))
        self.resources[mock_urn] = pulumi_mocks.MockMonitor.ResourceRegistration(mock_urn, request.id, state)
        provider = self._provider_of(request) if request.type != _STACK_REFERENCE_TYPE else None
        self._record(
            RecordedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=True,
                parent=engine_urn(request.parent) if request.parent else None,
                inputs=inputs,
                properties=properties,
                provider=provider.urn if provider is not None else "",
                dependencies=tuple(engine_urn(u) for u in request.dependencies),
                outputs=_engine_struct(outputs_proto),
                read=True,
                id=request.id,
            )
        )
        # A preview reads an existing resource from its provider, so its id is known.
        return resource_pb2.ReadResourceResponse(urn=mock_urn, id=request.id, properties=outputs_proto)

    def Invoke(self, request):  # noqa: N802 - gRPC method name
        _ensure_worker_loop()
        args = _plain(_engine_struct(request.args))
        if request.tok == "pulumi:pulumi:getResource":
            registered = self.resources.get(args.get("urn", ""))
            if registered is None:
                raise Exception(f"unknown resource {args.get('urn')}")
            ret = _sync_await(rpc.serialize_properties(registered._asdict(), {}))
            return resource_pb2.ResourceInvokeResponse(**{"return": ret})
        answer = getattr(self.mocks, "answer", None)
        if answer is not None:
            result = answer(request.tok, args)
        else:
            result, _ = self.mocks.call(pulumi_mocks.MockCallArgs(request.tok, args, request.provider))
        if result is None:
            reason = _PROVIDER_RENDERED_INVOKES.get(
                request.tok, "a data source check cannot answer offline; its result is unknown here"
            )
            self._note(Unexamined(request.tok, "invoke", reason))
            # What the engine answers for an invoke it cannot serve yet: a wholly unknown result.
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        ret = _sync_await(rpc.serialize_properties(result, {}))
        return resource_pb2.ResourceInvokeResponse(**{"return": ret})


def default_provider_inputs(package: str) -> dict[str, Any]:
    """The inputs the engine gives a package's default provider: the stack's ``<package>:*`` config."""
    prefix = f"{package}:"
    merged = {**get_config_env(), **CONFIG.get()}
    inputs: dict[str, Any] = {}
    for key, raw in merged.items():
        if key.startswith(prefix) and isinstance(raw, str):
            inputs[key[len(prefix) :]] = _config_value(raw)
    return inputs


def default_provider_secret_keys(package: str) -> set[str]:
    """The default provider's inputs that come from secret config (``{secure: …}``)."""
    prefix = f"{package}:"
    return {key[len(prefix) :] for key in _SECRET_KEYS.get() if key.startswith(prefix)}


def _config_value(raw: str) -> Any:
    # Structured config arrives as JSON text; anything else (a placeholder, plain text) stays text.
    if raw[:1] in "{[":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


_STACK_IN_TYPE = "::pulumi:pulumi:Stack$"


def _aliases(request: Any) -> tuple[dict[str, Any], ...]:
    aliases: list[dict[str, Any]] = [{"urn": engine_urn(u)} for u in request.aliasURNs]
    for alias in request.aliases:
        if alias.HasField("spec"):
            spec = json_format.MessageToDict(alias.spec)
            if "parentUrn" in spec:
                spec["parentUrn"] = engine_urn(spec["parentUrn"])
            aliases.append(spec)
        else:
            aliases.append({"urn": engine_urn(alias.urn)})
    return tuple(aliases)


def engine_urn(urn: str) -> str:
    """The URN the engine gives a resource: the mock monitor puts the root stack's type into the
    qualified type of every resource (``…::pulumi:pulumi:Stack$aws:s3/bucket:Bucket::b``); the
    engine leaves it out, and policies and reports must show what a real preview shows."""
    return urn.replace(_STACK_IN_TYPE, "::", 1)


# --- Pulumi project and stack files ------------------------------------------------------------


@dataclass(frozen=True)
class StackFiles:
    """What ``pulumi preview`` would read from a project folder for one stack."""

    project: str
    stack: str
    main: Path
    config: dict[str, str]
    secret_keys: list[str]


def _config_string(value: Any) -> str:
    # Pulumi hands every config value to the program as text; structured values as JSON.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _strip_secure(value: Any) -> tuple[Any, bool]:
    """Replace ``{secure: …}`` leaves (ciphertext we cannot decrypt offline) with a placeholder."""
    if _is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        found = False
        out = {}
        for k, v in value.items():
            out[k], inner = _strip_secure(v)
            found = found or inner
        return out, found
    if isinstance(value, list):
        items = [_strip_secure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


class _ConfigLoader(yaml.SafeLoader):
    """YAML as the Pulumi CLI reads it (YAML 1.2): a date-like value stays the text written, and
    only true and false are booleans."""


_YAML_1_1_ONLY = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}
_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML_1_1_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Pulumi reads YAML 1.2 (go yaml.v3): only true and false are booleans; yes, no, on, off are text.
_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise StackConfigError(f"{path}: not a UTF-8 text file") from None
    except OSError as error:
        raise StackConfigError(f"{path}: cannot read it: {error.strerror or error}") from None
    try:
        data = yaml.load(text, Loader=_ConfigLoader) or {}  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as error:
        raise StackConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise StackConfigError(f"{path}: expected a mapping at the top level")
    return data


def _config_section(doc: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    section = doc.get("config") or {}
    if not isinstance(section, Mapping):
        raise StackConfigError(f"{path}: 'config' must be a mapping of keys to values")
    return section


_CONFIG_TYPES = {
    # A scalar reaches Pulumi's check as the text the stack file holds, so any scalar is a string.
    "string": lambda v: not isinstance(v, dict | list),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
        or (isinstance(v, str) and re.fullmatch(r"[-+]?\d+", v) is not None)
    ),
    "boolean": lambda v: isinstance(v, bool) or v in ("true", "false"),
    "object": lambda v: isinstance(v, dict),
}


def _config_value_fits(kind: Any, items: Any, value: Any) -> bool:
    """Pulumi's check of a stack value against a project-declared type (workspace.ValidateConfigValue)."""
    if kind == "array":
        item_kind = items.get("type") if isinstance(items, dict) else None
        return (
            isinstance(value, list)
            and item_kind is not None
            and all(_config_value_fits(item_kind, items.get("items"), v) for v in value)
        )
    fits = _CONFIG_TYPES.get(kind)
    return fits is not None and fits(value)


def _type_name(kind: Any, items: Any) -> str:
    if isinstance(items, dict):
        return f"array<{_type_name(items.get('type'), items.get('items'))}>"
    return str(kind)


def _check_declared_config(
    project: str, stack: str, declared: Mapping[str, Any], values: Mapping[str, Any], project_file: Path
) -> None:
    """What the Pulumi CLI refuses before it runs a program: a project-declared key of the
    project's namespace that the stack does not set and that has no default, and a stack value of
    the wrong type or not encrypted when the declaration says secret."""
    by_key = {(k if ":" in k else f"{project}:{k}"): v for k, v in values.items()}
    missing = []
    for key, spec in sorted(declared.items()):
        if not isinstance(spec, dict):
            continue
        full = key if ":" in key else f"{project}:{key}"
        if full not in by_key:
            if "default" not in spec and "value" not in spec and full.split(":", 1)[0] == project:
                missing.append(key)
            continue
        value = by_key[full]
        if spec.get("secret") and not _is_secure(value):
            raise StackConfigError(
                f"Stack '{stack}' with configuration key '{key}' must be encrypted as it's secret "
                f"(declared in {project_file})"
            )
        if (
            "type" in spec
            and not _is_secure(value)
            and not _config_value_fits(spec["type"], spec.get("items"), value)
        ):
            raise StackConfigError(
                f"Stack '{stack}' with configuration key '{key}' must be of type "
                f"'{_type_name(spec['type'], spec.get('items'))}' (declared in {project_file})"
            )
    if missing:
        quoted = [f"'{k}'" for k in missing]
        names = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
        raise StackConfigError(
            f"Stack '{stack}' is missing configuration value{'s' if len(missing) > 1 else ''} {names} "
            f"(declared in {project_file} without a default)"
        )


def read_stack_files(stack_dir: Path | str, stack: str) -> StackFiles:
    """Read Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI does."""
    stack_dir = Path(stack_dir)
    project_file = stack_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise StackConfigError(f"{stack_dir}: no Pulumi.yaml here; STACK_DIR must be a Pulumi project folder")
    project_doc = _read_yaml(project_file)
    project = project_doc.get("name")
    if not isinstance(project, str) or not project:
        raise StackConfigError(f"{project_file}: 'name' is required")
    runtime = project_doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise StackConfigError(
            f"{project_file}: runtime is {runtime_name!r}; goldenpath checks python programs"
        )
    main_setting = project_doc.get("main", ".")
    if not isinstance(main_setting, str):
        raise StackConfigError(f"{project_file}: 'main' must be a path, given {main_setting!r}")
    main = stack_dir / main_setting
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise StackConfigError(f"{stack_dir}: no program at {main}")

    config: dict[str, str] = {}
    secret_keys: list[str] = []

    def put(key: str, value: Any) -> None:
        full = key if ":" in key else f"{project}:{key}"
        value, secret = _strip_secure(value)
        config[full] = _config_string(value)
        if secret:
            secret_keys.append(full)

    declared = _config_section(project_doc, project_file)
    for key, spec in declared.items():
        # Project-level config declares defaults: {type, default} or a bare value.
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            put(key, spec.get("default", spec.get("value")))
        elif not isinstance(spec, dict):
            put(key, spec)

    stack_file = stack_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        available = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stack_dir.glob("Pulumi.*.yaml"))
        raise StackConfigError(
            f"{stack_dir}: no Pulumi.{stack}.yaml; stacks here: {', '.join(available) or 'none'}"
        )
    stack_values = _config_section(_read_yaml(stack_file), stack_file)
    for key, value in stack_values.items():
        put(key, value)
    _check_declared_config(project, stack, declared, stack_values, project_file)
    return StackFiles(project=project, stack=stack, main=main, config=config, secret_keys=secret_keys)


# --- Running ------------------------------------------------------------------------------------


@contextmanager
def _program_environment(program_dir: Path) -> Iterator[None]:
    # Pulumi runs a program from its project folder with that folder importable. Modules the
    # program imports from its folder are forgotten afterwards, so that another stack's module of
    # the same name is not served from this one's.
    old_cwd = Path.cwd()
    old_path = list(sys.path)
    old_modules = set(sys.modules)
    os.chdir(program_dir)
    sys.path.insert(0, str(program_dir))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        for name in set(sys.modules) - old_modules:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if Path(origin).resolve().is_relative_to(program_dir):
                del sys.modules[name]


def run_under_mocks(
    program: Callable[[], Any],
    *,
    project: str = "project",
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    preview: bool = True,
    mocks: pulumi_mocks.Mocks | None = None,
    on_resource: Callable[[RecordedResource], None] | None = None,
    timeout: float | None = None,
) -> ProgramRun:
    """Run ``program`` (a callable that declares resources) under mocks and record the graph.

    ``on_resource`` is called with each resource as it is registered, while the program runs.
    The run has a wall-clock limit (``timeout`` seconds, :data:`PROGRAM_TIMEOUT_SECONDS` by
    default): a program that has not finished by then raises :class:`ProgramError`. An exception
    raised in a thread the program started fails the run too: whatever that thread was to
    declare was never declared.
    """
    thread_errors: list[BaseException] = []

    def run() -> ProgramRun:
        monitor = RecordingMonitor(mocks or GoldenpathMocks(), on_resource)
        pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))
        pulumi_mocks.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor)
        SETTINGS.rpc_manager.clear()
        SETTINGS.outputs.clear()
        try:
            _sync_await(run_pulumi_func(program))
        except Exception as error:
            error.unexamined = list(monitor.unexamined)  # type: ignore[attr-defined]
            raise
        root = pulumi.runtime.get_root_resource()
        outputs = dict(getattr(root, "outputs", {}) or {}) if root is not None else {}
        if monitor.stack_resource is not None:
            # Under mocks the stack registers its outputs before the program runs; the engine
            # records the exports the program made, so they are serialized here.
            exported = _sync_await(rpc.serialize_properties(outputs, {}))
            monitor.stack_resource.outputs.CopyFrom(_engine_struct(exported))
        return ProgramRun(
            project=project,
            stack=stack,
            resources=list(monitor.recorded),
            outputs=outputs,
            default_providers=list(monitor.default_providers.values()),
            stack_resource=monitor.stack_resource,
            unexamined=list(monitor.unexamined),
        )

    def isolated() -> ProgramRun:
        # A fresh context keeps one run's Pulumi settings and config from leaking into the next, and a
        # fresh event loop keeps its pending callbacks and failed futures out of the next run.
        restore = _thread_loop_restorer()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            return contextvars.Context().run(run)
        finally:
            _dispose(loop)
            restore()

    outcome: dict[str, Any] = {}

    def worker() -> None:
        try:
            outcome["run"] = isolated()
        except BaseException as error:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = error

    previous_hook = threading.excepthook

    def thread_failed(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            thread_errors.append(args.exc_value)

    limit = PROGRAM_TIMEOUT_SECONDS if timeout is None else timeout
    threading.excepthook = thread_failed
    try:
        runner = threading.Thread(target=worker, name="goldenpath-program", daemon=True)
        runner.start()
        runner.join(limit)
    finally:
        threading.excepthook = previous_hook
    if runner.is_alive():
        raise ProgramError(
            f"the program did not finish within {limit:g} s (it may wait forever on an output or a "
            "resource); raise the limit with --timeout if it is only slow"
        )
    if "error" in outcome:
        raise outcome["error"]
    if thread_errors:
        error = thread_errors[0]
        raise ProgramError(
            f"an exception in a thread the program started: {type(error).__name__}: {error}",
            "".join(traceback.format_exception(error)),
        )
    return outcome["run"]


def _thread_loop_restorer() -> Callable[[], None]:
    """Something that puts this thread's event-loop state back as it was, without creating a loop.

    ``asyncio.set_event_loop`` cannot express "no loop chosen yet", so the default policy's
    thread-local state is saved and restored as a whole where the policy has it.
    """
    local = getattr(asyncio.get_event_loop_policy(), "_local", None)
    if local is not None and hasattr(local, "_loop") and hasattr(local, "_set_called"):
        saved = (local._loop, local._set_called)

        def restore() -> None:
            local._loop, local._set_called = saved

        return restore
    try:
        previous = asyncio.get_event_loop()
    except RuntimeError:
        previous = None
    return lambda: asyncio.set_event_loop(previous)


def _dispose(loop: asyncio.AbstractEventLoop) -> None:
    """Finish a run's loop so that nothing it leaves behind surfaces later.

    A failed program leaves futures whose error nobody reads; their finalizers would log it from
    the garbage collector at some arbitrary later point (on Python 3.11 that can even happen in
    the middle of an ``ast.parse`` and crash it). The program's error is already reported, so
    those late reports are swallowed.
    """
    loop.set_exception_handler(lambda _loop, _context: None)
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    # The mock monitor runs on the loop's executor threads, each of which made a loop of its own;
    # ending the threads now lets those loops go while the interpreter is whole.
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


def _find_program_error(error: BaseException) -> BaseException:
    # Pulumi wraps errors raised inside apply callbacks; the user's error is the innermost cause.
    seen = {id(error)}
    while error.__cause__ is not None and id(error.__cause__) not in seen:
        error = error.__cause__
        seen.add(id(error))  # Pulumi can chain an error to itself through its wrappers
    return error


def run_stack(
    stack_dir: Path | str,
    stack: str = "dev",
    *,
    preview: bool = True,
    on_resource: Callable[[RecordedResource], None] | None = None,
    timeout: float | None = None,
) -> ProgramRun:
    """Run the Pulumi project in ``stack_dir`` with ``stack``'s config, as ``pulumi preview`` would.

    As under the Pulumi language host, ``sys.exit(0)`` ends the program successfully with what it
    declared so far; any other exit status is a program failure.
    """
    files = read_stack_files(stack_dir, stack)
    program_dir = files.main.parent.resolve()
    main = files.main.resolve()

    def program() -> None:
        try:
            runpy.run_path(str(main), run_name="__main__")
        except SystemExit as exit_:
            if exit_.code not in (None, 0):
                raise ProgramExit(exit_.code) from None

    with _program_environment(program_dir), _no_hard_exit():
        try:
            return run_under_mocks(
                program,
                project=files.project,
                stack=files.stack,
                config=files.config,
                secret_keys=files.secret_keys,
                preview=preview,
                on_resource=on_resource,
                timeout=timeout,
            )
        except ProgramError:
            raise
        except (SystemExit, KeyboardInterrupt) as error:
            # Raised from an apply or a callback, not the program's top level: the program ended
            # mid-flight, with registrations still pending, so there is nothing whole to judge.
            what = (
                "was interrupted"
                if isinstance(error, KeyboardInterrupt)
                else f"exited with status {error.code!r}"
            )
            raise ProgramError(
                f"the program {what} inside an apply or callback; check judges only a program that runs to its end"
            ) from None
        except Exception as error:  # noqa: BLE001 - the program's failure is reported, not ours
            cause = _find_program_error(error)
            message = f"{type(cause).__name__}: {cause}" if not _is_config_error(cause) else str(cause)
            if isinstance(cause, ProgramExit):
                message = str(cause)
            unanswered = [u.name for u in getattr(error, "unexamined", []) if u.type == "invoke"]
            if unanswered:
                message += (
                    "\n(check answered these data sources as unknown, as it cannot reach the cloud; a program "
                    f"that needs their plain values cannot be checked offline: {', '.join(unanswered)})"
                )
            raise ProgramError(message, "".join(traceback.format_exception(cause))) from error


@contextmanager
def _no_hard_exit() -> Iterator[None]:
    """``os._exit`` from the program would end check itself, report unwritten; while the program
    runs it raises :class:`ProgramExit` instead (the program runs in check's own process)."""
    real = os._exit

    def refuse(code: int) -> None:
        raise ProgramExit(code)

    os._exit = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        os._exit = real


def _is_config_error(error: BaseException) -> bool:
    from goldenpath.config import ConfigError

    return isinstance(error, ConfigError)
