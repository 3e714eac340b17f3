"""The preflight report three ways: a console summary, JSON, and HTML with thumbnails.

The HTML report is one self-contained page (inline CSS, thumbnails as files next
to it) an editor can open from build/preflight/report.html: a summary per
edition, each check with what was measured, the rule and the chapter line
behind a failure, failing checks linking to their pages, and every page as a
thumbnail with the offending areas outlined. It is written for every build:
one whose checks failed says so at the top and where its PDFs went
(``rejected/``); one built with ``--no-check`` says nothing was checked.
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
    if preflight.ebook:
        lines.append("EPUB and web edition:")
        for result in preflight.ebook:
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
    if result.accepted:
        text += f"  [accepted: {result.accepted}]"
    lines = [text] + [f"       - {d}" for d in result.details[:MAX_DETAILS]]
    if len(result.details) > MAX_DETAILS:
        lines.append(f"       - ... and {len(result.details) - MAX_DETAILS} more (see the report)")
    return lines


Locations = dict[tuple[str, str], str]  # (edition or "both", check) -> "file:line"


def as_json(
    preflight: Preflight, rejected: list[str] | None = None, locations: Locations | None = None
) -> dict:
    """The report as plain data."""
    locations = locations or {}

    def entry(result: CheckResult, edition: str) -> dict:
        return {
            "name": result.name,
            "status": result.status,
            "measured": result.measured,
            "rule": result.rule,
            "pages": list(result.pages),
            "areas": [list(a) for a in result.areas],
            "figures": {str(page): text for page, text in result.figures},
            "source": locations.get((edition, result.name), ""),
            "details": list(result.details),
            "accepted": result.accepted,
        }

    return {
        "publication": preflight.project.config.publication.title,
        "checked": True,
        "rejected": list(rejected or []),
        "editions": [
            {
                "edition": e.variant.name,
                "file": _shown(e.path, rejected),
                "pages": len(e.facts.pages),
                "checks": [entry(r, e.variant.name) for r in e.results],
            }
            for e in preflight.editions
        ],
        "both": [entry(r, "both") for r in preflight.both],
        "ebook": [entry(r, "ebook") for r in preflight.ebook],
        "failed": [r.name for r in preflight.failed()],
    }


def _shown(path: Path, rejected: list[str] | None) -> str:
    """Where an edition's PDF is: in ``rejected/`` when the build was rejected."""
    if rejected and path.name in rejected:
        return str(path.parent / "rejected" / path.name)
    return str(path)


def write_reports(
    preflight: Preflight,
    folder: Path,
    *,
    drawings: Path | None = None,
    rejected: list[str] | None = None,
    locations: Locations | None = None,
) -> tuple[Path, Path]:
    """Write report.json and report.html (with thumbnails) into *folder*.

    Page images are kept in *drawings*' cache (default *folder*); *rejected*
    names the PDFs that went to ``rejected/``; *locations* the chapter line
    behind each failure.
    """
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "report.json"
    data = as_json(preflight, rejected, locations)
    _write(json_path, json.dumps(data, ensure_ascii=False, indent=2))
    thumbs = {
        e.variant.name: e.thumbnails
        or thumbnails(e.path, drawings or folder, e.variant.name, into=folder)
        for e in preflight.editions
    }
    html_path = folder / "report.html"
    _write(html_path, _html(preflight, thumbs, rejected or [], locations or {}))
    return json_path, html_path


def write_unchecked(
    project, editions: list[tuple[str, Path, int]], folder: Path
) -> tuple[Path, Path]:
    """The report of a build made without checks (``--no-check``): what was written,
    and that nothing was checked."""
    folder.mkdir(parents=True, exist_ok=True)
    title = project.config.publication.title
    data = {
        "publication": title,
        "checked": False,
        "rejected": [],
        "editions": [
            {"edition": name, "file": str(path), "pages": pages, "checks": []}
            for name, path, pages in editions
        ],
        "both": [],
        "failed": [],
    }
    json_path = folder / "report.json"
    _write(json_path, json.dumps(data, ensure_ascii=False, indent=2))
    rows = "".join(
        f"<li>{escape(name)}: {escape(path.name)} ({pages} pages)</li>"
        for name, path, pages in editions
    )
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Preflight: {escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>Preflight: {escape(title)}</h1>"
        '<div class="summary"><span class="badge warn">not checked</span></div></header>'
        '<main><p class="banner warn">These PDFs were built with <code>--no-check</code>: '
        "nothing in them was checked. Build without it before sending a file to print.</p>"
        f"<ul>{rows}</ul></main></body></html>"
    )
    html_path = folder / "report.html"
    _write(html_path, html)
    return json_path, html_path


