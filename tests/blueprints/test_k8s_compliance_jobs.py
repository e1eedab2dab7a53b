"""K8sWorker and K8sScheduledJob are compliant by construction: no mandatory violation in the
kubernetes and platform_standards packs, whatever valid inputs they get — and the packs do look at
what they build (a CronJob's pod template, a ScaledObject's floor), so a clean verdict means something."""

from __future__ import annotations

import copy
import dataclasses

import pytest
from google.protobuf import struct_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goldenpath import conventions
from goldenpath.analyzer import PolicyPackProcess, ResourceInput, pack_dirs
from goldenpath.blueprints import K8sScheduledJob, K8sScheduledJobConfig, K8sWorker, K8sWorkerConfig
from goldenpath.check import resource_input
from goldenpath.harness import ProgramRun, run_under_mocks

PACKS = ("kubernetes", "platform_standards")
CRON_JOB = "kubernetes:batch/v1:CronJob"
SQS_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"
WORKER = {
    "team": "orders",
    "costCenter": "cc-3051",
    "environment": "dev",
    "image": "ghcr.io/acme/orders-worker:1.0.0",
    "queue": {"type": "aws-sqs-queue", "url": SQS_URL, "region": "eu-west-1"},
}
JOB = {
    "team": "finance",
    "costCenter": "cc-4410",
    "environment": "dev",
    "image": "ghcr.io/acme/report:1.0.0",
    "schedule": "30 2 * * *",
}


@pytest.fixture(scope="module")
def packs():
    processes = [PolicyPackProcess(pack_dirs()[name]).start() for name in PACKS]
    for process in processes:
        process.configure(None)
    yield processes
    for process in processes:
        process.stop()


def inputs(run: ProgramRun) -> list[ResourceInput]:
    return [resource_input(r) for r in run.evaluated if r.custom]


def findings(packs, resources: list[ResourceInput], enforcement: str | None = "mandatory") -> list[str]:
    """Every finding at ``enforcement`` (any, when None)."""
    return sorted(
        f"{d.policy} on {d.urn.rsplit('::', 1)[-1]}: {d.message}"
        for process in packs
        for d in process.evaluate(resources)
        if enforcement is None or d.enforcement == enforcement
    )


def worker(config: K8sWorkerConfig) -> ProgramRun:
    return run_under_mocks(lambda: K8sWorker("orders-worker", config), project="orders-worker", stack="dev")


def job(config: K8sScheduledJobConfig) -> ProgramRun:
    return run_under_mocks(
        lambda: K8sScheduledJob("nightly-report", config), project="nightly-report", stack="dev"
    )


# --- Defaults ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("environment", conventions.ENVIRONMENTS)
def test_worker_defaults_have_no_violation_at_all(packs, environment):
    run = worker(K8sWorkerConfig.model_validate({**WORKER, "environment": environment}))

    assert findings(packs, inputs(run)) == []
    assert findings(packs, inputs(run), "advisory") == []


@pytest.mark.parametrize("environment", conventions.ENVIRONMENTS)
def test_scheduled_job_defaults_have_no_violation_at_all(packs, environment):
    run = job(K8sScheduledJobConfig.model_validate({**JOB, "environment": environment}))

    assert findings(packs, inputs(run)) == []
    assert findings(packs, inputs(run), "advisory") == []


# --- The packs see what the blueprints build ---------------------------------------------------------


def _with_cron_pod(resources: list[ResourceInput], change) -> list[ResourceInput]:
    changed = []
    for r in resources:
        if r.type == CRON_JOB:
            props = _plain(r.properties)
            change(props["spec"]["jobTemplate"]["spec"]["template"]["spec"])
            struct = struct_pb2.Struct()
            struct.update(props)
            r = dataclasses.replace(r, properties=struct)
        changed.append(r)
    return changed


def _plain(struct: struct_pb2.Struct) -> dict:
    from google.protobuf.json_format import MessageToDict

    return copy.deepcopy(MessageToDict(struct))


def _container(spec):
    return spec["containers"][0]


CRON_POD_BREAKS = {
    "k8s-no-privileged": lambda s: _container(s)["securityContext"].update(privileged=True),
    "k8s-run-as-non-root": lambda s: (
        s["securityContext"].update(runAsNonRoot=False, runAsUser=0),
        _container(s)["securityContext"].update(runAsNonRoot=False, runAsUser=0),
    ),
    "k8s-readonly-root-filesystem": lambda s: _container(s)["securityContext"].update(
        readOnlyRootFilesystem=False
    ),
    "k8s-capabilities-dropped": lambda s: _container(s)["securityContext"].update(
        capabilities={"add": ["NET_ADMIN"]}
    ),
    "k8s-seccomp-profile": lambda s: (
        s["securityContext"].update(seccompProfile={"type": "Unconfined"}),
        _container(s)["securityContext"].update(seccompProfile={"type": "Unconfined"}),
    ),
    "k8s-no-host-namespaces": lambda s: s.update(hostNetwork=True),
    "k8s-no-host-path-volumes": lambda s: s["volumes"].append({"name": "root", "hostPath": {"path": "/"}}),
    "k8s-no-privilege-escalation": lambda s: _container(s)["securityContext"].update(
        allowPrivilegeEscalation=True
    ),
    "k8s-image-tag-pinned": lambda s: _container(s).update(image="ghcr.io/acme/report:latest"),
}


