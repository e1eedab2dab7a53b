"""The outside referees for ``goldenpath new``'s files (tests/referees/outside.py) can fail.

A referee that passes everything proves nothing, so each one is shown a good file, which it must
pass, and that file with one mistake, which it must reject for that mistake: actionlint and
check-jsonschema for a GitHub Actions workflow, @backstage/catalog-model for a catalog-info.yaml.
The referees' pins are checked too (what `.ci/*.sh` install is what runs).
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from . import outside

ROOT = Path(__file__).resolve().parents[2]

GOOD_WORKFLOW = """\
name: ci
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: python -m pip install -e '.[dev]'
      - run: python -m pytest -q
  deploy:
    needs: [test]
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - run: echo "deploying ${{ github.sha }}"
"""

GOOD_COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  description: Takes card payments.
  annotations:
    github.com/project-slug: acme/payments-api
    backstage.io/techdocs-ref: dir:.
  tags: [python, payments]
spec:
  type: service
  lifecycle: production
  owner: group:payments-team
  system: payments
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# --- require -------------------------------------------------------------------------------------------


def test_a_missing_referee_skips_the_test_and_says_how_to_install_it(monkeypatch):
    monkeypatch.delenv("GOLDENPATH_REQUIRE_REFEREES", raising=False)

    with pytest.raises(pytest.skip.Exception, match=r"no actionlint: run \.ci/actionlint\.sh"):
        outside.require(None, "actionlint", "run .ci/actionlint.sh")


def test_a_missing_referee_fails_the_test_when_referees_are_required(monkeypatch):
    monkeypatch.setenv("GOLDENPATH_REQUIRE_REFEREES", "1")

    with pytest.raises(pytest.fail.Exception, match=r"no actionlint: run \.ci/actionlint\.sh"):
        outside.require(None, "actionlint", "run .ci/actionlint.sh")


def test_a_present_referee_is_handed_back(tmp_path, monkeypatch):
    monkeypatch.setenv("GOLDENPATH_REQUIRE_REFEREES", "1")

    assert outside.require(tmp_path, "anything", "nothing to do") == tmp_path


def test_actionlint_is_not_found_where_goldenpath_actionlint_names_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("GOLDENPATH_ACTIONLINT", str(tmp_path / "missing"))
    assert outside.actionlint_binary() is None
    monkeypatch.delenv("GOLDENPATH_ACTIONLINT")
    assert outside.actionlint_binary() is None


# --- actionlint ----------------------------------------------------------------------------------------


def test_actionlint_is_the_version_the_ci_script_pins():
    binary = outside.require(outside.actionlint_binary(), "actionlint", outside.ACTIONLINT_HOW_TO_INSTALL)
    (pinned,) = re.findall(r'^version="(v[^"]+)"$', (ROOT / ".ci" / "actionlint.sh").read_text(), re.M)

    reported = subprocess.run([str(binary), "-version"], capture_output=True, text=True, check=True)

    assert reported.stdout.splitlines()[0] == pinned


def test_actionlint_passes_a_good_workflow(tmp_path):
    assert outside.run_actionlint(write(tmp_path, "ci.yml", GOOD_WORKFLOW)) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "runs-on: ubuntu-latest\n    steps:\n      - uses",
            "runs-onn: ubuntu-latest\n    steps:\n      - uses",
            'unexpected key "runs-onn" for "job" section',
            id="unknown-key",
        ),
        pytest.param(
            "${{ github.sha }}",
            "${{ github.event.pull_request.title }}",
            '"github.event.pull_request.title" is potentially untrusted. '
            "avoid using it directly in inline scripts",
            id="untrusted-input-in-run",
        ),
        pytest.param(
            "needs: [test]",
            "needs: [build]",
            'job "deploy" needs job "build" which does not exist in this workflow',
            id="undefined-needs",
        ),
        pytest.param(
            "if: github.ref == 'refs/heads/main'",
            "if: github.reff == 'refs/heads/main'",
            'property "reff" is not defined in object type',
            id="unknown-context-property",
        ),
    ],
)
def test_actionlint_rejects_a_workflow_with_one_mistake(tmp_path, old, new, expected):
    findings = outside.run_actionlint(write(tmp_path, "ci.yml", mutate(GOOD_WORKFLOW, old, new)))

    assert any(expected in finding for finding in findings), findings


# --- check-jsonschema (SchemaStore's GitHub workflow schema) --------------------------------------------


def test_the_github_workflow_schema_passes_a_good_workflow(tmp_path):
    assert outside.run_check_jsonschema(write(tmp_path, "ci.yml", GOOD_WORKFLOW)) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "on:\n  push:\n    branches: [main]\n  pull_request:\n",
            "on: [pull_requestt]\n",
            "$.on[0]: 'pull_requestt' is not one of ['branch_protection_rule'",
            id="unknown-event",
        ),
        pytest.param(
            "runs-on: ubuntu-latest\n    steps:\n      - uses",
            "runs-onn: ubuntu-latest\n    steps:\n      - uses",
            "$.jobs.test: {'runs-onn': 'ubuntu-latest'",
            id="unknown-key",
        ),
        pytest.param(
            "  contents: read\n",
            "  contents: readd\n",
            "$.permissions.contents: 'readd' is not one of ['read', 'write', 'none']",
            id="bad-permission",
        ),
    ],
)
def test_the_github_workflow_schema_rejects_a_workflow_with_one_mistake(tmp_path, old, new, expected):
    errors = outside.run_check_jsonschema(write(tmp_path, "ci.yml", mutate(GOOD_WORKFLOW, old, new)))

    assert any(expected in error for error in errors), errors


# --- Backstage catalog (@backstage/catalog-model) -------------------------------------------------------


def test_the_backstage_referee_runs_the_pinned_catalog_model():
    script = outside.require(
        outside.backstage_validator(), "Backstage catalog referee", outside.BACKSTAGE_HOW_TO_INSTALL
    )
    manifest = json.loads((script.parent / "package.json").read_text())
    lock = json.loads((script.parent / "package-lock.json").read_text())
    installed = json.loads(
        (script.parent / "node_modules" / "@backstage" / "catalog-model" / "package.json").read_text()
    )

    pinned = manifest["dependencies"]["@backstage/catalog-model"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "pin an exact version"
    assert lock["packages"]["node_modules/@backstage/catalog-model"]["version"] == pinned
    assert installed["version"] == pinned


def test_the_backstage_catalog_accepts_a_good_component(tmp_path):
    assert outside.validate_catalog(write(tmp_path, "catalog-info.yaml", GOOD_COMPONENT)) == []


def test_the_backstage_catalog_accepts_several_entities_in_one_file(tmp_path):
    system = """\
        apiVersion: backstage.io/v1alpha1
        kind: System
        metadata:
          name: payments
        spec:
          owner: payments-team
        """
    group = """\
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata:
          name: payments-team
        spec:
          type: team
          children: []
        """
    text = "---\n".join([GOOD_COMPONENT, textwrap.dedent(system), textwrap.dedent(group)]) + "---\n"

    assert outside.validate_catalog(write(tmp_path, "catalog-info.yaml", text)) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "  owner: group:payments-team\n",
            "",
            "/spec must have required property 'owner'",
            id="missing-owner",
        ),
        pytest.param(
            "name: payments-api",
            "name: Payments API!",
            '"metadata.name" is not valid; expected a string that is sequences of [a-zA-Z0-9] '
            'separated by any of [-_.], at most 63 characters in total but found "Payments API!"',
            id="bad-name",
        ),
        pytest.param(
            "github.com/project-slug: acme/payments-api",
            "acme.com/team/owner: payments",
            '"annotations.acme.com/team/owner" is not valid; expected a valid prefix and/or suffix',
            id="bad-annotation-key",
        ),
        pytest.param(
            "  type: service\n",
            "",
            "/spec must have required property 'type'",
            id="missing-type",
        ),
        pytest.param(
            "owner: group:payments-team",
            "owner: 'group:'",
            'Entity reference "group:" was not on the form [<kind>:][<namespace>/]<name>',
            id="bad-owner-reference",
        ),
        pytest.param(
            "apiVersion: backstage.io/v1alpha1",
            "apiVersion: backstage.io/v2",
            "No processor recognized the entity component:default/payments-api as valid",
            id="unknown-api-version",
        ),
        pytest.param(
            "spec:\n",
            "owners: [payments-team]\nspec:\n",
            "Malformed envelope, <root> must NOT have additional properties",
            id="foreign-root-field",
        ),
        pytest.param(
            "spec:\n",
            "status: {}\nspec:\n",
            "Unknown field status",
            id="root-field-the-catalog-does-not-take",
        ),
    ],
)
def test_the_backstage_catalog_rejects_a_component_with_one_mistake(tmp_path, old, new, expected):
    errors = outside.validate_catalog(write(tmp_path, "catalog-info.yaml", mutate(GOOD_COMPONENT, old, new)))

    assert len(errors) == 1, errors
    assert errors[0].startswith("document 0 ")
    assert expected in errors[0]


def test_the_backstage_referee_names_the_rejected_document(tmp_path):
    broken = GOOD_COMPONENT.replace("payments-api", "ledger").replace("  lifecycle: production\n", "")
    text = f"{GOOD_COMPONENT}---\n{broken}"

    errors = outside.validate_catalog(write(tmp_path, "catalog-info.yaml", text))

    assert len(errors) == 1, errors
    assert errors[0].startswith("document 1 (component:default/ledger): ")
    assert "must have required property 'lifecycle'" in errors[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "No entity in the file", id="empty"),
        pytest.param("- a\n- list\n", "Expected object at root, got array", id="not-a-mapping"),
        pytest.param("metadata: [\n", "YAML error at file:", id="not-yaml"),
    ],
)
def test_the_backstage_referee_rejects_a_file_that_holds_no_entity(tmp_path, text, expected):
    errors = outside.validate_catalog(write(tmp_path, "catalog-info.yaml", text))

    assert any(expected in error for error in errors), errors
