"""Upgrade safety: what ``pulumi up`` after a goldenpath upgrade would replace or delete.

A platform promises that a new goldenpath version replaces or deletes nothing a team did not ask
for. This module checks that promise the way the engine keeps it:

1. The same program with the same stack config runs under the Pulumi mocks twice: once with the
   previous release installed (its wheel in a temporary virtualenv, see :func:`release_python`) and
   once at this version. Each run is a *snapshot*: every resource's URN, type, parent, inputs and
   ``aliases`` option (:mod:`goldenpath._upgrade_snapshot`).
2. :func:`compare` matches the new resources to the old ones as the engine's step generator does:
   by URN first, then by the resource's aliases, with the aliases a renamed parent passes on to its
   children (``generateAliases``, ``collapseAliasToUrn`` and ``inheritedChildAlias`` in
   pulumi/pulumi's pkg/resource/deploy/step_generator.go).
3. An old resource no new one claims is a **delete**. A matched custom resource whose inputs differ
   on a property its provider replaces on change is a **replace**. Which properties those are is data
   (``goldenpath/replace_on_change/``): pulumi-kubernetes's own table, and for pulumi-aws the
   arguments terraform-provider-aws marks ForceNew / RequiresReplace, each file naming its source
   commit. A custom resource of a type with no entry is **unjudged**, which fails too: nothing is
   passed that could not be examined.
4. A delete or replace is accepted only when the migration notes of a version after the release
   announce it (:func:`migration_notes`: goldenpath/templates/migrations.yaml, the notes
   ``goldenpath upgrade`` prints to a team).

What this does not see: a provider's Diff can also replace for reasons outside its inputs (a
CustomizeDiff function, a changed provider configuration), and ``replaceOnChanges`` /
``deleteBeforeReplace`` options are not compared. Values never appear in a report (inputs may hold
secrets): only URNs and property paths.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = Path(__file__).parent / "replace_on_change"
SNAPSHOT_SCRIPT = Path(__file__).parent / "_upgrade_snapshot.py"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
# Inputs every AWS resource has that never force a replacement.
_NEVER_REPLACE = frozenset({"tags", "tagsAll"})


# --- replace-on-change rules -----------------------------------------------------------------------


@dataclass(frozen=True)
class TypeRule:
    """The input paths whose change makes the provider replace a resource of one type."""

    paths: tuple[str, ...] = ()
    # Every input (tags and ``updatable`` aside) forces a new resource, e.g. a task definition revision.
    every_input: bool = False
    updatable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rules:
    aws: Mapping[str, TypeRule]
    kubernetes_kinds: Mapping[str, TypeRule]
    kubernetes_every_kind: tuple[str, ...]
    sources: Mapping[str, Mapping[str, str]]

    def for_type(self, type_token: str) -> TypeRule | None:
        """The rule for a resource type; None where the data does not know the type."""
        package, _, rest = type_token.partition(":")
        if package == "kubernetes":
            kind = self.kubernetes_kinds.get(rest, TypeRule())
            return TypeRule(paths=(*self.kubernetes_every_kind, *kind.paths))
        if package == "aws":
            return self.aws.get(type_token)
        return None


@cache
def load_rules(rules_dir: Path = RULES_DIR) -> Rules:
    kubernetes = yaml.safe_load((rules_dir / "kubernetes.yaml").read_text())
    aws = yaml.safe_load((rules_dir / "aws.yaml").read_text())
    return Rules(
        aws={
            token: TypeRule(
                paths=(
                    *aws.get("every_type", ()),
                    *(entry.get("force_new") or ()),
                    *(entry.get("nested_force_new") or ()),
                ),
                every_input=bool(entry.get("all_force_new")),
                updatable=frozenset(entry.get("updatable") or ()),
            )
            for token, entry in aws["types"].items()
        },
        kubernetes_kinds={kind: TypeRule(paths=tuple(paths)) for kind, paths in kubernetes["kinds"].items()},
        kubernetes_every_kind=tuple(kubernetes["every_kind"]),
        sources={"aws": aws["source"], "kubernetes": kubernetes["source"]},
    )


_MISSING = object()


def values_at(value: Any, path: str) -> list[Any]:
    """The values at a dotted path (``a.b``, ``a[*].b``); a missing step gives a missing value."""
    current: list[Any] = [value]
    for step in path.split("."):
        each = step.endswith("[*]")
        key = step[:-3] if each else step
        found: list[Any] = []
        for item in current:
            child = item.get(key, _MISSING) if isinstance(item, Mapping) else _MISSING
            if each and isinstance(child, list):
                found.extend(child)
            else:
                found.append(child)
        current = found
    return current


def changed_paths(rule: TypeRule, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The replace-forcing paths whose values differ between two sets of inputs."""
    if rule.every_input:
        keys = sorted((set(old) | set(new)) - _NEVER_REPLACE - rule.updatable)
        return [k for k in keys if old.get(k, _MISSING) != new.get(k, _MISSING)]
    return [p for p in rule.paths if values_at(old, p) != values_at(new, p)]


