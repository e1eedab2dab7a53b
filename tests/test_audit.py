"""``goldenpath audit`` (goldenpath.audit) on state written in the Pulumi CLI's file layout.

The states are ``goldenpath check`` runs of our stacks and examples written by
goldenpath.state.to_deployment, some edited by hand, and a few resources written out in full where
a count must be known by construction. One estate (a file backend, an S3 backend on a moto server
on loopback, and an S3 endpoint nobody answers) is audited once with memoization and once without;
most tests read those two reports. tests/engine/test_audit_engine.py audits state the real CLI
wrote.
"""

from __future__ import annotations

import copy
import html
import json
import re
import socket
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import jsonschema
import pytest
from moto.server import ThreadedMotoServer
from typer.testing import CliRunner

from goldenpath import __version__
from goldenpath.audit import (
    SCHEMA_VERSION,
    AuditError,
    audit,
    delivery,
    dumps,
    exit_code,
    merge_reports,
    print_text,
)
from goldenpath.backends import Update
from goldenpath.check import check_stack
from goldenpath.cli import app
from goldenpath.state import to_deployment

from .conftest import ROOT, STACKS, use_dummy_aws_credentials

EXAMPLES = ROOT / "tests" / "examples"
SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
CIPHERTEXT = "v1:AUDIT-CIPHERTEXT-3f9a:never-shown"
MANIFEST_TIME = "2026-11-30T09:15:42.123456789Z"
STACK = "pulumi:pulumi:Stack"


# --- Writing state as the CLI writes it -------------------------------------------------------------


def checkpoint(project: str, stack: str, resources: list[dict], version: int = 3) -> dict:
    return {
        "version": version,
        "checkpoint": {
            "stack": f"organization/{project}/{stack}",
            "latest": {
                "manifest": {"time": MANIFEST_TIME, "magic": "", "version": "v3.274.1"},
                "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:SALT"}},
                "resources": resources,
            },
        },
    }


class Backend:
    """A project-scoped file backend (pkg/backend/diy layout)."""

    def __init__(self, root: Path):
        self.root = root
        (root / ".pulumi").mkdir(parents=True, exist_ok=True)
        (root / ".pulumi" / "meta.yaml").write_text("version: 1\n")

    def stack(
        self, project: str, stack: str, resources: list[dict] | None = None, *, raw: bytes | None = None
    ):
        path = self.root / ".pulumi" / "stacks" / project / f"{stack}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            raw if raw is not None else json.dumps(checkpoint(project, stack, resources)).encode()
        )
        return path

    def update(self, project: str, stack: str, kind: str, result: str, start: datetime, minutes: float = 5):
        end = start + timedelta(minutes=minutes)
        info = {
            "kind": kind,
            "startTime": int(start.timestamp()),
            "message": "",
            "environment": {},
            "config": {},
            "result": result,
            "endTime": int(end.timestamp()),
            "version": 1,
            "resourceChanges": {"same": 1},
        }
        folder = self.root / ".pulumi" / "history" / project / stack
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{stack}-{int(start.timestamp()) * 1_000_000_000}.history.json").write_text(
            json.dumps(info)
        )

    def lock(self, project: str, stack: str) -> None:
        folder = self.root / ".pulumi" / "locks" / "organization" / project / stack
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "0b7c3d6e-lock.json").write_text(
            json.dumps({"pid": 4242, "username": "ci", "hostname": "runner-7", "timestamp": MANIFEST_TIME})
        )


def renamed(resources: list[dict], old: tuple[str, str], new: tuple[str, str]) -> list[dict]:
    """The resources as the CLI writes them for another project and stack: ``old``/``new`` are
    (project, stack)."""
    text = json.dumps(resources)
    text = text.replace(f"{STACK}::{old[0]}-{old[1]}", f"{STACK}::{new[0]}-{new[1]}")
    text = text.replace(f"urn:pulumi:{old[1]}::{old[0]}::", f"urn:pulumi:{new[1]}::{new[0]}::")
    return json.loads(text)


def tags(team: str, version: str, service: str = "svc") -> dict:
    return {
        "team": team,
        "service": service,
        "environment": "dev",
        "cost-center": "cc-1",
        "managed-by": "goldenpath",
        "goldenpath:blueprint": "WebService",
        "goldenpath:version": version,
    }


