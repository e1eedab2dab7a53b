"""HTTP and HTTPS target groups health-check their targets on a path of their own choosing."""

# Peers: checkov CKV_AWS_261 (an HTTP/HTTPS target group declares a health check with a path).

from goldenpath.policy import PolicySpec, get_path

from ._elb import TARGET_GROUPS

HTTP_PROTOCOLS = ("HTTP", "HTTPS")


def check(props, config):
    protocol = get_path(props, "protocol")
    if not isinstance(protocol, str) or protocol.upper() not in HTTP_PROTOCOLS:
        return None  # TCP/UDP/TLS/GENEVE target groups, and Lambda ones (no protocol), are not judged
    if get_path(props, "healthCheck.enabled", True) is False:
        return (
            "health checks are off (healthCheck.enabled is false), so the load balancer keeps sending requests "
            "to failed targets; set healthCheck.enabled to true with a path"
        )
    if not get_path(props, "healthCheck.path"):
        return (
            'target group names no health check path, so targets are probed on "/", which may answer without '
            "checking the service; set healthCheck.path to an endpoint that reports the service's health"
        )
    return None


POLICY = PolicySpec(
    id="aws-lb-target-group-health-check",
    description="HTTP and HTTPS target groups have health checks enabled, on an explicit path.",
    severity="low",
    rationale="The load balancer routes only to targets its health check finds healthy. With checks off it "
    'keeps routing to crashed or half-started tasks; probing the default "/" often tests a static page or '
    "a redirect rather than the service and its dependencies, so broken targets stay in rotation.",
    remediation='Set `health_check={"enabled": True, "path": "/healthz", "matcher": "200-399"}` on the '
    "`aws.lb.TargetGroup` (goldenpath's Service component sets it from `health_check_path`).",
    resource_types=TARGET_GROUPS,
    check=check,
    peers={"checkov": ("CKV_AWS_261",)},
)
