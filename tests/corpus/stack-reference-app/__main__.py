"""The app tier: a launch template and an auto scaling group in the network stack's private subnets."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))
vpc_id = network.get_output("vpcId")
private_subnet_ids = network.require_output("privateSubnetIds")

tags = {
    "team": "catalog",
    "service": "catalog-app",
    "environment": pulumi.get_stack(),
    "cost-center": "cc-2300",
    "managed-by": "pulumi",
    "goldenpath:blueprint": "none",
    "goldenpath:version": "0",
}

ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]}],
)

app_sg = aws.ec2.SecurityGroup(
    "app-sg",
    vpc_id=vpc_id,
    description="catalog app hosts",
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 8080,
            "to_port": 8080,
            "cidr_blocks": ["10.0.0.0/8"],
            "description": "app port from inside the network",
        }
    ],
    egress=[
        {
            "protocol": "-1",
            "from_port": 0,
            "to_port": 0,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "updates and AWS APIs",
        }
    ],
    tags=tags,
)

template = aws.ec2.LaunchTemplate(
    "app-template",
    image_id=ami.id,
    instance_type=config.get("instanceType") or "t3.small",
    vpc_security_group_ids=[app_sg.id],
    metadata_options={"http_endpoint": "enabled", "http_tokens": "required"},
    block_device_mappings=[
        {"device_name": "/dev/xvda", "ebs": {"volume_size": 20, "volume_type": "gp3", "encrypted": "true"}}
    ],
    tags=tags,
)

aws.autoscaling.Group(
    "app-asg",
    min_size=2,
    max_size=4,
    vpc_zone_identifiers=private_subnet_ids,
    launch_template={"id": template.id, "version": "$Latest"},
    tags=[{"key": key, "value": value, "propagate_at_launch": True} for key, value in tags.items()],
)

pulumi.export("security_group_id", app_sg.id)