# --- URNs and aliases, as the engine resolves them --------------------------------------------------


@dataclass(frozen=True)
class Urn:
    stack: str
    project: str
    qualified_type: str
    name: str

    @classmethod
    def parse(cls, urn: str) -> Urn:
        head, project, qualified_type, *name = urn.removeprefix("urn:pulumi:").split("::")
        return cls(head, project, qualified_type, "::".join(name))

    @property
    def type(self) -> str:
        return self.qualified_type.rsplit("$", 1)[-1]


def create_urn(name: str, type_: str, parent: str | None, project: str, stack: str) -> str:
    """A URN as the engine builds it: the parent's qualified type prefixes the type."""
    qualified = type_
    if parent:
        parent_type = Urn.parse(parent).qualified_type
        if parent_type != ROOT_STACK_TYPE:
            qualified = f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def _collapse(
    alias: Mapping[str, Any], name: str, type_: str, parent: str | None, renamed: Mapping[str, str], urn: Urn
) -> str:
    if alias.get("urn"):
        return alias["urn"]
    alias_parent = alias.get("parentUrn") or parent
    if alias.get("parentUrn"):
        alias_parent = renamed.get(alias_parent, alias_parent)
    if alias.get("noParent") or (alias_parent and Urn.parse(alias_parent).qualified_type == ROOT_STACK_TYPE):
        alias_parent = None
    return create_urn(
        alias.get("name") or name,
        alias.get("type") or type_,
        alias_parent,
        alias.get("project") or urn.project,
        alias.get("stack") or urn.stack,
    )


def _inherited(child_type: str, child_name: str, parent_name: str, parent_alias: str) -> str:
    alias = Urn.parse(parent_alias)
    name = alias.name + child_name[len(parent_name) :] if child_name.startswith(parent_name) else child_name
    qualified = (
        child_type if alias.qualified_type == ROOT_STACK_TYPE else f"{alias.qualified_type}${child_type}"
    )
    return f"urn:pulumi:{alias.stack}::{alias.project}::{qualified}::{name}"


def candidate_urns(resource: Mapping[str, Any], renamed: Mapping[str, str]) -> list[str]:
    """The resource's URN, then every old URN its aliases (and its parent's) let it claim."""
    urn = Urn.parse(resource["urn"])
    name, type_, parent = urn.name, urn.type, resource.get("parent")
    aliases = resource.get("aliases") or ()
    found = [resource["urn"]]

    def add(candidate: str) -> None:
        if candidate not in found:
            found.append(candidate)

    own = [_collapse(a, name, type_, parent, renamed, urn) for a in aliases]
    for candidate in own:
        add(candidate)
    if parent and parent in renamed:
        parent_name, parent_alias = Urn.parse(parent).name, renamed[parent]
        add(_inherited(type_, name, parent_name, parent_alias))
        for candidate in own:
            aliased = Urn.parse(candidate)
            add(_inherited(aliased.type, aliased.name, parent_name, parent_alias))
    return found


# --- comparing two snapshots -----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One thing the upgrade would do to an existing resource that a team did not ask for."""

    action: str  # "delete", "replace" or "unjudged"
    urn: str
    type: str
    paths: tuple[str, ...] = ()
    # Why it could not be judged, for an "unjudged" change that is not about missing data.
    reason: str = ""
    # The migration note that announces it, when one does.
    announced_by: str = ""

    def describe(self) -> str:
        what = {
            "delete": "deleted (no resource of the new version claims its URN or an alias of it)",
            "replace": f"replaced ({', '.join(self.paths)} changed)",
            "unjudged": f"not judged: {self.reason or 'no replace-on-change data for its type'}"
            + (f" ({', '.join(self.paths)})" if self.reason and self.paths else ""),
        }[self.action]
        return f"{self.urn}: {what}"


