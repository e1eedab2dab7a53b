"""Worker hosts; the size knob is mapped to an instance type inside an apply, which rejects 'large'."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
INSTANCE_TYPES = {"small": "t3.small", "medium": "t3.medium"}


def instance_type(size):
    if size not in INSTANCE_TYPES:
        raise ValueError(f"unknown worker size {size!r}; choose one of: {', '.join(INSTANCE_TYPES)}")
    return INSTANCE_TYPES[size]


size = pulumi.Output.from_input(config.require("size"))

open_admin = aws.ec2.SecurityGroup(
    "worker-admin",
    description="worker administration",
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
)

aws.ec2.LaunchTemplate(
    "worker",
    instance_type=size.apply(instance_type),
    vpc_security_group_ids=[open_admin.id],
    metadata_options={"http_tokens": "required"},
)
