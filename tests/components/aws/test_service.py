"""Service: Fargate tasks in private subnets behind an HTTPS-only, logged Application Load Balancer."""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pydantic import ValidationError

from goldenpath import conventions
from goldenpath.components.aws.service import Service, ServiceArgs, image_problem
from goldenpath.harness import MOCK_ACCOUNT_ID, MOCK_REGION, ProgramRun, run_under_mocks

TAGS = conventions.standard_tags(
    team="payments-team", service="payments", environment="prod", cost_center="cc-42", blueprint="web-service"
)
IMAGE = f"{MOCK_ACCOUNT_ID}.dkr.ecr.{MOCK_REGION}.amazonaws.com/payments-prod:1.4.2"
CERTIFICATE = f"arn:aws:acm:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
SECRET = f"arn:aws:secretsmanager:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:secret:goldenpath/payments/prod/db-AbCdEf"
SECRETS_POLICY = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:policy/payments-prod-secrets-read"
EXISTING_CLUSTER = f"arn:aws:ecs:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:cluster/shared-prod"
LOG_GROUP = "/goldenpath/payments/prod"
OUTPUTS = (
    "url",
    "alb_arn",
    "alb_arn_suffix",
    "alb_dns_name",
    "alb_security_group_id",
    "service_security_group_id",
    "target_group_arn",
    "target_group_arn_suffix",
    "cluster_name",
    "cluster_arn",
    "service_name",
    "task_role_arn",
    "execution_role_arn",
    "access_log_bucket",
)

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
CLUSTER = "aws:ecs/cluster:Cluster"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
BUCKET = "aws:s3/bucket:Bucket"


def service_args(**overrides: Any) -> ServiceArgs:
    values: dict[str, Any] = {
        "service": "payments",
        "environment": "prod",
        "vpc_id": "vpc-0123",
        "public_subnet_ids": ["subnet-pub-a", "subnet-pub-b"],
        "private_subnet_ids": ["subnet-priv-a", "subnet-priv-b"],
        "image": IMAGE,
        "certificate_arn": CERTIFICATE,
        "log_group_name": LOG_GROUP,
        "secrets": {"DATABASE_URL": SECRET},
        "secrets_policy_arn": SECRETS_POLICY,
        "environment_variables": {"LOG_LEVEL": "info"},
        "access_log_expiry_days": 400,
        "tags": TAGS,
    }
    values.update(overrides)
    return ServiceArgs(**values)


class Deployed:
    """One program run and the component's resolved outputs."""

    def __init__(self, args: ServiceArgs):
        self.outputs: dict[str, Any] = {}

        def program() -> None:
            service = Service("payments", args)
            pulumi.Output.all(*[getattr(service, n) for n in OUTPUTS]).apply(
                lambda values: self.outputs.update(zip(OUTPUTS, values, strict=True))
            )

        self.run: ProgramRun = run_under_mocks(program)

    def one(self, type_token: str):
        return self.run.one(type_token)

    def by_type(self, type_token: str):
        return self.run.by_type(type_token)

    def named(self, suffix: str):
        (found,) = [r for r in self.run.resources if r.name == f"payments-{suffix}"]
        return found


@pytest.fixture(scope="module")
def deployed() -> Deployed:
    return Deployed(service_args())


def container(deployed: Deployed) -> dict[str, Any]:
    (definition,) = json.loads(deployed.one(TASK_DEFINITION).inputs["containerDefinitions"])
    return definition


def rules(deployed: Deployed, type_token: str, group_output: str) -> list[dict[str, Any]]:
    group_id = deployed.outputs[group_output]
    return [r.inputs for r in deployed.by_type(type_token) if r.inputs["securityGroupId"] == group_id]


def listener(deployed: Deployed, port: int) -> dict[str, Any]:
    (found,) = [r.inputs for r in deployed.by_type(LISTENER) if r.inputs["port"] == port]
    return found


# --- Task definition -----------------------------------------------------------------------------


def test_container_runs_as_the_non_root_user(deployed: Deployed) -> None:
    assert container(deployed)["user"] == conventions.CONTAINER_USER
    assert not container(deployed)["user"].startswith(("0:", "root"))


