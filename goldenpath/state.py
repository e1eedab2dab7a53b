"""A program run written as Pulumi's own deployment state (``pulumi stack export`` format).

What ``pulumi up`` would record for the run under mocks: checkpoint version 3, one ResourceV3 per
resource — the Stack, providers, components and custom resources — with inputs, outputs, parent,
provider reference (``<urn>::<id>``), dependencies and property dependencies. The Pulumi CLI is the
referee of the format: ``pulumi policy analyze --file`` reads what :func:`to_deployment` writes.

Three things a real state holds differently: ids and computed outputs are the mocks' stand-ins; a
value still unknown offline (a StackReference output, an unanswered data source) is left out, as a
state never holds unknowns; and inputs are the program's, before any remediate-level policy
rewrote them (the engine records the rewritten ones: ``CheckResult.remediated_inputs``). Secrets are written in plaintext form (``plaintext``), as
``pulumi stack export --show-secrets`` writes them; keep such files out of shared places.
"""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import rpc

from goldenpath.harness import ProgramRun, RecordedResource

__all__ = ["to_deployment"]

_SIG = rpc._special_sig_key
_SECRET_SIG = rpc._special_secret_sig
_DROP = object()


def _state_value(value: Any) -> Any:
    if value == rpc.UNKNOWN:
        return _DROP
    if isinstance(value, dict):
        if value.get(_SIG) == _SECRET_SIG:
            inner = _state_value(value.get("value"))
            return _DROP if inner is _DROP else {_SIG: _SECRET_SIG, "plaintext": json.dumps(inner)}
        out = {k: _state_value(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not _DROP}
    if isinstance(value, list):
        return [v for v in (_state_value(v) for v in value) if v is not _DROP]
    return value


def _properties(struct: Any) -> dict[str, Any]:
    return _state_value(json_format.MessageToDict(struct))


def _resource_id(resource: RecordedResource) -> str:
    return resource.id or f"{resource.name}-id"


def to_deployment(run: ProgramRun) -> dict[str, Any]:
    """The run as ``pulumi stack export`` writes a stack: ``{version: 3, deployment: {…}}``."""
    by_urn = {r.urn: r for r in run.stack_view}
    resources = []
    for r in run.stack_view:
        entry: dict[str, Any] = {"urn": r.urn, "custom": r.custom, "type": r.type}
        if r.custom:
            entry["id"] = _resource_id(r)
            entry["inputs"] = _properties(r.properties)
        else:
            entry["inputs"] = {}
        entry["outputs"] = _properties(r.outputs)
        if r.parent:
            entry["parent"] = r.parent
        if r.read:
            entry["external"] = True
        provider = by_urn.get(r.provider) if r.provider else None
        if provider is not None:
            entry["provider"] = f"{provider.urn}::{_resource_id(provider)}"
        if r.dependencies:
            entry["dependencies"] = list(r.dependencies)
        if r.property_dependencies:
            entry["propertyDependencies"] = {k: list(v) for k, v in r.property_dependencies.items()}
        if r.protect:
            entry["protect"] = True
        resources.append(entry)
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "1970-01-01T00:00:00Z", "magic": "", "version": ""},
            "resources": resources,
        },
    }
