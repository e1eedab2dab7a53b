"""Workload: a hardened Deployment with its namespace (capped by a quota and a limit range), service,
autoscaler, disruption budget, network policies and service account.

A queue worker is the same Deployment without the Service (``expose=False``), scaled on an external
metric (``Autoscaling.external_metric``) or by KEDA (``Autoscaling.driver="keda"``: the Workload
then leaves the replica count to the ScaledObject and creates no HPA of its own).

Every pod runs as a non-root user under the ``restricted`` Pod Security Standard, with a read-only
root filesystem, no capabilities, no service-account token, probes, resource requests and limits,
and is spread over zones and nodes. Nothing reaches it but the namespaces it names, and it reaches
nothing but cluster DNS.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Annotated, Any, Literal

import pulumi
import pulumi_kubernetes as k8s
from pydantic import AfterValidator, Field, model_validator

from goldenpath import conventions
from goldenpath.models import WITHHELD, ComponentArgs

TYPE_TOKEN = "goldenpath:k8s:Workload"
PORT_NAME = "http"
TMP_VOLUME = "tmp"
SECRETS_VOLUME = "secrets"

_DNS_LABEL_RE = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_LABEL_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")
_LABEL_KEY_RE = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST_RE = re.compile(r"@sha256:[0-9a-f]{64}$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CPU_RE = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")
_MEMORY_RE = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_MEMORY_UNITS = {None: 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_MEMORY_UNITS.update({"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40})


# --- Validation shared with the blueprint's config model -----------------------------------------


def pinned_image(image: str) -> str:
    """``image`` if it names an immutable version (a tag other than ``latest``, or a digest)."""
    hint = "pin a version tag (registry/app:1.4.2) or a digest (registry/app@sha256:<64 hex>)"
    if not image or any(c.isspace() for c in image):
        raise ValueError(f"image must be a non-empty reference without spaces; {hint}")
    if "@" in image:
        if not _DIGEST_RE.search(image):
            raise ValueError(f"image {image!r} has a malformed digest; expected @sha256:<64 lower-case hex>")
        return image
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        raise ValueError(f"image {image!r} has no tag, so it runs whatever 'latest' is at pull time; {hint}")
    tag = last.rsplit(":", 1)[1]
    if tag == "latest":
        raise ValueError(f"image {image!r} uses the mutable tag 'latest'; {hint}")
    if not _TAG_RE.match(tag):
        raise ValueError(f"image {image!r} has an invalid tag {tag!r}; {hint}")
    return image


def dns_label(value: str, what: str = "name") -> str:
    """``value`` if it is a valid Kubernetes object name (an RFC 1035 label, as Services need)."""
    if not _DNS_LABEL_RE.match(value):
        raise ValueError(
            f"{what} {value!r} must be 1-63 lower-case letters, digits or '-', start with a letter "
            "and end with a letter or digit"
        )
    return value


def cpu_cores(quantity: str) -> float:
    """CPU quantity (``250m``, ``0.5``, ``2``) in cores."""
    match = _CPU_RE.match(quantity)
    if not match:
        raise ValueError(f"cpu {quantity!r} must be cores (0.5, 2) or millicores (250m)")
    return float(match.group(1)) / (1000 if match.group(2) else 1)


def memory_bytes(quantity: str) -> float:
    """Memory quantity (``256Mi``, ``1Gi``, ``500M``) in bytes."""
    match = _MEMORY_RE.match(quantity)
    if not match:
        raise ValueError(f"memory {quantity!r} must be bytes with a unit such as 128Mi, 1Gi or 500M")
    return float(match.group(1)) * _MEMORY_UNITS[match.group(2)]


def check_label_map(labels: dict[str, str]) -> dict[str, str]:
    """``labels`` if every key and value is one Kubernetes accepts."""
    bad_keys = [k for k in labels if len(k) > 316 or not _LABEL_KEY_RE.match(k)]
    if bad_keys:
        raise ValueError(
            f"label keys {bad_keys} must be [prefix/]name, the name at most 63 letters, digits, '-', '_' or '.'"
        )
    bad = {k: v for k, v in labels.items() if not _LABEL_VALUE_RE.match(v)}
    if bad:
        raise ValueError(
            f"label values {bad} must be at most 63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit"
        )
    return labels


def check_labels(labels: dict[str, str]) -> dict[str, str]:
    """``labels`` if they are valid and carry the standard keys selectors and log pipelines need."""
    required = (*conventions.SELECTOR_LABEL_KEYS, *conventions.LOG_LABEL_KEYS)
    missing = [k for k in dict.fromkeys(required) if not labels.get(k)]
    if missing:
        raise ValueError(
            f"labels lack {', '.join(missing)}; build them with goldenpath.conventions.standard_labels"
        )
    return check_label_map(labels)


def check_env_names(env: dict[str, str]) -> dict[str, str]:
    """``env`` if every name is a valid environment variable name."""
    bad = [k for k in env if not _ENV_NAME_RE.match(k)]
    if bad:
        raise ValueError(f"environment variable names {bad} must match [A-Za-z_][A-Za-z0-9_]*")
    return env


def selector_labels(labels: dict[str, str]) -> dict[str, str]:
    """The subset of the standard labels that selects a service's pods (it never changes)."""
    return {k: labels[k] for k in conventions.SELECTOR_LABEL_KEYS}


