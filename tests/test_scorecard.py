"""The audit's HTML scorecard: a self-contained page whose charts show the report's numbers.

The fast tests read the page as text and as parsed HTML. The browser tests open it in headless
Chromium (``GOLDENPATH_CHROMIUM``, the path ``bash .ci/chromium.sh`` prints): a copy of the page
gets a small measuring script that writes every chart's and every bar's rendered size into a
``<pre id="measurements">``, and a screenshot is decoded here to show the page drew something.
Chromium runs with every host name unresolvable, so the page could not fetch anything even if it
tried; the page's own Content-Security-Policy forbids it as well.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import json
import os
import re
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from goldenpath.scorecard import CHARTS, CONTENT_SECURITY_POLICY, render_html
from tests.referees.outside import require

CHROMIUM_HOW_TO_INSTALL = "set GOLDENPATH_CHROMIUM to the path `bash .ci/chromium.sh` prints"
CHROMIUM_TIMEOUT = 120
# The colours of the CSS custom properties --bar (adoption bars, successful deployments) and
# --failed (failed deployments) in goldenpath/scorecard.py.
BAR_BLUE = (0x2F, 0x6F, 0xDD)
FAILED_RED = (0xCF, 0x22, 0x2E)

WEEKS = [f"2026-W{n}" for n in range(41, 49)]
UPDATES = [5, 7, 3, 8, 6, 9, 4, 6]
FAILED = [0, 1, 0, 2, 1, 0, 1, 1]


# --- Reports, by hand, following the schemaVersion 1 contract -------------------------------------


def finding(policy, severity, enforcement, status="violation", resource="bucket", source="state"):
    return {
        "policy": policy,
        "pack": "goldenpath-aws-security",
        "severity": severity,
        "enforcement": enforcement,
        "status": status,
        "message": f"{policy} does not hold for {resource}",
        "urn": f"urn:pulumi:prod::app::aws:s3/bucket:Bucket::{resource}",
        "resourceType": "aws:s3/bucket:Bucket",
        "source": source,
    }


def delivery(updates, failed, last_success):
    return {
        "updates": updates,
        "failedUpdates": failed,
        "changeFailureRate": failed / updates if updates else None,
        "deploymentsPerWeek": updates / 8,
        "meanTimeToRestoreHours": 3.2 if failed else None,
        "lastSuccessfulDeploy": last_success,
        "refreshes": 1,
        "destroys": 0,
        "imports": 0,
        "previews": 0,
        "history": [
            {"kind": "update", "result": "succeeded", "start": last_success, "end": last_success},
        ],
    }


def stack(project, name, team, blueprint_version, behind, findings, updates, failed, **extra):
    blueprints = (
        []
        if blueprint_version is None
        else [
            {
                "type": "goldenpath:blueprints:WebService",
                "name": project,
                "version": blueprint_version,
                "versionsBehind": behind,
            }
        ]
    )
    entry = {
        "project": project,
        "stack": name,
        "qualifiedName": f"organization/{project}/{name}",
        "source": "file:///srv/pulumi-state",
        "team": team,
        "blueprints": blueprints,
        "resources": 40,
        "customResources": 36,
        "customInsideGoldenpath": 30,
        "components": {"goldenpath:aws:Service": 1},
        "lastUpdate": "2026-11-30T10:00:00Z",
        "findings": findings,
        "expiredWaivers": [],
        "delivery": delivery(updates, failed, "2026-11-29T09:30:00Z"),
        "drift": None,
        "problems": [],
    }
    entry.update(extra)
    return entry


def realistic_report() -> dict:
    """Five stacks of three teams on two WebService versions, findings of every severity and
    status, eight weeks of deployments with failures, an expired waiver and one problem."""
    stacks = [
        stack(
            "payments-api",
            "prod",
            "payments",
            "0.2.0",
            0,
            [
                finding("aws-s3-kms-encryption", "high", "mandatory"),
                finding("aws-required-tags", "low", "advisory"),
            ],
            12,
            1,
        ),
        stack(
            "payments-api",
            "dev",
            "payments",
            "0.1.0",
            1,
            [
                finding("aws-log-retention", "medium", "advisory", resource="logs"),
                finding("aws-iam-no-wildcard", "critical", "mandatory", status="suppressed", resource="role"),
            ],
            9,
            2,
        ),
        stack(
            "search",
            "prod",
            "search",
            "0.1.0",
            1,
            [
                finding("aws-sg-no-public-ingress", "critical", "mandatory", resource="sg"),
                finding("aws-rds-backup-retention", "high", "advisory", resource="db"),
            ],
            10,
            2,
            expiredWaivers=[
                {
                    "policy": "aws-s3-public-access-block",
                    "urn": "urn:pulumi:prod::search::aws:s3/bucket:Bucket::assets",
                    "expiry": "2026-10-01",
                    "reason": "public assets bucket until the CDN migration lands",
                }
            ],
        ),
        stack(
            "identity",
            "prod",
            "identity",
            "0.2.0",
            0,
            [
                finding("aws-log-retention", "medium", "advisory", resource="logs"),
                finding("aws-required-tags", "low", "advisory", resource="queue"),
                finding("k8s-pod-security", "high", "mandatory", status="not-evaluated", source="live"),
            ],
            11,
            1,
        ),
        stack(
            "legacy-batch",
            "prod",
            "identity",
            None,
            None,
            [
                finding("aws-s3-kms-encryption", "high", "mandatory", resource="exports"),
                finding("aws-required-tags", "low", "advisory", resource="exports"),
            ],
            6,
            0,
            customInsideGoldenpath=0,
            problems=["history file legacy-batch-1732000000.history.json is not JSON; skipped"],
        ),
    ]
    return {
        "schemaVersion": 1,
        "generatedAt": "2026-12-02T01:40:00Z",
        "goldenpathVersion": "0.1.0",
        "sources": ["file:///srv/pulumi-state", "s3://acme-pulumi-state/prod?region=eu-west-1"],
        "packs": [{"name": "goldenpath-aws-security", "version": "0.1.0"}],
        "live": False,
        "summary": {
            "stacks": 5,
            "resources": 200,
            "customResources": 180,
            "customInsideGoldenpath": 120,
            "adoptionPercent": 66.7,
            "bySeverity": {"critical": 1, "high": 3, "medium": 2, "low": 3},
            "mandatory": 3,
            "advisory": 6,
            "suppressed": 1,
            "expiredWaivers": 1,
            "updates": 48,
            "failedUpdates": 6,
            "changeFailureRate": 0.125,
            "stacksBehind": 2,
            "drifted": 0,
            "problems": 1,
        },
        "newestBlueprintVersions": {"goldenpath:blueprints:WebService": "0.2.0"},
        "stacks": stacks,
        "teams": [
            {
                "team": "payments",
                "stacks": 2,
                "resources": 80,
                "adoptionPercent": 100.0,
                "mandatory": 1,
                "advisory": 2,
                "stacksBehind": 1,
            },
            {
                "team": "search",
                "stacks": 1,
                "resources": 40,
                "adoptionPercent": 87.5,
                "mandatory": 1,
                "advisory": 1,
                "stacksBehind": 1,
            },
            {
                "team": "identity",
                "stacks": 2,
                "resources": 80,
                "adoptionPercent": 41.2,
                "mandatory": 1,
                "advisory": 3,
                "stacksBehind": 0,
            },
        ],
        "blueprintVersions": [
            {"blueprint": "goldenpath:blueprints:WebService", "version": "0.2.0", "stacks": 2},
            {"blueprint": "goldenpath:blueprints:WebService", "version": "0.1.0", "stacks": 2},
        ],
        "deploymentsByWeek": [
            {"week": w, "updates": u, "failed": f} for w, u, f in zip(WEEKS, UPDATES, FAILED, strict=True)
        ],
        "problems": [
            {
                "stack": "organization/legacy-batch/prod",
                "message": "history file legacy-batch-1732000000.history.json is not JSON; skipped",
            }
        ],
    }


def empty_report() -> dict:
    """An audit of a backend that holds no stacks."""
    return {
        "schemaVersion": 1,
        "generatedAt": "2026-12-02T01:40:00Z",
        "goldenpathVersion": "0.1.0",
        "sources": ["file:///srv/empty"],
        "packs": [{"name": "goldenpath-aws-security", "version": "0.1.0"}],
        "live": False,
        "summary": {
            "stacks": 0,
            "resources": 0,
            "customResources": 0,
            "customInsideGoldenpath": 0,
            "adoptionPercent": None,
            "bySeverity": {"critical": 0, "high": 0, "medium": 0, "low": 0},
            "mandatory": 0,
            "advisory": 0,
            "suppressed": 0,
            "expiredWaivers": 0,
            "updates": 0,
            "failedUpdates": 0,
            "changeFailureRate": None,
            "stacksBehind": 0,
            "drifted": 0,
            "problems": 0,
        },
        "newestBlueprintVersions": {},
        "stacks": [],
        "teams": [],
        "blueprintVersions": [],
        "deploymentsByWeek": [],
        "problems": [],
    }


# --- Reading the page -----------------------------------------------------------------------------


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """Every element of a page as (tag, attributes, enclosing data-chart or None), and its text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], str | None]] = []
        self.text: list[str] = []
        self._chart: str | None = None
        self._svg_depth = 0
        self._titles: dict[str, list[str]] = {}
        self._in: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg" and "data-chart" in attributes:
            self._chart = attributes["data-chart"]
        self.elements.append((tag, attributes, self._chart))
        if tag not in VOID_ELEMENTS:
            self._in.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), self._chart))

    def handle_endtag(self, tag):
        if tag == "svg":
            self._chart = None
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self._chart and self._in and self._in[-1] in ("title", "desc") and self._in[-2:-1] == ["svg"]:
            self._titles.setdefault(self._chart, []).append(f"{self._in[-1]}:{data}")

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attributes for tag, attributes, _ in self.elements if tag == name]

    def charts(self) -> list[str]:
        return [a["data-chart"] for a in self.tags("svg") if "data-chart" in a]

    def bars(self, chart: str) -> list[dict[str, str | None]]:
        return [a for tag, a, c in self.elements if c == chart and tag == "rect" and "data-value" in a]

    def chart_labels(self, chart: str) -> list[str]:
        return self._titles.get(chart, [])

    def empty_notes(self) -> dict[str, str]:
        return {a["data-chart-empty"]: a for a in self.tags("p") if "data-chart-empty" in a}