def _write(path: Path, text: str) -> None:
    """Write a report file whole (a reader never meets half of one)."""
    part = path.with_name(f".{path.name}.part")
    part.write_text(text, encoding="utf-8")
    part.replace(path)


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
figcaption { font-size: 12px; text-align: center; color: #555; max-width: 140px; }
figcaption small { display: block; font-size: 10px; line-height: 1.3; color: #777; }
.banner { padding: 10px 14px; border-radius: 6px; font-weight: 600; }
"""


def _html(
    preflight: Preflight,
    thumbs: dict[str, list[str]],
    rejected: list[str] | None = None,
    locations: Locations | None = None,
) -> str:
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
    if rejected:
        parts.append(
            '<p class="banner fail">The build was rejected: these PDFs failed their checks and '
            "were not delivered. They are in <code>rejected/</code> "
            f"({escape(', '.join(rejected))}); the output folder keeps the previous PDFs.</p>"
        )
    for edition in preflight.editions:
        name = edition.variant.name
        shown = Path(_shown(edition.path, rejected))
        folder = f"{shown.parent.name}/" if shown.parent.name == "rejected" else ""
        what = "cover" if name == "cover" else f"{name} edition"
        count = len(edition.facts.pages)
        parts.append(
            f'<h2 id="{name}">{escape(what)}: {escape(folder + shown.name)} '
            f"({count} page{'' if count == 1 else 's'})</h2>"
        )
        parts.append(_table(edition.results, name, locations or {}, name))
        parts.append(_thumbs(edition, thumbs.get(name, [])))
    if preflight.both:
        parts.append('<h2 id="both">Both editions</h2>')
        parts.append(_table(preflight.both, "screen", locations or {}, "both"))
    if preflight.ebook:
        parts.append('<h2 id="ebook">EPUB and web edition</h2>')
        parts.append(_table(preflight.ebook, "ebook", locations or {}, "ebook"))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _table(
    results: list[CheckResult], edition: str, locations: Locations | None = None, key: str = ""
) -> str:
    rows = ["<table><tr><th>check</th><th>status</th><th>measured</th><th>pages</th></tr>"]
    for r in results:
        pages = " ".join(f'<a href="#{edition}-p{p}">p.&nbsp;{p}</a>' for p in r.pages[:20])
        source = (locations or {}).get((key or edition, r.name)) if r.status != "pass" else None
        where = f'<br><span class="rule">in: {escape(source)}</span>' if source else ""
        if r.accepted:
            where += f'<br><span class="rule">accepted: {escape(r.accepted)}</span>'
        details = (
            '<ul class="details">' + "".join(f"<li>{escape(d)}</li>" for d in r.details) + "</ul>"
            if r.details
            else ""
        )
        rows.append(
            f'<tr class="row-{r.status}"><td>{escape(r.name)}</td>'
            f'<td><span class="badge {r.status}">{r.status}</span></td>'
            f"<td>{escape(r.measured)}{details or '<br>'}"
            f'<span class="rule">rule: {escape(r.rule)}</span>{where}</td>'
            f'<td class="pages">{pages}</td></tr>'
        )
    rows.append("</table>")
    return "\n".join(rows)


def _thumbs(edition, names: list[str]) -> str:
    scale = THUMB_DPI / 72
    marks: dict[int, list[tuple[float, float, float, float]]] = {}
    bad_pages = set()
    figures: dict[int, list[str]] = {}
    for result in edition.results:
        for page, text in result.figures:
            figures.setdefault(page, []).append(text)
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
            f"<figcaption>{number}{_figures(figures.get(number, []))}</figcaption></figure>"
        )
    parts.append("</div>")
    return "\n".join(parts)


def _figures(texts: list[str]) -> str:
    """A page's make-up figures under its thumbnail."""
    return "".join(f"<small>{escape(text)}</small>" for text in texts)


_SPEC_START, _SPEC_END = "<!-- spec sheet -->", "<!-- /spec sheet -->"


def list_spec_sheet(folder: Path, files: list[Path]) -> None:
    """List the spec sheet in report.html: its files and its pages as thumbnails.

    The sheet is written after the report (it summarises it), so its section is
    put in afterwards, in place of an earlier one.
    """
    html_path = folder / "report.html"
    pdf = next((f for f in files if f.suffix == ".pdf"), None)
    if pdf is None or not html_path.exists():
        return
    names = thumbnails(pdf, folder, "spec")
    width, height = (round(v / 25.4 * THUMB_DPI) for v in (210, 297))  # A4
    links = " · ".join(f'<a href="../{escape(f.name)}">{escape(f.name)}</a>' for f in files)
    pages = "".join(
        f'<figure><img src="{name}" width="{width}" height="{height}" '
        f'alt="spec sheet page {number}"><figcaption>{number}</figcaption></figure>'
        for number, name in enumerate(names, start=1)
    )
    section = (
        f'{_SPEC_START}<h2 id="spec">spec sheet</h2><p>{links}</p>'
        f'<div class="thumbs">{pages}</div>{_SPEC_END}'
    )
    text = html_path.read_text(encoding="utf-8")
    if _SPEC_START in text:
        before, _, rest = text.partition(_SPEC_START)
        text = before + rest.partition(_SPEC_END)[2]
    html_path.write_text(text.replace("</main>", section + "</main>", 1), encoding="utf-8")
