"""Subnets do not give instances a public IP address automatically."""

from goldenpath.policy import NIST, PolicySpec, get_path

# Peers: checkov CKV_AWS_130

SUBNET = "aws:ec2/subnet:Subnet"


def check(props, config):
    # provider default: false; an unknown value propagates (the engine says it can't run yet)
    mapped = get_path(props, "mapPublicIpOnLaunch", False)
    if mapped is True:
        return (
            "subnet assigns a public IP to every instance launched into it; set mapPublicIpOnLaunch to false "
            "(public subnets for load balancers and NAT gateways do not need it)"
        )
    return None


POLICY = PolicySpec(
    id="aws-vpc-subnet-no-public-ip-on-launch",
    description="Subnets do not map a public IP address to instances on launch.",
    severity="medium",
    rationale="With mapPublicIpOnLaunch every instance, task or node placed in the subnet is directly "
    "addressable from the internet, guarded only by its security group.",
    remediation="Set `map_public_ip_on_launch=False` on the `aws.ec2.Subnet` (the default); load balancers and "
    "NAT gateways in public subnets get their addresses without it, and the few hosts that need one can take "
    "an `aws.ec2.Eip`.",
    resource_types=(SUBNET,),
    check=check,
    controls={NIST: ("SC-7", "AC-4")},
    peers={"checkov": ("CKV_AWS_130",)},
)
