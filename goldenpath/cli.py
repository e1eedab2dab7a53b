"""The ``goldenpath`` command line: check, render and docs."""

from __future__ import annotations

import contextlib
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from goldenpath.harness import ProgramError, StackConfigError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="goldenpath: paved paths for services on AWS and Kubernetes with Pulumi.",
)

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
) -> None:
    """Run a stack under Pulumi mocks and evaluate it through the policy packs, offline.

    Exit status: 0 clean (advisory findings allowed), 1 a mandatory violation, 2 a usage or program error.
    """
    from goldenpath import report
    from goldenpath.check import UsageError, check_stack, load_pack_config

    try:
        config = load_pack_config(pack_config)
        result = check_stack(stack_dir, stack, packs=pack, pack_config=config)
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
        raise _fail(f"--output {output}: {error.strerror}") from None
    raise typer.Exit(result.exit_code)


@app.command()
def render(
    stack_dir: StackDir,
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write one YAML file per Kubernetes object into.")
    ],
    stack: StackName = "dev",
) -> None:
    """Write the Kubernetes objects a stack would apply as YAML, one file per object."""
    from goldenpath.render import render_stack

    try:
        written = render_stack(stack_dir, stack, out)
    except StackConfigError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"--out {out}: {error.strerror}") from None
    except ProgramError as error:
        raise _fail(f"the program of {stack_dir} failed under render:\n{error.message}") from None
    except ValueError as error:
        raise _fail(str(error)) from None
    Console().print(f"wrote {len(written)} objects to {out}")


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

    text = render_catalog()
    if check_only:
        current = out.read_text() if out.is_file() else ""
        if current != text:
            Console(stderr=True).print(f"{out} is stale; run `goldenpath docs --out {out}`")
            raise typer.Exit(EXIT_VIOLATIONS)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    Console().print(f"wrote {out}")


if __name__ == "__main__":  # pragma: no cover
    app()
