"""Reading a self-managed Pulumi backend as the CLI lays it out (goldenpath.backends).

Backends are built by :class:`StateDir` in the CLI's exact layout (pkg/backend/diy, v3.274.1:
compact JSON checkpoints, ``.bak`` copies and fileblob ``.attrs`` sidecars beside them, history as
``<stack>-<unixnano>.history.json`` + ``.checkpoint.json``, locks as ``<uuid>.json`` under the
fully qualified name). S3 backends are the same trees uploaded to a real moto server on loopback.
tests/engine/test_backend_checkpoints.py reads what the real CLI wrote.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import time
import uuid
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from goldenpath.backends import SECRET, BackendError, StackRef, open_backend, s3_settings

from ..conftest import use_dummy_aws_credentials

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
CIPHERTEXT = "v1:CIPHERTEXT-7f3c9a:never-shown"
ENGINE = "v3.274.1"
MANIFEST_TIME = "2026-11-30T09:15:42.123456789Z"


def compact(value) -> bytes:
    # pkg/backend/diy/state.go compactJSONMarshaler: no indentation, no HTML escaping.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def resources(project: str, stack: str, buckets: int = 2) -> list[dict]:
    """A Stack, its default aws provider and ``buckets`` buckets, each with a secret output."""
    root = f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"
    provider = f"urn:pulumi:{stack}::{project}::pulumi:providers:aws::default_7_0_0"
    found = [
        {"urn": root, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {"bucket": "logs-0"}},
        {
            "urn": provider,
            "custom": True,
            "id": "5c0b0f1e-provider",
            "type": "pulumi:providers:aws",
            "inputs": {"region": "eu-west-1"},
            "outputs": {"region": "eu-west-1"},
            "parent": root,
        },
    ]
    for n in range(buckets):
        found.append(
            {
                "urn": f"urn:pulumi:{stack}::{project}::aws:s3/bucket:Bucket::logs-{n}",
                "custom": True,
                "id": f"logs-{n}",
                "type": "aws:s3/bucket:Bucket",
                "inputs": {"bucket": f"logs-{n}", "tags": {"team": "payments"}},
                "outputs": {
                    "bucket": f"logs-{n}",
                    "arn": f"arn:aws:s3:::logs-{n}",
                    "token": {SIG: SECRET_SIG, "ciphertext": CIPHERTEXT},
                },
                "parent": root,
                "provider": f"{provider}::5c0b0f1e-provider",
                "dependencies": [],
            }
        )
    return found


class StateDir:
    """A self-managed backend in the Pulumi CLI's own layout, written as the CLI writes it."""

    def __init__(self, root: Path, *, legacy: bool = False):
        self.root = root
        self.legacy = legacy
        (root / ".pulumi").mkdir(parents=True, exist_ok=True)
        if not legacy:
            # ensurePulumiMeta writes version 1 for a new state; a legacy state has no meta.yaml.
            self._write(".pulumi/meta.yaml", b"version: 1\n")
        self._clock = 1_796_000_000

    def _write(self, key: str, data: bytes, mtime: float | None = None) -> Path:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        # fileblob's metadata sidecar, which its listing hides.
        path.with_name(path.name + ".attrs").write_text('{"user.content_type":"text/plain; charset=utf-8"}')
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def qualified(self, project: str, stack: str) -> str:
        return stack if self.legacy else f"organization/{project}/{stack}"

    def stack_base(self, project: str, stack: str) -> str:
        return f".pulumi/stacks/{stack}" if self.legacy else f".pulumi/stacks/{project}/{stack}"

    def checkpoint(self, project: str, stack: str, found: list[dict] | None = None) -> dict:
        return {
            "version": 3,
            "checkpoint": {
                "stack": self.qualified(project, stack),
                "latest": {
                    "manifest": {"time": MANIFEST_TIME, "magic": "294a4491", "version": ENGINE},
                    "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:SALT-7f3c9a"}},
                    "resources": resources(project, stack) if found is None else found,
                    "metadata": {},
                },
            },
        }

    def stack(
        self,
        project: str,
        stack: str,
        document: dict | None = None,
        *,
        raw: bytes | None = None,
        gz: bool = False,
        mtime: float | None = None,
    ) -> Path:
        data = raw if raw is not None else compact(document or self.checkpoint(project, stack))
        suffix = ".json.gz" if gz else ".json"
        if gz and raw is None:
            data = gzip.compress(data)
        return self._write(self.stack_base(project, stack) + suffix, data, mtime)

    def backup(self, project: str, stack: str, document: dict) -> Path:
        # backupTarget: the previous checkpoint, kept as <file>.bak beside the new one.
        return self._write(self.stack_base(project, stack) + ".json.bak", compact(document))

    def update(
        self,
        project: str,
        stack: str,
        kind: str = "update",
        result: str = "succeeded",
        changes: dict | None = None,
        *,
        gz: bool = False,
        raw: bytes | None = None,
    ) -> Path:
        """addToHistory: <stack>-<unixnano>.history.json and a copy of the checkpoint beside it."""
        self._clock += 60
        folder = f".pulumi/history/{stack}" if self.legacy else f".pulumi/history/{project}/{stack}"
        prefix = f"{folder}/{stack}-{self._clock * 1_000_000_000 + 123}"
        ext = "json.gz" if gz else "json"
        info = {
            "kind": kind,
            "startTime": self._clock,
            "message": "",
            "environment": {"exec.kind": "cli", "pulumi.version": ENGINE},
            "config": {f"{project}:token": {"secure": CIPHERTEXT}},
            "version": 0,
            "result": result,
            "endTime": self._clock + 3,
            "resourceChanges": changes if changes is not None else {"create": 4},
        }
        data = raw if raw is not None else compact(info)
        if gz and raw is None:
            data = gzip.compress(data)
        copy = compact(self.checkpoint(project, stack))
        self._write(f"{prefix}.checkpoint.{ext}", gzip.compress(copy) if gz else copy)
        return self._write(f"{prefix}.history.{ext}", data)

    def lock(
        self, project: str, stack: str, username: str = "ci", hostname: str = "runner-7", pid: int = 4242
    ):
        """Lock: .pulumi/locks/<fully qualified name>/<lock id>.json, as a running update holds it."""
        content = {
            "pid": pid,
            "username": username,
            "hostname": hostname,
            "timestamp": "2026-11-30T09:15:00Z",
        }
        return self._write(
            f".pulumi/locks/{self.qualified(project, stack)}/{uuid.uuid4()}.json", compact(content)
        )

    def legacy_stack(self, stack: str) -> Path:
        """A stack file in the legacy place, as an older CLI writes it into a project-mode state."""
        document = {"version": 3, "checkpoint": {"stack": stack, "latest": {"resources": []}}}
        return self._write(f".pulumi/stacks/{stack}.json", compact(document))


