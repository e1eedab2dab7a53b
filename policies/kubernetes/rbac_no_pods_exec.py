"""No Role or ClusterRole lets its holder run commands inside pods or reach kubelets directly."""

# Peers: none in the peer lists (kyverno restrict-clusterrole-nodesproxy checks nodes/proxy only and is
# not in goldenpath/peers/kyverno.yaml)

from goldenpath.policy import NIST, PolicySpec

from ._rbac import CORE_GROUP, ROLE_TYPES, judge

# Exec and attach are opened by a POST (create) or, over WebSockets, a GET (get).
_SHELL = (
    ("pods/exec", ("create", "get")),
    ("pods/attach", ("create", "get")),
    ("nodes/proxy", ("get", "create")),
)


def _judge(rule):
    if not rule.in_group(CORE_GROUP):
        return
    found = []
    for resource, verbs in _SHELL:
        granted = rule.grants(*verbs)
        if granted and rule.covers_resource(resource):
            found.append(f"{'/'.join(granted)} on {resource}")
    if found:
        yield (
            f"{rule.shown()} grants {'; '.join(found)}; remove them and debug through logs, or grant them "
            "to people only for the time they need them"
        )


def check(props, config):
    return judge(props, _judge)


POLICY = PolicySpec(
    id="k8s-rbac-no-pods-exec",
    description="No Role or ClusterRole grants pods/exec, pods/attach or nodes/proxy.",
    severity="medium",
    rationale="pods/exec and pods/attach open a shell in a running container, with its Secrets and service "
    "account; nodes/proxy reaches the kubelet API, which runs commands in any pod of the node and bypasses "
    "audit logging of the exec.",
    remediation="Drop `pods/exec`, `pods/attach` and `nodes/proxy` (and the '*' or `pods/*` that includes them) "
    "from the `resources` of the `pulumi_kubernetes.rbac.v1.Role` / `ClusterRole` rules; keep such access in a "
    "break-glass role bound only when needed.",
    resource_types=ROLE_TYPES,
    check=check,
    controls={NIST: ("AC-6", "AC-17")},
)
