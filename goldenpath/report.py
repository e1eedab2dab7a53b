"""Reports of a check: text for people, JSON for tools, SARIF 2.1.0 for code scanning.

The JSON document (``--format json``) is stable; its shape is documented in docs/check-output.md
and versioned by ``schemaVersion``.

The text report orders everything (the resource tree, the findings) by value, never by the order
in which resources arrived: the program and the packs run on threads, so arrival order changes
between identical runs.

SARIF locations do not depend on the working directory: each result's ``artifactLocation`` is the
stack's program relative to the repository root, with ``uriBaseId`` ``%SRCROOT%``, and
``run.originalUriBaseIds`` gives ``%SRCROOT%`` as a ``file://`` URI (see :func:`source_root`). Rule
ids are the policy names; a name that two selected packs share (every goldenpath pack has
``waived-violations``) becomes ``<pack>/<policy>`` for each of them, so that every result points
at its own pack's rule.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from goldenpath import __version__
from goldenpath.check import CheckResult, Finding, finding_order
from goldenpath.harness import ProgramRun, read_stack_files

JSON_SCHEMA_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
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
    """Components with their children; siblings sorted by type, then name."""
    tree = Tree(f"[bold]{escape(run.project)}[/] ({escape(run.stack)})")
    nodes: dict[str, Tree] = {}
    children: dict[str | None, list] = defaultdict(list)
    known = {r.urn for r in run.resources}
    for r in run.resources:
        children[r.parent if r.parent in known else None].append(r)

    def add(parent_node: Tree, parent_urn: str | None) -> None:
        for r in sorted(children.get(parent_urn, []), key=lambda r: (r.type, r.name, r.urn)):
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


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in check's order, however they arrived."""
    return sorted(findings, key=finding_order)


def _label(finding: Finding) -> str:
    return finding.enforcement if finding.status == "violation" else finding.status


def print_text(result: CheckResult, console: Console, show_tree: bool = True) -> None:
    run = result.run
    if show_tree:
        print_tree(run, console)
        console.print()
    by_component: dict[str, list[Finding]] = defaultdict(list)
    for f in ordered(result.findings):
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
    if result.preview_not_evaluated:
        resources = len({f.urn for f in result.preview_not_evaluated})
        console.print(
            f"[dim]pulumi preview of a new stack cannot run {len(result.preview_not_evaluated)} "
            f"policy checks on {resources} resources (they read values known only at pulumi up) and "
            "reports each as an advisory \"can't run policy\"; check judged them with its mocks' values "
            "(--format json lists them under previewNotEvaluated).[/]"
        )
        console.print()
    if result.unexamined:
        # Listed before the verdict: a clean report on these would claim more than check saw.
        console.print("[bold underline]not examined[/] [dim](check cannot see into these offline)[/]")
        for item in result.unexamined:
            console.print(
                f"  [magenta]{'UNEXAMINED':<13}[/] [bold]{escape(item.name)}[/] [dim]{escape(item.type)}[/]"
            )
            console.print(f"      {escape(item.reason)}")
        console.print()
    counts = result.counts()
    packs = ", ".join(f"{p.name}@{p.version}" for p in result.packs)
    verdict = _VERDICT[result.verdict]
    partial = f", {len(result.unexamined)} not examined" if result.unexamined else ""
    console.print(
        f"{verdict} {escape(run.project)} ({escape(run.stack)}): {len(run.resources)} resources checked by {packs}: "
        f"{counts['mandatory']} mandatory, {counts['advisory']} advisory, {counts['suppressed']} suppressed, "
        f"{counts['remediated']} remediated, {counts['not-evaluated']} not evaluated{partial}"
    )


_VERDICT = {
    "failed": "[bold red]FAILED[/]",
    "partial": "[bold magenta]PARTIAL[/]",
    "passed": "[bold green]PASSED[/]",
}


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
            "unexamined": len(result.unexamined),
            "previewNotEvaluated": len(result.preview_not_evaluated),
            "verdict": result.verdict,
            "exitCode": result.exit_code,
        },
        "packs": [{"name": p.name, "version": p.version, "policies": len(p.policies)} for p in result.packs],
        "findings": [f.to_json() for f in ordered(result.findings)],
        "unexamined": [item.to_json() for item in result.unexamined],
        "previewNotEvaluated": [f.to_json() for f in result.preview_not_evaluated],
    }


# --- SARIF --------------------------------------------------------------------------------------


def source_root(stack_dir: Path | str) -> Path:
    """The folder SARIF locations are relative to (``%SRCROOT%``), whatever the working directory.

    The nearest folder at or above the stack folder that holds ``.git`` (a folder, or the file a
    worktree or submodule has): the repository root, which is what code scanning resolves paths
    against. Outside a repository (an unpacked archive, say): ``$GITHUB_WORKSPACE`` when it holds
    the stack folder, else the stack folder's parent, so that the URI still names the stack.
    """
    stack = Path(stack_dir).resolve()
    for folder in (stack, *stack.parents):
        if (folder / ".git").exists():
            return folder
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        root = Path(workspace).resolve()
        if stack.is_relative_to(root):
            return root
    return stack.parent


