"""Ingresses terminate TLS for every host they route."""

# Peers: kyverno require-ingress-https, ingress-host-match-tls

from collections.abc import Mapping

from goldenpath.policy import NIST, PCI, PolicySpec, as_list, get_path

from ._pod import INGRESS_TYPES


def _covers(pattern: str, host: str) -> bool:
    if pattern == host:
        return True
    # A wildcard certificate covers exactly one more label: *.example.com covers a.example.com only.
    return pattern.startswith("*.") and host.count(".") >= 2 and host.split(".", 1)[1] == pattern[2:]


def check(props, config):
    tls = [t for t in as_list(get_path(props, "spec.tls")) if isinstance(t, Mapping)]
    if not tls:
        return ["Ingress has no spec.tls, so it serves plain HTTP; add a tls entry (hosts and secretName)"]
    if any(not as_list(get_path(t, "hosts")) for t in tls):
        return []  # a tls entry without hosts applies to every host of the Ingress
    tls_hosts = [h for t in tls for h in as_list(get_path(t, "hosts")) if isinstance(h, str)]
    uncovered = []
    for rule in as_list(get_path(props, "spec.rules")):
        host = get_path(rule, "host") if isinstance(rule, Mapping) else None
        if isinstance(host, str) and host and not any(_covers(p, host) for p in tls_hosts):
            uncovered.append(host)
    if uncovered:
        return [
            f"Ingress routes {', '.join(sorted(set(uncovered)))} without TLS; list them in spec.tls[].hosts"
        ]
    return []


POLICY = PolicySpec(
    id="k8s-ingress-tls",
    description="Every Ingress has spec.tls, and its hosts cover every host the rules route.",
    severity="medium",
    rationale="An Ingress without TLS (or a host its TLS entries leave out) serves that host over plain HTTP: "
    "credentials, cookies and data cross the network readable and forgeable.",
    remediation="Pass `tls=[IngressTLSArgs(hosts=[...], secret_name=...)]` in the `IngressSpecArgs` of the "
    "`pulumi_kubernetes.networking.v1.Ingress`, listing every `rules[].host` (a cert-manager annotation can "
    "issue the certificate).",
    resource_types=INGRESS_TYPES,
    check=check,
    controls={NIST: ("SC-8", "SC-8(1)"), PCI: ("4.2.1",)},
    peers={"kyverno": ("require-ingress-https", "ingress-host-match-tls")},
)
