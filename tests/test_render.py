"""render: the Kubernetes objects of a stack as YAML manifests, one file per object, offline."""

from __future__ import annotations

import re

import kubernetes_validate
import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
import yaml
from google.protobuf import struct_pb2
from pulumi.runtime.rpc import UNKNOWN
from typer.testing import CliRunner

from goldenpath.cli import app
from goldenpath.harness import RecordedResource, run_stack, run_under_mocks
from goldenpath.render import (
    AUTONAMED_ANNOTATION,
    UNKNOWN_PLACEHOLDER,
    RenderError,
    api_version_and_kind,
    file_header,
    manifest,
    manifest_filename,
    render_objects,
    render_stack,
)

from .conftest import STACKS

runner = CliRunner()

CATALOG = STACKS / "catalog-k8s"
CATALOG_DEV_FILES = [
    "deployment-catalog-catalog.yaml",
    "externalsecret-catalog-catalog-secrets.yaml",
    "horizontalpodautoscaler-catalog-catalog.yaml",
    "limitrange-catalog-catalog.yaml",
    "namespace-catalog.yaml",
    "networkpolicy-catalog-catalog-allow.yaml",
    "networkpolicy-catalog-catalog-default-deny.yaml",
    "prometheusrule-catalog-catalog.yaml",
    "resourcequota-catalog-catalog.yaml",
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


def write_stack(folder, program: str, project: str = "render-test") -> None:
    folder.mkdir(exist_ok=True)
    (folder / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text("config: {}\n")
    (folder / "__main__.py").write_text(program)


def config_maps(*names: str) -> str:
    lines = ["import pulumi_kubernetes as k8s"]
    lines += [f'k8s.core.v1.ConfigMap("{n}", metadata={{"name": "{n}", "namespace": "a"}})' for n in names]
    return "\n".join(lines) + "\n"


def render_cli(*args) -> tuple[int, str, str]:
    result = runner.invoke(app, ["render", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


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
    paths = render_stack(CATALOG, "dev", tmp_path).written

    assert [p.name for p in paths] == CATALOG_DEV_FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == CATALOG_DEV_FILES


# The other Kubernetes blueprints' example stacks: a worker has no Service and no ServiceMonitor
# but a PodMonitor and KEDA's objects; a scheduled job a CronJob and nothing scraped.
OTHER_DEV_FILES = {
    "orders-worker-k8s": [
        "deployment-orders-worker-orders-worker.yaml",
        "externalsecret-orders-worker-orders-worker-secrets.yaml",
        "limitrange-orders-worker-orders-worker.yaml",
        "namespace-orders-worker.yaml",
        "networkpolicy-orders-worker-orders-worker-allow.yaml",
        "networkpolicy-orders-worker-orders-worker-default-deny.yaml",
        "podmonitor-orders-worker-orders-worker.yaml",
        "prometheusrule-orders-worker-orders-worker.yaml",
        "resourcequota-orders-worker-orders-worker.yaml",
        "scaledobject-orders-worker-orders-worker.yaml",
        "serviceaccount-orders-worker-orders-worker.yaml",
        "triggerauthentication-orders-worker-orders-worker.yaml",
    ],
    "nightly-report-k8s": [
        "cronjob-nightly-report-nightly-report.yaml",
        "externalsecret-nightly-report-nightly-report-secrets.yaml",
        "limitrange-nightly-report-nightly-report.yaml",
        "namespace-nightly-report.yaml",
        "networkpolicy-nightly-report-nightly-report-allow.yaml",
        "networkpolicy-nightly-report-nightly-report-default-deny.yaml",
        "prometheusrule-nightly-report-nightly-report.yaml",
        "resourcequota-nightly-report-nightly-report.yaml",
        "serviceaccount-nightly-report-nightly-report.yaml",
    ],
}


@pytest.mark.parametrize("project", sorted(OTHER_DEV_FILES))
def test_render_writes_one_file_per_object_of_the_other_kubernetes_blueprints(tmp_path, project):
    paths = render_stack(STACKS / project, "dev", tmp_path).written

    assert [p.name for p in paths] == OTHER_DEV_FILES[project]
    for path in paths:
        assert path.read_text().startswith(file_header(project, "dev"))


def test_each_file_holds_the_object_it_is_named_for(tmp_path):
    objects = {manifest_filename(o): o for o in render_objects(run_stack(CATALOG, "dev"))}

    for path in render_stack(CATALOG, "dev", tmp_path).written:
        assert yaml.safe_load(path.read_text()) == objects[path.name], path.name


def test_rendering_twice_gives_the_same_bytes(tmp_path):
    first = {p.name: p.read_bytes() for p in render_stack(CATALOG, "prod", tmp_path / "a").written}
    second = {p.name: p.read_bytes() for p in render_stack(CATALOG, "prod", tmp_path / "b").written}

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


def test_every_file_starts_with_the_header_naming_the_project_and_stack(tmp_path):
    paths = render_stack(CATALOG, "dev", tmp_path).written

    assert all(p.read_text().startswith(file_header("catalog-k8s", "dev")) for p in paths)
    assert file_header("catalog-k8s", "dev") != file_header("catalog-k8s", "prod")


# --- Auto-named objects ------------------------------------------------------------------------------


def test_an_object_without_a_name_gets_a_stand_in_of_the_shape_pulumi_gives_it():
    def program():
        k8s.core.v1.ConfigMap("settings", metadata={"namespace": "shop"}, data={"a": "b"})

    (obj,) = render_objects(run_under_mocks(program))

    assert re.fullmatch(r"settings-[0-9a-f]{8}", obj["metadata"]["name"])
    assert obj["metadata"]["annotations"] == {AUTONAMED_ANNOTATION: "true"}


def test_the_stand_in_name_is_the_same_every_run_and_differs_per_resource():
    def program():
        k8s.core.v1.ConfigMap("one", data={"a": "b"})
        k8s.core.v1.ConfigMap("two", data={"a": "b"})

    first = sorted(o["metadata"]["name"] for o in render_objects(run_under_mocks(program)))
    second = sorted(o["metadata"]["name"] for o in render_objects(run_under_mocks(program)))

    assert first == second
    assert first[0].startswith("one-") and first[1].startswith("two-") and first[0][4:] != first[1][4:]


def test_an_auto_named_objects_own_annotations_are_kept():
    def program():
        k8s.core.v1.ConfigMap("settings", metadata={"annotations": {"team": "shop"}}, data={"a": "b"})

    (obj,) = render_objects(run_under_mocks(program))

    assert obj["metadata"]["annotations"] == {AUTONAMED_ANNOTATION: "true", "team": "shop"}


def test_an_object_named_by_the_api_servers_generate_name_is_refused_with_the_reason():
    def program():
        k8s.core.v1.ConfigMap("settings", metadata={"generateName": "settings-"}, data={"a": "b"})

    with pytest.raises(RenderError, match="generateName.*API server picks the name"):
        render_objects(run_under_mocks(program))


AUTONAMED_DEPLOYMENT = """\
import pulumi_kubernetes as k8s

labels = {"app": "web"}
k8s.apps.v1.Deployment(
    "web",
    spec={
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
        },
    },
)
"""


def test_a_deployment_without_a_name_renders_a_valid_manifest_that_says_its_name_is_a_stand_in(tmp_path):
    write_stack(tmp_path / "stack", AUTONAMED_DEPLOYMENT)
    result = render_stack(tmp_path / "stack", "dev", tmp_path / "out")
    (path,) = result.written
    (stand_in,) = result.stand_ins
    deployment = yaml.safe_load(path.read_text())

    kubernetes_validate.validate(deployment, "1.37", strict=True)
    assert deployment["metadata"]["name"] == stand_in.name and re.fullmatch(r"web-[0-9a-f]{8}", stand_in.name)
    assert path.name == f"deployment-{stand_in.name}.yaml"
    assert f"metadata.name {stand_in.name} is a stand-in" in path.read_text().splitlines()[1]


def test_render_command_says_which_names_are_stand_ins(tmp_path):
    write_stack(tmp_path / "stack", AUTONAMED_DEPLOYMENT)
    code, out, _ = render_cli(tmp_path / "stack", "--out", tmp_path / "out")

    assert code == 0
    assert "wrote 1 objects" in out
    assert re.search(r"Deployment web sets no metadata.name; written as web-[0-9a-f]{8}, a stand-in", out)


# --- Rendering into a folder again -------------------------------------------------------------------


def test_rendering_again_removes_the_objects_the_program_no_longer_declares(tmp_path):
    stack, out = tmp_path / "stack", tmp_path / "out"
    write_stack(stack, config_maps("one", "two"))
    render_stack(stack, "dev", out)
    write_stack(stack, config_maps("one"))

    result = render_stack(stack, "dev", out)

    assert sorted(p.name for p in out.iterdir()) == ["configmap-a-one.yaml"]
    assert [p.name for p in result.removed] == ["configmap-a-two.yaml"]


def test_rendering_again_never_touches_files_render_did_not_write(tmp_path):
    stack, out = tmp_path / "stack", tmp_path / "out"
    write_stack(stack, config_maps("one", "two"))
    out.mkdir()
    own = {"kustomization.yaml": "resources: []\n", "README.md": "# manifests\n", "extra.yaml": "a: 1\n"}
    for name, text in own.items():
        (out / name).write_text(text)
    render_stack(stack, "dev", out)
    write_stack(stack, config_maps("one"))
    render_stack(stack, "dev", out)

    assert {name: (out / name).read_text() for name in own} == own
    assert not (out / "configmap-a-two.yaml").exists()


def test_rendering_another_stack_into_the_same_folder_leaves_the_first_stacks_files(tmp_path):
    first, second, out = tmp_path / "first", tmp_path / "second", tmp_path / "out"
    write_stack(first, config_maps("one"), project="first")
    write_stack(second, config_maps("two"), project="second")
    render_stack(first, "dev", out)
    render_stack(second, "dev", out)

    assert sorted(p.name for p in out.iterdir()) == ["configmap-a-one.yaml", "configmap-a-two.yaml"]


def test_a_file_in_the_way_that_render_did_not_write_is_refused_and_nothing_is_written(tmp_path):
    stack, out = tmp_path / "stack", tmp_path / "out"
    write_stack(stack, config_maps("one", "two"))
    out.mkdir()
    (out / "configmap-a-two.yaml").write_text("# mine\n")

    with pytest.raises(RenderError, match="configmap-a-two.yaml is in the way"):
        render_stack(stack, "dev", out)
    assert sorted(p.name for p in out.iterdir()) == ["configmap-a-two.yaml"]
    assert (out / "configmap-a-two.yaml").read_text() == "# mine\n"


def test_render_command_says_what_it_removed(tmp_path):
    stack, out = tmp_path / "stack", tmp_path / "out"
    write_stack(stack, config_maps("one", "two"))
    render_cli(stack, "--out", out)
    write_stack(stack, config_maps("one"))
    code, printed, _ = render_cli(stack, "--out", out)

    assert code == 0
    assert "wrote 1 objects" in printed
    assert "removed 1 files of an earlier render: configmap-a-two.yaml" in printed


# --- Nothing to render, and bad paths ---------------------------------------------------------------


def test_a_stack_with_no_kubernetes_objects_is_an_error_and_writes_nothing(tmp_path):
    write_stack(tmp_path / "stack", 'import pulumi_aws as aws\naws.s3.Bucket("data")\n')
    code, _, err = render_cli(tmp_path / "stack", "--out", tmp_path / "out")

    assert code == 2
    assert "nothing to render" in err and "declares no Kubernetes objects" in err
    assert not (tmp_path / "out").exists()


def test_render_command_reports_objects_sharing_a_file_without_a_traceback(tmp_path):
    write_stack(
        tmp_path / "stack",
        "import pulumi_kubernetes as k8s\n"
        'k8s.core.v1.ConfigMap("one", metadata={"name": "c", "namespace": "a-b"})\n'
        'k8s.core.v1.ConfigMap("two", metadata={"name": "b-c", "namespace": "a"})\n',
    )
    code, _, err = render_cli(tmp_path / "stack", "--out", tmp_path / "out")

    assert code == 2
    assert "configmap-a-b-c.yaml" in err and "Traceback" not in err


def _bad_paths(tmp_path):
    regular = tmp_path / "regular-file"
    regular.write_text("not a folder\n")
    not_utf8 = tmp_path / "not-utf8"
    not_utf8.mkdir()
    (not_utf8 / "Pulumi.yaml").write_bytes(b"\xff\xfe: [")
    return regular, not_utf8


@pytest.mark.parametrize("case", ["a file", "under a file", "missing", "not UTF-8"])
def test_a_bad_stack_dir_is_a_clear_error_naming_it(tmp_path, case):
    regular, not_utf8 = _bad_paths(tmp_path)
    stack_dir = {
        "a file": regular,
        "under a file": regular / "sub",
        "missing": tmp_path / "missing",
        "not UTF-8": not_utf8,
    }[case]
    code, _, err = render_cli(stack_dir, "--out", tmp_path / "out")

    assert code == 2
    assert str(stack_dir) in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", ["a file", "under a file"])
def test_an_out_path_that_cannot_be_a_folder_is_a_clear_error_naming_it(tmp_path, case):
    regular, _ = _bad_paths(tmp_path)
    out = regular if case == "a file" else regular / "sub"
    code, _, err = render_cli(CATALOG, "--out", out)

    assert code == 2
    assert str(out) in err and "not a folder" in err and "Traceback" not in err
    assert regular.read_text() == "not a folder\n"
