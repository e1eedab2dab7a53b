"""HTTPS in front of an instance target group; the certificate already exists in ACM."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")

tags = {
    "team": "edge",
    "service": "public-api",
    "environment": pulumi.get_stack(),
    "cost-center": "cc-7000",
    "managed-by": "pulumi",
    "goldenpath:blueprint": "none",
    "goldenpath:version": "0",
}

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
certificate = aws.acm.get_certificate_output(domain=domain, statuses=["ISSUED"], most_recent=True)

lb_sg = aws.ec2.SecurityGroup(
    "lb-sg",
    vpc_id=vpc.id,
    description="public HTTPS",
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 443,
            "to_port": 443,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "HTTPS",
        },
        {
            "protocol": "tcp",
            "from_port": 80,
            "to_port": 80,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "redirect",
        },
    ],
    egress=[
        {
            "protocol": "-1",
            "from_port": 0,
            "to_port": 0,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "to targets",
        }
    ],
    tags=tags,
)

lb = aws.lb.LoadBalancer(
    "api-lb",
    load_balancer_type="application",
    subnets=subnets.ids,
    security_groups=[lb_sg.id],
    drop_invalid_header_fields=True,
    tags=tags,
)

targets = aws.lb.TargetGroup("api-targets", port=8080, protocol="HTTP", vpc_id=vpc.id, tags=tags)

aws.lb.Listener(
    "https",
    load_balancer_arn=lb.arn,
    port=443,
    protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-2016-08",
    certificate_arn=certificate.arn,
    default_actions=[{"type": "forward", "target_group_arn": targets.arn}],
    tags=tags,
)

aws.lb.Listener(
    "http-redirect",
    load_balancer_arn=lb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}
    ],
    tags=tags,
)

pulumi.export("dns_name", lb.dns_name)
