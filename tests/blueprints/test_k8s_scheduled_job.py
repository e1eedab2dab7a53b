"""The K8sScheduledJob blueprint under mocks, from the nightly-report-k8s example stack's own config."""

from __future__ import annotations

import json
from collections import Counter

import pulumi
import pytest

from goldenpath.blueprints.k8s_scheduled_job import K8sScheduledJob, K8sScheduledJobConfig
from goldenpath.check import check_stack
from goldenpath.components.k8s.scheduled_job import longest_interval_seconds, shortest_interval_seconds
from goldenpath.config import ConfigError
from goldenpath.harness import ProgramRun, run_stack, run_under_mocks

from ..conftest import STACKS

STACK = STACKS / "nightly-report-k8s"
PROJECT = "nightly-report-k8s"
BLUEPRINT = "goldenpath:blueprints:K8sScheduledJob"
JOB = "goldenpath:k8s:ScheduledJob"
SECRETS = "goldenpath:k8s:Secrets"
MONITORING = "goldenpath:k8s:Monitoring"
CRON_JOB = "kubernetes:batch/v1:CronJob"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"

CHILDREN = {
    JOB: Counter(
        {
            "kubernetes:core/v1:Namespace": 1,
            "kubernetes:core/v1:ResourceQuota": 1,
            "kubernetes:core/v1:LimitRange": 1,
            "kubernetes:core/v1:ServiceAccount": 1,
            CRON_JOB: 1,
            NETWORK_POLICY: 2,
        }
    ),
    SECRETS: Counter({"kubernetes:external-secrets.io/v1:ExternalSecret": 1}),
    MONITORING: Counter({RULE: 1}),
}
BASE = {
    "team": "finance",
    "costCenter": "cc-4410",
    "environment": "dev",
    "image": "ghcr.io/acme/report:1.0.0",
    "schedule": "30 2 * * *",
}


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return run_stack(STACK, "dev")


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return run_stack(STACK, "prod")


def build(**overrides) -> ProgramRun:
    config = K8sScheduledJobConfig.model_validate({**BASE, **overrides})
    return run_under_mocks(lambda: K8sScheduledJob("nightly-report", config))


def problems(overrides: dict) -> list[str]:
    errors: list[ConfigError] = []
    values = {**BASE, **overrides}
    config = {f"{PROJECT}:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}

    def program():
        try:
            K8sScheduledJob("nightly-report")
        except ConfigError as error:
            errors.append(error)

    run = run_under_mocks(program, project=PROJECT, stack="dev", config=config)
    assert errors, "expected a config error"
    assert run.resources == [], "nothing may be registered before the config is valid"
    return errors[0].problems


def cron_spec(run: ProgramRun) -> dict:
    return run.one(CRON_JOB).inputs["spec"]


def rules(run: ProgramRun) -> dict[str, dict]:
    (group,) = run.one(RULE).inputs["spec"]["groups"]
    return {r["alert"]: r for r in group["rules"]}


# --- Resource graph ----------------------------------------------------------------------------------


def test_stack_registers_the_blueprint_with_its_three_components(dev):
    assert sorted(r.type for r in dev.children_of(dev.one(BLUEPRINT).urn)) == sorted(CHILDREN)


@pytest.mark.parametrize("component", sorted(CHILDREN))
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_component_registers_its_kubernetes_objects(stack, component, request):
    run = request.getfixturevalue(stack)

    assert Counter(r.type for r in run.children_of(run.one(component).urn)) == CHILDREN[component]


def test_both_stacks_have_thirteen_resources(dev, prod):
    assert (len(dev.resources), len(prod.resources)) == (13, 13)


def test_a_job_has_no_service_no_scrape_and_no_autoscaler(dev):
    kinds = {r.type.rsplit(":", 1)[-1] for r in dev.resources}

    assert kinds.isdisjoint(
        {"Service", "ServiceMonitor", "PodMonitor", "HorizontalPodAutoscaler", "Deployment"}
    )


# --- The CronJob -------------------------------------------------------------------------------------


def test_the_schedule_runs_in_its_time_zone_without_overlapping(dev):
    spec = cron_spec(dev)

    assert (spec["schedule"], spec["timeZone"]) == ("30 2 * * *", "Europe/Berlin")
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["startingDeadlineSeconds"] == 300
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 3)
    assert spec["suspend"] is False


def test_runs_are_retried_bounded_in_time_and_cleaned_up(dev, prod):
    def job(run):
        return {k: v for k, v in cron_spec(run)["jobTemplate"]["spec"].items() if k != "template"}

    assert job(dev) == {"backoffLimit": 1, "activeDeadlineSeconds": 1800, "ttlSecondsAfterFinished": 86400}
    assert job(prod) == {"backoffLimit": 3, "activeDeadlineSeconds": 7200, "ttlSecondsAfterFinished": 172800}
    assert cron_spec(prod)["failedJobsHistoryLimit"] == 5


