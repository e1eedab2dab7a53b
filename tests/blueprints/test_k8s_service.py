"""The K8sService blueprint under mocks, from the catalog-k8s example stack's own config."""

from __future__ import annotations

import json
from collections import Counter

import pulumi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goldenpath import conventions
from goldenpath.analyzer import PolicyPackProcess, pack_dirs
from goldenpath.blueprints.k8s_service import K8sService, K8sServiceConfig
from goldenpath.check import check_stack, resource_input
from goldenpath.config import ConfigError
from goldenpath.harness import ProgramRun, run_stack, run_under_mocks

from ..conftest import STACKS

STACK = STACKS / "catalog-k8s"
PROJECT = "catalog-k8s"
BLUEPRINT = "goldenpath:blueprints:K8sService"
WORKLOAD = "goldenpath:k8s:Workload"
SECRETS = "goldenpath:k8s:Secrets"
MONITORING = "goldenpath:k8s:Monitoring"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"

# What each component registers in the example stack (dev); prod adds a PodDisruptionBudget.
DEV_CHILDREN = {
    WORKLOAD: Counter(
        {
            "kubernetes:core/v1:Namespace": 1,
            "kubernetes:core/v1:ResourceQuota": 1,
            "kubernetes:core/v1:LimitRange": 1,
            "kubernetes:core/v1:ServiceAccount": 1,
            "kubernetes:core/v1:Service": 1,
            DEPLOYMENT: 1,
            HPA: 1,
            "kubernetes:networking.k8s.io/v1:NetworkPolicy": 2,
        }
    ),
    SECRETS: Counter({"kubernetes:external-secrets.io/v1:ExternalSecret": 1}),
    MONITORING: Counter(
        {
            "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": 1,
            "kubernetes:monitoring.coreos.com/v1:PrometheusRule": 1,
        }
    ),
}
BASE_CONFIG = {
    f"{PROJECT}:team": "commerce",
    f"{PROJECT}:costCenter": "cc-2087",
    f"{PROJECT}:environment": "dev",
    f"{PROJECT}:image": "ghcr.io/acme/catalog:2.3.1",
}


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return run_stack(STACK, "dev")


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return run_stack(STACK, "prod")


def run_config(config: dict[str, str]) -> tuple[ProgramRun, list[ConfigError]]:
    errors: list[ConfigError] = []

    def program():
        try:
            K8sService("catalog")
        except ConfigError as error:
            errors.append(error)

    return run_under_mocks(program, project=PROJECT, stack="dev", config=config), errors


def problems(overrides: dict[str, str]) -> list[str]:
    run, errors = run_config({**BASE_CONFIG, **overrides})
    assert errors, "expected a config error"
    assert run.resources == [], "nothing may be registered before the config is valid"
    return errors[0].problems


def children(run: ProgramRun, type_token: str) -> Counter:
    return Counter(r.type for r in run.children_of(run.one(type_token).urn))


def deployment_spec(run: ProgramRun) -> dict:
    return run.one(DEPLOYMENT).inputs["spec"]


# --- Resource graph ----------------------------------------------------------------------------------


def test_dev_stack_registers_the_blueprint_with_its_three_components(dev):
    blueprint = dev.one(BLUEPRINT)

    assert sorted(r.type for r in dev.children_of(blueprint.urn)) == sorted(DEV_CHILDREN)


@pytest.mark.parametrize("component", sorted(DEV_CHILDREN))
def test_dev_stack_component_registers_its_kubernetes_objects(dev, component):
    assert children(dev, component) == DEV_CHILDREN[component]


def test_dev_stack_has_sixteen_resources_of_which_twelve_are_kubernetes_objects(dev):
    assert len(dev.resources) == 16
    assert sum(r.custom for r in dev.resources) == 12


def test_prod_stack_adds_exactly_a_disruption_budget(prod):
    assert children(prod, WORKLOAD) == DEV_CHILDREN[WORKLOAD] + Counter({PDB: 1})
    assert children(prod, SECRETS) == DEV_CHILDREN[SECRETS]
    assert children(prod, MONITORING) == DEV_CHILDREN[MONITORING]
    assert len(prod.resources) == 17


def test_blueprint_is_a_child_of_the_stack(dev):
    assert dev.one(BLUEPRINT).parent.endswith("pulumi:pulumi:Stack::catalog-k8s-dev")


