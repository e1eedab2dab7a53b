"""Nobody is granted cluster-admin, the role that can do anything to any object."""

# Peers: kyverno restrict-binding-clusteradmin

from collections.abc import Mapping

from goldenpath.policy import CIS_K8S, NIST, PolicySpec, as_list, get_path

BINDINGS = tuple(
    f"kubernetes:rbac.authorization.k8s.io/{version}:{kind}"
    for version in ("v1", "v1beta1", "v1alpha1")
    for kind in ("ClusterRoleBinding", "RoleBinding")
)


def check(props, config):
    if get_path(props, "roleRef.kind") != "ClusterRole" or get_path(props, "roleRef.name") != "cluster-admin":
        return None
    subjects = [
        f"{get_path(s, 'kind')} {get_path(s, 'name')}"
        for s in as_list(get_path(props, "subjects"))
        if isinstance(s, Mapping)
    ]
    to = ", ".join(subjects) if subjects else "no subjects yet"
    return f"binds the cluster-admin ClusterRole ({to}); bind a role with only the permissions needed"


POLICY = PolicySpec(
    id="k8s-no-cluster-admin-binding",
    description="No ClusterRoleBinding or RoleBinding grants the cluster-admin ClusterRole.",
    severity="critical",
    rationale="cluster-admin is unrestricted: whoever holds it (a person, a CI job or a compromised pod's "
    "service account) can read every Secret and run anything on any node.",
    remediation="Write a Role (or ClusterRole) that lists only the verbs and resources the subject needs and "
    "bind that instead, namespaced with a RoleBinding wherever possible.",
    resource_types=BINDINGS,
    check=check,
    controls={CIS_K8S: ("5.1.1",), NIST: ("AC-6", "AC-6(7)")},
    peers={"kyverno": ("restrict-binding-clusteradmin",)},
)
