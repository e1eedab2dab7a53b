"""A container service on ECS Fargate behind a public, HTTPS-only Application Load Balancer.

Tasks run in private subnets without public IPs, as a non-root user on a read-only root file
system; only the load balancer reaches them, and the load balancer logs every request to a
private, encrypted, versioned bucket.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator, model_validator

from goldenpath import conventions
from goldenpath.components.aws._s3 import block_public_access
from goldenpath.components.aws._validation import (
    EnvironmentVariables,
    check_acm_certificate_arn,
    check_ecs_cluster_arn,
    check_fargate_cpu,
    check_fargate_memory,
    check_image,
    ecs_cluster_name,
    image_problem,
    is_environment_variable_name,
)
from goldenpath.models import ComponentArgs, StrInput, StrListInput

__all__ = [
    "ContainerArgs",
    "Service",
    "ServiceArgs",
    "TaskDefinitionArgs",
    "TaskRoles",
    "container_definitions",
    "ecs_tasks_trust_policy",
    "fargate_cluster",
    "fargate_task_definition",
    "task_roles",
    "image_problem",
]

ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com"
# The principal through which Elastic Load Balancing writes access logs to S3.
ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
TMP_VOLUME = "tmp"

_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:(secret|parameter)[:/].+$")
_CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_BUCKET_PREFIX_LIMIT = 37

# field -> (name parts after service and environment, conventions.NAME_LIMITS kind)
_NAME_DEFAULTS: dict[str, tuple[tuple[str, ...], str]] = {
    "cluster_name": ((), "ecs_cluster"),
    "service_name": ((), "ecs_service"),
    "task_role_name": (("task",), "iam_role"),
    "execution_role_name": (("execution",), "iam_role"),
    "alb_name": ((), "alb"),
    "target_group_name": ((), "target_group"),
}


class ServiceArgs(ComponentArgs):
    """Inputs of :class:`Service`.

    Physical names left as None default to ``conventions.physical_name(service, environment, …)``
    (the cluster name, when ``cluster_arn`` is given, to the name in that ARN).
    """

    service: str = Field(description="Service name, as in the tags.")
    environment: str = Field(description="Environment name (dev, staging, prod).")
    vpc_id: StrInput = Field(description="VPC the service and its load balancer live in.")
    public_subnet_ids: StrListInput = Field(description="Subnets of the load balancer (two AZs or more).")
    private_subnet_ids: StrListInput = Field(description="Subnets of the tasks; they get no public IP.")
    image: StrInput = Field(
        description="Full image reference pinned by tag or digest; ':latest' and untagged images are refused."
    )
    container_name: str = Field(default="app", description="Name of the container in the task definition.")
    container_port: int = Field(
        default=8080,
        ge=1024,
        le=65535,
        description="Port the container listens on; unprivileged, as the container runs as a non-root user.",
    )
    cpu: int = Field(default=256, description="Task CPU units (a Fargate size).")
    memory: int = Field(default=512, description="Task memory in MiB (valid for the cpu on Fargate).")
    desired_count: int = Field(
        default=2, ge=1, description="Tasks at creation; autoscaling owns it afterwards."
    )
    min_count: int = Field(default=2, ge=1, description="Fewest tasks autoscaling keeps.")
    max_count: int = Field(default=4, ge=1, description="Most tasks autoscaling starts.")
    cpu_target_percent: int = Field(default=60, ge=10, le=90, description="Average CPU autoscaling aims for.")
    certificate_arn: StrInput = Field(description="ACM certificate of the HTTPS listener (arn:aws:acm:…).")
    health_check_path: str = Field(default="/healthz", description="Path the load balancer checks.")
    log_group_name: StrInput = Field(description="CloudWatch log group the container logs to.")
    secrets: dict[str, StrInput] = Field(
        default_factory=dict,
        description="Environment variable name -> Secrets Manager secret ARN, injected by ECS at start.",
    )
    secrets_policy_arn: StrInput | None = Field(
        default=None,
        description="Managed policy that reads the secrets; attached to the task and execution roles. "
        "Required when secrets are given.",
    )
    environment_variables: EnvironmentVariables = Field(
        default_factory=dict, description="Plain environment variables (never secrets)."
    )
    cluster_arn: StrInput | None = Field(
        default=None, description="Existing ECS cluster to run in; None creates one with Container Insights."
    )
    deletion_protection: bool = Field(
        default=False, description="Load balancer deletion protection (blueprints turn it on in prod)."
    )
    access_log_expiry_days: int | None = Field(
        default=None,
        ge=1,
        description="Days access logs are kept; defaults to conventions.ACCESS_LOG_EXPIRY_DAYS[environment].",
    )
    access_log_bucket_name: str | None = Field(
        default=None, max_length=63, description="Access log bucket name; None gives a unique generated name."
    )
    cluster_name: str | None = Field(default=None, description="Physical name of the ECS cluster.")
    service_name: str | None = Field(default=None, description="Physical name of the ECS service.")
    task_definition_family: str | None = Field(
        default=None, description="Task definition family; defaults to service_name (as Ci expects)."
    )
    task_role_name: str | None = Field(default=None, description="Physical name of the task role.")
    execution_role_name: str | None = Field(default=None, description="Physical name of the execution role.")
    alb_name: str | None = Field(
        default=None, max_length=32, description="Physical name of the load balancer."
    )
    target_group_name: str | None = Field(
        default=None, max_length=32, description="Physical name of the target group."
    )
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")

    @model_validator(mode="before")
    @classmethod
    def _default_names(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        service, environment = data.get("service"), data.get("environment")
        if not (isinstance(service, str) and isinstance(environment, str)):
            return data
        data = dict(data)
        for field, (parts, kind) in _NAME_DEFAULTS.items():
            if field == "cluster_name" and data.get("cluster_arn") is not None:
                continue
            if data.get(field) is None:
                data[field] = conventions.physical_name(service, environment, *parts, kind=kind)
        if data.get("cluster_name") is None and isinstance(data.get("cluster_arn"), str):
            data["cluster_name"] = ecs_cluster_name(data["cluster_arn"])
        if data.get("task_definition_family") is None:
            data["task_definition_family"] = data["service_name"]
        if data.get("access_log_expiry_days") is None:
            data["access_log_expiry_days"] = conventions.ACCESS_LOG_EXPIRY_DAYS.get(
                environment, max(conventions.ACCESS_LOG_EXPIRY_DAYS.values())
            )
        return data

    @field_validator("image")
    @classmethod
    def _image_is_pinned(cls, value: StrInput) -> StrInput:
        return check_image(value) if isinstance(value, str) else value

    @field_validator("certificate_arn")
    @classmethod
    def _certificate_is_acm(cls, value: StrInput) -> StrInput:
        return check_acm_certificate_arn(value) if isinstance(value, str) else value

    @field_validator("cluster_arn")
    @classmethod
    def _cluster_arn_is_ecs(cls, value: StrInput | None) -> StrInput | None:
        return check_ecs_cluster_arn(value) if isinstance(value, str) else value

    @field_validator("health_check_path")
    @classmethod
    def _health_check_path_is_absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"health_check_path {value!r} must start with '/'")
        return value

    @field_validator("container_name")
    @classmethod
    def _container_name_is_valid(cls, value: str) -> str:
        if not _CONTAINER_NAME.match(value):
            raise ValueError(f"container_name {value!r} may hold only letters, digits, '-' and '_'")
        return value

    @field_validator("public_subnet_ids")
    @classmethod
    def _alb_spans_two_zones(cls, value: StrListInput) -> StrListInput:
        if isinstance(value, list) and len(value) < 2:
            raise ValueError(
                f"public_subnet_ids has {len(value)} subnet(s); an Application Load Balancer needs subnets "
                "in at least two Availability Zones"
            )
        return value

    @field_validator("secrets")
    @classmethod
    def _secrets_are_arns(cls, value: dict[str, StrInput]) -> dict[str, StrInput]:
        for env_name, arn in value.items():
            if not is_environment_variable_name(env_name):
                raise ValueError(f"secrets key {env_name!r} is not a valid environment variable name")
            if isinstance(arn, str) and not _SECRET_ARN.match(arn):
                raise ValueError(
                    f"secrets[{env_name!r}] = {arn!r} is not a secret ARN "
                    "(arn:aws:secretsmanager:<region>:<account>:secret:<name>)"
                )
        return value

    @field_validator("environment_variables")
    @classmethod
    def _environment_names_are_valid(cls, value: dict[str, str]) -> dict[str, str]:
        for env_name in value:
            if not is_environment_variable_name(env_name):
                raise ValueError(
                    f"environment_variables key {env_name!r} is not a valid environment variable name"
                )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ServiceArgs:
        check_fargate_cpu(self.cpu)
        check_fargate_memory(self.cpu, self.memory)
        if not self.min_count <= self.desired_count <= self.max_count:
            raise ValueError(
                f"task counts must satisfy min_count <= desired_count <= max_count; got "
                f"min_count={self.min_count}, desired_count={self.desired_count}, max_count={self.max_count}"
            )
        if isinstance(self.cluster_arn, str) and self.cluster_name != ecs_cluster_name(self.cluster_arn):
            raise ValueError(
                f"cluster_name {self.cluster_name!r} is not the cluster in cluster_arn {self.cluster_arn!r}; "
                "leave cluster_name out to take it from the ARN"
            )
        both = sorted(set(self.secrets) & set(self.environment_variables))
        if both:
            raise ValueError(
                f"{', '.join(both)} given both in secrets and in environment_variables; pick one"
            )
        if self.secrets and self.secrets_policy_arn is None:
            raise ValueError(
                "secrets are given but secrets_policy_arn is not: the execution role could not read them "
                "and no task would start; pass the policy that grants secretsmanager:GetSecretValue on them"
            )
        return self


def _pinned_image(image: str) -> str:
    # An image known only at deployment is checked then; its error names what was resolved.
    try:
        return check_image(image)
    except ValueError as error:
        raise ValueError(f"image {image!r} {error}") from None


def ecs_tasks_trust_policy(account: pulumi.Input[str]) -> pulumi.Output[str]:
    """Let ECS tasks of this account, and only of this account, assume the role."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ECS_TASKS_SERVICE},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            ],
        }
    )


