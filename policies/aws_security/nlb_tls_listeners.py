"""Internet-facing Network Load Balancers terminate TLS instead of passing plain TCP."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_known

from ._elb import LISTENERS, LOAD_BALANCERS, Pointers
from ._s3 import read

# Peers: none (checkov CKV_AWS_2 accepts TCP listeners).

# UDP and QUIC listeners are left alone: a Network Load Balancer cannot terminate TLS over UDP.
PLAIN = frozenset({"TCP", "TCP_UDP"})


def _internet_facing_nlb(lb):
    # Provider defaults: loadBalancerType "application", internal false; unknown values decide nothing.
    return (
        read(lb.props, "loadBalancerType", "application") == "network"
        and read(lb.props, "internal", False) is False
    )


def stack_check(resources, config):
    nlbs = [r for r in resources if r.resource_type in LOAD_BALANCERS and _internet_facing_nlb(r)]
    listeners = [r for r in resources if r.resource_type in LISTENERS]
    pointers = Pointers(nlbs, listeners, "loadBalancerArn", keys=("arn", "id"))
    for nlb in nlbs:
        for listener in pointers.of(nlb):
            protocol = get_known(listener.props, "protocol")
            if isinstance(protocol, str) and protocol.upper() in PLAIN:
                port = get_known(listener.props, "port")
                on = f" on port {port}" if isinstance(port, int | float) else ""
                yield (
                    listener.urn,
                    f"listener{on} of internet-facing network load balancer {nlb.name!r} passes {protocol.upper()} "
                    "unencrypted by the load balancer; use protocol TLS with a certificateArn and an sslPolicy "
                    "(unless the targets terminate TLS themselves)",
                )


POLICY = PolicySpec(
    id="aws-nlb-tls-listeners",
    description="Listeners of internet-facing Network Load Balancers use TLS rather than TCP.",
    severity="medium",
    rationale="A TCP listener forwards whatever the client sends; unless every target terminates TLS itself, "
    "traffic from the internet crosses the network in clear text. A TLS listener encrypts it with an ACM "
    "certificate and a TLS policy the platform controls.",
    remediation='Set `protocol="TLS"`, `certificate_arn` (an ACM certificate) and `ssl_policy` on the '
    "`aws.lb.Listener`; keep TCP only for targets that terminate TLS themselves (and waive with that reason).",
    resource_types=(*LOAD_BALANCERS, *LISTENERS),
    stack_check=stack_check,
    controls={NIST: ("SC-8",), PCI: ("4.2.1",)},
)
