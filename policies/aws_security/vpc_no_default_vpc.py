"""Stacks build their own VPC instead of adopting the region's default VPC or its subnets."""

from goldenpath.policy import NIST, PolicySpec

# Peers: checkov CKV_AWS_148 (aws_default_vpc)

DEFAULT_VPC = "aws:ec2/defaultVpc:DefaultVpc"
DEFAULT_SUBNET = "aws:ec2/defaultSubnet:DefaultSubnet"

_WHAT = {DEFAULT_VPC: "the region's default VPC", DEFAULT_SUBNET: "a default subnet of the default VPC"}


def check(props, config, resource):
    return (
        f"this adopts {_WHAT[resource.resource_type]}, whose subnets are public and give every instance a "
        "public IP; create an aws.ec2.Vpc with private subnets (goldenpath's Network component) instead"
    )


POLICY = PolicySpec(
    id="aws-vpc-no-default-vpc",
    description="The default VPC and its default subnets are not adopted into a stack.",
    severity="medium",
    rationale="The default VPC has a public subnet in every Availability Zone that assigns public IPs on launch "
    "and routes to an internet gateway; workloads placed there are reachable from the internet by default.",
    remediation="Remove the `aws.ec2.DefaultVpc` / `aws.ec2.DefaultSubnet` and place the workload in an "
    "`aws.ec2.Vpc` of your own with private `aws.ec2.Subnet`s (`map_public_ip_on_launch=False`).",
    resource_types=(DEFAULT_VPC, DEFAULT_SUBNET),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("SC-7", "CM-7")},
    peers={"checkov": ("CKV_AWS_148",)},
)