@dataclass
class Comparison:
    """What one program's upgrade does, resource by resource (URNs and property paths only)."""

    label: str
    old_count: int = 0
    new_count: int = 0
    same_urn: int = 0
    aliased: list[tuple[str, str]] = field(default_factory=list)  # (old URN, new URN)
    created: list[str] = field(default_factory=list)
    updated: int = 0
    changes: list[Change] = field(default_factory=list)
    # Components no new resource claims: nothing in the cloud goes with them.
    dropped_components: list[str] = field(default_factory=list)
    # A blueprint run's blueprint version at the release and now ("" for a stack).
    versions: tuple[str, str] = ("", "")
    # Updates in place beyond the goldenpath version tag and label every resource carries.
    updated_beyond_version: int = 0

    def required_bump(self) -> str:
        """What semantic versioning asks of the blueprint's version for this change (goldenpath's
        own version, in every resource's tag or label, is not the blueprint's change)."""
        if self.changes:
            return "major"
        return "minor" if self.created or self.updated_beyond_version or self.aliased else "none"

    @property
    def unannounced(self) -> list[Change]:
        return [c for c in self.changes if not c.announced_by]

    def summary(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "old": self.old_count,
            "new": self.new_count,
            "same_urn": self.same_urn,
            "aliased": len(self.aliased),
            "created": len(self.created),
            "updated_in_place": self.updated,
            "deleted": sum(c.action == "delete" for c in self.changes),
            "replaced": sum(c.action == "replace" for c in self.changes),
            "unjudged": sum(c.action == "unjudged" for c in self.changes),
            "announced": sum(bool(c.announced_by) for c in self.changes),
        }


@dataclass(frozen=True)
class MigrationNote:
    action: str  # "delete" or "replace"
    type: str
    name_pattern: str
    text: str

    def announces(self, change: Change) -> bool:
        return (
            change.action == self.action
            and change.type == self.type
            and fnmatch.fnmatchcase(Urn.parse(change.urn).name, self.name_pattern)
        )


# The tag (AWS) and label (Kubernetes) that carry goldenpath's version on every resource.
_VERSION_KEYS = frozenset({"goldenpath:version", "app.kubernetes.io/version"})


def _without_version(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_version(v) for k, v in value.items() if k not in _VERSION_KEYS}
    if isinstance(value, list):
        return [_without_version(v) for v in value]
    return value


def rule_paths(rule: TypeRule, inputs: Mapping[str, Any]) -> list[str]:
    """The replace-forcing paths of a rule; for an every-input rule, the inputs it has."""
    if rule.every_input:
        return sorted(set(inputs) - _NEVER_REPLACE - rule.updatable)
    return list(rule.paths)


def _made_from(
    paths: Iterable[str], dependencies: Mapping[str, Sequence[str]], urns: Iterable[str]
) -> list[str]:
    """The paths whose top-level input the program built from one of ``urns``."""
    urns = set(urns)
    return [p for p in paths if set(dependencies.get(p.split(".")[0].removesuffix("[*]"), ())) & urns]


def _provider_key(urn: str) -> str:
    """A provider reference as the comparison sees it: a default provider by its package only (its
    name carries the SDK version, which both runs share), an explicit one by its URN."""
    if not urn:
        return ""
    parsed = Urn.parse(urn)
    return f"default:{parsed.type}" if parsed.name.startswith("default") else urn


def _provider_changed(
    previous: Mapping[str, Any], resource: Mapping[str, Any], renamed: Mapping[str, str]
) -> str:
    old, new = previous.get("provider") or "", resource.get("provider") or ""
    if "provider" not in previous or "provider" not in resource:
        return ""  # a snapshot from before providers were recorded
    new = renamed.get(new, new)
    if _provider_key(old) == _provider_key(new):
        return ""
    return (
        f"its provider changes from {old or 'none'} to {new or 'none'}; whether the provider's DiffConfig "
        "replaces it is not known offline"
    )