def test_container_root_file_system_is_read_only_with_a_writable_tmp_volume(deployed: Deployed) -> None:
    definition = container(deployed)
    assert definition["readonlyRootFilesystem"] is True
    (mount,) = definition["mountPoints"]
    assert mount == {"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}
    assert deployed.one(TASK_DEFINITION).inputs["volumes"] == [{"name": "tmp"}]


def test_container_is_unprivileged_essential_and_runs_an_init_process(deployed: Deployed) -> None:
    definition = container(deployed)
    assert definition["privileged"] is False
    assert definition["essential"] is True
    assert definition["linuxParameters"]["initProcessEnabled"] is True
    assert definition["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}


def test_container_exposes_the_container_port(deployed: Deployed) -> None:
    assert container(deployed)["portMappings"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}
    ]


def test_container_logs_to_the_given_group_through_awslogs(deployed: Deployed) -> None:
    assert container(deployed)["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": LOG_GROUP,
            "awslogs-region": MOCK_REGION,
            "awslogs-stream-prefix": "payments",
        },
    }


def test_secrets_are_injected_by_arn_and_never_as_plain_environment(deployed: Deployed) -> None:
    definition = container(deployed)
    assert definition["secrets"] == [{"name": "DATABASE_URL", "valueFrom": SECRET}]
    assert definition["environment"] == [{"name": "LOG_LEVEL", "value": "info"}]


def test_task_definition_is_fargate_awsvpc_on_linux_x86(deployed: Deployed) -> None:
    task = deployed.one(TASK_DEFINITION).inputs
    assert task["requiresCompatibilities"] == ["FARGATE"]
    assert task["networkMode"] == "awsvpc"
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}
    assert (task["cpu"], task["memory"]) == ("256", "512")
    assert task["family"] == "payments-prod"


def test_task_definition_uses_the_task_and_execution_roles(deployed: Deployed) -> None:
    task = deployed.one(TASK_DEFINITION).inputs
    assert task["taskRoleArn"] == deployed.outputs["task_role_arn"]
    assert task["executionRoleArn"] == deployed.outputs["execution_role_arn"]
    assert task["taskRoleArn"] != task["executionRoleArn"]


# --- Roles ---------------------------------------------------------------------------------------


def test_roles_trust_only_ecs_tasks_of_this_account(deployed: Deployed) -> None:
    for role in deployed.by_type(ROLE):
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Action"] == "sts:AssumeRole"
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID}}


def test_execution_role_gets_the_ecs_task_execution_managed_policy(deployed: Deployed) -> None:
    attached = {(a.inputs["role"], a.inputs["policyArn"]) for a in deployed.by_type(ATTACHMENT)}
    assert (
        "payments-prod-execution",
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    ) in attached


def test_secrets_policy_is_attached_to_the_task_and_execution_roles(deployed: Deployed) -> None:
    roles = {
        a.inputs["role"] for a in deployed.by_type(ATTACHMENT) if a.inputs["policyArn"] == SECRETS_POLICY
    }
    assert roles == {"payments-prod-task", "payments-prod-execution"}


def test_without_secrets_no_secrets_policy_is_attached() -> None:
    deployed = Deployed(service_args(secrets={}, secrets_policy_arn=None))
    assert [a.inputs["policyArn"] for a in deployed.by_type(ATTACHMENT)] == [
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    ]
    assert container(deployed)["secrets"] == []


def test_secrets_without_a_policy_to_read_them_are_rejected() -> None:
    with pytest.raises(ValidationError, match="secrets_policy_arn"):
        service_args(secrets_policy_arn=None)


def test_secret_that_is_not_an_arn_is_rejected() -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        service_args(secrets={"DATABASE_URL": "postgres://user:password@db/payments"})


def test_variable_given_both_as_secret_and_as_plain_value_is_rejected() -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        service_args(environment_variables={"DATABASE_URL": "x"})


def test_a_bad_environment_variable_name_is_named_and_no_value_is_repeated() -> None:
    with pytest.raises(ValidationError) as error:
        service_args(environment_variables={"bad-name": "s3cr3t-value", "LOG_LEVEL": "debug"})

    assert "'bad-name'" in str(error.value)
    assert "s3cr3t-value" not in str(error.value) and "debug" not in str(error.value)


