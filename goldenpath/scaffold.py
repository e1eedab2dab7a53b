"""``goldenpath new`` and ``goldenpath upgrade``: a service project from the template, kept on it.

The template (``goldenpath/templates/project``) is a copier template. Copier records a project's
answers in ``.copier-answers.yml`` and re-applies a newer template version with a three-way merge,
which needs every template version as a tag of a git repository. goldenpath ships the template of
its own version plus those of the versions it released before (``templates/releases/<version>``),
and lays them out as such a repository, one commit and tag ``v<version>`` each, at
:data:`TEMPLATE_REPOSITORY` (rebuilt whenever the shipped templates change; commits are
deterministic, so every machine gets the same ``_commit``). That path, written with ``~``, is the
``_src_path`` in a project's answers: the same on every machine, so plain ``copier update`` works
too once goldenpath has laid the repository out.

Every answer goes through the blueprint's own config model before a file is written, so a bad one
gets the same one-line error a bad ``Pulumi.<stack>.yaml`` would.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel

from goldenpath import __version__
from goldenpath.blueprint_reference import Blueprint, blueprint_named, config_keys
from goldenpath.config import ConfigError, validate_config

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = TEMPLATES / "project"
RELEASED_TEMPLATES = TEMPLATES / "releases"
MIGRATIONS = TEMPLATES / "migrations.yaml"
ANSWERS_FILE = ".copier-answers.yml"
# Written with "~" on purpose: the answers file records it, and it must mean the same on every machine.
TEMPLATE_REPOSITORY = "~/.cache/goldenpath/project-template"

REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
SYSTEM = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
PROJECT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
STACKS = ("dev", "prod")
# The GitHub environment the template's prod deploy job runs in; prod's deploy role must trust it.
PROD_GITHUB_ENVIRONMENT = "production"
# Commits of the template repository carry these, so their hashes are the same everywhere.
_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "goldenpath",
    "GIT_AUTHOR_EMAIL": "goldenpath@templates.invalid",
    "GIT_COMMITTER_NAME": "goldenpath",
    "GIT_COMMITTER_EMAIL": "goldenpath@templates.invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+00:00",
}


# The flags of `goldenpath new` that set a blueprint key; every other key is --set.
_FLAGS = {
    "team": "--team",
    "costCenter": "--cost-center",
    "github.repository": "--repo",
    "environment": "environment",
}


class ScaffoldError(Exception):
    """An answer, a project or an upgrade goldenpath cannot work with; the message says why."""


# --- Answers ------------------------------------------------------------------------------------


def _bare(annotation: Any) -> Any:
    """``annotation`` without Optional and Annotated wrappers (``DnsLabel | None`` → ``str``)."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, UnionType) and type(None) in get_args(annotation):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def _text_field(model: type[BaseModel] | None, parts: Sequence[str]) -> bool:
    """Whether the key path names a string field of ``model``: its value stays the text given
    (``imageTag=1.10`` is the tag 1.10, not the number 1.1)."""
    for index, part in enumerate(parts):
        if model is None:
            return False
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return False
        annotation = _bare(field.annotation)
        if index == len(parts) - 1:
            return annotation is str or get_origin(annotation) is Literal
        if index == len(parts) - 2 and get_origin(annotation) is dict:
            return _bare(get_args(annotation)[1]) is str  # environmentVariables.LOG_LEVEL=1.10
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return False


def parse_settings(pairs: Sequence[str], model: type[BaseModel] | None = None) -> dict[str, Any]:
    """``--set key=value`` pairs (``a.b=value`` for nested keys) as a mapping; values are read as
    YAML, except for string fields of ``model``, which keep the text given."""
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScaffoldError(f"--set {pair!r}: expected key=value, e.g. --set cpu=512")
        try:
            value = yaml.safe_load(raw) if raw.strip() else raw
        except yaml.YAMLError:
            value = raw
        parts = key.split(".")
        if any(not p for p in parts):
            raise ScaffoldError(f"--set {pair!r}: {key!r} is not a key path (a.b.c)")
        if isinstance(value, datetime.date) or (
            _text_field(model, parts) and not isinstance(value, dict | list)
        ):
            value = raw  # Pulumi reads 2024-01-01 or 1.10 as the text written; so does the blueprint.
        node = settings
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ScaffoldError(f"--set {pair!r}: {'.'.join(parts[:-1])} is already set to a value")
            node = child
        node[parts[-1]] = value
    return settings


