"""Pods get a Kubernetes API token only when they ask for one."""

# Peers: checkov CKV_K8S_38, kyverno restrict-automount-sa-token

from goldenpath.policy import CIS_K8S, NIST, PolicySpec, get_path

from ._pod import (
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_PATCH,
    UNKNOWN,
    WORKLOAD_TYPES,
    Namespaces,
    known,
    pod_spec,
    read,
)

_ACCOUNTS = (SERVICE_ACCOUNT, SERVICE_ACCOUNT_PATCH)


def _account(spec):
    return get_path(spec, "serviceAccountName") or get_path(spec, "serviceAccount") or "default"


def stack_check(resources, config):
    namespaces = Namespaces(resources)
    # (namespace, name) -> automountServiceAccountToken of each ServiceAccount the stack declares
    # (or patches, as platforms do to turn tokens off for "default").
    accounts = {}
    for r in resources:
        if r.resource_type not in _ACCOUNTS:
            continue
        automount = read(r.props, "automountServiceAccountToken")
        name = read(r.props, "metadata.name")
        if isinstance(name, str) and name:
            accounts[(namespaces.key(r), name)] = automount
        if r.resource_type == SERVICE_ACCOUNT and automount is not UNKNOWN and automount is not False:
            yield (
                r.urn,
                (
                    "service account does not set automountServiceAccountToken: false; every pod using it gets "
                    "an API token unless its own spec turns it off"
                ),
            )

    for r in resources:
        if r.resource_type not in WORKLOAD_TYPES:
            continue
        spec = known(pod_spec, r.props)
        if spec is None:
            continue
        automount = read(spec, "automountServiceAccountToken")
        if automount is False or automount is UNKNOWN:
            continue
        if automount is True:
            yield (
                r.urn,
                "pod spec sets automountServiceAccountToken: true; set it to false unless the pod calls the API",
            )
            continue
        # Unset on the pod: its service account decides.
        declared = [
            read(d.props, "automountServiceAccountToken")
            for d in r.property_dependencies.get("spec", ())
            if d.resource_type in _ACCOUNTS
        ]
        account = known(_account, spec, unknown=UNKNOWN)
        namespace = namespaces.key(r)
        if not declared:
            if account is UNKNOWN or namespace is None:
                continue  # cannot tell which service account before apply
            if (namespace, account) in accounts:
                declared = [accounts[(namespace, account)]]
        if any(value is False or value is UNKNOWN for value in declared):
            continue
        name = account if account is not UNKNOWN else "(not yet known)"
        if declared:
            yield (
                r.urn,
                (
                    f'pods mount an API token: neither the pod spec nor its service account "{name}" sets '
                    "automountServiceAccountToken: false"
                ),
            )
        else:
            yield (
                r.urn,
                (
                    "pods mount an API token: the pod spec does not set automountServiceAccountToken: false and its "
                    f'service account "{name}" is not declared in this stack with it set to false'
                ),
            )


POLICY = PolicySpec(
    id="k8s-no-automount-token",
    description="Pods mount no service account token unless they need one, and service accounts default to none.",
    severity="medium",
    rationale="A mounted token is the first thing an intruder in a pod uses: it authenticates to the API "
    "server as the service account, with whatever RBAC grants it (and `default` often has more than expected).",
    remediation="Set `automountServiceAccountToken: false` on every ServiceAccount and in the pod spec; a pod "
    "that calls the API sets it to true on its own spec (or uses a projected token volume with a short expiry). "
    "goldenpath's `Workload` component turns them off on its dedicated ServiceAccount and its pods.",
    resource_types=(*_ACCOUNTS, *WORKLOAD_TYPES),
    stack_check=stack_check,
    controls={CIS_K8S: ("5.1.5", "5.1.6"), NIST: ("AC-6", "IA-5")},
    peers={"checkov": ("CKV_K8S_38",), "kyverno": ("restrict-automount-sa-token",)},
)