# --- Labels and names --------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_kubernetes_object_carries_the_standard_labels_and_cost_center(stack, request):
    run = request.getfixturevalue(stack)
    expected = {
        "app.kubernetes.io/name": "catalog",
        "app.kubernetes.io/instance": f"catalog-{stack}",
        "app.kubernetes.io/managed-by": "goldenpath",
        "app.kubernetes.io/part-of": "catalog",
        "goldenpath.dev/team": "commerce",
        "goldenpath.dev/environment": stack,
        "goldenpath.dev/blueprint": "K8sService",
        "goldenpath.dev/cost-center": "cc-2087",
    }
    for resource in (r for r in run.resources if r.custom):
        labels = resource.inputs["metadata"]["labels"]
        assert labels.items() >= expected.items(), resource.name
        assert labels["app.kubernetes.io/version"], resource.name


def test_every_namespaced_object_is_named_and_placed_in_the_service_namespace(dev):
    for resource in (r for r in dev.resources if r.custom):
        metadata = resource.inputs["metadata"]
        assert metadata["name"].startswith("catalog"), resource.name
        if resource.inputs["kind"] != "Namespace":
            assert metadata["namespace"] == "catalog", resource.name


# --- Dev and prod differ where they should -----------------------------------------------------------


def test_prod_runs_more_replicas_than_dev(dev, prod):
    assert (deployment_spec(dev)["replicas"], deployment_spec(prod)["replicas"]) == (1, 3)


def test_prod_pods_get_larger_resources_than_dev(dev, prod):
    def resources(run):
        return deployment_spec(run)["template"]["spec"]["containers"][0]["resources"]

    assert resources(dev) == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "256Mi"},
    }
    assert resources(prod) == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }


def test_prod_autoscales_further_than_dev(dev, prod):
    def bounds(run):
        spec = run.one(HPA).inputs["spec"]
        return spec["minReplicas"], spec["maxReplicas"]

    assert bounds(dev) == (1, 2)
    assert bounds(prod) == (3, 12)


def test_only_prod_has_a_disruption_budget(dev, prod):
    assert dev.by_type(PDB) == []
    assert len(prod.by_type(PDB)) == 1


def test_prod_pins_its_image_by_digest(prod):
    image = deployment_spec(prod)["template"]["spec"]["containers"][0]["image"]

    assert "@sha256:" in image


def test_secrets_are_read_from_the_configured_store_under_the_service_and_environment(prod):
    spec = prod.one("kubernetes:external-secrets.io/v1:ExternalSecret").inputs["spec"]

    assert spec["secretStoreRef"]["name"] == "aws-secrets-manager"
    assert [d["remoteRef"]["key"] for d in spec["data"]] == [
        "goldenpath/catalog/prod/database-url",
        "goldenpath/catalog/prod/search-api-key",
    ]


def test_ingress_is_open_to_the_listed_namespaces_and_prometheus(dev):
    (allow,) = [
        p
        for p in dev.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        if p.inputs["spec"].get("ingress")
    ]
    namespaces = [
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for peer in allow.inputs["spec"]["ingress"][0]["from"]
    ]

    assert namespaces == ["ingress-nginx", "monitoring"]


# --- Outputs -----------------------------------------------------------------------------------------


def test_exposes_namespace_service_and_deployment_names():
    seen: dict[str, str] = {}

    def program():
        service = K8sService(
            "catalog", K8sServiceConfig.model_validate({**plain(BASE_CONFIG), "namespace": "shop"})
        )
        service.namespace.apply(lambda v: seen.__setitem__("namespace", v))
        service.service_name.apply(lambda v: seen.__setitem__("service", v))
        service.deployment_name.apply(lambda v: seen.__setitem__("deployment", v))

    run_under_mocks(program)

    assert seen == {"namespace": "shop", "service": "catalog", "deployment": "catalog"}


def plain(config: dict[str, str]) -> dict[str, str]:
    return {key.split(":", 1)[1]: value for key, value in config.items()}