def values(bars) -> list[float]:
    return [float(b["data-value"]) for b in bars]


def length(bar, orientation: str) -> float:
    return float(bar["width"] if orientation == "horizontal" else bar["height"])


def assert_proportional(lengths: list[float], data: list[float], tolerance: float) -> None:
    """Each length is the data value times one scale (that of the longest bar), within ``tolerance``."""
    longest = max(range(len(data)), key=lambda i: data[i])
    scale = lengths[longest] / data[longest]
    assert scale > 0
    for got, value in zip(lengths, data, strict=True):
        assert abs(got - value * scale) <= tolerance, (lengths, data)


@pytest.fixture(scope="module")
def page_html() -> str:
    return render_html(realistic_report())


@pytest.fixture(scope="module")
def page(page_html) -> Page:
    return Page(page_html)


# --- Self-contained ---------------------------------------------------------------------------------


def test_page_loads_nothing_from_anywhere(page_html, page):
    referencing = [
        (tag, name, value)
        for tag, attributes, _ in page.elements
        for name, value in attributes.items()
        if name in ("src", "href", "srcset", "action", "data", "poster", "xlink:href")
    ]
    assert referencing == []
    assert not re.search(r"url\s*\(", page_html, re.IGNORECASE)
    assert "@import" not in page_html
    assert page.tags("script") == [] and page.tags("link") == [] and page.tags("iframe") == []
    assert not re.search(r"https?://", page_html)


