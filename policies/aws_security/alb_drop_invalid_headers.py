"""Application Load Balancers drop malformed HTTP headers instead of passing them to the application."""

from goldenpath.policy import NIST, PolicySpec, get_path

from ._elb import LOAD_BALANCERS


def check(props, config):
    if get_path(props, "loadBalancerType", "application") != "application":
        return None
    if get_path(props, "dropInvalidHeaderFields") is not True:
        return (
            "application load balancer passes invalid header fields on; set dropInvalidHeaderFields to true"
        )
    return None


POLICY = PolicySpec(
    id="aws-alb-drop-invalid-headers",
    description="Application Load Balancers set dropInvalidHeaderFields to true.",
    severity="medium",
    rationale="Header names that are not valid HTTP are a vehicle for request smuggling and header injection "
    "against the targets behind the load balancer; dropping them at the edge removes that input.",
    remediation="Set `drop_invalid_header_fields=True` on the `aws.lb.LoadBalancer` (goldenpath's Service "
    "component does).",
    resource_types=LOAD_BALANCERS,
    check=check,
    controls={NIST: ("SI-10",)},
    peers={"checkov": ("CKV_AWS_131",)},
)
