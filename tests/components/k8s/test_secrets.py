"""Secrets: an ExternalSecret reads named values from a store; no Secret is written from code."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from goldenpath.components.k8s import Secrets, SecretsArgs
from goldenpath.conventions import standard_labels
from goldenpath.harness import ProgramRun, run_under_mocks

EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
LABELS = standard_labels(
    team="commerce", service="catalog", environment="prod", blueprint="K8sService", component="secrets"
)


def secrets_args(**overrides) -> SecretsArgs:
    fields = {
        "secret_name": "catalog-secrets",
        "namespace": "shop",
        "labels": LABELS,
        "store_name": "aws-secrets-manager",
        "keys": ["database-url", "search_api.key"],
        "remote_key_prefix": "goldenpath/catalog/prod/",
        **overrides,
    }
    return SecretsArgs(**fields)


def run_secrets(**overrides) -> tuple[ProgramRun, list[str]]:
    args = secrets_args(**overrides)
    names: list[str] = []

    def program():
        Secrets("catalog", args).secret_name.apply(names.append)

    return run_under_mocks(program), names


@pytest.fixture(scope="module")
def run() -> ProgramRun:
    return run_secrets()[0]


def test_external_secret_is_an_external_secrets_io_v1_object_under_the_component(run):
    resource = run.one(EXTERNAL_SECRET)

    assert resource.parent == run.one("goldenpath:k8s:Secrets").urn
    assert (resource.inputs["apiVersion"], resource.inputs["kind"]) == (
        "external-secrets.io/v1",
        "ExternalSecret",
    )


def test_external_secret_is_named_namespaced_and_labelled(run):
    metadata = run.one(EXTERNAL_SECRET).inputs["metadata"]

    assert (metadata["name"], metadata["namespace"]) == ("catalog-secrets", "shop")
    assert metadata["labels"] == LABELS


def test_reads_from_the_named_cluster_secret_store_by_default(run):
    assert run.one(EXTERNAL_SECRET).inputs["spec"]["secretStoreRef"] == {
        "name": "aws-secrets-manager",
        "kind": "ClusterSecretStore",
    }


def test_a_namespaced_secret_store_can_be_named():
    run, _ = run_secrets(store_kind="SecretStore")

    assert run.one(EXTERNAL_SECRET).inputs["spec"]["secretStoreRef"]["kind"] == "SecretStore"


def test_each_name_becomes_one_key_read_from_under_the_prefix(run):
    assert run.one(EXTERNAL_SECRET).inputs["spec"]["data"] == [
        {"secretKey": "database-url", "remoteRef": {"key": "goldenpath/catalog/prod/database-url"}},
        {"secretKey": "search_api.key", "remoteRef": {"key": "goldenpath/catalog/prod/search_api.key"}},
    ]


def test_produces_one_secret_owned_by_the_external_secret(run):
    spec = run.one(EXTERNAL_SECRET).inputs["spec"]

    assert spec["target"]["name"] == "catalog-secrets"
    assert spec["target"]["creationPolicy"] == "Owner"
    assert spec["refreshInterval"] == "1h"


def test_no_kubernetes_secret_is_written_from_code(run):
    assert [r for r in run.resources if r.type.endswith(":Secret")] == []


def test_secret_name_output_is_the_produced_secret():
    _, names = run_secrets()

    assert names == ["catalog-secrets"]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["db password"], "must be letters, digits"),
        (["a", "a"], "must be unique"),
        ([], "at least 1 item"),
    ],
)
def test_unusable_secret_names_are_rejected(keys, expected):
    with pytest.raises(ValidationError, match=expected):
        secrets_args(keys=keys)


def test_unknown_store_kind_is_rejected():
    with pytest.raises(ValidationError, match="store_kind"):
        secrets_args(store_kind="VaultStore")
