"""A Postgres instance for the orders service, reachable for a quick look from a laptop."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
db_name = config.require("dbName")
db_user = config.require("dbUser")
db_password = config.require_secret("dbPassword")

tags = {
    "team": "orders",
    "service": "orders-db",
    "environment": pulumi.get_stack(),
    "cost-center": "cc-4410",
    "managed-by": "pulumi",
    "goldenpath:blueprint": "none",
    "goldenpath:version": "0",
}

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])

db_sg = aws.ec2.SecurityGroup(
    "db-sg",
    vpc_id=vpc.id,
    description="Postgres access",
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 5432,
            "to_port": 5432,
            "cidr_blocks": ["0.0.0.0/0"],
            "description": "psql from anywhere (temporary)",
        }
    ],
    tags=tags,
)

subnet_group = aws.rds.SubnetGroup("db-subnets", subnet_ids=subnets.ids, tags=tags)

db = aws.rds.Instance(
    "db",
    engine="postgres",
    engine_version="16.3",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    db_name=db_name,
    username=db_user,
    password=db_password,
    db_subnet_group_name=subnet_group.name,
    vpc_security_group_ids=[db_sg.id],
    publicly_accessible=True,
    skip_final_snapshot=True,
    tags=tags,
)

pulumi.export("endpoint", db.endpoint)
pulumi.export("connection", pulumi.Output.format("postgres://{0}@{1}/{2}", db_user, db.address, db_name))
