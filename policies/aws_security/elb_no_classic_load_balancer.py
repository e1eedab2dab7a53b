"""Load balancing uses Application or Network Load Balancers, not the Classic Load Balancer."""

# Peers: cdk-nag AwsSolutions-ELB1 (which flags a Classic Load Balancer with an HTTP or HTTPS listener;
# this one flags every Classic Load Balancer).

from goldenpath.policy import PolicySpec

from ._classic_elb import CLASSIC_LOAD_BALANCER


def check(props, config):
    return (
        "this is a Classic Load Balancer (aws.elb.LoadBalancer), a previous-generation load balancer; use an "
        "Application Load Balancer for HTTP(S) or a Network Load Balancer for TCP/TLS (aws.lb.LoadBalancer)"
    )


POLICY = PolicySpec(
    id="aws-elb-no-classic-load-balancer",
    description="No Classic Load Balancer (aws.elb.LoadBalancer) is created; use an Application or Network "
    "Load Balancer.",
    severity="medium",
    rationale="The Classic Load Balancer is a previous generation that AWS no longer develops: it has no AWS WAF "
    "association, no invalid-header dropping, no TLS 1.3 security policies, no redirects or authentication "
    "actions, and one certificate per listener; every control the pack applies to Application and Network "
    "Load Balancers is missing or weaker on it.",
    remediation="Replace the `aws.elb.LoadBalancer` with an `aws.lb.LoadBalancer` "
    '(`load_balancer_type="application"` for HTTP(S), `"network"` for TCP/TLS) with an `aws.lb.TargetGroup` '
    "and `aws.lb.Listener`s; goldenpath's Service component builds one.",
    resource_types=(CLASSIC_LOAD_BALANCER,),
    check=check,
    peers={"cdk-nag": ("AwsSolutions-ELB1",)},
)
