"""Every namespace the stack creates caps what its pods may claim with a ResourceQuota."""

# Peers: kyverno add-ns-quota (generates one)

from goldenpath.policy import NIST, PolicySpec

from ._pod import NAMESPACE, RESOURCE_QUOTA, namespaces_without


def stack_check(resources, config):
    for namespace, name in namespaces_without(resources, RESOURCE_QUOTA):
        yield (
            namespace.urn,
            f'namespace "{name}" has no ResourceQuota; add one capping requests.cpu, requests.memory, '
            "limits.cpu, limits.memory and pods",
        )


POLICY = PolicySpec(
    id="k8s-namespace-resource-quota",
    description="Every Namespace the stack creates has a ResourceQuota in it.",
    severity="low",
    rationale="Without a quota one namespace's runaway autoscaler, fork bomb of Jobs or leaked "
    "PersistentVolumeClaims takes the whole cluster's capacity, and every other team's pods go Pending.",
    remediation="Create a `pulumi_kubernetes.core.v1.ResourceQuota` with `metadata.namespace` read from the "
    "Namespace and `spec=ResourceQuotaSpecArgs(hard={...})` sized for the namespace's workloads at their "
    "largest scale; goldenpath's `Workload` component adds one to the namespace it creates.",
    resource_types=(NAMESPACE, RESOURCE_QUOTA),
    stack_check=stack_check,
    controls={NIST: ("SC-5", "SC-6")},
    peers={"kyverno": ("add-ns-quota",)},
)