def test_args_given_directly_are_used_instead_of_stack_config():
    config = K8sServiceConfig.model_validate(
        {**plain(BASE_CONFIG), "replicas": 4, "autoscaling": {"enabled": False}}
    )
    run = run_under_mocks(lambda: K8sService("catalog", config), project="elsewhere")

    assert deployment_spec(run)["replicas"] == 4
    assert run.by_type(HPA) == []


def test_without_secrets_there_is_no_secrets_component_and_no_secret_volume():
    run, errors = run_config(BASE_CONFIG)

    assert errors == []
    assert run.by_type(SECRETS) == []
    assert [v["name"] for v in deployment_spec(run)["template"]["spec"]["volumes"]] == ["tmp"]


def test_defaults_give_two_replicas_autoscaling_to_four_and_a_disruption_budget():
    run, _ = run_config(BASE_CONFIG)
    hpa = run.one(HPA).inputs["spec"]

    assert deployment_spec(run)["replicas"] == 2
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 4)
    assert len(run.by_type(PDB)) == 1


@pytest.mark.parametrize(("replicas", "bounds"), [(50, (50, 100)), (51, (51, 100)), (100, (100, 100))])
def test_the_default_autoscaling_ceiling_stops_at_the_most_pods_a_service_may_run(replicas, bounds):
    # Found by benchmarks/fuzz.py: twice 51 replicas is past the Workload's limit of 100, which used to
    # fail the program with a traceback instead of building.
    run, errors = run_config({**BASE_CONFIG, f"{PROJECT}:replicas": str(replicas)})
    hpa = run.one(HPA).inputs["spec"]

    assert errors == []
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == bounds


# --- Config errors name the key ----------------------------------------------------------------------


def test_latest_image_is_rejected_naming_the_image_key():
    (problem,) = problems({f"{PROJECT}:image": "ghcr.io/acme/catalog:latest"})

    assert problem.startswith("catalog-k8s:image: ")
    assert "'latest'" in problem


def test_missing_team_is_reported_as_required():
    config = {k: v for k, v in BASE_CONFIG.items() if k != f"{PROJECT}:team"}
    run, errors = run_config(config)

    assert errors[0].problems == ["catalog-k8s:team: required, but not set"]
    assert run.resources == []


def test_unknown_environment_names_the_key_and_the_allowed_values():
    (problem,) = problems({f"{PROJECT}:environment": "qa"})

    assert problem.startswith("catalog-k8s:environment: ")
    assert "'dev', 'staging' or 'prod'" in problem


def test_misspelled_key_is_reported_as_unknown():
    (problem,) = problems({f"{PROJECT}:replica": "3"})

    assert problem.startswith("catalog-k8s:replica: unknown key")


def test_privileged_port_is_rejected_naming_the_port_key():
    (problem,) = problems({f"{PROJECT}:port": "80"})

    assert problem.startswith("catalog-k8s:port: ")


def test_replicas_outside_the_autoscaling_bounds_name_the_autoscaling_key():
    (problem,) = problems(
        {f"{PROJECT}:replicas": "5", f"{PROJECT}:autoscaling": json.dumps({"maxReplicas": 4})}
    )

    assert problem.startswith("catalog-k8s:autoscaling: needs minReplicas ≤ replicas ≤ maxReplicas")


def test_limits_below_requests_name_the_nested_key():
    resources = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "500m", "memory": "1Gi"}}
    (problem,) = problems({f"{PROJECT}:resources": json.dumps(resources)})

    assert problem.startswith("catalog-k8s:resources.limits: ")


def test_malformed_quantity_names_the_nested_key():
    (problem,) = problems(
        {f"{PROJECT}:resources": json.dumps({"requests": {"cpu": "lots", "memory": "1Gi"}})}
    )

    assert problem.startswith("catalog-k8s:resources.requests.cpu: ")


def test_secrets_without_a_store_name_the_secret_store_key():
    (problem,) = problems({f"{PROJECT}:secrets": json.dumps(["database-url"])})

    assert problem.startswith("catalog-k8s:secretStore: required when secrets are listed")


def test_environment_variable_names_are_checked_with_the_config():
    (problem,) = problems({f"{PROJECT}:environmentVariables": json.dumps({"LOG-LEVEL": "debug"})})

    assert problem.startswith("catalog-k8s:environmentVariables: environment variable names ['LOG-LEVEL']")


