"""The team's own network building block."""

import ipaddress

import pulumi
import pulumi_aws as aws


class Network(pulumi.ComponentResource):
    """A VPC with one public subnet per availability zone and a route to the internet."""

    def __init__(self, name, cidr, zones, opts=None):
        super().__init__("acme:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc", cidr_block=cidr, enable_dns_hostnames=True, enable_dns_support=True, opts=child
        )
        # The SDK accepts the Vpc itself where its id is expected.
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc, opts=child)
        route_table = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            opts=child,
        )

        blocks = ipaddress.ip_network(cidr).subnets(new_prefix=24)
        self.public_subnet_ids = []
        for index, zone in enumerate(zones):
            subnet = aws.ec2.Subnet(
                f"{name}-public-{index}",
                vpc_id=self.vpc,
                cidr_block=str(next(blocks)),
                availability_zone=zone,
                map_public_ip_on_launch=True,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}", subnet_id=subnet.id, route_table_id=route_table.id, opts=child
            )
            self.public_subnet_ids.append(subnet.id)

        self.vpc_id = self.vpc.id
        self.register_outputs({"vpc_id": self.vpc_id, "public_subnet_ids": self.public_subnet_ids})