def hand_written(project: str, stack: str, version: str = __version__) -> list[dict]:
    """A stack counted by construction: 8 resources (9 with one being deleted), 3 of them cloud
    resources (2 inside goldenpath components), a provider and a read (external) VPC."""
    prefix = f"urn:pulumi:{stack}::{project}::"
    root = f"{prefix}{STACK}::{project}-{stack}"
    provider = f"{prefix}pulumi:providers:aws::default"
    blueprint = f"{prefix}goldenpath:blueprints:WebService::svc"
    logging = f"{prefix}goldenpath:blueprints:WebService$goldenpath:aws:Logging::svc-logs"
    chain = "goldenpath:blueprints:WebService$goldenpath:aws:Logging$aws:cloudwatch/logGroup:LogGroup"

    def log_group(name: str) -> dict:
        inputs = {
            "name": f"/goldenpath/svc/dev/{name}",
            "retentionInDays": 365,
            "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k",
            "tags": tags("payments", version),
        }
        return {
            "urn": f"{prefix}{chain}::svc-{name}",
            "custom": True,
            "id": f"/goldenpath/svc/dev/{name}",
            "type": "aws:cloudwatch/logGroup:LogGroup",
            "inputs": inputs,
            "outputs": {**inputs, "arn": f"arn:aws:logs:eu-west-1:123456789012:log-group:{name}"},
            "parent": logging,
            "provider": f"{provider}::prov-id",
        }

    return [
        {"urn": root, "custom": False, "type": STACK, "outputs": {}},
        {
            "urn": provider,
            "custom": True,
            "id": "prov-id",
            "type": "pulumi:providers:aws",
            "inputs": {"region": "eu-west-1"},
            "outputs": {"region": "eu-west-1"},
        },
        {"urn": blueprint, "custom": False, "type": "goldenpath:blueprints:WebService", "parent": root},
        {"urn": logging, "custom": False, "type": "goldenpath:aws:Logging", "parent": blueprint},
        log_group("app"),
        log_group("audit"),
        {
            "urn": f"{prefix}aws:s3/bucket:Bucket::loose-bucket",
            "custom": True,
            "id": "loose-bucket",
            "type": "aws:s3/bucket:Bucket",
            "inputs": {"bucket": "loose-bucket", "tags": tags("data", version)},
            "outputs": {"bucket": "loose-bucket", "tags": tags("data", version)},
            "parent": root,
            "provider": f"{provider}::prov-id",
        },
        {
            "urn": f"{prefix}aws:ec2/vpc:Vpc::shared-vpc",
            "custom": True,
            "id": "vpc-0abc",
            "type": "aws:ec2/vpc:Vpc",
            "external": True,
            "outputs": {"cidrBlock": "10.0.0.0/16"},
            "parent": root,
        },
        {
            "urn": f"{prefix}aws:s3/bucket:Bucket::old-bucket",
            "custom": True,
            "id": "old-bucket",
            "type": "aws:s3/bucket:Bucket",
            "inputs": {"bucket": "old-bucket"},
            "outputs": {"bucket": "old-bucket"},
            "parent": root,
            "delete": True,
        },
    ]


def secret(value: str = CIPHERTEXT) -> dict:
    return {SIG: SECRET_SIG, "ciphertext": value}


# --- The estate -----------------------------------------------------------------------------------

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # ISO week 2026-W45
# (kind, result, start) of the stack organization/delivery/prod; every entry takes 5 minutes.
HISTORY = [
    ("update", "succeeded", MONDAY),
    ("update", "failed", MONDAY + timedelta(days=1)),  # ends 09:05 on Tuesday
    ("update", "failed", MONDAY + timedelta(days=1, hours=1)),
    ("update", "succeeded", MONDAY + timedelta(days=1, hours=2)),  # ends 11:05: restored after 2 h
    ("refresh", "succeeded", MONDAY + timedelta(days=3)),
    ("update", "failed", MONDAY + timedelta(days=9)),  # W46, ends 09:05
    ("update", "succeeded", MONDAY + timedelta(days=9, hours=3)),  # ends 12:05: restored after 3 h
    ("import", "succeeded", MONDAY + timedelta(days=10)),
    ("destroy", "failed", MONDAY + timedelta(days=11)),
    ("update", "succeeded", MONDAY + timedelta(days=14)),  # W47
    ("update", "failed", MONDAY + timedelta(days=21)),  # W48, 3 weeks after the first; not restored
]


@pytest.fixture(scope="module")
def runs():
    """check runs of the example stacks (the state the estate is made of)."""
    return {
        "payments-api": check_stack(STACKS / "payments-api", "dev"),
        "waived-aws": check_stack(EXAMPLES / "waived-aws", "dev", packs=["aws_security"]),
    }


@pytest.fixture(scope="module")
def aws_env():
    """Dummy credentials, and none of this machine's AWS configuration."""
    with pytest.MonkeyPatch.context() as patch:
        use_dummy_aws_credentials(patch, Path("/nonexistent"))
        yield


@pytest.fixture(scope="module")
def moto_endpoint(aws_env):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def upload(endpoint: str, root: Path, bucket: str, prefix: str) -> None:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            s3.put_object(
                Bucket=bucket, Key=f"{prefix}/{path.relative_to(root).as_posix()}", Body=path.read_bytes()
            )


def payments_state(runs) -> list[dict]:
    return to_deployment(runs["payments-api"].run)["deployment"]["resources"]


def kms_key(resources: list[dict]) -> dict:
    return next(r for r in resources if r["type"] == "aws:kms/key:Key")


