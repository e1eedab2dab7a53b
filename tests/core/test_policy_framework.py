"""The PolicySpec shape, waivers and discovery — the parts every pack shares."""

from __future__ import annotations

import datetime as dt

import pytest

from goldenpath.policy import NIST, PolicySpec, build_policies, discover, find_waiver, get_path

TODAY = dt.date(2026, 6, 1)


def _spec(severity: str = "medium", **overrides) -> PolicySpec:
    fields = dict(
        id="aws-example-check",
        description="Example.",
        severity=severity,
        rationale="Why.",
        remediation="How.",
        resource_types=("aws:sns/topic:Topic",),
        check=lambda props, config: None if props.get("kmsMasterKeyId") else "topic is not encrypted",
        controls={NIST: ("SC-28",)},
    )
    fields.update(overrides)
    return PolicySpec(**fields)


def _tagged(value: str) -> dict:
    return {"tags": {"goldenpath:waiver:aws-example-check": value}}


def test_a_waiver_with_a_future_date_and_a_reason_is_in_force():
    waiver = find_waiver(_spec(), _tagged("2026-12-31: public build notifications only"), today=TODAY)

    assert waiver.problem is None
    assert waiver.expires == dt.date(2026, 12, 31)
    assert waiver.reason == "public build notifications only"


def test_a_waiver_is_in_force_on_its_expiry_date_and_not_after():
    assert find_waiver(_spec(), _tagged("2026-06-01: public notifications only"), today=TODAY).problem is None
    expired = find_waiver(_spec(), _tagged("2026-05-31: public notifications only"), today=TODAY)

    assert expired.problem == "waiver expired on 2026-05-31"


def test_a_waiver_needs_a_reason_of_ten_characters():
    assert "at least 10" in find_waiver(_spec(), _tagged("2026-12-31: because"), today=TODAY).problem


def test_a_waiver_without_a_date_is_malformed():
    assert "malformed" in find_waiver(_spec(), _tagged("forever: trust me on this one"), today=TODAY).problem


def test_a_waiver_with_an_impossible_date_is_refused():
    assert (
        "not a date" in find_waiver(_spec(), _tagged("2026-02-30: a good long reason"), today=TODAY).problem
    )


def test_critical_policies_cannot_be_waived():
    waiver = find_waiver(_spec("critical"), _tagged("2026-12-31: a good long reason"), today=TODAY)

    assert waiver.problem == "critical policies cannot be waived"


def test_kubernetes_objects_carry_waivers_as_annotations():
    props = {
        "metadata": {"annotations": {"waiver.goldenpath.dev/aws-example-check": "2026-12-31: a good reason"}}
    }

    assert find_waiver(_spec(), props, today=TODAY).problem is None


def test_a_resource_without_waivers_has_none():
    assert find_waiver(_spec(), {"tags": {"team": "a"}}, today=TODAY) is None


def test_high_and_critical_policies_default_to_mandatory_and_the_rest_to_advisory():
    levels = {s: _spec(s).default_enforcement.value for s in ("low", "medium", "high", "critical")}

    assert levels == {"low": "advisory", "medium": "advisory", "high": "mandatory", "critical": "mandatory"}


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"id": "NoDashes"}, "lower-case words"),
        ({"stack_check": lambda resources, config: []}, "exactly one of check or stack_check"),
        ({"controls": {"iso-27001": ("A.8",)}}, "unknown frameworks"),
        ({"resource_types": ()}, "resource_types"),
        (
            {"check": None, "stack_check": lambda r, c: [], "check_receives_resource": True},
            "needs a resource check",
        ),
    ],
)
def test_a_malformed_policy_spec_is_refused_when_declared(overrides, fragment):
    with pytest.raises(ValueError, match=fragment):
        _spec(**overrides)


def test_a_check_that_asks_for_the_resource_is_given_its_type_urn_and_name():
    spec = _spec(
        resource_types=("aws:sns/topic:Topic", "aws:sqs/queue:Queue"),
        check=lambda props, config, resource: f"judged {resource.name} as {resource.resource_type}",
        check_receives_resource=True,
    )
    urn = "urn:pulumi:dev::p::aws:sqs/queue:Queue::jobs"

    assert spec.evaluate({}, resource_type="aws:sqs/queue:Queue", urn=urn) == [
        "judged jobs as aws:sqs/queue:Queue"
    ]


def test_a_wildcard_resource_type_covers_every_type_of_its_package():
    spec = _spec(resource_types=("aws:*", "pulumi:providers:aws"))

    assert spec.applies_to("aws:s3/bucket:Bucket")
    assert spec.applies_to("pulumi:providers:aws")
    assert not spec.applies_to("kubernetes:apps/v1:Deployment")


def test_config_defaults_come_from_the_schema_and_unknown_keys_are_ignored():
    spec = _spec(config_schema={"minimumDays": {"type": "integer", "default": 30}})

    assert spec.config({"minimumDays": 90, "other": 1}) == {"minimumDays": 90}
    assert spec.config(None) == {"minimumDays": 30}


def test_get_path_walks_mappings_and_lists_and_defaults_on_missing_steps():
    props = {"a": {"b": [{"c": 1}]}}

    assert get_path(props, "a.b.0.c") == 1
    assert get_path(props, "a.b.3.c", "none") == "none"
    assert get_path(props, "a.x.c") is None


def test_every_pack_gets_a_waiver_audit_policy_after_its_own():
    policies = build_policies([_spec()])

    assert [p.name for p in policies] == ["aws-example-check", "waived-violations"]


def test_discovery_finds_every_policy_module_of_a_pack_sorted_by_id():
    specs = discover("goldenpath.policies.aws_security")
    ids = [s.id for s in specs]

    assert ids == sorted(ids)
    assert "aws-cloudwatch-log-retention" in ids
    assert len(ids) == len(set(ids))
