"""Policy fixtures: resources as data, evaluated by a pack over the analyzer protocol.

A fixture file ``fixtures/<pack>/<policy-id>.yaml`` holds the resources one policy is judged on
and the exact set of those it must flag::

    policy: aws-s3-versioning-enabled
    config: {}                       # optional: this policy's pack config
    resources:
      - name: good-bucket
        type: aws:s3/bucket:Bucket
        props: {bucket: good-bucket}
      - name: good-versioning
        type: aws:s3/bucketVersioning:BucketVersioning
        props: {bucket: good-bucket, versioningConfiguration: {status: Enabled}}
        dependsOn: {bucket: good-bucket}   # property dependencies, by resource name
        parents: [goldenpath:aws:Service]  # optional: ancestor types, outermost first, as in the URN
    fail: [bad-bucket]               # exactly these names are flagged; every other must pass
    undecided: [later-bucket]        # optional: these get only "can't run policy" (decided after apply)
    unknown_passes: [keyed-bucket]   # optional: failing resources that pass once every value is unknown
                                     # (say why in a comment: e.g. an unknown key ARN is a key that is set)

``!unknown ""`` stands for a value not known until apply (preview), ``!secret <value>`` for a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import struct_pb2
from pulumi.runtime.rpc import UNKNOWN

from goldenpath.analyzer import Diagnostic, PolicyPackProcess, ResourceInput

FIXTURES = Path(__file__).parent / "fixtures"
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
URN_PREFIX = "urn:pulumi:test::fixtures::"


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!unknown", lambda loader, node: UNKNOWN)
_Loader.add_constructor(
    "!secret",
    lambda loader, node: {SECRET_SIG_KEY: SECRET_SIG, "value": loader.construct_scalar(node)},
)


def urn_for(resource_type: str, name: str, parents: list[str] | tuple[str, ...] = ()) -> str:
    return f"{URN_PREFIX}{'$'.join([*parents, resource_type])}::{name}"


@dataclass
class FixtureResource:
    name: str
    type: str
    props: dict[str, Any]
    depends_on: dict[str, list[str]] = field(default_factory=dict)
    parents: list[str] = field(default_factory=list)

    @property
    def urn(self) -> str:
        return urn_for(self.type, self.name, self.parents)


@dataclass
class Fixture:
    path: Path
    policy: str
    resources: list[FixtureResource]
    fail: set[str]
    config: dict[str, Any]
    undecided: set[str] = field(default_factory=set)
    unknown_passes: set[str] = field(default_factory=set)

    @property
    def passing(self) -> set[str]:
        return {r.name for r in self.resources} - self.fail

    def inputs(self) -> list[ResourceInput]:
        urns = {r.name: r.urn for r in self.resources}
        result = []
        for r in self.resources:
            props = struct_pb2.Struct()
            props.update(r.props)
            deps = {key: [urns[n] for n in names] for key, names in r.depends_on.items()}
            result.append(
                ResourceInput(
                    urn=r.urn,
                    type=r.type,
                    name=r.name,
                    properties=props,
                    dependencies=sorted({u for us in deps.values() for u in us}),
                    property_dependencies=deps,
                )
            )
        return result


def load_fixture(path: Path) -> Fixture:
    doc = yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 - our own loader, SafeLoader-based
    resources = []
    for item in doc["resources"]:
        depends = {k: v if isinstance(v, list) else [v] for k, v in (item.get("dependsOn") or {}).items()}
        resources.append(
            FixtureResource(
                item["name"], item["type"], item.get("props") or {}, depends, list(item.get("parents") or [])
            )
        )
    names = [r.name for r in resources]
    assert len(names) == len(set(names)), f"{path}: resource names must be unique"
    fail = set(doc.get("fail") or [])
    assert fail <= set(names), f"{path}: fail names {sorted(fail - set(names))} are not resources"
    undecided = set(doc.get("undecided") or [])
    assert undecided <= set(names) - fail, f"{path}: undecided names must be resources not in fail"
    unknown_passes = set(doc.get("unknown_passes") or [])
    assert unknown_passes <= fail, f"{path}: unknown_passes names must be in fail"
    return Fixture(
        path, doc["policy"], resources, fail, dict(doc.get("config") or {}), undecided, unknown_passes
    )


def fixtures_for(pack: str) -> list[Fixture]:
    return [load_fixture(p) for p in sorted((FIXTURES / pack).glob("*.yaml"))]


def evaluate(pack: PolicyPackProcess, fixture: Fixture) -> list[Diagnostic]:
    """The diagnostics ``fixture.policy`` reports on the fixture's resources."""
    pack.configure({fixture.policy: fixture.config} if fixture.config else None)
    return [d for d in pack.evaluate(fixture.inputs()) if d.policy == fixture.policy]


CANT_RUN = "can't run policy"


def flagged_names(fixture: Fixture, diagnostics: list[Diagnostic]) -> set[str]:
    by_urn = {r.urn: r.name for r in fixture.resources}
    return {by_urn.get(d.urn, d.urn) for d in diagnostics}


def verdict_names(fixture: Fixture, diagnostics: list[Diagnostic]) -> set[str]:
    """The names flagged with a verdict, not with "can't run policy" (a value unknown until apply)."""
    return flagged_names(fixture, [d for d in diagnostics if not d.message.startswith(CANT_RUN)])
