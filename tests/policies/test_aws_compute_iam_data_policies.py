"""The ECS, ECR, IAM, Secrets Manager, RDS and EC2 policies of the aws_security pack: their levels,
their verdict on goldenpath's own Ci and Service components, and their remediations."""

from __future__ import annotations

import pytest

from goldenpath import conventions
from goldenpath.analyzer import PolicyPackProcess, ResourceInput, pack_dirs, to_struct
from goldenpath.check import resource_input
from goldenpath.components.aws.ci import Ci, CiArgs
from goldenpath.harness import run_under_mocks
from goldenpath.policy import CIS_AWS, discover

from .fixtures import urn_for

SEVERITIES = {
    "aws-ecs-no-privileged-containers": "critical",
    "aws-ecs-non-root-user": "high",
    "aws-ecs-readonly-root-filesystem": "medium",
    "aws-ecs-logging-configured": "medium",
    "aws-ecs-no-public-ip": "high",
    "aws-ecs-container-insights": "low",
    "aws-ecr-scan-on-push": "medium",
    "aws-ecr-immutable-tags": "medium",
    "aws-ecr-kms-encryption": "low",
    "aws-iam-no-admin-policy": "critical",
    "aws-iam-no-wildcard-actions-on-all-resources": "high",
    "aws-iam-github-oidc-trust-pinned": "critical",
    "aws-secretsmanager-cmk": "medium",
    "aws-rds-encrypted": "high",
    "aws-rds-not-public": "critical",
    "aws-rds-backups": "medium",
    "aws-rds-deletion-protection": "medium",
    "aws-ec2-imdsv2": "high",
    "aws-ec2-encrypted-volumes": "high",
}
CIS_CONTROLS = {
    "aws-iam-no-admin-policy": ("1.16",),
    "aws-ec2-encrypted-volumes": ("2.2.1",),
    "aws-rds-encrypted": ("2.3.1",),
    "aws-rds-not-public": ("2.3.3",),
    "aws-ec2-imdsv2": ("5.6",),
}
IAM_POLICIES = (
    "aws-iam-no-admin-policy",
    "aws-iam-no-wildcard-actions-on-all-resources",
    "aws-iam-github-oidc-trust-pinned",
)


@pytest.fixture(scope="module")
def pack():
    with PolicyPackProcess(pack_dirs()["aws_security"]) as process:
        yield process


def _specs():
    return {s.id: s for s in discover("goldenpath.policies.aws_security")}


def test_each_policy_has_its_severity():
    specs = _specs()

    assert {i: specs[i].severity for i in SEVERITIES} == SEVERITIES


def test_cis_controls_are_the_benchmark_ids():
    specs = _specs()

    assert {i: tuple(specs[i].controls[CIS_AWS]) for i in CIS_CONTROLS} == CIS_CONTROLS


def test_the_ci_components_deploy_role_passes_the_iam_policies(pack):
    args = CiArgs(
        service="payments",
        environment="prod",
        repository="acme/payments",
        environments=["prod"],
        ecs_cluster_name="payments-prod",
        ecs_service_name="payments",
        task_role_name="payments-prod-task",
        execution_role_name="payments-prod-execution",
        repository_name="payments-prod",
        tags=conventions.standard_tags(
            team="payments",
            service="payments",
            environment="prod",
            cost_center="cc-1",
            blueprint="WebService",
        ),
    )
    run = run_under_mocks(lambda: Ci("payments", args), preview=False)
    inputs = [resource_input(r) for r in run.resources if r.custom]
    pack.configure(None)

    diagnostics = [
        d for d in pack.evaluate(inputs) if d.policy in IAM_POLICIES or d.policy.startswith("aws-ecr")
    ]

    assert {r.type for r in run.resources} >= {"aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"}
    assert diagnostics == []


def _remediate(pack, policy, resource_type, props):
    pack.configure({policy: "remediate"})
    resource = ResourceInput(
        urn=urn_for(resource_type, "r"), type=resource_type, name="r", properties=to_struct(props)
    )
    return [fixed for name, fixed in pack.remediate(resource) if name == policy]


def test_remediation_turns_scan_on_push_on(pack):
    fixed = _remediate(pack, "aws-ecr-scan-on-push", "aws:ecr/repository:Repository", {"name": "app"})

    assert fixed == [{"name": "app", "imageScanningConfiguration": {"scanOnPush": True}}]


def test_remediation_enables_container_insights_and_keeps_other_settings(pack):
    props = {
        "name": "app",
        "settings": [{"name": "other", "value": "x"}, {"name": "containerInsights", "value": "disabled"}],
    }

    fixed = _remediate(pack, "aws-ecs-container-insights", "aws:ecs/cluster:Cluster", props)

    assert fixed == [
        {
            "name": "app",
            "settings": [{"name": "other", "value": "x"}, {"name": "containerInsights", "value": "enabled"}],
        }
    ]


def test_remediation_leaves_a_cluster_with_container_insights_unchanged(pack):
    props = {"name": "app", "settings": [{"name": "containerInsights", "value": "enhanced"}]}

    assert _remediate(pack, "aws-ecs-container-insights", "aws:ecs/cluster:Cluster", props) == []
