"""Containers read Secrets from mounted files, not from environment variables."""

# Peers: checkov CKV_K8S_35, kyverno secrets-not-from-env-vars

from collections.abc import Mapping

from goldenpath.policy import NIST, PolicySpec, as_list, get_known, get_path

from ._pod import WORKLOAD_TYPES, workload_containers


def _name(props, path):
    return get_known(props, path, "(known at apply)")


def check(props, config):
    for label, container in workload_containers(props):
        for env in as_list(get_path(container, "env")):
            if isinstance(env, Mapping) and get_path(env, "valueFrom.secretKeyRef") is not None:
                yield (
                    f"{label} reads Secret {_name(env, 'valueFrom.secretKeyRef.name')} into environment "
                    f"variable {_name(env, 'name')}; mount the Secret as a volume and read the file"
                )
        for source in as_list(get_path(container, "envFrom")):
            if isinstance(source, Mapping) and get_path(source, "secretRef") is not None:
                yield (
                    f"{label} loads every key of Secret {_name(source, 'secretRef.name')} as environment "
                    "variables (envFrom); mount the Secret as a volume and read the files"
                )


POLICY = PolicySpec(
    id="k8s-secrets-as-files",
    description="No container takes a Secret through env valueFrom.secretKeyRef or envFrom secretRef.",
    severity="low",
    rationale="Environment variables leak: into crash dumps and debug endpoints, into every child process, "
    "and to anyone who can read the pod spec's runtime (`/proc/<pid>/environ`); they also never change "
    "after start, so a rotated Secret needs a restart. A mounted file has neither problem.",
    remediation="Replace `EnvVarArgs(value_from=EnvVarSourceArgs(secret_key_ref=...))` and "
    "`EnvFromSourceArgs(secret_ref=...)` with a `VolumeArgs(secret=SecretVolumeSourceArgs(...))` and a "
    "read-only `VolumeMountArgs`; goldenpath's `Workload` component mounts `secret_name` this way.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={NIST: ("IA-5(7)", "SC-28")},
    peers={"checkov": ("CKV_K8S_35",), "kyverno": ("secrets-not-from-env-vars",)},
)
