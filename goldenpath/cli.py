"""The ``goldenpath`` command line: check, render and docs."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from goldenpath.harness import PROGRAM_TIMEOUT_SECONDS, ProgramError, StackConfigError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="goldenpath: paved paths for services on AWS and Kubernetes with Pulumi.",
)


def _print_version(value: bool) -> None:
    if value:
        from goldenpath import __version__

        Console(highlight=False).print(f"goldenpath {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print goldenpath's version and exit."
        ),
    ] = False,
) -> None:
    """goldenpath: paved paths for services on AWS and Kubernetes with Pulumi."""


EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


def _fail(message: str) -> typer.Exit:
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print("[bold red]error:[/]", end=" ")
    console.print(message, markup=False)
    return typer.Exit(EXIT_USAGE)


@contextlib.contextmanager
def _program_output_to_stderr() -> Iterator[None]:
    """Send everything written to stdout meanwhile — by Python code or straight to file
    descriptor 1, as a subprocess would — to stderr, so that stdout carries only the report."""
    sys.stdout.flush()
    with contextlib.redirect_stdout(sys.stderr):
        try:
            out_fd, err_fd = sys.__stdout__.fileno(), sys.__stderr__.fileno()
        except (AttributeError, OSError, ValueError):
            yield
            return
        saved = os.dup(out_fd)
        os.dup2(err_fd, out_fd)
        try:
            yield
        finally:
            with contextlib.suppress(OSError, ValueError):
                sys.__stdout__.flush()
            os.dup2(saved, out_fd)
            os.close(saved)


StackDir = Annotated[
    Path, typer.Argument(help="A Pulumi project folder (Pulumi.yaml, __main__.py, Pulumi.<stack>.yaml).")
]
StackName = Annotated[str, typer.Option("--stack", "-s", help="Which Pulumi.<stack>.yaml to read.")]
PackOption = Annotated[
    list[str] | None,
    typer.Option(
        "--pack", "-p", help="A shipped pack name or a pack folder; repeatable. Default: all shipped packs."
    ),
]
PackConfigOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--pack-config", help="Policy pack config (JSON or YAML, as --policy-pack-config); repeatable."
    ),
]


@app.command()
def check(
    stack_dir: StackDir,
    stack: StackName = "dev",
    pack: PackOption = None,
    pack_config: PackConfigOption = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text, json or sarif.")
    ] = OutputFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")
    ] = None,
    tree: Annotated[bool, typer.Option(help="Print the resource tree (text format).")] = True,
    timeout: Annotated[
        float,
        typer.Option(help="Seconds the program may run before check gives up on it (exit 2).", min=1),
    ] = PROGRAM_TIMEOUT_SECONDS,
    allow_partial: Annotated[
        bool,
        typer.Option(
            help="Exit 0 when nothing mandatory is violated even if some resources could not be examined "
            "(the report still says PARTIAL and lists them)."
        ),
    ] = False,
) -> None:
    """Run a stack under Pulumi mocks and evaluate it through the policy packs, offline.

    Exit status: 0 passed (advisory findings allowed); 1 a mandatory violation, or something check
    could not examine (PARTIAL, see --allow-partial); 2 a usage or program error.
    """
    from goldenpath import report
    from goldenpath.check import UsageError, check_stack, load_pack_config

    try:
        configs = load_pack_config(
            pack_config, paired=bool(pack) and len(pack or []) == len(pack_config or []) > 1
        )
        # What the program prints is its own business: it goes to stderr, never into the report.
        with _program_output_to_stderr():
            result = check_stack(
                stack_dir,
                stack,
                packs=pack,
                pack_config=configs,
                timeout=timeout,
                allow_partial=allow_partial,
            )
    except (UsageError, StackConfigError) as error:
        raise _fail(str(error)) from None
    except ProgramError as error:
        raise _fail(f"the program of {stack_dir} failed under check:\n{error.message}") from None

    try:
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
        if output_format is OutputFormat.text:
            # CI logs are not terminals; keep long resource types on one line there.
            wide = None if output is None and sys.stdout.isatty() else 200
            with output.open("w") if output else contextlib.nullcontext(None) as stream:
                report.print_text(result, Console(file=stream, width=wide), show_tree=tree)
        else:
            document = (
                report.to_json(result) if output_format is OutputFormat.json else report.to_sarif(result)
            )
            text = report.dumps(document)
            if output:
                output.write_text(text)
            else:
                sys.stdout.write(text)
    except OSError as error:
        blocking = next((p for p in [output, *output.parents] if p.exists() and not p.is_dir()), None)
        if output is not None and blocking is not None and blocking != output:
            raise _fail(f"--output {output}: {blocking} is a file, not a folder") from None
        raise _fail(f"--output {output}: {error.strerror or error}") from None
    raise typer.Exit(result.exit_code)


@app.command()
def render(
    stack_dir: StackDir,
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write one YAML file per Kubernetes object into.")
    ],
    stack: StackName = "dev",
) -> None:
    """Write the Kubernetes objects a stack would apply as YAML, one file per object.

    Rendering into the same folder again replaces that stack's earlier render (files it no longer
    declares are removed); files render did not write are never touched.
    """
    from goldenpath.render import RenderError, render_stack

    try:
        result = render_stack(stack_dir, stack, out)
    except StackConfigError as error:
        raise _fail(str(error)) from None
    except ProgramError as error:
        raise _fail(f"the program of {stack_dir} failed under render:\n{error.message}") from None
    except RenderError as error:
        raise _fail(str(error)) from None
    except (OSError, UnicodeError) as error:
        # render_stack reports its own folder's problems as RenderError: this is the stack's files.
        raise _fail(f"cannot read the stack in {stack_dir}: {error}") from None
    except ValueError as error:
        raise _fail(str(error)) from None
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"wrote {len(result.written)} objects to {out}", markup=False)
    if result.removed:
        console.print(
            f"removed {len(result.removed)} files of an earlier render: "
            + ", ".join(p.name for p in result.removed),
            markup=False,
        )
    for stand_in in result.stand_ins:
        console.print(
            f"note: {stand_in.kind} {stand_in.resource} sets no metadata.name; written as {stand_in.name}, a "
            f"stand-in: pulumi-kubernetes names it {stand_in.resource}-<8 random characters> at apply",
            markup=False,
        )


@app.command()
def docs(
    out: Annotated[Path, typer.Option("--out", help="Where to write the policy catalog.")] = Path(
        "docs/policies.md"
    ),
    check_only: Annotated[
        bool, typer.Option("--check", help="Exit 1 if a file on disk differs from the generated one.")
    ] = False,
) -> None:
    """Write the policy catalog, and beside it the blueprint reference.

    The catalog lists every policy's id, severity, frameworks, rationale, remediation and config;
    beside it go blueprints/<name>.md (every config key with its type, default and allowed values)
    and schemas/<name>.schema.json (the same as JSON Schema), from the blueprints' own models.
    """
    from goldenpath.blueprint_reference import reference_files
    from goldenpath.catalog import render_catalog

    if out.is_dir():
        raise _fail(f"--out {out} is a folder; give the path of the catalog file, e.g. {out / 'policies.md'}")
    blocking = next((p for p in out.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise _fail(f"--out {out}: {blocking} is a file, not a folder")
    files = {out: render_catalog(), **{out.parent / name: text for name, text in reference_files().items()}}
    if check_only:
        stale = []
        for path, text in files.items():
            try:
                current = path.read_text()
            except FileNotFoundError:
                current = None
            except (OSError, UnicodeDecodeError) as error:
                named = f"--out {path}" if path == out else str(path)
                raise _fail(f"{named}: cannot read it: {getattr(error, 'strerror', None) or error}") from None
            if current != text:
                stale.append(f"{path} {'is missing' if current is None else 'is stale'}")
        if stale:
            Console(stderr=True, highlight=False, soft_wrap=True).print(
                "; ".join(stale) + f"; run `goldenpath docs --out {out}`", markup=False
            )
            raise typer.Exit(EXIT_VIOLATIONS)
        return
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    except OSError as error:
        raise _fail(f"--out {out}: cannot write {error.filename or out}: {error.strerror or error}") from None
    Console(highlight=False, soft_wrap=True).print(
        f"wrote {out} and the reference of {len(files) // 2} blueprints beside it", markup=False
    )


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


_BLUEPRINT_CHOICES = (
    "web-service",
    "worker",
    "scheduled-job",
    "k8s-service",
    "k8s-worker",
    "k8s-scheduled-job",
)


@app.command()
def new(
    name: Annotated[
        str, typer.Argument(help="The service: project folder ./NAME, Pulumi project and service name.")
    ],
    blueprint: Annotated[
        str | None, typer.Option(help=f"The paved path: {', '.join(_BLUEPRINT_CHOICES)}.")
    ] = None,
    team: Annotated[
        str | None, typer.Option(help="Owning team, lower-case kebab (a Backstage group).")
    ] = None,
    cost_center: Annotated[str | None, typer.Option("--cost-center", help="Cost center billed.")] = None,
    repo: Annotated[str | None, typer.Option("--repo", help="GitHub repository as owner/name.")] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Any other blueprint config key, key=value (a.b=value for nested keys); both stacks; repeatable.",
        ),
    ] = None,
    region: Annotated[str, typer.Option(help="AWS region of the stacks (aws:region).")] = "eu-west-1",
    lifecycle: Annotated[
        str, typer.Option(help="Backstage lifecycle: experimental, production or deprecated.")
    ] = "experimental",
    system: Annotated[str | None, typer.Option(help="Backstage system; the team's name by default.")] = None,
    channel: Annotated[
        str, typer.Option(help="Where CI installs goldenpath from: index (the company index) or git (a tag).")
    ] = "index",
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Ask nothing: take the flags and the blueprint's defaults.")
    ] = False,
) -> None:
    """Make a service project: Pulumi project, stacks dev and prod, CI workflow, catalog entry.

    On a terminal it asks for what is missing; with --yes (or no terminal) a required answer still
    missing is an error naming it. Every answer is checked by the blueprint's config model first.
    """
    from goldenpath.blueprint_reference import BLUEPRINTS
    from goldenpath.config import ConfigError
    from goldenpath.scaffold import NewProject, ScaffoldError, create, parse_settings

    ask = not yes and _interactive()
    console = Console(highlight=False, soft_wrap=True)
    if ask and blueprint is None:
        blueprint = typer.prompt(
            f"Blueprint ({', '.join(_BLUEPRINT_CHOICES)})", default=_BLUEPRINT_CHOICES[0]
        )
    if ask:
        team = team or typer.prompt("Owning team (lower-case kebab)")
        cost_center = cost_center or typer.prompt("Cost center")
        repo = repo or typer.prompt("GitHub repository (owner/name)", default=f"acme/{name}")
    missing = [
        f"--{flag}: required ({what})"
        for flag, value, what in (
            ("blueprint", blueprint, ", ".join(_BLUEPRINT_CHOICES)),
            ("team", team, "the owning team, lower-case kebab"),
            ("cost-center", cost_center, "the cost center billed"),
            ("repo", repo, "the GitHub repository as owner/name"),
        )
        if not value
    ]
    if missing:
        raise _fail("; ".join(missing))
    if blueprint not in _BLUEPRINT_CHOICES:
        raise _fail(
            f"--blueprint {blueprint!r}: not a blueprint; choose one of {', '.join(_BLUEPRINT_CHOICES)}"
        )
    try:
        values = parse_settings(settings or [], BLUEPRINTS[blueprint].model)
    except ScaffoldError as error:
        raise _fail(str(error)) from None
    if ask:
        for group in BLUEPRINTS[blueprint].prompts:
            if not any(key in values for key in group):
                values[group[0]] = typer.prompt(
                    f"{group[0]}" + (f" (or --set {group[1]}=…)" if len(group) > 1 else "")
                )
    project = NewProject(
        name=name,
        blueprint=blueprint,
        team=team,
        cost_center=cost_center,
        repository=repo,
        settings=values,
        region=region,
        lifecycle=lifecycle,
        system=system,
        channel=channel,
    )
    dest = Path(name)
    try:
        written = create(project, dest)
    except ConfigError as error:
        raise _fail("invalid answers:\n" + "\n".join(f"  - {p}" for p in error.problems)) from None
    except ScaffoldError as error:
        raise _fail(str(error)) from None
    console.print(f"created {dest}/ on the {blueprint} blueprint ({len(written)} files):", markup=False)
    for path in written:
        console.print(f"  {path.relative_to(dest)}", markup=False)
    console.print(
        f"next: cd {dest} && git init && git add -A && git commit -m 'New service from goldenpath', push it to "
        f"{repo}, and set the repository variables the workflow's header names.",
        markup=False,
    )


@app.command()
def upgrade(
    project: Annotated[
        Path, typer.Argument(help="A project made by goldenpath new (a folder with .copier-answers.yml).")
    ] = Path("."),
) -> None:
    """Re-apply the service template of the installed goldenpath to a project, keeping its edits.

    Needs the project committed in git (the merge is a three-way one); prints the files changed,
    any conflicts left to resolve (exit 1) and the migration notes of the versions crossed.
    """
    from goldenpath.scaffold import ScaffoldError
    from goldenpath.scaffold import upgrade as run_upgrade

    try:
        result = run_upgrade(project)
    except ScaffoldError as error:
        raise _fail(str(error)) from None
    console = Console(highlight=False, soft_wrap=True)
    if result.old_version == result.new_version:
        console.print(
            f"{project}: already on goldenpath {result.new_version}; nothing to upgrade", markup=False
        )
        return
    console.print(f"{project}: goldenpath {result.old_version} → {result.new_version}", markup=False)
    for name in result.changed:
        console.print(f"  changed {name}", markup=False)
    for note in result.notes:
        console.print(f"  note {note}", markup=False)
    if result.conflicts:
        console.print(
            "conflicts to resolve (marked <<<<<<< / >>>>>>> in the files): " + ", ".join(result.conflicts),
            markup=False,
        )
        raise typer.Exit(EXIT_VIOLATIONS)
    console.print("review with `git diff`, then commit", markup=False)


@app.command()
def bootstrap(
    name: Annotated[
        str, typer.Argument(help="The project folder ./NAME and Pulumi project name.")
    ] = "bootstrap",
    team: Annotated[str | None, typer.Option(help="Team that owns the account's CI setup.")] = None,
    cost_center: Annotated[str | None, typer.Option("--cost-center", help="Cost center billed.")] = None,
    repo: Annotated[
        list[str] | None,
        typer.Option(
            "--repo", help="A GitHub repository (owner/name) whose workflows may use the account; repeatable."
        ),
    ] = None,
    environment: Annotated[str, typer.Option(help="What the account is for: dev, staging or prod.")] = "prod",
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", help="Any other Bootstrap config key, key=value; repeatable."),
    ] = None,
    region: Annotated[str, typer.Option(help="AWS region of the state bucket and keys.")] = "eu-west-1",
    channel: Annotated[
        str,
        typer.Option(help="Where goldenpath is installed from: index (the company index) or git (a tag)."),
    ] = "index",
) -> None:
    """Make an account's CI bootstrap project: OIDC provider, state bucket, secrets key, CI roles.

    An administrator applies it once per AWS account; its outputs are the backend URL, secrets
    provider and roles a service's workflow reads from repository variables.
    """
    from goldenpath.blueprint_reference import blueprint_named
    from goldenpath.config import ConfigError
    from goldenpath.scaffold import BootstrapProject, ScaffoldError, create, parse_settings

    missing = [
        f"--{flag}: required ({what})"
        for flag, value, what in (
            ("team", team, "the owning team, lower-case kebab"),
            ("cost-center", cost_center, "the cost center billed"),
            ("repo", repo, "a GitHub repository as owner/name; repeatable"),
        )
        if not value
    ]
    if missing:
        raise _fail("; ".join(missing))
    try:
        project = BootstrapProject(
            team=team,
            cost_center=cost_center,
            repositories=list(repo or []),
            environment=environment,
            name=name,
            settings=parse_settings(settings or [], blueprint_named("bootstrap").model),
            region=region,
            channel=channel,
        )
        written = create(project, Path(name))
    except ConfigError as error:
        raise _fail("invalid answers:\n" + "\n".join(f"  - {p}" for p in error.problems)) from None
    except ScaffoldError as error:
        raise _fail(str(error)) from None
    console = Console(highlight=False, soft_wrap=True)
    console.print(
        f"created {name}/, the bootstrap of a {environment} account ({len(written)} files):", markup=False
    )
    for path in written:
        console.print(f"  {path.relative_to(name)}", markup=False)
    console.print(
        f"next: follow {name}/README.md (check, pulumi up once, then the repository variables)", markup=False
    )


class AuditFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


_MERGE = "merge"


@app.command(name="audit")
def audit_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Pulumi self-managed backends (file://DIR, s3://BUCKET/PREFIX?…, a state folder) or "
            "`pulumi stack export` files; or `merge REPORT.json…` to merge the JSON reports of sharded audits.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        AuditFormat, typer.Option("--format", "-f", help="text, json or html (a self-contained scorecard).")
    ] = AuditFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")
    ] = None,
    pack: PackOption = None,
    pack_config: PackConfigOption = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Also read the AWS resources live (boto3, the ambient credentials) and report drift from state.",
        ),
    ] = False,
) -> None:
    """Audit deployed stacks from their Pulumi state: adoption, standards after deployment, delivery.

    Reads every stack of each SOURCE (never writes to it), evaluates the deployed state through the
    policy packs as `pulumi policy analyze` does, and reports per stack, team and blueprint
    (docs/audit-output.md). `goldenpath audit merge SHARD.json… -o ALL.json` merges the JSON reports
    of sharded audits (a folder literally named merge: write ./merge).

    Exit status: 0 clean; 1 a mandatory violation, an expired waiver or a problem (a stack or backend
    that could not be read or judged) — the report is still written; 2 a usage error.
    """
    from goldenpath import audit as auditing

    render = _audit_renderer(output_format)
    try:
        if sources[0] == _MERGE:
            if pack or pack_config or live:
                raise auditing.AuditError(
                    "audit merge takes report files only (no --pack, --pack-config or --live)"
                )
            report = _merged_report(sources[1:])
        else:
            report = _audited(sources, pack, pack_config, live)
    except auditing.AuditError as error:
        raise _fail(str(error)) from None
    if render is not None:
        try:
            text = render(report)
        except Exception as error:  # noqa: BLE001 - never a traceback
            raise _fail(
                f"the HTML scorecard could not be rendered: {type(error).__name__}: {error}"
            ) from None
        _write_audit(text, output)
    elif output_format is AuditFormat.json:
        _write_audit(auditing.dumps(report), output)
    else:
        _write_audit_text(report, output)
    raise typer.Exit(auditing.exit_code(report))


def _audit_renderer(output_format: AuditFormat):
    """The HTML renderer for --format html (checked before the audit runs), else None."""
    if output_format is not AuditFormat.html:
        return None
    try:
        from goldenpath.scorecard import render_html
    except ImportError as error:
        if error.name in ("goldenpath.scorecard", None) or "render_html" in str(error):
            raise _fail(
                "--format html needs goldenpath.scorecard (render_html), which this goldenpath does not have "
                "yet; use --format json or text"
            ) from None
        raise _fail(f"--format html: goldenpath.scorecard cannot be loaded ({error})") from None
    return render_html


def _audited(sources: list[str], pack: list[str] | None, pack_config: list[Path] | None, live: bool) -> dict:
    from goldenpath.audit import AuditError, audit
    from goldenpath.check import UsageError, load_pack_config

    try:
        configs = load_pack_config(
            pack_config, paired=bool(pack) and len(pack or []) == len(pack_config or []) > 1
        )
    except UsageError as error:
        raise AuditError(str(error)) from None
    try:
        return audit(sources, packs=pack, pack_config=configs, live=live or None)
    except AuditError:
        raise
    except Exception as error:  # noqa: BLE001 - never a traceback; the report names no state content
        raise AuditError(f"the audit stopped: {type(error).__name__}: {error}") from None


def _merged_report(files: list[str]) -> dict:
    import json

    from goldenpath.audit import AuditError, merge_reports

    if not files:
        raise AuditError(
            "audit merge: name the JSON reports to merge (goldenpath audit merge A.json B.json -o ALL.json)"
        )
    reports = []
    for name in files:
        try:
            reports.append(json.loads(Path(name).read_text()))
        except OSError as error:
            raise AuditError(f"{name}: {error.strerror or error}") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise AuditError(
                f"{name}: not a JSON audit report (goldenpath audit --format json writes one)"
            ) from None
    return merge_reports(reports, files)


def _write_audit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
    except OSError as error:
        raise _fail(f"--output {output}: {error.strerror or error}") from None


def _write_audit_text(report: dict, output: Path | None) -> None:
    from goldenpath.audit import print_text

    wide = None if output is None and sys.stdout.isatty() else 200
    try:
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w") if output else contextlib.nullcontext(None) as stream:
            print_text(report, Console(file=stream, width=wide, highlight=False))
    except OSError as error:
        raise _fail(f"--output {output}: {error.strerror or error}") from None


if __name__ == "__main__":  # pragma: no cover
    app()