def limits_cover_requests(requests: Any, limits: Any) -> None:
    """Raise unless ``limits`` (with ``.cpu`` and ``.memory``) are at least ``requests``."""
    if cpu_cores(limits.cpu) < cpu_cores(requests.cpu):
        raise ValueError(f"cpu limit {limits.cpu} is below the request {requests.cpu}")
    if memory_bytes(limits.memory) < memory_bytes(requests.memory):
        raise ValueError(f"memory limit {limits.memory} is below the request {requests.memory}")


def _quantity(parse):
    def check(value: str) -> str:
        parse(value)
        return value

    return AfterValidator(check)


# Field types that validate themselves, for component args and config models alike.
CpuQuantity = Annotated[str, _quantity(cpu_cores)]
MemoryQuantity = Annotated[str, _quantity(memory_bytes)]
PinnedImage = Annotated[str, AfterValidator(pinned_image)]
DnsLabel = Annotated[str, AfterValidator(dns_label)]
StandardLabels = Annotated[dict[str, str], AfterValidator(check_labels)]
LabelMap = Annotated[dict[str, str], AfterValidator(check_label_map)]
# Their values are not secrets by design but often hold one: an error never repeats a value.
EnvVars = Annotated[dict[str, str], AfterValidator(check_env_names), WITHHELD]


# --- Args ------------------------------------------------------------------------------------------


class ResourceQuantities(ComponentArgs):
    """CPU and memory, in Kubernetes quantity notation."""

    cpu: CpuQuantity = Field(description="Cores (0.5) or millicores (250m).")
    memory: MemoryQuantity = Field(description="Bytes with a unit: 128Mi, 1Gi, 500M.")


class ExternalMetric(ComponentArgs):
    """An External metric (served by a metrics adapter) the autoscaler holds per pod, e.g. queue depth."""

    name: str = Field(
        pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$",
        description="Metric name as the external metrics API serves it.",
    )
    selector: LabelMap = Field(
        default_factory=dict, description="Labels that pick the one series (the queue)."
    )
    average_value: int = Field(ge=1, description="Metric value per pod to aim for (messages per replica).")