def names(backend) -> list[tuple[str | None, str]]:
    return [(ref.project, ref.name) for ref in backend.stacks()]


def messages(backend) -> list[str]:
    return [str(problem) for problem in backend.problems]


@pytest.fixture
def state(tmp_path) -> StateDir:
    return StateDir(tmp_path / "state")


# -- layout -------------------------------------------------------------------------------------


def test_project_scoped_stacks_are_listed_by_project_and_name(state):
    state.stack("payments-api", "prod")
    state.stack("payments-api", "dev")
    state.stack("catalog-k8s", "dev")

    backend = open_backend(state.root.as_uri())

    assert backend.layout == "project"
    assert names(backend) == [("catalog-k8s", "dev"), ("payments-api", "dev"), ("payments-api", "prod")]
    assert backend.stacks()[0].path == str(state.root / ".pulumi/stacks/catalog-k8s/dev.json")
    assert backend.stacks()[0].qualified == "organization/catalog-k8s/dev"
    assert backend.problems == []


def test_a_plain_directory_path_is_a_file_backend(state):
    state.stack("payments-api", "dev")

    assert names(open_backend(str(state.root))) == [("payments-api", "dev")]


def test_a_checkpoint_holds_each_resource_as_the_cli_wrote_it(state):
    state.stack("payments-api", "dev")
    backend = open_backend(state.root.as_uri())

    checkpoint = backend.checkpoint(backend.stacks()[0])

    assert checkpoint.version == 3
    assert [r["type"] for r in checkpoint.resources] == [
        "pulumi:pulumi:Stack",
        "pulumi:providers:aws",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucket:Bucket",
    ]
    bucket = checkpoint.resources[2]
    assert bucket["urn"] == "urn:pulumi:dev::payments-api::aws:s3/bucket:Bucket::logs-0"
    assert (bucket["custom"], bucket["id"]) == (True, "logs-0")
    assert bucket["inputs"] == {"bucket": "logs-0", "tags": {"team": "payments"}}
    assert bucket["parent"] == "urn:pulumi:dev::payments-api::pulumi:pulumi:Stack::payments-api-dev"
    assert (
        bucket["provider"]
        == "urn:pulumi:dev::payments-api::pulumi:providers:aws::default_7_0_0::5c0b0f1e-provider"
    )
    assert checkpoint.project == "payments-api"


