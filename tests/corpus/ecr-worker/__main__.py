"""ECS (EC2 launch type) tasks for a batch worker and its log-shipping sidecar.

The worker's container definitions embed the URL of a repository the stack creates, which is not
known until the repository exists: during a preview the whole containerDefinitions document is
unknown. The sidecar's definitions are plain JSON; only its execution role ARN waits for apply.
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
image_tag = config.get("imageTag") or "latest"

tags = {
    "team": "data",
    "service": "batch-worker",
    "environment": pulumi.get_stack(),
    "cost-center": "cc-6100",
    "managed-by": "pulumi",
    "goldenpath:blueprint": "none",
    "goldenpath:version": "0",
}

repository = aws.ecr.Repository(
    "worker",
    image_tag_mutability="IMMUTABLE",
    image_scanning_configuration={"scan_on_push": True},
    tags=tags,
)

aws.ecs.TaskDefinition(
    "worker-task",
    family="batch-worker",
    network_mode="bridge",
    requires_compatibilities=["EC2"],
    container_definitions=pulumi.Output.json_dumps(
        [
            {
                "name": "worker",
                "image": pulumi.Output.concat(repository.repository_url, ":", image_tag),
                "essential": True,
                "memory": 2048,
                # Builds container images with docker-in-docker.
                "privileged": True,
                "user": "root",
            }
        ]
    ),
    tags=tags,
)

execution_role = aws.iam.Role(
    "task-execution",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)

aws.ecs.TaskDefinition(
    "sidecar-task",
    family="log-shipper",
    network_mode="bridge",
    requires_compatibilities=["EC2"],
    execution_role_arn=execution_role.arn,
    container_definitions=json.dumps(
        [
            {
                "name": "shipper",
                "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2",
                "essential": True,
                "memory": 256,
                # Reads the Docker socket and the host's log files.
                "privileged": True,
                "user": "0",
            }
        ]
    ),
    tags=tags,
)

pulumi.export("repository_url", repository.repository_url)