@pytest.fixture(scope="module")
def estate(runs, tmp_path_factory, moto_endpoint):
    root = tmp_path_factory.mktemp("estate")
    files = Backend(root / "files")
    payments = payments_state(runs)
    files.stack("payments-api", "dev", payments)
    # The same stack under other names: its verdicts come from the memo, re-stamped.
    files.stack(
        "payments-api-eu",
        "staging",
        renamed(payments, ("payments-api", "dev"), ("payments-api-eu", "staging")),
    )
    edited = renamed(payments, ("payments-api", "dev"), ("payments-api-edited", "dev"))
    kms_key(edited)["inputs"]["enableKeyRotation"] = False  # rotation switched off by hand
    files.stack("payments-api-edited", "dev", edited)
    waived = to_deployment(runs["waived-aws"].run)["deployment"]["resources"]
    files.stack("waived-aws", "dev", waived)
    files.stack("counted", "dev", hand_written("counted", "dev"))
    files.stack("behind-one", "dev", hand_written("behind-one", "dev", version="0.0.9"))
    files.stack("behind-two", "dev", hand_written("behind-two", "dev", version="0.0.5"))
    secrets = hand_written("secrets", "dev")
    secrets.append(
        {
            "urn": "urn:pulumi:dev::secrets::aws:kms/key:Key::sealed-key",
            "custom": True,
            "id": "sealed-key",
            "type": "aws:kms/key:Key",
            "inputs": {"enableKeyRotation": secret(), "description": secret()},
            "outputs": {"enableKeyRotation": secret(), "description": secret(), "arn": "arn:aws:kms:k"},
            "parent": secrets[0]["urn"],
        }
    )
    files.stack("secrets", "dev", secrets)
    files.stack("delivery", "prod", hand_written("delivery", "prod"))
    for kind, result, start in HISTORY:
        files.update("delivery", "prod", kind, result, start)
    files.stack("broken", "dev", raw=b'{"version": 3, "checkpoint": {"latest": {"resources": [')
    files.stack("future", "dev", raw=json.dumps(checkpoint("future", "dev", [], version=99)).encode())
    files.stack("locked", "dev", hand_written("locked", "dev"))
    files.lock("locked", "dev")

    bucket_side = Backend(root / "bucket")
    bucket_side.stack("on-s3", "prod", hand_written("on-s3", "prod"))
    upload(moto_endpoint, bucket_side.root, "states", "platform")
    s3 = f"s3://states/platform?endpoint={moto_endpoint}&s3ForcePathStyle=true&region=us-east-1"
    unreachable = (
        f"s3://gone/x?endpoint=http://127.0.0.1:{closed_port()}&s3ForcePathStyle=true&region=us-east-1"
    )
    return [files.root.as_uri(), s3, unreachable]


@pytest.fixture(scope="module")
def report(estate):
    return audit(estate)


@pytest.fixture(scope="module")
def unmemoized(estate):
    return audit(estate, memoize=False)


def stack(report: dict, name: str) -> dict:
    (found,) = [s for s in report["stacks"] if s["qualifiedName"] == name]
    return found


def verdicts(entry: dict, pack: str | None = None) -> Counter:
    return Counter(
        (f["policy"], f["urn"], f["enforcement"], f["status"])
        for f in entry["findings"]
        if pack is None or f["pack"] == pack
    )


def check_verdicts(result) -> Counter:
    return Counter(
        (f.policy, f.urn, f.enforcement, f.status)
        for f in result.findings
        if f.status in ("violation", "suppressed", "not-evaluated")
    )


# --- Adoption ---------------------------------------------------------------------------------------


def test_adoption_is_counted_exactly_on_a_stack_written_by_hand(report):
    counted = stack(report, "organization/counted/dev")

    assert counted["resources"] == 8  # the deleted bucket is not counted
    assert counted["customResources"] == 3  # not the provider, not the read VPC
    assert counted["customInsideGoldenpath"] == 2
    assert counted["components"] == {"goldenpath:aws:Logging": 1, "goldenpath:blueprints:WebService": 1}
    assert counted["blueprints"] == [
        {
            "type": "goldenpath:blueprints:WebService",
            "name": "svc",
            "version": __version__,
            "versionsBehind": 0,
        }
    ]
    assert counted["team"] == "payments"  # two resources say payments, one says data
    assert counted["lastUpdate"] == "2026-11-30T09:15:42Z"


def test_adoption_of_a_generated_stack_matches_the_run_it_was_written_from(report, runs):
    run = runs["payments-api"].run
    entry = stack(report, "organization/payments-api/dev")
    cloud = [r for r in run.stack_view if r.custom and not r.type.startswith("pulumi:providers:")]

    assert entry["resources"] == len(run.stack_view)
    assert entry["customResources"] == entry["customInsideGoldenpath"] == len(cloud)
    assert entry["components"] == dict(
        sorted(Counter(r.type for r in run.stack_view if r.type.startswith("goldenpath:")).items())
    )
    assert [(b["type"], b["name"], b["version"]) for b in entry["blueprints"]] == [
        ("goldenpath:blueprints:WebService", "payments-api", __version__)
    ]
    assert entry["team"] == "payments"


def test_stacks_behind_the_newest_version_say_by_how_many_versions(report):
    behind = {
        name: stack(report, f"organization/{name}/dev")["blueprints"][0]
        for name in ("counted", "behind-one", "behind-two")
    }

    assert {name: (b["version"], b["versionsBehind"]) for name, b in behind.items()} == {
        "counted": (__version__, 0),
        "behind-one": ("0.0.9", 2),  # the released 0.1.0 and the installed version are newer
        "behind-two": ("0.0.5", 3),  # and 0.0.9, which a stack runs
    }
    assert report["newestBlueprintVersions"]["goldenpath:blueprints:WebService"] == __version__
    assert report["summary"]["stacksBehind"] == 2
    versions = {(v["blueprint"], v["version"]): v["stacks"] for v in report["blueprintVersions"]}
    assert versions[("goldenpath:blueprints:WebService", "0.0.5")] == 1
    assert versions[("goldenpath:blueprints:WebService", "0.0.9")] == 1