def test_the_checkpoint_time_is_the_manifest_time_of_the_last_update(state):
    state.stack("payments-api", "dev")
    backend = open_backend(state.root.as_uri())

    checkpoint = backend.checkpoint(backend.stacks()[0])

    assert checkpoint.time.isoformat() == "2026-11-30T09:15:42.123456+00:00"
    assert (checkpoint.engine_version, checkpoint.secrets_provider) == (ENGINE, "passphrase")


def test_a_stack_never_updated_has_no_resources_and_no_time(state):
    state.stack(
        "payments-api", "fresh", {"version": 3, "checkpoint": {"stack": "organization/payments-api/fresh"}}
    )
    backend = open_backend(state.root.as_uri())

    checkpoint = backend.checkpoint(backend.stacks()[0])

    assert (checkpoint.resources, checkpoint.time) == ([], None)
    assert backend.problems == []


def test_legacy_stacks_have_no_project_and_the_layout_is_reported(tmp_path):
    legacy = StateDir(tmp_path / "legacy", legacy=True)
    legacy.stack("payments-api", "dev")
    legacy.update("payments-api", "dev")
    legacy.lock("payments-api", "dev")

    backend = open_backend(legacy.root.as_uri())
    state = backend.read()

    assert state.layout == "legacy"
    assert [s.ref.qualified for s in state.stacks] == ["dev"]
    assert state.stacks[0].ref.project is None
    assert state.stacks[0].checkpoint.project == "payments-api"
    assert [u.kind for u in state.stacks[0].history] == ["update"]
    assert state.stacks[0].locked
    assert any("legacy (non-project) layout" in m and "pulumi state upgrade" in m for m in messages(backend))


def test_meta_yaml_version_0_is_the_legacy_layout_even_with_project_folders(tmp_path):
    legacy = StateDir(tmp_path / "legacy", legacy=True)
    legacy._write(".pulumi/meta.yaml", b"version: 0\n")
    legacy.stack("payments-api", "dev")
    (legacy.root / ".pulumi/stacks/payments-api").mkdir()
    (legacy.root / ".pulumi/stacks/payments-api/prod.json").write_bytes(b"{}")

    assert names(open_backend(legacy.root.as_uri())) == [(None, "dev")]


def test_without_meta_yaml_an_empty_state_is_project_scoped(tmp_path):
    (tmp_path / "empty").mkdir()

    backend = open_backend((tmp_path / "empty").as_uri())

    assert (backend.layout, backend.stacks(), backend.problems) == ("project", [], [])


def test_legacy_stack_files_in_a_project_state_are_reported_not_listed(state):
    state.stack("payments-api", "dev")
    state.legacy_stack("old-prod")

    backend = open_backend(state.root.as_uri())

    assert names(backend) == [("payments-api", "dev")]
    assert messages(backend) == [
        "legacy stack files the Pulumi CLI does not list in project mode: old-prod (`pulumi state upgrade` moves them)"
    ]


def test_an_unknown_meta_yaml_version_refuses_the_state_as_the_cli_does(state):
    state.stack("payments-api", "dev")
    (state.root / ".pulumi/meta.yaml").write_text("version: 2\n")

    backend = open_backend(state.root.as_uri())

    assert backend.stacks() == []
    assert len(backend.problems) == 1
    assert "has version 2" in messages(backend)[0] and "refuses this state" in messages(backend)[0]


def test_a_meta_yaml_without_a_version_is_corrupt(state):
    (state.root / ".pulumi/meta.yaml").write_text("layout: project\n")

    backend = open_backend(state.root.as_uri())

    assert backend.stacks() == [] and "is corrupt (no version)" in messages(backend)[0]


def test_bak_tags_attrs_tmp_and_retained_copies_are_not_stacks(state):
    state.stack("payments-api", "dev")
    state.backup("payments-api", "dev", state.checkpoint("payments-api", "dev"))
    stacks = state.root / ".pulumi/stacks/payments-api"
    (stacks / "dev.pulumi-tags").write_text('{"version":1,"tags":{"team":"payments"}}')
    (stacks / "dev.json.1796000000123456789").write_bytes(b"{}")  # PULUMI_RETAIN_CHECKPOINTS
    (stacks / "dev.json.18a2b3c4d5e6f708.tmp").write_bytes(b"{")  # fileblob mid-write
    (stacks / "bad name!.json").write_bytes(b"{}")
    (state.root / ".pulumi/stacks/payments-api/nested").mkdir()
    (state.root / ".pulumi/stacks/payments-api/nested/deep.json").write_bytes(b"{}")

    backend = open_backend(state.root.as_uri())

    assert names(backend) == [("payments-api", "dev")]
    assert backend.problems == []


def test_a_gzip_checkpoint_is_read(state):
    state.stack("payments-api", "dev", gz=True)
    backend = open_backend(state.root.as_uri())

    (ref,) = backend.stacks()

    assert ref.path.endswith("dev.json.gz")
    assert len(backend.checkpoint(ref).resources) == 4


