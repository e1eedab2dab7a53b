"""Replicated workloads keep serving while nodes are drained for upgrades."""

# Peers: kyverno require-pdb

from collections.abc import Mapping

from goldenpath.policy import NIST, PolicySpec, get_path

from ._pod import (
    HPA_TYPES,
    PDB_TYPES,
    PDB_V1,
    REPLICATED_TYPES,
    SCALED_OBJECT,
    UNKNOWN,
    Namespaces,
    kind_of,
    known,
    number,
    pod_labels,
    read,
    selector_is_empty,
    selector_matches,
)


def _hpa_minimum(hpa, workload, namespaces):
    """The floor an HPA (minReplicas) or a KEDA ScaledObject (minReplicaCount) keeps ``workload`` at,
    None if it does not scale it, UNKNOWN if that cannot be told."""
    keda = hpa.resource_type == SCALED_OBJECT
    kind = read(hpa.props, "spec.scaleTargetRef.kind")
    if kind is None and keda:
        kind = "Deployment"  # KEDA's default target kind
    if kind is UNKNOWN:
        return UNKNOWN
    if kind != kind_of(workload.resource_type):
        return None
    targets = hpa.property_dependencies.get("spec", ())
    if not any(t.urn == workload.urn for t in targets):
        hpa_namespace, namespace = namespaces.key(hpa), namespaces.key(workload)
        if None not in (hpa_namespace, namespace) and hpa_namespace != namespace:
            return None
        target, name = read(hpa.props, "spec.scaleTargetRef.name"), read(workload.props, "metadata.name")
        if target is UNKNOWN:
            # A name read from another workload's output names that workload, not this one.
            return None if any(t.resource_type in REPLICATED_TYPES for t in targets) else UNKNOWN
        if name is UNKNOWN:
            return UNKNOWN
        if target != name:
            return None
    if keda:
        minimum = read(hpa.props, "spec.minReplicaCount")
        return 0 if minimum is None else minimum
    minimum = read(hpa.props, "spec.minReplicas")
    return 1 if minimum is None else minimum


def _replicas(workload, hpas, namespaces):
    """The most replicas the workload is declared to keep (its own count or a scaler's floor), or UNKNOWN."""
    replicas = read(workload.props, "spec.replicas")
    counts = [1 if replicas is None else replicas]
    counts += [m for m in (_hpa_minimum(h, workload, namespaces) for h in hpas) if m is not None]
    known_counts = [c for c in counts if isinstance(c, int | float) and not isinstance(c, bool)]
    if any(c > 1 for c in known_counts):
        return max(known_counts)
    return UNKNOWN if len(known_counts) < len(counts) else max(known_counts)


def _selects(pdb, labels):
    """Whether the budget covers pods with these labels (True when that cannot be told yet)."""
    selector = get_path(pdb.props, "spec.selector")
    if selector is None:
        return False  # a null selector selects no pod
    if not isinstance(selector, Mapping):
        return False
    if selector_is_empty(selector):
        return pdb.resource_type == PDB_V1  # policy/v1: {} selects every pod; v1beta1: none
    return selector_matches(selector, labels)


def _shown(labels):
    return ", ".join(f"{k}={v}" for k, v in labels.items()) or "none"


def stack_check(resources, config):
    namespaces = Namespaces(resources)
    hpas = [r for r in resources if r.resource_type in (*HPA_TYPES, SCALED_OBJECT)]
    budgets: dict[str | None, list] = {}
    for r in resources:
        if r.resource_type in PDB_TYPES:
            budgets.setdefault(namespaces.key(r), []).append(r)
    for r in resources:
        if r.resource_type not in REPLICATED_TYPES:
            continue
        replicas = _replicas(r, hpas, namespaces)
        if replicas is UNKNOWN or replicas <= 1:
            continue
        namespace = namespaces.key(r)
        labels = known(pod_labels, r.props, unknown=UNKNOWN)
        if namespace is None or labels is UNKNOWN:
            continue
        candidates = budgets.get(namespace, []) + budgets.get(None, [])
        if any(known(_selects, pdb, labels, unknown=True) for pdb in candidates):
            continue
        shown = known(_shown, labels, unknown="not yet known")
        yield (
            r.urn,
            (
                f"runs {number(replicas)} replicas but no PodDisruptionBudget in namespace "
                f'"{namespaces.label(namespace)}" selects its pods (pod labels: {shown})'
            ),
        )


POLICY = PolicySpec(
    id="k8s-pdb-for-replicated",
    description="A Deployment or StatefulSet with more than one replica (its own, or an HPA's or KEDA "
    "ScaledObject's floor) has a PodDisruptionBudget selecting its pods.",
    severity="medium",
    rationale="Without a disruption budget a node drain (cluster upgrade, autoscaler scale-down) may evict "
    "every replica at once: the redundancy the replicas were meant to give vanishes exactly then.",
    remediation="Add a `policy/v1` PodDisruptionBudget in the workload's namespace whose `selector.matchLabels` "
    "are among the pod template's labels, with `maxUnavailable: 1` (or `minAvailable`). goldenpath's "
    "`Workload` component adds one whenever it keeps more than one replica.",
    resource_types=(*REPLICATED_TYPES, *HPA_TYPES, SCALED_OBJECT, *PDB_TYPES),
    stack_check=stack_check,
    controls={NIST: ("CP-10", "SC-5")},
    peers={"kyverno": ("require-pdb",)},
)