# --- Standards after deployment -------------------------------------------------------------------


def test_the_audit_of_a_generated_stack_reports_what_check_reported(report, runs):
    entry = stack(report, "organization/payments-api/dev")

    assert verdicts(entry) == check_verdicts(runs["payments-api"])
    assert all(f["source"] == "state" for f in entry["findings"])


def test_a_setting_changed_in_state_by_hand_is_a_violation(report):
    original = stack(report, "organization/payments-api/dev")
    edited = stack(report, "organization/payments-api-edited/dev")
    key = next(f["urn"] for f in edited["findings"] if f["policy"] == "aws-kms-key-rotation")

    new = {(p, u.replace("payments-api-edited", "payments-api"), e, s) for p, u, e, s in verdicts(edited)}
    assert new - set(verdicts(original)) == {
        ("aws-kms-key-rotation", key.replace("payments-api-edited", "payments-api"), "advisory", "violation")
    }
    (finding,) = [f for f in edited["findings"] if f["policy"] == "aws-kms-key-rotation"]
    assert finding["resourceType"] == "aws:kms/key:Key" and finding["severity"] == "medium"
    assert "enableKeyRotation" in finding["message"]


def test_waivers_are_honoured_and_an_expired_one_is_a_violation_again(report, runs):
    entry = stack(report, "organization/waived-aws/dev")
    expired = next(r.urn for r in runs["waived-aws"].run.stack_view if r.name == "expired-waiver-topic")

    # check ran the AWS pack only; the audit runs every shipped pack.
    assert verdicts(entry, "goldenpath-aws-security") == check_verdicts(runs["waived-aws"])
    assert {
        (f["policy"], f["urn"].rsplit("::", 1)[1]) for f in entry["findings"] if f["status"] == "suppressed"
    } == {("aws-sns-encryption", "waived-topic")}
    assert entry["expiredWaivers"] == [
        {
            "policy": "aws-sns-encryption",
            "urn": expired,
            "expiry": "2020-01-01",
            "reason": "carries only public build notifications",
        }
    ]
    assert report["summary"]["expiredWaivers"] == 1


def test_a_policy_that_needs_a_secret_value_is_not_evaluated_and_the_value_never_shown(report):
    entry = stack(report, "organization/secrets/dev")
    (sealed,) = [
        f
        for f in entry["findings"]
        if f["urn"].endswith("::sealed-key") and f["policy"] == "aws-kms-key-rotation"
    ]
    text = text_of(report)

    assert sealed["status"] == "not-evaluated"
    assert "secret" in sealed["message"]
    assert CIPHERTEXT not in dumps(report) and CIPHERTEXT not in text


def text_of(report: dict) -> str:
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    print_text(report, Console(file=out, width=200))
    return out.getvalue()


def test_the_text_report_lists_expired_waivers_and_problems_and_gives_the_verdict(report):
    text = text_of(report)

    assert "expired waivers" in text and "EXPIRED 2020-01-01 aws-sns-encryption" in text
    assert "organization/broken/dev" in text and "PROBLEM" in text
    assert text.rstrip().splitlines()[-1].startswith("FAILED 13 stacks")


def test_memoized_verdicts_are_the_verdicts_of_every_resource_judged_afresh(report, unmemoized):
    assert {s["qualifiedName"]: s["findings"] for s in report["stacks"]} == {
        s["qualifiedName"]: s["findings"] for s in unmemoized["stacks"]
    }


def test_a_stack_copied_under_other_names_gets_the_same_verdicts_on_its_own_urns(report):
    original = stack(report, "organization/payments-api/dev")
    copy_ = stack(report, "organization/payments-api-eu/staging")

    assert all(f["urn"].startswith("urn:pulumi:staging::payments-api-eu::") for f in copy_["findings"])
    assert [
        {
            **f,
            "urn": f["urn"].replace(
                "urn:pulumi:staging::payments-api-eu::", "urn:pulumi:dev::payments-api::"
            ),
        }
        for f in copy_["findings"]
    ] == original["findings"]


# --- Delivery -------------------------------------------------------------------------------------


def test_delivery_metrics_come_from_the_update_history(report):
    d = stack(report, "organization/delivery/prod")["delivery"]

    assert {k: v for k, v in d.items() if k != "history"} == {
        "updates": 8,
        "failedUpdates": 4,
        "changeFailureRate": 0.5,
        "deploymentsPerWeek": 2.67,  # 8 updates over the 3 weeks from the first to the last
        "meanTimeToRestoreHours": 2.5,  # (2 h + 3 h) / 2; the last failure is not restored yet
        "lastSuccessfulDeploy": "2026-11-16T09:05:00Z",
        "refreshes": 1,
        "destroys": 1,
        "imports": 1,
        "previews": 0,
    }
    assert d["history"][0] == {
        "kind": "update",
        "result": "failed",
        "start": "2026-11-23T09:00:00Z",
        "end": "2026-11-23T09:05:00Z",
    }
    assert len(d["history"]) == len(HISTORY)