@pytest.mark.parametrize(
    ("json_mtime", "gz_mtime", "read"),
    [(1_700_000_000, 1_700_000_100, ".json.gz"), (1_700_000_100, 1_700_000_000, ".json")],
)
def test_of_json_and_json_gz_the_most_recently_written_is_read(state, json_mtime, gz_mtime, read):
    one_bucket = state.checkpoint("payments-api", "dev", resources("payments-api", "dev", buckets=1))
    state.stack("payments-api", "dev", one_bucket, mtime=json_mtime)
    state.stack("payments-api", "dev", gz=True, mtime=gz_mtime)
    backend = open_backend(state.root.as_uri())

    (ref,) = backend.stacks()

    assert ref.path.endswith(f"dev{read}")
    assert len(backend.checkpoint(ref).resources) == (4 if read == ".json.gz" else 3)


def test_zstd_checkpoints_are_read_or_named_as_needing_zstandard(state):
    state.stack("payments-api", "dev", raw=b"\x28\xb5\x2f\xfd" + b"\x00" * 16)
    backend = open_backend(state.root.as_uri())

    checkpoint = backend.checkpoint(backend.stacks()[0])

    try:
        import zstandard  # noqa: F401
    except ImportError:
        assert checkpoint is None
        assert "needs the zstandard package" in messages(backend)[0]
    else:
        assert checkpoint is None and "not valid zstd" in messages(backend)[0]


# -- history ------------------------------------------------------------------------------------


def test_history_lists_the_updates_newest_first_as_pulumi_stack_history_does(state):
    state.stack("payments-api", "dev")
    state.update("payments-api", "dev", "update", "succeeded", {"create": 4})
    state.update("payments-api", "dev", "update", "failed", {"same": 1})
    state.update("payments-api", "dev", "refresh", "succeeded", {"same": 4})
    backend = open_backend(state.root.as_uri())

    history = backend.history(backend.stacks()[0])

    assert [(u.kind, u.result, u.resource_changes) for u in history] == [
        ("refresh", "succeeded", {"same": 4}),
        ("update", "failed", {"same": 1}),
        ("update", "succeeded", {"create": 4}),
    ]
    assert history[-1].start.timestamp() == 1_796_000_060
    assert history[-1].end.timestamp() == 1_796_000_063
    assert history[-1].version == 0
    assert history[-1].environment["pulumi.version"] == ENGINE
    assert history[-1].checkpoint_path.endswith("dev-1796000060000000123.checkpoint.json")


def test_gzip_history_files_are_read_beside_plain_ones(state):
    state.stack("payments-api", "dev")
    state.update("payments-api", "dev", "update")
    state.update("payments-api", "dev", "destroy", changes={"delete": 4}, gz=True)
    backend = open_backend(state.root.as_uri())

    history = backend.history(backend.stacks()[0])

    assert [u.kind for u in history] == ["destroy", "update"]
    assert history[0].checkpoint_path.endswith(".checkpoint.json.gz")


def test_a_stack_never_updated_has_no_history(state):
    state.stack("payments-api", "dev")
    backend = open_backend(state.root.as_uri())

    assert backend.history(backend.stacks()[0]) == []


def test_a_corrupt_history_file_is_a_problem_and_the_others_are_read(state):
    state.stack("payments-api", "dev")
    state.update("payments-api", "dev", "update")
    state.update("payments-api", "dev", "refresh", raw=b'{"kind": "refr')
    backend = open_backend(state.root.as_uri())

    history = backend.history(backend.stacks()[0])

    assert [u.kind for u in history] == ["update"]
    assert len(backend.problems) == 1
    assert "history file" in messages(backend)[0] and "not valid JSON" in messages(backend)[0]


# -- problems -----------------------------------------------------------------------------------


def test_a_locked_stack_is_reported_with_who_holds_the_lock(state):
    state.stack("payments-api", "dev")
    state.stack("payments-api", "prod")
    state.lock("payments-api", "prod", username="deploy", hostname="runner-7", pid=4242)
    # An unlocked stack keeps its (empty) lock folder after an update: not a lock.
    (state.root / ".pulumi/locks/organization/payments-api/dev").mkdir(parents=True)
    backend = open_backend(state.root.as_uri())
    dev, prod = backend.stacks()

    assert (backend.locked(dev), backend.locked(prod)) == (False, True)
    assert messages(backend) == [
        "organization/payments-api/prod: locked by 1 lock(s) (deploy@runner-7 pid 4242 at 2026-11-30T09:15:00Z): "
        "an update is running or was interrupted, so the checkpoint may not be final "
        "(`pulumi cancel` removes a stale lock)"
    ]