def test_a_refused_plain_field_still_shows_the_value_given() -> None:
    with pytest.raises(ValidationError) as error:
        service_args(desired_count=0, environment_variables={"LOG_LEVEL": "s3cr3t-value"})

    assert "input_value=0" in str(error.value)
    assert "s3cr3t-value" not in str(error.value)


# --- ECS service and cluster ---------------------------------------------------------------------


def test_service_runs_in_private_subnets_without_public_ip(deployed: Deployed) -> None:
    network = deployed.one(ECS_SERVICE).inputs["networkConfiguration"]
    assert network["subnets"] == ["subnet-priv-a", "subnet-priv-b"]
    assert network["assignPublicIp"] is False
    assert network["securityGroups"] == [deployed.outputs["service_security_group_id"]]


def test_service_runs_on_fargate_behind_the_target_group(deployed: Deployed) -> None:
    service = deployed.one(ECS_SERVICE).inputs
    assert service["launchType"] == "FARGATE"
    assert service["desiredCount"] == 2
    assert service["loadBalancers"] == [
        {
            "targetGroupArn": deployed.outputs["target_group_arn"],
            "containerName": "app",
            "containerPort": 8080,
        }
    ]


def test_service_rolls_back_failed_deployments_and_propagates_tags(deployed: Deployed) -> None:
    service = deployed.one(ECS_SERVICE).inputs
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["propagateTags"] == "SERVICE"
    assert service["enableEcsManagedTags"] is True
    assert service["enableExecuteCommand"] is False


def test_service_waits_for_the_https_listener(deployed: Deployed) -> None:
    assert deployed.named("https").urn in deployed.one(ECS_SERVICE).dependencies


def test_new_cluster_has_container_insights(deployed: Deployed) -> None:
    cluster = deployed.one(CLUSTER).inputs
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert deployed.one(ECS_SERVICE).inputs["cluster"] == deployed.outputs["cluster_arn"]


def test_existing_cluster_arn_creates_no_cluster_and_is_used() -> None:
    deployed = Deployed(service_args(cluster_arn=EXISTING_CLUSTER))
    assert deployed.by_type(CLUSTER) == []
    assert deployed.one(ECS_SERVICE).inputs["cluster"] == EXISTING_CLUSTER
    assert deployed.outputs["cluster_name"] == "shared-prod"
    assert (
        deployed.one("aws:appautoscaling/target:Target").inputs["resourceId"]
        == "service/shared-prod/payments-prod"
    )


def test_cluster_name_that_contradicts_the_existing_cluster_arn_is_rejected() -> None:
    with pytest.raises(
        ValidationError, match="cluster_name 'payments-prod' is not the cluster in cluster_arn"
    ):
        service_args(cluster_arn=EXISTING_CLUSTER, cluster_name="payments-prod")


@pytest.mark.parametrize(
    "cluster_arn",
    ["shared-prod", f"arn:aws:ecs:{MOCK_REGION}:{MOCK_ACCOUNT_ID}:service/shared-prod/payments-prod"],
)
def test_cluster_arn_that_is_not_an_ecs_cluster_arn_is_rejected(cluster_arn: str) -> None:
    with pytest.raises(ValidationError, match=r"cluster_arn\n.*ECS cluster ARN"):
        service_args(cluster_arn=cluster_arn)


def test_physical_names_default_to_the_conventions() -> None:
    args = service_args()
    assert (args.cluster_name, args.service_name, args.alb_name, args.target_group_name) == (
        conventions.physical_name("payments", "prod", kind="ecs_cluster"),
        conventions.physical_name("payments", "prod", kind="ecs_service"),
        conventions.physical_name("payments", "prod", kind="alb"),
        conventions.physical_name("payments", "prod", kind="target_group"),
    )
    assert (args.task_role_name, args.execution_role_name) == (
        "payments-prod-task",
        "payments-prod-execution",
    )


# --- Sizing and image validation -----------------------------------------------------------------


def test_invalid_cpu_memory_pair_lists_the_valid_memory_values() -> None:
    with pytest.raises(ValidationError) as error:
        service_args(cpu=256, memory=4096)
    assert "valid memory values for cpu 256: 512, 1024, 2048" in str(error.value)