def test_deployments_by_week_count_every_stacks_updates_in_iso_weeks(report):
    weeks = {w["week"]: (w["updates"], w["failed"]) for w in report["deploymentsByWeek"]}

    assert weeks == {"2026-W45": (4, 2), "2026-W46": (2, 1), "2026-W47": (1, 0), "2026-W48": (1, 1)}
    assert [w["week"] for w in report["deploymentsByWeek"]] == sorted(weeks)


def test_without_updates_no_rate_is_made_up():
    assert delivery([])["changeFailureRate"] is None
    assert delivery([])["deploymentsPerWeek"] is None
    assert delivery([])["meanTimeToRestoreHours"] is None


def test_updates_within_one_week_count_as_one_week():
    def update(hours: float) -> Update:
        start = MONDAY + timedelta(hours=hours)
        return Update("update", "succeeded", start, start + timedelta(minutes=1), {}, 1, "", {}, "", None)

    assert delivery([update(0), update(5), update(30)])["deploymentsPerWeek"] == 3.0


# --- Problems -------------------------------------------------------------------------------------


def test_what_cannot_be_read_is_a_problem_and_the_rest_is_audited(report):
    problems = {(p["stack"], p["message"].split(";")[0]) for p in report["problems"]}
    by_stack = {p["stack"]: p["message"] for p in report["problems"]}

    assert "unreadable" in by_stack["organization/broken/dev"]
    assert "checkpoint version 99" in by_stack["organization/future/dev"]
    assert "locked by 1 lock(s)" in by_stack["organization/locked/dev"]
    assert any(stack is None and "cannot reach the S3 endpoint" in message for stack, message in problems)
    assert report["summary"]["problems"] == len(report["problems"]) == 4
    # The locked stack is still audited, and so is everything else.
    assert stack(report, "organization/locked/dev")["customResources"] == 3
    assert stack(report, "organization/on-s3/prod")["source"].startswith("s3://states/platform?endpoint=")
    assert stack(report, "organization/broken/dev")["resources"] == 0
    assert report["summary"]["stacks"] == 13


def test_any_problem_mandatory_violation_or_expired_waiver_fails_the_audit(report):
    assert exit_code(report) == 1
    clean = copy.deepcopy(report)
    clean["summary"].update(mandatory=0, expiredWaivers=0, problems=0)
    assert exit_code(clean) == 0


def test_an_unknown_pack_or_a_source_that_names_no_backend_is_a_usage_error(tmp_path):
    with pytest.raises(AuditError, match="no such state directory"):
        audit([str(tmp_path / "missing")])
    with pytest.raises(AuditError, match="neither a shipped pack"):
        audit([tmp_path.as_uri()], packs=["no-such-pack"])
    with pytest.raises(AuditError, match="no source given"):
        audit([])


# --- The report's shape ---------------------------------------------------------------------------

NUMBER_OR_NULL = {"type": ["number", "null"]}
STRING_OR_NULL = {"type": ["string", "null"]}


def _object(properties: dict) -> dict:
    return {"type": "object", "required": list(properties), "properties": properties}


