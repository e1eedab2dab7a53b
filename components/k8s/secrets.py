"""Secrets: an External Secrets Operator ``ExternalSecret`` that copies named values from a
SecretStore or ClusterSecretStore into one Kubernetes Secret, which the Workload mounts as files.

goldenpath never writes a Kubernetes Secret itself: secret values stay in the external store (AWS
Secrets Manager, Vault, ...) and out of the program, its state and its rendered manifests. The
resource uses ``external-secrets.io/v1``, served by External Secrets Operator 0.17 and later.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import pulumi
import pulumi_kubernetes as k8s
from pydantic import AfterValidator, Field, field_validator

from goldenpath import conventions
from goldenpath.components.k8s.workload import DnsLabel, StandardLabels
from goldenpath.models import ComponentArgs, StrInput

TYPE_TOKEN = "goldenpath:k8s:Secrets"
API_VERSION = "external-secrets.io/v1"

# A key of a Kubernetes Secret, and so the name of the file it becomes.
_SECRET_KEY_RE = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")


def check_secret_keys(keys: list[str]) -> list[str]:
    """``keys`` if each can name a key of a Kubernetes Secret and none repeats."""
    bad = [k for k in keys if not _SECRET_KEY_RE.match(k) or k in (".", "..")]
    if bad:
        raise ValueError(
            f"secret names {bad} must be letters, digits, '-', '_' or '.' (they become file names)"
        )
    if len(set(keys)) != len(keys):
        raise ValueError("secret names must be unique")
    return keys


SecretKeys = Annotated[list[str], AfterValidator(check_secret_keys)]


class SecretsArgs(ComponentArgs):
    """Inputs of :class:`Secrets`."""

    secret_name: DnsLabel = Field(
        description="Name of the ExternalSecret and of the Kubernetes Secret it produces."
    )
    namespace: StrInput = Field(description="Namespace of the ExternalSecret and the Secret.")
    labels: StandardLabels = Field(
        description="Standard labels (conventions.standard_labels) for both objects."
    )
    store_name: DnsLabel = Field(description="The SecretStore or ClusterSecretStore to read from.")
    store_kind: Literal["ClusterSecretStore", "SecretStore"] = Field(
        default="ClusterSecretStore", description="Kind of store_name."
    )
    keys: SecretKeys = Field(min_length=1, description="Names of the secrets; each becomes one key (file).")
    remote_key_prefix: str = Field(
        default="",
        description="Prefix of each secret's key in the store: <prefix>/<name>, e.g. goldenpath/catalog/prod.",
    )
    refresh_interval: str = Field(
        default=conventions.EXTERNAL_SECRET_REFRESH_INTERVAL,
        pattern=r"^[1-9][0-9]*(s|m|h)$",
        description="How often the operator re-reads the store.",
    )

    @field_validator("remote_key_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        return value.rstrip("/")

    def remote_key(self, key: str) -> str:
        return f"{self.remote_key_prefix}/{key}" if self.remote_key_prefix else key


def external_secret_spec(args: SecretsArgs) -> dict:
    return {
        "refreshInterval": args.refresh_interval,
        "secretStoreRef": {"name": args.store_name, "kind": args.store_kind},
        # The operator copies the ExternalSecret's labels onto the Secret. Owner: the Secret is
        # garbage-collected with its ExternalSecret. Retain: a value deleted from the store stays in
        # the Secret, so running pods keep working until someone decides.
        "target": {"name": args.secret_name, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
        "data": [{"secretKey": key, "remoteRef": {"key": args.remote_key(key)}} for key in args.keys],
    }


class Secrets(pulumi.ComponentResource):
    """One Kubernetes Secret, filled by the External Secrets Operator from an external store."""

    secret_name: pulumi.Output[str]

    def __init__(self, name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        external_secret = k8s.apiextensions.CustomResource(
            f"{name}-external-secret",
            api_version=API_VERSION,
            kind="ExternalSecret",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.secret_name, namespace=args.namespace, labels=dict(args.labels)
            ),
            spec=external_secret_spec(args),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.secret_name = external_secret.spec.apply(lambda spec: spec["target"]["name"])
        self.register_outputs({"secretName": self.secret_name})
