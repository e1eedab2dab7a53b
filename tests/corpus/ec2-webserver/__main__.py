"""A web server on EC2 (after Pulumi's aws-py-webserver example), published as www.<domain>."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")
size = config.get("instanceType") or "t3.micro"

ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["137112412989"],
    filters=[{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]}],
)

group = aws.ec2.SecurityGroup(
    "web-secgrp",
    description="Enable HTTP access",
    ingress=[
        {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"]},
    ],
    tags={"Name": "web-secgrp"},
)

user_data = """#!/bin/bash
echo "Hello, World!" > index.html
nohup python3 -m http.server 80 &
"""

server = aws.ec2.Instance(
    "web-server-www",
    instance_type=size,
    vpc_security_group_ids=[group.id],
    user_data=user_data,
    ami=ami.id,
    tags={"Name": "web-server-www"},
)

zone = aws.route53.get_zone(name=domain)

record = aws.route53.Record(
    "www",
    zone_id=zone.zone_id,
    name=f"www.{domain}",
    type="A",
    ttl=300,
    records=[server.public_ip],
)

pulumi.export("public_ip", server.public_ip)
pulumi.export("url", pulumi.Output.concat("http://", record.fqdn))