class ContainerArgs(Protocol):
    """What :func:`container_definitions` reads: ServiceArgs, or the Args of a task without a port."""

    service: str
    container_name: str
    log_group_name: StrInput
    secrets: dict[str, StrInput]
    environment_variables: dict[str, str]

    @property
    def container_port(self) -> int | None: ...


def container_definitions(
    args: ContainerArgs,
    *,
    region: pulumi.Input[str],
    image: pulumi.Input[str],
    command: Sequence[str] = (),
) -> pulumi.Output[str]:
    """The task's one container: non-root, read-only root file system, logs to CloudWatch.

    A container without a port (``container_port`` None: a queue worker, a scheduled job) maps none;
    ``command``, when given, replaces the image's CMD.
    """
    definition: dict[str, Any] = {
        "name": args.container_name,
        "image": pulumi.Output.from_input(image).apply(_pinned_image),
        "essential": True,
        "user": conventions.CONTAINER_USER,
        "privileged": False,
        "readonlyRootFilesystem": True,
        # /tmp is the one writable path, a task-local volume, so the root file system can stay read-only.
        "mountPoints": [{"sourceVolume": TMP_VOLUME, "containerPath": "/tmp", "readOnly": False}],
    }
    if command:
        definition["command"] = list(command)
    if args.container_port is not None:
        definition["portMappings"] = [
            {"containerPort": args.container_port, "hostPort": args.container_port, "protocol": "tcp"}
        ]
    definition |= {
        "linuxParameters": {"initProcessEnabled": True, "capabilities": {"drop": ["ALL"]}},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": args.log_group_name,
                "awslogs-region": region,
                "awslogs-stream-prefix": args.service,
            },
        },
        "environment": [{"name": k, "value": v} for k, v in sorted(args.environment_variables.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(args.secrets.items())],
    }
    return pulumi.Output.json_dumps([definition])