def test_a_corrupt_checkpoint_is_a_problem_and_the_other_stacks_are_still_read(state):
    state.stack("payments-api", "dev", raw=b'{"version":3,"checkpoint":{"stack":')
    state.stack("payments-api", "prod")

    read = open_backend(state.root.as_uri()).read()

    assert [s.checkpoint is None for s in read.stacks] == [True, False]
    assert [str(p) for p in read.problems] == [
        f"organization/payments-api/dev: checkpoint {state.root}/.pulumi/stacks/payments-api/dev.json is "
        "unreadable: not valid JSON (Expecting value)"
    ]


def test_a_truncated_gzip_checkpoint_is_a_problem(state):
    data = gzip.compress(compact(state.checkpoint("payments-api", "dev")))
    state.stack("payments-api", "dev", raw=data[: len(data) // 2], gz=True)
    backend = open_backend(state.root.as_uri())

    assert backend.checkpoint(backend.stacks()[0]) is None
    assert "not valid gzip" in messages(backend)[0]


@pytest.mark.parametrize("version", [5, 99, -1])
def test_a_checkpoint_version_the_cli_refuses_is_a_problem(state, version):
    document = state.checkpoint("payments-api", "dev")
    document["version"] = version
    state.stack("payments-api", "dev", document)
    backend = open_backend(state.root.as_uri())

    assert backend.checkpoint(backend.stacks()[0]) is None
    assert f"checkpoint version {version} is not one the Pulumi CLI reads" in messages(backend)[0]


def test_a_version_4_checkpoint_with_a_feature_the_cli_does_not_know_is_refused(state):
    document = {**state.checkpoint("payments-api", "dev"), "version": 4, "features": ["views", "teleport"]}
    state.stack("payments-api", "dev", document)
    backend = open_backend(state.root.as_uri())

    assert backend.checkpoint(backend.stacks()[0]) is None
    assert "needs features the Pulumi CLI v3.274.1 does not know (teleport)" in messages(backend)[0]


def test_a_version_4_checkpoint_with_known_features_is_read(state):
    document = {**state.checkpoint("payments-api", "dev"), "version": 4, "features": ["views"]}
    state.stack("payments-api", "dev", document)
    backend = open_backend(state.root.as_uri())

    checkpoint = backend.checkpoint(backend.stacks()[0])

    assert (checkpoint.version, checkpoint.features, len(checkpoint.resources)) == (4, ("views",), 4)


def test_version_1_and_unversioned_checkpoints_are_migrated_as_the_cli_migrates_them(state):
    v1_resource = {
        "urn": "urn:pulumi:dev::payments-api::aws:s3/bucket:Bucket::logs",
        "custom": True,
        "id": "logs",
        "type": "aws:s3/bucket:Bucket",
        "inputs": {"bucket": "logs", "acl": "private"},
        "defaults": {"acl": "private"},
        "outputs": {"bucket": "logs"},
        "dependencies": ["urn:pulumi:dev::payments-api::aws:iam/role:Role::r"],
        "initErrors": None,
    }
    state.stack(
        "payments-api",
        "dev",
        {"version": 1, "checkpoint": {"stack": "dev", "latest": {"resources": [v1_resource]}}},
    )
    # Version 0: from before VersionedCheckpoint, the whole file is the checkpoint.
    state.stack("payments-api", "old", raw=compact({"stack": "old", "latest": {"resources": [v1_resource]}}))
    backend = open_backend(state.root.as_uri())

    migrated = [backend.checkpoint(ref).resources for ref in backend.stacks()]

    expected = {
        "urn": "urn:pulumi:dev::payments-api::aws:s3/bucket:Bucket::logs",
        "custom": True,
        "id": "logs",
        "type": "aws:s3/bucket:Bucket",
        "inputs": {"bucket": "logs", "acl": "private"},
        "outputs": {"bucket": "logs"},
        "dependencies": ["urn:pulumi:dev::payments-api::aws:iam/role:Role::r"],
        "propertyDependencies": {
            "bucket": ["urn:pulumi:dev::payments-api::aws:iam/role:Role::r"],
            "acl": ["urn:pulumi:dev::payments-api::aws:iam/role:Role::r"],
        },
    }
    assert migrated == [[expected], [expected]]
    assert [backend.checkpoint(ref).version for ref in backend.stacks()] == [1, 0]


def test_pending_operations_of_an_interrupted_update_are_a_problem(state):
    document = state.checkpoint("payments-api", "dev")
    bucket = resources("payments-api", "dev")[2]
    document["checkpoint"]["latest"]["pending_operations"] = [{"resource": bucket, "type": "creating"}]
    state.stack("payments-api", "dev", document)
    backend = open_backend(state.root.as_uri())

    checkpoint = backend.checkpoint(backend.stacks()[0])

    assert checkpoint.pending_operations[0]["resource"]["urn"] == bucket["urn"]
    assert (
        "1 pending operation(s) from an interrupted update (the first: creating " + bucket["urn"]
        in messages(backend)[0]
    )


# -- secrets ------------------------------------------------------------------------------------


def test_secrets_become_the_marker_and_no_ciphertext_or_salt_is_kept(state):
    state.stack("payments-api", "dev")
    state.update("payments-api", "dev")
    backend = open_backend(state.root.as_uri())

    read = backend.read()

    bucket = read.stacks[0].checkpoint.resources[2]
    assert bucket["outputs"]["token"] is SECRET
    assert repr(SECRET) == "[secret]"
    everything = repr(read)
    assert "CIPHERTEXT-7f3c9a" not in everything
    assert "SALT-7f3c9a" not in everything


def test_an_export_with_show_secrets_plaintext_is_masked_too(tmp_path):
    found = resources("payments-api", "dev", buckets=1)
    found[2]["outputs"]["token"] = {SIG: SECRET_SIG, "plaintext": '"PLAINTEXT-7f3c9a"'}
    export = tmp_path / "dev.json"
    export.write_text(json.dumps({"version": 3, "deployment": {"resources": found}}))

    read = open_backend(export).read()

    assert read.stacks[0].checkpoint.resources[2]["outputs"]["token"] == SECRET
    assert "PLAINTEXT-7f3c9a" not in repr(read)


# -- export files -------------------------------------------------------------------------------


def export_file(path: Path, project: str, stack: str, version: int = 3) -> Path:
    deployment = {
        "manifest": {"time": MANIFEST_TIME, "version": ENGINE},
        "resources": resources(project, stack),
    }
    path.write_text(json.dumps({"version": version, "deployment": deployment}, indent=4))
    return path


def test_an_export_file_is_a_stack_named_by_its_root_stack_urn(tmp_path):
    export = export_file(tmp_path / "export.json", "payments-api", "prod")

    backend = open_backend(export)

    assert backend.layout == "export"
    assert backend.stacks() == [StackRef("payments-api", "prod", str(export))]
    checkpoint = backend.checkpoint(backend.stacks()[0])
    assert (checkpoint.version, len(checkpoint.resources)) == (3, 4)
    assert (backend.history(backend.stacks()[0]), backend.locked(backend.stacks()[0])) == ([], False)


def test_several_export_files_are_several_stacks(tmp_path):
    files = [
        export_file(tmp_path / "a.json", "payments-api", "prod"),
        export_file(tmp_path / "b.json", "catalog-k8s", "dev"),
    ]

    assert names(open_backend(files)) == [("catalog-k8s", "dev"), ("payments-api", "prod")]


@pytest.mark.parametrize(("version", "words"), [(5, "too new"), (0, "too old")])
def test_an_export_of_a_version_the_cli_refuses_is_a_problem(tmp_path, version, words):
    export = export_file(tmp_path / "dev.json", "payments-api", "dev", version=version)

    backend = open_backend(export)

    assert backend.checkpoint(backend.stacks()[0]) is None
    assert f"deployment version {version} is {words} for the Pulumi CLI" in messages(backend)[0]


def test_a_corrupt_export_is_a_problem_and_the_other_exports_are_read(tmp_path):
    good = export_file(tmp_path / "good.json", "payments-api", "prod")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")

    read = open_backend([good, bad]).read()

    assert [(s.ref.name, s.checkpoint is not None) for s in read.stacks] == [("bad", False), ("prod", True)]
    assert [str(p) for p in read.problems] == [
        f"bad: {bad} is unreadable: not valid JSON (Expecting property name enclosed in double quotes)"
    ]


def test_an_export_written_by_goldenpath_check_reads_back(payments_dev, tmp_path):
    from goldenpath.state import to_deployment

    deployment = to_deployment(payments_dev)
    export = tmp_path / "payments-dev.json"
    export.write_text(json.dumps(deployment))

    backend = open_backend(export)

    (ref,) = backend.stacks()
    assert (ref.project, ref.name) == ("payments-api", "dev")
    assert [r["urn"] for r in backend.checkpoint(ref).resources] == [
        r["urn"] for r in deployment["deployment"]["resources"]
    ]
    assert backend.problems == []


# -- URLs ---------------------------------------------------------------------------------------


def test_file_urls_resolve_tilde_and_relative_paths_as_the_cli_does(tmp_path, monkeypatch):
    home = tmp_path / "home"
    StateDir(home / "states" / "team").stack("payments-api", "dev")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home)

    for url in (
        "file://~/states/team",
        "file://states/team",
        "file://./states/team",
        "file://~/states/team?no_tmp_dir=true",
    ):
        assert names(open_backend(url)) == [("payments-api", "dev")], url


def test_a_file_url_with_a_query_parameter_fileblob_refuses_is_an_error(state):
    with pytest.raises(BackendError, match="invalid query parameter 'colour'"):
        open_backend(state.root.as_uri() + "?colour=blue")


def test_a_missing_directory_is_an_error(tmp_path):
    with pytest.raises(BackendError, match="no such state directory"):
        open_backend((tmp_path / "nowhere").as_uri())


def test_other_schemes_are_refused_with_what_is_read(tmp_path):
    with pytest.raises(BackendError, match="a gs:// backend is not read here; give a file:// or s3:// URL"):
        open_backend("gs://bucket/prefix")


def test_an_unknown_s3_query_parameter_is_refused_as_the_cli_refuses_it():
    with pytest.raises(BackendError, match="unknown query parameter 'colour'"):
        open_backend("s3://bucket/prefix?region=us-east-1&colour=blue")


def test_an_s3_boolean_parameter_takes_what_go_parsebool_takes():
    with pytest.raises(BackendError, match="invalid value 'yes' for the query parameter 's3ForcePathStyle'"):
        open_backend("s3://bucket/prefix?s3ForcePathStyle=yes")


def test_reading_writes_nothing(state):
    # No meta.yaml: the CLI would write one on opening; a reader must not.
    (state.root / ".pulumi/meta.yaml").unlink()
    (state.root / ".pulumi/meta.yaml.attrs").unlink()
    state.stack("payments-api", "dev")
    state.update("payments-api", "dev")
    state.lock("payments-api", "dev")
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in state.root.rglob("*") if p.is_file()}

    open_backend(state.root.as_uri()).read()

    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in state.root.rglob("*") if p.is_file()}
    assert after == before


