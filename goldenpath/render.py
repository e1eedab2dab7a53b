"""Render the Kubernetes objects a stack declares as plain YAML manifests, offline.

The offline counterpart of pulumi-kubernetes' ``renderYamlToDirectory``: the stack runs under
mocks (:func:`goldenpath.harness.run_stack`), and every Kubernetes resource it registers becomes
one manifest, built from the inputs the program sent to the engine. Secret values are never
written: Pulumi tracks secrecy per top-level property, so a property holding any secret (the
``data`` of a Secret, whose inputs pulumi-kubernetes always marks secret, or a ``spec`` with one
secret environment value) is written as a placeholder as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN, _special_secret_sig, _special_sig_key

from goldenpath.harness import SECRET_PLACEHOLDER, ProgramRun, RecordedResource, run_stack

__all__ = [
    "UNKNOWN_PLACEHOLDER",
    "api_version_and_kind",
    "manifest_filename",
    "render_objects",
    "render_stack",
]

UNKNOWN_PLACEHOLDER = "[unknown]"
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
    group_version = resource.type.split(":")[1]
    return not group_version.startswith(_NOT_OBJECTS) and not resource.type.endswith("Patch")


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


def render_objects(run: ProgramRun) -> list[dict[str, Any]]:
    """The Kubernetes objects of a program run, as manifests, in registration order.

    An object without ``metadata.name`` is refused: pulumi-kubernetes would name it at apply time
    with a random suffix, which no offline rendering can predict.
    """
    objects = []
    for resource in run.resources:
        if not _is_object(resource):
            continue
        obj = manifest(resource)
        if not (obj.get("metadata") or {}).get("name"):
            raise ValueError(
                f"{resource.type} {resource.name!r} sets no metadata.name; pulumi-kubernetes would auto-name it "
                "with a random suffix at apply time, which render cannot predict: give it an explicit name"
            )
        objects.append(obj)
    return objects


def manifest_filename(obj: Mapping[str, Any]) -> str:
    """``<kind>-<namespace>-<name>.yaml`` (``<kind>-<name>.yaml`` for cluster-scoped objects), lower case."""
    metadata = obj.get("metadata") or {}
    parts = [obj["kind"], metadata.get("namespace"), metadata.get("name")]
    return "-".join(str(p) for p in parts if p).lower() + ".yaml"


def render_stack(stack_dir: Path | str, stack: str, out_dir: Path | str) -> list[Path]:
    """Run the stack under mocks and write one YAML file per Kubernetes object into ``out_dir``.

    Returns the written paths, sorted. Files of the same name are overwritten; nothing else in
    ``out_dir`` is touched.
    """
    objects = render_objects(run_stack(stack_dir, stack))
    out = Path(out_dir)
    by_name: dict[str, dict[str, Any]] = {}
    for obj in objects:
        filename = manifest_filename(obj)
        if filename in by_name:
            raise ValueError(f"two objects would both be written to {filename}; give them distinct names")
        by_name[filename] = obj
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, obj in sorted(by_name.items()):
        path = out / filename
        path.write_text(yaml.safe_dump(obj, sort_keys=False, default_flow_style=False))
        written.append(path)
    return written