class Autoscaling(ComponentArgs):
    """A HorizontalPodAutoscaler on average CPU utilization (or on an external metric), or KEDA's."""

    min_replicas: int = Field(ge=0, le=100, description="Fewest pods; 0 only with KEDA (scale to zero).")
    max_replicas: int = Field(ge=1, le=100, description="Most pods.")
    target_cpu_percent: int = Field(
        default=conventions.K8S_HPA_TARGET_CPU_PERCENT,
        ge=10,
        le=95,
        description="Average CPU utilization (of the request) the autoscaler aims for.",
    )
    external_metric: ExternalMetric | None = Field(
        default=None, description="Scale on this External metric instead of CPU."
    )
    driver: Literal["hpa", "keda"] = Field(
        default="hpa",
        description="hpa: the Workload creates the HorizontalPodAutoscaler; keda: a KEDA ScaledObject "
        "(created beside the Workload) owns the replica count.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"min_replicas ({self.min_replicas}) must not exceed max_replicas ({self.max_replicas})"
            )
        if self.min_replicas < 1 and self.driver == "hpa":
            raise ValueError(
                "min_replicas 0 (scale to zero) needs the keda driver; a HorizontalPodAutoscaler keeps 1"
            )
        return self


class IngressSource(ComponentArgs):
    """Pods allowed to reach the service's port."""

    namespace: DnsLabel | None = Field(
        default=None, description="Pods in this namespace; None means the workload's own namespace."
    )
    pod_labels: LabelMap = Field(
        default_factory=dict,
        description="Only pods with these labels; empty means every pod of the namespace.",
    )


def check_cidr(value: str) -> str:
    """``value`` if it is an IPv4 or IPv6 network in CIDR notation."""
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ValueError(f"{value!r} must be a network in CIDR notation, e.g. 10.0.0.0/16") from None
    return value


Cidr = Annotated[str, AfterValidator(check_cidr)]


class EgressDestination(ComponentArgs):
    """Where the pods may connect to, beyond cluster DNS: a namespace's pods or a network, on one port."""

    namespace: DnsLabel | None = Field(default=None, description="Pods of this namespace.")
    cidr: Cidr | None = Field(default=None, description="Addresses of this network (e.g. a VPC endpoint's).")
    port: int = Field(ge=1, le=65535, description="TCP port.")

    @model_validator(mode="after")
    def _one_kind(self) -> EgressDestination:
        if (self.namespace is None) == (self.cidr is None):
            raise ValueError("an egress destination names exactly one of namespace or cidr")
        return self


