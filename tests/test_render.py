"""render: the Kubernetes objects of a stack as YAML manifests, one file per object, offline."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
import yaml
from google.protobuf import struct_pb2
from pulumi.runtime.rpc import UNKNOWN

from goldenpath.harness import RecordedResource, run_stack, run_under_mocks
from goldenpath.render import (
    UNKNOWN_PLACEHOLDER,
    api_version_and_kind,
    manifest,
    manifest_filename,
    render_objects,
    render_stack,
)

from .conftest import STACKS

CATALOG = STACKS / "catalog-k8s"
CATALOG_DEV_FILES = [
    "deployment-catalog-catalog.yaml",
    "externalsecret-catalog-catalog-secrets.yaml",
    "horizontalpodautoscaler-catalog-catalog.yaml",
    "namespace-catalog.yaml",
    "networkpolicy-catalog-catalog-allow.yaml",
    "networkpolicy-catalog-catalog-default-deny.yaml",
    "prometheusrule-catalog-catalog.yaml",
    "service-catalog-catalog.yaml",
    "serviceaccount-catalog-catalog.yaml",
    "servicemonitor-catalog-catalog.yaml",
]


def meta(name: str, namespace: str | None = "shop") -> k8s.meta.v1.ObjectMetaArgs:
    return k8s.meta.v1.ObjectMetaArgs(name=name, namespace=namespace)


def recorded(inputs: dict, type_token: str = "kubernetes:core/v1:ConfigMap") -> RecordedResource:
    return RecordedResource(
        urn=f"urn:pulumi:dev::p::{type_token}::x",
        type=type_token,
        name="x",
        custom=True,
        parent=None,
        inputs=inputs,
        properties=struct_pb2.Struct(),
    )


def write_stack(folder, program: str) -> None:
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: render-test\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text("config: {}\n")
    (folder / "__main__.py").write_text(program)


# --- apiVersion and kind -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_token", "expected"),
    [
        ("kubernetes:core/v1:Service", ("v1", "Service")),
        ("kubernetes:apps/v1:Deployment", ("apps/v1", "Deployment")),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", ("networking.k8s.io/v1", "NetworkPolicy")),
        (
            "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
            ("monitoring.coreos.com/v1", "ServiceMonitor"),
        ),
    ],
)
def test_api_version_and_kind_come_from_the_type_token(type_token, expected):
    assert api_version_and_kind(type_token) == expected


@pytest.mark.parametrize("type_token", ["aws:s3/bucket:Bucket", "pulumi:providers:kubernetes"])
def test_a_type_that_is_not_a_kubernetes_object_is_refused(type_token):
    with pytest.raises(ValueError, match="not a Kubernetes object type"):
        api_version_and_kind(type_token)


# --- Which resources become objects ------------------------------------------------------------------


def test_only_kubernetes_objects_are_rendered_not_components_or_other_providers():
    class Group(pulumi.ComponentResource):
        def __init__(self, name):
            super().__init__("test:index:Group", name)
            k8s.core.v1.ConfigMap(
                "settings",
                metadata=meta("settings"),
                data={"a": "b"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.s3.Bucket("bucket", opts=pulumi.ResourceOptions(parent=self))
            k8s.core.v1.ConfigMapPatch(
                "patch", metadata=meta("other"), data={"c": "d"}, opts=pulumi.ResourceOptions(parent=self)
            )

    objects = render_objects(run_under_mocks(lambda: Group("group")))

    assert objects == [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "shop"},
            "data": {"a": "b"},
        }
    ]


def test_custom_resources_keep_their_own_api_version_and_kind():
    def program():
        k8s.apiextensions.CustomResource(
            "monitor",
            api_version="monitoring.coreos.com/v1",
            kind="ServiceMonitor",
            metadata=meta("m"),
            spec={"a": 1},
        )

    (obj,) = render_objects(run_under_mocks(program))

    assert list(obj)[:3] == ["apiVersion", "kind", "metadata"]
    assert (obj["apiVersion"], obj["kind"], obj["spec"]) == (
        "monitoring.coreos.com/v1",
        "ServiceMonitor",
        {"a": 1},
    )


# --- What a manifest holds ---------------------------------------------------------------------------


def test_whole_numbers_are_written_as_integers_and_fractions_kept():
    obj = manifest(recorded({"metadata": {"name": "x"}, "spec": {"replicas": 3.0, "ratio": 0.5}}))

    assert obj["spec"] == {"ratio": 0.5, "replicas": 3}
    assert isinstance(obj["spec"]["replicas"], int)


def test_pulumi_internal_keys_and_nulls_are_dropped():
    obj = manifest(
        recorded({"metadata": {"name": "x", "annotations": None}, "__defaults": [], "data": {"a": "b"}})
    )

    assert obj == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}}


def test_unknown_values_are_written_as_a_placeholder():
    obj = manifest(recorded({"metadata": {"name": "x"}, "data": {"uid": UNKNOWN}}))

    assert obj["data"] == {"uid": UNKNOWN_PLACEHOLDER}


def test_a_value_marked_secret_is_never_written():
    def program():
        k8s.core.v1.ConfigMap(
            "settings",
            metadata=meta("settings"),
            data={"password": pulumi.Output.secret("hunter2"), "mode": "fast"},
        )

    (obj,) = render_objects(run_under_mocks(program))

    assert obj["data"] == "[secret]"
    assert "hunter2" not in yaml.safe_dump(obj)


def test_a_secret_objects_payload_is_never_written():
    def program():
        k8s.core.v1.Secret("token", metadata=meta("token"), string_data={"token": "hunter2"})

    (obj,) = render_objects(run_under_mocks(program))

    assert obj["stringData"] == "[secret]"
    assert "hunter2" not in yaml.safe_dump(obj)


# --- File names --------------------------------------------------------------------------------------


def test_file_name_is_kind_namespace_and_name_in_lower_case():
    obj = {"kind": "NetworkPolicy", "metadata": {"name": "catalog-allow", "namespace": "shop"}}

    assert manifest_filename(obj) == "networkpolicy-shop-catalog-allow.yaml"


def test_cluster_scoped_objects_have_no_namespace_in_their_file_name():
    assert manifest_filename({"kind": "Namespace", "metadata": {"name": "shop"}}) == "namespace-shop.yaml"


# --- render_stack ------------------------------------------------------------------------------------


def test_render_stack_writes_one_file_per_object(tmp_path):
    paths = render_stack(CATALOG, "dev", tmp_path)

    assert [p.name for p in paths] == CATALOG_DEV_FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == CATALOG_DEV_FILES


def test_each_file_holds_the_object_it_is_named_for(tmp_path):
    objects = {manifest_filename(o): o for o in render_objects(run_stack(CATALOG, "dev"))}

    for path in render_stack(CATALOG, "dev", tmp_path):
        assert yaml.safe_load(path.read_text()) == objects[path.name], path.name


def test_rendering_twice_gives_the_same_bytes(tmp_path):
    first = {p.name: p.read_bytes() for p in render_stack(CATALOG, "prod", tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in render_stack(CATALOG, "prod", tmp_path / "b")}

    assert first == second


def test_objects_that_would_share_a_file_are_refused(tmp_path):
    stack = tmp_path / "stack"
    write_stack(
        stack,
        "import pulumi_kubernetes as k8s\n"
        'k8s.core.v1.ConfigMap("one", metadata={"name": "c", "namespace": "a-b"})\n'
        'k8s.core.v1.ConfigMap("two", metadata={"name": "b-c", "namespace": "a"})\n',
    )

    with pytest.raises(ValueError, match="configmap-a-b-c.yaml"):
        render_stack(stack, "dev", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_object_without_an_explicit_name_is_refused_with_the_reason():
    def program():
        k8s.core.v1.ConfigMap("settings", metadata={"namespace": "shop"}, data={"a": "b"})

    with pytest.raises(ValueError, match="sets no metadata.name.*auto-name"):
        render_objects(run_under_mocks(program))


def test_render_command_reports_a_refused_object_without_a_traceback(tmp_path):
    from typer.testing import CliRunner

    from goldenpath.cli import app

    stack = tmp_path / "stack"
    write_stack(
        stack, 'import pulumi_kubernetes as k8s\nk8s.core.v1.ConfigMap("c", metadata={"namespace": "a"})\n'
    )
    result = CliRunner().invoke(app, ["render", str(stack), "--out", str(tmp_path / "out")])

    assert result.exit_code == 2
    assert "metadata.name" in result.stderr and "Traceback" not in result.stderr