FINDING = _object(
    {
        "policy": {"type": "string"},
        "pack": {"type": "string"},
        "severity": {"type": "string"},
        "enforcement": {"enum": ["mandatory", "advisory"]},
        "status": {"enum": ["violation", "suppressed", "not-evaluated"]},
        "message": {"type": "string"},
        "urn": {"type": "string"},
        "resourceType": {"type": "string"},
        "source": {"enum": ["state", "live"]},
    }
)
STACK_ENTRY = _object(
    {
        "project": STRING_OR_NULL,
        "stack": {"type": "string"},
        "qualifiedName": {"type": "string"},
        "source": {"type": "string"},
        "team": STRING_OR_NULL,
        "blueprints": {
            "type": "array",
            "items": _object(
                {
                    "type": {"type": "string"},
                    "name": {"type": "string"},
                    "version": STRING_OR_NULL,
                    "versionsBehind": {"type": ["integer", "null"]},
                }
            ),
        },
        "resources": {"type": "integer"},
        "customResources": {"type": "integer"},
        "customInsideGoldenpath": {"type": "integer"},
        "components": {"type": "object", "additionalProperties": {"type": "integer"}},
        "lastUpdate": STRING_OR_NULL,
        "findings": {"type": "array", "items": FINDING},
        "expiredWaivers": {
            "type": "array",
            "items": _object(
                {
                    "policy": {"type": "string"},
                    "urn": {"type": "string"},
                    "expiry": {"type": "string"},
                    "reason": {"type": "string"},
                }
            ),
        },
        "delivery": _object(
            {
                "updates": {"type": "integer"},
                "failedUpdates": {"type": "integer"},
                "changeFailureRate": NUMBER_OR_NULL,
                "deploymentsPerWeek": NUMBER_OR_NULL,
                "meanTimeToRestoreHours": NUMBER_OR_NULL,
                "lastSuccessfulDeploy": STRING_OR_NULL,
                "refreshes": {"type": "integer"},
                "destroys": {"type": "integer"},
                "imports": {"type": "integer"},
                "previews": {"const": 0},
                "history": {
                    "type": "array",
                    "items": _object(
                        {
                            "kind": {"type": "string"},
                            "result": {"type": "string"},
                            "start": STRING_OR_NULL,
                            "end": STRING_OR_NULL,
                        }
                    ),
                },
            }
        ),
        "drift": {"type": ["array", "null"]},
        "problems": {"type": "array", "items": {"type": "string"}},
    }
)
REPORT = _object(
    {
        "schemaVersion": {"const": SCHEMA_VERSION},
        "generatedAt": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"},
        "goldenpathVersion": {"type": "string"},
        "sources": {"type": "array", "items": {"type": "string"}},
        "packs": {
            "type": "array",
            "items": _object({"name": {"type": "string"}, "version": {"type": "string"}}),
        },
        "live": {"type": "boolean"},
        "summary": _object(
            {
                "stacks": {"type": "integer"},
                "resources": {"type": "integer"},
                "customResources": {"type": "integer"},
                "customInsideGoldenpath": {"type": "integer"},
                "adoptionPercent": NUMBER_OR_NULL,
                "bySeverity": _object(
                    {s: {"type": "integer"} for s in ("critical", "high", "medium", "low")}
                ),
                "mandatory": {"type": "integer"},
                "advisory": {"type": "integer"},
                "suppressed": {"type": "integer"},
                "expiredWaivers": {"type": "integer"},
                "updates": {"type": "integer"},
                "failedUpdates": {"type": "integer"},
                "changeFailureRate": NUMBER_OR_NULL,
                "stacksBehind": {"type": "integer"},
                "drifted": {"type": "integer"},
                "problems": {"type": "integer"},
            }
        ),
        "newestBlueprintVersions": {"type": "object", "additionalProperties": {"type": "string"}},
        "stacks": {"type": "array", "items": STACK_ENTRY},
        "teams": {
            "type": "array",
            "items": _object(
                {
                    "team": STRING_OR_NULL,
                    "stacks": {"type": "integer"},
                    "resources": {"type": "integer"},
                    "adoptionPercent": NUMBER_OR_NULL,
                    "mandatory": {"type": "integer"},
                    "advisory": {"type": "integer"},
                    "stacksBehind": {"type": "integer"},
                }
            ),
        },
        "blueprintVersions": {
            "type": "array",
            "items": _object(
                {"blueprint": {"type": "string"}, "version": STRING_OR_NULL, "stacks": {"type": "integer"}}
            ),
        },
        "deploymentsByWeek": {
            "type": "array",
            "items": _object(
                {
                    "week": {"type": "string", "pattern": r"^\d{4}-W\d{2}$"},
                    "updates": {"type": "integer"},
                    "failed": {"type": "integer"},
                }
            ),
        },
        "problems": {
            "type": "array",
            "items": _object({"stack": STRING_OR_NULL, "message": {"type": "string"}}),
        },
    }
)


def test_the_report_has_the_documented_shape(report):
    jsonschema.Draft7Validator(REPORT).validate(json.loads(dumps(report)))


def test_the_summary_adds_up_the_stacks(report):
    s = report["summary"]
    violations = [f for st in report["stacks"] for f in st["findings"] if f["status"] == "violation"]

    assert s["stacks"] == len(report["stacks"])
    assert s["resources"] == sum(st["resources"] for st in report["stacks"])
    assert s["mandatory"] + s["advisory"] == len(violations) == sum(s["bySeverity"].values())
    assert s["adoptionPercent"] == round(100 * s["customInsideGoldenpath"] / s["customResources"], 1)
    assert [t["team"] for t in report["teams"]] == ["payments", None]  # None: the stacks not read
    assert sum(t["stacks"] for t in report["teams"]) == s["stacks"]
    assert report["packs"] and all(p["version"] for p in report["packs"])


# --- Merge ----------------------------------------------------------------------------------------


def shards(report: dict) -> list[dict]:
    """The report as two sharded jobs would have written it."""
    halves = []
    for part in (report["stacks"][::2], report["stacks"][1::2]):
        shard = copy.deepcopy(report)
        shard["stacks"] = copy.deepcopy(part)
        shard["problems"] = [p for p in report["problems"] if p["stack"] is None]
        halves.append(shard)
    return halves


def without_time(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "generatedAt"}


def test_merged_shards_give_the_report_of_the_whole(report):
    merged = merge_reports(shards(report))

    assert without_time(merged)["summary"] == report["summary"]
    for key in ("teams", "blueprintVersions", "deploymentsByWeek", "newestBlueprintVersions"):
        assert merged[key] == report[key], key
    assert sorted(s["qualifiedName"] for s in merged["stacks"]) == sorted(
        s["qualifiedName"] for s in report["stacks"]
    )


def test_merge_recomputes_how_far_behind_each_shard_is(report):
    first, second = shards(report)
    for s in first["stacks"] + second["stacks"]:
        for b in s["blueprints"]:
            b["versionsBehind"] = None  # what each shard saw must not matter
    merged = merge_reports([first, second])

    assert stack(merged, "organization/behind-two/dev")["blueprints"][0]["versionsBehind"] == 3


