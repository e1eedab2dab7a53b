"""Load balancers mitigate HTTP desync attacks (desync mitigation mode is not "monitor")."""

# Peers: checkov CKV_AWS_328 (aws_lb, aws_alb and aws_elb alike).

from goldenpath.policy import NIST, PolicySpec, get_path

from ._classic_elb import CLASSIC_LOAD_BALANCER
from ._elb import LOAD_BALANCERS

# The provider's default is "defensive"; "strictest" also passes.
UNMITIGATED = "monitor"


def check(props, config):
    mode = get_path(props, "desyncMitigationMode")
    if isinstance(mode, str) and mode.lower() == UNMITIGATED:
        return (
            'desyncMitigationMode is "monitor", so requests that may smuggle a second request through an HTTP '
            'desync reach the targets; set it to "defensive" (the default) or "strictest"'
        )
    return None


POLICY = PolicySpec(
    id="aws-alb-desync-mitigation",
    description='Application and Classic Load Balancers do not run HTTP desync mitigation in "monitor" mode.',
    severity="low",
    rationale="An HTTP desync (request smuggling) makes the load balancer and a target disagree about where a "
    "request ends, so an attacker can prepend a request to another user's, poison caches or bypass path rules. "
    'In "monitor" mode the load balancer only records such requests and forwards them; "defensive" blocks the '
    'dangerous ones and "strictest" every request that is not RFC 7230 compliant.',
    remediation='Leave `desync_mitigation_mode` unset (the default is `"defensive"`) or set it to `"defensive"` '
    'or `"strictest"` on the `aws.lb.LoadBalancer` or `aws.elb.LoadBalancer`.',
    resource_types=(*LOAD_BALANCERS, CLASSIC_LOAD_BALANCER),
    check=check,
    controls={NIST: ("SC-7", "SI-10")},
    peers={"checkov": ("CKV_AWS_328",)},
)
