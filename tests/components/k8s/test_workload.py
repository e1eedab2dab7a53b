"""Workload: a Deployment hardened by default, with its namespace, service, autoscaler, budget,
network policies and service account."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from goldenpath.components.k8s import Autoscaling, IngressSource, ResourceQuantities, Workload, WorkloadArgs
from goldenpath.conventions import standard_labels
from goldenpath.harness import ProgramRun, run_under_mocks

NAMESPACE = "kubernetes:core/v1:Namespace"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
SERVICE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"

LABELS = standard_labels(
    team="commerce", service="catalog", environment="prod", blueprint="K8sService", component="workload"
)
SELECTOR = {"app.kubernetes.io/name": "catalog", "app.kubernetes.io/instance": "catalog-prod"}
IMAGE = "ghcr.io/acme/catalog:2.3.1"


def workload_args(**overrides) -> WorkloadArgs:
    fields = {"service": "catalog", "namespace": "shop", "labels": LABELS, "image": IMAGE, **overrides}
    return WorkloadArgs(**fields)


def run_workload(**overrides) -> ProgramRun:
    args = workload_args(**overrides)
    return run_under_mocks(lambda: Workload("catalog", args))


@pytest.fixture(scope="module")
def full() -> ProgramRun:
    """Every optional part switched on: three replicas, autoscaling, ingress sources, a secret."""
    return run_workload(
        replicas=3,
        autoscaling=Autoscaling(min_replicas=3, max_replicas=9, target_cpu_percent=60),
        ingress_from=[
            IngressSource(namespace="ingress-nginx"),
            IngressSource(namespace="checkout", pod_labels={"app.kubernetes.io/name": "cart"}),
            IngressSource(pod_labels={"role": "frontend"}),
        ],
        secret_name="catalog-secrets",
        requests=ResourceQuantities(cpu="250m", memory="256Mi"),
        limits=ResourceQuantities(cpu="1", memory="512Mi"),
        port=9090,
        health_path="/livez",
    )


@pytest.fixture(scope="module")
def minimal() -> ProgramRun:
    """Only the required args: one fixed replica count, no sources, no secret."""
    return run_workload()


def pod(run: ProgramRun) -> dict:
    return run.one(DEPLOYMENT).inputs["spec"]["template"]


def container(run: ProgramRun) -> dict:
    return pod(run)["spec"]["containers"][0]


def policy(run: ProgramRun, name: str) -> dict:
    (found,) = [p for p in run.by_type(NETWORK_POLICY) if p.inputs["metadata"]["name"] == name]
    return found.inputs["spec"]


# --- Graph -----------------------------------------------------------------------------------------


def test_registers_one_of_each_object_under_the_component(full):
    component = full.one("goldenpath:k8s:Workload")
    children = [r.type for r in full.children_of(component.urn)]

    assert sorted(children) == sorted(
        [
            NAMESPACE,
            RESOURCE_QUOTA,
            LIMIT_RANGE,
            SERVICE_ACCOUNT,
            SERVICE,
            DEPLOYMENT,
            HPA,
            PDB,
            NETWORK_POLICY,
            NETWORK_POLICY,
        ]
    )
    assert len(full.resources) == 1 + len(children)


def test_every_object_has_an_explicit_name_the_namespace_and_the_standard_labels(full):
    for resource in full.resources:
        if not resource.custom:
            continue
        metadata = resource.inputs["metadata"]
        assert metadata["name"], resource.name
        if resource.type != NAMESPACE:
            assert metadata["namespace"] == "shop", resource.name
        assert metadata["labels"].items() >= LABELS.items(), resource.name


def test_namespaced_objects_depend_on_the_namespace_they_live_in(full):
    namespace = full.one(NAMESPACE)

    for resource in full.resources:
        if resource.custom and resource is not namespace:
            assert namespace.urn in resource.dependencies, resource.name


def test_the_deployment_service_and_account_carry_the_service_name(full):
    for type_token in (DEPLOYMENT, SERVICE, SERVICE_ACCOUNT, HPA, PDB):
        assert full.one(type_token).inputs["metadata"]["name"] == "catalog", type_token


# --- Namespace ---------------------------------------------------------------------------------------


def test_namespace_enforces_audits_and_warns_the_restricted_pod_security_standard(full):
    labels = full.one(NAMESPACE).inputs["metadata"]["labels"]

    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/audit"] == "restricted"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"


def test_namespace_quota_fits_the_autoscaled_maximum_plus_the_rollout_surge(full):
    hard = full.one(RESOURCE_QUOTA).inputs["spec"]["hard"]
    requests = container(full)["resources"]["requests"]

    # nine replicas at most, plus 25% surge (rounded up) while a rollout runs: twelve pods
    assert hard["pods"] == "12"
    assert requests == {"cpu": "250m", "memory": "256Mi"}
    assert (hard["requests.cpu"], hard["requests.memory"]) == ("3000m", "3072Mi")
    assert (hard["limits.cpu"], hard["limits.memory"]) == ("12000m", "6144Mi")
    assert set(hard) == {"pods", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}


def test_namespace_limit_range_defaults_containers_to_the_workloads_requests_and_limits(full):
    (item,) = full.one(LIMIT_RANGE).inputs["spec"]["limits"]
    container_resources = container(full)["resources"]

    assert item["type"] == "Container"
    assert item["defaultRequest"] == container_resources["requests"]
    assert item["default"] == container_resources["limits"]


def test_an_existing_namespace_is_used_without_creating_one():
    run = run_workload(create_namespace=False, namespace="team-shared")

    assert run.by_type(NAMESPACE) == []
    assert run.by_type(RESOURCE_QUOTA) == run.by_type(LIMIT_RANGE) == []
    assert run.one(DEPLOYMENT).inputs["metadata"]["namespace"] == "team-shared"


# --- Pod and container hardening ---------------------------------------------------------------------


def test_pod_runs_as_non_root_user_and_group_10001_with_fs_group(full):
    context = pod(full)["spec"]["securityContext"]

    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] == 10001
    assert context["runAsGroup"] == 10001
    assert context["fsGroup"] == 10001


def test_pod_and_container_use_the_runtime_default_seccomp_profile(full):
    assert pod(full)["spec"]["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container(full)["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}


def test_container_cannot_escalate_privileges(full):
    context = container(full)["securityContext"]

    assert context["allowPrivilegeEscalation"] is False
    assert context["privileged"] is False


def test_container_drops_every_capability(full):
    assert container(full)["securityContext"]["capabilities"] == {"drop": ["ALL"]}


def test_root_filesystem_is_read_only_and_tmp_is_a_size_limited_empty_dir(full):
    volumes = {v["name"]: v for v in pod(full)["spec"]["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container(full)["volumeMounts"]}

    assert container(full)["securityContext"]["readOnlyRootFilesystem"] is True
    assert volumes[mounts["/tmp"]]["emptyDir"]["sizeLimit"] == "64Mi"


def test_requests_and_limits_come_from_the_args(full):
    assert container(full)["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    }


def test_default_requests_and_limits_are_set(minimal):
    resources = container(minimal)["resources"]

    assert set(resources["requests"]) == {"cpu", "memory"}
    assert set(resources["limits"]) == {"cpu", "memory"}


@pytest.mark.parametrize("probe", ["startupProbe", "readinessProbe", "livenessProbe"])
def test_probe_gets_the_health_path_on_the_named_container_port(full, probe):
    ports = {p["name"]: p["containerPort"] for p in container(full)["ports"]}
    http_get = container(full)[probe]["httpGet"]

    assert http_get["path"] == "/livez"
    assert ports[http_get["port"]] == 9090


def test_startup_probe_gives_a_slow_start_longer_than_liveness_would(full):
    startup, liveness = container(full)["startupProbe"], container(full)["livenessProbe"]

    assert (
        startup["periodSeconds"] * startup["failureThreshold"]
        > liveness["periodSeconds"] * liveness["failureThreshold"]
    )


def test_pods_spread_over_zones_and_nodes(full):
    constraints = pod(full)["spec"]["topologySpreadConstraints"]

    assert {c["topologyKey"] for c in constraints} == {
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    }
    assert all(c["labelSelector"]["matchLabels"] == SELECTOR and c["maxSkew"] == 1 for c in constraints)


def test_rollout_surges_and_never_drops_a_ready_pod(full):
    spec = full.one(DEPLOYMENT).inputs["spec"]

    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
    }
    assert spec["revisionHistoryLimit"] == 5


def test_deployment_selects_its_pods_by_labels_that_never_change(full):
    spec = full.one(DEPLOYMENT).inputs["spec"]

    assert spec["selector"] == {"matchLabels": SELECTOR}
    assert pod(full)["metadata"]["labels"].items() >= SELECTOR.items()


def test_image_is_pulled_on_every_start(full):
    assert container(full)["image"] == IMAGE
    assert container(full)["imagePullPolicy"] == "Always"


def test_pods_carry_the_labels_and_annotations_log_pipelines_key_on(full):
    metadata = pod(full)["metadata"]

    assert metadata["labels"]["app.kubernetes.io/name"] == "catalog"
    assert metadata["labels"]["goldenpath.dev/team"] == "commerce"
    assert metadata["labels"]["goldenpath.dev/environment"] == "prod"
    assert metadata["annotations"]["goldenpath.dev/log-format"] == "json"


def test_service_links_are_not_injected_as_environment(full):
    assert pod(full)["spec"]["enableServiceLinks"] is False


# --- Service account ---------------------------------------------------------------------------------


def test_service_account_does_not_automount_its_token(full):
    assert full.one(SERVICE_ACCOUNT).inputs["automountServiceAccountToken"] is False


def test_pod_runs_as_its_own_service_account_without_a_token(full):
    spec = pod(full)["spec"]

    assert spec["serviceAccountName"] == full.one(SERVICE_ACCOUNT).inputs["metadata"]["name"]
    assert spec["automountServiceAccountToken"] is False


# --- Secrets -------------------------------------------------------------------------------------


def test_secret_is_mounted_read_only_as_files_not_environment(full):
    volumes = {v["name"]: v for v in pod(full)["spec"]["volumes"]}
    (mount,) = [m for m in container(full)["volumeMounts"] if m["mountPath"] == "/var/run/secrets/app"]

    assert mount["readOnly"] is True
    assert volumes[mount["name"]]["secret"] == {"secretName": "catalog-secrets", "defaultMode": 0o440}
    assert "envFrom" not in container(full)


def test_no_secret_volume_without_a_secret(minimal):
    assert [v["name"] for v in pod(minimal)["spec"]["volumes"]] == ["tmp"]


# --- Service, autoscaler, disruption budget ----------------------------------------------------------


def test_service_is_cluster_ip_on_the_named_container_port(full):
    spec = full.one(SERVICE).inputs["spec"]

    assert spec["type"] == "ClusterIP"
    assert spec["selector"] == SELECTOR
    assert spec["ports"] == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP", "appProtocol": "http"}
    ]


def test_autoscaler_scales_the_deployment_on_cpu_between_the_bounds(full):
    spec = full.one(HPA).inputs["spec"]

    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "catalog"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (3, 9)
    assert spec["metrics"] == [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}},
        }
    ]


def test_no_autoscaler_without_autoscaling(minimal):
    assert minimal.by_type(HPA) == []
    assert minimal.one(DEPLOYMENT).inputs["spec"]["replicas"] == 2


def test_disruption_budget_lets_one_pod_go_at_a_time_when_replicas_exceed_one(full):
    spec = full.one(PDB).inputs["spec"]

    assert spec["maxUnavailable"] == 1
    assert spec["selector"] == {"matchLabels": SELECTOR}


def test_no_disruption_budget_for_a_single_replica():
    assert run_workload(replicas=1).by_type(PDB) == []


# --- Network policies --------------------------------------------------------------------------------


def test_default_deny_covers_every_pod_for_ingress_and_egress(full):
    spec = policy(full, "catalog-default-deny")

    assert spec == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_allow_policy_admits_the_listed_sources_to_the_container_port_only(full):
    (rule,) = policy(full, "catalog-allow")["ingress"]

    assert rule["ports"] == [{"protocol": "TCP", "port": 9090}]
    assert rule["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "checkout"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "cart"}},
        },
        {"podSelector": {"matchLabels": {"role": "frontend"}}},
    ]


def test_allow_policy_admits_nothing_when_no_source_is_listed(minimal):
    spec = policy(minimal, "catalog-allow")

    assert spec["ingress"] == []
    assert spec["policyTypes"] == ["Ingress", "Egress"]


def test_egress_reaches_only_cluster_dns_on_udp_and_tcp_53(full):
    (rule,) = policy(full, "catalog-allow")["egress"]

    assert rule["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ]
    assert rule["ports"] == [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]


def test_allow_policy_selects_only_this_workloads_pods(full):
    assert policy(full, "catalog-allow")["podSelector"] == {"matchLabels": SELECTOR}


# --- Args validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("ghcr.io/acme/catalog:latest", "mutable tag 'latest'"),
        ("ghcr.io/acme/catalog", "has no tag"),
        ("registry.local:5000/catalog", "has no tag"),
        ("ghcr.io/acme/catalog@sha256:abc", "malformed digest"),
    ],
)
def test_unpinned_image_is_rejected_with_a_clear_message(image, expected):
    with pytest.raises(ValidationError, match=expected):
        workload_args(image=image)


@pytest.mark.parametrize(
    "image",
    [
        "ghcr.io/acme/catalog:2.3.1",
        "registry.local:5000/catalog:v7",
        "ghcr.io/acme/catalog@sha256:" + "a" * 64,
        "ghcr.io/acme/catalog:2.3.1@sha256:" + "0" * 64,
    ],
)
def test_image_pinned_by_tag_or_digest_is_accepted(image):
    assert workload_args(image=image).image == image


def test_replicas_outside_the_autoscaling_bounds_are_rejected():
    with pytest.raises(ValidationError, match=r"replicas \(1\) must lie within"):
        workload_args(replicas=1, autoscaling=Autoscaling(min_replicas=2, max_replicas=4))


def test_autoscaling_minimum_above_maximum_is_rejected():
    with pytest.raises(ValidationError, match="must not exceed max_replicas"):
        Autoscaling(min_replicas=5, max_replicas=4)


def test_limit_below_request_is_rejected():
    with pytest.raises(ValidationError, match="memory limit 128Mi is below the request 256Mi"):
        workload_args(
            requests=ResourceQuantities(cpu="100m", memory="256Mi"),
            limits=ResourceQuantities(cpu="1", memory="128Mi"),
        )


def test_malformed_quantity_is_rejected():
    with pytest.raises(ValidationError, match="cpu '1 core' must be cores"):
        ResourceQuantities(cpu="1 core", memory="1Gi")


def test_privileged_port_is_rejected():
    with pytest.raises(ValidationError, match="greater than or equal to 1024"):
        workload_args(port=80)


def test_labels_without_the_standard_keys_are_rejected():
    with pytest.raises(ValidationError, match="labels lack app.kubernetes.io/instance"):
        workload_args(labels={"app.kubernetes.io/name": "catalog"})


def test_object_name_that_kubernetes_would_refuse_is_rejected():
    with pytest.raises(ValidationError) as caught:
        workload_args(service="Catalog_API")

    (error,) = caught.value.errors()
    assert error["loc"] == ("service",)
    assert "'Catalog_API' must be 1-63 lower-case letters" in error["msg"]


def test_environment_variable_name_a_shell_cannot_read_is_rejected():
    with pytest.raises(ValidationError, match=r"environment variable names \['LOG-LEVEL'\]"):
        workload_args(env={"LOG-LEVEL": "debug"})


def test_a_refused_environment_never_repeats_a_variables_value():
    with pytest.raises(ValidationError) as caught:
        workload_args(env={"LOG-LEVEL": "s3cr3t-value"})

    assert "s3cr3t-value" not in str(caught.value)
    assert "s3cr3t-value" not in repr(caught.value.errors())


def test_source_pod_label_kubernetes_would_refuse_is_rejected():
    with pytest.raises(ValidationError, match="label keys"):
        IngressSource(pod_labels={"not a key": "x"})