def test_a_stack_in_two_shards_is_kept_once_and_said_so(report):
    merged = merge_reports([report, report], ["a.json", "b.json"])

    assert merged["summary"]["stacks"] == report["summary"]["stacks"]
    assert any("audited in a.json and in b.json" in p["message"] for p in merged["problems"])


def test_reports_of_another_schema_version_are_refused(report):
    other = {**report, "schemaVersion": SCHEMA_VERSION + 1}

    with pytest.raises(AuditError, match="schemaVersion 2"):
        merge_reports([report, other], ["a.json", "b.json"])


# --- The command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli")
    clean = Backend(root / "clean")
    clean.stack("counted", "dev", hand_written("counted", "dev"))
    failing = Backend(root / "failing")
    resources = hand_written("counted", "dev")
    resources[4]["inputs"]["tags"].pop("team")  # platform-required-tags, mandatory
    failing.stack("counted", "dev", resources)
    return {"clean": clean.root.as_uri(), "failing": failing.root.as_uri(), "root": str(root)}


runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def platform_config(small) -> str:
    # Only the policies the clean hand-written stack passes (the loose bucket is outside goldenpath).
    path = Path(small["root"]) / "config.json"
    path.write_text(json.dumps({"platform-golden-path-adoption": "disabled"}))
    return str(path)


def test_a_clean_audit_exits_0_and_prints_the_tables(small, platform_config):
    result = cli("audit", small["clean"], "--pack", "platform_standards", "--pack-config", platform_config)

    assert result.exit_code == 0, result.output
    assert "organization/counted/dev" in result.output and "PASSED" in result.output
    assert "Traceback" not in result.output


def test_a_mandatory_violation_exits_1_and_still_writes_the_report(small, platform_config, tmp_path):
    out = tmp_path / "report.json"
    result = cli(
        "audit",
        small["failing"],
        "--pack",
        "platform_standards",
        "--pack-config",
        platform_config,
        "--format",
        "json",
        "--output",
        str(out),
    )

    assert result.exit_code == 1, result.output
    document = json.loads(out.read_text())
    assert document["summary"]["mandatory"] == 1
    assert document["stacks"][0]["findings"][0]["policy"] == "platform-required-tags"


@pytest.mark.parametrize(
    "args, says",
    [
        (["/nonexistent/state"], "no such state directory"),
        (["gs://bucket"], "a gs:// backend is not read here"),
        (["{clean}", "--pack", "no-such-pack"], "neither a shipped pack"),
        (["{clean}", "--pack-config", "/nonexistent/config.json"], "--pack-config"),
        (["merge"], "name the JSON reports to merge"),
        (["merge", "{report}", "--pack", "aws_security"], "report files only"),
    ],
)
def test_usage_errors_exit_2_with_one_line_and_no_traceback(small, tmp_path, args, says):
    report_file = tmp_path / "r.json"
    report_file.write_text("{}")
    result = cli("audit", *[a.format(clean=small["clean"], report=report_file) for a in args])

    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output


def test_html_and_live_need_their_modules_or_exit_2_saying_so(small, platform_config, tmp_path):
    import importlib.util

    html = cli(
        "audit",
        small["clean"],
        "--pack",
        "platform_standards",
        "--pack-config",
        platform_config,
        "--format",
        "html",
        "--output",
        str(tmp_path / "s.html"),
    )

    if importlib.util.find_spec("goldenpath.scorecard") is None:
        assert html.exit_code == 2 and "needs goldenpath.scorecard" in html.output
    else:
        assert html.exit_code == 0, html.output
        assert "<html" in (tmp_path / "s.html").read_text().lower()
    if importlib.util.find_spec("goldenpath.drift") is None:
        live = cli("audit", small["clean"], "--pack", "platform_standards", "--live")
        assert live.exit_code == 2 and "needs goldenpath.drift" in live.output


def test_audit_merge_merges_shard_reports_and_refuses_another_schema(report, tmp_path):
    first, second = shards(report)
    (tmp_path / "a.json").write_text(dumps(first))
    (tmp_path / "b.json").write_text(dumps(second))
    (tmp_path / "v2.json").write_text(dumps({**second, "schemaVersion": 2}))
    out = tmp_path / "all.json"

    merged = cli(
        "audit",
        "merge",
        str(tmp_path / "a.json"),
        str(tmp_path / "b.json"),
        "--format",
        "json",
        "-o",
        str(out),
    )
    refused = cli("audit", "merge", str(tmp_path / "a.json"), str(tmp_path / "v2.json"), "-o", str(out))

    assert merged.exit_code == exit_code(report) == 1
    assert json.loads(out.read_text())["summary"] == report["summary"]
    assert refused.exit_code == 2 and "schemaVersion 2" in refused.output


# --- Live -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_backend(tmp_path_factory) -> str:
    backend = Backend(tmp_path_factory.mktemp("live"))
    backend.stack("live", "dev", hand_written("live", "dev"))
    return backend.root.as_uri()


