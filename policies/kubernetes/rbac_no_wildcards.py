"""Roles and ClusterRoles name the API groups, resources and verbs they grant, never ``*``."""

# Peers: checkov CKV_K8S_49, kyverno restrict-wildcard-verbs, restrict-wildcard-resources

from goldenpath.policy import CIS_K8S, NIST, PolicySpec

from ._rbac import ROLE_TYPES, judge


def _judge(rule):
    fields = [
        name
        for name, values in (
            ("apiGroups", rule.api_groups),
            ("resources", rule.resources),
            ("verbs", rule.verbs),
        )
        if "*" in values
    ]
    if "*" in rule.non_resource_urls:
        fields.append("nonResourceURLs")
    if fields:
        yield (
            f"{rule.shown()} grants '*' in {', '.join(fields)}; list the exact API groups, resources and "
            "verbs the subject needs"
        )


def check(props, config):
    return judge(props, _judge)


POLICY = PolicySpec(
    id="k8s-rbac-no-wildcards",
    description="No Role or ClusterRole rule uses '*' for its API groups, resources, verbs or non-resource URLs.",
    severity="medium",
    rationale="A wildcard grants today's resources and every one added later (new CRDs, new subresources such "
    "as pods/exec or serviceaccounts/token): the role silently grows with the cluster.",
    remediation="List the exact `api_groups`, `resources` and `verbs` in every `PolicyRuleArgs` of the "
    "`pulumi_kubernetes.rbac.v1.Role` / `ClusterRole` `rules`.",
    resource_types=ROLE_TYPES,
    check=check,
    controls={CIS_K8S: ("5.1.3",), NIST: ("AC-6",)},
    peers={"checkov": ("CKV_K8S_49",), "kyverno": ("restrict-wildcard-verbs", "restrict-wildcard-resources")},
)