# -- S3 -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Dummy credentials, and none of this machine's AWS configuration."""
    use_dummy_aws_credentials(monkeypatch, tmp_path)


def upload(endpoint: str, root: Path, bucket: str, prefix: str) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=bucket)
    for path in sorted(root.rglob("*")):
        # S3 has no fileblob sidecars.
        if path.is_file() and not path.name.endswith(".attrs"):
            s3.put_object(
                Bucket=bucket, Key=f"{prefix}/{path.relative_to(root).as_posix()}", Body=path.read_bytes()
            )


@pytest.fixture
def team_state(tmp_path) -> StateDir:
    state = StateDir(tmp_path / "team")
    state.stack("payments-api", "dev")
    state.stack("payments-api", "prod", gz=True)
    state.backup("payments-api", "prod", state.checkpoint("payments-api", "prod"))
    state.stack("catalog-k8s", "dev", raw=b"{corrupt")
    state.update("payments-api", "dev", "update", "succeeded", {"create": 4})
    state.update("payments-api", "dev", "refresh", "succeeded", {"same": 4}, gz=True)
    state.lock("payments-api", "prod")
    return state


def without_paths(read):
    """What was read, with locations (a file path, an s3:// key) set aside."""
    return [
        (
            s.ref.project,
            s.ref.name,
            s.checkpoint and (s.checkpoint.version, s.checkpoint.resources, s.checkpoint.time),
            [(u.kind, u.result, u.start, u.end, u.resource_changes) for u in s.history],
            s.locked,
        )
        for s in read.stacks
    ]


