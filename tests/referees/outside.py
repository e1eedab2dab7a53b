"""Outside referees for the files ``goldenpath new`` generates: tools goldenpath does not write,
run as their users run them.

- actionlint (rhysd/actionlint, built from source at a pinned version by ``.ci/actionlint.sh``)
  judges a GitHub Actions workflow: syntax, expressions, job graph, untrusted input in scripts.
  Set GOLDENPATH_ACTIONLINT to the path the script prints. Its shellcheck and pyflakes
  integrations are turned off so that a verdict does not depend on what else is on PATH.
- check-jsonschema with its vendored SchemaStore schema for GitHub workflows
  (``--builtin-schema vendor.github-workflows``) judges the same file against the schema editors use.
- ``tests/referees/backstage/validate.js`` judges a Backstage catalog file (catalog-info.yaml) with
  ``@backstage/catalog-model``, the Backstage catalog's own model, applying what the catalog's
  default processing applies (see the script's header). Install it with ``bash .ci/backstage.sh``;
  it needs Node.js on PATH.

A test asks for a referee through ``require`` (the ``run_*`` and ``validate_*`` helpers do it
themselves): a missing referee skips the test and says how to install it, or fails it when
GOLDENPATH_REQUIRE_REFEREES=1 (CI), as tests/engine/conftest.py does for the Pulumi engine.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BACKSTAGE_REFEREE = Path(__file__).resolve().parent / "backstage"
GITHUB_WORKFLOW_SCHEMA = "vendor.github-workflows"

ACTIONLINT_HOW_TO_INSTALL = "set GOLDENPATH_ACTIONLINT to the path `bash .ci/actionlint.sh` prints"
BACKSTAGE_HOW_TO_INSTALL = "run `bash .ci/backstage.sh` (needs Node.js 18 or newer on PATH)"
CHECK_JSONSCHEMA_HOW_TO_INSTALL = "pip install 'check-jsonschema>=0.29,<1'"

TIMEOUT = 120


def require(tool_path: Path | None, name: str, how_to_install: str) -> Path:
    """``tool_path``, or skip the calling test saying how to install ``name``; with
    GOLDENPATH_REQUIRE_REFEREES=1 (CI) a missing referee fails the test instead."""
    if tool_path is None:
        reason = f"no {name}: {how_to_install}"
        if os.environ.get("GOLDENPATH_REQUIRE_REFEREES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return tool_path


# --- actionlint --------------------------------------------------------------------------------------


def actionlint_binary() -> Path | None:
    """The actionlint binary GOLDENPATH_ACTIONLINT names, if it is an executable file."""
    given = os.environ.get("GOLDENPATH_ACTIONLINT", "")
    path = Path(given) if given else None
    if path is None or not path.is_file() or not os.access(path, os.X_OK):
        return None
    return path


def run_actionlint(workflow: Path) -> list[str]:
    """actionlint's findings on one workflow file as ``line:column: message [kind]``; empty when
    it finds nothing. Skips (or fails, see ``require``) without actionlint."""
    given = os.environ.get("GOLDENPATH_ACTIONLINT", "")
    binary = require(actionlint_binary(), "actionlint", f"{ACTIONLINT_HOW_TO_INSTALL} (given {given!r})")
    completed = subprocess.run(
        [str(binary), "-no-color", "-shellcheck=", "-pyflakes=", "-format", "{{json .}}", str(workflow)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    # 0: no problem, 1: problems found; anything else is actionlint itself failing.
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"actionlint exited {completed.returncode}: {completed.stderr.strip()}")
    findings = json.loads(completed.stdout)
    if (completed.returncode == 1) != bool(findings):
        raise RuntimeError(f"actionlint exited {completed.returncode} with findings {findings!r}")
    return [f"{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings]


# --- check-jsonschema ------------------------------------------------------------------------------


def check_jsonschema_package() -> Path | None:
    """The folder of the check_jsonschema package this interpreter imports, if it has one."""
    spec = importlib.util.find_spec("check_jsonschema")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def run_check_jsonschema(document: Path, builtin_schema: str = GITHUB_WORKFLOW_SCHEMA) -> list[str]:
    """check-jsonschema's errors for one file against one of its vendored schemas, each as
    ``json-path: message``, followed by its most specific underlying error when there is one;
    empty when the file is valid. Skips (or fails, see ``require``) without check-jsonschema."""
    require(check_jsonschema_package(), "check-jsonschema", CHECK_JSONSCHEMA_HOW_TO_INSTALL)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            builtin_schema,
            "--output-format",
            "json",
            str(document),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"check-jsonschema exited {completed.returncode}: {completed.stderr.strip()}")
    report = json.loads(completed.stdout)
    messages = [f"{e.get('filename', document)}: {e['message']}" for e in report.get("parse_errors", [])]
    for error in report.get("errors", []):
        messages.append(f"{error['path']}: {error['message']}")
        deep = error.get("best_deep_match")
        if deep:
            messages.append(f"{deep['path']}: {deep['message']}")
    if (completed.returncode == 1) != bool(messages):
        raise RuntimeError(f"check-jsonschema exited {completed.returncode} with {report!r}")
    return messages


# --- Backstage catalog --------------------------------------------------------------------------------


def backstage_validator() -> Path | None:
    """tests/referees/backstage/validate.js once `.ci/backstage.sh` has installed its packages and
    Node.js is on PATH."""
    installed = (
        BACKSTAGE_REFEREE / "node_modules" / "@backstage" / "catalog-model" / "package.json"
    ).is_file()
    if not installed or shutil.which("node") is None:
        return None
    return BACKSTAGE_REFEREE / "validate.js"


def validate_catalog(path: Path) -> list[str]:
    """Why the Backstage catalog would reject the entities in one YAML file, one message per
    rejected document (``document N (entity-ref): ...``); empty when it accepts them all. Skips
    (or fails, see ``require``) without the referee."""
    script = require(backstage_validator(), "Backstage catalog referee", BACKSTAGE_HOW_TO_INSTALL)
    completed = subprocess.run(
        [shutil.which("node") or "node", str(script), str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"validate.js exited {completed.returncode}: {completed.stderr.strip()}")
    report = json.loads(completed.stdout)
    messages = []
    for result in report["results"]:
        where = "file" if result["document"] is None else f"document {result['document']}"
        if result["entity"]:
            where += f" ({result['entity']})"
        messages.extend(f"{where}: {error}" for error in result["errors"])
    if (completed.returncode == 1) != bool(messages) or report["valid"] == bool(messages):
        raise RuntimeError(f"validate.js exited {completed.returncode} with {report!r}")
    return messages