def _artifact_location(path: Path, root: Path) -> dict[str, str]:
    if path.is_relative_to(root):
        return {"uri": quote(path.relative_to(root).as_posix()), "uriBaseId": SRCROOT}
    # A program outside the repository (Pulumi.yaml's main pointing elsewhere): an absolute URI.
    return {"uri": path.as_uri()}


def _folder_uri(folder: Path) -> str:
    # SARIF §3.14.14: a base URI ends with '/', or relative references would replace its last segment.
    return folder.as_uri().rstrip("/") + "/"


def _program_location(result: CheckResult) -> tuple[Path, dict[str, int]]:
    """The stack's program and, for each top-level resource or component, the line of the program
    that declares it."""
    files = read_stack_files(result.stack_dir, result.run.stack)
    main = files.main.resolve()
    registered = {r.urn for r in result.run.resources}
    top = {r.urn: r.name for r in result.run.resources if r.parent not in registered}
    lines = main.read_text().splitlines()
    declared: dict[str, int] = {}
    for urn, name in top.items():
        quoted = (f'"{name}"', f"'{name}'")
        declared[urn] = next((n for n, text in enumerate(lines, 1) if any(q in text for q in quoted)), 1)
    return main, declared


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


def _rule_ids(result: CheckResult) -> dict[tuple[str, str], str]:
    """The SARIF rule id of each (pack, policy): the policy name, or ``<pack>/<policy>`` where two
    selected packs have a policy of that name."""
    pairs = {(pack.name, p.name) for pack in result.packs for p in pack.policies}
    packs_with = Counter(name for _, name in pairs)
    return {(pack, name): f"{pack}/{name}" if packs_with[name] > 1 else name for pack, name in sorted(pairs)}


def _rule(pack_name: str, rule_id: str, p: Any, level: str) -> dict[str, Any]:
    # The schema wants helpUri absolute; a pack's policy without a URL (or with a relative one) gets none.
    url = p.url if urlsplit(p.url).scheme else ""
    markdown = f"**{p.description}**\n\nRemediation: {p.remediation}"
    if url:
        markdown += f"\n\n[Policy catalog]({url})"
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in p.name.split("-")),
        "shortDescription": {"text": p.description},
        "fullDescription": {"text": p.description},
        "help": {"text": f"{p.description}\n\nRemediation: {p.remediation}", "markdown": markdown},
    }
    if url:
        rule["helpUri"] = url
    rule["defaultConfiguration"] = {"level": _rule_level(level)}
    rule["properties"] = {
        "security-severity": SECURITY_SEVERITY.get(p.severity, "1.0"),
        "severity": p.severity,
        "pack": pack_name,
        "tags": ["security", *p.tags],
    }
    return rule


def _rules(result: CheckResult) -> tuple[list[dict[str, Any]], Mapping[tuple[str, str], int]]:
    ids = _rule_ids(result)
    rules: list[dict[str, Any]] = []
    index: dict[tuple[str, str], int] = {}
    for pack in result.packs:
        for p in pack.policies:
            key = (pack.name, p.name)
            if key in index:
                continue  # the same pack selected twice
            index[key] = len(rules)
            level = result.levels.get(key, p.enforcement)
            rules.append(_rule(pack.name, ids[key], p, level))
    return rules, index


def to_sarif(result: CheckResult) -> dict[str, Any]:
    program, declared = _program_location(result)
    root = source_root(result.stack_dir)
    location = _artifact_location(program, root)
    by_urn = {r.urn: r for r in result.run.resources}
    rules, index = _rules(result)
    results = []
    for f in ordered(result.findings):
        rule_index = index.get((f.pack, f.policy))
        entry: dict[str, Any] = {
            "ruleId": rules[rule_index]["id"] if rule_index is not None else f.policy,
            "level": _level(f),
            "message": {"text": f"{f.resource_name or 'stack'} ({f.resource_type or 'stack'}): {f.message}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": dict(location),
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
            "properties": {
                "enforcement": f.enforcement,
                "status": f.status,
                "component": f.component,
                "pack": f.pack,
            },
        }
        if rule_index is not None:
            entry["ruleIndex"] = rule_index
        if f.status == "suppressed":
            entry["suppressions"] = [{"kind": "inSource", "justification": f.message}]
        results.append(entry)
    run: dict[str, Any] = {
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
        # A partial check says so where code scanning shows tool problems, and in the run's
        # properties: no results must not read as "nothing wrong" when something went unexamined.
        "invocations": [
            {
                "executionSuccessful": True,
                "exitCode": result.exit_code,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "message": {"text": f"not examined: {item.name} ({item.type}): {item.reason}"},
                        "descriptor": {"id": "goldenpath/unexamined"},
                    }
                    for item in result.unexamined
                ],
            }
        ],
        "properties": {"verdict": result.verdict, "unexamined": [i.to_json() for i in result.unexamined]},
    }
    if "uriBaseId" in location:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _folder_uri(root)}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"
