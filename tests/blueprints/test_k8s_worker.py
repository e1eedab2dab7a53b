"""The K8sWorker blueprint under mocks, from the orders-worker-k8s example stack's own config."""

from __future__ import annotations

import json
from collections import Counter

import pulumi
import pytest

from goldenpath.blueprints.k8s_worker import K8sWorker, K8sWorkerConfig
from goldenpath.check import check_stack
from goldenpath.config import ConfigError
from goldenpath.harness import ProgramRun, run_stack, run_under_mocks

from ..conftest import STACKS

STACK = STACKS / "orders-worker-k8s"
PROJECT = "orders-worker-k8s"
BLUEPRINT = "goldenpath:blueprints:K8sWorker"
WORKLOAD = "goldenpath:k8s:Workload"
SECRETS = "goldenpath:k8s:Secrets"
MONITORING = "goldenpath:k8s:Monitoring"
SCALING = "goldenpath:k8s:QueueScaling"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
TRIGGER_AUTH = "kubernetes:keda.sh/v1alpha1:TriggerAuthentication"
POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
SQS_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dev"

DEV_CHILDREN = {
    WORKLOAD: Counter(
        {
            "kubernetes:core/v1:Namespace": 1,
            "kubernetes:core/v1:ResourceQuota": 1,
            "kubernetes:core/v1:LimitRange": 1,
            "kubernetes:core/v1:ServiceAccount": 1,
            DEPLOYMENT: 1,
            NETWORK_POLICY: 2,
        }
    ),
    SECRETS: Counter({"kubernetes:external-secrets.io/v1:ExternalSecret": 1}),
    SCALING: Counter({SCALED_OBJECT: 1, TRIGGER_AUTH: 1}),
    MONITORING: Counter({POD_MONITOR: 1, RULE: 1}),
}
SQS = {"type": "aws-sqs-queue", "url": SQS_URL, "region": "eu-west-1"}
BASE = {
    "team": "orders",
    "costCenter": "cc-3051",
    "environment": "dev",
    "image": "ghcr.io/acme/w:1.0.0",
    "queue": SQS,
}


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return run_stack(STACK, "dev")


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return run_stack(STACK, "prod")


def build(**overrides) -> ProgramRun:
    config = K8sWorkerConfig.model_validate({**BASE, **overrides})
    return run_under_mocks(lambda: K8sWorker("orders-worker", config))


def problems(overrides: dict) -> list[str]:
    errors: list[ConfigError] = []
    config = {
        f"{PROJECT}:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in {**BASE, **overrides}.items()
    }

    def program():
        try:
            K8sWorker("orders-worker")
        except ConfigError as error:
            errors.append(error)

    run = run_under_mocks(program, project=PROJECT, stack="dev", config=config)
    assert errors, "expected a config error"
    assert run.resources == [], "nothing may be registered before the config is valid"
    return errors[0].problems


def children(run: ProgramRun, type_token: str) -> Counter:
    return Counter(r.type for r in run.children_of(run.one(type_token).urn))


def pod_spec(run: ProgramRun) -> dict:
    return run.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]


# --- Resource graph ----------------------------------------------------------------------------------


def test_dev_stack_registers_the_blueprint_with_its_four_components(dev):
    assert sorted(r.type for r in dev.children_of(dev.one(BLUEPRINT).urn)) == sorted(DEV_CHILDREN)


@pytest.mark.parametrize("component", sorted(DEV_CHILDREN))
def test_dev_stack_component_registers_its_kubernetes_objects(dev, component):
    assert children(dev, component) == DEV_CHILDREN[component]


def test_a_worker_has_no_service_no_service_monitor_and_no_hpa_of_its_own(dev, prod):
    for run in (dev, prod):
        assert run.by_type(SERVICE) == []
        assert run.by_type(SERVICE_MONITOR) == []
        assert run.by_type(HPA) == []


def test_dev_has_seventeen_resources_and_prod_adds_exactly_a_disruption_budget(dev, prod):
    assert (len(dev.resources), len(prod.resources)) == (17, 18)
    assert children(prod, WORKLOAD) == DEV_CHILDREN[WORKLOAD] + Counter({PDB: 1})


# --- KEDA --------------------------------------------------------------------------------------------


