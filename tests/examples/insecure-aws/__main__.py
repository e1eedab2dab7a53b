"""Every resource here is written the way the policy packs must refuse."""

import json

import pulumi_aws as aws

bucket = aws.s3.Bucket("open-bucket", bucket="open-bucket")
aws.s3.BucketAcl("open-bucket-acl", bucket=bucket.id, acl="public-read")
aws.s3.BucketPolicy(
    "open-bucket-policy",
    bucket=bucket.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::open-bucket/*",
                }
            ],
        }
    ),
)

aws.kms.Key("unrotated-key", description="never rotated", enable_key_rotation=False)
aws.cloudwatch.LogGroup("forever-logs", name="/raw/forever")

ssh_open = aws.ec2.SecurityGroup(
    "ssh-open",
    description="ssh from anywhere",
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
)

alb = aws.lb.LoadBalancer("plain-alb", load_balancer_type="application", subnets=["subnet-1", "subnet-2"])
target_group = aws.lb.TargetGroup(
    "plain-tg", port=80, protocol="HTTP", vpc_id="vpc-0abc1234", target_type="ip"
)
aws.lb.Listener(
    "plain-http",
    load_balancer_arn=alb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.lb.Listener(
    "old-tls",
    load_balancer_arn=alb.arn,
    port=443,
    protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-2016-08",
    certificate_arn="arn:aws:acm:eu-west-1:123456789012:certificate/abc",
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)

aws.ecs.TaskDefinition(
    "root-task",
    family="root-task",
    requires_compatibilities=["FARGATE"],
    network_mode="awsvpc",
    cpu="256",
    memory="512",
    container_definitions=json.dumps(
        [{"name": "app", "image": "nginx:1.27", "essential": True, "privileged": True, "user": "root"}]
    ),
)

aws.iam.Policy(
    "admin-policy",
    policy=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ),
)
aws.iam.Role(
    "any-repo-deploy",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}},
                }
            ],
        }
    ),
)

aws.rds.Instance(
    "public-db",
    engine="postgres",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    username="app",
    manage_master_user_password=True,
    publicly_accessible=True,
    storage_encrypted=False,
    skip_final_snapshot=True,
)

aws.ec2.Instance(
    "imdsv1-host",
    ami="ami-0123456789abcdef0",
    instance_type="t3.micro",
    metadata_options={"http_tokens": "optional"},
    root_block_device={"encrypted": False},
)