class TaskDefinitionArgs(ContainerArgs, Protocol):
    """What the cluster, roles and task definition helpers read: ServiceArgs, or TaskArgs."""

    environment: str
    cpu: int
    memory: int
    image: StrInput
    cluster_arn: StrInput | None
    cluster_name: str | None
    task_definition_family: str | None
    task_role_name: str | None
    execution_role_name: str | None
    secrets_policy_arn: StrInput | None
    tags: dict[str, str]


def fargate_cluster(
    name: str, args: TaskDefinitionArgs, opts: pulumi.ResourceOptions
) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
    """``(arn, name)`` of the cluster the tasks run on: a new one with Container Insights, or ``cluster_arn``'s."""
    if args.cluster_arn is None:
        cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            name=args.cluster_name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            tags=args.tags,
            opts=opts,
        )
        return cluster.arn, cluster.name
    cluster_arn = pulumi.Output.from_input(args.cluster_arn)
    cluster_name = (
        pulumi.Output.from_input(args.cluster_name)
        if args.cluster_name is not None
        else cluster_arn.apply(ecs_cluster_name)
    )
    return cluster_arn, cluster_name


@dataclass(frozen=True)
class TaskRoles:
    """The execution role (ECS pulls the image, writes logs, reads secrets) and the task role (the app)."""

    execution: aws.iam.Role
    task: aws.iam.Role
    # Every policy attachment of the two: a task started before they hold fails to pull or to start.
    attachments: list[pulumi.Resource]


