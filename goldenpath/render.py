"""Render the Kubernetes objects a stack declares as plain YAML manifests, offline.

The offline counterpart of pulumi-kubernetes' ``renderYamlToDirectory``: the stack runs under
mocks (:func:`goldenpath.harness.run_stack`), and every Kubernetes resource it registers becomes
one manifest, built from the inputs the program sent to the engine. Secret values are never
written: Pulumi tracks secrecy per top-level property, so a property holding any secret (the
``data`` of a Secret, whose inputs pulumi-kubernetes always marks secret, or a ``spec`` with one
secret environment value) is written as a placeholder as a whole.

An object without ``metadata.name`` (nor ``generateName``) is auto-named by pulumi-kubernetes at
apply time as ``<resource name>-<8 random characters>`` (hex in current releases), with the annotation
``pulumi.com/autonamed: "true"``. Render cannot know the random part, so it writes a deterministic
stand-in of the same shape, ``<resource name>-<first 8 hex characters of the SHA-256 of the URN>``,
and says so in the file and in :attr:`RenderResult.stand_ins`.

Every file render writes starts with a header line naming the project and stack it came from.
That line is how render knows which files are its own: rendering into a folder again removes the
files of an earlier render of the same stack that this render no longer writes (objects since
deleted from the program), overwrites its own files, and refuses to overwrite any other file. A
file without that exact header (a hand-written ``kustomization.yaml``, another stack's render) is
never changed or removed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN, _special_secret_sig, _special_sig_key

from goldenpath.harness import SECRET_PLACEHOLDER, ProgramRun, RecordedResource, run_stack

__all__ = [
    "AUTONAMED_ANNOTATION",
    "UNKNOWN_PLACEHOLDER",
    "RenderError",
    "RenderResult",
    "StandIn",
    "api_version_and_kind",
    "file_header",
    "manifest_filename",
    "render_objects",
    "render_stack",
    "stand_in_name",
]

UNKNOWN_PLACEHOLDER = "[unknown]"
# What pulumi-kubernetes marks an object it named with (provider/pkg/metadata/naming.go).
AUTONAMED_ANNOTATION = "pulumi.com/autonamed"
_STAND_IN_SUFFIX_LENGTH = 8
_HEADER_PREFIX = "# Written by goldenpath render from project "
_PROVIDER_PREFIX = "kubernetes:"
# Resources of the Kubernetes provider that are not API objects themselves.
_NOT_OBJECTS = ("helm.sh/", "yaml/", "kustomize/")


def api_version_and_kind(type_token: str) -> tuple[str, str]:
    """``kubernetes:apps/v1:Deployment`` -> (``apps/v1``, ``Deployment``); the core group has no prefix."""
    provider, group_version, kind = type_token.split(":")
    if provider != "kubernetes" or "/" not in group_version:
        raise ValueError(f"{type_token!r} is not a Kubernetes object type")
    group, version = group_version.rsplit("/", 1)
    return (version if group == "core" else group_version), kind


def _is_object(resource: RecordedResource) -> bool:
    if not resource.custom or not resource.type.startswith(_PROVIDER_PREFIX):
        return False
    parts = resource.type.split(":")
    if len(parts) != 3 or "/" not in parts[1]:
        return False  # kubernetes:yaml:ConfigGroup and the like: groups of objects, not objects
    return not parts[1].startswith(_NOT_OBJECTS) and not resource.type.endswith("Patch")


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(_special_sig_key) == _special_secret_sig


def _clean(value: Any) -> Any:
    """Plain YAML-able data: secrets and unknowns replaced, Pulumi-internal keys and nulls dropped."""
    if _is_secret(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, Unknown) or value == UNKNOWN:
        return UNKNOWN_PLACEHOLDER
    if isinstance(value, Mapping):
        # Sorted: the engine protocol does not keep key order, and the files must not change between runs.
        return {
            k: _clean(v) for k, v in sorted(value.items()) if not str(k).startswith("__") and v is not None
        }
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    # Numbers cross the engine protocol as doubles; Kubernetes wants integers where they are whole.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def manifest(resource: RecordedResource) -> dict[str, Any]:
    """One Kubernetes object from one recorded resource."""
    api_version, kind = api_version_and_kind(resource.type)
    body = _clean(resource.inputs)
    # CustomResources carry their own apiVersion and kind; typed resources set them from the token.
    head = {"apiVersion": body.pop("apiVersion", api_version), "kind": body.pop("kind", kind)}
    return {**head, "metadata": body.pop("metadata", {}), **body}


class RenderError(ValueError):
    """What a stack declares cannot be written as manifests into the folder given; says why."""


@dataclass(frozen=True)
class StandIn:
    """An auto-named object, written under a stand-in for the name Pulumi picks at random."""

    kind: str
    resource: str
    name: str


@dataclass
class RenderResult:
    """What :func:`render_stack` did: files written and removed (sorted), names stood in for."""

    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    stand_ins: list[StandIn] = field(default_factory=list)


def stand_in_name(resource: RecordedResource) -> str:
    """``<resource name>-<8 hex characters>``, the shape of pulumi-kubernetes' auto-names; the
    characters come from the URN, so a render is the same every time."""
    digest = hashlib.sha256(resource.urn.encode()).hexdigest()[:_STAND_IN_SUFFIX_LENGTH]
    return f"{resource.name}-{digest}"


def _named(resource: RecordedResource, obj: dict[str, Any]) -> StandIn | None:
    """Give an object Pulumi would auto-name its stand-in name; refuse what cannot be named."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        raise RenderError(
            f"{resource.type} {resource.name!r}: its metadata is {metadata!r} (secret or unknown until apply), "
            "so render cannot name the object"
        )
    if metadata.get("name"):
        return None
    if metadata.get("generateName"):
        raise RenderError(
            f"{resource.type} {resource.name!r} sets metadata.generateName and no name: the API server picks "
            "the name when it creates the object, so no manifest can name it; set metadata.name, or set neither "
            "to let Pulumi auto-name it"
        )
    name = stand_in_name(resource)
    named = {**metadata, "name": name}
    annotations = metadata.get("annotations") or {}
    if isinstance(annotations, Mapping):  # a secret or unknown set of annotations stays a placeholder
        named["annotations"] = dict(sorted({**annotations, AUTONAMED_ANNOTATION: "true"}.items()))
    obj["metadata"] = dict(sorted(named.items()))
    return StandIn(obj["kind"], resource.name, name)