@dataclass(frozen=True)
class NewProject:
    """Everything ``goldenpath new`` needs; :meth:`validate` checks it all before a file is written."""

    name: str
    blueprint: str
    team: str
    cost_center: str
    repository: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    region: str = "eu-west-1"
    lifecycle: str = "experimental"
    system: str | None = None
    description: str | None = None
    channel: str = "index"

    @property
    def spec(self) -> Blueprint:
        return blueprint_named(self.blueprint)

    def stack_config(self, stack: str) -> dict[str, Any]:
        """The blueprint keys of ``Pulumi.<stack>.yaml`` (without the project prefix)."""
        values: dict[str, Any] = {"team": self.team, "costCenter": self.cost_center, "environment": stack}
        settings = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in self.settings.items()}
        if "github" in self.spec.model.model_fields:
            given = settings.pop("github", {})
            github = {"repository": self.repository, **(given if isinstance(given, Mapping) else {})}
            if stack == "prod":
                github.setdefault("environments", [PROD_GITHUB_ENVIRONMENT])
            values["github"] = github
        values.update(settings)
        return values

    def extra_config(self, stack: str) -> dict[str, Any]:
        """What the stack file holds beyond team, costCenter and environment."""
        return {
            k: v
            for k, v in self.stack_config(stack).items()
            if k not in {"team", "costCenter", "environment"}
        }

    def validate(self) -> None:
        problems = []
        if not PROJECT_NAME.fullmatch(self.name):
            problems.append(
                f"NAME: must be lower-case kebab, 2 to 40 characters, starting with a letter (given {self.name!r})"
            )
        if "github" not in self.spec.model.model_fields and not REPOSITORY.fullmatch(self.repository):
            problems.append(
                f"--repo: must be a GitHub repository written as owner/name, e.g. acme/{self.name} "
                f"(given {self.repository!r})"
            )
        if not REGION.fullmatch(self.region):
            problems.append(f"--region: must be an AWS region such as eu-west-1 (given {self.region!r})")
        if self.system is not None and not SYSTEM.fullmatch(self.system):
            problems.append(
                f"--system: must be a Backstage entity name (letters, digits, '-', '_', '.'; up to 63) "
                f"(given {self.system!r})"
            )
        github = self.settings.get("github")
        if github is not None and not isinstance(github, Mapping):
            problems.append("--set github: set its keys one by one, e.g. --set github.branch=release")
        elif isinstance(github, Mapping) and "repository" in github:
            problems.append(
                "--set github.repository: give it as --repo (the catalog entry and the workflow use it too)"
            )
        reserved = sorted({"team", "costCenter", "environment"} & set(self.settings))
        problems += [
            f"--set {key}: give it as --{'cost-center' if key == 'costCenter' else key} "
            "(environment is dev or prod, one stack file each)"
            for key in reserved
        ]
        secret = sorted(k.key for k in config_keys(self.spec.model) if k.secret and k.key in self.settings)
        problems += [
            f"--set {key}: secret values never go on a command line or into a file in clear; after goldenpath "
            f"new, run `pulumi config set --secret --path '{key}.<name>' --stack <stack>`"
            for key in secret
        ]
        checked = replace(self, settings={k: v for k, v in self.settings.items() if k not in secret})
        for stack in STACKS:
            try:
                validate_config(self.spec.model, checked.stack_config(stack), self.name)
            except ConfigError as error:
                for line in error.problems:
                    line = self._as_answer(line)
                    if line not in problems:
                        problems.append(line)
        if problems:
            raise ConfigError(problems)

    def _as_answer(self, problem: str) -> str:
        """A config problem (``<project>:<key>: …``) named by the flag that sets the key."""
        prefix = f"{self.name}:"
        if not problem.startswith(prefix):
            return problem
        key, sep, rest = problem[len(prefix) :].partition(": ")
        flag = _FLAGS.get(key, f"--set {key}")
        return f"{flag}: {rest}" if sep else problem

    def answers(self) -> dict[str, Any]:
        return {
            "project_name": self.name,
            "blueprint": self.blueprint,
            "team": self.team,
            "cost_center": self.cost_center,
            "repository": self.repository,
            "branch": self.stack_config("dev").get("github", {}).get("branch", "main"),
            "region": self.region,
            "lifecycle": self.lifecycle,
            "system": self.system or self.team,
            "description": self.description or f"{self.name} on the goldenpath {self.blueprint} blueprint.",
            "channel": self.channel,
            "dev_config": self.extra_config("dev"),
            "prod_config": self.extra_config("prod"),
        }