def test_cpu_that_is_not_a_fargate_size_is_rejected() -> None:
    with pytest.raises(ValidationError, match="valid cpu values: 256, 512, 1024"):
        service_args(cpu=300)


@pytest.mark.parametrize(("min_count", "desired_count", "max_count"), [(3, 2, 4), (2, 5, 4), (5, 5, 4)])
def test_task_counts_out_of_order_are_rejected(min_count: int, desired_count: int, max_count: int) -> None:
    with pytest.raises(ValidationError, match="min_count <= desired_count <= max_count"):
        service_args(min_count=min_count, desired_count=desired_count, max_count=max_count)


@pytest.mark.parametrize(
    "image",
    ["payments:latest", f"{MOCK_ACCOUNT_ID}.dkr.ecr.{MOCK_REGION}.amazonaws.com/payments-prod:latest"],
)
def test_latest_image_is_rejected(image: str) -> None:
    with pytest.raises(ValidationError, match="':latest'"):
        service_args(image=image)


@pytest.mark.parametrize("image", ["payments", "localhost:5000/payments"])
def test_untagged_image_is_rejected(image: str) -> None:
    with pytest.raises(ValidationError, match="no tag"):
        service_args(image=image)


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("payments@sha256:short", "malformed digest"),
        ("payments@sha256:" + "A" * 64, "malformed digest"),
        ("payments:.1", "malformed tag"),
        ("payments:", "empty tag"),
    ],
)
def test_image_with_a_malformed_digest_or_tag_is_rejected(image: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        service_args(image=image)


@pytest.mark.parametrize("image", [IMAGE, "localhost:5000/payments:2.0.1", f"payments@sha256:{'a' * 64}"])
def test_image_pinned_by_tag_or_digest_is_accepted(image: str) -> None:
    assert image_problem(image) is None
    assert service_args(image=image).image == image


def _retrieve_failed_futures() -> None:
    # A failed program leaves callbacks on the event loop and futures whose error nobody reads.
    # Their finalizers log that error later, from the garbage collector; on Python 3.11, formatting
    # the log parses source with `ast`, and inside another `ast.parse` (pytest rewriting a late
    # import) that trips CPython's AST recursion-depth check and crashes the session. Finish the
    # callbacks and read the errors now.
    loop = asyncio.get_event_loop()
    for _ in range(10):
        loop.run_until_complete(asyncio.sleep(0))
    gc.collect()
    for obj in gc.get_objects():
        if isinstance(obj, asyncio.Future) and obj.done() and not obj.cancelled():
            obj.exception()


def test_latest_image_arriving_as_an_output_fails_the_program() -> None:
    try:
        with pytest.raises(Exception, match="':latest'"):
            Deployed(service_args(image=pulumi.Output.from_input("payments:latest")))
    finally:
        _retrieve_failed_futures()


def test_certificate_that_is_not_from_acm_is_rejected() -> None:
    with pytest.raises(ValidationError, match="certificate_arn"):
        service_args(certificate_arn=f"arn:aws:iam::{MOCK_ACCOUNT_ID}:server-certificate/payments")


def test_load_balancer_needs_two_public_subnets() -> None:
    with pytest.raises(ValidationError, match="two Availability Zones"):
        service_args(public_subnet_ids=["subnet-pub-a"])


# --- Load balancer and listeners -----------------------------------------------------------------


def test_https_listener_uses_the_tls_policy_and_the_certificate(deployed: Deployed) -> None:
    https = listener(deployed, 443)
    assert https["protocol"] == "HTTPS"
    assert https["sslPolicy"] == conventions.ALB_TLS_POLICY
    assert https["certificateArn"] == CERTIFICATE
    assert https["loadBalancerArn"] == deployed.outputs["alb_arn"]


def test_https_listener_forwards_to_the_target_group(deployed: Deployed) -> None:
    assert listener(deployed, 443)["defaultActions"] == [
        {"type": "forward", "targetGroupArn": deployed.outputs["target_group_arn"]}
    ]


def test_http_listener_only_redirects_to_https(deployed: Deployed) -> None:
    http = listener(deployed, 80)
    assert http["protocol"] == "HTTP"
    assert http["defaultActions"] == [
        {"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}
    ]
    assert len(deployed.by_type(LISTENER)) == 2


def test_load_balancer_is_public_in_the_public_subnets(deployed: Deployed) -> None:
    alb = deployed.one(LOAD_BALANCER).inputs
    assert alb["internal"] is False
    assert alb["loadBalancerType"] == "application"
    assert alb["subnets"] == ["subnet-pub-a", "subnet-pub-b"]
    assert alb["securityGroups"] == [deployed.outputs["alb_security_group_id"]]


def test_load_balancer_drops_invalid_headers_and_mitigates_desync_strictly(deployed: Deployed) -> None:
    alb = deployed.one(LOAD_BALANCER).inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["desyncMitigationMode"] == "strictest"
    assert alb["idleTimeout"] == conventions.ALB_IDLE_TIMEOUT_SECONDS


def test_load_balancer_logs_to_the_access_log_bucket(deployed: Deployed) -> None:
    alb = deployed.one(LOAD_BALANCER)
    assert alb.inputs["accessLogs"] == {"bucket": deployed.outputs["access_log_bucket"], "enabled": True}
    assert deployed.named("access-logs-policy").urn in alb.dependencies


@pytest.mark.parametrize("protected", [True, False])
def test_load_balancer_deletion_protection_follows_the_argument(protected: bool) -> None:
    deployed = Deployed(service_args(deletion_protection=protected))
    assert deployed.one(LOAD_BALANCER).inputs["enableDeletionProtection"] is protected


def test_target_group_sends_http_to_task_ips_and_checks_health(deployed: Deployed) -> None:
    group = deployed.one(TARGET_GROUP).inputs
    assert (group["targetType"], group["protocol"], group["port"]) == ("ip", "HTTP", 8080)
    assert group["vpcId"] == "vpc-0123"
    assert group["healthCheck"]["path"] == "/healthz"
    assert group["healthCheck"]["enabled"] is True
    assert group["deregistrationDelay"] == 30


# --- Access log bucket ---------------------------------------------------------------------------


def test_access_log_bucket_blocks_all_public_access(deployed: Deployed) -> None:
    block = deployed.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        block[k] is True
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert block["bucket"] == deployed.outputs["access_log_bucket"]


def test_access_log_bucket_disables_acls(deployed: Deployed) -> None:
    ownership = deployed.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_access_log_bucket_is_encrypted_with_s3_managed_keys(deployed: Deployed) -> None:
    encryption = deployed.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ).inputs
    assert encryption["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    assert encryption["bucket"] == deployed.outputs["access_log_bucket"]


def test_access_log_bucket_is_versioned(deployed: Deployed) -> None:
    versioning = deployed.one("aws:s3/bucketVersioning:BucketVersioning").inputs
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    assert versioning["bucket"] == deployed.outputs["access_log_bucket"]


def test_access_logs_expire_after_the_given_days(deployed: Deployed) -> None:
    (rule,) = deployed.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["expiration"] == {"days": 400}


def test_access_log_expiry_defaults_to_the_environment_convention() -> None:
    assert service_args(access_log_expiry_days=None, environment="dev").access_log_expiry_days == 90


def test_access_log_bucket_admits_elb_log_delivery_and_refuses_plain_http(deployed: Deployed) -> None:
    bucket_arn = f"arn:aws:s3:::{deployed.outputs['access_log_bucket']}"
    policy = json.loads(deployed.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    allow, deny = policy["Statement"]
    assert allow["Effect"] == "Allow"
    assert allow["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Resource"] == f"{bucket_arn}/AWSLogs/{MOCK_ACCOUNT_ID}/*"
    assert deny["Effect"] == "Deny"
    assert deny["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# --- Security groups -----------------------------------------------------------------------------


def test_service_security_group_admits_only_the_load_balancer_on_the_container_port(
    deployed: Deployed,
) -> None:
    (ingress,) = rules(deployed, INGRESS, "service_security_group_id")
    assert ingress["referencedSecurityGroupId"] == deployed.outputs["alb_security_group_id"]
    assert (ingress["ipProtocol"], ingress["fromPort"], ingress["toPort"]) == ("tcp", 8080, 8080)
    assert "cidrIpv4" not in ingress and "cidrIpv6" not in ingress


def test_service_security_group_sends_only_https_out(deployed: Deployed) -> None:
    (egress,) = rules(deployed, EGRESS, "service_security_group_id")
    assert (egress["ipProtocol"], egress["fromPort"], egress["toPort"], egress["cidrIpv4"]) == (
        "tcp",
        443,
        443,
        "0.0.0.0/0",
    )


def test_load_balancer_security_group_admits_http_and_https_from_anywhere(deployed: Deployed) -> None:
    admitted = {
        (r["fromPort"], r["toPort"], r.get("cidrIpv4") or r.get("cidrIpv6"))
        for r in rules(deployed, INGRESS, "alb_security_group_id")
    }
    assert admitted == {(443, 443, "0.0.0.0/0"), (443, 443, "::/0"), (80, 80, "0.0.0.0/0"), (80, 80, "::/0")}


def test_load_balancer_security_group_sends_only_to_the_service_on_the_container_port(
    deployed: Deployed,
) -> None:
    (egress,) = rules(deployed, EGRESS, "alb_security_group_id")
    assert egress["referencedSecurityGroupId"] == deployed.outputs["service_security_group_id"]
    assert (egress["ipProtocol"], egress["fromPort"], egress["toPort"]) == ("tcp", 8080, 8080)


def test_every_security_group_rule_has_a_description(deployed: Deployed) -> None:
    all_rules = deployed.by_type(INGRESS) + deployed.by_type(EGRESS)
    assert len(all_rules) == 7
    assert all(r.inputs.get("description") for r in all_rules)


# --- Autoscaling ---------------------------------------------------------------------------------


def test_autoscaling_keeps_the_task_count_between_min_and_max(deployed: Deployed) -> None:
    target = deployed.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 4)
    assert target["resourceId"] == "service/payments-prod/payments-prod"
    assert (target["serviceNamespace"], target["scalableDimension"]) == ("ecs", "ecs:service:DesiredCount")


def test_autoscaling_tracks_average_cpu_at_the_target(deployed: Deployed) -> None:
    policy = deployed.one("aws:appautoscaling/policy:Policy").inputs
    assert policy["policyType"] == "TargetTrackingScaling"
    assert policy["resourceId"] == "service/payments-prod/payments-prod"
    tracking = policy["targetTrackingScalingPolicyConfiguration"]
    assert tracking["targetValue"] == 60
    assert tracking["predefinedMetricSpecification"] == {
        "predefinedMetricType": "ECSServiceAverageCPUUtilization"
    }


# --- Component contract --------------------------------------------------------------------------


def test_outputs_expose_the_url_and_the_metric_dimensions(deployed: Deployed) -> None:
    outputs = deployed.outputs
    assert outputs["url"] == f"https://{outputs['alb_dns_name']}"
    assert outputs["alb_arn_suffix"].startswith("app/")
    assert outputs["target_group_arn_suffix"].startswith("targetgroup/")
    assert (outputs["cluster_name"], outputs["service_name"]) == ("payments-prod", "payments-prod")
    assert outputs["task_role_arn"] == f"arn:aws:iam::{MOCK_ACCOUNT_ID}:role/payments-prod-task"


def test_every_child_is_parented_to_the_component(deployed: Deployed) -> None:
    component = deployed.one("goldenpath:aws:Service")
    children = [r for r in deployed.run.resources if r is not component]
    assert len(children) > 20
    assert all(r.parent == component.urn for r in children)


def _takes_tags(type_token: str) -> bool:
    module, class_name = type_token.split(":")[1].split("/")[0], type_token.split(":")[2]
    resource_class = getattr(getattr(aws, module), class_name)
    return "tags" in inspect.signature(resource_class._internal_init).parameters


def test_every_taggable_resource_carries_the_tags(deployed: Deployed) -> None:
    taggable = [r for r in deployed.run.resources if r.custom and _takes_tags(r.type)]
    assert {BUCKET, LOAD_BALANCER, ECS_SERVICE, TASK_DEFINITION, INGRESS} <= {r.type for r in taggable}
    untagged = [r.name for r in taggable if r.inputs.get("tags") != TAGS]
    assert untagged == []
