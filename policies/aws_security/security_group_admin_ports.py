"""Remote administration and data-store ports are never open to the whole internet."""

from goldenpath.conventions import ADMIN_PORTS
from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec

from ._sg_rules import INGRESS_TYPES, judge

PORT_NAMES = {
    22: "SSH",
    3389: "RDP",
    5432: "PostgreSQL",
    3306: "MySQL",
    1433: "SQL Server",
    6379: "Redis",
    27017: "MongoDB",
    9200: "Elasticsearch",
    5601: "Kibana",
}


def _port_label(port):
    name = PORT_NAMES.get(port)
    return f"{port} ({name})" if name else str(port)


def check(props, config):
    ports = sorted({int(p) for p in config["ports"]})

    def problem(rule):
        if not rule.world:
            return None
        exposed = [p for p in ports if rule.opens(p)]
        if not exposed:
            return None
        sources = " and ".join(rule.world)
        if len(exposed) == 1 and rule.ports == (exposed[0], exposed[0]):
            reach = f"{sources} on port {_port_label(exposed[0])}"
        else:
            reach = (
                f"{rule.traffic} from {sources}, including port{'s' if len(exposed) > 1 else ''} "
                + ", ".join(_port_label(p) for p in exposed)
            )
        return f"{rule.where} allows {reach}; restrict the source to known networks"

    return judge(props, problem)


POLICY = PolicySpec(
    id="aws-sg-no-world-admin-ports",
    description="No security group allows ingress from 0.0.0.0/0 or ::/0 to an administration or database port.",
    severity="critical",
    rationale="SSH, RDP and database ports open to the internet are scanned within minutes and are the most "
    "common way into cloud hosts (brute force, leaked keys, unpatched services).",
    remediation="Limit the rule's source to known CIDRs or to another security group (`referenced_security_group_id`"
    " / `source_security_group_id`); reach hosts through SSM Session Manager or a VPN instead of public SSH/RDP. "
    "goldenpath's Service component opens only 80 and 443 to the internet, on its load balancer.",
    resource_types=INGRESS_TYPES,
    check=check,
    controls={CIS_AWS: ("5.2", "5.3"), NIST: ("AC-4", "SC-7", "CM-7"), PCI: ("1.2.5", "1.3.1")},
    config_schema={
        "ports": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 65535},
            "default": list(ADMIN_PORTS),
            "description": "Ports that must not be reachable from 0.0.0.0/0 or ::/0.",
        }
    },
    peers={
        "checkov": (
            "CKV_AWS_24",
            "CKV_AWS_25",
        )
    },
)
