"""Policy evaluation throughput: the packs' policies called in-process, and over the analyzer protocol.

In-process, each resource's props are built once per pack the way a pack builds them
(``unknown_checking_proxy(deserialize_properties(inputs))``) and handed to every
``ResourceValidationPolicy`` of that pack; the timing covers building the props and the calls.
Over the protocol, each pack runs as its own process (:class:`goldenpath.analyzer.PolicyPackProcess`)
and receives one ``Analyze`` per custom resource, then one ``AnalyzeStack``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from goldenpath.analyzer import PolicyPackProcess, ResourceInput, pack_dirs
from goldenpath.check import resource_input
from goldenpath.harness import ProgramRun, RecordedResource
from goldenpath.policy import build_policies, discover

PolicyList = list[ResourceValidationPolicy | StackValidationPolicy]


def shipped_packs() -> dict[str, PolicyList]:
    """Every shipped pack's pulumi-policy objects, as its ``__main__.py`` builds them, by folder name."""
    return {name: build_policies(discover(f"goldenpath.policies.{name}")) for name in pack_dirs()}


def options(resource: RecordedResource) -> PolicyResourceOptions:
    """The resource options a pack hands to policies, for a recorded resource."""
    return PolicyResourceOptions(
        resource.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], resource.parent
    )


def props(resource: RecordedResource) -> Mapping[str, Any]:
    """A recorded resource's inputs as a pack hands them to policies: unknown-checking proxies."""
    return unknown_checking_proxy(deserialize_properties(dict(resource.inputs)))


@dataclass(frozen=True)
class InProcessResult:
    resources: int
    resource_policies: int
    evaluations: int
    seconds: float
    violations: int
    not_evaluated: int
    stack_policies: int
    stack_seconds: float

    @property
    def evaluations_per_second(self) -> float:
        return self.evaluations / self.seconds

    @property
    def resources_per_second(self) -> float:
        return self.resources / self.seconds

    def to_json(self) -> dict:
        return {
            **asdict(self),
            "evaluations_per_second": self.evaluations_per_second,
            "resources_per_second": self.resources_per_second,
        }


def evaluate_in_process(run: ProgramRun, packs: dict[str, PolicyList]) -> InProcessResult:
    """Every custom resource of ``run`` through every resource policy of every pack, in this process."""
    resources = [r for r in run.resources if r.custom]
    by_pack = [
        [p for p in policies if isinstance(p, ResourceValidationPolicy)] for policies in packs.values()
    ]
    violations: list[str] = []
    not_evaluated = 0

    def report(message: str, urn: str | None = None) -> None:
        violations.append(message)

    started = time.perf_counter()
    for policies in by_pack:
        for resource in resources:
            args = ResourceValidationArgs(
                resource.type, props(resource), resource.urn, resource.name, options(resource), None, {}
            )
            for policy in policies:
                try:
                    policy.validate(args, report)
                except UnknownValueError:
                    not_evaluated += 1
    seconds = time.perf_counter() - started

    stack_policies = [
        p for policies in packs.values() for p in policies if isinstance(p, StackValidationPolicy)
    ]
    stack_started = time.perf_counter()
    for policies in packs.values():
        stack_resources = [
            PolicyResource(r.type, props(r), r.urn, r.name, options(r), None, None, [], {}) for r in resources
        ]
        for policy in policies:
            if isinstance(policy, StackValidationPolicy):
                policy.validate(StackValidationArgs(stack_resources, {}), report)
    stack_seconds = time.perf_counter() - stack_started

    resource_policies = sum(len(p) for p in by_pack)
    return InProcessResult(
        resources=len(resources),
        resource_policies=resource_policies,
        evaluations=len(resources) * resource_policies,
        seconds=seconds,
        violations=len(violations),
        not_evaluated=not_evaluated,
        stack_policies=len(stack_policies),
        stack_seconds=stack_seconds,
    )


@dataclass(frozen=True)
class ProtocolResult:
    pack: str
    resources: int
    resource_policies: int
    start_seconds: float
    analyze_seconds: float
    analyze_stack_seconds: float
    diagnostics: int

    @property
    def analyze_calls_per_second(self) -> float:
        return self.resources / self.analyze_seconds

    @property
    def evaluations_per_second(self) -> float:
        return self.resources * self.resource_policies / self.analyze_seconds

    def to_json(self) -> dict:
        return {
            **asdict(self),
            "analyze_calls_per_second": self.analyze_calls_per_second,
            "evaluations_per_second": self.evaluations_per_second,
        }


def _inputs(resources: Sequence[RecordedResource]) -> list[ResourceInput]:
    return [resource_input(r) for r in resources if r.custom]


def evaluate_over_protocol(run: ProgramRun) -> list[ProtocolResult]:
    """Per shipped pack, one after another: its start (process up, ``GetAnalyzerInfo`` answered), one
    ``Analyze`` per custom resource of ``run``, then one ``AnalyzeStack``."""
    inputs = _inputs(run.resources)
    results = []
    for name, folder in pack_dirs().items():
        process = PolicyPackProcess(folder)
        started = time.perf_counter()
        with process.start():
            info = process.info()
            start_seconds = time.perf_counter() - started
            process.configure({})
            process.configure_stack(project=run.project, stack=run.stack, dry_run=True)
            diagnostics = 0
            started = time.perf_counter()
            for resource in inputs:
                diagnostics += len(process.analyze(resource))
            analyze_seconds = time.perf_counter() - started
            started = time.perf_counter()
            diagnostics += len(process.analyze_stack(inputs))
            analyze_stack_seconds = time.perf_counter() - started
        results.append(
            ProtocolResult(
                pack=name,
                resources=len(inputs),
                resource_policies=sum(1 for p in info.policies if p.kind == "resource"),
                start_seconds=start_seconds,
                analyze_seconds=analyze_seconds,
                analyze_stack_seconds=analyze_stack_seconds,
                diagnostics=diagnostics,
            )
        )
    return results
