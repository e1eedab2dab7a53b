"""No security group opens every port to the whole internet."""

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec

from ._sg_rules import INGRESS_TYPES, judge


def _problem(rule):
    if not rule.world or not rule.all_ports:
        return None
    sources = " and ".join(rule.world)
    return f"{rule.where} allows {rule.traffic} from {sources}; open only the ports the service listens on"


def check(props, config):
    return judge(props, _problem)


POLICY = PolicySpec(
    id="aws-sg-no-world-all-ports",
    description="No security group allows ingress from 0.0.0.0/0 or ::/0 on all protocols or on every port.",
    severity="critical",
    rationale="A rule that lets the internet reach every port exposes whatever happens to listen on the host, "
    "today and after the next change; it defeats the security group as a control.",
    remediation="Replace the rule with one per service port (e.g. tcp 443) and a source narrower than "
    "0.0.0.0/0 or ::/0 where possible; goldenpath's Service component opens only 80 and 443 on its load balancer.",
    resource_types=INGRESS_TYPES,
    check=check,
    controls={CIS_AWS: ("5.2", "5.3"), NIST: ("AC-4", "SC-7", "CM-7"), PCI: ("1.2.5", "1.3.1")},
    peers={"checkov": ("CKV_AWS_277",)},
)
