"""An SSH bastion; in stacks that do not want the instance, stop after the security group."""

import sys

import pulumi
import pulumi_aws as aws

config = pulumi.Config()

ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]}],
)

ssh = aws.ec2.SecurityGroup(
    "ssh-open",
    description="SSH to the bastion",
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "SSH from anywhere",
        }
    ],
)
pulumi.export("security_group_id", ssh.id)

if not config.get_bool("createBastion"):
    sys.exit(0)

bastion = aws.ec2.Instance(
    "bastion",
    ami=ami.id,
    instance_type="t3.micro",
    vpc_security_group_ids=[ssh.id],
)
pulumi.export("bastion_ip", bastion.public_ip)
