"""A two-zone network from the Network component, and the app's security group inside it."""

import pulumi
import pulumi_aws as aws
from network import Network

config = pulumi.Config()
cidr = config.get("cidr") or "10.20.0.0/16"

provider = aws.Provider(
    "tagged",
    region="eu-central-1",
    default_tags={
        "tags": {
            "team": "payments",
            "service": "payments-network",
            "environment": pulumi.get_stack(),
            "cost-center": "cc-1042",
            "managed-by": "pulumi",
            "goldenpath:blueprint": "none",
            "goldenpath:version": "0",
        }
    },
)

zones = aws.get_availability_zones(state="available", opts=pulumi.InvokeOptions(provider=provider))

network = Network("core", cidr, zones.names[:2], opts=pulumi.ResourceOptions(provider=provider))

# Wide open while the team debugs connectivity; children of the network use its provider.
app_sg = aws.ec2.SecurityGroup(
    "app-sg",
    vpc_id=network.vpc,
    description="application hosts",
    ingress=[
        {
            "protocol": "-1",
            "from_port": 0,
            "to_port": 0,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "temporary: everything while debugging",
        }
    ],
    opts=pulumi.ResourceOptions(parent=network),
)

pulumi.export("vpc_id", network.vpc_id)
pulumi.export("public_subnet_ids", network.public_subnet_ids)
pulumi.export("app_sg_id", app_sg.id)
