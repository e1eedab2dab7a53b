"""The Kubernetes pack: its policy set, the pod-spec reader its policies share, its remediation,
and the verdict on goldenpath's own Workload component."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2

from goldenpath.analyzer import PolicyPackProcess, ResourceInput, pack_dirs
from goldenpath.check import resource_input
from goldenpath.components.k8s.workload import Autoscaling, Workload, WorkloadArgs
from goldenpath.conventions import standard_labels
from goldenpath.harness import run_under_mocks
from goldenpath.policies.kubernetes import _pod
from goldenpath.policy import PSS, discover

from .fixtures import urn_for

SEVERITIES = {
    "k8s-allowed-registries": "medium",
    "k8s-apparmor-restricted": "high",
    "k8s-capabilities-dropped": "high",
    "k8s-default-deny-network-policy": "medium",
    "k8s-image-pull-policy": "low",
    "k8s-image-tag-pinned": "high",
    "k8s-ingress-tls": "medium",
    "k8s-namespace-limit-range": "low",
    "k8s-namespace-pod-security": "medium",
    "k8s-namespace-resource-quota": "low",
    "k8s-no-automount-token": "medium",
    "k8s-no-cluster-admin-binding": "critical",
    "k8s-no-default-namespace": "low",
    "k8s-no-host-namespaces": "critical",
    "k8s-no-host-path-volumes": "high",
    "k8s-no-host-ports": "high",
    "k8s-no-privilege-escalation": "high",
    "k8s-no-privileged": "critical",
    "k8s-no-removed-api-versions": "medium",
    "k8s-no-unmasked-proc-mount": "high",
    "k8s-no-unsafe-sysctls": "medium",
    "k8s-pdb-for-replicated": "medium",
    "k8s-probe-port-declared": "low",
    "k8s-probes-set": "medium",
    "k8s-rbac-no-escalation-verbs": "high",
    "k8s-rbac-no-pods-exec": "medium",
    "k8s-rbac-no-secrets-read": "medium",
    "k8s-rbac-no-wildcards": "medium",
    "k8s-readonly-root-filesystem": "medium",
    "k8s-resources-set": "medium",
    "k8s-restricted-volume-types": "medium",
    "k8s-run-as-non-root": "high",
    "k8s-seccomp-profile": "high",
    "k8s-secrets-as-files": "low",
    "k8s-selinux-restricted": "high",
    "k8s-service-type": "low",
}

POD_SPEC = {
    "initContainers": [{"name": "migrate", "image": "ghcr.io/acme/migrate:1.0.0"}],
    "containers": [{"name": "app", "image": "ghcr.io/acme/web:1.0.0"}],
    "ephemeralContainers": [{"name": "debug", "image": "busybox:1.36"}],
}
TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": POD_SPEC}
WORKLOAD_SHAPES = {
    "Pod": {"metadata": {"name": "web", "labels": {"app": "web"}}, "spec": POD_SPEC},
    "Deployment": {"spec": {"replicas": 2, "template": TEMPLATE}},
    "Job": {"spec": {"template": TEMPLATE}},
    "CronJob": {"spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": TEMPLATE}}}},
}


@pytest.fixture(scope="module")
def pack():
    with PolicyPackProcess(pack_dirs()["kubernetes"]) as process:
        yield process


def _deployment(name: str, pod_spec: dict) -> ResourceInput:
    props = struct_pb2.Struct()
    props.update({"metadata": {"name": name}, "spec": {"template": {"spec": pod_spec}}})
    return ResourceInput(
        urn=urn_for(_pod.DEPLOYMENT, name), type=_pod.DEPLOYMENT, name=name, properties=props
    )


def _recorded(run) -> list[ResourceInput]:
    return [resource_input(r) for r in run.evaluated if r.custom]


def test_pack_holds_exactly_these_policies_at_these_severities():
    specs = discover("goldenpath.policies.kubernetes")

    assert {s.id: s.severity for s in specs} == SEVERITIES


def test_every_pod_security_standard_control_the_pack_checks_is_named():
    controls = {
        s.id: s.controls[PSS] for s in discover("goldenpath.policies.kubernetes") if PSS in s.controls
    }

    assert controls == {
        "k8s-apparmor-restricted": ("AppArmor",),
        "k8s-capabilities-dropped": ("Capabilities",),
        "k8s-no-host-namespaces": ("Host Namespaces",),
        "k8s-no-host-path-volumes": ("HostPath Volumes",),
        "k8s-no-host-ports": ("Host Ports",),
        "k8s-no-privilege-escalation": ("Privilege Escalation",),
        "k8s-no-privileged": ("Privileged Containers", "HostProcess"),
        "k8s-no-unmasked-proc-mount": ("/proc Mount Type",),
        "k8s-no-unsafe-sysctls": ("Sysctls",),
        "k8s-restricted-volume-types": ("Volume Types",),
        "k8s-run-as-non-root": ("Running as Non-root", "Running as Non-root user"),
        "k8s-seccomp-profile": ("Seccomp",),
        "k8s-selinux-restricted": ("SELinux",),
    }


# Every control of the baseline profile and those the restricted profile adds (kubernetes.io,
# "Pod Security Standards"): the pack's PSS framework is "restricted", so it must check them all.
PSS_BASELINE = {
    "HostProcess",
    "Host Namespaces",
    "Privileged Containers",
    "Capabilities",
    "HostPath Volumes",
    "Host Ports",
    "AppArmor",
    "SELinux",
    "/proc Mount Type",
    "Seccomp",
    "Sysctls",
}
PSS_RESTRICTED = {"Volume Types", "Privilege Escalation", "Running as Non-root", "Running as Non-root user"}


def test_pack_covers_every_control_of_the_restricted_pod_security_standard_baseline_included():
    named = {c for s in discover("goldenpath.policies.kubernetes") for c in s.controls.get(PSS, ())}

    assert named == PSS_BASELINE | PSS_RESTRICTED


@pytest.mark.parametrize("kind", sorted(WORKLOAD_SHAPES))
def test_pod_helper_finds_every_container_of_every_workload_kind(kind):
    labels = [label for label, _ in _pod.workload_containers(WORKLOAD_SHAPES[kind])]

    assert labels == ['container "app"', 'init container "migrate"', 'ephemeral container "debug"']


@pytest.mark.parametrize("kind", sorted(WORKLOAD_SHAPES))
def test_pod_helper_reads_the_pod_labels_of_every_workload_kind(kind):
    assert dict(_pod.pod_labels(WORKLOAD_SHAPES[kind])) == {"app": "web"}


def test_pod_helper_finds_no_pod_spec_in_an_object_without_one():
    assert _pod.pod_spec({"metadata": {"name": "web"}}) is None
    assert list(_pod.workload_containers({"spec": {"template": {"metadata": {}}}})) == []


def test_remediation_turns_privilege_escalation_off_on_every_container(pack):
    pack.configure({"k8s-no-privilege-escalation": "remediate"})
    pod_spec = {
        "initContainers": [{"name": "migrate", "image": "m:1"}],
        "containers": [
            {"name": "app", "image": "a:1", "securityContext": {"readOnlyRootFilesystem": True}},
            {"name": "proxy", "image": "p:1", "securityContext": {"allowPrivilegeEscalation": True}},
        ],
    }

    (policy, props), *rest = pack.remediate(_deployment("web", pod_spec))

    fixed = props["spec"]["template"]["spec"]
    assert (policy, rest) == ("k8s-no-privilege-escalation", [])
    assert fixed["initContainers"][0]["securityContext"] == {"allowPrivilegeEscalation": False}
    assert fixed["containers"][0]["securityContext"] == {
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
    }
    assert fixed["containers"][1]["securityContext"] == {"allowPrivilegeEscalation": False}
    assert props["metadata"] == {"name": "web"}


def test_remediation_leaves_a_compliant_workload_unchanged(pack):
    pack.configure({"k8s-no-privilege-escalation": "remediate"})
    pod_spec = {
        "containers": [
            {"name": "app", "image": "a:1", "securityContext": {"allowPrivilegeEscalation": False}}
        ]
    }

    assert pack.remediate(_deployment("web", pod_spec)) == []


LABELS = standard_labels(
    team="payments", service="payments", environment="prod", blueprint="web", component="api"
)


@pytest.mark.parametrize(
    "args",
    [
        WorkloadArgs(
            service="payments", namespace="payments", labels=LABELS, image="ghcr.io/acme/payments:1.2.3"
        ),
        WorkloadArgs(
            service="payments",
            namespace="payments",
            labels=LABELS,
            image="ghcr.io/acme/payments:1.2.3",
            replicas=3,
            autoscaling=Autoscaling(min_replicas=3, max_replicas=6),
            secret_name="payments-db",
        ),
        WorkloadArgs(
            service="payments",
            namespace="payments",
            labels=LABELS,
            image="ghcr.io/acme/payments:1.2.3",
            replicas=1,
            create_namespace=False,
        ),
    ],
    ids=["defaults", "autoscaled-with-secret", "single-replica-existing-namespace"],
)
def test_goldenpath_workload_passes_every_kubernetes_policy(pack, args):
    run = run_under_mocks(lambda: Workload("svc", args))

    pack.configure(None)

    diagnostics = pack.evaluate(_recorded(run))

    assert [(d.policy, d.urn, d.message) for d in diagnostics] == []