def test_page_forbids_every_fetch_by_content_security_policy(page):
    (policy,) = [m for m in page.tags("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert policy["content"] == CONTENT_SECURITY_POLICY
    assert policy["content"].startswith("default-src 'none'; ")


def test_content_security_policy_allows_exactly_the_inline_stylesheet(page_html):
    (css,) = re.findall(r"<style>(.*?)</style>", page_html, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in CONTENT_SECURITY_POLICY


def test_page_has_no_style_attributes_the_policy_would_block(page):
    assert [(tag, a) for tag, a, _ in page.elements if "style" in a] == []


# --- Escaping -------------------------------------------------------------------------------------


def test_stack_and_team_names_render_as_text_not_markup():
    report = realistic_report()
    hostile = report["stacks"][0]
    hostile["qualifiedName"] = "<script>alert('stack')</script>"
    hostile["team"] = '"><img src=x onerror=alert(1)>'
    hostile["findings"][0]["message"] = "a & b <b>bold</b>"
    report["teams"][0]["team"] = '"><img src=x onerror=alert(1)>'
    report["problems"][0]["message"] = "</td></tr></table><script>alert(2)</script>"

    text = render_html(report)
    parsed = Page(text)

    assert parsed.tags("script") == [] and parsed.tags("img") == [] and parsed.tags("b") == []
    assert "&lt;script&gt;alert(&#x27;stack&#x27;)&lt;/script&gt;" in text
    shown = "".join(parsed.text)
    assert "<script>alert('stack')</script>" in shown
    assert '"><img src=x onerror=alert(1)>' in shown
    assert "a & b <b>bold</b>" in shown
    assert "</td></tr></table><script>alert(2)</script>" in shown
    labels = [b["data-label"] for b in parsed.bars("adoption-by-team")]
    assert labels[0] == '"><img src=x onerror=alert(1)>'


# --- Charts ---------------------------------------------------------------------------------------


def test_page_draws_the_four_charts_in_order(page):
    assert page.charts() == list(CHARTS)


def test_every_chart_has_an_accessible_title_and_description(page):
    for chart in CHARTS:
        (svg,) = [a for a in page.tags("svg") if a.get("data-chart") == chart]
        assert svg["role"] == "img"
        assert svg["aria-labelledby"] == f"chart-{chart}-title chart-{chart}-desc"
        kinds = [label.split(":", 1)[0] for label in page.chart_labels(chart)]
        assert kinds == ["title", "desc"], chart
        assert all(len(label) > 12 for label in page.chart_labels(chart))


def test_adoption_bars_are_the_teams_adoption_percentages(page):
    bars = page.bars("adoption-by-team")
    assert [b["data-label"] for b in bars] == ["payments", "search", "identity"]
    assert values(bars) == [100.0, 87.5, 41.2]
    assert_proportional([length(b, "horizontal") for b in bars], values(bars), tolerance=0.01)


def test_adoption_bars_share_a_0_to_100_scale(page):
    (full, *_) = page.bars("adoption-by-team")
    half = Page(
        render_html({**realistic_report(), "teams": [{"team": "t", "stacks": 1, "adoptionPercent": 50}]})
    )
    assert float(half.bars("adoption-by-team")[0]["width"]) == pytest.approx(float(full["width"]) / 2)


def test_blueprint_version_bars_count_stacks_and_mark_older_versions(page):
    bars = page.bars("blueprint-versions")
    assert [b["data-label"] for b in bars] == ["WebService 0.2.0", "WebService 0.1.0"]
    assert values(bars) == [2.0, 2.0]
    assert ["old" in b["class"].split() for b in bars] == [False, True]
    assert bars[0]["width"] == bars[1]["width"]


def test_severity_bars_are_the_open_violations_per_severity(page):
    bars = page.bars("compliance-by-severity")
    assert [b["data-series"] for b in bars] == ["critical", "high", "medium", "low"]
    assert values(bars) == [1.0, 3.0, 2.0, 3.0]
    assert_proportional([length(b, "vertical") for b in bars], values(bars), tolerance=0.01)


def test_deploy_columns_stack_failures_on_successes_per_week(page):
    bars = page.bars("deploys-by-week")
    succeeded = [b for b in bars if b["data-series"] == "succeeded"]
    failed = [b for b in bars if b["data-series"] == "failed"]
    assert len(bars) == 2 * len(WEEKS)
    assert values(succeeded) == [u - f for u, f in zip(UPDATES, FAILED, strict=True)]
    assert values(failed) == FAILED
    heights = [length(b, "vertical") for b in bars]
    assert_proportional(heights, values(bars), tolerance=0.01)
    for ok, bad in zip(succeeded, failed, strict=True):
        # The failed segment sits directly on top of the successful one.
        assert float(bad["y"]) + float(bad["height"]) == pytest.approx(float(ok["y"]), abs=0.01)


def test_weeks_missing_from_the_report_are_drawn_as_empty_columns():
    report = realistic_report()
    report["deploymentsByWeek"] = [
        {"week": "2026-W52", "updates": 2, "failed": 1},
        {"week": "2027-W02", "updates": 3, "failed": 0},
    ]
    bars = Page(render_html(report)).bars("deploys-by-week")
    # 2026 has 53 ISO weeks: W52, W53, 2027-W01, W02.
    assert [b["data-label"] for b in bars[::2]] == ["W52", "W53", "W01", "W02"]
    assert values(bars) == [1, 1, 0, 0, 0, 0, 3, 0]


def test_empty_audit_shows_a_no_data_note_instead_of_each_chart():
    page = Page(render_html(empty_report()))
    assert page.charts() == []
    notes = page.empty_notes()
    assert sorted(notes) == sorted(CHARTS)
    assert all(note["class"] == "no-data" for note in notes.values())
    shown = "".join(page.text)
    assert shown.count("No data:") == len(CHARTS)
    assert "No stacks: the audit found none in its sources." in shown


def test_stacks_without_violations_or_history_say_so():
    report = realistic_report()
    report["summary"]["bySeverity"] = {"critical": 0, "high": 0, "medium": 0, "low": 0}
    report["deploymentsByWeek"] = []
    page = Page(render_html(report))
    assert page.charts() == ["adoption-by-team", "blueprint-versions"]
    shown = "".join(page.text)
    assert "No open violations at any severity (1 suppressed by waivers)." in shown
    assert "No data: no deployment history in the audited backends." in shown


def test_a_report_with_missing_and_null_fields_still_renders():
    report = realistic_report()
    del report["summary"]
    report["teams"][0]["adoptionPercent"] = None
    report["stacks"][0]["delivery"] = None
    report["stacks"][1]["blueprints"][0]["version"] = None
    page = Page(render_html(report))
    assert [b["data-label"] for b in page.bars("adoption-by-team")] == ["search", "identity"]
    assert "compliance-by-severity" in page.empty_notes()
    assert render_html({}).startswith("<!DOCTYPE html>")


# --- Tables ---------------------------------------------------------------------------------------


def table_rows(text: str, ident: str) -> list[str]:
    (table,) = re.findall(rf'<table id="{ident}-table">(.*?)</table>', text, re.DOTALL)
    return re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.DOTALL)


def test_stacks_table_has_one_row_per_stack_with_its_counts(page_html):
    rows = table_rows(page_html, "stacks")
    assert len(rows) == 5
    search = next(r for r in rows if "organization/search/prod" in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", search, re.DOTALL)
    text = [re.sub(r"<[^>]+>", " ", c).split() for c in cells]
    assert text[1] == ["search"]
    assert text[2][:2] == ["WebService", "0.1.0"]
    assert text[3:7] == [["1"], ["1"], ["1"], ["1"]]  # behind, mandatory, advisory, expired waivers
    assert text[7] == ["2026-11-29T09:30:00Z"]
    assert text[8] == ["20.0%"]


def test_stack_off_the_paved_path_shows_no_blueprint_and_its_problem(page_html):
    (legacy,) = [r for r in table_rows(page_html, "stacks") if "legacy-batch" in r]
    assert "none (off the paved path)" in legacy
    assert "is not JSON; skipped" in legacy


def test_findings_table_lists_every_finding_open_mandatory_and_severe_first(page_html):
    rows = table_rows(page_html, "findings")
    assert len(rows) == 11
    first = [re.findall(r'class="sev (\w+)"', r)[0] for r in rows[:3]]
    assert first == ["critical", "high", "high"]
    statuses = [re.findall(r"<td>(violation|suppressed|not-evaluated)</td>", r)[0] for r in rows]
    assert statuses == ["violation"] * 9 + ["not-evaluated", "suppressed"]


def test_problems_table_lists_the_reports_problems(page_html):
    (row,) = table_rows(page_html, "problems")
    assert "organization/legacy-batch/prod" in row and "is not JSON; skipped" in row


# --- Deterministic --------------------------------------------------------------------------------


def test_same_report_renders_the_same_page(page_html):
    assert render_html(copy.deepcopy(realistic_report())) == page_html


def test_the_only_time_on_the_page_is_the_reports_own(page_html):
    later = realistic_report()
    later["generatedAt"] = "2027-01-15T08:00:00Z"
    assert render_html(later) == page_html.replace("2026-12-02T01:40:00Z", "2027-01-15T08:00:00Z")


# --- In a browser ---------------------------------------------------------------------------------

MEASURE = """
(function () {
  function box(el) { var r = el.getBoundingClientRect(); return {width: r.width, height: r.height}; }
  var tile = document.querySelector('.tile');
  var out = {
    charts: [],
    tileBorder: tile ? getComputedStyle(tile).borderTopStyle : null,
    scripts: document.scripts.length
  };
  document.querySelectorAll('[data-chart]').forEach(function (chart) {
    var size = box(chart);
    out.charts.push({
      name: chart.dataset.chart,
      orientation: chart.dataset.orientation,
      width: size.width,
      height: size.height,
      bars: Array.prototype.map.call(chart.querySelectorAll('[data-value]'), function (bar) {
        var b = box(bar);
        return {value: parseFloat(bar.dataset.value), series: bar.dataset.series || null,
                width: b.width, height: b.height};
      })
    });
  });
  var pre = document.createElement('pre');
  pre.id = 'measurements';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


def chromium_binary() -> Path | None:
    given = os.environ.get("GOLDENPATH_CHROMIUM", "")
    path = Path(given) if given else None
    if path is None or not path.is_file() or not os.access(path, os.X_OK):
        return None
    return path


def with_measuring_script(page_html: str) -> str:
    """A copy of the page that measures itself; its policy also allows that one script, by hash."""
    digest = base64.b64encode(hashlib.sha256(MEASURE.encode()).digest()).decode()
    policy = html.escape(CONTENT_SECURITY_POLICY, quote=True)
    assert page_html.count(policy) == 1 and page_html.count("</body>") == 1
    return page_html.replace(
        policy, html.escape(f"{CONTENT_SECURITY_POLICY}; script-src 'sha256-{digest}'")
    ).replace("</body>", f"<script>{MEASURE}</script></body>")


def run_chromium(binary: Path, profile: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(binary),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            # No network: no host name resolves, and nothing Chromium does on its own may phone home.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--window-size=1280,1400",
            "--virtual-time-budget=2000",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT,
        check=True,
    )


@pytest.fixture(scope="module")
def chromium() -> Path:
    given = os.environ.get("GOLDENPATH_CHROMIUM", "")
    return require(chromium_binary(), "Chromium", f"{CHROMIUM_HOW_TO_INSTALL} (given {given!r})")


@pytest.fixture(scope="module")
def measurements(chromium, page_html, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("scorecard-measure")
    measured = folder / "scorecard.html"
    measured.write_text(with_measuring_script(page_html), encoding="utf-8")
    dumped = run_chromium(chromium, folder / "profile", "--dump-dom", measured.as_uri()).stdout
    found = re.search(r'<pre id="measurements">(.*?)</pre>', dumped, re.DOTALL)
    assert found, f"no measurements in the dumped DOM:\n{dumped[:2000]}"
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def screenshot(chromium, page_html, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scorecard-screenshot")
    shown = folder / "scorecard.html"
    shown.write_text(page_html, encoding="utf-8")
    png = folder / "scorecard.png"
    run_chromium(chromium, folder / "profile", f"--screenshot={png}", shown.as_uri())
    return png


@pytest.mark.slow
def test_browser_draws_every_chart_with_a_size(measurements):
    charts = {c["name"]: c for c in measurements["charts"]}
    assert list(charts) == list(CHARTS)
    for chart in charts.values():
        assert chart["width"] > 100 and chart["height"] > 50, chart


@pytest.mark.slow
def test_browser_draws_bars_proportional_to_their_values(measurements, page):
    for chart in measurements["charts"]:
        bars = chart["bars"]
        assert [b["value"] for b in bars] == values(page.bars(chart["name"])), chart["name"]
        along = "width" if chart["orientation"] == "horizontal" else "height"
        assert all(b["width"] > 0 and b["height"] > 0 for b in bars if b["value"] > 0), chart["name"]
        assert_proportional([b[along] for b in bars], [b["value"] for b in bars], tolerance=1.5)


@pytest.mark.slow
def test_browser_applies_the_inline_stylesheet_under_the_pages_policy(measurements):
    assert measurements["tileBorder"] == "solid"
    assert measurements["scripts"] == 1  # only the measuring script of the test's copy


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGBA pixels) of an 8-bit, non-interlaced RGB or RGBA PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(data):
        (size,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunks.setdefault(kind, []).append(data[position + 8 : position + 8 + size])
        position += 12 + size
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        if kind == 1:
            for i in range(channels, stride):
                row[i] = (row[i] + row[i - channels]) & 0xFF
        elif kind == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = row[i - channels] if i >= channels else 0
                row[i] = (row[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = row[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(row))
        previous = row
    if channels == 3:
        rows = [b"".join(r[i : i + 3] + b"\xff" for i in range(0, stride, 3)) for r in rows]
    return width, height, rows


@pytest.mark.slow
def test_browser_screenshot_shows_the_page_and_its_bars(screenshot):
    assert screenshot.stat().st_size > 30_000
    width, height, rows = read_png(screenshot)
    assert (width, height) == (1280, 1400)
    colours = {row[i : i + 3] for row in rows[::4] for i in range(0, len(row), 16)}
    assert len(colours) > 50

    counts = Counter(row[i : i + 3] for row in rows for i in range(0, len(row), 4))

    def pixels_near(target: tuple[int, int, int]) -> int:
        return sum(n for rgb, n in counts.items() if all(abs(rgb[k] - target[k]) <= 3 for k in range(3)))

    assert pixels_near(BAR_BLUE) > 2_000
    assert pixels_near(FAILED_RED) > 200
