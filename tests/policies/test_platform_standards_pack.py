"""The platform_standards pack: its policy set, and its verdict on goldenpath's own WebService."""

from __future__ import annotations

import pytest

from goldenpath.analyzer import PolicyPackProcess, pack_dirs
from goldenpath.blueprints import WebService, WebServiceConfig
from goldenpath.check import resource_input
from goldenpath.harness import run_under_mocks
from goldenpath.policy import discover

SEVERITIES = {
    "platform-required-tags": "high",
    "platform-approved-regions": "high",
    "platform-naming-convention": "medium",
    "platform-golden-path-adoption": "low",
}
CONFIG = {
    "team": "payments",
    "costCenter": "cc-1",
    "environment": "prod",
    "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0f4b1c52-8a3e-4c1d-9d57-1b2c3d4e5f60",
    "imageTag": "1.0.0",
    "github": {"repository": "acme/payments-api"},
}


@pytest.fixture(scope="module")
def pack():
    with PolicyPackProcess(pack_dirs()["platform_standards"]) as process:
        process.configure(None)
        yield process


def test_the_pack_holds_exactly_the_platform_policies_at_their_severities():
    specs = discover("goldenpath.policies.platform_standards")

    assert {s.id: s.severity for s in specs} == SEVERITIES


def test_the_pack_is_served_under_its_name_and_version(pack):
    info = pack.info()

    assert (info.name, info.version) == ("goldenpath-platform-standards", "0.2.0")


def test_web_service_meets_every_platform_standard_including_the_advisory_ones(pack):
    config = WebServiceConfig.model_validate(CONFIG)
    run = run_under_mocks(
        lambda: WebService("payments-api", config),
        project="payments-api",
        stack="prod",
        config={"aws:region": "eu-west-1"},
    )
    inputs = [resource_input(r) for r in run.evaluated if r.custom]

    diagnostics = [f"{d.policy} on {d.urn}: {d.message}" for d in pack.evaluate(inputs)]

    assert len(inputs) > 50
    assert diagnostics == []


@pytest.mark.parametrize(
    ("resource_type", "blueprint", "component"),
    [
        ("kubernetes:apps/v1:Deployment", "K8sService", "Workload"),
        ("kubernetes:batch/v1:CronJob", "K8sScheduledJob", "ScheduledJob"),
        ("kubernetes:keda.sh/v1alpha1:ScaledObject", "K8sWorker", "QueueScaling"),
        ("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "K8sService", "Monitoring"),
    ],
)
def test_a_hand_written_kubernetes_object_is_pointed_at_the_blueprint_that_makes_it(
    resource_type, blueprint, component
):
    from goldenpath.policies.platform_standards.golden_path_adoption import _suggestion

    assert _suggestion(resource_type) == (
        f"use the {blueprint} blueprint (goldenpath.blueprints.{blueprint}) or the goldenpath:k8s:{component} component"
    )
