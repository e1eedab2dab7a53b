"""Every policy of every pack is judged on its fixtures over the analyzer protocol."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.rpc import UNKNOWN

from goldenpath.analyzer import ResourceInput, pack_dirs
from goldenpath.policy import WAIVER_AUDIT_POLICY, discover

from .fixtures import (
    FIXTURES,
    SECRET_SIG,
    SECRET_SIG_KEY,
    evaluate,
    fixtures_for,
    flagged_names,
    verdict_names,
)

PACKS = sorted(pack_dirs())
CASES = [(pack, f) for pack in PACKS for f in fixtures_for(pack)]


def _specs(pack: str):
    return discover(f"goldenpath.policies.{pack}")


@pytest.mark.parametrize(("pack", "fixture"), CASES, ids=[f"{p}/{f.policy}:{f.path.stem}" for p, f in CASES])
def test_policy_flags_exactly_the_failing_fixture_resources(running_packs, pack, fixture):
    diagnostics = evaluate(running_packs(pack), fixture)

    assert flagged_names(fixture, diagnostics) == fixture.fail | fixture.undecided
    if fixture.undecided:
        assert verdict_names(fixture, diagnostics) == fixture.fail
    assert all(d.message for d in diagnostics)


@pytest.mark.parametrize("pack", PACKS)
def test_every_policy_has_fixtures_with_a_passing_and_a_failing_resource(pack):
    covered: dict[str, tuple[set[str], set[str]]] = {}
    for fixture in fixtures_for(pack):
        applicable = {r.name for r in fixture.resources}
        failed, passed = covered.setdefault(fixture.policy, (set(), set()))
        failed |= fixture.fail
        passed |= applicable - fixture.fail

    missing = [s.id for s in _specs(pack) if s.id not in covered]
    without_fail = [p for p, (f, _) in covered.items() if not f]
    without_pass = [p for p, (_, ok) in covered.items() if not ok]

    assert missing == [], f"policies without fixtures in {FIXTURES / pack}"
    assert without_fail == [], "fixtures need a resource that fails"
    assert without_pass == [], "fixtures need a resource that passes"


@pytest.mark.parametrize("pack", PACKS)
def test_fixtures_name_only_policies_the_pack_has(pack):
    ids = {s.id for s in _specs(pack)}

    assert {f.policy for f in fixtures_for(pack)} <= ids


@pytest.mark.parametrize("pack", PACKS)
def test_pack_serves_every_discovered_policy_with_its_metadata(running_packs, pack):
    info = running_packs(pack).info()
    specs = {s.id: s for s in _specs(pack)}

    assert {p.name for p in info.policies} == set(specs) | {WAIVER_AUDIT_POLICY}
    for policy in info.policies:
        if policy.name == WAIVER_AUDIT_POLICY:
            continue
        spec = specs[policy.name]
        assert policy.severity == spec.severity
        assert policy.enforcement == spec.default_enforcement.value
        assert policy.remediation == spec.remediation
        assert policy.url.endswith(f"#{spec.id}")
        assert policy.kind == spec.kind


def _unknown_everywhere(value):
    if isinstance(value, dict) and SECRET_SIG_KEY in value:
        return UNKNOWN  # a fixture's own secret, not known until apply
    if isinstance(value, dict):
        return {k: _unknown_everywhere(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknown_everywhere(v) for v in value]
    return UNKNOWN


def _secret_everywhere(value):
    if isinstance(value, dict) and SECRET_SIG_KEY in value:
        return value  # already a secret in the fixture
    if isinstance(value, dict):
        return {k: _secret_everywhere(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_secret_everywhere(v) for v in value]
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def _transformed(fixture, transform) -> list[ResourceInput]:
    inputs = []
    for r in fixture.resources:
        props = struct_pb2.Struct()
        props.update(transform(r.props))
        inputs.append(ResourceInput(urn=r.urn, type=r.type, name=r.name, properties=props))
    return inputs


@pytest.mark.parametrize("pack", PACKS)
def test_unknown_values_never_crash_a_policy(running_packs, pack):
    process = running_packs(pack)
    for fixture in fixtures_for(pack):
        process.configure({fixture.policy: fixture.config} if fixture.config else None)
        inputs = _transformed(fixture, _unknown_everywhere)
        diagnostics = process.evaluate(inputs)
        # Preview unknowns give at most an advisory "can't run during preview", never a verdict: only a
        # resource that fails on what is known regardless (a required field left out) may still be blocked.
        blocking = [d for d in diagnostics if d.policy == fixture.policy and d.enforcement == "mandatory"]
        invented = flagged_names(fixture, blocking) - fixture.fail
        assert invented == set(), f"{fixture.path.name}: a mandatory verdict on unknown values: {blocking}"


@pytest.mark.parametrize("pack", PACKS)
def test_a_failing_resource_whose_values_are_all_unknown_is_never_silently_passed(running_packs, pack):
    # At preview a value computed from another resource is unknown. A resource that fails on its known
    # values may still be fine once they are known, so its policy must say it can't run yet (or keep
    # its verdict), never pass on what it could not see. Stack policies link resources by dependency,
    # which this transform drops, so only resource policies are judged here.
    resource_policies = {s.id for s in _specs(pack) if s.kind == "resource"}
    silent = {}
    process = running_packs(pack)
    for fixture in fixtures_for(pack):
        if fixture.policy not in resource_policies:
            continue
        process.configure({fixture.policy: fixture.config} if fixture.config else None)
        diagnostics = [
            d
            for d in process.evaluate(_transformed(fixture, _unknown_everywhere))
            if d.policy == fixture.policy
        ]
        passed = fixture.fail - fixture.unknown_passes - flagged_names(fixture, diagnostics)
        if passed:
            silent[fixture.path.name] = sorted(passed)

    assert silent == {}


@pytest.mark.parametrize("pack", PACKS)
def test_secret_values_never_crash_a_policy_and_keep_the_verdict(running_packs, pack):
    process = running_packs(pack)
    for fixture in fixtures_for(pack):
        process.configure({fixture.policy: fixture.config} if fixture.config else None)
        diagnostics = [
            d
            for d in process.evaluate(_transformed(fixture, _secret_everywhere))
            if d.policy == fixture.policy
        ]
        # Stack policies match resources by dependency, which this transform drops; resource
        # policies must reach the same verdict on secret values as on plain ones (a value still
        # unknown, wrapped as a secret, may leave its resource undecided, but never gives a verdict).
        if next(s for s in _specs(pack) if s.id == fixture.policy).kind == "resource":
            assert verdict_names(fixture, diagnostics) == fixture.fail, fixture.path.name
            assert flagged_names(fixture, diagnostics) <= fixture.fail | fixture.undecided, fixture.path.name


@pytest.mark.parametrize("pack", PACKS)
def test_a_pack_declared_for_one_provider_only_judges_that_providers_resources(running_packs, pack):
    # check skips resources a provider-specific pack does not concern; that is only sound if no
    # policy of the pack applies to another provider's types.
    info = running_packs(pack).info()
    foreign = {t for s in _specs(pack) for t in s.resource_types if not info.concerns(t)}

    assert foreign == set()