def test_prometheus_labels_are_checked_with_the_config():
    (problem,) = problems({f"{PROJECT}:prometheusLabels": json.dumps({"release": "kube prometheus"})})

    assert problem.startswith("catalog-k8s:prometheusLabels: label values")


def test_every_bad_key_is_reported_at_once():
    found = problems(
        {f"{PROJECT}:image": "catalog", f"{PROJECT}:port": "22", f"{PROJECT}:healthPath": "healthz"}
    )

    assert [p.split(": ", 1)[0] for p in found] == [
        "catalog-k8s:image",
        "catalog-k8s:port",
        "catalog-k8s:healthPath",
    ]


def test_service_name_kubernetes_would_refuse_fails_before_registering():
    def program():
        K8sService("Catalog_API", K8sServiceConfig.model_validate(plain(BASE_CONFIG)))

    with pytest.raises(ValueError, match="K8sService name 'Catalog_API'"):
        run_under_mocks(program)


def test_a_name_too_long_for_the_instance_label_fails_before_registering():
    errors: list[Exception] = []

    def program():
        try:
            K8sService("a" * 62, K8sServiceConfig.model_validate(plain(BASE_CONFIG)))
        except ValueError as error:
            errors.append(error)

    run = run_under_mocks(program)

    assert "label values" in str(errors[0])
    assert run.resources == []


def test_example_stack_exports_the_namespace(dev):
    assert list(dev.outputs) == ["namespace"]
    assert isinstance(dev.outputs["namespace"], pulumi.Output)


# --- Compliance --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_example_stack_passes_every_policy_pack(stack):
    result = check_stack(STACK, stack)

    assert [(f.policy, f.resource_name, f.message) for f in result.findings] == []


@pytest.fixture(scope="module")
def kubernetes_pack():
    process = PolicyPackProcess(pack_dirs()["kubernetes"]).start()
    process.configure(None)
    yield process
    process.stop()


def mandatory_violations(pack, run: ProgramRun) -> list[str]:
    inputs = [resource_input(r) for r in run.resources if r.custom]
    return sorted(
        f"{d.policy} on {d.urn.rsplit('::', 1)[-1]}: {d.message}"
        for d in pack.evaluate(inputs)
        if d.enforcement == "mandatory"
    )


@pytest.mark.slow
@pytest.mark.parametrize("environment", conventions.ENVIRONMENTS)
def test_defaults_have_no_mandatory_violation(kubernetes_pack, environment):
    config = K8sServiceConfig.model_validate({**plain(BASE_CONFIG), "environment": environment})

    assert mandatory_violations(kubernetes_pack, run_under_mocks(lambda: K8sService("catalog", config))) == []


@st.composite
def k8s_service_configs(draw):
    low = draw(st.integers(1, 4))
    replicas = low + draw(st.integers(0, 3))
    cpu = draw(st.integers(50, 2000))
    memory = draw(st.integers(64, 4096))
    config = {
        **plain(BASE_CONFIG),
        "environment": draw(st.sampled_from(conventions.ENVIRONMENTS)),
        "image": draw(st.sampled_from(["reg.io/a/b:1.0.0", "b:v2", "reg.io/b@sha256:" + "c" * 64])),
        "port": draw(st.integers(1024, 65535)),
        "replicas": replicas,
        "autoscaling": {
            "enabled": draw(st.booleans()),
            "minReplicas": low,
            "maxReplicas": replicas + draw(st.integers(0, 6)),
        },
        "resources": {
            "requests": {"cpu": f"{cpu}m", "memory": f"{memory}Mi"},
            "limits": {
                "cpu": f"{cpu * draw(st.integers(1, 4))}m",
                "memory": f"{memory * draw(st.integers(1, 2))}Mi",
            },
        },
        "ingressFrom": draw(st.lists(st.sampled_from(["ingress-nginx", "gateway", "web"]), unique=True)),
        "createNamespace": draw(st.booleans()),
    }
    secrets = draw(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), max_size=3, unique=True))
    if secrets:
        config.update(secrets=secrets, secretStore="vault")
    return K8sServiceConfig.model_validate(config)


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=k8s_service_configs())
def test_no_mandatory_violation_for_any_valid_config(kubernetes_pack, config):
    assert mandatory_violations(kubernetes_pack, run_under_mocks(lambda: K8sService("catalog", config))) == []