class WorkloadArgs(ComponentArgs):
    """Inputs of a :class:`Workload`; every default is the hardened choice."""

    service: DnsLabel = Field(
        description="Name of the Deployment, Service and every other object (RFC 1035 label)."
    )
    namespace: DnsLabel = Field(description="Namespace to run in.")
    create_namespace: bool = Field(
        default=True,
        description="Create the namespace (labelled for the restricted Pod Security Standard, with a "
        "ResourceQuota sized for the workload at its peak and a LimitRange of its requests and limits); "
        "False runs in an existing one, whose labels are then its owner's business.",
    )
    labels: StandardLabels = Field(
        description="Standard labels (conventions.standard_labels) for every object."
    )
    image: PinnedImage = Field(
        description="Container image pinned by a tag other than 'latest' or by a digest."
    )
    port: int = Field(
        default=conventions.K8S_CONTAINER_PORT,
        ge=1024,
        le=65535,
        description="Port the container listens on; non-root containers without capabilities cannot bind below 1024.",
    )
    service_port: int = Field(
        default=conventions.K8S_SERVICE_PORT, ge=1, le=65535, description="ClusterIP port."
    )
    health_path: str = Field(
        default=conventions.K8S_HEALTH_PATH,
        pattern=r"^/[\x21-\x7e]*$",
        description="HTTP path of every probe.",
    )
    replicas: int = Field(default=conventions.K8S_REPLICAS, ge=1, le=100, description="Pods at creation.")
    autoscaling: Autoscaling | None = Field(
        default=None, description="Scale on CPU between min and max; None keeps `replicas` fixed."
    )
    requests: ResourceQuantities = Field(
        default_factory=lambda: ResourceQuantities(**conventions.K8S_REQUESTS)
    )
    limits: ResourceQuantities = Field(default_factory=lambda: ResourceQuantities(**conventions.K8S_LIMITS))
    ingress_from: list[IngressSource] = Field(
        default_factory=list, description="Who may reach the port; nobody when empty."
    )
    egress_to: list[EgressDestination] = Field(
        default_factory=list, description="Where the pods may connect beyond cluster DNS; nowhere when empty."
    )
    expose: bool = Field(
        default=True, description="Put a ClusterIP Service in front of the pods; False for a queue worker."
    )
    service_account_annotations: dict[str, str] = Field(
        default_factory=dict,
        description="Annotations of the service account, e.g. the IAM role EKS gives the pods (IRSA).",
    )
    secret_name: DnsLabel | None = Field(
        default=None, description="Secret mounted read-only at secret_mount_path, one file per key."
    )
    secret_mount_path: str = Field(default=conventions.K8S_SECRET_MOUNT_PATH, pattern=r"^/[^\s]*[^/\s]$")
    env: EnvVars = Field(default_factory=dict, description="Plain (non-secret) environment variables.")
    pod_annotations: dict[str, str] = Field(
        default_factory=dict, description="Added to the log annotations every pod carries."
    )
    revision_history_limit: int = Field(default=conventions.K8S_REVISION_HISTORY_LIMIT, ge=1, le=50)

    @model_validator(mode="after")
    def _consistent(self) -> WorkloadArgs:
        if self.autoscaling and not (
            self.autoscaling.min_replicas <= self.replicas <= self.autoscaling.max_replicas
        ):
            raise ValueError(
                f"replicas ({self.replicas}) must lie within autoscaling min_replicas "
                f"({self.autoscaling.min_replicas}) and max_replicas ({self.autoscaling.max_replicas})"
            )
        limits_cover_requests(self.requests, self.limits)
        if self.secret_mount_path == conventions.K8S_TMP_MOUNT_PATH:
            raise ValueError(
                f"secret_mount_path must not be {conventions.K8S_TMP_MOUNT_PATH}, the scratch volume"
            )
        return self


# --- Object builders -------------------------------------------------------------------------------


def namespace_labels(labels: dict[str, str]) -> dict[str, str]:
    """Standard labels plus the Pod Security Admission labels for the restricted level."""
    psa = {
        f"pod-security.kubernetes.io/{mode}": conventions.POD_SECURITY_LEVEL
        for mode in conventions.POD_SECURITY_MODES
    }
    return {**labels, **psa}


def _runtime_default() -> k8s.core.v1.SeccompProfileArgs:
    return k8s.core.v1.SeccompProfileArgs(type=conventions.K8S_SECCOMP_PROFILE)


def pod_security_context() -> k8s.core.v1.PodSecurityContextArgs:
    return k8s.core.v1.PodSecurityContextArgs(
        run_as_non_root=True,
        run_as_user=conventions.K8S_RUN_AS_USER,
        run_as_group=conventions.K8S_RUN_AS_GROUP,
        fs_group=conventions.K8S_FS_GROUP,
        fs_group_change_policy="OnRootMismatch",
        seccomp_profile=_runtime_default(),
    )


def container_security_context() -> k8s.core.v1.SecurityContextArgs:
    return k8s.core.v1.SecurityContextArgs(
        allow_privilege_escalation=False,
        privileged=False,
        read_only_root_filesystem=True,
        run_as_non_root=True,
        run_as_user=conventions.K8S_RUN_AS_USER,
        run_as_group=conventions.K8S_RUN_AS_GROUP,
        capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        seccomp_profile=_runtime_default(),
    )


def _probe(path: str, *, period: int, failures: int) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port=PORT_NAME, scheme="HTTP"),
        period_seconds=period,
        timeout_seconds=conventions.K8S_PROBE_TIMEOUT_SECONDS,
        failure_threshold=failures,
    )


