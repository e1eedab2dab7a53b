"""Snapshot programs under the Pulumi mocks with whichever goldenpath this Python has installed.

Run as a script, not imported: ``python _upgrade_snapshot.py runs.json out.json``. The upgrade
safety check (:mod:`goldenpath.upgrade_safety`) runs it once with a previous release's virtualenv
and once with this version, so it may use only what every release's harness has: ``run_stack``,
``run_under_mocks`` and the fields of ``RecordedResource`` (``aliases`` is read when present).

Each run is a stack folder with one of its stack configs, or a blueprint class with a config; a
run whose blueprint the installed version does not have is reported ``absent``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import traceback
from typing import Any


def _resources(run: Any) -> list[dict[str, Any]]:
    return [
        {
            "urn": r.urn,
            "type": r.type,
            "custom": r.custom,
            "parent": r.parent,
            "inputs": r.inputs,
            "aliases": list(getattr(r, "aliases", ())),
            # The provider's URN (a default one's too), and which resources each input came from.
            "provider": getattr(r, "provider", "") or "",
            "property_dependencies": {
                k: list(v) for k, v in (getattr(r, "property_dependencies", {}) or {}).items()
            },
        }
        for r in run.resources
        if not getattr(r, "read", False)
    ]


def _jsonable(value: Any) -> Any:
    """Assets and archives (Lambda code, bucket objects) as what identifies their content."""
    kind = type(value).__name__
    for attribute in ("path", "uri"):
        if isinstance(getattr(value, attribute, None), str):
            return {"asset": kind, attribute: getattr(value, attribute)}
    if isinstance(getattr(value, "text", None), str):
        return {"asset": kind, "sha256": hashlib.sha256(value.text.encode()).hexdigest()}
    if isinstance(getattr(value, "assets", None), dict):
        return {"asset": kind, "assets": {k: _jsonable(v) for k, v in value.assets.items()}}
    return {"unserializable": kind}


def _one(spec: dict[str, Any]) -> dict[str, Any]:
    from goldenpath import blueprints
    from goldenpath.harness import run_stack, run_under_mocks

    if spec["kind"] == "stack":
        try:
            run = run_stack(spec["dir"], spec["stack"], preview=False)
        except Exception as error:  # noqa: BLE001 - reported, not raised: the other runs go on
            absent = [name for name in spec.get("blueprints", ()) if not hasattr(blueprints, name)]
            if absent:
                return {"status": "absent", "reason": f"this version has no {', '.join(absent)}"}
            return {"status": "error", "error": str(error).splitlines()[0] if str(error) else repr(error)}
        return {"status": "ok", "resources": _resources(run)}

    cls = getattr(blueprints, spec["class"], None)
    model = getattr(blueprints, f"{spec['class']}Config", None)
    if cls is None or model is None:
        return {"status": "absent", "reason": f"this version has no {spec['class']}"}
    try:
        config = model.model_validate(spec["config"])
        run = run_under_mocks(
            lambda: cls(spec["name"], config),
            project=spec["name"],
            stack=spec["environment"],
            config=spec.get("provider_config") or {},
            preview=False,
        )
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return {"status": "error", "error": str(error).splitlines()[0] if str(error) else repr(error)}
    return {"status": "ok", "resources": _resources(run), "blueprint_version": _version(spec["class"])}


def _version(class_name: str) -> str:
    """The blueprint's version; a release from before blueprints had versions counts as 1.0.0."""
    try:
        from goldenpath.blueprint_reference import BLUEPRINTS
    except ImportError:
        return "1.0.0"
    found = [b for b in BLUEPRINTS.values() if b.class_name == class_name]
    return getattr(found[0], "version", "1.0.0") if found else "1.0.0"


def main(request: str, answer: str) -> None:
    import goldenpath

    with open(request) as handle:
        runs = json.load(handle)
    out: dict[str, Any] = {"version": goldenpath.__version__, "location": goldenpath.__file__, "runs": {}}
    for spec in runs:
        try:
            out["runs"][spec["label"]] = _one(spec)
        except Exception:  # noqa: BLE001 - a harness failure is reported whole
            out["runs"][spec["label"]] = {"status": "error", "error": traceback.format_exc(limit=3)}
    with open(answer, "w") as handle:
        json.dump(out, handle, default=_jsonable)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
