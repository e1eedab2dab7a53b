"""Monitoring: a Prometheus Operator ServiceMonitor that scrapes a service, and a PrometheusRule
that alerts on its error rate, p99 latency, container restarts and unavailable replicas.

Both are ``monitoring.coreos.com/v1`` custom resources; the cluster needs the Prometheus Operator
(kube-prometheus-stack) and kube-state-metrics, whose series the restart and replica alerts read.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field

from goldenpath import conventions
from goldenpath.components.k8s.workload import PORT_NAME, DnsLabel, LabelMap, StandardLabels, selector_labels
from goldenpath.models import ComponentArgs, StrInput

TYPE_TOKEN = "goldenpath:k8s:Monitoring"
API_VERSION = "monitoring.coreos.com/v1"
RATE_WINDOW = "5m"
RESTART_WINDOW = "15m"
_DURATION_PATTERN = r"^[1-9][0-9]*(s|m|h)$"


class AlertThresholds(ComponentArgs):
    """When each alert fires; the defaults come from the platform conventions."""

    error_rate_percent: float = Field(
        default=conventions.K8S_ALERT_ERROR_RATE_PERCENT,
        gt=0,
        le=100,
        description=f"Share of requests answered 5xx over {RATE_WINDOW}, percent.",
    )
    latency_p99_seconds: float = Field(
        default=conventions.K8S_ALERT_LATENCY_P99_SECONDS, gt=0, description="p99 request latency, seconds."
    )
    restarts: int = Field(
        default=conventions.K8S_ALERT_RESTARTS,
        ge=1,
        description=f"Container restarts within {RESTART_WINDOW}.",
    )
    unavailable_replicas: int = Field(
        default=conventions.K8S_ALERT_UNAVAILABLE_REPLICAS,
        ge=0,
        description="Unavailable replicas tolerated; more than this alerts.",
    )
    duration: str = Field(
        default=conventions.K8S_ALERT_FOR,
        pattern=_DURATION_PATTERN,
        description="How long a condition must hold before it alerts (Prometheus `for`).",
    )


class MonitoringArgs(ComponentArgs):
    """Inputs of :class:`Monitoring`."""

    service: DnsLabel = Field(
        description="Name of the Service to scrape, and of its Deployment and container."
    )
    namespace: StrInput = Field(description="Namespace of the service.")
    labels: StandardLabels = Field(
        description="Standard labels (conventions.standard_labels) for both objects; their team labels every alert."
    )
    metrics_path: str = Field(default=conventions.K8S_METRICS_PATH, pattern=r"^/[\x21-\x7e]*$")
    scrape_interval: str = Field(default=conventions.K8S_SCRAPE_INTERVAL, pattern=_DURATION_PATTERN)
    request_metric: str = Field(
        default=conventions.K8S_REQUEST_METRIC, description="Counter of handled HTTP requests."
    )
    status_label: str = Field(
        default=conventions.K8S_STATUS_LABEL, description="Label of request_metric holding the status code."
    )
    latency_metric: str = Field(
        default=conventions.K8S_LATENCY_METRIC,
        description="Histogram of request durations, seconds (without _bucket).",
    )
    thresholds: AlertThresholds = Field(default_factory=AlertThresholds)
    prometheus_labels: LabelMap = Field(
        default_factory=dict,
        description="Extra labels the Prometheus Operator's serviceMonitorSelector/ruleSelector match on.",
    )


def service_monitor_spec(args: MonitoringArgs, namespace: str) -> dict:
    return {
        "selector": {"matchLabels": selector_labels(args.labels)},
        "namespaceSelector": {"matchNames": [namespace]},
        "endpoints": [
            {
                "port": PORT_NAME,
                "path": args.metrics_path,
                "interval": args.scrape_interval,
                "scheme": "http",
            }
        ],
    }


def alert_rules(args: MonitoringArgs, namespace: str) -> list[dict]:
    """Prometheus alerting rules for one service in one namespace."""
    t = args.thresholds
    team = args.labels[conventions.LABEL_TEAM]
    scope = f'namespace="{namespace}",service="{args.service}"'
    requests = f"sum(rate({args.request_metric}{{{scope}}}[{RATE_WINDOW}]))"
    errors = f'sum(rate({args.request_metric}{{{scope},{args.status_label}=~"5.."}}[{RATE_WINDOW}]))'
    p99 = f"histogram_quantile(0.99, sum by (le) (rate({args.latency_metric}_bucket{{{scope}}}[{RATE_WINDOW}])))"
    restarts = (
        f'increase(kube_pod_container_status_restarts_total{{namespace="{namespace}",container="{args.service}"}}'
        f"[{RESTART_WINDOW}])"
    )
    unavailable = (
        f'kube_deployment_status_replicas_unavailable{{namespace="{namespace}",deployment="{args.service}"}}'
    )

    def rule(alert: str, expr: str, severity: str, summary: str) -> dict:
        return {
            "alert": alert,
            "expr": expr,
            "for": t.duration,
            "labels": {"severity": severity, "team": team, "service": args.service},
            "annotations": {"summary": summary, "description": f"{summary} ({namespace}/{args.service})."},
        }

    return [
        rule(
            "HighErrorRate",
            f"{errors} / {requests} * 100 > {t.error_rate_percent:g}",
            "critical",
            f"More than {t.error_rate_percent:g}% of requests fail with 5xx",
        ),
        rule(
            "HighLatencyP99",
            f"{p99} > {t.latency_p99_seconds:g}",
            "warning",
            f"p99 latency is above {t.latency_p99_seconds:g}s",
        ),
        rule(
            "ContainerRestarting",
            f"{restarts} >= {t.restarts}",
            "warning",
            f"A container restarted {t.restarts} or more times in {RESTART_WINDOW}",
        ),
        rule(
            "ReplicasUnavailable",
            f"{unavailable} > {t.unavailable_replicas}",
            "critical",
            f"More than {t.unavailable_replicas} replicas are unavailable",
        ),
    ]


class Monitoring(pulumi.ComponentResource):
    """Scraping and alerting for one service through the Prometheus Operator."""

    service_monitor_name: pulumi.Output[str]
    rule_name: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = {**args.labels, **args.prometheus_labels}
        namespace = pulumi.Output.from_input(args.namespace)

        def metadata(object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=namespace, labels=labels)

        service_monitor = k8s.apiextensions.CustomResource(
            f"{name}-service-monitor",
            api_version=API_VERSION,
            kind="ServiceMonitor",
            metadata=metadata(args.service),
            spec=namespace.apply(lambda ns: service_monitor_spec(args, ns)),
            opts=child,
        )
        rule = k8s.apiextensions.CustomResource(
            f"{name}-alerts",
            api_version=API_VERSION,
            kind="PrometheusRule",
            metadata=metadata(args.service),
            spec=namespace.apply(
                lambda ns: {"groups": [{"name": args.service, "rules": alert_rules(args, ns)}]}
            ),
            opts=child,
        )

        self.service_monitor_name = service_monitor.metadata.apply(lambda m: m["name"])
        self.rule_name = rule.metadata.apply(lambda m: m["name"])
        self.register_outputs({"serviceMonitorName": self.service_monitor_name, "ruleName": self.rule_name})
