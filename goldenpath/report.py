"""Reports of a check: text for people, JSON for tools, SARIF 2.1.0 for code scanning.

The JSON document (``--format json``) is stable; its shape is documented in docs/check-output.md
and versioned by ``schemaVersion``.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from goldenpath import __version__
from goldenpath.check import CheckResult, Finding
from goldenpath.harness import ProgramRun, read_stack_files

JSON_SCHEMA_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/goldenpath/goldenpath"
# GitHub code scanning ranks results by this CVSS-like score.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "": "1.0"}
_STYLE = {
    "mandatory": "bold red",
    "advisory": "yellow",
    "suppressed": "cyan",
    "remediated": "green",
    "not-evaluated": "magenta",
}


# --- Resource tree ------------------------------------------------------------------------------


def resource_tree(run: ProgramRun) -> Tree:
    """Components with their children, as registered."""
    tree = Tree(f"[bold]{escape(run.project)}[/] ({escape(run.stack)})")
    nodes: dict[str, Tree] = {}
    children: dict[str | None, list] = defaultdict(list)
    known = {r.urn for r in run.resources}
    for r in run.resources:
        children[r.parent if r.parent in known else None].append(r)

    def add(parent_node: Tree, parent_urn: str | None) -> None:
        for r in children.get(parent_urn, []):
            style = "bold" if not r.custom else ""
            label = (
                f"[{style}]{escape(r.name)}[/] [dim]{escape(r.type)}[/]"
                if style
                else (f"{escape(r.name)} [dim]{escape(r.type)}[/]")
            )
            nodes[r.urn] = parent_node.add(label)
            add(nodes[r.urn], r.urn)

    add(tree, None)
    return tree


def print_tree(run: ProgramRun, console: Console) -> None:
    console.print(resource_tree(run))
    custom = sum(1 for r in run.resources if r.custom)
    components = len(run.resources) - custom
    console.print(f"{len(run.resources)} resources: {custom} provider resources in {components} components")


# --- Text ---------------------------------------------------------------------------------------


def _label(finding: Finding) -> str:
    return finding.enforcement if finding.status == "violation" else finding.status


def print_text(result: CheckResult, console: Console, show_tree: bool = True) -> None:
    run = result.run
    if show_tree:
        print_tree(run, console)
        console.print()
    by_component: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_component[f.component].append(f)
    for component, findings in by_component.items():
        console.print(f"[bold underline]{escape(component)}[/]")
        for f in findings:
            label = _label(f)
            where = f"{f.resource_name} ({f.resource_type})" if f.resource_name else f.urn or "stack"
            console.print(
                f"  [{_STYLE[label]}]{label.upper():<13}[/] [bold]{escape(f.policy)}[/] "
                f"[dim]{escape(f.severity)}[/]  {escape(where)}"
            )
            console.print(f"      {escape(f.message)}")
            if f.status == "violation" and f.remediation:
                console.print(f"      [dim]fix: {escape(f.remediation)}[/]")
        console.print()
    counts = result.counts()
    packs = ", ".join(f"{p.name}@{p.version}" for p in result.packs)
    verdict = "[bold red]FAILED[/]" if result.exit_code else "[bold green]PASSED[/]"
    console.print(
        f"{verdict} {escape(run.project)} ({escape(run.stack)}): {len(run.resources)} resources checked by {packs}: "
        f"{counts['mandatory']} mandatory, {counts['advisory']} advisory, {counts['suppressed']} suppressed, "
        f"{counts['remediated']} remediated, {counts['not-evaluated']} not evaluated"
    )


# --- JSON ---------------------------------------------------------------------------------------


def to_json(result: CheckResult) -> dict[str, Any]:
    counts = result.counts()
    return {
        "schemaVersion": JSON_SCHEMA_VERSION,
        "tool": {"name": "goldenpath", "version": __version__},
        "stack": {
            "project": result.run.project,
            "stack": result.run.stack,
            "directory": str(result.stack_dir),
        },
        "summary": {
            "resources": len(result.run.resources),
            "mandatory": counts["mandatory"],
            "advisory": counts["advisory"],
            "suppressed": counts["suppressed"],
            "remediated": counts["remediated"],
            "notEvaluated": counts["not-evaluated"],
            "exitCode": result.exit_code,
        },
        "packs": [{"name": p.name, "version": p.version, "policies": len(p.policies)} for p in result.packs],
        "findings": [f.to_json() for f in result.findings],
    }


# --- SARIF --------------------------------------------------------------------------------------


def _program_location(result: CheckResult) -> tuple[str, dict[str, int]]:
    """The stack's program (relative to the working directory) and, for each top-level resource or
    component, the line of the program that declares it."""
    files = read_stack_files(result.stack_dir, result.run.stack)
    main = files.main.resolve()
    try:
        uri = main.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        uri = main.as_uri()
    registered = {r.urn for r in result.run.resources}
    top = {r.urn: r.name for r in result.run.resources if r.parent not in registered}
    lines = main.read_text().splitlines()
    declared: dict[str, int] = {}
    for urn, name in top.items():
        quoted = (f'"{name}"', f"'{name}'")
        declared[urn] = next((n for n, text in enumerate(lines, 1) if any(q in text for q in quoted)), 1)
    return uri, declared


def _declaring_line(urn: str, by_urn: dict[str, Any], declared: dict[str, int]) -> int:
    resource = by_urn.get(urn)
    while resource is not None and resource.urn not in declared:
        resource = by_urn.get(resource.parent or "")
    return declared.get(resource.urn, 1) if resource is not None else 1


def _rule_level(enforcement: str) -> str:
    return {"mandatory": "error", "remediate": "error", "advisory": "warning", "disabled": "none"}[
        enforcement
    ]


def _level(finding: Finding) -> str:
    if finding.status == "violation" and finding.enforcement == "mandatory":
        return "error"
    if finding.status in ("violation", "suppressed"):
        return "warning"
    return "note"


def to_sarif(result: CheckResult) -> dict[str, Any]:
    uri, declared = _program_location(result)
    by_urn = {r.urn: r for r in result.run.resources}
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for pack in result.packs:
        for p in pack.policies:
            if p.name in index:
                continue
            index[p.name] = len(rules)
            rules.append(
                {
                    "id": p.name,
                    "name": "".join(part.capitalize() for part in p.name.split("-")),
                    "shortDescription": {"text": p.description},
                    "fullDescription": {"text": p.description},
                    "help": {
                        "text": f"{p.description}\n\nRemediation: {p.remediation}",
                        "markdown": f"**{p.description}**\n\nRemediation: {p.remediation}\n\n[Policy catalog]({p.url})",
                    },
                    "helpUri": p.url,
                    "defaultConfiguration": {
                        "level": _rule_level(result.levels.get((pack.name, p.name), p.enforcement))
                    },
                    "properties": {
                        "security-severity": SECURITY_SEVERITY.get(p.severity, "1.0"),
                        "severity": p.severity,
                        "pack": pack.name,
                        "tags": ["security", *p.tags],
                    },
                }
            )
    results = []
    for f in result.findings:
        entry: dict[str, Any] = {
            "ruleId": f.policy,
            "level": _level(f),
            "message": {"text": f"{f.resource_name or 'stack'} ({f.resource_type or 'stack'}): {f.message}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": _declaring_line(f.urn, by_urn, declared)},
                    },
                    "logicalLocations": [
                        {
                            "fullyQualifiedName": f.urn or result.run.project,
                            "name": f.resource_name,
                            "kind": "resource",
                        }
                    ],
                }
            ],
            "partialFingerprints": {
                "goldenpath/v1": hashlib.sha256(
                    f"{f.pack}|{f.policy}|{f.urn}|{f.message}".encode()
                ).hexdigest()[:32]
            },
            "properties": {"enforcement": f.enforcement, "status": f.status, "component": f.component},
        }
        if f.policy in index:
            entry["ruleIndex"] = index[f.policy]
        if f.status == "suppressed":
            entry["suppressions"] = [{"kind": "inSource", "justification": f.message}]
        results.append(entry)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "goldenpath",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"goldenpath/{result.run.project}/{result.run.stack}"},
                "results": results,
            }
        ],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"
