"""Run a Pulumi program in-process under Pulumi mocks and record every resource it registers.

This is what ``goldenpath check`` and the tests stand on: no Pulumi CLI, no cloud account. The
recording keeps, for each resource, the serialized inputs exactly as the SDK sent them to the
(mock) engine — secrets and unknowns included — so they can be handed on unchanged to a policy
pack over the analyzer protocol, plus parent, dependencies and property dependencies for stack
policies.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import runpy
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.config import CONFIG, get_config_env
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

MOCK_ACCOUNT_ID = "123456789012"
MOCK_REGION = "eu-west-1"
SECRET_PLACEHOLDER = "[secret]"


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


@dataclass
class ProgramRun:
    """The outcome of one program run under mocks."""

    project: str
    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    # The providers the engine would create for resources that name none (not part of the program).
    default_providers: list[RecordedResource] = field(default_factory=list)

    @property
    def evaluated(self) -> list[RecordedResource]:
        """What a policy pack sees: the program's resources and the default providers."""
        return [*self.default_providers, *self.resources]

    def by_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str) -> RecordedResource:
        found = self.by_type(type_token)
        if len(found) != 1:
            raise AssertionError(f"expected exactly one {type_token}, found {len(found)}")
        return found[0]

    def children_of(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == urn]


class ProgramError(Exception):
    """The program under check failed; ``message`` is the program's own error."""

    def __init__(self, message: str, detail: str = ""):
        self.message = message
        self.detail = detail
        super().__init__(message)


class StackConfigError(ProgramError):
    """The stack's Pulumi.yaml or Pulumi.<stack>.yaml cannot be read."""


def mock_region() -> str:
    """The stack's ``aws:region``, as the provider would use it, or the mocks' default."""
    region = pulumi.runtime.get_config("aws:region")
    return region if isinstance(region, str) and region else MOCK_REGION


def _arn(resource_type: str, name: str) -> str:
    service = resource_type.split(":")[1].split("/")[0]
    return f"arn:aws:{service}:{mock_region()}:{MOCK_ACCOUNT_ID}:{name}"


