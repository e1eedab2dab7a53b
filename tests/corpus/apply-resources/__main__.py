"""One private subnet per zone the region reports, and an RDP group named for the account."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
vpc_cidr = config.get("vpcCidr") or "10.30.0.0/16"
prefix = ".".join(vpc_cidr.split(".")[:2])

provider = aws.Provider(
    "eu-west",
    region="eu-west-1",
    default_tags={
        "tags": {
            "team": "windows-ops",
            "service": "jump-hosts",
            "environment": pulumi.get_stack(),
            "cost-center": "cc-5120",
            "managed-by": "pulumi",
            "goldenpath:blueprint": "none",
            "goldenpath:version": "0",
        }
    },
)
opts = pulumi.ResourceOptions(provider=provider)
invoke_opts = pulumi.InvokeOptions(provider=provider)

vpc = aws.ec2.Vpc("main", cidr_block=vpc_cidr, opts=opts)

zones = aws.get_availability_zones_output(state="available", opts=invoke_opts)


def private_subnets(names):
    return [
        aws.ec2.Subnet(
            f"private-{index}",
            vpc_id=vpc.id,
            cidr_block=f"{prefix}.{index}.0/24",
            availability_zone=name,
            opts=opts,
        ).id
        for index, name in enumerate(names[:3])
    ]


subnet_ids = zones.names.apply(private_subnets)

identity = aws.get_caller_identity_output(opts=invoke_opts)


def rdp_group(account_id):
    group = aws.ec2.SecurityGroup(
        "rdp-admin",
        vpc_id=vpc.id,
        description=f"RDP to the jump hosts of account {account_id}",
        ingress=[
            {
                "protocol": "tcp",
                "from_port": 3389,
                "to_port": 3389,
                "cidr_blocks": ["0.0.0.0/0"],
                "description": "RDP",
            }
        ],
        opts=opts,
    )
    return group.id


rdp_group_id = identity.account_id.apply(rdp_group)

pulumi.export("subnet_ids", subnet_ids)
pulumi.export("rdp_group_id", rdp_group_id)