def container(args: WorkloadArgs) -> k8s.core.v1.ContainerArgs:
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
        # Pulling on every start re-checks the registry credentials of whoever schedules the pod.
        image_pull_policy="Always",
        ports=[k8s.core.v1.ContainerPortArgs(name=PORT_NAME, container_port=args.port, protocol="TCP")],
        env=[k8s.core.v1.EnvVarArgs(name=k, value=v) for k, v in sorted(args.env.items())] or None,
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": args.requests.cpu, "memory": args.requests.memory},
            limits={"cpu": args.limits.cpu, "memory": args.limits.memory},
        ),
        security_context=container_security_context(),
        startup_probe=_probe(
            args.health_path,
            period=conventions.K8S_STARTUP_PROBE_PERIOD_SECONDS,
            failures=conventions.K8S_STARTUP_PROBE_FAILURES,
        ),
        readiness_probe=_probe(
            args.health_path,
            period=conventions.K8S_PROBE_PERIOD_SECONDS,
            failures=conventions.K8S_PROBE_FAILURES,
        ),
        liveness_probe=_probe(
            args.health_path,
            period=conventions.K8S_PROBE_PERIOD_SECONDS,
            failures=conventions.K8S_PROBE_FAILURES,
        ),
        volume_mounts=mounts,
    )


def volumes(args: WorkloadArgs) -> list[k8s.core.v1.VolumeArgs]:
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


def topology_spread(selector: dict[str, str]) -> list[k8s.core.v1.TopologySpreadConstraintArgs]:
    # ScheduleAnyway: a single-zone cluster still schedules; the spread is a preference, never an outage.
    return [
        k8s.core.v1.TopologySpreadConstraintArgs(
            max_skew=1,
            topology_key=key,
            when_unsatisfiable="ScheduleAnyway",
            label_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
            match_label_keys=["pod-template-hash"],
        )
        for key in conventions.K8S_TOPOLOGY_KEYS
    ]


def deployment_spec(args: WorkloadArgs, service_account: str) -> k8s.apps.v1.DeploymentSpecArgs:
    selector = selector_labels(args.labels)
    return k8s.apps.v1.DeploymentSpecArgs(
        replicas=args.replicas,
        revision_history_limit=args.revision_history_limit,
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
        strategy=k8s.apps.v1.DeploymentStrategyArgs(
            type="RollingUpdate",
            rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(
                max_surge=conventions.K8S_MAX_SURGE, max_unavailable=conventions.K8S_MAX_UNAVAILABLE
            ),
        ),
        template=k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(
                labels=dict(args.labels),
                annotations={**conventions.LOG_ANNOTATIONS, **args.pod_annotations},
            ),
            spec=k8s.core.v1.PodSpecArgs(
                service_account_name=service_account,
                automount_service_account_token=False,
                enable_service_links=False,
                security_context=pod_security_context(),
                termination_grace_period_seconds=conventions.K8S_TERMINATION_GRACE_SECONDS,
                containers=[container(args)],
                volumes=volumes(args),
                topology_spread_constraints=topology_spread(selector),
            ),
        ),
    )


def peak_pods(args: WorkloadArgs) -> int:
    """The most pods the workload runs at once: its largest replica count plus the rollout's surge."""
    most = max(args.replicas, args.autoscaling.max_replicas if args.autoscaling else 0)
    surge = conventions.K8S_MAX_SURGE
    extra = math.ceil(most * int(surge[:-1]) / 100) if isinstance(surge, str) else int(surge)
    return most + extra


def _times(quantity: str, count: int, parse, unit: float, suffix: str) -> str:
    return f"{math.ceil(parse(quantity) * count / unit)}{suffix}"


def quota_spec(args: WorkloadArgs) -> k8s.core.v1.ResourceQuotaSpecArgs:
    """A quota that fits the workload at its peak (autoscaled and mid-rollout) and nothing more."""
    pods = peak_pods(args)
    hard = {"pods": str(pods)}
    for kind, quantities in (("requests", args.requests), ("limits", args.limits)):
        hard[f"{kind}.cpu"] = _times(quantities.cpu, pods, cpu_cores, 0.001, "m")
        hard[f"{kind}.memory"] = _times(quantities.memory, pods, memory_bytes, 2**20, "Mi")
    return k8s.core.v1.ResourceQuotaSpecArgs(hard=hard)


