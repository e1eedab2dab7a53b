"""ScheduledJob: a hardened ``batch/v1`` CronJob with its namespace (capped by a quota and a limit
range), service account and network policies.

Its pods are hardened as the :class:`~goldenpath.components.k8s.workload.Workload`'s are (non-root,
read-only root filesystem, no capabilities, seccomp RuntimeDefault, no service-account token,
requests and limits); they accept no connection and reach nothing but cluster DNS and the
destinations named. Runs do not overlap (``concurrencyPolicy: Forbid``) unless asked, a missed run
is started late only within ``starting_deadline_seconds``, a run is retried ``backoff_limit``
times, stopped after ``active_deadline_seconds`` and deleted ``ttl_seconds_after_finished`` later.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from functools import cache
from typing import Annotated, Literal
from zoneinfo import available_timezones

import pulumi
import pulumi_kubernetes as k8s
from pydantic import AfterValidator, Field, field_validator, model_validator

from goldenpath import conventions
from goldenpath.components.k8s.workload import (
    SECRETS_VOLUME,
    TMP_VOLUME,
    DnsLabel,
    EgressDestination,
    EnvVars,
    PinnedImage,
    ResourceQuantities,
    StandardLabels,
    container_security_context,
    cpu_cores,
    dns_egress_rule,
    egress_rule,
    limits_cover_requests,
    memory_bytes,
    namespace_labels,
    pod_security_context,
    selector_labels,
)
from goldenpath.models import ComponentArgs

TYPE_TOKEN = "goldenpath:k8s:ScheduledJob"

# --- Schedules -------------------------------------------------------------------------------------

# What Kubernetes' cron parser (robfig/cron's standard one) accepts, field by field.
_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    (
        "month",
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(
                ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
            )
        },
    ),
    ("day of week", 0, 6, {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}),
)
_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_PART_RE = re.compile(r"^(?P<range>\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/(?P<step>\d+))?$")
# Long enough to hold every weekday of every date of a leap year's cycle.
_CYCLE_DAYS = 8 * 366
_CYCLE_START = date(2024, 1, 1)
_SCHEDULE_HINT = (
    "five fields 'minute hour day-of-month month day-of-week' (e.g. '30 2 * * *') or @daily, @hourly, …"
)


def _value(text: str, what: str, low: int, high: int, names: dict[str, int]) -> int:
    number = names.get(text.upper()) if not text.isdigit() else int(text)
    if number is None or not low <= number <= high:
        raise ValueError(f"{what} {text!r} is not {low}-{high}{' or a name' if names else ''}")
    return number


def _field(text: str, what: str, low: int, high: int, names: dict[str, int]) -> tuple[set[int], bool]:
    """The values one field matches, and whether it is unrestricted (``*`` or ``?``)."""
    values: set[int] = set()
    star = False
    for part in text.split(","):
        match = _PART_RE.match(part)
        if not match:
            raise ValueError(f"{what} {part!r} is not a value, range, list or step")
        step = int(match["step"]) if match["step"] else 1
        if step < 1:
            raise ValueError(f"{what} step in {part!r} must be at least 1")
        span = match["range"]
        if span in ("*", "?"):
            start, end = low, high
            star = star or step == 1
        elif "-" in span:
            start, end = (_value(v, what, low, high, names) for v in span.split("-"))
            if start > end:
                raise ValueError(f"{what} range {span!r} runs backwards")
        else:
            start = _value(span, what, low, high, names)
            end = high if match["step"] else start
        values.update(range(start, end + 1, step))
    return values, star


def parse_schedule(schedule: str) -> tuple[set[int], ...]:
    """(minutes, hours, days, months, weekdays, dom_star, dow_star) of a Kubernetes CronJob schedule."""
    text = " ".join(schedule.split())
    if text.upper().startswith(("TZ=", "CRON_TZ=")):
        raise ValueError("a schedule may not set its time zone (Kubernetes refuses TZ=); use timeZone")
    text = _MACROS.get(text.lower(), text)
    parts = text.split(" ")
    if len(parts) != 5:
        raise ValueError(f"schedule {schedule!r} must be {_SCHEDULE_HINT}")
    fields = [_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
    return (*(values for values, _ in fields), fields[2][1], fields[4][1])


def longest_interval_seconds(schedule: str) -> int:
    """The longest time between two consecutive runs of ``schedule``, in seconds (wall-clock, no DST)."""
    return max(_intervals(schedule)) * 60


def shortest_interval_seconds(schedule: str) -> int:
    """The shortest time between two consecutive runs of ``schedule``, in seconds (wall-clock, no DST)."""
    return min(_intervals(schedule)) * 60


@cache
def _intervals(schedule: str) -> tuple[int, int]:
    """(shortest, longest) minutes between two consecutive runs."""
    minutes, hours, days, months, weekdays, dom_star, dow_star = parse_schedule(schedule)
    times = sorted(h * 60 + m for h in hours for m in minutes)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    longest = max(gaps, default=0)
    shortest = min(gaps, default=None)
    previous = None
    for offset in range(_CYCLE_DAYS):
        day = _CYCLE_START + timedelta(days=offset)
        dom, dow = day.day in days, (day.isoweekday() % 7) in weekdays
        # robfig/cron: with either day field unrestricted both must match, otherwise either may.
        matches = (dom and dow) if (dom_star or dow_star) else (dom or dow)
        if day.month not in months or not matches:
            continue
        if previous is not None:
            gap = (offset - previous) * 1440 + times[0] - times[-1]
            longest = max(longest, gap)
            shortest = gap if shortest is None else min(shortest, gap)
        previous = offset
    if previous is None:
        raise ValueError(f"schedule {schedule!r} never runs (no date matches its day and month fields)")
    return shortest if shortest is not None else longest, longest


def check_schedule(schedule: str) -> str:
    longest_interval_seconds(schedule)
    return schedule


_ZONE_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$")


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(zone: str) -> str:
    known = _time_zones()
    # Without a time zone database here (no tzdata), only the shape of the name can be checked.
    if (known and zone not in known) or not _ZONE_NAME_RE.match(zone):
        raise ValueError(f"time zone {zone!r} is not an IANA time zone name such as Etc/UTC or Europe/Berlin")
    return zone


Schedule = Annotated[str, AfterValidator(check_schedule)]
TimeZone = Annotated[str, AfterValidator(check_time_zone)]

# --- Args ------------------------------------------------------------------------------------------

# How many runs' pods may be alive at once under each concurrency policy; Allow is capped here,
# by the namespace's quota.
RUNS_AT_ONCE = {"Forbid": 1, "Replace": 2, "Allow": conventions.K8S_CRONJOB_ALLOWED_OVERLAP}


class ScheduledJobArgs(ComponentArgs):
    """Inputs of a :class:`ScheduledJob`; every default is the hardened choice."""

    service: DnsLabel = Field(
        description="Name of the CronJob and every other object (at most 52 characters)."
    )
    namespace: DnsLabel = Field(description="Namespace to run in.")
    create_namespace: bool = Field(
        default=True,
        description="Create the namespace (restricted Pod Security labels, a ResourceQuota and a LimitRange).",
    )
    labels: StandardLabels = Field(
        description="Standard labels (conventions.standard_labels) for every object."
    )
    image: PinnedImage = Field(
        description="Container image pinned by a tag other than 'latest' or by a digest."
    )
    command: list[str] = Field(default_factory=list, description="Entrypoint; the image's when empty.")
    args: list[str] = Field(default_factory=list, description="Arguments; the image's when empty.")
    schedule: Schedule = Field(description="Cron schedule, five fields or a macro such as @daily.")
    time_zone: TimeZone = Field(
        default=conventions.K8S_CRONJOB_TIME_ZONE, description="IANA time zone of the schedule."
    )
    concurrency_policy: Literal["Forbid", "Replace", "Allow"] = Field(
        default="Forbid", description="What a run due while the last one still runs does."
    )
    starting_deadline_seconds: int = Field(
        default=conventions.K8S_CRONJOB_STARTING_DEADLINE_SECONDS,
        ge=10,
        description="How late a missed run may still start; below 10 s the controller may never start it.",
    )
    successful_jobs_history_limit: int = Field(default=3, ge=0, le=100)
    failed_jobs_history_limit: int = Field(default=3, ge=0, le=100)
    suspend: bool = Field(default=False, description="Schedule no runs.")
    backoff_limit: int = Field(
        default=conventions.K8S_JOB_BACKOFF_LIMIT, ge=0, le=20, description="Retries of a failed run."
    )
    active_deadline_seconds: int = Field(
        default=conventions.K8S_JOB_ACTIVE_DEADLINE_SECONDS,
        ge=1,
        description="A run (retries included) is stopped after this.",
    )
    ttl_seconds_after_finished: int = Field(
        default=conventions.K8S_JOB_TTL_SECONDS,
        ge=0,
        description="A finished run's Job and pods are deleted after this.",
    )
    restart_policy: Literal["Never", "OnFailure"] = Field(
        default="Never", description="Never: a failed container fails its pod and a new pod retries."
    )
    requests: ResourceQuantities = Field(
        default_factory=lambda: ResourceQuantities(**conventions.K8S_REQUESTS)
    )
    limits: ResourceQuantities = Field(default_factory=lambda: ResourceQuantities(**conventions.K8S_LIMITS))
    egress_to: list[EgressDestination] = Field(
        default_factory=list, description="Where the pods may connect beyond cluster DNS; nowhere when empty."
    )
    secret_name: DnsLabel | None = Field(
        default=None, description="Secret mounted read-only at secret_mount_path, one file per key."
    )
    secret_mount_path: str = Field(default=conventions.K8S_SECRET_MOUNT_PATH, pattern=r"^/[^\s]*[^/\s]$")
    env: EnvVars = Field(default_factory=dict, description="Plain (non-secret) environment variables.")
    service_account_annotations: dict[str, str] = Field(
        default_factory=dict,
        description="Annotations of the service account, e.g. the IAM role EKS gives the pods (IRSA).",
    )

    @field_validator("service")
    @classmethod
    def _short_enough(cls, value: str) -> str:
        # The CronJob controller appends an 11-character suffix to name each run's Job (63 at most).
        if len(value) > 52:
            raise ValueError(f"CronJob name {value!r} is longer than 52 characters")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ScheduledJobArgs:
        limits_cover_requests(self.requests, self.limits)
        if self.secret_mount_path == conventions.K8S_TMP_MOUNT_PATH:
            raise ValueError(
                f"secret_mount_path must not be {conventions.K8S_TMP_MOUNT_PATH}, the scratch volume"
            )
        return self


# --- Object builders -------------------------------------------------------------------------------


def job_container(args: ScheduledJobArgs) -> k8s.core.v1.ContainerArgs:
    mounts = [k8s.core.v1.VolumeMountArgs(name=TMP_VOLUME, mount_path=conventions.K8S_TMP_MOUNT_PATH)]
    if args.secret_name:
        mounts.append(
            k8s.core.v1.VolumeMountArgs(
                name=SECRETS_VOLUME, mount_path=args.secret_mount_path, read_only=True
            )
        )
    return k8s.core.v1.ContainerArgs(
        name=args.service,
        image=args.image,
        image_pull_policy="Always",
        command=list(args.command) or None,
        args=list(args.args) or None,
        env=[k8s.core.v1.EnvVarArgs(name=k, value=v) for k, v in sorted(args.env.items())] or None,
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": args.requests.cpu, "memory": args.requests.memory},
            limits={"cpu": args.limits.cpu, "memory": args.limits.memory},
        ),
        security_context=container_security_context(),
        volume_mounts=mounts,
    )


def job_volumes(args: ScheduledJobArgs) -> list[k8s.core.v1.VolumeArgs]:
    found = [
        k8s.core.v1.VolumeArgs(
            name=TMP_VOLUME,
            empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit=conventions.K8S_TMP_SIZE_LIMIT),
        )
    ]
    if args.secret_name:
        found.append(
            k8s.core.v1.VolumeArgs(
                name=SECRETS_VOLUME,
                secret=k8s.core.v1.SecretVolumeSourceArgs(
                    secret_name=args.secret_name, default_mode=conventions.K8S_SECRET_FILE_MODE
                ),
            )
        )
    return found


def cron_job_spec(args: ScheduledJobArgs, service_account: str) -> k8s.batch.v1.CronJobSpecArgs:
    labels = dict(args.labels)
    return k8s.batch.v1.CronJobSpecArgs(
        schedule=args.schedule,
        time_zone=args.time_zone,
        concurrency_policy=args.concurrency_policy,
        starting_deadline_seconds=args.starting_deadline_seconds,
        successful_jobs_history_limit=args.successful_jobs_history_limit,
        failed_jobs_history_limit=args.failed_jobs_history_limit,
        suspend=args.suspend,
        job_template=k8s.batch.v1.JobTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
            spec=k8s.batch.v1.JobSpecArgs(
                backoff_limit=args.backoff_limit,
                active_deadline_seconds=args.active_deadline_seconds,
                ttl_seconds_after_finished=args.ttl_seconds_after_finished,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        labels=labels, annotations=dict(conventions.LOG_ANNOTATIONS)
                    ),
                    spec=k8s.core.v1.PodSpecArgs(
                        service_account_name=service_account,
                        automount_service_account_token=False,
                        enable_service_links=False,
                        restart_policy=args.restart_policy,
                        security_context=pod_security_context(),
                        termination_grace_period_seconds=conventions.K8S_TERMINATION_GRACE_SECONDS,
                        containers=[job_container(args)],
                        volumes=job_volumes(args),
                    ),
                ),
            ),
        ),
    )


def peak_pods(args: ScheduledJobArgs) -> int:
    """The most pods alive at once: the runs that may overlap, each with a retry starting while its
    failed pod still terminates."""
    return RUNS_AT_ONCE[args.concurrency_policy] + 1


def quota_spec(args: ScheduledJobArgs) -> k8s.core.v1.ResourceQuotaSpecArgs:
    pods = peak_pods(args)
    hard = {"pods": str(pods)}
    for kind, quantities in (("requests", args.requests), ("limits", args.limits)):
        hard[f"{kind}.cpu"] = f"{math.ceil(cpu_cores(quantities.cpu) * pods * 1000)}m"
        hard[f"{kind}.memory"] = f"{math.ceil(memory_bytes(quantities.memory) * pods / 2**20)}Mi"
    return k8s.core.v1.ResourceQuotaSpecArgs(hard=hard)


def limit_range_spec(args: ScheduledJobArgs) -> k8s.core.v1.LimitRangeSpecArgs:
    return k8s.core.v1.LimitRangeSpecArgs(
        limits=[
            k8s.core.v1.LimitRangeItemArgs(
                type="Container",
                default={"cpu": args.limits.cpu, "memory": args.limits.memory},
                default_request={"cpu": args.requests.cpu, "memory": args.requests.memory},
            )
        ]
    )


def allow_policy_spec(args: ScheduledJobArgs) -> k8s.networking.v1.NetworkPolicySpecArgs:
    return k8s.networking.v1.NetworkPolicySpecArgs(
        pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector_labels(args.labels)),
        policy_types=["Ingress", "Egress"],
        ingress=[],
        egress=[dns_egress_rule(), *(egress_rule(d) for d in args.egress_to)],
    )


# --- Component -------------------------------------------------------------------------------------


class ScheduledJob(pulumi.ComponentResource):
    """A hardened, network-isolated CronJob in a namespace of its own."""

    namespace: pulumi.Output[str]
    cron_job_name: pulumi.Output[str]
    service_account_name: pulumi.Output[str]

    def __init__(self, name: str, args: ScheduledJobArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = dict(args.labels)

        if args.create_namespace:
            namespace_resource = k8s.core.v1.Namespace(
                f"{name}-namespace",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace, labels=namespace_labels(labels)),
                opts=child,
            )
            self.namespace = namespace_resource.metadata.apply(lambda m: m.name)
        else:
            self.namespace = pulumi.Output.from_input(args.namespace)

        def metadata(object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=self.namespace, labels=labels)

        if args.create_namespace:
            k8s.core.v1.ResourceQuota(
                f"{name}-quota", metadata=metadata(args.service), spec=quota_spec(args), opts=child
            )
            k8s.core.v1.LimitRange(
                f"{name}-limits", metadata=metadata(args.service), spec=limit_range_spec(args), opts=child
            )
        account_metadata = metadata(args.service)
        if args.service_account_annotations:
            account_metadata = k8s.meta.v1.ObjectMetaArgs(
                name=args.service,
                namespace=self.namespace,
                labels=labels,
                annotations=dict(args.service_account_annotations),
            )
        service_account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=account_metadata,
            automount_service_account_token=False,
            opts=child,
        )
        cron_job = k8s.batch.v1.CronJob(
            f"{name}-cron-job",
            metadata=metadata(args.service),
            spec=cron_job_spec(args, args.service),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[service_account]),
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-default-deny",
            metadata=metadata(conventions.physical_name(args.service, "default-deny", kind="k8s")),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(), policy_types=["Ingress", "Egress"]
            ),
            opts=child,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow",
            metadata=metadata(conventions.physical_name(args.service, "allow", kind="k8s")),
            spec=allow_policy_spec(args),
            opts=child,
        )

        self.cron_job_name = cron_job.metadata.apply(lambda m: m.name)
        self.service_account_name = service_account.metadata.apply(lambda m: m.name)
        self.register_outputs(
            {
                "namespace": self.namespace,
                "cronJobName": self.cron_job_name,
                "serviceAccountName": self.service_account_name,
            }
        )
