"""Services stay inside the cluster: no node ports, load balancers or external IPs by default."""

# Peers: kyverno restrict-nodeport, no-loadbalancer-service, restrict-external-ips

from goldenpath.policy import NIST, PolicySpec, as_list, get_path

from ._pod import SERVICE


def check(props, config):
    service_type = get_path(props, "spec.type") or "ClusterIP"
    if service_type not in config["allowedTypes"]:
        allowed = ", ".join(config["allowedTypes"])
        yield (
            f"Service type {service_type} exposes it outside the cluster; use ClusterIP behind an Ingress or "
            f"Gateway (allowed here: {allowed})"
        )
    external_ips = as_list(get_path(props, "spec.externalIPs"))
    if external_ips:
        yield "Service sets spec.externalIPs, which lets it capture traffic for those addresses; remove them"


POLICY = PolicySpec(
    id="k8s-service-type",
    description="Services are of an allowed type (ClusterIP or ExternalName by default) and set no externalIPs.",
    severity="low",
    rationale="A NodePort opens a port on every node, a LoadBalancer provisions a public (by default) address, "
    "both bypassing the Ingress where TLS, authentication and rate limits live; externalIPs let any "
    "Service owner intercept traffic to an address (CVE-2020-8554).",
    remediation='Set `spec=ServiceSpecArgs(type="ClusterIP")` on the `pulumi_kubernetes.core.v1.Service` and '
    "publish it through an Ingress or Gateway; drop `external_ips`. Add the type to this policy's "
    "`allowedTypes` where a load balancer is the deliberate entry point.",
    resource_types=(SERVICE,),
    check=check,
    controls={NIST: ("SC-7", "CM-7")},
    config_schema={
        "allowedTypes": {
            "type": "array",
            "items": {"type": "string", "enum": ["ClusterIP", "ExternalName", "NodePort", "LoadBalancer"]},
            "default": ["ClusterIP", "ExternalName"],
            "description": "Service types that may be used.",
        }
    },
    peers={"kyverno": ("restrict-nodeport", "no-loadbalancer-service", "restrict-external-ips")},
)
