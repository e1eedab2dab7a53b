"""Platform conventions: tag and label keys, naming rules and secure defaults, written once.

Every component and policy reads its defaults from here, so that a decision such as "logs are
kept 30 days outside prod" has exactly one place to change and one place to review.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from goldenpath import __version__

Environment = Literal["dev", "staging", "prod"]
ENVIRONMENTS: tuple[str, ...] = ("dev", "staging", "prod")

# --- Tags (AWS) and labels (Kubernetes) -------------------------------------------------------

TAG_TEAM = "team"
TAG_SERVICE = "service"
TAG_ENVIRONMENT = "environment"
TAG_COST_CENTER = "cost-center"
TAG_MANAGED_BY = "managed-by"
TAG_BLUEPRINT = "goldenpath:blueprint"
TAG_VERSION = "goldenpath:version"
MANAGED_BY = "goldenpath"

REQUIRED_TAG_KEYS: tuple[str, ...] = (
    TAG_TEAM,
    TAG_SERVICE,
    TAG_ENVIRONMENT,
    TAG_COST_CENTER,
    TAG_MANAGED_BY,
    TAG_BLUEPRINT,
    TAG_VERSION,
)

# Waivers ride on the resource they waive: the tag (AWS) or annotation (Kubernetes) key is
# this prefix plus the policy id, the value "YYYY-MM-DD: reason".
WAIVER_TAG_PREFIX = "goldenpath:waiver:"
WAIVER_ANNOTATION_PREFIX = "waiver.goldenpath.dev/"
WAIVER_MIN_REASON_LENGTH = 10


def standard_tags(
    *,
    team: str,
    service: str,
    environment: str,
    cost_center: str,
    blueprint: str,
    version: str = __version__,
) -> dict[str, str]:
    """The tags every taggable AWS resource of a goldenpath stack carries."""
    return {
        TAG_TEAM: team,
        TAG_SERVICE: service,
        TAG_ENVIRONMENT: environment,
        TAG_COST_CENTER: cost_center,
        TAG_MANAGED_BY: MANAGED_BY,
        TAG_BLUEPRINT: blueprint,
        TAG_VERSION: version,
    }


def standard_labels(
    *,
    team: str,
    service: str,
    environment: str,
    blueprint: str,
    component: str,
    version: str = __version__,
) -> dict[str, str]:
    """The labels every Kubernetes object of a goldenpath stack carries.

    Label values are limited to 63 characters of ``[A-Za-z0-9_.-]``; the same facts as the AWS
    tags, spelled the way Kubernetes tooling (and log pipelines keyed on them) expects.
    """
    return {
        "app.kubernetes.io/name": service,
        "app.kubernetes.io/instance": f"{service}-{environment}"[:63],
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": service,
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/version": version,
        "goldenpath.dev/team": team,
        "goldenpath.dev/environment": environment,
        "goldenpath.dev/blueprint": blueprint,
    }


# --- Names --------------------------------------------------------------------------------------

# Hard limits of the AWS APIs on the name of each resource kind.
NAME_LIMITS: dict[str, int] = {
    "alb": 32,
    "target_group": 32,
    "iam_role": 64,
    "iam_policy": 128,
    "ecs_cluster": 255,
    "ecs_service": 255,
    "ecr_repository": 256,
    "log_group": 512,
    "s3_bucket": 63,
    "sns_topic": 256,
    "security_group": 255,
    "kms_alias": 256,
    "secret": 512,
    "alarm": 255,
    "dashboard": 255,
    "sqs_queue": 80,
    "schedule": 64,
    "schedule_group": 64,
    "event_rule": 64,
    "k8s": 63,
}

_HASH_LENGTH = 6
_UNSAFE = re.compile(r"[^a-z0-9-]+")


def physical_name(*parts: str, kind: str) -> str:
    """A deterministic physical name within the AWS limit for ``kind``.

    Parts are lower-cased and joined by ``-``; a name over the limit is cut and suffixed with a
    short hash of the full name, so two long names that share a prefix stay distinct and the same
    input always gives the same output.
    """
    limit = NAME_LIMITS[kind]
    full = _UNSAFE.sub("-", "-".join(p for p in parts if p).lower()).strip("-")
    full = re.sub("-{2,}", "-", full)
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:_HASH_LENGTH]
    return f"{full[: limit - _HASH_LENGTH - 1].rstrip('-')}-{digest}"


# --- Secure defaults ----------------------------------------------------------------------------

# Values CloudWatch Logs accepts for retention_in_days.
LOG_RETENTION_ALLOWED: tuple[int, ...] = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
LOG_RETENTION_DAYS: dict[str, int] = {"dev": 30, "staging": 90, "prod": 365}
LOG_RETENTION_MINIMUM_DAYS = 30

# TLS 1.3 with a TLS 1.2 floor; the recommended ALB policy.
ALB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
ALB_TLS_POLICIES_ALLOWED: tuple[str, ...] = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
)
ALB_IDLE_TIMEOUT_SECONDS = 60

KMS_KEY_ROTATION = True
KMS_ROTATION_PERIOD_DAYS = 365
KMS_DELETION_WINDOW_DAYS = 30

ECR_IMAGE_TAG_MUTABILITY = "IMMUTABLE"
ECR_KEEP_TAGGED_IMAGES = 30
ECR_UNTAGGED_EXPIRY_DAYS = 7

ACCESS_LOG_EXPIRY_DAYS = {"dev": 90, "staging": 180, "prod": 400}

# Fargate's valid (cpu units -> memory MiB) combinations.
FARGATE_CPU_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}

CONTAINER_USER = "10001:10001"
GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"

DEFAULT_VPC_CIDR = "10.0.0.0/16"
DEFAULT_AZ_COUNT = 2
FLOW_LOG_TRAFFIC_TYPE = "ALL"

ALARM_EVALUATION_PERIODS = 3
ALARM_PERIOD_SECONDS = 60

# Root of the hierarchical names goldenpath gives log groups, secrets and KMS aliases:
# /goldenpath/<service>/<environment>, goldenpath/<service>/<environment>/<secret>.
NAME_ROOT = "goldenpath"

# Subnets are laid out as if the VPC spanned this many AZs, so that adding an AZ later never
# renumbers the subnets that exist; az_count may not exceed it.
NETWORK_MAX_AZ_COUNT = 4
FLOW_LOG_PURPOSE = "vpc-flow-logs"

# Secrets Manager keeps a deleted secret recoverable for 7 to 30 days; goldenpath takes the longest.
SECRET_RECOVERY_WINDOW_DAYS = 30
SECRET_RECOVERY_WINDOW_RANGE: tuple[int, int] = (7, 30)

# Alarm thresholds a service gets unless its stack config says otherwise.
ALARM_ALB_5XX_COUNT = 10
ALARM_TARGET_RESPONSE_TIME_SECONDS = 1.0
ALARM_TARGET_RESPONSE_TIME_STATISTIC = "p99"
ALARM_UNHEALTHY_HOSTS = 1
ALARM_CPU_PERCENT = 80
ALARM_MEMORY_PERCENT = 80
SNS_SUBSCRIPTION_PROTOCOLS: tuple[str, ...] = ("email", "https", "sqs", "lambda")

# SQS queues of a worker or a job: consumers long-poll; a dead-letter queue keeps what failed as long
# as SQS allows (a message's age there counts from when it was first sent).
SQS_RECEIVE_WAIT_SECONDS = 20
SQS_MAX_RETENTION_SECONDS = 1_209_600
SQS_MESSAGE_RETENTION_SECONDS = 345_600
SQS_MAX_RECEIVE_COUNT = 5
SQS_VISIBILITY_TIMEOUT_SECONDS = 60
# Alarm thresholds of a worker's queues and a job's failures.
ALARM_QUEUE_AGE_SECONDS = 900
ALARM_DEAD_LETTER_AGE_SECONDS = 86_400
# A worker keeps this many visible messages per running task (target tracking on the backlog).
WORKER_BACKLOG_PER_TASK = 10
# A scheduled job's invocation is retried this often, for at most this long, before it is dead-lettered.
SCHEDULE_MAX_RETRY_ATTEMPTS = 2
SCHEDULE_MAX_EVENT_AGE_SECONDS = 3600

# Application Load Balancer and ECS service behaviour.
ALB_DESYNC_MITIGATION_MODE = "strictest"
TARGET_DEREGISTRATION_DELAY_SECONDS = 30
ACCESS_LOG_NONCURRENT_EXPIRY_DAYS = 30
# One hour is enough for a deployment job and the shortest session AWS allows for a role.
DEPLOY_ROLE_MAX_SESSION_SECONDS = 3600
S3_ABORT_INCOMPLETE_UPLOAD_DAYS = 7
# A Pulumi state bucket: every checkpoint of an update overwrites the stack file, so superseded
# versions pile up; they stay recoverable this long. Current objects (state, backups, history) never
# expire.
PULUMI_STATE_NONCURRENT_EXPIRY_DAYS = 90

# Remote administration and data-store ports that must never be reachable from the whole internet:
# SSH, RDP, PostgreSQL, MySQL, SQL Server, Redis, MongoDB, Elasticsearch, Kibana.
ADMIN_PORTS: tuple[int, ...] = (22, 3389, 5432, 3306, 1433, 6379, 27017, 9200, 5601)

# --- Kubernetes workloads -------------------------------------------------------------------------

# Keys of the standard labels that selectors, log pipelines and cost tools key on.
LABEL_NAME = "app.kubernetes.io/name"
LABEL_INSTANCE = "app.kubernetes.io/instance"
LABEL_TEAM = "goldenpath.dev/team"
LABEL_ENVIRONMENT = "goldenpath.dev/environment"
LABEL_COST_CENTER = "goldenpath.dev/cost-center"
# A Deployment's selector cannot change once created, so it uses only labels that never change.
SELECTOR_LABEL_KEYS: tuple[str, ...] = (LABEL_NAME, LABEL_INSTANCE)
# Log pipelines (Fluent Bit, Vector, Promtail) copy these pod labels onto every log line:
# service, team and environment.
LOG_LABEL_KEYS: tuple[str, ...] = (LABEL_NAME, LABEL_TEAM, LABEL_ENVIRONMENT)
# Pod annotations telling the log pipeline that the container writes one JSON document per line.
LOG_FORMAT_ANNOTATION = "goldenpath.dev/log-format"
LOG_ANNOTATIONS: dict[str, str] = {LOG_FORMAT_ANNOTATION: "json", "fluentbit.io/parser": "json"}

# Pod Security Standards level a goldenpath namespace enforces, audits and warns on.
POD_SECURITY_LEVEL = "restricted"
POD_SECURITY_MODES: tuple[str, ...] = ("enforce", "audit", "warn")
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

# Containers run as this non-root user and group (the same ids as CONTAINER_USER); volumes are
# group-owned by it.
K8S_RUN_AS_USER = 10001
K8S_RUN_AS_GROUP = 10001
K8S_FS_GROUP = 10001
K8S_SECCOMP_PROFILE = "RuntimeDefault"
# The root filesystem is read-only; /tmp is the one writable place, a size-limited emptyDir.
K8S_TMP_MOUNT_PATH = "/tmp"
K8S_TMP_SIZE_LIMIT = "64Mi"
# Secrets arrive as read-only files (not environment variables, which leak into crash dumps and
# child processes), one file per key, readable by the container's group only.
K8S_SECRET_MOUNT_PATH = "/var/run/secrets/app"
K8S_SECRET_FILE_MODE = 0o440

K8S_CONTAINER_PORT = 8080
K8S_SERVICE_PORT = 80
K8S_HEALTH_PATH = "/healthz"
K8S_REQUESTS: dict[str, str] = {"cpu": "100m", "memory": "128Mi"}
K8S_LIMITS: dict[str, str] = {"cpu": "500m", "memory": "256Mi"}
K8S_REVISION_HISTORY_LIMIT = 5
K8S_REPLICAS = 2
# Probe timings: a slow start gets STARTUP_FAILURES x PERIOD seconds before liveness takes over.
K8S_PROBE_PERIOD_SECONDS = 10
K8S_PROBE_TIMEOUT_SECONDS = 2
K8S_PROBE_FAILURES = 3
K8S_STARTUP_PROBE_PERIOD_SECONDS = 5
K8S_STARTUP_PROBE_FAILURES = 30
# Roll out by surging: a new pod must be ready before an old one goes.
K8S_MAX_SURGE = "25%"
K8S_MAX_UNAVAILABLE = 0
K8S_TERMINATION_GRACE_SECONDS = 30
K8S_TOPOLOGY_KEYS: tuple[str, ...] = ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
K8S_HPA_TARGET_CPU_PERCENT = 70
K8S_HPA_SCALE_DOWN_STABILIZATION_SECONDS = 300
# KEDA reads a worker's queue this often, and scales an idle one to its minimum after this long.
K8S_KEDA_POLLING_SECONDS = 30
K8S_KEDA_COOLDOWN_SECONDS = 300
# The service-account annotation by which EKS (IRSA) gives a pod an IAM role's credentials.
K8S_IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
IAM_ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$"
# A worker scales to one pod per this many queued messages (or this much consumer lag).
K8S_WORKER_MESSAGES_PER_REPLICA = 20
# CronJobs: the time zone of a schedule, how late a missed run may start, and a run's retries, time
# limit and lifetime after it finishes; concurrencyPolicy Allow lets at most this many runs overlap.
K8S_CRONJOB_TIME_ZONE = "Etc/UTC"
K8S_CRONJOB_STARTING_DEADLINE_SECONDS = 300
K8S_CRONJOB_ALLOWED_OVERLAP = 3
K8S_JOB_BACKOFF_LIMIT = 2
K8S_JOB_ACTIVE_DEADLINE_SECONDS = 3600
K8S_JOB_TTL_SECONDS = 86400
# A failed run's Job must outlive its alert's evaluation, or the alert never fires.
K8S_JOB_MIN_TTL_SECONDS = 3600

# Where cluster DNS runs: every workload may reach it, and nothing else, unless allowed.
K8S_DNS_NAMESPACE = "kube-system"
K8S_DNS_POD_LABELS: dict[str, str] = {"k8s-app": "kube-dns"}
# Where Prometheus runs: allowed to scrape the service's port.
K8S_PROMETHEUS_NAMESPACE = "monitoring"

# Prometheus scraping and alerting for Kubernetes services.
K8S_METRICS_PATH = "/metrics"
K8S_SCRAPE_INTERVAL = "30s"
K8S_REQUEST_METRIC = "http_requests_total"
K8S_LATENCY_METRIC = "http_request_duration_seconds"
K8S_STATUS_LABEL = "code"
K8S_ALERT_ERROR_RATE_PERCENT = 5.0
K8S_ALERT_LATENCY_P99_SECONDS = 1.0
K8S_ALERT_RESTARTS = 3
K8S_ALERT_UNAVAILABLE_REPLICAS = 0
K8S_ALERT_FOR = "5m"
# A CronJob alerts when this many scheduled intervals pass without a successful run.
K8S_ALERT_MISSED_RUNS = 2
# A worker's queue alerts at this backlog (messages, or consumer lag).
K8S_ALERT_QUEUE_BACKLOG = 1000

# External Secrets Operator re-reads the store this often, so a rotated value arrives within it.
EXTERNAL_SECRET_REFRESH_INTERVAL = "1h"

# --- Policy defaults: AWS security and platform standards ------------------------------------

# Automated RDS backups are kept at least this long (AWS allows 0-35 days).
RDS_BACKUP_RETENTION_MINIMUM_DAYS = 7
# IAM actions that support no resource-level permissions, so AWS evaluates them against "*" only;
# the goldenpath Ci deploy role needs the first three. Everything else names its resources.
IAM_ACTIONS_ONLY_ON_ALL_RESOURCES: tuple[str, ...] = (
    "ecr:GetAuthorizationToken",
    "ecs:RegisterTaskDefinition",
    "ecs:DescribeTaskDefinition",
    "cloudwatch:PutMetricData",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
)
# The AWS regions stacks may deploy to (data residency: the EU, plus us-east-1 for the global
# services that live only there, such as CloudFront certificates).
APPROVED_REGIONS: tuple[str, ...] = ("eu-west-1", "eu-central-1", "us-east-1")
# Explicit physical names are lower-case words joined by '-'; log group and ECR repository names
# may be paths of such words ("/goldenpath/payments/prod"), which AWS rejects for the other kinds.
NAME_PATTERN = r"^/?[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$"
