"""Monitoring: a ServiceMonitor that scrapes the service and a PrometheusRule that alerts on it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from goldenpath.components.k8s import AlertThresholds, Monitoring, MonitoringArgs
from goldenpath.conventions import standard_labels
from goldenpath.harness import ProgramRun, run_under_mocks

SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
LABELS = standard_labels(
    team="commerce", service="catalog", environment="prod", blueprint="K8sService", component="monitoring"
)


def run_monitoring(**overrides) -> ProgramRun:
    args = MonitoringArgs(**{"service": "catalog", "namespace": "shop", "labels": LABELS, **overrides})
    return run_under_mocks(lambda: Monitoring("catalog", args))


@pytest.fixture(scope="module")
def run() -> ProgramRun:
    return run_monitoring(
        thresholds=AlertThresholds(
            error_rate_percent=2.5, latency_p99_seconds=0.75, restarts=4, unavailable_replicas=1
        ),
        prometheus_labels={"release": "kube-prometheus-stack"},
    )


def alerts(run: ProgramRun) -> dict[str, dict]:
    (group,) = run.one(PROMETHEUS_RULE).inputs["spec"]["groups"]
    return {rule["alert"]: rule for rule in group["rules"]}


def test_both_objects_are_prometheus_operator_custom_resources_under_the_component(run):
    component = run.one("goldenpath:k8s:Monitoring")

    for type_token, kind in ((SERVICE_MONITOR, "ServiceMonitor"), (PROMETHEUS_RULE, "PrometheusRule")):
        resource = run.one(type_token)
        assert resource.parent == component.urn
        assert (resource.inputs["apiVersion"], resource.inputs["kind"]) == ("monitoring.coreos.com/v1", kind)


def test_both_objects_are_named_namespaced_and_labelled(run):
    for type_token in (SERVICE_MONITOR, PROMETHEUS_RULE):
        metadata = run.one(type_token).inputs["metadata"]
        assert (metadata["name"], metadata["namespace"]) == ("catalog", "shop")
        assert metadata["labels"].items() >= LABELS.items()
        assert metadata["labels"]["release"] == "kube-prometheus-stack"


def test_service_monitor_scrapes_the_services_http_port_in_its_namespace(run):
    spec = run.one(SERVICE_MONITOR).inputs["spec"]

    assert spec["selector"] == {
        "matchLabels": {"app.kubernetes.io/name": "catalog", "app.kubernetes.io/instance": "catalog-prod"}
    }
    assert spec["namespaceSelector"] == {"matchNames": ["shop"]}
    assert spec["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s", "scheme": "http"}]


def test_rule_alerts_on_error_rate_latency_restarts_and_unavailable_replicas(run):
    assert set(alerts(run)) == {
        "HighErrorRate",
        "HighLatencyP99",
        "ContainerRestarting",
        "ReplicasUnavailable",
    }


def test_error_rate_alert_compares_5xx_share_with_the_threshold(run):
    expr = alerts(run)["HighErrorRate"]["expr"]

    assert 'code=~"5.."' in expr
    assert expr.endswith("* 100 > 2.5")


def test_latency_alert_compares_the_p99_with_the_threshold(run):
    expr = alerts(run)["HighLatencyP99"]["expr"]

    assert expr.startswith("histogram_quantile(0.99, ")
    assert "http_request_duration_seconds_bucket" in expr
    assert expr.endswith("> 0.75")


def test_restart_and_replica_alerts_use_their_thresholds(run):
    assert alerts(run)["ContainerRestarting"]["expr"].endswith("[15m]) >= 4")
    assert alerts(run)["ReplicasUnavailable"]["expr"] == (
        'kube_deployment_status_replicas_unavailable{namespace="shop",deployment="catalog"} > 1'
    )


def test_request_alerts_are_scoped_to_this_service_in_its_namespace(run):
    for name in ("HighErrorRate", "HighLatencyP99"):
        assert 'namespace="shop",service="catalog"' in alerts(run)[name]["expr"], name


def test_every_alert_carries_team_service_and_severity_for_routing(run):
    for name, rule in alerts(run).items():
        assert rule["labels"]["team"] == "commerce", name
        assert rule["labels"]["service"] == "catalog", name
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["for"] == "5m", name
        assert rule["annotations"]["summary"], name


def test_default_thresholds_come_from_the_conventions():
    expr = alerts(run_monitoring())["HighErrorRate"]["expr"]

    assert expr.endswith("* 100 > 5")


def test_threshold_out_of_range_is_rejected():
    with pytest.raises(ValidationError, match="error_rate_percent"):
        AlertThresholds(error_rate_percent=0)