def limit_range_spec(args: WorkloadArgs) -> k8s.core.v1.LimitRangeSpecArgs:
    """Defaults for any container started in the namespace without requests and limits (a debug pod)."""
    return k8s.core.v1.LimitRangeSpecArgs(
        limits=[
            k8s.core.v1.LimitRangeItemArgs(
                type="Container",
                default={"cpu": args.limits.cpu, "memory": args.limits.memory},
                default_request={"cpu": args.requests.cpu, "memory": args.requests.memory},
            )
        ]
    )


def _match(labels: dict[str, str]) -> k8s.meta.v1.LabelSelectorArgs:
    return k8s.meta.v1.LabelSelectorArgs(match_labels=dict(labels))


def ingress_peer(source: IngressSource) -> k8s.networking.v1.NetworkPolicyPeerArgs:
    if source.namespace is None:
        return k8s.networking.v1.NetworkPolicyPeerArgs(pod_selector=_match(source.pod_labels))
    return k8s.networking.v1.NetworkPolicyPeerArgs(
        namespace_selector=_match({conventions.NAMESPACE_NAME_LABEL: source.namespace}),
        pod_selector=_match(source.pod_labels) if source.pod_labels else None,
    )


def dns_egress_rule() -> k8s.networking.v1.NetworkPolicyEgressRuleArgs:
    return k8s.networking.v1.NetworkPolicyEgressRuleArgs(
        to=[
            k8s.networking.v1.NetworkPolicyPeerArgs(
                namespace_selector=_match({conventions.NAMESPACE_NAME_LABEL: conventions.K8S_DNS_NAMESPACE}),
                pod_selector=_match(conventions.K8S_DNS_POD_LABELS),
            )
        ],
        ports=[k8s.networking.v1.NetworkPolicyPortArgs(protocol=p, port=53) for p in ("UDP", "TCP")],
    )


def egress_rule(destination: EgressDestination) -> k8s.networking.v1.NetworkPolicyEgressRuleArgs:
    if destination.cidr is not None:
        peer = k8s.networking.v1.NetworkPolicyPeerArgs(
            ip_block=k8s.networking.v1.IPBlockArgs(cidr=destination.cidr)
        )
    else:
        peer = k8s.networking.v1.NetworkPolicyPeerArgs(
            namespace_selector=_match({conventions.NAMESPACE_NAME_LABEL: destination.namespace})
        )
    return k8s.networking.v1.NetworkPolicyEgressRuleArgs(
        to=[peer], ports=[k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=destination.port)]
    )


def hpa_metric(autoscaling: Autoscaling) -> k8s.autoscaling.v2.MetricSpecArgs:
    if autoscaling.external_metric is not None:
        metric = autoscaling.external_metric
        return k8s.autoscaling.v2.MetricSpecArgs(
            type="External",
            external=k8s.autoscaling.v2.ExternalMetricSourceArgs(
                metric=k8s.autoscaling.v2.MetricIdentifierArgs(
                    name=metric.name, selector=_match(metric.selector) if metric.selector else None
                ),
                target=k8s.autoscaling.v2.MetricTargetArgs(
                    type="AverageValue", average_value=str(metric.average_value)
                ),
            ),
        )
    return k8s.autoscaling.v2.MetricSpecArgs(
        type="Resource",
        resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
            name="cpu",
            target=k8s.autoscaling.v2.MetricTargetArgs(
                type="Utilization",
                average_utilization=autoscaling.target_cpu_percent,
            ),
        ),
    )


