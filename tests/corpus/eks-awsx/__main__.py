"""EKS on a VPC from pulumi_awsx, with a managed node group on a custom launch template."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

config = pulumi.Config()
instance_type = config.get("nodeInstanceType") or "t3.medium"
desired_nodes = config.get_int("desiredNodes") or 2

tags = {
    "team": "platform",
    "service": "apps-cluster",
    "environment": pulumi.get_stack(),
    "cost-center": "cc-1000",
    "managed-by": "pulumi",
    "goldenpath:blueprint": "none",
    "goldenpath:version": "0",
}

vpc = awsx.ec2.Vpc(
    "eks-vpc",
    cidr_block="10.0.0.0/16",
    number_of_availability_zones=2,
    nat_gateways={"strategy": awsx.ec2.NatGatewayStrategy.SINGLE},
    tags=tags,
)


def assume_role_policy(service):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


cluster_role = aws.iam.Role(
    "cluster-role", assume_role_policy=assume_role_policy("eks.amazonaws.com"), tags=tags
)
aws.iam.RolePolicyAttachment(
    "cluster-policy",
    role=cluster_role.name,
    policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
)

cluster = aws.eks.Cluster(
    "cluster",
    role_arn=cluster_role.arn,
    version="1.30",
    vpc_config={
        "subnet_ids": vpc.private_subnet_ids,
        "endpoint_public_access": True,
        "endpoint_private_access": True,
    },
    tags=tags,
)

node_role = aws.iam.Role("node-role", assume_role_policy=assume_role_policy("ec2.amazonaws.com"), tags=tags)
for i, policy in enumerate(
    [
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    ]
):
    aws.iam.RolePolicyAttachment(f"node-policy-{i}", role=node_role.name, policy_arn=policy)

# Bigger, encrypted root volumes than the EKS default.
node_template = aws.ec2.LaunchTemplate(
    "node-template",
    block_device_mappings=[
        {
            "device_name": "/dev/xvda",
            "ebs": {"volume_size": 50, "volume_type": "gp3", "encrypted": "true"},
        }
    ],
    tags=tags,
)

aws.eks.NodeGroup(
    "nodes",
    cluster_name=cluster.name,
    node_role_arn=node_role.arn,
    subnet_ids=vpc.private_subnet_ids,
    instance_types=[instance_type],
    scaling_config={"desired_size": desired_nodes, "min_size": 1, "max_size": 4},
    launch_template={"id": node_template.id, "version": node_template.latest_version.apply(str)},
    tags=tags,
)

pulumi.export("cluster_name", cluster.name)
pulumi.export("vpc_id", vpc.vpc_id)
