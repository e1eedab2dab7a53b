"""NGINX on ECS Fargate behind an ALB in the default VPC (after Pulumi's aws-py-fargate example)."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
container_port = config.get_int("containerPort") or 80
desired_count = config.get_int("desiredCount") or 1

provider = aws.Provider(
    "eu-west",
    region="eu-west-1",
    default_tags={
        "tags": {
            "team": "storefront",
            "service": "nginx-demo",
            "environment": pulumi.get_stack(),
            "cost-center": "cc-3100",
            "managed-by": "pulumi",
            "goldenpath:blueprint": "none",
            "goldenpath:version": "0",
        }
    },
)
opts = pulumi.ResourceOptions(provider=provider)
invoke_opts = pulumi.InvokeOptions(provider=provider)

default_vpc = aws.ec2.get_vpc(default=True, opts=invoke_opts)
default_subnets = aws.ec2.get_subnets(
    filters=[{"name": "vpc-id", "values": [default_vpc.id]}],
    opts=invoke_opts,
)

cluster = aws.ecs.Cluster("cluster", opts=opts)

web_sg = aws.ec2.SecurityGroup(
    "web-sg",
    vpc_id=default_vpc.id,
    description="Enable HTTP access",
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 80,
            "to_port": 80,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "HTTP from anywhere",
        }
    ],
    egress=[
        {
            "protocol": "-1",
            "from_port": 0,
            "to_port": 0,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "everything out",
        }
    ],
    opts=opts,
)

alb = aws.lb.LoadBalancer(
    "app-lb",
    security_groups=[web_sg.id],
    subnets=default_subnets.ids,
    opts=opts,
)

target_group = aws.lb.TargetGroup(
    "app-tg",
    port=container_port,
    protocol="HTTP",
    target_type="ip",
    vpc_id=default_vpc.id,
    opts=opts,
)

listener = aws.lb.Listener(
    "web",
    load_balancer_arn=alb.arn,
    port=80,
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
    opts=opts,
)

role = aws.iam.Role(
    "task-exec-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2008-10-17",
            "Statement": [
                {
                    "Sid": "",
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    opts=opts,
)

aws.iam.RolePolicyAttachment(
    "task-exec-policy",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    opts=opts,
)

task_definition = aws.ecs.TaskDefinition(
    "app-task",
    family="fargate-task-definition",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=role.arn,
    container_definitions=json.dumps(
        [
            {
                "name": "my-app",
                "image": "nginx:1.27",
                "portMappings": [
                    {"containerPort": container_port, "hostPort": container_port, "protocol": "tcp"}
                ],
            }
        ]
    ),
    opts=opts,
)

service = aws.ecs.Service(
    "app-svc",
    cluster=cluster.arn,
    desired_count=desired_count,
    launch_type="FARGATE",
    task_definition=task_definition.arn,
    network_configuration={
        "assign_public_ip": True,
        "subnets": default_subnets.ids,
        "security_groups": [web_sg.id],
    },
    load_balancers=[
        {
            "target_group_arn": target_group.arn,
            "container_name": "my-app",
            "container_port": container_port,
        }
    ],
    opts=pulumi.ResourceOptions(provider=provider, depends_on=[listener]),
)

pulumi.export("url", alb.dns_name)
