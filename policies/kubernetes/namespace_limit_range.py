"""Every namespace the stack creates gives containers default requests and limits with a LimitRange."""

# Peers: kyverno add-ns-quota (its second rule generates a LimitRange)

from goldenpath.policy import NIST, PolicySpec

from ._pod import LIMIT_RANGE, NAMESPACE, namespaces_without


def stack_check(resources, config):
    for namespace, name in namespaces_without(resources, LIMIT_RANGE):
        yield (
            namespace.urn,
            f'namespace "{name}" has no LimitRange; add one giving containers a default request and limit',
        )


POLICY = PolicySpec(
    id="k8s-namespace-limit-range",
    description="Every Namespace the stack creates has a LimitRange in it.",
    severity="low",
    rationale="A container created without requests and limits (a debug pod, a chart's hook Job) is "
    "scheduled as if it needed nothing and may use a node's every core and byte; in a namespace with a "
    "ResourceQuota it is refused outright. A LimitRange gives it defaults.",
    remediation="Create a `pulumi_kubernetes.core.v1.LimitRange` with `metadata.namespace` read from the "
    'Namespace and `spec=LimitRangeSpecArgs(limits=[LimitRangeItemArgs(type="Container", default={...}, '
    "default_request={...})])`; goldenpath's `Workload` component adds one to the namespace it creates.",
    resource_types=(NAMESPACE, LIMIT_RANGE),
    stack_check=stack_check,
    controls={NIST: ("SC-5", "SC-6")},
    peers={"kyverno": ("add-ns-quota",)},
)