def test_the_pod_is_hardened_as_a_services_is(prod):
    pod = cron_spec(prod)["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]

    assert pod["restartPolicy"] == "Never"
    assert pod["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == "nightly-report"
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "fsGroup": 10001,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert container["resources"] == {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"cpu": "2", "memory": "2Gi"},
    }
    assert container["args"] == ["--since", "24h"]
    assert "ports" not in container and "livenessProbe" not in container


def test_secrets_arrive_as_read_only_files(prod):
    pod = cron_spec(prod)["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]

    assert {"name": "secrets", "mountPath": "/var/run/secrets/app", "readOnly": True} in container[
        "volumeMounts"
    ]
    assert {
        "name": "secrets",
        "secret": {"secretName": "nightly-report-secrets", "defaultMode": 0o440},
    } in pod["volumes"]
    spec = prod.one("kubernetes:external-secrets.io/v1:ExternalSecret").inputs["spec"]
    assert [d["remoteRef"]["key"] for d in spec["data"]] == ["goldenpath/nightly-report/prod/database-url"]


def test_the_pods_accept_nothing_and_reach_dns_and_the_database(dev):
    (allow,) = [p for p in dev.by_type(NETWORK_POLICY) if p.name.endswith("-allow")]
    (deny,) = [p for p in dev.by_type(NETWORK_POLICY) if p.name.endswith("-default-deny")]

    assert deny.inputs["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert allow.inputs["spec"]["ingress"] == []
    assert allow.inputs["spec"]["egress"][1] == {
        "to": [{"ipBlock": {"cidr": "10.20.8.0/24"}}],
        "ports": [{"protocol": "TCP", "port": 5432}],
    }


@pytest.mark.parametrize(("policy", "pods"), [("Forbid", "2"), ("Replace", "3"), ("Allow", "4")])
def test_the_quota_fits_the_runs_that_may_overlap(policy, pods):
    run = build(concurrencyPolicy=policy)

    assert run.one("kubernetes:core/v1:ResourceQuota").inputs["spec"]["hard"]["pods"] == pods


def test_an_unset_deadline_is_an_hour_or_the_schedules_shortest_gap():
    def deadline(schedule):
        return cron_spec(build(schedule=schedule))["jobTemplate"]["spec"]["activeDeadlineSeconds"]

    assert (deadline("@daily"), deadline("*/15 * * * *")) == (3600, 900)


# --- Alerts ------------------------------------------------------------------------------------------


def test_a_failed_run_of_this_cronjob_alerts(dev):
    rule = rules(dev)["CronJobRunFailed"]

    assert rule["expr"] == (
        'kube_job_failed{namespace="nightly-report",condition="true"} * on (namespace, job_name) group_left() '
        'kube_job_owner{namespace="nightly-report",owner_kind="CronJob",owner_name="nightly-report"} > 0'
    )
    assert rule["labels"] == {"severity": "warning", "team": "finance", "service": "nightly-report"}


def test_no_success_for_two_intervals_and_a_runs_deadline_alerts_in_dev(dev):
    rule = rules(dev)["CronJobSuccessOverdue"]
    scope = 'namespace="nightly-report",cronjob="nightly-report"'

    assert rule["expr"] == (
        f"time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{{{scope}}} "
        f"or kube_cronjob_created{{{scope}}}) > {2 * 86400 + 1800} "
        f"unless on (namespace, cronjob) kube_cronjob_spec_suspend{{{scope}}} == 1"
    )
    assert rule["labels"]["severity"] == "critical"


def test_prod_alerts_after_one_missed_run(prod):
    assert f" > {86400 + 7200} unless " in rules(prod)["CronJobSuccessOverdue"]["expr"]


def test_labels_name_the_scheduled_job_blueprint(dev):
    labels = dev.one(CRON_JOB).inputs["metadata"]["labels"]

    assert labels["goldenpath.dev/blueprint"] == "K8sScheduledJob"
    assert labels["goldenpath.dev/cost-center"] == "cc-4410"


def test_example_stack_exports_the_namespace(dev):
    assert list(dev.outputs) == ["namespace"]
    assert isinstance(dev.outputs["namespace"], pulumi.Output)


# --- Schedules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "shortest", "longest"),
    [
        ("30 2 * * *", 86400, 86400),
        ("@hourly", 3600, 3600),
        ("*/15 * * * *", 900, 900),
        ("0 9 * * 1-5", 86400, 3 * 86400),
        ("0 9,17 * * MON-FRI", 8 * 3600, 64 * 3600),
        ("0 0 1 * *", 28 * 86400, 31 * 86400),
        ("0 0 1,15 * MON", 86400, 7 * 86400),
    ],
)
def test_intervals_follow_the_cron_semantics_kubernetes_uses(schedule, shortest, longest):
    assert (shortest_interval_seconds(schedule), longest_interval_seconds(schedule)) == (shortest, longest)


# --- Config errors name the key ----------------------------------------------------------------------


def test_a_schedule_of_four_fields_names_the_schedule_key():
    assert problems({"schedule": "0 2 * *"}) == [
        f"{PROJECT}:schedule: schedule '0 2 * *' must be five fields 'minute hour day-of-month month "
        "day-of-week' (e.g. '30 2 * * *') or @daily, @hourly, … (given '0 2 * *')"
    ]


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("61 * * * *", "minute '61' is not 0-59"),
        ("0 0 * * 7", "day of week '7' is not 0-6 or a name"),
        ("0 0 31 2 *", "schedule '0 0 31 2 *' never runs"),
        ("CRON_TZ=UTC 0 0 * * *", "a schedule may not set its time zone"),
        ("*/0 * * * *", "minute step in '*/0' must be at least 1"),
    ],
)
def test_a_schedule_kubernetes_would_refuse_or_never_run_is_refused(schedule, message):
    (problem,) = problems({"schedule": schedule})

    assert problem.startswith(f"{PROJECT}:schedule: {message}")


