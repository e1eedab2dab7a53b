"""Upgrading from the last release replaces or deletes nothing that its migration notes do not announce.

Every stack under stacks/ (with each of its stack configs) and every blueprint's example config (in
each environment) runs under the Pulumi mocks twice: with the last released wheel (releases/) in
a temporary virtualenv, and with this checkout. See goldenpath.upgrade_safety.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from goldenpath import __version__
from goldenpath import upgrade_safety as us

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> us.UpgradeReport:
    return us.check_upgrade(us.latest_release(), ROOT / "stacks", tmp_path_factory.mktemp("upgrade"))


def test_the_release_snapshots_came_from_the_released_wheel_not_this_checkout(report):
    assert report.release == _wheel_version(us.latest_release())
    assert report.comparisons, "nothing was compared"


def test_upgrading_from_the_last_release_deletes_or_replaces_nothing_unannounced(report):
    assert report.failed == {}
    unannounced = [f"{c.label}: {change.describe()}" for c in report.comparisons for change in c.unannounced]

    assert unannounced == []


def test_every_stack_and_blueprint_of_the_release_is_compared(report):
    compared = {c.label for c in report.comparisons}
    stacks = {
        f"stack {p.parent.name} ({p.name.removeprefix('Pulumi.').removesuffix('.yaml')})"
        for p in (ROOT / "stacks").glob("*/Pulumi.*.yaml")
    }

    # Only what the release did not have goes uncompared, and each says so.
    assert stacks <= compared | set(report.not_compared)
    assert all(why.startswith(f"new since {report.release}") for why in report.not_compared.values())
    assert {"stack payments-api (dev)", "stack catalog-k8s (prod)", "stack bootstrap (prod)"} <= compared
    assert {
        f"blueprint {b} ({e})" for b in ("web-service", "k8s-service", "bootstrap") for e in ("dev", "prod")
    } <= compared
    # Hundreds of URNs, each matched or accounted for.
    assert sum(c.old_count for c in report.comparisons) > 500


def test_every_type_this_version_builds_has_replace_on_change_data_for_the_next_upgrade(report):
    rules = us.load_rules()

    assert len(report.built_types) > 60
    assert sorted(t for t in report.built_types if rules.for_type(t) is None) == []


def _semver(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(x) for x in version.split("."))
    return major, minor, patch


def test_each_blueprint_version_moved_as_far_as_what_it_builds_changed(report):
    needed: dict[str, tuple[str, str, str]] = {}
    order = {"none": 0, "minor": 1, "major": 2}
    for c in report.comparisons:
        if c.label.startswith("blueprint "):
            name = c.label.split()[1]
            bump = max(c.required_bump(), needed.get(name, ("none",))[0], key=order.get)
            needed[name] = (bump, *c.versions)

    wrong = []
    for name, (bump, old, new) in sorted(needed.items()):
        (o_major, o_minor, _), (n_major, n_minor, _) = _semver(old), _semver(new)
        moved = {"major": n_major > o_major, "minor": (n_major, n_minor) > (o_major, o_minor), "none": True}
        if not moved[bump] or _semver(new) < _semver(old):
            wrong.append(f"{name}: {old} → {new}, but its change needs a {bump} version")
    assert wrong == []
    # K8sService gained the namespace's quota and limits since the release.
    assert needed["k8s-service"] == ("minor", "1.0.0", "1.1.0")


def _wheel_version(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return re.search(r"^Version: (\S+)$", archive.read(metadata).decode(), re.M).group(1)


def test_each_kept_release_is_recorded_with_its_commit_and_digest():
    index = (ROOT / "releases" / "README.md").read_text()
    for wheel in sorted((ROOT / "releases").glob("*.whl")):
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        version = _wheel_version(wheel)

        assert re.search(
            rf"^\| {re.escape(version)} \| `v{re.escape(version)}` \| `[0-9a-f]{{40}}` \| `{digest}` \|",
            index,
            re.M,
        ), version


def test_this_version_is_newer_than_every_release():
    def key(version: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", version)[:3])

    assert all(key(__version__) > key(_wheel_version(w)) for w in (ROOT / "releases").glob("*.whl"))