@pytest.mark.parametrize("policy", sorted(CRON_POD_BREAKS))
def test_the_kubernetes_pack_judges_the_cronjobs_pod_template(packs, policy):
    resources = inputs(job(K8sScheduledJobConfig.model_validate(JOB)))

    broken = _with_cron_pod(resources, CRON_POD_BREAKS[policy])

    assert not [f for f in findings(packs, resources, None) if f.startswith(policy)]
    assert [f for f in findings(packs, broken, None) if f.startswith(f"{policy} on nightly-report-cron-job")]


def test_a_worker_whose_scaler_keeps_several_pods_needs_its_disruption_budget(packs):
    run = worker(
        K8sWorkerConfig.model_validate(
            {**WORKER, "replicas": 2, "autoscaling": {"minReplicas": 2, "maxReplicas": 6}}
        )
    )
    without_budget = [r for r in inputs(run) if not r.type.endswith(":PodDisruptionBudget")]

    assert findings(packs, inputs(run), "advisory") == []
    assert [f for f in findings(packs, without_budget, "advisory") if f.startswith("k8s-pdb-for-replicated")]


# --- Any valid config --------------------------------------------------------------------------------

queues = st.sampled_from(
    [
        {"type": "aws-sqs-queue", "url": SQS_URL, "region": "eu-west-1", "identityOwner": "workload"},
        {"type": "aws-sqs-queue", "url": SQS_URL, "region": "eu-west-1"},
        {"type": "rabbitmq", "name": "orders", "hostSecret": "amqp-url"},
        {"type": "kafka", "bootstrapServers": ["kafka:9092"], "topic": "orders", "consumerGroup": "workers"},
    ]
)
egress = st.lists(
    st.one_of(
        st.builds(lambda p: {"cidr": "10.0.0.0/16", "port": p}, st.integers(1, 65535)),
        st.builds(lambda p: {"namespace": "rabbitmq", "port": p}, st.integers(1, 65535)),
    ),
    max_size=2,
)
secret_names = st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), max_size=3, unique=True)


@st.composite
def resources_config(draw):
    cpu = draw(st.integers(50, 2000))
    memory = draw(st.integers(64, 4096))
    return {
        "requests": {"cpu": f"{cpu}m", "memory": f"{memory}Mi"},
        "limits": {
            "cpu": f"{cpu * draw(st.integers(1, 4))}m",
            "memory": f"{memory * draw(st.integers(1, 2))}Mi",
        },
    }


@st.composite
def worker_configs(draw):
    queue = draw(queues)
    low = draw(st.integers(0, 4))
    replicas = max(low, 1) + draw(st.integers(0, 3))
    driver = draw(st.sampled_from(["keda", "hpa"])) if low > 0 else "keda"
    autoscaling = {
        "enabled": draw(st.booleans()),
        "driver": driver,
        "minReplicas": low,
        "maxReplicas": replicas + draw(st.integers(0, 10)),
        "messagesPerReplica": draw(st.integers(1, 500)),
    }
    if driver == "hpa":
        autoscaling["externalMetric"] = {"name": "queue_depth", "selector": {"queue": "orders"}}
    secrets = draw(secret_names)
    if queue["type"] == "rabbitmq":
        secrets = [*dict.fromkeys([*secrets, "amqp-url"])]
    config = {
        **WORKER,
        "environment": draw(st.sampled_from(conventions.ENVIRONMENTS)),
        "image": draw(st.sampled_from(["reg.io/a/b:1.0.0", "b:v2", "reg.io/b@sha256:" + "c" * 64])),
        "queue": queue,
        "port": draw(st.integers(1024, 65535)),
        "metrics": draw(st.booleans()),
        "replicas": replicas,
        "autoscaling": autoscaling,
        "resources": draw(resources_config()),
        "egressTo": draw(egress),
        "createNamespace": draw(st.booleans()),
        "alerts": {
            "backlogMetric": draw(st.sampled_from([None, "queue_depth"])),
            "backlog": draw(st.integers(1, 10**6)),
        },
    }
    if secrets:
        config.update(secrets=secrets, secretStore="vault")
    return K8sWorkerConfig.model_validate(config)


@st.composite
def job_configs(draw):
    schedule = draw(
        st.sampled_from(["30 2 * * *", "@hourly", "*/10 * * * *", "0 9 * * MON-FRI", "0 0 1 * *"])
    )
    config = {
        **JOB,
        "environment": draw(st.sampled_from(conventions.ENVIRONMENTS)),
        "schedule": schedule,
        "timeZone": draw(st.sampled_from(["Etc/UTC", "Europe/Berlin", "America/New_York"])),
        "concurrencyPolicy": draw(st.sampled_from(["Forbid", "Replace", "Allow"])),
        "startingDeadlineSeconds": draw(st.integers(10, 86400)),
        "backoffLimit": draw(st.integers(0, 20)),
        "ttlSecondsAfterFinished": draw(st.integers(3600, 30 * 86400)),
        "restartPolicy": draw(st.sampled_from(["Never", "OnFailure"])),
        "resources": draw(resources_config()),
        "egressTo": draw(egress),
        "createNamespace": draw(st.booleans()),
        "command": draw(st.lists(st.sampled_from(["/app/report", "--verbose"]), max_size=2)),
        "alerts": {"missedRuns": draw(st.integers(1, 5))},
    }
    secrets = draw(secret_names)
    if secrets:
        config.update(secrets=secrets, secretStore="vault")
    return K8sScheduledJobConfig.model_validate(config)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=worker_configs())
def test_worker_has_no_mandatory_violation_for_any_valid_config(packs, config):
    assert findings(packs, inputs(worker(config))) == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=job_configs())
def test_scheduled_job_has_no_mandatory_violation_for_any_valid_config(packs, config):
    assert findings(packs, inputs(job(config))) == []
