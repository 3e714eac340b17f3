"""The preflight report three ways: a console summary, JSON, and HTML with thumbnails.

The HTML report is one self-contained page (inline CSS, thumbnails as files next
to it) an editor can open from build/preflight/report.html: a summary per
edition, each check with what was measured and the rule, failing checks
linking to their pages, and every page as a thumbnail with the offending areas
outlined.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from workbook.preflight.checks import CheckResult
from workbook.preflight.core import Preflight
from workbook.preflight.pageimages import THUMB_DPI, thumbnails

SYMBOL = {"pass": "ok  ", "warn": "WARN", "fail": "FAIL"}


def console_lines(preflight: Preflight) -> list[str]:
    """A plain-text summary (no escape codes, reads well in CI logs)."""
    lines = []
    for edition in preflight.editions:
        lines.append(f"{edition.variant.name}: {edition.path}")
        for result in edition.results:
            lines += _lines(result)
    if preflight.both:
        lines.append("both editions:")
        for result in preflight.both:
            lines += _lines(result)
    results = preflight.all_results()
    counts = {s: sum(1 for r in results if r.status == s) for s in ("pass", "warn", "fail")}
    lines.append(
        f"{len(results)} checks: {counts['pass']} passed, {counts['warn']} warnings, "
        f"{counts['fail']} failed"
    )
    return lines


MAX_DETAILS = 20  # detail lines per check on the console (the reports list them all)


def _lines(result: CheckResult) -> list[str]:
    text = f"  {SYMBOL[result.status]} {result.name:<18} {result.measured}"
    if result.status != "pass":
        text += f"  [rule: {result.rule}]"
    lines = [text] + [f"       - {d}" for d in result.details[:MAX_DETAILS]]
    if len(result.details) > MAX_DETAILS:
        lines.append(f"       - ... and {len(result.details) - MAX_DETAILS} more (see the report)")
    return lines


def as_json(preflight: Preflight) -> dict:
    """The report as plain data."""

    def entry(result: CheckResult) -> dict:
        return {
            "name": result.name,
            "status": result.status,
            "measured": result.measured,
            "rule": result.rule,
            "pages": list(result.pages),
            "areas": [list(a) for a in result.areas],
            "details": list(result.details),
        }

    return {
        "publication": preflight.project.config.publication.title,
        "editions": [
            {
                "edition": e.variant.name,
                "file": str(e.path),
                "pages": len(e.facts.pages),
                "checks": [entry(r) for r in e.results],
            }
            for e in preflight.editions
        ],
        "both": [entry(r) for r in preflight.both],
        "failed": [r.name for r in preflight.failed()],
    }


def write_reports(preflight: Preflight, folder: Path) -> tuple[Path, Path]:
    """Write report.json and report.html (with thumbnails) into *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "report.json"
    json_path.write_text(
        json.dumps(as_json(preflight), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    thumbs = {
        e.variant.name: e.thumbnails or thumbnails(e.path, folder, e.variant.name)
        for e in preflight.editions
    }
    html_path = folder / "report.html"
    html_path.write_text(_html(preflight, thumbs), encoding="utf-8")
    return json_path, html_path


_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #f4f4f2; }
header { background: #0d6b63; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
main { padding: 8px 28px 40px; }
h2 { margin: 28px 0 8px; }
.summary { display: flex; gap: 10px; flex-wrap: wrap; margin: 6px 0 0; }
.badge { border-radius: 12px; padding: 2px 10px; font-weight: 600; font-size: 13px; }
.pass { background: #d8efe6; color: #0b5a3c; }
.warn { background: #fff1c2; color: #6b4e00; }
.fail { background: #f9d6cf; color: #8a1f0c; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 6px 8px; vertical-align: top;
  border-bottom: 1px solid #e2e2dd; }
th { background: #ecece7; }
.rule { color: #666; font-size: 13px; }
.details { margin: 4px 0; padding-left: 18px; font-size: 13px; }
tr.row-fail td:first-child, tr.row-warn td:first-child { font-weight: 700; }
tr.row-fail { box-shadow: inset 4px 0 #c0391b; background: #fff5f2; }
tr.row-warn { box-shadow: inset 4px 0 #d9a400; background: #fffbea; }
.pages a { margin-right: 6px; }
.thumbs { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; }
figure { margin: 0; position: relative; background: #fff; padding: 4px;
  box-shadow: 0 1px 3px #0002; }
figure.bad { outline: 3px solid #c0391b; }
figure img { display: block; }
figure .mark { position: absolute; border: 2px solid #c0391b; background: #c0391b22; }
figcaption { font-size: 12px; text-align: center; color: #555; }
"""


def _html(preflight: Preflight, thumbs: dict[str, list[str]]) -> str:
    pub = preflight.project.config.publication
    results = preflight.all_results()
    counts = {s: sum(1 for r in results if r.status == s) for s in ("pass", "warn", "fail")}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Preflight: {escape(pub.title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>Preflight: {escape(pub.title)}</h1>",
        '<div class="summary">',
        *(f'<span class="badge {s}">{counts[s]} {s}</span>' for s in ("pass", "warn", "fail")),
        "</div></header><main>",
    ]
    for edition in preflight.editions:
        name = edition.variant.name
        parts.append(
            f'<h2 id="{name}">{escape(name)} edition: {escape(edition.path.name)} '
            f"({len(edition.facts.pages)} pages)</h2>"
        )
        parts.append(_table(edition.results, name))
        parts.append(_thumbs(edition, thumbs.get(name, [])))
    if preflight.both:
        parts.append('<h2 id="both">Both editions</h2>')
        parts.append(_table(preflight.both, "screen"))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _table(results: list[CheckResult], edition: str) -> str:
    rows = ["<table><tr><th>check</th><th>status</th><th>measured</th><th>pages</th></tr>"]
    for r in results:
        pages = " ".join(f'<a href="#{edition}-p{p}">p.&nbsp;{p}</a>' for p in r.pages[:20])
        details = (
            '<ul class="details">' + "".join(f"<li>{escape(d)}</li>" for d in r.details) + "</ul>"
            if r.details
            else ""
        )
        rows.append(
            f'<tr class="row-{r.status}"><td>{escape(r.name)}</td>'
            f'<td><span class="badge {r.status}">{r.status}</span></td>'
            f"<td>{escape(r.measured)}{details or '<br>'}"
            f'<span class="rule">rule: {escape(r.rule)}</span></td>'
            f'<td class="pages">{pages}</td></tr>'
        )
    rows.append("</table>")
    return "\n".join(rows)


def _thumbs(edition, names: list[str]) -> str:
    scale = THUMB_DPI / 72
    marks: dict[int, list[tuple[float, float, float, float]]] = {}
    bad_pages = set()
    for result in edition.results:
        if result.status == "pass":
            continue
        bad_pages.update(result.pages)
        for page, x0, y0, x1, y1 in result.areas:
            marks.setdefault(page, []).append((x0, y0, x1, y1))
    parts = ['<div class="thumbs">']
    for number, name in enumerate(names, start=1):
        page = edition.facts.pages[number - 1]
        width, height = (round(v * scale) for v in page.size)
        boxes = "".join(
            f'<span class="mark" style="left:{x0 * scale + 4:.0f}px;top:{y0 * scale + 4:.0f}px;'
            f'width:{max((x1 - x0) * scale, 3):.0f}px;height:{max((y1 - y0) * scale, 3):.0f}px">'
            "</span>"
            for x0, y0, x1, y1 in marks.get(number, [])[:40]
        )
        cls = ' class="bad"' if number in bad_pages else ""
        parts.append(
            f'<figure id="{edition.variant.name}-p{number}"{cls}>'
            f'<img src="{name}" width="{width}" height="{height}" alt="page {number}">{boxes}'
            f"<figcaption>{number}</figcaption></figure>"
        )
    parts.append("</div>")
    return "\n".join(parts)
