"""Monitoring: a Prometheus Operator ServiceMonitor that scrapes a service, and a PrometheusRule
that alerts on its error rate, p99 latency, container restarts and unavailable replicas.

Both are ``monitoring.coreos.com/v1`` custom resources; the cluster needs the Prometheus Operator
(kube-prometheus-stack) and kube-state-metrics, whose series the restart and replica alerts read.

A queue worker has no Service: its pods are scraped by a PodMonitor (``scrape="pods"``) and it is
alerted on restarts, unavailable replicas and its queue's backlog (``worker``). A CronJob is not
scraped (``scrape=None``) and is alerted on failed runs and on no success for too long (``job``).
"""

from __future__ import annotations

from typing import Literal

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


class WorkerAlerts(ComponentArgs):
    """A queue worker's alerts beyond restarts and unavailable replicas: its queue's backlog."""

    backlog_metric: str | None = Field(
        default=None,
        pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$",
        description="Prometheus series of the queue's backlog (visible messages, consumer lag); no alert when None.",
    )
    backlog_selector: LabelMap = Field(
        default_factory=dict, description="Labels that pick the worker's queue among backlog_metric's series."
    )
    backlog: float = Field(
        default=1000, gt=0, description="Backlog (summed over the selected series) that alerts."
    )


class JobAlerts(ComponentArgs):
    """A CronJob's alerts: a run that failed, and no successful run for too long."""

    interval_seconds: int = Field(ge=60, description="The longest gap between two scheduled runs, seconds.")
    missed_runs: int = Field(
        default=conventions.K8S_ALERT_MISSED_RUNS,
        ge=1,
        description="Scheduled runs without a success before alerting.",
    )
    active_deadline_seconds: int = Field(
        default=0, ge=0, description="How long one run may take; added to the allowance."
    )

    def overdue_seconds(self) -> int:
        """How long after the last success (completion) the next success is overdue."""
        return self.missed_runs * self.interval_seconds + self.active_deadline_seconds


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
    scrape: Literal["service", "pods"] | None = Field(
        default="service",
        description="service: a ServiceMonitor on the Service; pods: a PodMonitor on the pods (no Service); "
        "None: not scraped.",
    )
    worker: WorkerAlerts | None = Field(
        default=None, description="Alert as a queue worker (restarts, unavailability, backlog), not on HTTP."
    )
    job: JobAlerts | None = Field(
        default=None, description="Alert as the CronJob of this name (failed runs, overdue success)."
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


def pod_monitor_spec(args: MonitoringArgs, namespace: str) -> dict:
    return {
        "selector": {"matchLabels": selector_labels(args.labels)},
        "namespaceSelector": {"matchNames": [namespace]},
        "podMetricsEndpoints": [
            {
                "port": PORT_NAME,
                "path": args.metrics_path,
                "interval": args.scrape_interval,
                "scheme": "http",
            }
        ],
    }


def _rule(args: MonitoringArgs, namespace: str, alert: str, expr: str, severity: str, summary: str) -> dict:
    return {
        "alert": alert,
        "expr": expr,
        "for": args.thresholds.duration,
        "labels": {
            "severity": severity,
            "team": args.labels[conventions.LABEL_TEAM],
            "service": args.service,
        },
        "annotations": {"summary": summary, "description": f"{summary} ({namespace}/{args.service})."},
    }


def _selector_text(labels: dict[str, str]) -> str:
    return ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


def worker_rules(args: MonitoringArgs, namespace: str) -> list[dict]:
    """Restarts and unavailable replicas as for a service, and the queue's backlog if its metric is named."""
    assert args.worker is not None
    rules = [
        r
        for r in service_rules(args, namespace)
        if r["alert"] in ("ContainerRestarting", "ReplicasUnavailable")
    ]
    worker = args.worker
    if worker.backlog_metric:
        backlog = f"sum({worker.backlog_metric}{{{_selector_text(worker.backlog_selector)}}})"
        rules.append(
            _rule(
                args,
                namespace,
                "QueueBacklogHigh",
                f"{backlog} > {worker.backlog:g}",
                "warning",
                f"The queue's backlog is above {worker.backlog:g}",
            )
        )
    return rules


def job_rules(args: MonitoringArgs, namespace: str) -> list[dict]:
    """A run that failed (kube_job_failed, after its retries), and a success overdue."""
    assert args.job is not None
    owned = f'kube_job_owner{{namespace="{namespace}",owner_kind="CronJob",owner_name="{args.service}"}}'
    failed = (
        f'kube_job_failed{{namespace="{namespace}",condition="true"}} '
        f"* on (namespace, job_name) group_left() {owned}"
    )
    scope = f'namespace="{namespace}",cronjob="{args.service}"'
    # Until the first success, the CronJob's creation time stands in for it, so a job that never
    # succeeds alerts too.
    last = (
        f"max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{{{scope}}} "
        f"or kube_cronjob_created{{{scope}}})"
    )
    # A CronJob suspended on purpose runs nothing: its overdue success is not news.
    suspended = f"kube_cronjob_spec_suspend{{{scope}}} == 1"
    overdue = args.job.overdue_seconds()
    return [
        _rule(args, namespace, "CronJobRunFailed", f"{failed} > 0", "warning", "A scheduled run failed"),
        _rule(
            args,
            namespace,
            "CronJobSuccessOverdue",
            f"time() - {last} > {overdue} unless on (namespace, cronjob) {suspended}",
            "critical",
            f"No successful run for {args.job.missed_runs} scheduled intervals ({overdue}s)",
        ),
    ]


def alert_rules(args: MonitoringArgs, namespace: str) -> list[dict]:
    """Prometheus alerting rules for one workload in one namespace."""
    if args.job is not None:
        return job_rules(args, namespace)
    if args.worker is not None:
        return worker_rules(args, namespace)
    return service_rules(args, namespace)


def service_rules(args: MonitoringArgs, namespace: str) -> list[dict]:
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

    service_monitor_name: pulumi.Output[str] | None
    rule_name: pulumi.Output[str]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = {**args.labels, **args.prometheus_labels}
        namespace = pulumi.Output.from_input(args.namespace)

        def metadata(object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=namespace, labels=labels)

        service_monitor = None
        if args.scrape == "service":
            service_monitor = k8s.apiextensions.CustomResource(
                f"{name}-service-monitor",
                api_version=API_VERSION,
                kind="ServiceMonitor",
                metadata=metadata(args.service),
                spec=namespace.apply(lambda ns: service_monitor_spec(args, ns)),
                opts=child,
            )
        elif args.scrape == "pods":
            service_monitor = k8s.apiextensions.CustomResource(
                f"{name}-pod-monitor",
                api_version=API_VERSION,
                kind="PodMonitor",
                metadata=metadata(args.service),
                spec=namespace.apply(lambda ns: pod_monitor_spec(args, ns)),
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

        # The ServiceMonitor's or PodMonitor's name; None when nothing is scraped.
        self.service_monitor_name = (
            service_monitor.metadata.apply(lambda m: m["name"]) if service_monitor is not None else None
        )
        self.rule_name = rule.metadata.apply(lambda m: m["name"])
        outputs = {"serviceMonitorName": self.service_monitor_name, "ruleName": self.rule_name}
        self.register_outputs({k: v for k, v in outputs.items() if v is not None})
