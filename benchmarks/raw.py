"""The baseline: the raw Pulumi SDK registering a recorded stack's custom resources under mocks.

Same type tokens, names and inputs as the recorded program, registered as plain
``pulumi.CustomResource(type, name, props)`` under the same harness and mocks
(:func:`goldenpath.harness.run_under_mocks`), without components, parents or pydantic models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

from goldenpath.harness import ProgramRun, RecordedResource, run_under_mocks


def _props(value: Any) -> Any:
    # Recorded inputs carry secrets as Pulumi's wrapper dict; register them as secrets again.
    if isinstance(value, Mapping):
        if value.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
            return pulumi.Output.secret(_props(value["value"]))
        return {k: _props(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_props(v) for v in value]
    return value


def raw_program(resources: Sequence[RecordedResource]) -> Callable[[], None]:
    """A program registering every custom resource of ``resources`` with the raw SDK."""
    custom = [r for r in resources if r.custom]

    def program() -> None:
        for resource in custom:
            pulumi.CustomResource(resource.type, resource.name, _props(resource.inputs))

    return program


def run_raw(recorded: ProgramRun) -> ProgramRun:
    """Register ``recorded``'s custom resources with the raw SDK under the check's mocks."""
    return run_under_mocks(raw_program(recorded.resources), project=recorded.project, stack=recorded.stack)


def mismatched_inputs(recorded: ProgramRun, raw: ProgramRun) -> int:
    """How many custom resources the raw run registered with inputs other than the recorded ones."""
    expected = {(r.type, r.name): r.properties for r in recorded.resources if r.custom}
    got = {(r.type, r.name): r.properties for r in raw.resources}
    return sum(1 for key, props in expected.items() if got.get(key) != props) + len(set(got) - set(expected))
