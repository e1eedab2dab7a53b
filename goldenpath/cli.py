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


@app.command()
def check(
    stack_dir: StackDir,
    stack: StackName = "dev",
    pack: Annotated[
        list[str] | None,
        typer.Option(
            "--pack",
            "-p",
            help="A shipped pack name or a pack folder; repeatable. Default: all shipped packs.",
        ),
    ] = None,
    pack_config: Annotated[
        list[Path] | None,
        typer.Option(
            "--pack-config", help="Policy pack config (JSON or YAML, as --policy-pack-config); repeatable."
        ),
    ] = None,
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
        bool, typer.Option("--check", help="Exit 1 if the file on disk differs from the generated catalog.")
    ] = False,
) -> None:
    """Write the policy catalog (every policy's id, severity, frameworks, rationale, remediation, config)."""
    from goldenpath.catalog import render_catalog

    if out.is_dir():
        raise _fail(f"--out {out} is a folder; give the path of the catalog file, e.g. {out / 'policies.md'}")
    blocking = next((p for p in out.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise _fail(f"--out {out}: {blocking} is a file, not a folder")
    text = render_catalog()
    if check_only:
        try:
            current = out.read_text()
        except FileNotFoundError:
            current = None
        except (OSError, UnicodeDecodeError) as error:
            raise _fail(f"--out {out}: cannot read it: {getattr(error, 'strerror', None) or error}") from None
        if current != text:
            state = "is missing" if current is None else "is stale"
            Console(stderr=True, highlight=False, soft_wrap=True).print(
                f"{out} {state}; run `goldenpath docs --out {out}`", markup=False
            )
            raise typer.Exit(EXIT_VIOLATIONS)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    except OSError as error:
        raise _fail(f"--out {out}: cannot write it: {error.strerror or error}") from None
    Console(highlight=False, soft_wrap=True).print(f"wrote {out}", markup=False)


if __name__ == "__main__":  # pragma: no cover
    app()