def compare(
    label: str,
    old: Sequence[Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    rules: Rules | None = None,
    notes: Iterable[MigrationNote] = (),
) -> Comparison:
    """Match ``new`` to ``old`` as the engine would and list what would be deleted or replaced.

    Both are resource lists in registration order (parents before children), as snapshots hold them.
    """
    rules = rules or load_rules()
    notes = list(notes)
    olds = {r["urn"]: r for r in old}
    result = Comparison(label, old_count=len(old), new_count=len(new))
    renamed: dict[str, str] = {}  # new URN -> the old URN it claimed through an alias
    claimed: set[str] = set()

    def add(change: Change) -> None:
        note = next((n for n in notes if n.announces(change)), None)
        result.changes.append(change if note is None else replace(change, announced_by=note.text))

    replaced: set[str] = set()  # new URNs of resources the upgrade replaces
    registered = {r["urn"] for r in new}

    for resource in new:
        # As the engine's getOldResource: the first candidate the old state has is the match; one
        # that another resource already claimed, or that is another new resource's own URN, is an
        # error of the deployment, not a fresh create.
        found = next((c for c in candidate_urns(resource, renamed) if c in olds), None)
        if found is not None and (found in claimed or (found != resource["urn"] and found in registered)):
            add(
                Change(
                    "unjudged",
                    resource["urn"],
                    resource["type"],
                    (),
                    f"claims {found}, which another resource has",
                )
            )
            continue
        match = found
        if match is None:
            result.created.append(resource["urn"])
            continue
        claimed.add(match)
        if match == resource["urn"]:
            result.same_urn += 1
        else:
            renamed[resource["urn"]] = match
            result.aliased.append((match, resource["urn"]))
        previous = olds[match]
        if bool(previous.get("custom")) != bool(resource.get("custom")):
            # A component taking a cloud resource's URN (or the reverse): the engine replaces it.
            add(Change("replace", resource["urn"], resource["type"], ("custom",)))
            replaced.add(resource["urn"])
            continue
        if not resource.get("custom"):
            continue
        rule = rules.for_type(resource["type"])
        if rule is None:
            add(Change("unjudged", resource["urn"], resource["type"]))
            continue
        before, after = previous.get("inputs") or {}, resource.get("inputs") or {}
        paths = changed_paths(rule, before, after)
        dependencies = resource.get("property_dependencies") or {}
        # An input made from a replaced resource changes with it (a preview sees it unknown).
        paths += [p for p in _made_from(rule_paths(rule, after), dependencies, replaced) if p not in paths]
        # An input made from a renamed resource holds the mocks' id or ARN of the new name, where the
        # engine keeps the physical one: it cannot be judged from the mocks.
        from_renamed = _made_from(paths, dependencies, renamed)
        if from_renamed and not set(from_renamed) & set(_made_from(paths, dependencies, replaced)):
            add(Change("unjudged", resource["urn"], resource["type"], tuple(from_renamed),
                       "its value comes from a renamed resource, whose mock id differs from the physical one"))  # fmt: skip
            continue
        provider = _provider_changed(previous, resource, renamed)
        if previous["type"] != resource["type"] or paths:
            add(Change("replace", resource["urn"], resource["type"], tuple(paths) or ("type",)))
            replaced.add(resource["urn"])
        elif provider:
            add(Change("unjudged", resource["urn"], resource["type"], ("provider",), provider))
        elif before != after:
            result.updated += 1
            if _without_version(before) != _without_version(after):
                result.updated_beyond_version += 1

    for urn, resource in olds.items():
        if urn in claimed:
            continue
        if resource.get("custom"):
            add(Change("delete", urn, resource["type"]))
        else:
            result.dropped_components.append(urn)
    return result


# --- migration notes -------------------------------------------------------------------------------

# A note in goldenpath/templates/migrations.yaml (what `goldenpath upgrade` prints to a team) that
# announces a delete or replacement, in this form:
#   replaces `aws:ecs/taskDefinition:TaskDefinition` `*-task`: why, and what a team does.
_NOTE = re.compile(
    r"^(?:\S+: )?(?P<action>replaces|deletes) `(?P<type>[^`]+)` `(?P<name>[^`]+)`: (?P<why>.+)$"
)


def parse_notes(texts: Iterable[str]) -> list[MigrationNote]:
    """The notes among ``texts`` that announce a delete or a replacement; others are ignored."""
    notes = []
    for text in texts:
        found = _NOTE.match(text.strip())
        if found:
            action = "replace" if found["action"] == "replaces" else "delete"
            notes.append(MigrationNote(action, found["type"], found["name"], found["why"]))
    return notes


def migration_notes(old: str, new: str) -> list[MigrationNote]:
    """What the migration notes of every version after ``old`` up to ``new`` announce."""
    from goldenpath.blueprint_reference import BLUEPRINTS
    from goldenpath.scaffold import migration_notes as notes_between

    return parse_notes(dict.fromkeys(n for b in BLUEPRINTS for n in notes_between(old, new, b)))


# --- running a program at a released version -------------------------------------------------------


def wheel_venv(env_dir: Path, wheel: Path, *, with_pip: bool = False) -> tuple[Path, Path]:
    """(python, site-packages) of a new virtualenv in ``env_dir`` with only ``wheel`` installed.

    Only goldenpath comes from the wheel; its dependencies (pulumi, the providers' SDKs, pydantic…)
    are this environment's, read through a path entry (a ``.pth`` line, not a site dir, so this
    environment's own goldenpath — an editable install's finder — stays invisible). A release and
    this version declare the same compatible ranges; the comparison is of goldenpath's own choices.
    """
    venv.EnvBuilder(with_pip=with_pip, symlinks=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip"] if with_pip else [sys.executable, "-m", "pip", "--python", str(python)]
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, Path(site)


def release_python(wheel: Path, workdir: Path) -> Path:
    """The Python of a temporary virtualenv holding the released ``wheel`` (see :func:`wheel_venv`)."""
    return wheel_venv(workdir / "release-venv", wheel)[0]


def take_snapshots(python: Path | str, runs: Sequence[Mapping[str, Any]], workdir: Path) -> dict[str, Any]:
    """Run :mod:`goldenpath._upgrade_snapshot` with ``python`` (a release's, or this one's)."""
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "snapshot.py"
    script.write_text(SNAPSHOT_SCRIPT.read_text())
    request, answer = workdir / "runs.json", workdir / f"snapshots-{os.getpid()}-{len(runs)}.json"
    request.write_text(json.dumps(list(runs)))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [str(python), str(script), str(request), str(answer)],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"snapshot with {python} failed:\n{done.stderr[-4000:]}")
    return json.loads(answer.read_text())


# --- the standard comparison: every stack and every blueprint --------------------------------------

RELEASES_DIR = Path(__file__).resolve().parent.parent / "releases"
_IMPORTED_BLUEPRINTS = re.compile(r"from goldenpath\.blueprints import ([A-Za-z0-9_, ()]+)")


def latest_release(releases_dir: Path = RELEASES_DIR) -> Path:
    """The newest released wheel in ``releases/`` older than this version (this version's own wheel,
    once kept there, is not a release to upgrade from)."""
    from packaging.version import InvalidVersion, Version

    from goldenpath import __version__

    def version(wheel: Path) -> Version | None:
        try:
            return Version(wheel.name.split("-")[1])
        except (IndexError, InvalidVersion):
            return None

    wheels = [
        (v, w) for w in releases_dir.glob("goldenpath-*-py3-none-any.whl") if (v := version(w)) is not None
    ]
    older = sorted((v, w) for v, w in wheels if v < Version(__version__))
    if not older:
        raise FileNotFoundError(
            f"no goldenpath-<version>-py3-none-any.whl older than {__version__} in {releases_dir}"
        )
    return older[-1][1]


def standard_runs(stacks_dir: Path) -> list[dict[str, Any]]:
    """Each stack with each of its stack configs, and each blueprint's example in each environment."""
    from goldenpath import conventions
    from goldenpath.blueprint_reference import BLUEPRINTS, example_config

    runs: list[dict[str, Any]] = []
    for project in sorted(p for p in stacks_dir.iterdir() if (p / "Pulumi.yaml").is_file()):
        imported = _IMPORTED_BLUEPRINTS.findall((project / "__main__.py").read_text())
        names = [n.strip(" ()") for group in imported for n in group.split(",") if n.strip(" ()")]
        for stack_file in sorted(project.glob("Pulumi.*.yaml")):
            stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
            runs.append(
                {"label": f"stack {project.name} ({stack})", "kind": "stack", "dir": str(project.resolve()),
                 "stack": stack, "blueprints": names}
            )  # fmt: skip
    for blueprint in BLUEPRINTS.values():
        example = example_config(blueprint)["config"]
        provider = {k: v for k, v in example.items() if k.startswith(("aws:", "kubernetes:"))}
        values = {k.split(":", 1)[1]: v for k, v in example.items() if k not in provider}
        for environment in conventions.ENVIRONMENTS:
            runs.append(
                {"label": f"blueprint {blueprint.name} ({environment})", "kind": "blueprint",
                 "class": blueprint.class_name, "name": "orders",
                 "environment": environment, "config": {**values, "environment": environment},
                 "provider_config": provider}
            )  # fmt: skip
    return runs


@dataclass
class UpgradeReport:
    release: str
    version: str
    comparisons: list[Comparison] = field(default_factory=list)
    # Runs that could not be compared, and why: new at this version, or failed at one of the two.
    not_compared: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    # Every custom resource type this version's runs build: the next release is compared on them.
    built_types: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.failed and not any(c.unannounced for c in self.comparisons)


def check_upgrade(wheel: Path, stacks_dir: Path, workdir: Path) -> UpgradeReport:
    """Compare every standard run at the release in ``wheel`` with this version."""
    from goldenpath import __version__

    runs = standard_runs(stacks_dir)
    old = take_snapshots(release_python(wheel, workdir), runs, workdir / "release")
    new = take_snapshots(sys.executable, runs, workdir / "head")
    notes = migration_notes(old["version"], __version__)
    report = UpgradeReport(release=old["version"], version=__version__)
    for spec in runs:
        label = spec["label"]
        before, after = old["runs"][label], new["runs"][label]
        report.built_types.update(r["type"] for r in after.get("resources", ()) if r["custom"])
        if after["status"] != "ok":
            report.failed[label] = f"this version: {after.get('error') or after.get('reason')}"
        elif before["status"] == "absent":
            report.not_compared[label] = f"new since {old['version']} ({before['reason']})"
        elif before["status"] != "ok":
            report.failed[label] = f"release {old['version']}: {before['error']}"
        else:
            comparison = compare(label, before["resources"], after["resources"], notes=notes)
            comparison.versions = (before.get("blueprint_version", ""), after.get("blueprint_version", ""))
            report.comparisons.append(comparison)
    return report


def render(report: UpgradeReport) -> str:
    lines = [f"goldenpath {report.release} → {report.version}", ""]
    head = (
        "run",
        "old",
        "new",
        "same URN",
        "aliased",
        "created",
        "updated",
        "deleted",
        "replaced",
        "unjudged",
    )
    lines.append(" | ".join(head))
    for c in report.comparisons:
        s = c.summary()
        lines.append(
            " | ".join(str(x) for x in (s["label"], s["old"], s["new"], s["same_urn"], s["aliased"], s["created"],
                                        s["updated_in_place"], s["deleted"], s["replaced"], s["unjudged"]))
        )  # fmt: skip
    for c in report.comparisons:
        for change in c.changes:
            status = f"announced: {change.announced_by}" if change.announced_by else "NOT ANNOUNCED"
            lines.append(f"{c.label}: {change.describe()} — {status}")
    lines += [f"{label}: not compared, {why}" for label, why in report.not_compared.items()]
    lines += [f"{label}: FAILED, {why}" for label, why in report.failed.items()]
    lines.append("")
    lines.append("upgrade safe" if report.ok else "upgrade NOT safe: see the lines above")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(
        prog="python -m goldenpath.upgrade_safety",
        description="What pulumi up after upgrading from a released goldenpath would replace or delete.",
    )
    parser.add_argument("--release", type=Path, help="a released wheel (default: the newest in releases/)")
    parser.add_argument(
        "--stacks", type=Path, default=Path("stacks"), help="folder of stacks (default: stacks)"
    )
    args = parser.parse_args(argv)
    wheel = args.release or latest_release()
    with tempfile.TemporaryDirectory(prefix="goldenpath-upgrade-") as work:
        report = check_upgrade(wheel, args.stacks, Path(work))
    print(render(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