class GoldenpathMocks(pulumi_mocks.Mocks):
    """Mocks that give AWS resources the outputs real ones have (arn, id, dnsName, …)."""

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        state = dict(args.inputs)
        resource_id = args.resource_id or f"{args.name}-id"
        if args.typ.startswith("aws:"):
            state.setdefault("arn", _arn(args.typ, args.name))
            state.setdefault("name", state.get("name") or args.name)
            if args.typ == "aws:lb/loadBalancer:LoadBalancer":
                state.setdefault("dnsName", f"{args.name}-1234567890.{mock_region()}.elb.amazonaws.com")
                state.setdefault("zoneId", "Z32O12XQLNTSW2")
                state["arnSuffix"] = f"app/{args.name}/50dc6c495c0c9188"
            elif args.typ == "aws:lb/targetGroup:TargetGroup":
                state["arnSuffix"] = f"targetgroup/{args.name}/73e2d6bc24d8a067"
            elif args.typ == "aws:ecr/repository:Repository":
                state.setdefault(
                    "repositoryUrl",
                    f"{MOCK_ACCOUNT_ID}.dkr.ecr.{mock_region()}.amazonaws.com/{state['name']}",
                )
            elif args.typ == "aws:s3/bucket:Bucket":
                bucket = state.get("bucket") or args.name
                state.setdefault("bucket", bucket)
                state["arn"] = f"arn:aws:s3:::{bucket}"
                resource_id = bucket
            elif args.typ == "aws:cloudwatch/logGroup:LogGroup":
                state["arn"] = f"arn:aws:logs:{mock_region()}:{MOCK_ACCOUNT_ID}:log-group:{state['name']}"
            elif args.typ == "aws:iam/role:Role":
                state["arn"] = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/{state['name']}"
        return resource_id, state

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list]:
        token = args.token
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{mock_region()}{suffix}" for suffix in "abc"]
            return {"names": names, "zoneIds": [f"euw1-az{i}" for i in (1, 2, 3)], "id": mock_region()}, []
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": MOCK_ACCOUNT_ID,
                "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/check",
                "userId": "AIDACHECK",
                "id": MOCK_ACCOUNT_ID,
            }, []
        if token in ("aws:index/getRegion:getRegion", "aws:index/getRegion:getRegionPlain"):
            return {"name": mock_region(), "region": mock_region(), "id": mock_region()}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        return dict(args.args), []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that also records parent, dependencies and raw inputs of each resource.

    Like the engine, it adds a default provider (``pulumi:providers:<package>``, configured from
    the stack's ``<package>:*`` keys) before the first resource of a package that names no
    provider of its own, so policies on provider settings (the region) see what a preview sees.
    """

    def __init__(
        self, mocks: pulumi_mocks.Mocks, on_resource: Callable[[RecordedResource], None] | None = None
    ):
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.default_providers: list[RecordedResource] = []
        self.on_resource = on_resource

    def _record(self, resource: RecordedResource) -> None:
        self.recorded.append(resource)
        if self.on_resource is not None:
            self.on_resource(resource)

    def _ensure_default_provider(self, resource_type: str) -> None:
        package = resource_type.split(":", 1)[0]
        provider_type = f"pulumi:providers:{package}"
        if package in ("pulumi", "goldenpath") or any(
            p.type == provider_type for p in self.default_providers
        ):
            return
        inputs = default_provider_inputs(package)
        properties = struct_pb2.Struct()
        properties.update(inputs)
        provider = RecordedResource(
            urn=f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{provider_type}::default",
            type=provider_type,
            name="default",
            custom=True,
            parent=None,
            inputs=inputs,
            properties=properties,
        )
        # Kept apart from what the program registered, but handed on for evaluation.
        self.default_providers.append(provider)
        if self.on_resource is not None:
            self.on_resource(provider)

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        properties = struct_pb2.Struct()
        properties.CopyFrom(request.object)
        recorded = RecordedResource(
            urn=engine_urn(response.urn),
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=engine_urn(request.parent) if request.parent else None,
            inputs=pulumi.runtime.rpc.deserialize_properties(request.object),
            properties=properties,
            provider=request.provider,
            dependencies=tuple(engine_urn(u) for u in request.dependencies),
            property_dependencies={
                key: tuple(engine_urn(u) for u in deps.urns)
                for key, deps in request.propertyDependencies.items()
            },
            protect=bool(request.protect),
        )
        if recorded.custom and not request.provider:
            self._ensure_default_provider(request.type)
        self._record(recorded)
        return response


def default_provider_inputs(package: str) -> dict[str, Any]:
    """The inputs the engine gives a package's default provider: the stack's ``<package>:*`` config."""
    prefix = f"{package}:"
    merged = {**get_config_env(), **CONFIG.get()}
    inputs: dict[str, Any] = {}
    for key, raw in merged.items():
        if key.startswith(prefix) and isinstance(raw, str):
            inputs[key[len(prefix) :]] = json.loads(raw) if raw[:1] in "{[" else raw
    return inputs


_STACK_IN_TYPE = "::pulumi:pulumi:Stack$"


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
    """YAML as the Pulumi CLI reads it: a date-like value stays the text that was written."""


_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(), Loader=_ConfigLoader) or {}  # noqa: S506 - SafeLoader subclass
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

    for key, spec in _config_section(project_doc, project_file).items():
        # Project-level config declares defaults: {type, default} or a bare value.
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            put(key, spec.get("value", spec.get("default")))
        elif not isinstance(spec, dict):
            put(key, spec)

    stack_file = stack_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        available = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stack_dir.glob("Pulumi.*.yaml"))
        raise StackConfigError(
            f"{stack_dir}: no Pulumi.{stack}.yaml; stacks here: {', '.join(available) or 'none'}"
        )
    for key, value in _config_section(_read_yaml(stack_file), stack_file).items():
        put(key, value)
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
) -> ProgramRun:
    """Run ``program`` (a callable that declares resources) under mocks and record the graph.

    ``on_resource`` is called with each resource as it is registered, while the program runs.
    """

    def run() -> ProgramRun:
        monitor = RecordingMonitor(mocks or GoldenpathMocks(), on_resource)
        pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))
        pulumi_mocks.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor)
        SETTINGS.rpc_manager.clear()
        SETTINGS.outputs.clear()
        _sync_await(run_pulumi_func(program))
        root = pulumi.runtime.get_root_resource()
        outputs = dict(getattr(root, "outputs", {}) or {}) if root is not None else {}
        return ProgramRun(
            project=project,
            stack=stack,
            resources=list(monitor.recorded),
            outputs=outputs,
            default_providers=list(monitor.default_providers),
        )

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
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def run_stack(
    stack_dir: Path | str,
    stack: str = "dev",
    *,
    preview: bool = True,
    on_resource: Callable[[RecordedResource], None] | None = None,
) -> ProgramRun:
    """Run the Pulumi project in ``stack_dir`` with ``stack``'s config, as ``pulumi preview`` would."""
    files = read_stack_files(stack_dir, stack)
    program_dir = files.main.parent.resolve()
    main = files.main.resolve()

    def program() -> None:
        runpy.run_path(str(main), run_name="__main__")

    with _program_environment(program_dir):
        try:
            return run_under_mocks(
                program,
                project=files.project,
                stack=files.stack,
                config=files.config,
                secret_keys=files.secret_keys,
                preview=preview,
                on_resource=on_resource,
            )
        except Exception as error:  # noqa: BLE001 - the program's failure is reported, not ours
            cause = _find_program_error(error)
            raise ProgramError(
                f"{type(cause).__name__}: {cause}" if not _is_config_error(cause) else str(cause),
                "".join(traceback.format_exception(cause)),
            ) from error


def _is_config_error(error: BaseException) -> bool:
    from goldenpath.config import ConfigError

    return isinstance(error, ConfigError)
