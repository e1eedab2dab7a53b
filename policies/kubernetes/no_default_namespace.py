"""Objects live in a namespace of their own, not in ``default``."""

# Peers: checkov CKV_K8S_21, kyverno disallow-default-namespace

from goldenpath.policy import NIST, PolicySpec, get_path

from ._pod import (
    DEFAULT_NAMESPACE,
    HPA_TYPES,
    INGRESS_TYPES,
    NETWORK_POLICY_TYPES,
    PDB_TYPES,
    SERVICE,
    SERVICE_ACCOUNT,
    WORKLOAD_TYPES,
    kind_of,
)

NAMESPACED_TYPES: tuple[str, ...] = (
    *WORKLOAD_TYPES,
    SERVICE,
    SERVICE_ACCOUNT,
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    *INGRESS_TYPES,
    *NETWORK_POLICY_TYPES,
    *PDB_TYPES,
    *HPA_TYPES,
)


def check(props, config, resource):
    # A namespace known only after apply may still be "default" (or unset): that propagates, and the
    # engine says the policy can't run yet.
    namespace = get_path(props, "metadata.namespace")
    kind = kind_of(resource.resource_type)
    if namespace == DEFAULT_NAMESPACE:
        return (
            f"{kind} is in the \"default\" namespace; set metadata.namespace to the team's or service's own"
        )
    if not namespace:
        return (
            f'{kind} sets no metadata.namespace, so it lands in the provider\'s namespace ("default" unless '
            "the Kubernetes provider sets one); set metadata.namespace to the team's or service's own"
        )
    return None


POLICY = PolicySpec(
    id="k8s-no-default-namespace",
    description="Namespaced objects set metadata.namespace, and not to default.",
    severity="low",
    rationale="The default namespace is shared by whoever forgot to choose one: its RBAC, quotas, network "
    "policies and Pod Security labels fit nobody in particular, and objects there collide by name. An object "
    "without a namespace lands wherever the provider points (default, unless the provider sets `namespace`), "
    "which this check cannot see; so it is reported too.",
    remediation="Pass `metadata=ObjectMetaArgs(namespace=...)` to every namespaced `pulumi_kubernetes` object "
    "(read from the `Namespace` resource's output so it is created first); goldenpath's `Workload` component "
    "creates and uses its own namespace.",
    resource_types=NAMESPACED_TYPES,
    check=check,
    check_receives_resource=True,
    controls={NIST: ("AC-4", "SC-7")},
    peers={"checkov": ("CKV_K8S_21",), "kyverno": ("disallow-default-namespace",)},
)