def _render(run: ProgramRun) -> list[tuple[dict[str, Any], StandIn | None]]:
    rendered = []
    for resource in run.resources:
        if not _is_object(resource):
            continue
        obj = manifest(resource)
        rendered.append((obj, _named(resource, obj)))
    return rendered


def render_objects(run: ProgramRun) -> list[dict[str, Any]]:
    """The Kubernetes objects of a program run, as manifests, in registration order.

    An object without ``metadata.name`` gets its stand-in name (:func:`stand_in_name`) and the
    annotation pulumi-kubernetes adds to the objects it names.
    """
    return [obj for obj, _ in _render(run)]


def manifest_filename(obj: Mapping[str, Any]) -> str:
    """``<kind>-<namespace>-<name>.yaml`` (``<kind>-<name>.yaml`` for cluster-scoped objects), lower case."""
    metadata = obj.get("metadata") or {}
    parts = [obj["kind"], metadata.get("namespace"), metadata.get("name")]
    return "-".join(str(p) for p in parts if p).lower() + ".yaml"


def file_header(project: str, stack: str) -> str:
    """The first line of every file render writes for this stack: how render recognises its own files."""
    return f"{_HEADER_PREFIX}{project}, stack {stack}; render again rather than edit.\n"


def _first_line(path: Path) -> str | None:
    """The first line of a regular file (never through a symlink); None when there is none to read."""
    if path.is_symlink() or not path.is_file():
        return None
    try:
        with path.open("rb") as stream:
            return stream.readline(4096).decode(errors="replace").rstrip("\r\n")
    except OSError:
        return None


def _check_folder(out: Path) -> None:
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise RenderError(f"{out} is not a folder: render writes one file per object into a folder")
        return
    existing = next((p for p in out.parents if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise RenderError(f"{out} cannot be created: {existing} is a file, not a folder")


def _describe(error: OSError, fallback: Path) -> str:
    return f"cannot write {error.filename or fallback}: {error.strerror or error}"


def render_stack(stack_dir: Path | str, stack: str, out_dir: Path | str) -> RenderResult:
    """Run the stack under mocks and write one YAML file per Kubernetes object into ``out_dir``.

    Files are written only after every check has passed: a stack with no Kubernetes objects, two
    objects that would share a file, or a file in the way that render did not write for this
    stack raise :class:`RenderError` and leave the folder as it was. The files of an earlier render
    of this stack that this one does not write are removed; nothing else in ``out_dir`` is touched.
    """
    out = Path(out_dir)
    _check_folder(out)
    run = run_stack(stack_dir, stack)
    rendered = _render(run)
    if not rendered:
        raise RenderError(
            f"nothing to render: {stack_dir} (stack {stack}) declares no Kubernetes objects; "
            "render writes the objects of pulumi-kubernetes resources"
        )
    header = file_header(run.project, run.stack)
    by_name: dict[str, tuple[dict[str, Any], StandIn | None]] = {}
    for obj, stand_in in rendered:
        filename = manifest_filename(obj)
        if filename in by_name:
            raise RenderError(f"two objects would both be written to {filename}; give them distinct names")
        by_name[filename] = (obj, stand_in)
    ours = {
        p.name for p in (out.glob("*.yaml") if out.is_dir() else ()) if _first_line(p) == header.rstrip("\n")
    }
    for filename in by_name:
        path = out / filename
        if (path.exists() or path.is_symlink()) and filename not in ours:
            raise RenderError(
                f"{path} is in the way: render did not write it for {run.project} ({run.stack}), so it will not "
                "overwrite it; move it, or render into another folder"
            )
    result = RenderResult()
    try:
        out.mkdir(parents=True, exist_ok=True)
        for filename, (obj, stand_in) in sorted(by_name.items()):
            path = out / filename
            text = header
            if stand_in is not None:
                text += (
                    f"# metadata.name {stand_in.name} is a stand-in: pulumi-kubernetes auto-names this object "
                    f"{stand_in.resource}-<8 random characters> when it is applied.\n"
                )
                result.stand_ins.append(stand_in)
            path.write_text(text + yaml.safe_dump(obj, sort_keys=False, default_flow_style=False))
            result.written.append(path)
        for filename in sorted(ours - set(by_name)):
            (out / filename).unlink()
            result.removed.append(out / filename)
    except OSError as error:
        raise RenderError(_describe(error, out)) from None
    return result
