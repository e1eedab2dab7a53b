"""One service spec, two targets: the same spec rendered by WebService (ECS) and by K8sService.

The runs are under the Pulumi mocks (goldenpath.harness); each equivalence is read from the
resources built, not from the configs the spec renders to.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goldenpath import conventions
from goldenpath.blueprints import Service, ServiceSpec
from goldenpath.blueprints.service import spec_key
from goldenpath.config import ConfigError
from goldenpath.harness import run_stack, run_under_mocks

from ..conftest import STACKS
from .test_compliance import _blocking

CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0f4b1c52-8a3e-4c1d-9d57-1b2c3d4e5f60"
SPEC = {
    "team": "inventory",
    "costCenter": "cc-2001",
    "environment": "prod",
    "image": "ghcr.io/acme/inventory:2.3.1",
    "port": 9090,
    "cpu": "500m",
    "memory": "1Gi",
    "replicas": {"min": 3, "max": 7, "targetCpuPercent": 55},
    "healthCheck": {"path": "/ready"},
    "environmentVariables": {"LOG_LEVEL": "info"},
    "secrets": ["database-url", "api-token"],
    "alarms": {"latencyP99Seconds": 0.4, "unavailableReplicas": 2},
    "github": {"repository": "acme/inventory"},
    "aws": {"certificateArn": CERTIFICATE},
    "kubernetes": {"secretStore": "vault"},
}


def _run(spec: dict, name: str = "inventory"):
    model = ServiceSpec.model_validate(spec)
    return run_under_mocks(
        lambda: Service(name, model),
        project=name,
        stack=model.environment,
        config={"aws:region": "eu-west-1"},
    )


@pytest.fixture(scope="module")
def on_aws():
    return _run({**SPEC, "target": "aws"})


@pytest.fixture(scope="module")
def on_kubernetes():
    return _run({**SPEC, "target": "kubernetes"})


def _container_aws(run) -> dict:
    return json.loads(run.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])[0]


def _pod(run) -> dict:
    return run.one("kubernetes:apps/v1:Deployment").inputs["spec"]["template"]["spec"]


def _alarm(run, metric: str) -> dict:
    (alarm,) = [
        r.inputs
        for r in run.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs["metricName"] == metric
    ]
    return alarm


def _alert(run, name: str) -> str:
    groups = run.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs["spec"]["groups"]
    (rule,) = [r for g in groups for r in g["rules"] if name in r["alert"]]
    return rule["expr"]


def test_the_spec_picks_the_blueprint_by_target(on_aws, on_kubernetes):
    assert on_aws.by_type("goldenpath:blueprints:WebService") and not on_aws.by_type(
        "kubernetes:apps/v1:Deployment"
    )
    assert on_kubernetes.by_type("goldenpath:blueprints:K8sService") and not on_kubernetes.by_type(
        "aws:ecs/service:Service"
    )


def test_both_targets_run_the_same_image_on_the_same_port(on_aws, on_kubernetes):
    container = _container_aws(on_aws)
    (pod_container,) = _pod(on_kubernetes)["containers"]

    assert container["image"] == pod_container["image"] == SPEC["image"]
    assert container["portMappings"][0]["containerPort"] == pod_container["ports"][0]["containerPort"] == 9090
    assert on_aws.one("aws:lb/targetGroup:TargetGroup").inputs["port"] == 9090


def test_both_targets_keep_the_same_scaling_bounds_and_target(on_aws, on_kubernetes):
    target = on_aws.one("aws:appautoscaling/target:Target").inputs
    policy = on_aws.one("aws:appautoscaling/policy:Policy").inputs
    hpa = on_kubernetes.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs["spec"]

    assert (
        (target["minCapacity"], target["maxCapacity"]) == (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 7)
    )
    assert on_aws.one("aws:ecs/service:Service").inputs["desiredCount"] == 3
    assert on_kubernetes.one("kubernetes:apps/v1:Deployment").inputs["spec"]["replicas"] == 3
    assert policy["targetTrackingScalingPolicyConfiguration"]["targetValue"] == 55
    assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 55


def test_both_targets_read_the_same_secret_names(on_aws, on_kubernetes):
    aws_names = {
        r.inputs["name"].rsplit("/", 1)[-1] for r in on_aws.by_type("aws:secretsmanager/secret:Secret")
    }
    external = on_kubernetes.one("kubernetes:external-secrets.io/v1:ExternalSecret").inputs["spec"]
    k8s_names = {item["secretKey"] for item in external["data"]}

    assert aws_names == k8s_names == {"database-url", "api-token"}
    assert {e["name"] for e in _container_aws(on_aws)["secrets"]} == {"DATABASE_URL", "API_TOKEN"}


def test_both_targets_alarm_at_the_same_thresholds(on_aws, on_kubernetes):
    latency = _alarm(on_aws, "TargetResponseTime")
    unhealthy = _alarm(on_aws, "UnHealthyHostCount")

    assert latency["threshold"] == 0.4 and latency["extendedStatistic"] == "p99"
    assert _alert(on_kubernetes, "HighLatencyP99").endswith("> 0.4")
    # Two unavailable copies alarm on both: ECS at ≥ 2 unhealthy targets, Kubernetes above 1.
    assert (unhealthy["threshold"], unhealthy["comparisonOperator"]) == (2, "GreaterThanOrEqualToThreshold")
    assert _alert(on_kubernetes, "ReplicasUnavailable").endswith("> 1")


def test_both_targets_health_check_the_same_path_and_set_the_same_environment(on_aws, on_kubernetes):
    (pod_container,) = _pod(on_kubernetes)["containers"]

    assert on_aws.one("aws:lb/targetGroup:TargetGroup").inputs["healthCheck"]["path"] == "/ready"
    assert pod_container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert {"name": "LOG_LEVEL", "value": "info"} in _container_aws(on_aws)["environment"]
    assert {"name": "LOG_LEVEL", "value": "info"} in pod_container["env"]


def test_both_targets_size_a_copy_alike(on_aws, on_kubernetes):
    task = on_aws.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    (pod_container,) = _pod(on_kubernetes)["containers"]

    assert (task["cpu"], task["memory"]) == ("512", "1024")
    assert pod_container["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}


def test_a_spec_builds_exactly_what_the_blueprints_own_config_builds(tmp_path):
    """payments-api's config, written as a spec: same URNs and same inputs, so a stack moves
    to the spec without a replacement."""
    project = tmp_path / "payments-api"
    project.mkdir()
    (project / "Pulumi.yaml").write_text((STACKS / "payments-api" / "Pulumi.yaml").read_text())
    (project / "__main__.py").write_text(
        "import pulumi\nfrom goldenpath.blueprints import Service\n\nservice = Service('payments-api')\n"
        "pulumi.export('url', service.url)\n"
    )
    spec = {
        "target": "aws",
        "team": "payments",
        "costCenter": "cc-1042",
        "environment": "dev",
        "github": {"repository": "acme/payments-api", "branch": "main"},
        "replicas": {"min": 1, "desired": 1, "max": 2},
        "secrets": ["database-url", "stripe-api-key"],
        "environmentVariables": {"LOG_LEVEL": "debug"},
        "alarms": {"latencyP99Seconds": 2},
        "aws": {"certificateArn": CERTIFICATE, "imageTag": "1.4.2", "alarms": {"alb5xxCount": 25}},
    }
    config = {"aws:region": "eu-west-1", **{f"payments-api:{k}": v for k, v in spec.items()}}
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))

    def graph(run):
        return {r.urn: (r.type, dict(r.inputs)) for r in run.resources}

    assert graph(run_stack(project, "dev")) == graph(run_stack(STACKS / "payments-api", "dev"))


def _problems(spec: dict) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        run_under_mocks(
            lambda: Service("inventory"),
            project="inventory",
            stack="dev",
            config={
                f"inventory:{k}": json.dumps(v) if isinstance(v, dict | list) else str(v)
                for k, v in spec.items()
            },
        )
    return raised.value.problems


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"target": "aws", "aws": {}},
            "inventory:aws: certificateArn is required when target is aws",
        ),
        (
            {"target": "aws", "cpu": "300m"},
            "inventory:aws: cpu 300m and memory 1Gi are not a Fargate task size",
        ),
        (
            {"target": "aws", "aws": {"certificateArn": CERTIFICATE, "imageTag": "1.0.0"}},
            "inventory:aws: set exactly one of image (the spec's) or aws.imageTag",
        ),
        (
            {"target": "kubernetes", "kubernetes": {}},
            "inventory:kubernetes: secretStore is required when secrets are listed",
        ),
        ({"target": "aws", "github": None}, "inventory:github: required when target is aws"),
        ({"target": "ecs"}, "inventory:target: Input should be 'aws' or 'kubernetes'"),
        (
            {"target": "aws", "memory": "537M"},
            "inventory:aws: cpu 500m and memory 537M are not a Fargate task size",
        ),
        (
            {"target": "aws", "cpu": "0.5002"},
            "inventory:aws: cpu 0.5002 and memory 1Gi are not a Fargate task size",
        ),
        (
            {"target": "aws", "aws": {"certificateArn": CERTIFICATE, "logRetentionDays": 4}},
            "inventory:aws.logRetentionDays: ",
        ),
        (
            {"target": "kubernetes", "replicas": {"min": 5, "max": 2}},
            "inventory:replicas: needs min ≤ desired ≤ max, and desired is min when unset",
        ),
        # Refused by the target, not the spec: named by the spec's key, not the target's.
        (
            {
                "target": "kubernetes",
                "cpu": "2",
                "kubernetes": {"secretStore": "vault", "limits": {"cpu": "1", "memory": "1Gi"}},
            },
            "inventory:kubernetes.limits: cpu limit 1 is below the request 2",
        ),
        ({"target": "aws", "secrets": ["db.password"]}, "inventory:secrets: secret names are 1-64 letters"),
        ({"target": "kubernetes", "secrets": ["a/b"]}, "inventory:secrets: secret names ['a/b'] must be"),
    ],
)
def test_a_spec_that_cannot_be_built_is_refused_naming_its_key(change, problem):
    spec = {k: v for k, v in {**SPEC, **change}.items() if v is not None}

    problems = _problems(spec)

    assert any(p.startswith(problem) for p in problems), problems


@pytest.fixture(scope="module")
def packs():
    from goldenpath.analyzer import PolicyPackProcess, pack_dirs

    started = {
        name: PolicyPackProcess(pack_dirs()[name]).start()
        for name in ("aws_security", "kubernetes", "platform_standards")
    }
    for process in started.values():
        process.configure(None)
    yield {
        "aws": [started["aws_security"], started["platform_standards"]],
        "kubernetes": [started["kubernetes"], started["platform_standards"]],
    }
    for process in started.values():
        process.stop()


@st.composite
def specs(draw):
    cpu, memory = draw(st.sampled_from([("0.25", "512Mi"), ("0.5", "1Gi"), ("1", "2Gi"), ("2", "4Gi")]))
    low = draw(st.integers(1, 4))
    high = low + draw(st.integers(0, 5))
    return {
        **SPEC,
        "target": draw(st.sampled_from(["aws", "kubernetes"])),
        "environment": draw(st.sampled_from(conventions.ENVIRONMENTS)),
        "cpu": cpu,
        "memory": memory,
        "port": draw(st.integers(1024, 65535)),
        "replicas": {"min": low, "max": high, "targetCpuPercent": draw(st.integers(10, 90))},
        "secrets": draw(
            st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), max_size=3, unique=True)
        ),
        "alarms": {"latencyP99Seconds": draw(st.sampled_from([0.1, 1, 5])), "unavailableReplicas": low},
    }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=specs())
def test_any_valid_spec_builds_with_no_mandatory_violation_on_either_target(packs, spec):
    assert _blocking(packs[spec["target"]], _run(spec)) == []


def test_the_service_spec_documents_every_key_it_reads():
    text = Path(__file__).resolve().parents[2].joinpath("docs", "service-spec.md").read_text()

    for key in ServiceSpec.model_json_schema(by_alias=True)["properties"]:
        assert f"`{key}`" in text, key


def test_a_refused_value_of_a_secret_aws_section_is_never_repeated():
    spec = {
        **SPEC,
        "target": "aws",
        "aws": {"certificateArn": "arn:aws:acm:eu-west-1:1234:certificate/TOPSECRET"},
    }

    with pytest.raises(ConfigError) as raised:
        run_under_mocks(
            lambda: Service("inventory"),
            project="inventory",
            stack="dev",
            config={
                f"inventory:{k}": json.dumps(v) if isinstance(v, dict | list) else str(v)
                for k, v in spec.items()
            },
            secret_keys=["inventory:aws"],
        )

    assert any(p.startswith("inventory:aws.certificateArn: ") for p in raised.value.problems), (
        raised.value.problems
    )
    assert "TOPSECRET" not in str(raised.value)


def test_a_secret_name_the_target_cannot_take_is_one_problem_of_secrets_alone():
    # Found by the fuzz campaign: the spec took any name, the target refused it and then also
    # reported the value it left undeclared, under its own key `secretValues`, not the spec's.
    spec = {
        **SPEC,
        "target": "aws",
        "image": None,
        "secrets": ["", "api-token"],
        "aws": {"certificateArn": CERTIFICATE, "imageTag": "1.0.0", "secretValues": {"api-token": "v"}},
    }

    problems = _problems({k: v for k, v in spec.items() if v is not None})

    assert [p.split(": ", 1)[0] for p in problems] == ["inventory:secrets"], problems


def test_a_name_kubernetes_takes_for_a_secret_file_builds_there():
    run = _run({**SPEC, "target": "kubernetes", "secrets": ["db.password"]})

    external = run.one("kubernetes:external-secrets.io/v1:ExternalSecret").inputs["spec"]
    assert [item["secretKey"] for item in external["data"]] == ["db.password"]


@pytest.mark.parametrize("target", ["aws", "kubernetes"])
def test_every_key_a_target_reads_from_the_spec_names_a_key_of_the_spec(target):
    # What a target refuses is said in the spec's keys: each of the target's keys (and each key of
    # its sections) must lead back to one the spec's schema has.
    model = ServiceSpec.model_validate({**SPEC, "target": target})
    values = model.web_service_values() if target == "aws" else model.k8s_service_values()
    schema = ServiceSpec.model_json_schema(by_alias=True)

    def exists(path: str) -> bool:
        node = schema
        for part in path.split("."):
            if "$ref" in node:
                node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
            if "anyOf" in node:
                node = next(n for n in node["anyOf"] if n.get("type") != "null")
                if "$ref" in node:
                    node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
            if "additionalProperties" in node and "properties" not in node:
                return True  # a map (environmentVariables): any key of it is the team's own
            if part not in node.get("properties", {}):
                return False
            node = node["properties"][part]
        return True

    keys = [*values, *(f"{k}.{inner}" for k, v in values.items() if isinstance(v, dict) for inner in v)]
    missing = {k: spec_key(target, k) for k in keys if not exists(spec_key(target, k))}
    assert missing == {}
