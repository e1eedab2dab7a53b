"""ECS services do not give their tasks public IP addresses."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

SERVICE = "aws:ecs/service:Service"


def check(props, config):
    assign = get_path(props, "networkConfiguration.assignPublicIp")
    if assign is True or str(assign).lower() == "true":
        return "tasks get a public IP (networkConfiguration.assignPublicIp: true); set it to false"
    return None


POLICY = PolicySpec(
    id="aws-ecs-no-public-ip",
    description="ECS services do not assign public IPs to their tasks.",
    severity="high",
    rationale="A task with a public IP is reachable from the internet past the load balancer and its TLS and "
    "WAF; only security groups stand between it and every scanner.",
    remediation="Set `networkConfiguration.assignPublicIp` to false and run tasks in private subnets behind a "
    "load balancer, with a NAT gateway or VPC endpoints for egress (the goldenpath Network and Service components "
    "do this).",
    resource_types=(SERVICE,),
    check=check,
    controls={NIST: ("SC-7", "AC-3"), PCI: ("1.3.1",)},
    peers={"checkov": ("CKV_AWS_333",)},
)
