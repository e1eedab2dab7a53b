"""Where the pod spec, the containers and the namespace sit in each Kubernetes object.

Shared by the policies of this pack (the leading underscore keeps it out of policy discovery).
Every workload kind carries a pod spec at a different depth; the readers here find it from the
object's own shape, so a resource check (which sees props, not the type token) needs no table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import get_known, get_path

# --- Type tokens ---------------------------------------------------------------------------------

POD = "kubernetes:core/v1:Pod"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
DAEMON_SET = "kubernetes:apps/v1:DaemonSet"
REPLICA_SET = "kubernetes:apps/v1:ReplicaSet"
REPLICATION_CONTROLLER = "kubernetes:core/v1:ReplicationController"
JOB = "kubernetes:batch/v1:Job"
CRON_JOB = "kubernetes:batch/v1:CronJob"

# Older API versions pulumi-kubernetes still offers: a pod they create is as dangerous as any.
_LEGACY_DEPLOYMENTS = (
    "kubernetes:apps/v1beta1:Deployment",
    "kubernetes:apps/v1beta2:Deployment",
    "kubernetes:extensions/v1beta1:Deployment",
)
_LEGACY_STATEFUL_SETS = ("kubernetes:apps/v1beta1:StatefulSet", "kubernetes:apps/v1beta2:StatefulSet")
_LEGACY_LONG_RUNNING = (
    *_LEGACY_DEPLOYMENTS,
    *_LEGACY_STATEFUL_SETS,
    "kubernetes:apps/v1beta2:DaemonSet",
    "kubernetes:extensions/v1beta1:DaemonSet",
    "kubernetes:apps/v1beta2:ReplicaSet",
    "kubernetes:extensions/v1beta1:ReplicaSet",
)
_LEGACY_CRON_JOBS = ("kubernetes:batch/v1beta1:CronJob", "kubernetes:batch/v2alpha1:CronJob")

# Workloads that keep their pods running (and so are probed and kept available).
LONG_RUNNING_TYPES: tuple[str, ...] = (
    POD,
    DEPLOYMENT,
    STATEFUL_SET,
    DAEMON_SET,
    REPLICA_SET,
    REPLICATION_CONTROLLER,
    *_LEGACY_LONG_RUNNING,
)
# Every object that creates pods.
WORKLOAD_TYPES: tuple[str, ...] = (*LONG_RUNNING_TYPES, JOB, CRON_JOB, *_LEGACY_CRON_JOBS)
# Workloads a PodDisruptionBudget protects when they run more than one replica.
REPLICATED_TYPES: tuple[str, ...] = (DEPLOYMENT, STATEFUL_SET, *_LEGACY_DEPLOYMENTS, *_LEGACY_STATEFUL_SETS)

NAMESPACE = "kubernetes:core/v1:Namespace"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
SERVICE_ACCOUNT_PATCH = "kubernetes:core/v1:ServiceAccountPatch"
NETWORK_POLICY_TYPES: tuple[str, ...] = (
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:extensions/v1beta1:NetworkPolicy",
)
PDB_V1 = "kubernetes:policy/v1:PodDisruptionBudget"
PDB_TYPES: tuple[str, ...] = (PDB_V1, "kubernetes:policy/v1beta1:PodDisruptionBudget")
HPA_TYPES: tuple[str, ...] = (
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v2beta2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v2beta1:HorizontalPodAutoscaler",
)
# A KEDA ScaledObject owns its target's replica count as an HPA does (KEDA creates that HPA at apply).
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"

SERVICE = "kubernetes:core/v1:Service"
INGRESS_TYPES: tuple[str, ...] = (
    "kubernetes:networking.k8s.io/v1:Ingress",
    "kubernetes:networking.k8s.io/v1beta1:Ingress",
    "kubernetes:extensions/v1beta1:Ingress",
)
RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"

DEFAULT_NAMESPACE = "default"
CONTAINER_LISTS: tuple[str, ...] = ("containers", "initContainers", "ephemeralContainers")
_CONTAINER_WORDS = {
    "containers": "container",
    "initContainers": "init container",
    "ephemeralContainers": "ephemeral container",
}


def number(value: Any) -> str:
    """A number as a person writes it (``8080``, not ``8080.0`` as it arrives over gRPC)."""
    return f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def kind_of(resource_type: str) -> str:
    """``Deployment`` for ``kubernetes:apps/v1:Deployment``."""
    return resource_type.rsplit(":", 1)[-1]


# --- Pod spec and containers ---------------------------------------------------------------------


def pod_template(props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod template (``metadata`` + ``spec``) of a workload, or the Pod itself.

    CronJob: ``spec.jobTemplate.spec.template``; Deployment, StatefulSet, DaemonSet, ReplicaSet,
    ReplicationController and Job: ``spec.template``; Pod: the object. Raises on an unknown step.
    """
    spec = get_path(props, "spec")
    if not isinstance(spec, Mapping):
        return None
    job_template = get_path(spec, "jobTemplate")
    if job_template is not None:
        template = get_path(job_template, "spec.template")
        return template if isinstance(template, Mapping) else None
    template = get_path(spec, "template")
    if template is not None:
        return template if isinstance(template, Mapping) else None
    return props


