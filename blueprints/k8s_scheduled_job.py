"""The Kubernetes scheduled job paved path: a hardened CronJob with its secrets and failure alerts.

A product team's whole stack::

    import pulumi
    from goldenpath.blueprints import K8sScheduledJob

    job = K8sScheduledJob("nightly-report")
    pulumi.export("namespace", job.namespace)

Every knob lives in ``Pulumi.<env>.yaml`` under the project's namespace and is validated by
:class:`K8sScheduledJobConfig` before a single resource is registered. Its pods accept no
connection and reach cluster DNS and the ``egressTo`` destinations only. The cluster runs the
Prometheus Operator with kube-state-metrics 2.3 or later (the alerts read its Job and CronJob
series), and the External Secrets Operator when secrets are used.
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pydantic import Field, ValidationInfo, field_validator

from goldenpath import conventions
from goldenpath.blueprints.k8s_service import _LABEL_VALUE_PATTERN, ResourcesConfig
from goldenpath.blueprints.k8s_worker import EgressConfig
from goldenpath.components.k8s.monitoring import JobAlerts, Monitoring, MonitoringArgs
from goldenpath.components.k8s.scheduled_job import (
    Schedule,
    ScheduledJob,
    ScheduledJobArgs,
    TimeZone,
    longest_interval_seconds,
    shortest_interval_seconds,
)
from goldenpath.components.k8s.secrets import SecretKeys, Secrets, SecretsArgs
from goldenpath.components.k8s.workload import (
    DnsLabel,
    EgressDestination,
    EnvVars,
    LabelMap,
    PinnedImage,
    ResourceQuantities,
    dns_label,
)
from goldenpath.config import ConfigModel, load_config

BLUEPRINT = "K8sScheduledJob"
TYPE_TOKEN = "goldenpath:blueprints:K8sScheduledJob"
# The CronJob controller names each run's Job <name>-<minutes since the epoch>: 11 more characters.
MAX_NAME_LENGTH = 52


class JobAlertsConfig(ConfigModel):
    """Alert thresholds; the defaults come from the platform conventions."""

    missed_runs: int = Field(
        conventions.K8S_ALERT_MISSED_RUNS,
        ge=1,
        le=100,
        description="Scheduled intervals without a successful run (plus one run's activeDeadlineSeconds) before alerting.",
    )


class K8sScheduledJobConfig(ConfigModel):
    """The knobs of a K8sScheduledJob, read from the stack config (camelCase keys)."""

    team: str = Field(
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", description="Owning team, lower-case kebab."
    )
    cost_center: str = Field(pattern=_LABEL_VALUE_PATTERN, description="Cost center billed; becomes a label.")
    environment: conventions.Environment = Field(description="dev, staging or prod.")
    image: PinnedImage = Field(
        description="Container image pinned by a tag other than 'latest' or by a digest."
    )
    schedule: Schedule = Field(
        description="Cron schedule: five fields 'minute hour day-of-month month day-of-week' or @daily, @hourly, …"
    )
    time_zone: TimeZone = Field(
        conventions.K8S_CRONJOB_TIME_ZONE, description="IANA time zone the schedule is read in."
    )
    command: list[str] = Field(default_factory=list, description="Entrypoint; the image's when empty.")
    args: list[str] = Field(default_factory=list, description="Arguments; the image's when empty.")
    concurrency_policy: Literal["Forbid", "Replace", "Allow"] = Field(
        "Forbid",
        description="A run due while the last still runs: Forbid skips it, Replace stops the last, Allow "
        f"overlaps (at most {conventions.K8S_CRONJOB_ALLOWED_OVERLAP}).",
    )
    starting_deadline_seconds: int = Field(
        conventions.K8S_CRONJOB_STARTING_DEADLINE_SECONDS,
        ge=10,
        le=86400,
        description="How late a missed run may still start, seconds.",
    )
    successful_jobs_history_limit: int = Field(3, ge=0, le=100, description="Finished runs kept.")
    failed_jobs_history_limit: int = Field(3, ge=0, le=100, description="Failed runs kept.")
    suspend: bool = Field(False, description="Schedule no runs.")
    backoff_limit: int = Field(
        conventions.K8S_JOB_BACKOFF_LIMIT, ge=0, le=20, description="Retries of a failed run."
    )
    active_deadline_seconds: int | None = Field(
        None,
        ge=1,
        le=7 * 86400,
        description=f"A run, retries included, is stopped after this many seconds; when unset "
        f"{conventions.K8S_JOB_ACTIVE_DEADLINE_SECONDS}, or the schedule's shortest gap if less.",
    )
    ttl_seconds_after_finished: int = Field(
        conventions.K8S_JOB_TTL_SECONDS,
        ge=0,
        le=30 * 86400,
        description="A finished run's Job and pods are deleted this many seconds later.",
    )
    restart_policy: Literal["Never", "OnFailure"] = Field(
        "Never", description="Never retries in a new pod; OnFailure restarts the container in place."
    )
    resources: ResourcesConfig = Field(default_factory=ResourcesConfig, description="CPU and memory.")
    egress_to: list[EgressConfig] = Field(
        default_factory=list, description="Where the job may connect beyond cluster DNS; nowhere when empty."
    )
    namespace: DnsLabel | None = Field(None, description="Namespace to run in; the job's name when unset.")
    create_namespace: bool = Field(True, description="Create the namespace; false to use an existing one.")
    prometheus_labels: LabelMap = Field(
        default_factory=dict, description="Labels the Prometheus Operator selects rules by."
    )
    secrets: SecretKeys = Field(
        default_factory=list, description="Secret names, mounted as files; read from secretStore."
    )
    secret_store: DnsLabel | None = Field(
        None, description="The (Cluster)SecretStore the External Secrets Operator reads."
    )
    secret_store_kind: Literal["ClusterSecretStore", "SecretStore"] = Field(
        "ClusterSecretStore", description="Kind of secretStore."
    )
    environment_variables: EnvVars = Field(default_factory=dict, description="Plain environment variables.")
    aws_role_arn: str | None = Field(
        None,
        pattern=conventions.IAM_ROLE_ARN_PATTERN,
        description="IAM role the pods assume on EKS through their service account (IRSA); none when unset "
        "(EKS Pod Identity needs no annotation).",
    )
    alerts: JobAlertsConfig = Field(default_factory=JobAlertsConfig, description="Alert thresholds.")

    @field_validator("active_deadline_seconds")
    @classmethod
    def _ends_before_the_next_run(cls, value: int | None, info: ValidationInfo) -> int | None:
        schedule = info.data.get("schedule")
        if schedule is None or value is None:
            return value
        interval = shortest_interval_seconds(schedule)
        if value > interval and info.data.get("concurrency_policy", "Forbid") != "Allow":
            raise ValueError(
                f"must not exceed the schedule's shortest interval ({interval}s) unless concurrencyPolicy is "
                "Allow: a run that long makes the next one be skipped or stopped"
            )
        return value

    def run_deadline_seconds(self) -> int:
        """activeDeadlineSeconds, with the default filled in: no longer than the schedule's shortest gap."""
        if self.active_deadline_seconds is not None:
            return self.active_deadline_seconds
        return min(conventions.K8S_JOB_ACTIVE_DEADLINE_SECONDS, shortest_interval_seconds(self.schedule))

    @field_validator("ttl_seconds_after_finished")
    @classmethod
    def _kept_long_enough_to_alert(cls, value: int) -> int:
        # A failed run's Job is what the failure alert reads: deleted sooner, it never fires.
        if value < conventions.K8S_JOB_MIN_TTL_SECONDS:
            raise ValueError(
                f"must be at least {conventions.K8S_JOB_MIN_TTL_SECONDS} so a failed run is still there when "
                "its alert fires"
            )
        return value

    @field_validator("secret_store")
    @classmethod
    def _store_for_secrets(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("secrets"):
            raise ValueError("required when secrets are listed: the (Cluster)SecretStore that holds them")
        return value


def component_labels(name: str, config: K8sScheduledJobConfig, component: str) -> dict[str, str]:
    """The standard labels of one component's objects, plus the cost center."""
    standard = conventions.standard_labels(
        team=config.team,
        service=name,
        environment=config.environment,
        blueprint=BLUEPRINT,
        component=component,
    )
    return {**standard, conventions.LABEL_COST_CENTER: config.cost_center}


def secret_name(name: str, config: K8sScheduledJobConfig) -> str | None:
    return conventions.physical_name(name, "secrets", kind="k8s") if config.secrets else None


def job_args(name: str, config: K8sScheduledJobConfig) -> ScheduledJobArgs:
    return ScheduledJobArgs(
        service=name,
        namespace=config.namespace or name,
        create_namespace=config.create_namespace,
        labels=component_labels(name, config, "job"),
        image=config.image,
        command=list(config.command),
        args=list(config.args),
        schedule=config.schedule,
        time_zone=config.time_zone,
        concurrency_policy=config.concurrency_policy,
        starting_deadline_seconds=config.starting_deadline_seconds,
        successful_jobs_history_limit=config.successful_jobs_history_limit,
        failed_jobs_history_limit=config.failed_jobs_history_limit,
        suspend=config.suspend,
        backoff_limit=config.backoff_limit,
        active_deadline_seconds=config.run_deadline_seconds(),
        ttl_seconds_after_finished=config.ttl_seconds_after_finished,
        restart_policy=config.restart_policy,
        requests=ResourceQuantities(**config.resources.requests.model_dump()),
        limits=ResourceQuantities(**config.resources.limits.model_dump()),
        egress_to=[EgressDestination(**d.model_dump()) for d in config.egress_to],
        secret_name=secret_name(name, config),
        service_account_annotations=(
            {conventions.K8S_IRSA_ROLE_ANNOTATION: config.aws_role_arn} if config.aws_role_arn else {}
        ),
        env=dict(config.environment_variables),
    )


class K8sScheduledJob(pulumi.ComponentResource):
    """A production-ready scheduled job on Kubernetes: CronJob, network isolation, secrets and alerts."""

    namespace: pulumi.Output[str]
    cron_job_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: K8sScheduledJobConfig | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        dns_label(name, "K8sScheduledJob name")
        if len(name) > MAX_NAME_LENGTH:
            raise ValueError(
                f"K8sScheduledJob name {name!r} is longer than {MAX_NAME_LENGTH} characters: the CronJob "
                "controller adds 11 to name each run's Job"
            )
        config = args if args is not None else load_config(K8sScheduledJobConfig)
        # Built before anything is registered: a value a component refuses fails here, not halfway.
        inputs = job_args(name, config)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.config = config
        child = pulumi.ResourceOptions(parent=self)

        job = ScheduledJob(name, inputs, child)
        if inputs.secret_name:
            Secrets(
                name,
                SecretsArgs(
                    secret_name=inputs.secret_name,
                    namespace=job.namespace,
                    labels=component_labels(name, config, "secrets"),
                    store_name=config.secret_store,
                    store_kind=config.secret_store_kind,
                    keys=list(config.secrets),
                    remote_key_prefix=f"{conventions.NAME_ROOT}/{name}/{config.environment}",
                ),
                child,
            )
        Monitoring(
            name,
            MonitoringArgs(
                service=name,
                namespace=job.namespace,
                labels=component_labels(name, config, "monitoring"),
                prometheus_labels=dict(config.prometheus_labels),
                scrape=None,
                job=JobAlerts(
                    interval_seconds=longest_interval_seconds(config.schedule),
                    missed_runs=config.alerts.missed_runs,
                    active_deadline_seconds=config.run_deadline_seconds(),
                ),
            ),
            child,
        )

        self.namespace = job.namespace
        self.cron_job_name = job.cron_job_name
        self.register_outputs({"namespace": self.namespace, "cronJobName": self.cron_job_name})