def test_dev_scales_to_zero_on_the_sqs_queue_with_pod_identity(dev):
    spec = dev.one(SCALED_OBJECT).inputs["spec"]

    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "orders-worker"}
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (0, 3)
    assert spec["triggers"] == [
        {
            "type": "aws-sqs-queue",
            "metadata": {"queueURL": SQS_URL, "queueLength": "50", "awsRegion": "eu-west-1"},
            "authenticationRef": {"name": "orders-worker"},
        }
    ]
    assert dev.one(TRIGGER_AUTH).inputs["spec"] == {
        "podIdentity": {"provider": "aws", "identityOwner": "keda"}
    }


def test_prod_scales_between_three_and_thirty_with_the_workers_own_identity(prod):
    spec = prod.one(SCALED_OBJECT).inputs["spec"]

    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (3, 30)
    assert spec["triggers"][0]["metadata"]["queueLength"] == "20"
    assert prod.one(TRIGGER_AUTH).inputs["spec"]["podIdentity"]["identityOwner"] == "workload"


def test_prods_service_account_carries_the_iam_role_keda_and_the_worker_assume(prod, dev):
    account = prod.one("kubernetes:core/v1:ServiceAccount").inputs

    assert account["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::210987654321:role/orders-worker-prod"
    }
    assert account["automountServiceAccountToken"] is False
    assert "annotations" not in dev.one("kubernetes:core/v1:ServiceAccount").inputs["metadata"]


def test_a_role_arn_that_is_not_an_iam_role_names_the_key():
    (problem,) = problems({"awsRoleArn": "arn:aws:iam::123456789012:user/orders"})

    assert problem.startswith(f"{PROJECT}:awsRoleArn: String should match pattern")


def test_the_deployment_starts_at_replicas_and_the_scaled_object_shares_its_namespace(dev):
    deployment = dev.one(DEPLOYMENT)

    assert deployment.inputs["spec"]["replicas"] == 1
    assert dev.one(SCALED_OBJECT).inputs["metadata"]["namespace"] == "orders-worker"


def test_rabbitmq_reads_its_url_from_the_workers_secret():
    run = build(
        queue={"type": "rabbitmq", "name": "orders", "hostSecret": "amqp-url"},
        secrets=["amqp-url"],
        secretStore="vault",
    )

    trigger = run.one(SCALED_OBJECT).inputs["spec"]["triggers"][0]
    assert trigger["metadata"] == {
        "protocol": "amqp",
        "queueName": "orders",
        "mode": "QueueLength",
        "value": "20",
    }
    assert run.one(TRIGGER_AUTH).inputs["spec"] == {
        "secretTargetRef": [{"parameter": "host", "name": "orders-worker-secrets", "key": "amqp-url"}]
    }


def test_kafka_scales_on_consumer_lag_without_a_trigger_authentication():
    run = build(
        queue={
            "type": "kafka",
            "bootstrapServers": ["kafka-0.kafka:9092", "kafka-1.kafka:9092"],
            "topic": "orders",
            "consumerGroup": "orders-worker",
        },
        autoscaling={"messagesPerReplica": 100},
    )

    trigger = run.one(SCALED_OBJECT).inputs["spec"]["triggers"][0]
    assert trigger == {
        "type": "kafka",
        "metadata": {
            "bootstrapServers": "kafka-0.kafka:9092,kafka-1.kafka:9092",
            "topic": "orders",
            "consumerGroup": "orders-worker",
            "lagThreshold": "100",
        },
    }
    assert run.by_type(TRIGGER_AUTH) == []


# --- HPA on an external metric -----------------------------------------------------------------------


def test_without_keda_an_hpa_scales_on_the_external_queue_metric():
    run = build(
        autoscaling={
            "driver": "hpa",
            "minReplicas": 2,
            "maxReplicas": 8,
            "messagesPerReplica": 30,
            "externalMetric": {"name": "sqs_messages_visible", "selector": {"queue": "orders"}},
        }
    )
    spec = run.one(HPA).inputs["spec"]

    assert run.by_type(SCALED_OBJECT) == []
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 8)
    assert spec["metrics"] == [
        {
            "type": "External",
            "external": {
                "metric": {"name": "sqs_messages_visible", "selector": {"matchLabels": {"queue": "orders"}}},
                "target": {"type": "AverageValue", "averageValue": "30"},
            },
        }
    ]


