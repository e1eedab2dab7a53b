"""No Role or ClusterRole grants the verbs that hand out more rights than the holder has."""

# Peers: checkov CKV_K8S_157, CKV_K8S_158, kyverno restrict-escalation-verbs-roles

from goldenpath.policy import CIS_K8S, NIST, PolicySpec

from ._rbac import CORE_GROUP, RBAC_GROUP, ROLE_TYPES, judge

# verb -> (API groups, resources) it is dangerous on
_ESCALATION = (
    ("escalate", (RBAC_GROUP,), ("roles", "clusterroles")),
    ("bind", (RBAC_GROUP,), ("roles", "clusterroles")),
    ("impersonate", (CORE_GROUP,), ("users", "groups", "serviceaccounts")),
    ("impersonate", ("authentication.k8s.io",), ("userextras/scopes", "uids")),
)


def _judge(rule):
    found = []
    for verb, groups, resources in _ESCALATION:
        if not rule.in_group(*groups) or not rule.grants(verb):
            continue
        named = [r for r in resources if rule.covers_resource(r)]
        if named:
            found.append(f"{verb} on {', '.join(named)}")
    if found:
        yield (
            f"{rule.shown()} grants {'; '.join(found)}; remove these verbs (a '*' verb includes them) "
            "and grant the subject the permissions it needs directly"
        )


def check(props, config):
    return judge(props, _judge)


POLICY = PolicySpec(
    id="k8s-rbac-no-escalation-verbs",
    description="No Role or ClusterRole grants escalate or bind on roles, or impersonate on users, groups or "
    "service accounts.",
    severity="high",
    rationale="escalate lets a subject write a role with rights it does not hold, bind lets it bind any role "
    "to itself, impersonate lets it act as anyone: each is a path to cluster-admin past every other RBAC "
    "restriction.",
    remediation="Remove `escalate`, `bind` and `impersonate` (and '*') from the `verbs` of the "
    "`pulumi_kubernetes.rbac.v1.Role` / `ClusterRole` rules on roles, clusterroles, users, groups and "
    "serviceaccounts; waive (annotation `waiver.goldenpath.dev/k8s-rbac-no-escalation-verbs`) a controller "
    "that really manages RBAC, such as a GitOps agent.",
    resource_types=ROLE_TYPES,
    check=check,
    controls={CIS_K8S: ("5.1.8",), NIST: ("AC-6", "AC-6(10)")},
    peers={"checkov": ("CKV_K8S_157", "CKV_K8S_158"), "kyverno": ("restrict-escalation-verbs-roles",)},
)