@dataclass(frozen=True)
class BootstrapProject:
    """Everything ``goldenpath bootstrap`` needs: one account's bootstrap stack."""

    team: str
    cost_center: str
    repositories: Sequence[str]
    environment: str = "prod"
    name: str = "bootstrap"
    settings: Mapping[str, Any] = field(default_factory=dict)
    region: str = "eu-west-1"
    channel: str = "index"

    @property
    def spec(self) -> Blueprint:
        return blueprint_named("bootstrap")

    def stack_config(self) -> dict[str, Any]:
        # The service template's prod deploy job runs in this GitHub environment; in a prod account
        # only that job may deploy (a branch subject would let any job on the branch skip the
        # environment's reviewers).
        def trust(repository: str) -> dict[str, Any]:
            if self.environment == "prod":
                return {"repository": repository, "branch": None, "environments": [PROD_GITHUB_ENVIRONMENT]}
            return {"repository": repository, "environments": []}

        return {
            "team": self.team,
            "costCenter": self.cost_center,
            "environment": self.environment,
            "repositories": [trust(r) for r in self.repositories],
            **self.settings,
        }

    def validate(self) -> None:
        problems = []
        if not PROJECT_NAME.fullmatch(self.name):
            problems.append(f"NAME: must be lower-case kebab, 2 to 40 characters (given {self.name!r})")
        if not REGION.fullmatch(self.region):
            problems.append(f"--region: must be an AWS region such as eu-west-1 (given {self.region!r})")
        flags = {"team": "--team", "costCenter": "--cost-center", "environment": "--environment"}
        problems += [
            f"--set {key}: give it as {flags.get(key, '--repo (repeatable)')}"
            for key in sorted({"team", "costCenter", "environment", "repositories"} & set(self.settings))
        ]
        try:
            validate_config(self.spec.model, self.stack_config(), self.name)
        except ConfigError as error:
            for line in error.problems:
                key, sep, rest = line.removeprefix(f"{self.name}:").partition(": ")
                flags = {**_FLAGS, "environment": "--environment"}
                flag = "--repo" if key.startswith("repositories") else flags.get(key, f"--set {key}")
                problems.append(f"{flag}: {rest}" if sep else line)
        if problems:
            raise ConfigError(problems)

    def answers(self) -> dict[str, Any]:
        return {
            "project_name": self.name,
            "blueprint": "bootstrap",
            "environment": self.environment,
            "region": self.region,
            "channel": self.channel,
            "config": {k: v for k, v in self.stack_config().items()},
        }


# --- The template repository --------------------------------------------------------------------


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))


def shipped_templates() -> list[tuple[str, Path]]:
    """(version, template folder) for every template this goldenpath ships, oldest first."""
    released = (
        [(p.name, p) for p in RELEASED_TEMPLATES.iterdir() if p.is_dir() and (p / "copier.yml").is_file()]
        if RELEASED_TEMPLATES.is_dir()
        else []
    )
    history = sorted(((v, p) for v, p in released if v != __version__), key=lambda vp: _version_key(vp[0]))
    return [*history, (__version__, TEMPLATE)]