def test_autoscaling_off_keeps_the_replicas_fixed_with_neither_scaler():
    run = build(replicas=3, autoscaling={"enabled": False})

    assert run.by_type(HPA) == [] and run.by_type(SCALED_OBJECT) == []
    assert run.one(DEPLOYMENT).inputs["spec"]["replicas"] == 3
    assert len(run.by_type(PDB)) == 1


# --- Pods and network --------------------------------------------------------------------------------


def test_pods_are_hardened_as_a_services_are(dev):
    spec = pod_spec(dev)
    (container,) = spec["containers"]

    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"]["limits"] == {"cpu": "500m", "memory": "256Mi"}
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_only_prometheus_reaches_the_metrics_port_and_the_worker_reaches_its_queue(dev):
    (allow,) = [p for p in dev.by_type(NETWORK_POLICY) if p.name.endswith("-allow")]
    ingress, egress = allow.inputs["spec"]["ingress"], allow.inputs["spec"]["egress"]

    assert ingress == [
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": [{"protocol": "TCP", "port": 8080}],
        }
    ]
    assert egress[1] == {
        "to": [{"ipBlock": {"cidr": "10.20.0.0/22"}}],
        "ports": [{"protocol": "TCP", "port": 443}],
    }


def test_without_metrics_nothing_may_connect_and_nothing_is_scraped():
    run = build(metrics=False)
    (allow,) = [p for p in run.by_type(NETWORK_POLICY) if p.name.endswith("-allow")]

    assert allow.inputs["spec"]["ingress"] == []
    assert run.by_type(POD_MONITOR) == []


