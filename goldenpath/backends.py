"""Reading a Pulumi self-managed ("diy") backend as the Pulumi CLI lays it out, never writing to it.

The layout is the CLI's own (pulumi/pulumi ``pkg/backend/diy``, v3.274.1): ``.pulumi/meta.yaml``
says which layout a state uses — ``version: 1`` is project-scoped, stacks at
``.pulumi/stacks/<project>/<stack>.json``; no file (with stacks already there) or ``version: 0`` is
the legacy layout, ``.pulumi/stacks/<stack>.json``. A checkpoint may be gzip- or zstd-compressed
(``.json.gz`` / ``.json.zst``, told apart by their magic bytes, as the CLI does); ``.bak`` copies,
``.pulumi-tags`` files and the ``.attrs`` sidecars of a file backend are not stacks. Each ``pulumi
up`` / ``refresh`` / ``destroy`` / ``import`` (never a preview) adds
``.pulumi/history/<project>/<stack>/<stack>-<unixnano>.history.json`` beside a ``.checkpoint.json``
copy; a running (or crashed) update holds ``.pulumi/locks/organization/<project>/<stack>/<id>.json``.

Backends are ``file://DIR`` (``~`` and relative paths as the CLI resolves them), a plain directory,
``s3://BUCKET[/PREFIX]?region=…&endpoint=…&s3ForcePathStyle=true&profile=…`` (the query parameters
gocloud.dev's s3blob opener takes, mapped onto boto3), or one or more ``pulumi stack export``
files. What cannot be read — a corrupt checkpoint, a version the CLI refuses, a locked stack, an
unreachable endpoint — becomes a :class:`Problem` and the rest is still read. Secret values are
never decrypted: every ``{<sig>: <secret sig>, ciphertext | plaintext}`` object becomes
:data:`SECRET`, and no message quotes state content.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import yaml

__all__ = [
    "SECRET",
    "Backend",
    "BackendError",
    "BackendState",
    "Checkpoint",
    "Problem",
    "S3Settings",
    "Secret",
    "StackRef",
    "StackState",
    "Update",
    "open_backend",
    "s3_settings",
]

# sdk/go/common/resource/sig: the key that marks a special value, and the signature of a secret.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

_BOOKKEEPING = ".pulumi"
_STACKS = f"{_BOOKKEEPING}/stacks"
_HISTORY = f"{_BOOKKEEPING}/history"
_LOCKS = f"{_BOOKKEEPING}/locks"
_META = f"{_BOOKKEEPING}/meta.yaml"
# The diy backend's one organization name (pkg/backend/diy/store.go ParseReference).
_ORGANIZATION = "organization"

# tokens.IsName and tokens.ParseStackName (sdk/go/common/tokens): the characters of a project and a
# stack name, and a stack name's length limit.
_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_STACK_NAME_MAX = 100
# ListReferences also takes .yaml/.yml stack files (encoding.Exts), but stackPath only ever reads
# the JSON ones, so `pulumi stack ls` never shows such a stack; neither does this reader.
_COMPRESSION_EXTS = (".gz", ".zst")
_STACK_FILE_SUFFIXES = (".json", ".json.gz", ".json.zst")
_HISTORY_SUFFIXES = (".history.json", ".history.json.gz", ".history.json.zst")

# pkg/resource/stack/checkpoint.go and deployment.go: 0 (unversioned), 1 and 2 are migrated to 3;
# 4 is read as 3 when it uses only features the CLI knows; anything else is refused.
_CHECKPOINT_VERSIONS = (0, 1, 2, 3, 4)
_DEPLOYMENT_VERSIONS = (1, 2, 3, 4)
_KNOWN_FEATURES = frozenset(
    {
        "refreshBeforeUpdate",
        "views",
        "hooks",
        "taint",
        "replaceWith",
        "snippets-prototype",
        "extensionParameterization",
        "byteString",
    }
)
_STACK_TYPE = "pulumi:pulumi:Stack"

# A short connect timeout and one retry: an audit of many backends must not hang on one.
DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class Secret:
    """A secret value of the state, left encrypted: its ciphertext (or an export's plaintext) is
    not kept, so nothing downstream can print it."""

    def __repr__(self) -> str:
        return "[secret]"

    __str__ = __repr__


SECRET = Secret()


class BackendError(ValueError):
    """A backend named in a way that cannot be opened: a bad URL, a scheme or query parameter the
    Pulumi CLI would refuse, a path that does not exist."""


@dataclass(frozen=True)
class StackRef:
    """A stack of a backend: its project (``None`` in the legacy layout, or an export of an empty
    stack), its name, and where its checkpoint is (a file path or an ``s3://`` location)."""

    project: str | None
    name: str
    path: str

    @property
    def qualified(self) -> str:
        """The name as the CLI fully qualifies it: ``organization/<project>/<stack>``, or the bare
        stack name in the legacy layout."""
        return f"{_ORGANIZATION}/{self.project}/{self.name}" if self.project else self.name


@dataclass(frozen=True)
class Problem:
    """What could not be read, and why; ``stack`` is ``None`` for the backend as a whole."""

    stack: StackRef | None
    message: str

    def __str__(self) -> str:
        return f"{self.stack.qualified}: {self.message}" if self.stack else self.message


@dataclass(frozen=True)
class Checkpoint:
    """A stack's current state (CheckpointV3 once migrated). ``resources`` are ResourceV3 objects as
    the CLI wrote them (``urn``, ``type``, ``custom``, ``id``, ``parent``, ``provider``, ``inputs``,
    ``outputs``, ``dependencies``, …) with every secret replaced by :data:`SECRET`; ``version`` is
    the version on disk, ``time`` the ``latest.manifest.time`` of the last update."""

    stack: StackRef
    version: int
    features: tuple[str, ...]
    resources: list[dict[str, Any]]
    pending_operations: list[dict[str, Any]]
    time: datetime | None
    engine_version: str | None
    plugins: list[dict[str, Any]]
    secrets_provider: str | None

    @property
    def project(self) -> str | None:
        """The project the resources' URNs name (``urn:pulumi:<stack>::<project>::…``)."""
        for resource in self.resources:
            parts = str(resource.get("urn", "")).split("::")
            if len(parts) >= 4 and parts[0].startswith("urn:pulumi:"):
                return parts[1]
        return None


@dataclass(frozen=True)
class Update:
    """One entry of a stack's update history (backend.UpdateInfo): ``kind`` is ``update``,
    ``refresh``, ``destroy``, ``import`` or ``resource-import``; ``result`` ``succeeded`` or
    ``failed``; ``resource_changes`` counts each step (``create``, ``same``, ``update``, …)."""

    kind: str
    result: str
    start: datetime | None
    end: datetime | None
    resource_changes: dict[str, int]
    version: int
    message: str
    environment: dict[str, str]
    path: str
    checkpoint_path: str | None


@dataclass(frozen=True)
class StackState:
    """All that was read of one stack."""

    ref: StackRef
    checkpoint: Checkpoint | None
    history: list[Update]
    locked: bool


@dataclass(frozen=True)
class BackendState:
    """All that was read of a backend, and every problem met on the way."""

    url: str
    layout: str | None
    stacks: list[StackState]
    problems: list[Problem]


class _Unreadable(Exception):
    """State content that cannot be read; the message names no content."""


class _Unavailable(Exception):
    """The store itself cannot be reached or read (network, credentials, permissions)."""


@dataclass(frozen=True)
class _Object:
    key: str
    modified: float


class _Store(Protocol):
    location: str

    def list(self, folder: str, *, recursive: bool = False) -> list[_Object]: ...

    def variants(self, base: str) -> list[_Object]: ...

    def read(self, key: str) -> bytes | None: ...

    def locate(self, key: str) -> str: ...


class _FileStore:
    """A directory as gocloud.dev's fileblob presents it: keys with ``/``, no ``.attrs`` sidecars."""

    def __init__(self, root: Path):
        self.root = root
        self.location = root.as_uri()

    def locate(self, key: str) -> str:
        return str(self.root / key)

    def list(self, folder: str, *, recursive: bool = False) -> list[_Object]:
        path = self.root / folder
        if not path.is_dir():
            return []
        try:
            entries = path.rglob("*") if recursive else path.iterdir()
            found = [
                _Object(entry.relative_to(self.root).as_posix(), entry.stat().st_mtime)
                for entry in entries
                if entry.is_file() and not entry.name.endswith(".attrs")
            ]
        except OSError as error:
            raise _Unavailable(f"cannot list {path}: {error.strerror or error}") from None
        return sorted(found, key=lambda o: o.key)

    def variants(self, base: str) -> list[_Object]:
        folder, _, stem = base.rpartition("/")
        return [o for o in self.list(folder) if o.key.rpartition("/")[2].startswith(stem)]

    def read(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as error:
            raise _Unavailable(f"cannot read {self.root / key}: {error.strerror or error}") from None


class _S3Store:
    """A bucket (and a key prefix: blob.PrefixedBucket) through boto3."""

    def __init__(self, client: Any, bucket: str, prefix: str, location: str):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.location = location
        self.endpoint = _redacted(client.meta.endpoint_url)

    def locate(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def _listing(self, prefix: str, delimiter: bool) -> list[_Object]:
        args: dict[str, Any] = {"Bucket": self.bucket, "Prefix": f"{self.prefix}{prefix}"}
        if delimiter:
            args["Delimiter"] = "/"
        found = []
        with self._errors():
            for page in self.client.get_paginator("list_objects_v2").paginate(**args):
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix) :]
                    found.append(_Object(key, item["LastModified"].timestamp()))
        return sorted(found, key=lambda o: o.key)

    def list(self, folder: str, *, recursive: bool = False) -> list[_Object]:
        return self._listing(f"{folder}/", delimiter=not recursive)

    def variants(self, base: str) -> list[_Object]:
        return self._listing(base, delimiter=True)

    def read(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        with self._errors():
            try:
                return self.client.get_object(Bucket=self.bucket, Key=f"{self.prefix}{key}")["Body"].read()
            except ClientError as error:
                if _error_code(error) in ("NoSuchKey", "404"):
                    return None
                raise

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """botocore's exceptions as one line a person reads, naming the endpoint, not the request."""
        from botocore import exceptions as bx

        where = self.location
        try:
            yield
        except (
            bx.EndpointConnectionError,
            bx.ConnectTimeoutError,
            bx.ReadTimeoutError,
            bx.ConnectionClosedError,
        ) as error:
            raise _Unavailable(
                f"{where}: cannot reach the S3 endpoint {self.endpoint} ({type(error).__name__})"
            ) from None
        except (bx.NoCredentialsError, bx.PartialCredentialsError):
            raise _Unavailable(
                f"{where}: no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or add profile=... to the URL)"
            ) from None
        except bx.ClientError as error:
            code = _error_code(error)
            if code == "NoSuchBucket":
                message = f"{where}: the bucket {self.bucket!r} does not exist"
            elif code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                message = f"{where}: access denied ({code})"
            else:
                message = f"{where}: S3 answered {code or 'an error'}"
            raise _Unavailable(message) from None
        except bx.BotoCoreError as error:
            raise _Unavailable(f"{where}: {type(error).__name__}") from None


def _error_code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _decompress(data: bytes) -> bytes:
    # encoding.DetectCompression: the magic bytes decide, not the file's extension.
    if data[:3] == b"\x1f\x8b\x08":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise _Unreadable(f"not valid gzip ({type(error).__name__})") from None
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return _unzstd(data)
    return data


def _unzstd(data: bytes) -> bytes:
    try:
        from compression import zstd  # Python 3.14

        return zstd.decompress(data)
    except ImportError:
        pass
    except Exception as error:
        raise _Unreadable(f"not valid zstd ({type(error).__name__})") from None
    try:
        import zstandard
    except ImportError:
        raise _Unreadable(
            "zstd-compressed (PULUMI_DIY_BACKEND_ZSTD); reading it needs the zstandard package "
            "(pip install zstandard) or Python 3.14"
        ) from None
    try:
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    except zstandard.ZstdError as error:
        raise _Unreadable(f"not valid zstd ({type(error).__name__})") from None


def _load_json(data: bytes) -> Any:
    try:
        return json.loads(_decompress(data))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        # The decoder's message gives a position, never the document.
        detail = error.msg if isinstance(error, json.JSONDecodeError) else "not UTF-8"
        raise _Unreadable(f"not valid JSON ({detail})") from None


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return SECRET
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Unreadable(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Unreadable(f"{what} is not a list")
    return value


def _version(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Unreadable("its version is not a number")
    return value


_V1_FIELDS = (
    "urn",
    "custom",
    "delete",
    "id",
    "type",
    "inputs",
    "outputs",
    "parent",
    "protect",
    "dependencies",
    "initErrors",
)
_V2_FIELDS = (*_V1_FIELDS, "external", "provider")


def _resource_v3(resource: Any, version: int) -> dict[str, Any]:
    """pkg/resource/stack/migrate: ResourceV1 → V2 drops ``defaults``; V2 → V3 makes every input
    depend on all of the resource's dependencies."""
    resource = _object(resource, "a resource")
    if version >= 3:
        return resource
    kept = _V1_FIELDS if version < 2 else _V2_FIELDS
    migrated = {k: resource[k] for k in kept if resource.get(k) not in (None, "", [], {}, False)}
    migrated.setdefault("urn", resource.get("urn", ""))
    migrated.setdefault("custom", bool(resource.get("custom", False)))
    migrated.setdefault("type", resource.get("type", ""))
    dependencies = list(resource.get("dependencies") or [])
    if migrated.get("inputs"):
        migrated["propertyDependencies"] = {k: list(dependencies) for k in migrated["inputs"]}
    return migrated


def _parse_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _Unreadable("its manifest time is not a time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Unreadable("its manifest time is not an RFC 3339 time") from None
    # Go's zero time.Time: a manifest that was never written.
    return None if parsed.year == 1 else parsed


def _features(value: Any, version: int) -> tuple[str, ...]:
    features = tuple(str(f) for f in _list(value, "its features"))
    if version >= 4:
        unknown = sorted(set(features) - _KNOWN_FEATURES)
        if unknown:
            raise _Unreadable(
                f"version {version} needs features the Pulumi CLI v3.274.1 does not know "
                f"({', '.join(unknown)}); it refuses such a state"
            )
    return features


def _checkpoint_from_deployment(
    ref: StackRef, deployment: Any, version: int, features: tuple[str, ...]
) -> Checkpoint:
    latest = _object(deployment, "its deployment")
    manifest = _object(latest.get("manifest"), "its manifest")
    resources = [_masked(_resource_v3(r, version)) for r in _list(latest.get("resources"), "its resources")]
    pending = []
    for op in _list(latest.get("pending_operations"), "its pending operations"):
        op = _object(op, "a pending operation")
        pending.append(_masked({**op, "resource": _resource_v3(op.get("resource"), version)}))
    providers = _object(latest.get("secrets_providers"), "its secrets providers")
    plugins = [
        {k: p.get(k) for k in ("name", "type", "version") if k in p}
        for p in _list(manifest.get("plugins"), "its plugins")
        if isinstance(p, dict)
    ]
    return Checkpoint(
        stack=ref,
        version=version,
        features=features,
        resources=resources,
        pending_operations=pending,
        time=_parse_time(manifest.get("time")),
        engine_version=manifest.get("version") or None,
        plugins=plugins,
        # The provider's state holds its salt or key references: only its type is kept.
        secrets_provider=providers.get("type") or None,
    )


def _parse_checkpoint(ref: StackRef, document: Any) -> Checkpoint:
    """stack.UnmarshalVersionedCheckpointToLatestCheckpoint, in Python."""
    document = _object(document, "the file")
    version = _version(document.get("version"))
    if version not in _CHECKPOINT_VERSIONS:
        raise _Unreadable(
            f"checkpoint version {version} is not one the Pulumi CLI reads (it reads 0-4, migrating "
            "0-2 to 3); not read"
        )
    # Version 0 predates VersionedCheckpoint: the whole file is the checkpoint.
    checkpoint = document if version == 0 else _object(document.get("checkpoint"), "its checkpoint")
    features = _features(document.get("features"), version) if version >= 4 else ()
    return _checkpoint_from_deployment(ref, checkpoint.get("latest"), version, features)


def _parse_deployment(ref: StackRef, document: Any) -> Checkpoint:
    """stack.UnmarshalUntypedDeployment: what ``pulumi stack import`` accepts."""
    document = _object(document, "the file")
    version = _version(document.get("version"))
    if version not in _DEPLOYMENT_VERSIONS:
        too = "new" if version > max(_DEPLOYMENT_VERSIONS) else "old"
        raise _Unreadable(
            f"deployment version {version} is too {too} for the Pulumi CLI (it reads 1-4); not read"
        )
    features = _features(document.get("features"), version) if version >= 4 else ()
    return _checkpoint_from_deployment(ref, document.get("deployment"), version, features)


def _stack_name_ok(name: str) -> bool:
    return bool(_NAME.fullmatch(name)) and len(name) <= _STACK_NAME_MAX


def _stack_file_name(file_name: str) -> str | None:
    """The stack a file under ``.pulumi/stacks`` holds, as ListReferences decides: ``.json``,
    maybe under ``.gz`` / ``.zst``; anything else (``.bak``, ``.pulumi-tags``, a retained
    ``.json.<unixnano>`` copy, a fileblob ``.tmp``) is not a stack."""
    stem, ext = os.path.splitext(file_name)
    if ext in _COMPRESSION_EXTS:
        stem, ext = os.path.splitext(stem)
    if ext != ".json" or not _stack_name_ok(stem):
        return None
    return stem


def _pending_message(operations: list[dict[str, Any]]) -> str:
    first = operations[0]
    resource = first.get("resource") or {}
    return (
        f"{len(operations)} pending operation(s) from an interrupted update (the first: "
        f"{first.get('type', '?')} {resource.get('urn', '?')}); the cloud may hold resources the "
        "state does not, until `pulumi refresh` reconciles them"
    )


def _newest(files: list[_Object]) -> _Object:
    """stackPath's choice among a stack's variants: the most recently modified; of equally recent
    ones the last in key order (``.json`` < ``.json.gz`` < ``.json.zst``)."""
    ordered = sorted(files, key=lambda o: o.key)
    best = ordered[0]
    for item in ordered[1:]:
        if item.modified >= best.modified:
            best = item
    return best


def _redacted(url: str) -> str:
    """The URL with any user and password hidden, as lockURLForError shows it."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"****:****@{host}"))


class Backend:
    """A backend opened for reading. Each reader records what it cannot read in :attr:`problems`
    (once per problem) instead of raising; :meth:`read` reads everything."""

    url: str
    layout: str | None

    def __init__(self, url: str, layout: str | None):
        self.url = url
        self.layout = layout
        self.problems: list[Problem] = []

    def stacks(self) -> list[StackRef]:
        """Every stack, sorted by project and name."""
        raise NotImplementedError

    def checkpoint(self, ref: StackRef) -> Checkpoint | None:
        """The stack's current checkpoint, or ``None`` (and a problem) when it cannot be read."""
        raise NotImplementedError

    def history(self, ref: StackRef) -> list[Update]:
        """The stack's updates, most recent first, as ``pulumi stack history`` lists them."""
        return []

    def locked(self, ref: StackRef) -> bool:
        """Whether an update holds the stack's lock (it is running, or it crashed)."""
        return False

    def read(self) -> BackendState:
        """Every stack's checkpoint, history and lock, and all the problems met."""
        states = [
            StackState(ref, self.checkpoint(ref), self.history(ref), self.locked(ref))
            for ref in self.stacks()
        ]
        return BackendState(self.url, self.layout, states, list(self.problems))

    def _problem(self, stack: StackRef | None, message: str) -> None:
        problem = Problem(stack, message)
        if problem not in self.problems:
            self.problems.append(problem)


class _DiyBackend(Backend):
    def __init__(self, store: _Store | None, url: str, unopened: str | None = None):
        super().__init__(url, None)
        self.store = store
        self._refs: list[StackRef] = []
        if unopened is not None:
            self._problem(None, f"{unopened}; nothing was read")
            return
        try:
            self._open()
        except _Unavailable as error:
            self._problem(None, f"{error}; nothing was read")

    def _open(self) -> None:
        legacy = self._legacy_refs()
        meta = self.store.read(_META)
        if meta is None:
            # ensurePulumiMeta: stacks already in the legacy place keep the legacy layout; an empty
            # state would be made project-scoped (the CLI writes meta.yaml then; a reader does not).
            version = 0 if legacy else 1
        else:
            version = self._meta_version(meta)
            if version is None:
                return
        if version == 0:
            self.layout = "legacy"
            self._refs = legacy
            self._problem(
                None,
                "legacy (non-project) layout: the Pulumi CLI v3.274.1 refuses it unless "
                "PULUMI_DIY_BACKEND_IGNORE_DEPRECATION_ERROR=1; `pulumi state upgrade` moves its stacks "
                "to project mode",
            )
            return
        self.layout = "project"
        self._refs = self._project_refs()
        if legacy:
            self._problem(
                None,
                "legacy stack files the Pulumi CLI does not list in project mode: "
                f"{', '.join(ref.name for ref in legacy)} (`pulumi state upgrade` moves them)",
            )

    def _meta_version(self, body: bytes) -> int | None:
        """readPulumiMeta: a YAML mapping with a ``version``; the CLI refuses anything else."""
        where = self.store.locate(_META)
        try:
            meta = yaml.safe_load(body.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError):
            meta = None
        if not isinstance(meta, dict) or "version" not in meta:
            self._problem(None, f"{where} is corrupt (no version); the Pulumi CLI refuses this state")
            return None
        version = meta["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version not in (0, 1):
            self._problem(
                None,
                f"{where} has version {version!r}; the Pulumi CLI v3.274.1 reads 0 (legacy) "
                "and 1 (project-scoped) and refuses this state",
            )
            return None
        return version

    def _refs_from(self, found: dict[tuple[str | None, str], list[_Object]]) -> list[StackRef]:
        # The CLI lists a stack once per file variant; one StackRef per stack, at the file it reads.
        return [
            StackRef(project, name, self.store.locate(_newest(files).key))
            for (project, name), files in sorted(
                found.items(), key=lambda item: (item[0][0] or "", item[0][1])
            )
        ]

    def _legacy_refs(self) -> list[StackRef]:
        found: dict[tuple[str | None, str], list[_Object]] = {}
        for item in self.store.list(_STACKS):
            name = _stack_file_name(item.key.rpartition("/")[2])
            if name:
                found.setdefault((None, name), []).append(item)
        return self._refs_from(found)

    def _project_refs(self) -> list[StackRef]:
        """projectReferenceStore.ListReferences: ``.pulumi/stacks/<project>/<stack file>``, no deeper."""
        found: dict[tuple[str | None, str], list[_Object]] = {}
        for item in self.store.list(_STACKS, recursive=True):
            parts = item.key[len(_STACKS) + 1 :].split("/")
            if len(parts) != 2 or not _NAME.fullmatch(parts[0]):
                continue
            name = _stack_file_name(parts[1])
            if name:
                found.setdefault((parts[0], name), []).append(item)
        return self._refs_from(found)

    def _base(self, project: str | None, name: str) -> str:
        return f"{_STACKS}/{project}/{name}" if project else f"{_STACKS}/{name}"

    def _stack_key(self, project: str | None, name: str) -> str:
        """stackPath: of ``.json``, ``.json.gz`` and ``.json.zst`` the most recently modified."""
        base = self._base(project, name)
        candidates = {f"{base}{suffix}" for suffix in _STACK_FILE_SUFFIXES}
        files = [item for item in self.store.variants(base) if item.key in candidates]
        return _newest(files).key if files else f"{base}.json"

    def stacks(self) -> list[StackRef]:
        return list(self._refs)

    def checkpoint(self, ref: StackRef) -> Checkpoint | None:
        if self.store is None:
            return None
        try:
            key = self._stack_key(ref.project, ref.name)
            data = self.store.read(key)
        except _Unavailable as error:
            self._problem(ref, str(error))
            return None
        if data is None:
            self._problem(ref, f"{self.store.locate(key)} is gone (the stack was removed while being read)")
            return None
        try:
            checkpoint = _parse_checkpoint(ref, _load_json(data))
        except _Unreadable as error:
            self._problem(ref, f"checkpoint {self.store.locate(key)} is unreadable: {error}")
            return None
        if checkpoint.pending_operations:
            self._problem(ref, _pending_message(checkpoint.pending_operations))
        return checkpoint

    def _history_dir(self, ref: StackRef) -> str:
        return f"{_HISTORY}/{ref.project}/{ref.name}" if ref.project else f"{_HISTORY}/{ref.name}"

    def history(self, ref: StackRef) -> list[Update]:
        if self.store is None:
            return []
        try:
            files = self.store.list(self._history_dir(ref))
        except _Unavailable as error:
            self._problem(ref, str(error))
            return []
        keys = {o.key for o in files}
        updates = []
        # getHistory: keys sort oldest first (<stack>-<unixnano>); the CLI lists the newest first.
        for key in sorted((k for k in keys if k.endswith(_HISTORY_SUFFIXES)), reverse=True):
            try:
                data = self.store.read(key)
                if data is None:
                    continue
                updates.append(self._update(key, data, keys))
            except _Unavailable as error:
                self._problem(ref, str(error))
            except _Unreadable as error:
                self._problem(ref, f"history file {self.store.locate(key)} is unreadable: {error}")
        return updates

    def _update(self, key: str, data: bytes, keys: set[str]) -> Update:
        info = _object(_load_json(data), "the file")

        def when(name: str) -> datetime | None:
            value = info.get(name)
            if value in (None, 0):
                return None
            if isinstance(value, bool) or not isinstance(value, int):
                raise _Unreadable(f"its {name} is not a number")
            return datetime.fromtimestamp(value, UTC)

        changes = _object(info.get("resourceChanges"), "its resourceChanges")
        environment = _object(info.get("environment"), "its environment")
        copy = key.replace(".history.json", ".checkpoint.json")
        return Update(
            kind=str(info.get("kind") or ""),
            result=str(info.get("result") or ""),
            start=when("startTime"),
            end=when("endTime"),
            resource_changes={str(k): int(v) for k, v in changes.items() if isinstance(v, int)},
            version=_version(info.get("version")),
            message=str(info.get("message") or ""),
            environment={str(k): str(v) for k, v in environment.items()},
            path=self.store.locate(key),
            checkpoint_path=self.store.locate(copy) if copy in keys else None,
        )

    def _lock_dir(self, ref: StackRef) -> str:
        # stackLockDir: the fully qualified name, each part a folder.
        return f"{_LOCKS}/{ref.qualified}"

    def locked(self, ref: StackRef) -> bool:
        if self.store is None:
            return False
        try:
            locks = self.store.list(self._lock_dir(ref))
        except _Unavailable as error:
            self._problem(ref, str(error))
            return False
        if not locks:
            return False
        holders = [self._lock_holder(lock.key) for lock in locks]
        self._problem(
            ref,
            f"locked by {len(locks)} lock(s) ({'; '.join(holders)}): an update is running or was "
            "interrupted, so the checkpoint may not be final (`pulumi cancel` removes a stale lock)",
        )
        return True

    def _lock_holder(self, key: str) -> str:
        try:
            data = self.store.read(key)
            content = json.loads(data or b"")
        except (_Unavailable, UnicodeDecodeError, json.JSONDecodeError):
            return f"{self.store.locate(key)}, unreadable"
        if not isinstance(content, dict):
            return f"{self.store.locate(key)}, unreadable"
        return (
            f"{content.get('username', '?')}@{content.get('hostname', '?')} pid {content.get('pid', '?')} "
            f"at {content.get('timestamp', '?')}"
        )


class _ExportFiles(Backend):
    def __init__(self, paths: Sequence[Path]):
        super().__init__(", ".join(str(p) for p in paths), "export")
        self._read: dict[StackRef, Checkpoint | None] = {}
        for path in paths:
            ref, checkpoint = self._load(path)
            self._read[ref] = checkpoint

    def _load(self, path: Path) -> tuple[StackRef, Checkpoint | None]:
        anonymous = StackRef(None, path.name.split(".", 1)[0], str(path))
        try:
            document = _load_json(path.read_bytes())
            # A checkpoint file copied out of a backend reads as well as an export.
            if isinstance(document, dict) and "checkpoint" in document and "deployment" not in document:
                checkpoint = _parse_checkpoint(anonymous, document)
            else:
                checkpoint = _parse_deployment(anonymous, document)
        except OSError as error:
            self._problem(anonymous, f"cannot read {path}: {error.strerror or error}")
            return anonymous, None
        except _Unreadable as error:
            self._problem(anonymous, f"{path} is unreadable: {error}")
            return anonymous, None
        ref = _ref_from_resources(checkpoint.resources, path) or anonymous
        if checkpoint.pending_operations:
            self._problem(ref, _pending_message(checkpoint.pending_operations))
        return ref, replace(checkpoint, stack=ref)

    def stacks(self) -> list[StackRef]:
        return sorted(self._read, key=lambda r: (r.project or "", r.name, r.path))

    def checkpoint(self, ref: StackRef) -> Checkpoint | None:
        return self._read.get(ref)


def _ref_from_resources(resources: Iterable[dict[str, Any]], path: Path) -> StackRef | None:
    """An export names no stack: its root Stack resource's URN does (``urn:pulumi:<stack>::<project>::…``)."""
    for resource in resources:
        if resource.get("type") == _STACK_TYPE and not resource.get("parent"):
            parts = str(resource.get("urn", "")).split("::")
            if len(parts) >= 4 and parts[0].startswith("urn:pulumi:"):
                return StackRef(parts[1], parts[0][len("urn:pulumi:") :], str(path))
    return None


_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _go_bool(name: str, value: str) -> bool:
    # strconv.ParseBool, which gocloud.dev uses for every boolean query parameter.
    if value in _GO_TRUE:
        return True
    if value in _GO_FALSE:
        return False
    raise BackendError(f"invalid value {value!r} for the query parameter {name!r}: use true or false")


# gocloud.dev v0.46 (blob/s3blob URLOpener and aws.V2ConfigFromURLParams) and Pulumi's
# translateLegacyS3Params: every query parameter an s3:// backend URL may carry.
_S3_PARAMS = {
    "region",
    "endpoint",
    "profile",
    "s3ForcePathStyle",
    "use_path_style",
    "disableSSL",
    "disable_https",
    "hostname_immutable",
    "dualstack",
    "fips",
    "accelerate",
    "anonymous",
    "role",
    "request_checksum_calculation",
    "response_checksum_validation",
    "rate_limiter_capacity",
    "ssetype",
    "kmskeyid",
    "awssdk",
}
# fileblob's recognizedParams; none of them changes what a reader sees.
_FILE_PARAMS = {"create_dir", "base_url", "secret_key_path", "metadata", "no_tmp_dir", "dir_file_mode"}


@dataclass(frozen=True)
class S3Settings:
    """How an ``s3://`` backend URL reaches its bucket, in boto3's terms: what gocloud.dev's s3blob
    opener makes of each query parameter (after Pulumi's translateLegacyS3Params)."""

    bucket: str
    prefix: str
    location: str
    endpoint_url: str | None
    region: str | None
    profile: str | None
    role: str | None
    use_ssl: bool
    addressing_style: str | None
    accelerate: bool
    dualstack: bool
    fips: bool
    anonymous: bool
    checksums: dict[str, str]

    def config(self, connect_timeout: float, read_timeout: float) -> Any:
        """The botocore ``Config``: these settings, a short connect timeout and one retry."""
        from botocore import UNSIGNED
        from botocore.config import Config

        s3: dict[str, Any] = {}
        if self.addressing_style:
            s3["addressing_style"] = self.addressing_style
        if self.accelerate:
            s3["use_accelerate_endpoint"] = True
        if self.dualstack:
            s3["use_dualstack_endpoint"] = True
        options: dict[str, Any] = {
            "connect_timeout": connect_timeout,
            "read_timeout": read_timeout,
            "retries": {"total_max_attempts": 2, "mode": "standard"},
            "s3": s3,
            **self.checksums,
        }
        if self.fips:
            options["use_fips_endpoint"] = True
        if self.anonymous:
            options["signature_version"] = UNSIGNED
        return Config(**options)


def s3_settings(url: str) -> S3Settings:
    """Parse an ``s3://BUCKET[/PREFIX]?…`` backend URL; a parameter the CLI refuses raises
    :class:`BackendError`."""
    parts = urlsplit(url)
    location = _redacted(urlunsplit(("s3", parts.netloc, parts.path, "", "")))
    bucket = parts.hostname or ""
    if parts.scheme != "s3" or not bucket:
        raise BackendError(f"{location}: an s3 backend URL names its bucket: s3://BUCKET[/PREFIX]")
    prefix = parts.path.lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    query: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name not in _S3_PARAMS:
            raise BackendError(
                f"{location}: unknown query parameter {name!r}, which the Pulumi CLI (gocloud.dev) refuses; "
                f"known: {', '.join(sorted(_S3_PARAMS))}"
            )
        if name == "disableSSL" or name not in query:
            # translateLegacyS3Params reads disableSSL's last value; gocloud.dev the others' first.
            query[name] = value

    def flag(name: str) -> bool:
        return name in query and _go_bool(name, query[name])

    disable_ssl = flag("disableSSL")
    endpoint = query.get("endpoint") or None
    if endpoint and "://" not in endpoint:
        # The v1 SDK implied a scheme; Pulumi adds the one disableSSL asks for.
        endpoint = ("http://" if disable_ssl else "https://") + endpoint
    # disable_https is gocloud.dev's own; Pulumi drops disableSSL once an endpoint has its scheme.
    use_ssl = not flag("disable_https") if "disable_https" in query else not (disable_ssl and not endpoint)
    path_style = flag("s3ForcePathStyle") or flag("use_path_style") or flag("hostname_immutable")
    checksums = {}
    for name in ("request_checksum_calculation", "response_checksum_validation"):
        if name in query:
            if query[name] not in ("when_supported", "when_required"):
                raise BackendError(
                    f"{location}: invalid value {query[name]!r} for {name!r}: use when_supported or when_required"
                )
            checksums[name] = query[name]
    role = query.get("role") or None
    if role is not None and not role.startswith("arn:"):
        raise BackendError(f"{location}: invalid value for role: it must be an ARN (starting 'arn:')")
    return S3Settings(
        bucket=bucket,
        prefix=prefix,
        location=location,
        endpoint_url=endpoint,
        region=query.get("region") or None,
        profile=query.get("profile") or None,
        role=role,
        use_ssl=use_ssl,
        addressing_style="path" if path_style else None,
        accelerate=flag("accelerate"),
        dualstack=flag("dualstack"),
        fips=flag("fips"),
        anonymous=flag("anonymous"),
        checksums=checksums,
    )


def _s3_backend(url: str, connect_timeout: float, read_timeout: float) -> Backend:
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound
    except ImportError:
        raise BackendError("reading an s3:// backend needs boto3: pip install boto3") from None

    settings = s3_settings(url)
    location = settings.location
    config = settings.config(connect_timeout, read_timeout)
    try:
        session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
        if settings.role:
            session = _assumed(session, settings.role, config, location)
        client = session.client(
            "s3", endpoint_url=settings.endpoint_url, use_ssl=settings.use_ssl, config=config
        )
    except ProfileNotFound:
        return _DiyBackend(None, location, f"{location}: no AWS profile {settings.profile!r}")
    except _Unavailable as error:
        return _DiyBackend(None, location, str(error))
    except (BotoCoreError, ClientError) as error:
        return _DiyBackend(None, location, f"{location}: {type(error).__name__}")
    return _DiyBackend(_S3Store(client, settings.bucket, settings.prefix, location), location)


def _assumed(session: Any, role: str, config: Any, location: str) -> Any:
    """The role assumed through STS, as gocloud.dev's ``role=`` does; it needs a region."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    if not session.region_name:
        raise _Unavailable(f"{location}: role= needs a region (region=… or AWS_REGION)")
    try:
        answer = session.client("sts", config=config).assume_role(
            RoleArn=role, RoleSessionName="goldenpath-audit"
        )
    except (BotoCoreError, ClientError) as error:
        raise _Unavailable(f"{location}: cannot assume the role {role} ({type(error).__name__})") from None
    credentials = answer["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=session.region_name,
    )


def _file_root(url: str) -> Path:
    """massageBlobPath: everything after ``file://`` and before ``?`` is the path; ``~`` is the
    home folder; a relative path is made absolute."""
    rest = url[len("file://") :]
    path, _, query = rest.partition("?")
    for name, _value in parse_qsl(query, keep_blank_values=True):
        if name not in _FILE_PARAMS:
            raise BackendError(
                f"{url}: invalid query parameter {name!r} for a file:// backend (the Pulumi CLI refuses it)"
            )
    path = unquote(path)
    if path == "~":
        path = str(Path.home())
    elif path.startswith("~/"):
        path = str(Path.home() / path[2:])
    return Path(os.path.abspath(path))


def open_backend(
    where: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> Backend:
    """Open a backend for reading: a ``file://`` or ``s3://`` backend URL, a state directory, or
    one or more ``pulumi stack export`` files. Raises :class:`BackendError` only for a URL or path
    that cannot name a backend; all else is reported in the backend's ``problems``."""
    if not isinstance(where, str | os.PathLike):
        paths = [Path(p) for p in where]
        if not paths:
            raise BackendError("no export files given")
        for path in paths:
            if not path.is_file():
                raise BackendError(f"{path}: no such export file")
        return _ExportFiles(paths)
    text = os.fspath(where)
    if text.startswith("s3://"):
        return _s3_backend(text, connect_timeout, read_timeout)
    if text.startswith("file://"):
        root = _file_root(text)
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        raise BackendError(
            f"{_redacted(text)}: a {scheme}:// backend is not read here; give a file:// or s3:// URL, a "
            "state directory, or `pulumi stack export` files"
        )
    else:
        root = Path(os.path.abspath(os.path.expanduser(text)))
        if root.is_file():
            return _ExportFiles([root])
    if not root.exists():
        raise BackendError(f"{root}: no such state directory")
    if not root.is_dir():
        raise BackendError(f"{root}: not a directory (a file:// backend is a state directory)")
    return _DiyBackend(_FileStore(root), root.as_uri())