def task_roles(
    name: str,
    args: TaskDefinitionArgs,
    *,
    account: pulumi.Input[str],
    partition: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    task_policy_arns: dict[str, StrInput] | None = None,
) -> TaskRoles:
    """The two roles, the execution role's managed policy, the secrets policy on both, and further task policies."""
    execution_role = aws.iam.Role(
        f"{name}-execution-role",
        name=args.execution_role_name,
        description=f"ECS pulls the image and writes logs for {args.service} ({args.environment})",
        assume_role_policy=ecs_tasks_trust_policy(account),
        tags=args.tags,
        opts=opts,
    )
    attachments: list[pulumi.Resource] = [
        aws.iam.RolePolicyAttachment(
            f"{name}-execution-policy",
            role=execution_role.name,
            policy_arn=pulumi.Output.from_input(partition).apply(
                lambda p: f"arn:{p}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
            ),
            opts=opts,
        )
    ]
    task_role = aws.iam.Role(
        f"{name}-task-role",
        name=args.task_role_name,
        description=f"The application {args.service} ({args.environment}) runs as",
        assume_role_policy=ecs_tasks_trust_policy(account),
        tags=args.tags,
        opts=opts,
    )
    if args.secrets_policy_arn is not None:
        for role_kind, role in (("execution", execution_role), ("task", task_role)):
            attachments.append(
                aws.iam.RolePolicyAttachment(
                    f"{name}-{role_kind}-secrets-policy",
                    role=role.name,
                    policy_arn=args.secrets_policy_arn,
                    opts=opts,
                )
            )
    for purpose, policy_arn in sorted((task_policy_arns or {}).items()):
        attachments.append(
            aws.iam.RolePolicyAttachment(
                f"{name}-task-{purpose}-policy", role=task_role.name, policy_arn=policy_arn, opts=opts
            )
        )
    return TaskRoles(execution=execution_role, task=task_role, attachments=attachments)


def fargate_task_definition(
    name: str,
    args: TaskDefinitionArgs,
    *,
    roles: TaskRoles,
    region: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    command: Sequence[str] = (),
) -> aws.ecs.TaskDefinition:
    """The Fargate task definition of the one hardened container (:func:`container_definitions`)."""
    return aws.ecs.TaskDefinition(
        f"{name}-task",
        family=args.task_definition_family,
        cpu=str(args.cpu),
        memory=str(args.memory),
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
            operating_system_family="LINUX", cpu_architecture="X86_64"
        ),
        execution_role_arn=roles.execution.arn,
        task_role_arn=roles.task.arn,
        container_definitions=container_definitions(args, region=region, image=args.image, command=command),
        volumes=[aws.ecs.TaskDefinitionVolumeArgs(name=TMP_VOLUME)],
        tags=args.tags,
        opts=opts,
    )


def access_log_bucket_policy(bucket_arn: pulumi.Input[str], account: pulumi.Input[str]) -> pulumi.Output[str]:
    """Let Elastic Load Balancing write this account's logs; refuse every request without TLS."""

    def document(arn: str, account_id: str) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AllowElbLogDelivery",
                        "Effect": "Allow",
                        "Principal": {"Service": ELB_LOG_DELIVERY_SERVICE},
                        "Action": "s3:PutObject",
                        "Resource": f"{arn}/AWSLogs/{account_id}/*",
                    },
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [arn, f"{arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                ],
            }
        )

    return pulumi.Output.all(bucket_arn, account).apply(lambda v: document(*v))