def test_default_deny_covers_every_pod_of_the_namespace(dev):
    (deny,) = [p for p in dev.by_type(NETWORK_POLICY) if p.name.endswith("-default-deny")]

    assert deny.inputs["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_quota_fits_the_autoscaled_peak(prod):
    hard = prod.one("kubernetes:core/v1:ResourceQuota").inputs["spec"]["hard"]

    assert hard["pods"] == "38"  # 30 pods and a 25% surge


def test_the_pod_monitor_scrapes_the_metrics_path_of_the_workers_pods(dev):
    spec = dev.one(POD_MONITOR).inputs["spec"]

    assert spec["selector"]["matchLabels"]["app.kubernetes.io/name"] == "orders-worker"
    assert spec["podMetricsEndpoints"] == [
        {"port": "http", "path": "/metrics", "interval": "30s", "scheme": "http"}
    ]


# --- Alerts ------------------------------------------------------------------------------------------


def rules(run: ProgramRun) -> dict[str, dict]:
    (group,) = run.one(RULE).inputs["spec"]["groups"]
    return {r["alert"]: r for r in group["rules"]}


def test_dev_alerts_on_restarts_and_unavailable_replicas_but_not_on_http(dev):
    found = rules(dev)

    assert sorted(found) == ["ContainerRestarting", "ReplicasUnavailable"]
    assert found["ContainerRestarting"]["expr"] == (
        'increase(kube_pod_container_status_restarts_total{namespace="orders-worker",container="orders-worker"}'
        "[15m]) >= 3"
    )
    assert found["ReplicasUnavailable"]["expr"] == (
        'kube_deployment_status_replicas_unavailable{namespace="orders-worker",deployment="orders-worker"} > 0'
    )


def test_prod_alerts_on_the_queues_backlog_with_its_threshold(prod):
    found = rules(prod)

    assert found["QueueBacklogHigh"]["expr"] == (
        'sum(aws_sqs_approximate_number_of_messages_visible_average{dimension_QueueName="orders"}) > 5000'
    )
    assert found["QueueBacklogHigh"]["labels"] == {
        "severity": "warning",
        "team": "orders",
        "service": "orders-worker",
    }
    assert found["ContainerRestarting"]["expr"].endswith(">= 2")


def test_labels_name_the_worker_blueprint(dev):
    labels = dev.one(DEPLOYMENT).inputs["metadata"]["labels"]

    assert labels["goldenpath.dev/blueprint"] == "K8sWorker"
    assert labels["goldenpath.dev/cost-center"] == "cc-3051"


def test_example_stack_exports_the_namespace(dev):
    assert list(dev.outputs) == ["namespace"]
    assert isinstance(dev.outputs["namespace"], pulumi.Output)


# --- Config errors name the key ----------------------------------------------------------------------


def test_sqs_queue_without_url_names_the_queue_key():
    assert problems({"queue": {"type": "aws-sqs-queue", "region": "eu-west-1"}}) == [
        f"{PROJECT}:queue: type aws-sqs-queue needs url "
        '(given {"type": "aws-sqs-queue", "region": "eu-west-1"})'
    ]


def test_unknown_queue_type_lists_the_three_allowed():
    (problem,) = problems({"queue": {"type": "sqs", "url": SQS_URL, "region": "eu-west-1"}})

    assert problem.startswith(f"{PROJECT}:queue.type: Input should be 'aws-sqs-queue', 'rabbitmq' or 'kafka'")


def test_a_queue_url_of_another_region_is_refused():
    (problem,) = problems({"queue": {**SQS, "region": "us-east-1"}})

    assert problem.startswith(f"{PROJECT}:queue: url '{SQS_URL}' is not a queue of region 'us-east-1'")


def test_keys_of_another_queue_type_are_refused():
    (problem,) = problems({"queue": {**SQS, "topic": "orders"}})

    assert problem.startswith(f"{PROJECT}:queue: topic do not apply to type aws-sqs-queue")


def test_rabbitmq_host_secret_must_be_one_of_the_secrets():
    (problem,) = problems(
        {
            "queue": {"type": "rabbitmq", "name": "orders", "hostSecret": "amqp-url"},
            "secrets": ["other"],
            "secretStore": "vault",
        }
    )

    assert problem.startswith(f"{PROJECT}:secrets: must include queue.hostSecret 'amqp-url'")


def test_hpa_driver_without_an_external_metric_is_refused():
    (problem,) = problems({"autoscaling": {"driver": "hpa"}})

    assert problem.startswith(f"{PROJECT}:autoscaling: driver hpa needs externalMetric")


def test_scale_to_zero_needs_keda():
    (problem,) = problems(
        {"autoscaling": {"driver": "hpa", "minReplicas": 0, "externalMetric": {"name": "depth"}}}
    )

    assert problem.startswith(f"{PROJECT}:autoscaling: minReplicas 0 (scale to zero) needs driver keda")


def test_replicas_outside_the_bounds_name_the_autoscaling_key():
    (problem,) = problems({"replicas": "5", "autoscaling": {"maxReplicas": 4}})

    assert problem.startswith(
        f"{PROJECT}:autoscaling: needs minReplicas ≤ replicas ≤ maxReplicas (given 5, 5, 4"
    )


def test_an_egress_destination_names_one_of_namespace_or_cidr():
    (problem,) = problems({"egressTo": [{"namespace": "rabbitmq", "cidr": "10.0.0.0/8", "port": 5672}]})

    assert problem.startswith(f"{PROJECT}:egressTo.0: give exactly one of namespace or cidr")


def test_a_malformed_cidr_names_the_nested_key():
    (problem,) = problems({"egressTo": [{"cidr": "10.0.0.0/33", "port": 443}]})

    assert problem.startswith(f"{PROJECT}:egressTo.0.cidr: '10.0.0.0/33' must be a network in CIDR notation")


def test_a_service_only_key_is_unknown_to_a_worker():
    (problem,) = problems({"ingressFrom": ["ingress-nginx"]})

    assert problem.startswith(f"{PROJECT}:ingressFrom: unknown key")


# --- Compliance --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_example_stack_passes_every_policy_pack_without_a_finding(stack):
    result = check_stack(STACK, stack)

    assert result.verdict == "passed"
    assert [(f.policy, f.resource_name, f.message) for f in result.findings] == []


def test_an_environment_variable_error_never_repeats_its_value():
    (problem,) = problems({"environmentVariables": {"API-TOKEN": "s3cr3t-value-123"}})

    assert problem.startswith(f"{PROJECT}:environmentVariables: environment variable names ['API-TOKEN']")
    assert "s3cr3t-value-123" not in problem