def _files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


# Bumped when the repository's layout changes, so that caches laid out before are rebuilt.
_LAYOUT = "2"


def _digest(history: Sequence[tuple[str, Path]]) -> str:
    sha = hashlib.sha256(f"layout {_LAYOUT}\n".encode())
    for version, folder in history:
        sha.update(f"version {version}\n".encode())
        for path in _files(folder):
            sha.update(f"{path.relative_to(folder).as_posix()}\n".encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def _git(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """Run git; with ``env``, as goldenpath's own git (the user's config, hooks and signing kept out)."""
    own = (
        {**env, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
        if env is not None
        else {}
    )
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env={**os.environ, **own},
            stdin=subprocess.DEVNULL,
            check=True,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        raise ScaffoldError(
            "git is not installed; goldenpath new and upgrade need it (copier does)"
        ) from None
    except subprocess.CalledProcessError as error:
        raise ScaffoldError(f"git {' '.join(args)} failed in {cwd}: {error.stderr.strip()}") from None
    return done.stdout


def template_repository(
    history: Sequence[tuple[str, Path]] | None = None, where: str = TEMPLATE_REPOSITORY
) -> str:
    """Lay the template versions out as a git repository at ``where`` (if not already); return ``where``."""
    history = list(history or shipped_templates())
    root = Path(where).expanduser()
    digest = _digest(history)
    marker = root / ".git" / "goldenpath-digest"
    if marker.is_file() and marker.read_text() == digest:
        return where
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=".project-template-", dir=root.parent))
    except OSError as error:
        raise ScaffoldError(
            f"cannot lay out the template repository at {where}: {error.strerror or error} "
            "(it lives under $HOME/.cache)"
        ) from None
    try:
        _git("init", "--quiet", "--initial-branch=main", cwd=build, env={})
        for version, folder in history:
            for old in build.iterdir():
                if old.name != ".git":
                    shutil.rmtree(old) if old.is_dir() else old.unlink()
            # Git's index trusts size and mtime: copied with their times, a same-size edit of a
            # file (a version bump) would look unchanged. Start each version from no index.
            (build / ".git" / "index").unlink(missing_ok=True)
            for path in _files(folder):
                target = build / path.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            _git("add", "--all", cwd=build, env={})
            _git(
                "commit",
                "--quiet",
                "--no-verify",
                "--no-gpg-sign",
                "--allow-empty",
                "-m",
                f"goldenpath {version} project template",
                cwd=build,
                env=_GIT_IDENTITY,
            )
            _git("tag", f"v{version}", cwd=build, env=_GIT_IDENTITY)
        (build / ".git" / "goldenpath-digest").write_text(digest)
        if root.exists():
            shutil.rmtree(root)
        build.rename(root)
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    return where


# --- new ----------------------------------------------------------------------------------------


def create(
    project: NewProject | BootstrapProject,
    dest: Path,
    *,
    history: Sequence[tuple[str, Path]] | None = None,
    repository: str = TEMPLATE_REPOSITORY,
) -> list[Path]:
    """Render ``project`` into ``dest`` (which must not exist or be empty); return the files written."""
    import copier

    project.validate()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ScaffoldError(
            f"{dest}: already exists and is not an empty folder; goldenpath new makes a new project"
        )
    history = list(history or shipped_templates())
    source = template_repository(history, repository)
    version = history[-1][0]
    try:
        copier.run_copy(
            source,
            dest,
            data=project.answers(),
            vcs_ref=f"v{version}",
            defaults=True,
            quiet=True,
            unsafe=False,
        )
    except Exception as error:  # copier's own errors say what went wrong
        raise ScaffoldError(f"rendering the template failed: {error}") from None
    return sorted(p for p in _files(dest))


# --- upgrade ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upgrade:
    project: Path
    old_version: str
    new_version: str
    changed: list[str]
    conflicts: list[str]
    notes: list[str]


def read_answers(project_dir: Path) -> dict[str, Any]:
    path = project_dir / ANSWERS_FILE
    if not path.is_file():
        raise ScaffoldError(
            f"{project_dir}: no {ANSWERS_FILE} here; goldenpath upgrade works on projects made by goldenpath new"
        )
    try:
        answers = yaml.safe_load(path.read_text()) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ScaffoldError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(answers, dict) or not str(answers.get("_commit", "")).startswith("v"):
        raise ScaffoldError(f"{path}: no _commit naming the goldenpath version that rendered the project")
    return answers


def migration_notes(old: str, new: str, blueprint: str) -> list[str]:
    """The notes of every version after ``old`` up to ``new``, for ``blueprint`` and for all."""
    data = yaml.safe_load(MIGRATIONS.read_text()) if MIGRATIONS.is_file() else {}
    notes = []
    for version, entries in sorted((data or {}).items(), key=lambda kv: _version_key(str(kv[0]))):
        if _version_key(old) < _version_key(str(version)) <= _version_key(new):
            for scope in ("all", blueprint):
                notes += [f"{version}: {note}" for note in (entries or {}).get(scope, [])]
    return notes


def upgrade(
    project_dir: Path,
    *,
    history: Sequence[tuple[str, Path]] | None = None,
    repository: str = TEMPLATE_REPOSITORY,
) -> Upgrade:
    """Re-apply the newest shipped template to ``project_dir``, keeping the team's edits."""
    import copier
    from copier.errors import CopierError

    answers = read_answers(project_dir)
    history = list(history or shipped_templates())
    old_version, new_version = str(answers["_commit"])[1:], history[-1][0]
    known = [v for v, _ in history]
    if _version_key(old_version) > _version_key(new_version):
        raise ScaffoldError(
            f"{project_dir} was rendered by goldenpath {old_version}, newer than this goldenpath ({new_version}); "
            "install that version or newer"
        )
    if old_version == new_version:
        return Upgrade(project_dir, old_version, new_version, [], [], [])
    if old_version not in known:
        raise ScaffoldError(
            f"{project_dir} was rendered by goldenpath {old_version}, whose template this goldenpath does "
            f"not ship (it ships {', '.join(known)}); upgrade through one of those versions"
        )
    try:
        top = Path(_git("rev-parse", "--show-toplevel", cwd=project_dir).strip())
    except ScaffoldError:
        raise ScaffoldError(
            f"{project_dir}: not in a git repository; commit the project first (upgrade merges your edits with git)"
        ) from None
    if _git("status", "--porcelain", "--", ".", cwd=project_dir).strip():
        raise ScaffoldError(f"{project_dir}: has uncommitted changes; commit or stash them first")
    template_repository(history, repository)
    if answers.get("_src_path") != repository:
        raise ScaffoldError(
            f"{project_dir / ANSWERS_FILE}: _src_path is {answers.get('_src_path')!r}, not goldenpath's "
            f"template repository {repository!r}"
        )
    try:
        copier.run_update(
            project_dir,
            vcs_ref=f"v{new_version}",
            defaults=True,
            overwrite=True,
            skip_answered=True,
            quiet=True,
            unsafe=False,
            conflict="inline",
        )
    except CopierError as error:
        raise ScaffoldError(f"copier could not update {project_dir}: {error}") from None
    status = _git("status", "--porcelain", "--untracked-files=all", "--", ".", cwd=project_dir).splitlines()
    changed = sorted(line[3:] for line in status)
    conflicts = sorted(
        name
        for name in changed
        if (top / name).is_file() and "<<<<<<< before updating" in (top / name).read_text(errors="replace")
    )
    return Upgrade(
        project_dir,
        old_version,
        new_version,
        changed,
        conflicts,
        migration_notes(old_version, new_version, str(answers.get("blueprint", ""))),
    )
