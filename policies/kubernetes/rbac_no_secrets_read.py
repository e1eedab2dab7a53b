"""No Role or ClusterRole reads every Secret in its scope."""

# Peers: kyverno restrict-secret-role-verbs

from goldenpath.policy import CIS_K8S, NIST, PolicySpec

from ._rbac import CORE_GROUP, ROLE_TYPES, judge, kind


def _judger(role_kind):
    scope = "every namespace's Secrets" if role_kind == "ClusterRole" else "every Secret of its namespace"

    def _judge(rule):
        if rule.resource_names or not rule.in_group(CORE_GROUP) or not rule.covers_resource("secrets"):
            return
        granted = rule.grants("get", "list", "watch")
        if granted:
            yield (
                f"{rule.shown()} grants {'/'.join(granted)} on secrets, so its holder reads {scope}; "
                "name the Secrets it needs in resourceNames or mount them into the pod instead"
            )

    return _judge


def check(props, config, resource):
    return judge(props, _judger(kind(resource.resource_type)))


POLICY = PolicySpec(
    id="k8s-rbac-no-secrets-read",
    description="No Role or ClusterRole grants get, list or watch on Secrets without naming them in resourceNames.",
    severity="medium",
    rationale="A subject that can read Secrets wholesale holds every credential stored beside them, "
    "service-account tokens included; list and watch return the Secret values, not only their names.",
    remediation="Restrict the rule with `resource_names` on the `pulumi_kubernetes.rbac.v1.PolicyRuleArgs`, or "
    "drop the verbs and mount the one Secret the pod needs as a volume.",
    resource_types=ROLE_TYPES,
    check=check,
    check_receives_resource=True,
    controls={CIS_K8S: ("5.1.2",), NIST: ("AC-6", "IA-5")},
    peers={"kyverno": ("restrict-secret-role-verbs",)},
)