def test_an_s3_backend_under_a_prefix_reads_as_the_same_directory_does(moto_endpoint, aws_env, team_state):
    upload(moto_endpoint, team_state.root, "states", "teams/payments")
    url = f"s3://states/teams/payments?endpoint={moto_endpoint}&s3ForcePathStyle=true&region=us-east-1"

    from_s3 = open_backend(url).read()
    from_disk = open_backend(team_state.root.as_uri()).read()

    assert without_paths(from_s3) == without_paths(from_disk)
    assert from_s3.stacks[2].ref.path == "s3://states/teams/payments/.pulumi/stacks/payments-api/prod.json.gz"
    assert [str(p).split(": ", 1)[0] for p in from_s3.problems] == [
        "organization/catalog-k8s/dev",
        "organization/payments-api/prod",
    ]
    assert from_s3.url == "s3://states/teams/payments"


def test_an_s3_endpoint_without_a_scheme_uses_http_when_disable_ssl_says_so(
    moto_endpoint, aws_env, team_state
):
    upload(moto_endpoint, team_state.root, "legacy-params", "x")
    hostport = moto_endpoint.removeprefix("http://")
    url = f"s3://legacy-params/x?endpoint={hostport}&disableSSL=true&s3ForcePathStyle=true&region=us-east-1"

    backend = open_backend(url)

    assert names(backend) == [("catalog-k8s", "dev"), ("payments-api", "dev"), ("payments-api", "prod")]