def allow_policy_spec(args: WorkloadArgs) -> k8s.networking.v1.NetworkPolicySpecArgs:
    ingress = []
    if args.ingress_from:
        ingress.append(
            k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                from_=[ingress_peer(s) for s in args.ingress_from],
                ports=[k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=args.port)],
            )
        )
    return k8s.networking.v1.NetworkPolicySpecArgs(
        pod_selector=_match(selector_labels(args.labels)),
        policy_types=["Ingress", "Egress"],
        ingress=ingress,
        egress=[dns_egress_rule(), *(egress_rule(d) for d in args.egress_to)],
    )


# --- Component -------------------------------------------------------------------------------------


class Workload(pulumi.ComponentResource):
    """A hardened, autoscaled, network-isolated Deployment, behind a ClusterIP Service unless not exposed."""

    namespace: pulumi.Output[str]
    deployment_name: pulumi.Output[str]
    service_name: pulumi.Output[str] | None
    service_account_name: pulumi.Output[str]

    def __init__(self, name: str, args: WorkloadArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = dict(args.labels)
        selector = selector_labels(labels)

        if args.create_namespace:
            namespace_resource = k8s.core.v1.Namespace(
                f"{name}-namespace",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace, labels=namespace_labels(labels)),
                opts=child,
            )
            # Reading the name back from the Namespace makes every object below depend on it.
            self.namespace = namespace_resource.metadata.apply(lambda m: m.name)
        else:
            self.namespace = pulumi.Output.from_input(args.namespace)

        def metadata(object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=self.namespace, labels=labels)

        if args.create_namespace:
            # The namespace is the workload's own: cap it at what the workload can use at its peak.
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
        deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=metadata(args.service),
            spec=deployment_spec(args, args.service),
            # Once an autoscaler owns the replica count, an update must not reset it.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[service_account],
                ignore_changes=["spec.replicas"] if args.autoscaling else None,
            ),
        )
        service = None
        if args.expose:
            service = k8s.core.v1.Service(
                f"{name}-service",
                metadata=metadata(args.service),
                spec=k8s.core.v1.ServiceSpecArgs(
                    type="ClusterIP",
                    selector=selector,
                    ports=[
                        k8s.core.v1.ServicePortArgs(
                            name=PORT_NAME,
                            port=args.service_port,
                            target_port=PORT_NAME,
                            protocol="TCP",
                            app_protocol="http",
                        )
                    ],
                ),
                opts=child,
            )
        if args.autoscaling and args.autoscaling.driver == "hpa":
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-autoscaler",
                metadata=metadata(args.service),
                spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
                    scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
                        api_version="apps/v1", kind="Deployment", name=args.service
                    ),
                    min_replicas=args.autoscaling.min_replicas,
                    max_replicas=args.autoscaling.max_replicas,
                    metrics=[hpa_metric(args.autoscaling)],
                    behavior=k8s.autoscaling.v2.HorizontalPodAutoscalerBehaviorArgs(
                        scale_down=k8s.autoscaling.v2.HPAScalingRulesArgs(
                            stabilization_window_seconds=conventions.K8S_HPA_SCALE_DOWN_STABILIZATION_SECONDS
                        )
                    ),
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[deployment]),
            )
        # A single pod gains nothing from a budget; from two on, voluntary evictions go one at a time.
        if args.replicas > 1:
            k8s.policy.v1.PodDisruptionBudget(
                f"{name}-disruption-budget",
                metadata=metadata(args.service),
                spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                    max_unavailable=1,
                    selector=_match(selector),
                    unhealthy_pod_eviction_policy="AlwaysAllow",
                ),
                opts=child,
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

        self.deployment_name = deployment.metadata.apply(lambda m: m.name)
        # None when the workload is not exposed (a queue worker has no Service).
        self.service_name = service.metadata.apply(lambda m: m.name) if service is not None else None
        self.service_account_name = service_account.metadata.apply(lambda m: m.name)
        outputs = {
            "namespace": self.namespace,
            "deploymentName": self.deployment_name,
            "serviceName": self.service_name,
            "serviceAccountName": self.service_account_name,
        }
        self.register_outputs({k: v for k, v in outputs.items() if v is not None})
