"""Objects use an API version the Kubernetes API server still serves."""

# Peers: kyverno check-deprecated-apis

from goldenpath.policy import NIST, PolicySpec

# (group/version, kinds, the Kubernetes release that stopped serving them, the version to use instead),
# from the Kubernetes deprecated API migration guide.
_REMOVED: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("extensions/v1beta1", ("DaemonSet", "Deployment", "ReplicaSet"), "1.16", "apps/v1"),
    ("extensions/v1beta1", ("NetworkPolicy",), "1.16", "networking.k8s.io/v1"),
    ("extensions/v1beta1", ("PodSecurityPolicy",), "1.16", "Pod Security Admission (namespace labels)"),
    ("extensions/v1beta1", ("Ingress",), "1.22", "networking.k8s.io/v1"),
    ("apps/v1beta1", ("Deployment", "StatefulSet", "ControllerRevision"), "1.16", "apps/v1"),
    (
        "apps/v1beta2",
        ("DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "ControllerRevision"),
        "1.16",
        "apps/v1",
    ),
    ("auditregistration.k8s.io/v1alpha1", ("AuditSink",), "1.19", "API server audit configuration"),
    (
        "admissionregistration.k8s.io/v1beta1",
        ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    ("apiextensions.k8s.io/v1beta1", ("CustomResourceDefinition",), "1.22", "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", ("APIService",), "1.22", "apiregistration.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", ("CertificateSigningRequest",), "1.22", "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", ("Lease",), "1.22", "coordination.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", ("Ingress", "IngressClass"), "1.22", "networking.k8s.io/v1"),
    (
        "rbac.authorization.k8s.io/v1beta1",
        ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"),
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"),
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    ("scheduling.k8s.io/v1beta1", ("PriorityClass",), "1.22", "scheduling.k8s.io/v1"),
    (
        "storage.k8s.io/v1beta1",
        ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
        "1.22",
        "storage.k8s.io/v1",
    ),
    ("batch/v2alpha1", ("CronJob",), "1.21", "batch/v1"),
    ("batch/v1beta1", ("CronJob",), "1.25", "batch/v1"),
    ("discovery.k8s.io/v1beta1", ("EndpointSlice",), "1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", ("Event",), "1.25", "events.k8s.io/v1"),
    ("autoscaling/v2beta1", ("HorizontalPodAutoscaler",), "1.25", "autoscaling/v2"),
    ("policy/v1beta1", ("PodDisruptionBudget",), "1.25", "policy/v1"),
    ("policy/v1beta1", ("PodSecurityPolicy",), "1.25", "Pod Security Admission (namespace labels)"),
    ("node.k8s.io/v1beta1", ("RuntimeClass",), "1.25", "node.k8s.io/v1"),
    ("autoscaling/v2beta2", ("HorizontalPodAutoscaler",), "1.26", "autoscaling/v2"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        ("FlowSchema", "PriorityLevelConfiguration"),
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    ("storage.k8s.io/v1beta1", ("CSIStorageCapacity",), "1.27", "storage.k8s.io/v1"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        ("FlowSchema", "PriorityLevelConfiguration"),
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        ("FlowSchema", "PriorityLevelConfiguration"),
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
)
# Pulumi offers each kind as the object and as a server-side-apply patch of it.
_REMOVED_BY_TYPE: dict[str, tuple[str, str, str]] = {
    f"kubernetes:{group_version}:{kind}{suffix}": (f"{group_version} {kind}", removed_in, use)
    for group_version, kinds, removed_in, use in _REMOVED
    for kind in kinds
    for suffix in ("", "Patch")
}


def check(props, config, resource):
    what, removed_in, use = _REMOVED_BY_TYPE[resource.resource_type]
    return (
        f"{what} is no longer served since Kubernetes {removed_in}, so creating or updating it fails; "
        f"use {use}"
    )


POLICY = PolicySpec(
    id="k8s-no-removed-api-versions",
    description="No object uses an API version that current Kubernetes releases no longer serve.",
    severity="medium",
    rationale="A removed API version fails at apply time on a current cluster, usually in the middle of a "
    "cluster upgrade, and the older versions lack fields later hardening relies on (the restricted Pod "
    "Security fields, policy/v1's selector semantics).",
    remediation="Construct the object from the current module, e.g. `pulumi_kubernetes.apps.v1.Deployment`, "
    "`batch.v1.CronJob`, `networking.v1.Ingress`, `policy.v1.PodDisruptionBudget`, `autoscaling.v2."
    "HorizontalPodAutoscaler`, `rbac.v1.Role`; set `apiVersion` in rendered YAML and Helm values likewise.",
    resource_types=tuple(_REMOVED_BY_TYPE),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("CM-2", "SA-22")},
    peers={"kyverno": ("check-deprecated-apis",)},
)