def test_an_s3_profile_is_read_from_the_shared_config(
    moto_endpoint, aws_env, team_state, tmp_path, monkeypatch
):
    upload(moto_endpoint, team_state.root, "by-profile", "p")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    credentials = tmp_path / "credentials"
    credentials.write_text("[audit]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    base = f"s3://by-profile/p?endpoint={moto_endpoint}&s3ForcePathStyle=true&region=us-east-1"

    assert len(open_backend(base + "&profile=audit").stacks()) == 3
    missing = open_backend(base + "&profile=nobody")
    assert missing.stacks() == []
    assert messages(missing) == ["s3://by-profile/p: no AWS profile 'nobody'; nothing was read"]


def closed_port() -> int:
    """A loopback port nothing listens on once the probe is closed: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_s3_role_is_assumed_through_sts(moto_endpoint, aws_env, team_state, monkeypatch):
    upload(moto_endpoint, team_state.root, "by-role", "r")
    url = (
        f"s3://by-role/r?endpoint={moto_endpoint}&s3ForcePathStyle=true&region=us-east-1"
        "&role=arn:aws:iam::123456789012:role/state-reader"
    )
    # STS at moto's endpoint (moto serves every service on one port), then at a closed port.
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_endpoint)
    assert len(open_backend(url).stacks()) == 3

    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{closed_port()}")
    refused = open_backend(url)
    assert messages(refused) == [
        "s3://by-role/r: cannot assume the role arn:aws:iam::123456789012:role/state-reader "
        "(EndpointConnectionError); nothing was read"
    ]


def test_s3_query_parameters_map_onto_boto3_as_gocloud_reads_them():
    settings = s3_settings(
        "s3://states/teams/payments?region=eu-west-1&endpoint=minio.internal:9000&disableSSL=true"
        "&s3ForcePathStyle=true&profile=audit&fips=true&awssdk=v2"
    )

    assert (settings.bucket, settings.prefix) == ("states", "teams/payments/")
    assert settings.endpoint_url == "http://minio.internal:9000"
    assert (settings.region, settings.profile, settings.addressing_style, settings.fips) == (
        "eu-west-1",
        "audit",
        "path",
        True,
    )
    config = settings.config(3, 10)
    assert config.s3 == {"addressing_style": "path"}
    assert (config.connect_timeout, config.retries) == (3, {"total_max_attempts": 2, "mode": "standard"})


def test_an_s3_url_without_parameters_is_virtual_hosted_aws_over_https():
    settings = s3_settings("s3://states")

    assert (settings.prefix, settings.endpoint_url, settings.use_ssl, settings.addressing_style) == (
        "",
        None,
        True,
        None,
    )


def test_use_path_style_and_hostname_immutable_also_mean_path_addressing():
    assert s3_settings("s3://b?use_path_style=1").addressing_style == "path"
    assert (
        s3_settings("s3://b?hostname_immutable=true&endpoint=https://s3.example").addressing_style == "path"
    )
    assert s3_settings("s3://b?s3ForcePathStyle=false").addressing_style is None


def test_a_missing_bucket_is_one_problem(moto_endpoint, aws_env):
    backend = open_backend(
        f"s3://no-such-bucket/x?endpoint={moto_endpoint}&s3ForcePathStyle=true&region=us-east-1"
    )

    assert backend.stacks() == []
    assert messages(backend) == [
        "s3://no-such-bucket/x: the bucket 'no-such-bucket' does not exist; nothing was read"
    ]


def test_an_unreachable_endpoint_is_one_problem_line_and_no_traceback(aws_env, capsys):
    port = closed_port()
    started = time.monotonic()

    read = open_backend(
        f"s3://states/teams?endpoint=http://127.0.0.1:{port}&s3ForcePathStyle=true&region=us-east-1"
    ).read()

    assert time.monotonic() - started < 15
    assert read.stacks == []
    assert [str(p) for p in read.problems] == [
        f"s3://states/teams: cannot reach the S3 endpoint http://127.0.0.1:{port} (EndpointConnectionError); nothing was read"
    ]
    said = capsys.readouterr()
    assert "Traceback" not in said.out + said.err


def test_endpoint_credentials_in_a_url_are_never_shown(aws_env):
    port = closed_port()

    backend = open_backend(
        f"s3://states?endpoint=http://minio:PASSWORD-7f3c9a@127.0.0.1:{port}&s3ForcePathStyle=true"
    )

    assert "PASSWORD-7f3c9a" not in repr(backend.read())
    assert "****:****@127.0.0.1" in messages(backend)[0]