class Service(pulumi.ComponentResource):
    """An ECS Fargate service behind an HTTPS Application Load Balancer, with autoscaling."""

    url: pulumi.Output[str]
    alb_arn: pulumi.Output[str]
    alb_arn_suffix: pulumi.Output[str]
    alb_dns_name: pulumi.Output[str]
    alb_zone_id: pulumi.Output[str]
    alb_security_group_id: pulumi.Output[str]
    service_security_group_id: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    target_group_arn_suffix: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    service_name: pulumi.Output[str]
    task_definition_arn: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    access_log_bucket: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        tags = args.tags

        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id

        # --- Cluster, roles, task definition --------------------------------------------------
        cluster_arn, cluster_name = fargate_cluster(name, args, child)
        roles = task_roles(name, args, account=account, partition=partition, opts=child)
        task_definition = fargate_task_definition(name, args, roles=roles, region=region, opts=child)

        # --- Security groups -------------------------------------------------------------------
        # Without inline rules, the provider removes the allow-all egress AWS adds to a new group,
        # so the rule resources below are the groups' only rules.
        alb_sg = aws.ec2.SecurityGroup(
            f"{name}-alb-sg",
            description=f"Load balancer of {args.service} ({args.environment})",
            vpc_id=args.vpc_id,
            tags=tags,
            opts=child,
        )
        service_sg = aws.ec2.SecurityGroup(
            f"{name}-service-sg",
            description=f"Tasks of {args.service} ({args.environment})",
            vpc_id=args.vpc_id,
            tags=tags,
            opts=child,
        )
        for port in (443, 80):
            for family, cidr in (("ipv4", "0.0.0.0/0"), ("ipv6", "::/0")):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-alb-in-{port}-{family}",
                    security_group_id=alb_sg.id,
                    description=(
                        "HTTPS from the internet"
                        if port == 443
                        else "HTTP from the internet, redirected to HTTPS"
                    ),
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    **({"cidr_ipv4": cidr} if family == "ipv4" else {"cidr_ipv6": cidr}),
                    tags=tags,
                    opts=child,
                )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-alb-out-service",
            security_group_id=alb_sg.id,
            description="To the service tasks on the container port",
            ip_protocol="tcp",
            from_port=args.container_port,
            to_port=args.container_port,
            referenced_security_group_id=service_sg.id,
            tags=tags,
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-service-in-alb",
            security_group_id=service_sg.id,
            description="From the load balancer on the container port",
            ip_protocol="tcp",
            from_port=args.container_port,
            to_port=args.container_port,
            referenced_security_group_id=alb_sg.id,
            tags=tags,
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-service-out-https",
            security_group_id=service_sg.id,
            description="HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch Logs) and dependencies",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            tags=tags,
            opts=child,
        )

        # --- Access log bucket -----------------------------------------------------------------
        bucket_naming = (
            {"bucket": args.access_log_bucket_name}
            if args.access_log_bucket_name
            else {
                "bucket_prefix": conventions.physical_name(
                    args.service, args.environment, "alb-logs", kind="s3_bucket"
                )[: _BUCKET_PREFIX_LIMIT - 1].rstrip("-")
                + "-"
            }
        )
        bucket = aws.s3.Bucket(
            f"{name}-access-logs", force_destroy=False, tags=tags, opts=child, **bucket_naming
        )
        public_access_block, ownership = block_public_access(f"{name}-access-logs", bucket, child)
        # SSE-S3, not SSE-KMS: Elastic Load Balancing can deliver access logs only to buckets
        # encrypted with S3-managed keys.
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-access-logs-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        aws.s3.BucketVersioning(
            f"{name}-access-logs-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-access-logs-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        days=args.access_log_expiry_days
                    ),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=conventions.ACCESS_LOG_NONCURRENT_EXPIRY_DAYS
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=conventions.S3_ABORT_INCOMPLETE_UPLOAD_DAYS
                    ),
                )
            ],
            opts=child,
        )
        bucket_policy = aws.s3.BucketPolicy(
            f"{name}-access-logs-policy",
            bucket=bucket.id,
            policy=access_log_bucket_policy(bucket.arn, account),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access_block, ownership]),
        )

        # --- Load balancer ---------------------------------------------------------------------
        alb = aws.lb.LoadBalancer(
            f"{name}-alb",
            name=args.alb_name,
            internal=False,
            load_balancer_type="application",
            security_groups=[alb_sg.id],
            subnets=args.public_subnet_ids,
            drop_invalid_header_fields=True,
            desync_mitigation_mode=conventions.ALB_DESYNC_MITIGATION_MODE,
            enable_deletion_protection=args.deletion_protection,
            idle_timeout=conventions.ALB_IDLE_TIMEOUT_SECONDS,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=bucket.bucket, enabled=True),
            tags=tags,
            # ELB checks at creation that it may write to the bucket.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[bucket_policy, encryption]),
        )
        target_group = aws.lb.TargetGroup(
            f"{name}-tg",
            name=args.target_group_name,
            port=args.container_port,
            protocol="HTTP",
            target_type="ip",
            vpc_id=args.vpc_id,
            deregistration_delay=conventions.TARGET_DEREGISTRATION_DELAY_SECONDS,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=args.health_check_path,
                protocol="HTTP",
                port="traffic-port",
                matcher="200-399",
            ),
            tags=tags,
            opts=child,
        )
        https_listener = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=alb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=conventions.ALB_TLS_POLICY,
            certificate_arn=args.certificate_arn,
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)
            ],
            tags=tags,
            opts=child,
        )
        aws.lb.Listener(
            f"{name}-http-redirect",
            load_balancer_arn=alb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        port="443", protocol="HTTPS", status_code="HTTP_301"
                    ),
                )
            ],
            tags=tags,
            opts=child,
        )

        # --- ECS service -----------------------------------------------------------------------
        ecs_service = aws.ecs.Service(
            f"{name}-service",
            name=args.service_name,
            cluster=cluster_arn,
            task_definition=task_definition.arn,
            launch_type="FARGATE",
            desired_count=args.desired_count,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=args.private_subnet_ids,
                assign_public_ip=False,
                security_groups=[service_sg.id],
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=target_group.arn,
                    container_name=args.container_name,
                    container_port=args.container_port,
                )
            ],
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            enable_execute_command=False,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                # The target group must belong to a load balancer before a service can use it.
                depends_on=[https_listener, *roles.attachments],
                # Autoscaling owns the task count once the service exists.
                ignore_changes=["desiredCount"],
            ),
        )

        # --- Autoscaling -----------------------------------------------------------------------
        scaling_target = aws.appautoscaling.Target(
            f"{name}-scaling-target",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.all(cluster_name, ecs_service.name).apply(
                lambda v: f"service/{v[0]}/{v[1]}"
            ),
            min_capacity=args.min_count,
            max_capacity=args.max_count,
            tags=tags,
            opts=child,
        )
        aws.appautoscaling.Policy(
            f"{name}-cpu-scaling",
            name=f"{args.service_name}-cpu-target-tracking",
            policy_type="TargetTrackingScaling",
            service_namespace=scaling_target.service_namespace,
            scalable_dimension=scaling_target.scalable_dimension,
            resource_id=scaling_target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=float(args.cpu_target_percent),
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ECSServiceAverageCPUUtilization"
                ),
            ),
            opts=child,
        )

        self.url = pulumi.Output.concat("https://", alb.dns_name)
        self.alb_arn = alb.arn
        self.alb_arn_suffix = alb.arn_suffix
        self.alb_dns_name = alb.dns_name
        self.alb_zone_id = alb.zone_id
        self.alb_security_group_id = alb_sg.id
        self.service_security_group_id = service_sg.id
        self.target_group_arn = target_group.arn
        self.target_group_arn_suffix = target_group.arn_suffix
        self.cluster_name = cluster_name
        self.cluster_arn = cluster_arn
        self.service_name = ecs_service.name
        self.task_definition_arn = task_definition.arn
        self.task_role_arn = roles.task.arn
        self.execution_role_arn = roles.execution.arn
        self.access_log_bucket = bucket.bucket
        self.register_outputs(
            {
                "url": self.url,
                "alb_arn": self.alb_arn,
                "alb_arn_suffix": self.alb_arn_suffix,
                "alb_dns_name": self.alb_dns_name,
                "alb_zone_id": self.alb_zone_id,
                "alb_security_group_id": self.alb_security_group_id,
                "service_security_group_id": self.service_security_group_id,
                "target_group_arn": self.target_group_arn,
                "target_group_arn_suffix": self.target_group_arn_suffix,
                "cluster_name": self.cluster_name,
                "cluster_arn": self.cluster_arn,
                "service_name": self.service_name,
                "task_definition_arn": self.task_definition_arn,
                "task_role_arn": self.task_role_arn,
                "execution_role_arn": self.execution_role_arn,
                "access_log_bucket": self.access_log_bucket,
            }
        )