def test_an_unknown_time_zone_names_the_key():
    (problem,) = problems({"timeZone": "Mars/Olympus"})

    assert problem.startswith(f"{PROJECT}:timeZone: time zone 'Mars/Olympus' is not an IANA time zone name")


def test_concurrency_policy_lists_the_three_allowed():
    (problem,) = problems({"concurrencyPolicy": "Sometimes"})

    assert problem.startswith(f"{PROJECT}:concurrencyPolicy: Input should be 'Forbid', 'Replace' or 'Allow'")


def test_restart_policy_always_is_refused():
    (problem,) = problems({"restartPolicy": "Always"})

    assert problem.startswith(f"{PROJECT}:restartPolicy: Input should be 'Never' or 'OnFailure'")


def test_a_run_longer_than_the_schedules_gap_is_refused_unless_runs_may_overlap():
    (problem,) = problems({"schedule": "@hourly", "activeDeadlineSeconds": "7200"})

    assert problem == (
        f"{PROJECT}:activeDeadlineSeconds: must not exceed the schedule's shortest interval (3600s) unless "
        "concurrencyPolicy is Allow: a run that long makes the next one be skipped or stopped (given '7200')"
    )
    assert build(schedule="@hourly", activeDeadlineSeconds=7200, concurrencyPolicy="Allow")


def test_a_finished_run_deleted_before_its_alert_fires_is_refused():
    (problem,) = problems({"ttlSecondsAfterFinished": "60"})

    assert problem.startswith(f"{PROJECT}:ttlSecondsAfterFinished: must be at least 3600")


def test_a_starting_deadline_below_ten_seconds_is_refused():
    (problem,) = problems({"startingDeadlineSeconds": "5"})

    assert problem.startswith(
        f"{PROJECT}:startingDeadlineSeconds: Input should be greater than or equal to 10"
    )


def test_secrets_without_a_store_name_the_secret_store_key():
    (problem,) = problems({"secrets": ["database-url"]})

    assert problem.startswith(f"{PROJECT}:secretStore: required when secrets are listed")


def test_a_name_too_long_for_the_runs_job_names_fails_before_registering():
    errors: list[Exception] = []

    def program():
        try:
            K8sScheduledJob("a" * 53, K8sScheduledJobConfig.model_validate(BASE))
        except ValueError as error:
            errors.append(error)

    run = run_under_mocks(program)

    assert "longer than 52 characters" in str(errors[0])
    assert run.resources == []


# --- Compliance --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_example_stack_passes_every_policy_pack_without_a_finding(stack):
    result = check_stack(STACK, stack)

    assert result.verdict == "passed"
    assert [(f.policy, f.resource_name, f.message) for f in result.findings] == []


def test_an_environment_variable_error_never_repeats_its_value():
    (problem,) = problems({"environmentVariables": {"DB PASSWORD": "s3cr3t-value-123"}})

    assert problem.startswith(f"{PROJECT}:environmentVariables: environment variable names ['DB PASSWORD']")
    assert "s3cr3t-value-123" not in problem


def test_an_iam_role_annotates_the_jobs_service_account():
    run = build(awsRoleArn="arn:aws:iam::123456789012:role/nightly-report")

    assert run.one("kubernetes:core/v1:ServiceAccount").inputs["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/nightly-report"
    }
