"""Every namespace that runs workloads denies incoming traffic unless a policy allows it."""

from goldenpath.policy import CIS_K8S, NIST, PolicySpec, as_list, get_path

from ._pod import NETWORK_POLICY_TYPES, WORKLOAD_TYPES, Namespaces, known, selector_is_empty


def _policy_types(props):
    declared = get_path(props, "spec.policyTypes")
    if declared is not None:
        return set(as_list(declared))
    # Kubernetes' default: every policy covers Ingress; Egress only when it has egress rules.
    return {"Ingress", "Egress"} if get_path(props, "spec.egress") is not None else {"Ingress"}


def _denies_by_default(props, require_egress):
    if not selector_is_empty(get_path(props, "spec.podSelector")):
        return False
    types = _policy_types(props)
    if "Ingress" not in types or as_list(get_path(props, "spec.ingress")):
        return False
    return not require_egress or ("Egress" in types and not as_list(get_path(props, "spec.egress")))


def stack_check(resources, config):
    require_egress = config["requireEgress"]
    namespaces = Namespaces(resources)
    protected = set()
    for r in resources:
        if r.resource_type in NETWORK_POLICY_TYPES and known(
            _denies_by_default, r.props, require_egress, unknown=True
        ):
            protected.add(namespaces.key(r))
    what = "ingress and egress" if require_egress else "ingress"
    types = "Ingress and Egress" if require_egress else "Ingress"
    for r in resources:
        if r.resource_type not in WORKLOAD_TYPES:
            continue
        namespace = namespaces.key(r)
        # A policy whose namespace is not known before apply may be this one's: not judged until then.
        if namespace is None or namespace in protected or None in protected:
            continue
        yield (
            r.urn,
            (
                f'namespace "{namespaces.label(namespace)}" has no NetworkPolicy denying all {what} by default '
                f"(podSelector {{}}, policyTypes including {types}, no {what} rules)"
            ),
        )


POLICY = PolicySpec(
    id="k8s-default-deny-network-policy",
    description="Every namespace with workloads has a default-deny NetworkPolicy.",
    severity="medium",
    rationale="Without a default-deny policy every pod accepts connections from every other pod in the "
    "cluster: one compromised workload can reach all the others and their databases.",
    remediation="Add a NetworkPolicy to the namespace with `podSelector: {}`, `policyTypes: [Ingress, Egress]` "
    "and no ingress rules, then one NetworkPolicy per workload allowing exactly the traffic it needs. "
    "goldenpath's `Workload` component creates both.",
    resource_types=(*NETWORK_POLICY_TYPES, *WORKLOAD_TYPES),
    stack_check=stack_check,
    controls={CIS_K8S: ("5.3.2",), NIST: ("SC-7", "AC-4")},
    config_schema={
        "requireEgress": {
            "type": "boolean",
            "default": False,
            "description": "Require the default-deny policy to deny egress too (policyTypes Egress, no egress rules).",
        }
    },
)