def pod_spec(props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec of any workload kind (see :func:`pod_template`), or None when it has none."""
    template = pod_template(props)
    if template is None:
        return None
    spec = get_path(template, "spec")
    return spec if isinstance(spec, Mapping) else None


def pod_labels(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """The labels the workload's pods carry."""
    template = pod_template(props)
    labels = get_path(template, "metadata.labels") if template is not None else None
    return labels if isinstance(labels, Mapping) else {}


def _sequence(value: Any) -> Sequence[Any]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return value
    return ()


def containers(
    spec: Mapping[str, Any] | None, lists: Sequence[str] = CONTAINER_LISTS
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(label, container)`` for every container of a pod spec, init and ephemeral ones included.

    The label names the container for a message: ``container "app"``, ``init container "migrate"``.
    """
    if spec is None:
        return
    for key in lists:
        for index, container in enumerate(_sequence(get_path(spec, key))):
            if not isinstance(container, Mapping):
                continue
            name = get_path(container, "name")
            yield f'{_CONTAINER_WORDS[key]} "{name if name else index}"', container


def workload_containers(
    props: Mapping[str, Any], lists: Sequence[str] = CONTAINER_LISTS
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every container of any workload kind, labelled (see :func:`containers`)."""
    yield from containers(pod_spec(props), lists)


def security_context(container_or_spec: Mapping[str, Any]) -> Mapping[str, Any]:
    context = get_path(container_or_spec, "securityContext")
    return context if isinstance(context, Mapping) else {}


def is_windows(spec: Mapping[str, Any] | None) -> bool:
    """A pod that declares ``os.name: windows``; the restricted profile exempts it from Linux-only controls."""
    return spec is not None and get_path(spec, "os.name") == "windows"


def image_parts(image: str) -> tuple[str, str | None, str | None]:
    """``(name, tag, digest)`` of an image reference: ``registry:5000/app:1.2@sha256:…``.

    The tag follows the last ':' of the last path segment: ``registry:5000/app`` has no tag.
    """
    name, _, digest = image.partition("@")
    head, slash, last = name.rpartition("/")
    tag = None
    if ":" in last:
        last, tag = last.split(":", 1)
    return f"{head}{slash}{last}", tag, digest or None


# --- Reading other resources in a stack check ----------------------------------------------------


UNKNOWN = object()


def read(props: Any, path: str) -> Any:
    """Like :func:`get_path` (None when missing), but :data:`UNKNOWN` for a value not known until apply."""
    try:
        return get_path(props, path)
    except UnknownValueError:
        return UNKNOWN


def known(fn, *args: Any, unknown: Any = None) -> Any:
    """``fn(*args)``, or ``unknown`` when it reads a value not known until apply."""
    try:
        return fn(*args)
    except UnknownValueError:
        return unknown


class Namespaces:
    """Tells which namespace each object of a stack lands in, so objects can be matched by it.

    A namespace declared by a Namespace resource of the stack is identified by that resource,
    whether an object names it by text or by the Namespace's (possibly not yet known) output; any
    other namespace by its name. An object without a namespace lands in ``default``.
    """

    def __init__(self, resources: Sequence[Any]):
        self._declared: dict[str, str] = {}
        self._urns: dict[str, str] = {}
        for r in resources:
            if r.resource_type == NAMESPACE:
                name = get_known(r.props, "metadata.name")
                label = name if isinstance(name, str) and name else f"{r.name} (auto-named)"
                self._urns[r.urn] = label
                if isinstance(name, str) and name:
                    self._declared[name] = r.urn

    def key(self, resource: Any) -> str | None:
        """An identity for the resource's namespace, or None when it cannot be told before apply."""
        declared_by = [
            d.urn for d in resource.property_dependencies.get("metadata", ()) if d.resource_type == NAMESPACE
        ]
        if len(declared_by) == 1:
            return declared_by[0]
        name = read(resource.props, "metadata.namespace")
        if name is UNKNOWN:
            return None
        name = name if isinstance(name, str) and name else DEFAULT_NAMESPACE
        return self._declared.get(name, name)

    def label(self, key: str) -> str:
        """The namespace's name for a message."""
        return self._urns.get(key, key)


# --- Label selectors -----------------------------------------------------------------------------


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """Whether a label selector (``matchLabels`` and ``matchExpressions``) selects these labels."""
    match_labels = get_path(selector, "matchLabels", {})
    if isinstance(match_labels, Mapping):
        for key, value in match_labels.items():
            if labels.get(key) != value:
                return False
    for expression in _sequence(get_path(selector, "matchExpressions")):
        key = get_path(expression, "key")
        operator = get_path(expression, "operator")
        values = list(_sequence(get_path(expression, "values")))
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def selector_is_empty(selector: Any) -> bool:
    """A selector with no requirement at all (``{}``), which selects every pod of its namespace."""
    if selector is None:
        return True
    if not isinstance(selector, Mapping):
        return False
    return not get_path(selector, "matchLabels") and not _sequence(get_path(selector, "matchExpressions"))


def security_contexts(spec: Mapping[str, Any] | None) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``("pod", context)`` then ``(label, context)`` for every container: each place a pod-security
    setting may be written, the container's overriding the pod's."""
    if spec is None:
        return
    yield "pod", security_context(spec)
    for label, container in containers(spec):
        yield label, security_context(container)


def namespaces_without(resources: Sequence[Any], resource_type: str) -> Iterator[tuple[Any, str]]:
    """``(namespace resource, its name)`` for every Namespace of the stack that holds no object of
    ``resource_type``; an object whose namespace cannot be told before apply may be in any of them."""
    namespaces = Namespaces(resources)
    keys = {namespaces.key(r) for r in resources if r.resource_type == resource_type}
    if None in keys:
        return
    for r in resources:
        if r.resource_type == NAMESPACE and r.urn not in keys:
            yield r, namespaces.label(r.urn)