def test_live_values_are_judged_by_the_same_packs_and_drift_is_reported_without_secrets(live_backend):
    from goldenpath.backends import SECRET

    asked = []

    def read_live(resources, *, region):
        asked.append(region)
        group = next(r for r in resources if r["urn"].endswith("::svc-app"))
        shortened = {**group["inputs"], "retentionInDays": 1}
        drift = [
            {
                "urn": group["urn"],
                "type": group["type"],
                "id": group["id"],
                "field": "retentionInDays",
                "state": 365,
                "live": 1,
            },
            {
                "urn": group["urn"],
                "type": group["type"],
                "id": group["id"],
                "field": "kmsKeyId",
                "state": SECRET,
                "live": None,
            },
        ]
        return drift, [{**group, "inputs": shortened, "outputs": shortened}], ["svc-audit: AccessDenied"]

    report = audit([live_backend], packs=["aws_security"], live=read_live)
    entry = stack(report, "organization/live/dev")

    assert asked == ["eu-west-1"]
    assert report["live"] is True and report["summary"]["drifted"] == 1
    assert entry["drift"][0]["live"] == 1 and entry["drift"][1]["state"] == "[secret]"
    assert [
        (f["policy"], f["urn"].rsplit("::", 1)[1]) for f in entry["findings"] if f["source"] == "live"
    ] == [("aws-cloudwatch-log-retention", "svc-app")]
    assert "svc-audit: AccessDenied" in entry["problems"]


def test_a_live_read_that_fails_is_a_problem_and_the_state_is_still_audited(live_backend):
    def broken(resources, *, region):
        raise RuntimeError("boom")

    report = audit([live_backend], packs=["aws_security"], live=broken)
    entry = stack(report, "organization/live/dev")

    assert entry["drift"] == [] and entry["findings"]
    assert entry["problems"] == ["live read failed (RuntimeError); drift not reported"]


def test_live_drift_read_from_a_moto_server_is_audited(live_backend, moto_endpoint):
    import functools

    drift = pytest.importorskip("goldenpath.drift")
    logs = boto3.client("logs", endpoint_url=moto_endpoint, region_name="eu-west-1")
    logs.create_log_group(logGroupName="/goldenpath/svc/dev/app")
    logs.put_retention_policy(logGroupName="/goldenpath/svc/dev/app", retentionInDays=1)

    report = audit(
        [live_backend],
        packs=["aws_security"],
        live=functools.partial(drift.live_drift, endpoint_url=moto_endpoint),
    )
    entry = stack(report, "organization/live/dev")

    assert {(d["urn"].rsplit("::", 1)[1], d["field"], d["live"]) for d in entry["drift"]} >= {
        ("svc-app", "retentionInDays", 1),
        ("svc-audit", "*", None),  # never created: gone from the account
    }
    assert ("aws-cloudwatch-log-retention", "svc-app", "live") in {
        (f["policy"], f["urn"].rsplit("::", 1)[1], f["source"]) for f in entry["findings"]
    }


# --- Sources --------------------------------------------------------------------------------------


def test_credentials_in_a_source_are_never_shown():
    from goldenpath.audit import redact

    assert (
        redact("s3://states/x?endpoint=https://AKIAEXAMPLE:s3cr3t@minio.internal:9000&s3ForcePathStyle=true")
        == "s3://states/x?endpoint=https://****:****@minio.internal:9000&s3ForcePathStyle=true"
    )
    assert redact("file:///srv/state") == "file:///srv/state"


def test_export_files_are_audited_as_the_stacks_their_urns_name(runs, tmp_path):
    export = tmp_path / "payments-api-dev.json"
    export.write_text(json.dumps(to_deployment(runs["payments-api"].run)))

    report = audit([str(export)], packs=["platform_standards"])

    (entry,) = report["stacks"]
    assert entry["qualifiedName"] == "organization/payments-api/dev"
    assert entry["source"] == str(export) and report["sources"] == [str(export)]
    assert entry["customResources"] > 0 and not entry["problems"]


@pytest.mark.slow
def test_the_scorecard_of_a_real_audit_draws_every_chart_in_chromium(report, tmp_path):
    """The HTML of this audit (not a hand-made report) opened in headless Chromium: each chart
    that has data is drawn with a size, and its bars are as many as the report's values."""
    from goldenpath.scorecard import CHARTS, render_html

    from .referees.outside import require
    from .test_scorecard import chromium_binary, run_chromium, with_measuring_script

    binary = require(
        chromium_binary(), "Chromium", "set GOLDENPATH_CHROMIUM to the path `bash .ci/chromium.sh` prints"
    )
    page = tmp_path / "audit.html"
    page.write_text(with_measuring_script(render_html(report)), encoding="utf-8")

    dumped = run_chromium(binary, tmp_path / "profile", "--dump-dom", page.as_uri()).stdout

    found = re.search(r'<pre id="measurements">(.*?)</pre>', dumped, re.DOTALL)
    assert found, dumped[:2000]
    charts = {c["name"]: c for c in json.loads(html.unescape(found.group(1)))["charts"]}
    assert set(charts) == set(CHARTS)
    for chart in charts.values():
        assert chart["width"] > 100 and chart["height"] > 50, chart
    teams = {t["team"] for t in report["teams"]}
    assert len(charts["adoption-by-team"]["bars"]) == len(teams)
    assert sum(b["value"] for b in charts["deploys-by-week"]["bars"]) == sum(
        w["updates"] for w in report["deploymentsByWeek"]
    )
