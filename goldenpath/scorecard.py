"""The HTML scorecard of an audit (``goldenpath audit --format html``): one self-contained page.

The page renders the audit's JSON report (``schemaVersion`` 1, the contract between the audit and
its readers) and nothing else: the same report gives the
same bytes, and the only time on the page is the report's own ``generatedAt``.

Self-contained means the page loads nothing: the CSS is inline, the charts are inline SVG drawn
here (no JavaScript at all), no attribute holds a URL. A Content-Security-Policy ``<meta>`` makes
that a rule the browser enforces rather than a habit: ``default-src 'none'`` with the inline
stylesheet allowed by its SHA-256, so a browser refuses any fetch, script or other style the page
might somehow come to hold. Everything taken from the report is escaped with :func:`html.escape`,
in text and in attributes alike; a stack named ``<script>`` is shown as those eight characters.

Charts: adoption by team, blueprint versions in use, open violations by severity, and deployments
per ISO week with failures stacked on successes (weeks the report skips are drawn as empty
columns, so the time axis stays even). Every chart is an ``<svg data-chart="…">`` with a
``<title>`` and a ``<desc>`` that states its data in words, and every bar is a ``<rect>`` with a
``data-value`` whose length along the value axis is proportional to that value. A chart with no
data is replaced by a note saying why (``<p class="no-data" data-chart-empty="…">``).

The report comes from elsewhere, so rendering is total: a missing field or a ``null`` shows as a
dash, never as an exception.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CHARTS",
    "CONTENT_SECURITY_POLICY",
    "render_html",
]

# data-chart names, in the order the page shows them.
CHARTS = ("adoption-by-team", "blueprint-versions", "compliance-by-severity", "deploys-by-week")

SEVERITIES = ("critical", "high", "medium", "low")
_STATUS_ORDER = {"violation": 0, "not-evaluated": 1, "suppressed": 2}
_ENFORCEMENT_ORDER = {"mandatory": 0, "advisory": 1}
_DASH = "\u2014"

_CSS = """\
:root{--ink:#1d2430;--muted:#5b6472;--line:#d8dde4;--panel:#f6f8fa;--good:#1a7f37;--warn:#9a6700;
--bad:#cf222e;--bar:#2f6fdd;--old:#d4a72c;--critical:#82071e;--high:#cf222e;--medium:#e16f24;
--low:#bf8700;--ok:#2f6fdd;--failed:#cf222e}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
header{border-bottom:1px solid var(--line);padding-bottom:12px;margin-bottom:20px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px}
.meta{color:var(--muted);margin:2px 0}
.meta code{font-size:12px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.tile{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:var(--panel)}
.tile .value{display:block;font-size:24px;font-weight:600}
.tile .label{color:var(--muted);font-size:12px}
.tile.bad .value{color:var(--bad)}
.tile.warn .value{color:var(--warn)}
.tile.good .value{color:var(--good)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:12px 14px;background:#fff}
figcaption{font-weight:600;margin-bottom:6px}
figure svg{display:block;max-width:100%;height:auto}
.legend{color:var(--muted);font-size:12px;margin-top:4px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;
vertical-align:-1px}
.no-data{color:var(--muted);font-style:italic;border:1px dashed var(--line);border-radius:6px;
padding:24px;text-align:center;margin:0}
svg text{font-family:inherit;font-size:12px;fill:var(--ink)}
svg .tick{fill:var(--muted);font-size:11px}
svg .grid{stroke:var(--line);stroke-width:1}
svg .axis{stroke:var(--muted);stroke-width:1}
.bar{fill:var(--bar)}
.bar.old{fill:var(--old)}
.bar.critical,.swatch.critical{fill:var(--critical);background:var(--critical)}
.bar.high,.swatch.high{fill:var(--high);background:var(--high)}
.bar.medium,.swatch.medium{fill:var(--medium);background:var(--medium)}
.bar.low,.swatch.low{fill:var(--low);background:var(--low)}
.bar.succeeded,.swatch.succeeded,.swatch.newest{fill:var(--ok);background:var(--ok)}
.bar.failed,.swatch.failed{fill:var(--failed);background:var(--failed)}
.swatch.old{background:var(--old)}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.bad td:first-child{box-shadow:inset 3px 0 0 var(--bad)}
td code,li code{font-size:12px;word-break:break-all}
.sev{display:inline-block;padding:0 6px;border-radius:10px;color:#fff;font-size:12px}
.sev.critical{background:var(--critical)}
.sev.high{background:var(--high)}
.sev.medium{background:var(--medium)}
.sev.low{background:var(--low)}
.sev.other{background:var(--muted)}
.mandatory{color:var(--bad);font-weight:600}
.behind{color:var(--warn);font-weight:600}
.sub{color:var(--muted);font-size:12px;display:block}
ul.plain{margin:0;padding-left:16px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{body{padding:0}th{position:static}figure,tr{break-inside:avoid}}
"""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()}'; "
    "base-uri 'none'; form-action 'none'"
)


# --- Escaping and formatting ----------------------------------------------------------------------


def _e(value: Any) -> str:
    """``value`` as escaped HTML text (and attribute value); ``None`` as a dash."""
    if value is None:
        return _DASH
    return html.escape(str(value), quote=True)


def _num(value: Any) -> str:
    """A number as it should read in a ``data-value`` or a cell: ints stay ints, ``92.90`` is ``92.9``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _DASH if value is None else _e(value)
    if isinstance(value, float) and not math.isfinite(value):
        return _DASH
    return format(value, "g") if isinstance(value, float) else str(value)


def _percent(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return _DASH
    return f"{value:.1f}%"


def _rate(value: Any) -> str:
    """A rate in 0..1 (change failure rate) as a percentage."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return _DASH
    return f"{value * 100:.1f}%"


def _count(value: Any) -> int:
    """A count from the report; anything that is not a non-negative number counts as 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0
    return max(0, int(value))


def _value(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _px(value: float) -> str:
    """An SVG coordinate, rounded so that the same report draws the same bytes."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _short_type(type_token: Any) -> str:
    """``goldenpath:blueprints:WebService`` → ``WebService``."""
    return str(type_token).rsplit(":", 1)[-1] if type_token else _DASH


def _truncate(text: str, limit: int) -> str:
    """``text`` cut in the middle to ``limit`` characters: names that share a prefix (team-a-…-1,
    team-a-…-2) stay told apart by their ends."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "\u2026" + text[len(text) - (limit - 1 - head) :]


def _list(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def _dict(value: Any) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _team_label(team: Any) -> str:
    return "(no team tag)" if team in (None, "") else str(team)


def _stack_label(stack: Mapping) -> str:
    if stack.get("qualifiedName"):
        return str(stack["qualifiedName"])
    return "/".join(str(stack.get(k) or "?") for k in ("project", "stack"))


def _resource_name(urn: Any) -> str:
    """The resource's name, the last ``::`` part of its URN."""
    return str(urn).rsplit("::", 1)[-1] if urn else _DASH


# --- Charts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bar:
    label: str  # raw text; escaped when drawn
    value: float
    shown: str  # the value as the chart prints it next to the bar
    css: str = ""
    tooltip: str = ""


@dataclass(frozen=True)
class _Column:
    label: str
    segments: tuple[tuple[str, float], ...]  # (series, value), drawn bottom up
    tooltip: str
    sublabel: str = ""


def _nice_axis(maximum: float) -> tuple[float, float]:
    """An axis top at or above ``maximum`` and a tick step of 1, 2 or 5 × 10^k (at least 1, for counts)."""
    if maximum <= 0:
        return 1.0, 1.0
    rough = maximum / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    step = max(step, 1.0)
    return step * math.ceil(maximum / step), step


def _svg_open(name: str, orientation: str, width: float, height: float, title: str, desc: str) -> str:
    ident = f"chart-{name}"
    return (
        f'<svg data-chart="{_e(name)}" data-orientation="{orientation}" role="img" '
        f'width="{_px(width)}" height="{_px(height)}" '
        f'viewBox="0 0 {_px(width)} {_px(height)}" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{_e(title)}</title><desc id="{ident}-desc">{_e(desc)}</desc>'
    )


def _hbar_chart(
    name: str, title: str, desc: str, bars: Sequence[_Bar], axis: tuple[float, float], axis_unit: str
) -> str:
    """Horizontal bars, one row per item: the label, the bar, the value printed after it.

    ``axis`` is the value axis' (top, tick step)."""
    axis_max, step = axis
    label_w, value_w, plot_w = 180.0, 140.0, 300.0
    row_h, bar_h, top, bottom = 26.0, 16.0, 8.0, 26.0
    width = label_w + plot_w + value_w
    height = top + row_h * len(bars) + bottom
    axis_y = top + row_h * len(bars)
    parts = [_svg_open(name, "horizontal", width, height, title, desc)]
    ticks = round(axis_max / step)
    for i in range(ticks + 1):
        x = label_w + plot_w * i / ticks
        parts.append(f'<line class="grid" x1="{_px(x)}" y1="{_px(top)}" x2="{_px(x)}" y2="{_px(axis_y)}"/>')
        tick = _num(round(step * i, 6))
        parts.append(
            f'<text class="tick" x="{_px(x)}" y="{_px(axis_y + 16)}" text-anchor="middle">'
            f"{_e(tick)}{_e(axis_unit)}</text>"
        )
    for i, bar in enumerate(bars):
        y = top + row_h * i
        length = plot_w * min(bar.value, axis_max) / axis_max if axis_max > 0 else 0.0
        parts.append(
            f'<text x="{_px(label_w - 8)}" y="{_px(y + row_h / 2 + 4)}" text-anchor="end">'
            f"{_e(_truncate(bar.label, 26))}<title>{_e(bar.label)}</title></text>"
        )
        parts.append(
            f'<rect class="bar {_e(bar.css)}" x="{_px(label_w)}" y="{_px(y + (row_h - bar_h) / 2)}" '
            f'width="{_px(length)}" height="{_px(bar_h)}" data-value="{_num(bar.value)}" '
            f'data-label="{_e(bar.label)}"><title>{_e(bar.tooltip)}</title></rect>'
        )
        parts.append(
            f'<text x="{_px(label_w + length + 6)}" y="{_px(y + row_h / 2 + 4)}">{_e(bar.shown)}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{_px(label_w)}" y1="{_px(top)}" x2="{_px(label_w)}" y2="{_px(axis_y)}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _column_chart(
    name: str, title: str, desc: str, columns: Sequence[_Column], css: Mapping[str, str]
) -> str:
    """Vertical columns, each a stack of segments (one segment for a simple column chart)."""
    total = [sum(v for _, v in c.segments) for c in columns]
    axis_max, step = _nice_axis(max(total, default=0))
    n = len(columns)
    left, right, top, bottom = 44.0, 12.0, 18.0, 40.0
    # Wide enough to read, narrow enough that a year of weeks fits a chart panel unscaled.
    pitch = 72.0 if n <= 6 else max(6.0, min(36.0, 500.0 / n))
    col_w = pitch * 0.64
    plot_h = 200.0
    width = left + pitch * n + right
    height = top + plot_h + bottom
    base = top + plot_h
    label_every = max(1, math.ceil(30.0 / pitch))
    parts = [_svg_open(name, "vertical", width, height, title, desc)]
    ticks = round(axis_max / step)
    for i in range(ticks + 1):
        y = base - plot_h * i / ticks
        parts.append(
            f'<line class="grid" x1="{_px(left)}" y1="{_px(y)}" x2="{_px(width - right)}" y2="{_px(y)}"/>'
        )
        parts.append(
            f'<text class="tick" x="{_px(left - 6)}" y="{_px(y + 4)}" text-anchor="end">{_num(step * i)}</text>'
        )
    for i, column in enumerate(columns):
        x = left + pitch * i + (pitch - col_w) / 2
        y = base
        parts.append(f'<g data-column="{_e(column.label)}"><title>{_e(column.tooltip)}</title>')
        for series, value in column.segments:
            h = plot_h * value / axis_max
            y -= h
            parts.append(
                f'<rect class="bar {_e(css.get(series, series))}" x="{_px(x)}" y="{_px(y)}" '
                f'width="{_px(col_w)}" height="{_px(h)}" data-value="{_num(value)}" '
                f'data-series="{_e(series)}" data-label="{_e(column.label)}"/>'
            )
        parts.append("</g>")
        if total[i] and pitch >= 24:
            parts.append(
                f'<text x="{_px(x + col_w / 2)}" y="{_px(y - 4)}" text-anchor="middle">{_num(total[i])}</text>'
            )
        cx = x + col_w / 2
        if i % label_every == 0:
            parts.append(
                f'<text class="tick" x="{_px(cx)}" y="{_px(base + 15)}" text-anchor="middle">'
                f"{_e(column.label)}</text>"
            )
        if column.sublabel:
            parts.append(
                f'<text class="tick" x="{_px(cx)}" y="{_px(base + 29)}" text-anchor="middle">'
                f"{_e(column.sublabel)}</text>"
            )
    parts.append(
        f'<line class="axis" x1="{_px(left)}" y1="{_px(base)}" x2="{_px(width - right)}" y2="{_px(base)}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _no_data(name: str, message: str) -> str:
    return f'<p class="no-data" data-chart-empty="{_e(name)}">{_e(message)}</p>'


def _legend(items: Iterable[tuple[str, str]]) -> str:
    spans = "".join(f'<span class="swatch {_e(css)}"></span>{_e(text)}' for css, text in items)
    return f'<div class="legend">{spans}</div>'


def _figure(caption: str, body: str, legend: str = "") -> str:
    return f"<figure><figcaption>{_e(caption)}</figcaption>{body}{legend}</figure>"


def _adoption_chart(report: Mapping) -> str:
    name = "adoption-by-team"
    caption = "Adoption by team"
    teams = [_dict(t) for t in _list(report.get("teams"))]
    bars = []
    for team in teams:
        percent = _value(team.get("adoptionPercent"))
        if percent is None:
            continue
        label = _team_label(team.get("team"))
        stacks = _count(team.get("stacks"))
        plural = "stack" if stacks == 1 else "stacks"
        bars.append(
            _Bar(
                label=label,
                value=percent,
                shown=f"{_percent(percent)} · {stacks} {plural}",
                tooltip=f"{label}: {_percent(percent)} of custom resources inside goldenpath, {stacks} {plural}",
            )
        )
    if not teams:
        return _figure(caption, _no_data(name, "No data: the audit found no stacks, so no team to measure."))
    if not bars:
        return _figure(
            caption, _no_data(name, "No data: no team has custom resources to measure adoption by.")
        )
    desc = "Percentage of custom resources created inside goldenpath components, per team. " + "; ".join(
        f"{b.label}: {_percent(b.value)}" for b in bars
    )
    return _figure(caption, _hbar_chart(name, caption, desc, bars, (100.0, 25.0), "%"))


def _blueprint_versions_chart(report: Mapping) -> str:
    name = "blueprint-versions"
    caption = "Blueprint versions in use"
    newest = _dict(report.get("newestBlueprintVersions"))
    bars = []
    for entry in (_dict(e) for e in _list(report.get("blueprintVersions"))):
        blueprint, version = entry.get("blueprint"), entry.get("version")
        stacks = _count(entry.get("stacks"))
        is_newest = blueprint in newest and newest.get(blueprint) == version
        state = "newest" if is_newest else f"newest is {newest[blueprint]}" if blueprint in newest else ""
        plural = "stack" if stacks == 1 else "stacks"
        label = f"{_short_type(blueprint)} {version if version is not None else '?'}"
        bars.append(
            _Bar(
                label=label,
                value=float(stacks),
                shown=f"{stacks} {plural}",
                css="" if is_newest else "old",
                tooltip=f"{blueprint} {version}: {stacks} {plural}" + (f" ({state})" if state else ""),
            )
        )
    if not bars:
        return _figure(caption, _no_data(name, "No data: no stack uses a goldenpath blueprint."))
    axis = _nice_axis(max(b.value for b in bars))
    desc = "Number of stacks per blueprint version. " + "; ".join(b.tooltip for b in bars)
    legend = _legend([("newest", "newest version"), ("old", "older version")])
    return _figure(caption, _hbar_chart(name, caption, desc, bars, axis, ""), legend)


def _severity_chart(report: Mapping) -> str:
    name = "compliance-by-severity"
    caption = "Open violations by severity"
    summary = _dict(report.get("summary"))
    by_severity = _dict(summary.get("bySeverity"))
    if not _list(report.get("stacks")) and not any(_count(v) for v in by_severity.values()):
        return _figure(caption, _no_data(name, "No data: the audit found no stacks to judge."))
    if "bySeverity" not in summary:
        return _figure(caption, _no_data(name, "No data: the report gives no violations by severity."))
    extra = sorted(str(k) for k in by_severity if k not in SEVERITIES)
    severities = [*SEVERITIES, *extra]
    counts = {s: _count(by_severity.get(s)) for s in severities}
    if not any(counts.values()):
        suppressed = _count(summary.get("suppressed"))
        note = "No open violations at any severity"
        note += f" ({suppressed} suppressed by waivers)." if suppressed else "."
        return _figure(caption, _no_data(name, note))
    columns = [
        _Column(label=s, segments=((s, float(counts[s])),), tooltip=f"{s}: {counts[s]} open violations")
        for s in severities
    ]
    desc = "Violations (mandatory and advisory, not suppressed) per severity. " + "; ".join(
        f"{s}: {counts[s]}" for s in severities
    )
    css = {s: s if s in SEVERITIES else "" for s in severities}
    return _figure(caption, _column_chart(name, caption, desc, columns, css))


def _iso_week(text: Any) -> dt.date | None:
    """The Monday of an ISO week written ``2026-W48``; ``None`` for anything else."""
    try:
        year, week = str(text).split("-W")
        return dt.date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, TypeError):
        return None


def _weeks_with_gaps_filled(weeks: list[Mapping]) -> list[tuple[str, int, int]]:
    """``(week, updates, failed)`` from the report's ascending weeks, with the weeks it skips as zeros.

    Only when every week parses and they ascend; otherwise the weeks exactly as given."""
    given = [(str(w.get("week")), _count(w.get("updates")), _count(w.get("failed"))) for w in weeks]
    mondays = [_iso_week(w) for w, _, _ in given]
    if not given or any(m is None for m in mondays) or mondays != sorted(set(mondays)):
        return given
    by_monday = dict(zip(mondays, given, strict=True))
    filled = []
    monday = mondays[0]
    while monday <= mondays[-1]:
        year, week, _ = monday.isocalendar()
        filled.append(by_monday.get(monday, (f"{year}-W{week:02d}", 0, 0)))
        monday += dt.timedelta(weeks=1)
    return filled


def _deploys_chart(report: Mapping) -> str:
    name = "deploys-by-week"
    caption = "Deployments per week"
    weeks = _weeks_with_gaps_filled([_dict(w) for w in _list(report.get("deploymentsByWeek"))])
    if not weeks:
        return _figure(caption, _no_data(name, "No data: no deployment history in the audited backends."))
    columns = []
    previous_year = None
    for week, updates, failed in weeks:
        failed = min(failed, updates)
        year, _, number = week.partition("-")
        columns.append(
            _Column(
                label=number or week,
                sublabel=year if year != previous_year and number else "",
                segments=(("succeeded", float(updates - failed)), ("failed", float(failed))),
                tooltip=f"{week}: {updates} updates, {failed} failed",
            )
        )
        previous_year = year
    desc = "Updates per ISO week, failed updates stacked on successful ones. " + "; ".join(
        f"{w}: {u} updates, {f} failed" for w, u, f in weeks
    )
    legend = _legend([("succeeded", "succeeded"), ("failed", "failed")])
    return _figure(caption, _column_chart(name, caption, desc, columns, {}), legend)


# --- Tables ---------------------------------------------------------------------------------------


def _table(headers: Sequence[tuple[str, str]], rows: Sequence[str], empty: str, ident: str) -> str:
    if not rows:
        return f'<p class="no-data" data-table-empty="{_e(ident)}">{_e(empty)}</p>'
    head = "".join(f'<th class="{css}">{_e(h)}</th>' if css else f"<th>{_e(h)}</th>" for h, css in headers)
    return (
        f'<table id="{_e(ident)}-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _violations(stack: Mapping, enforcement: str) -> int:
    return sum(
        1
        for f in (_dict(f) for f in _list(stack.get("findings")))
        if f.get("status") == "violation" and f.get("enforcement") == enforcement
    )


def _severity_badge(severity: Any) -> str:
    css = severity if severity in SEVERITIES else "other"
    return f'<span class="sev {css}">{_e(severity)}</span>'


def _flagged(count: int) -> str:
    """A count that is bad news when it is not zero."""
    return f'<span class="mandatory">{count}</span>' if count else "0"


def _stacks_table(report: Mapping) -> str:
    headers = [
        ("Stack", ""),
        ("Team", ""),
        ("Blueprint", ""),
        ("Versions behind", "num"),
        ("Mandatory", "num"),
        ("Advisory", "num"),
        ("Expired waivers", "num"),
        ("Last successful deploy", ""),
        ("Change failure rate", "num"),
        ("Problems", ""),
    ]
    rows = []
    for stack in (_dict(s) for s in _list(report.get("stacks"))):
        blueprints = [_dict(b) for b in _list(stack.get("blueprints"))]
        if blueprints:
            blueprint_cell = "<br>".join(
                f"{_e(_short_type(b.get('type')))} {_e(b.get('version'))}"
                f'<span class="sub">{_e(b.get("type"))}</span>'
                for b in blueprints
            )
            behind = [
                _count(b.get("versionsBehind")) for b in blueprints if b.get("versionsBehind") is not None
            ]
            most_behind = max(behind) if behind else None
        else:
            blueprint_cell = '<span class="behind">none (off the paved path)</span>'
            most_behind = None
        behind_cell = (
            _DASH
            if most_behind is None
            else f'<span class="behind">{most_behind}</span>'
            if most_behind
            else "0"
        )
        mandatory, advisory = _violations(stack, "mandatory"), _violations(stack, "advisory")
        expired = len(_list(stack.get("expiredWaivers")))
        delivery = _dict(stack.get("delivery"))
        problems = _list(stack.get("problems"))
        problems_cell = (
            '<ul class="plain">' + "".join(f"<li>{_e(p)}</li>" for p in problems) + "</ul>"
            if problems
            else ""
        )
        team = stack.get("team")
        team_cell = _e(team) if team not in (None, "") else f'<span title="no team tag">{_DASH}</span>'
        css = ' class="bad"' if mandatory else ""
        rows.append(
            f"<tr{css}><td><strong>{_e(_stack_label(stack))}</strong>"
            f'<span class="sub">{_e(stack.get("source"))}</span></td>'
            f"<td>{team_cell}</td><td>{blueprint_cell}</td>"
            f'<td class="num">{behind_cell}</td>'
            f'<td class="num">{_flagged(mandatory)}</td>'
            f'<td class="num">{advisory}</td>'
            f'<td class="num">{_flagged(expired)}</td>'
            f"<td>{_e(delivery.get('lastSuccessfulDeploy'))}</td>"
            f'<td class="num">{_rate(delivery.get("changeFailureRate"))}</td>'
            f"<td>{problems_cell}</td></tr>"
        )
    return _table(headers, rows, "No stacks: the audit found none in its sources.", "stacks")


def _finding_order(item: tuple[int, Mapping, Mapping]) -> tuple:
    index, _, finding = item
    severity = finding.get("severity")
    return (
        _STATUS_ORDER.get(finding.get("status"), len(_STATUS_ORDER)),
        _ENFORCEMENT_ORDER.get(finding.get("enforcement"), len(_ENFORCEMENT_ORDER)),
        SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES),
        index,
        str(finding.get("policy")),
        str(finding.get("urn")),
    )


def _findings_table(report: Mapping) -> str:
    headers = [
        ("Severity", ""),
        ("Enforcement", ""),
        ("Status", ""),
        ("Policy", ""),
        ("Stack", ""),
        ("Resource", ""),
        ("Message", ""),
        ("Source", ""),
    ]
    findings = [
        (i, stack, _dict(f))
        for i, stack in enumerate(_dict(s) for s in _list(report.get("stacks")))
        for f in _list(stack.get("findings"))
    ]
    rows = []
    for _, stack, finding in sorted(findings, key=_finding_order):
        enforcement = finding.get("enforcement")
        enforcement_cell = (
            f'<span class="mandatory">{_e(enforcement)}</span>'
            if enforcement == "mandatory"
            else _e(enforcement)
        )
        rows.append(
            f"<tr><td>{_severity_badge(finding.get('severity'))}</td><td>{enforcement_cell}</td>"
            f"<td>{_e(finding.get('status'))}</td>"
            f'<td><code>{_e(finding.get("policy"))}</code><span class="sub">{_e(finding.get("pack"))}</span></td>'
            f"<td>{_e(_stack_label(stack))}</td>"
            f'<td title="{_e(finding.get("urn"))}">{_e(_resource_name(finding.get("urn")))}'
            f'<span class="sub">{_e(finding.get("resourceType"))}</span></td>'
            f"<td>{_e(finding.get('message'))}</td><td>{_e(finding.get('source'))}</td></tr>"
        )
    empty = (
        "No findings: every audited resource passed every policy."
        if _list(report.get("stacks"))
        else "No findings: no stacks were audited."
    )
    return _table(headers, rows, empty, "findings")


def _waivers_table(report: Mapping) -> str:
    headers = [("Stack", ""), ("Policy", ""), ("Resource", ""), ("Expired", ""), ("Reason", "")]
    rows = []
    for stack in (_dict(s) for s in _list(report.get("stacks"))):
        for waiver in (_dict(w) for w in _list(stack.get("expiredWaivers"))):
            rows.append(
                f"<tr><td>{_e(_stack_label(stack))}</td><td><code>{_e(waiver.get('policy'))}</code></td>"
                f'<td title="{_e(waiver.get("urn"))}">{_e(_resource_name(waiver.get("urn")))}</td>'
                f"<td>{_e(waiver.get('expiry'))}</td><td>{_e(waiver.get('reason'))}</td></tr>"
            )
    return _table(headers, rows, "No expired waivers.", "waivers")


def _drift_section(report: Mapping) -> str:
    stacks = [_dict(s) for s in _list(report.get("stacks"))]
    if not report.get("live") and all(s.get("drift") is None for s in stacks):
        return ""
    headers = [("Stack", ""), ("Resource", ""), ("Field", ""), ("In state", ""), ("Live", "")]
    rows = []
    for stack in stacks:
        for drift in (_dict(d) for d in _list(stack.get("drift"))):
            rows.append(
                f"<tr><td>{_e(_stack_label(stack))}</td>"
                f'<td title="{_e(drift.get("urn"))}">{_e(_resource_name(drift.get("urn")))}'
                f'<span class="sub">{_e(drift.get("type"))} {_e(drift.get("id"))}</span></td>'
                f"<td><code>{_e(drift.get('field'))}</code></td>"
                f"<td><code>{_e(json.dumps(drift.get('state'), sort_keys=True))}</code></td>"
                f"<td><code>{_e(json.dumps(drift.get('live'), sort_keys=True))}</code></td></tr>"
            )
    table = _table(headers, rows, "No drift: live resources match their state.", "drift")
    return f'<section id="drift"><h2>Drift</h2>{table}</section>'


def _problems_table(report: Mapping) -> str:
    headers = [("Stack", ""), ("Problem", "")]
    rows = []
    for problem in _list(report.get("problems")):
        problem = problem if isinstance(problem, Mapping) else {"stack": None, "message": problem}
        stack = problem.get("stack")
        stack_cell = _e(stack) if stack else '<span class="sub">whole audit</span>'
        rows.append(f"<tr><td>{stack_cell}</td><td>{_e(problem.get('message'))}</td></tr>")
    return _table(headers, rows, "No problems: every source and stack was read.", "problems")


# --- Page -----------------------------------------------------------------------------------------


def _tile(label: str, value: str, css: str = "") -> str:
    css_attr = f"tile {css}" if css else "tile"
    return f'<div class="{css_attr}"><span class="value">{value}</span><span class="label">{_e(label)}</span></div>'


def _tiles(report: Mapping) -> str:
    summary = _dict(report.get("summary"))
    mandatory = _count(summary.get("mandatory"))
    expired = _count(summary.get("expiredWaivers"))
    behind = _count(summary.get("stacksBehind"))
    problems = _count(summary.get("problems"))
    adoption = _value(summary.get("adoptionPercent"))
    tiles = [
        _tile("stacks", _num(summary.get("stacks"))),
        _tile("resources", _num(summary.get("resources"))),
        _tile(
            "adoption (custom resources inside goldenpath)",
            _percent(adoption),
            "" if adoption is None else "good" if adoption >= 90 else "warn",
        ),
        _tile("mandatory violations", _num(summary.get("mandatory")), "bad" if mandatory else "good"),
        _tile(
            "advisory violations",
            _num(summary.get("advisory")),
            "warn" if _count(summary.get("advisory")) else "",
        ),
        _tile("suppressed by waivers", _num(summary.get("suppressed"))),
        _tile("expired waivers", _num(summary.get("expiredWaivers")), "bad" if expired else ""),
        _tile(
            "stacks behind the newest blueprint", _num(summary.get("stacksBehind")), "warn" if behind else ""
        ),
        _tile("change failure rate", _rate(summary.get("changeFailureRate"))),
        _tile("updates (failed)", f"{_num(summary.get('updates'))} ({_num(summary.get('failedUpdates'))})"),
    ]
    if report.get("live"):
        tiles.append(
            _tile("drifted resources", _num(summary.get("drifted")), "bad" if summary.get("drifted") else "")
        )
    tiles.append(_tile("problems", _num(summary.get("problems")), "bad" if problems else ""))
    return f'<div class="tiles">{"".join(tiles)}</div>'


def _header(report: Mapping) -> str:
    packs = ", ".join(
        f"{p.get('name')} {p.get('version')}" for p in (_dict(p) for p in _list(report.get("packs")))
    )
    sources = "".join(f"<li><code>{_e(s)}</code></li>" for s in _list(report.get("sources")))
    mode = "state and live cloud (--live)" if report.get("live") else "state only"
    return (
        "<header><h1>goldenpath scorecard</h1>"
        f'<p class="meta">Generated {_e(report.get("generatedAt"))} by goldenpath '
        f"{_e(report.get('goldenpathVersion'))} · report schema {_e(report.get('schemaVersion'))} · "
        f"{_e(mode)}</p>"
        f'<p class="meta">Policy packs: {_e(packs or None)}</p>'
        f'<div class="meta">Sources:<ul class="plain">{sources or f"<li>{_DASH}</li>"}</ul></div>'
        "</header>"
    )


def render_html(report: dict) -> str:
    """The scorecard of an audit report (schemaVersion 1) as one self-contained HTML page.

    Deterministic: the same report renders the same string."""
    report = _dict(report)
    charts = "".join(
        [
            _adoption_chart(report),
            _blueprint_versions_chart(report),
            _severity_chart(report),
            _deploys_chart(report),
        ]
    )
    title = f"goldenpath scorecard — {report.get('generatedAt') or 'undated'}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CONTENT_SECURITY_POLICY)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="goldenpath {_e(report.get("goldenpathVersion"))}">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>"
        f"{_header(report)}<main>"
        f'<section id="summary"><h2>Summary</h2>{_tiles(report)}</section>'
        f'<section id="charts"><h2>Charts</h2><div class="charts">{charts}</div></section>'
        f'<section id="stacks"><h2>Stacks</h2>{_stacks_table(report)}</section>'
        f'<section id="findings"><h2>Findings</h2>{_findings_table(report)}</section>'
        f'<section id="waivers"><h2>Expired waivers</h2>{_waivers_table(report)}</section>'
        f"{_drift_section(report)}"
        f'<section id="problems"><h2>Problems</h2>{_problems_table(report)}</section>'
        "</main><footer>Self-contained page: inline styles and SVG, no scripts, nothing fetched. "
        "Rendered by goldenpath.scorecard from the audit's JSON report.</footer>"
        "</body></html>\n"
    )
