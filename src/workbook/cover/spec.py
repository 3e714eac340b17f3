"""The spec sheet: what the print house is asked to print, in Finnish, three ways.

``build/<slug>-spec.json`` (for machines), ``-spec.html`` and ``-spec.pdf``
(A4, for people) say: title, ISBNs, trim, page count and padding, binding,
paper and caliper, the spine width with its formula and inputs, colours, the
output condition (and whether it is still the bundled stand-in), bleed and
marks, each file with its page count, size and sha256 and the preflight's
summary of it, and the quantity and delivery date when the config gives
them.

Everything is read from the written files, ``build/preflight/report.json`` and
the config, after the preflight. The sheet is written again only when its
data changed (the JSON is compared), so an unchanged job keeps its files; the
preflight report lists it with its pages as thumbnails.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pikepdf

from workbook.config.editions import VARIANTS
from workbook.config.publication import Binding, Project, load_config
from workbook.cover.spine import fi_number, spine_for
from workbook.errors import display_path
from workbook.html.colour import BUNDLED_PROFILE
from workbook.paths import REPO, STYLES
from workbook.pipeline.freshness import spec_paths, write_json
from workbook.preflight.report import list_spec_sheet
from workbook.render.pdf import write_atomic

TEMPLATE = "spec.html.j2"
BINDINGS = {
    Binding.PERFECT_BOUND: "liimasidonta (selkä liimattu)",
    Binding.SADDLE_STITCH: "satulanidonta (stiftaus)",
}
STATUS_FI = {"pass": "läpi", "warn": "varoitus", "fail": "virhe"}
_FONT_FACES = """
@font-face { font-family: "Workbook Inter"; src: url(fonts/inter/Inter-Regular.otf); font-weight: 400; }
@font-face { font-family: "Workbook Inter"; src: url(fonts/inter/Inter-SemiBold.otf); font-weight: 600; }
@font-face { font-family: "Workbook Inter"; src: url(fonts/inter/Inter-Bold.otf); font-weight: 700; }
"""  # noqa: E501


def sha256(path: Path) -> str:
    """The file's SHA-256, hex."""
    h = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def padding_pages(pdf: pikepdf.Pdf) -> int:
    """Blank pages appended for the binding: empty pages at the end of the file."""
    count = 0
    for page in reversed(pdf.pages):
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        if any(s is not None and s.read_bytes().strip() for s in streams):
            break
        count += 1
    return count


def _output_condition(pdf: pikepdf.Pdf) -> dict[str, object]:
    intents = list(pdf.Root.get("/OutputIntents", []))
    if not intents:
        return {"condition": "", "profile": "", "stand_in": False}
    intent = intents[0]
    profile = intent.get("/DestOutputProfile")
    digest = hashlib.sha256(profile.read_bytes()).hexdigest() if profile is not None else ""
    return {
        "condition": str(intent.get("/OutputConditionIdentifier", "")),
        "profile": str(intent.get("/Info", "")),
        "stand_in": digest == hashlib.sha256(BUNDLED_PROFILE.read_bytes()).hexdigest(),
    }


def _preflight(out_dir: Path) -> dict[str, dict]:
    """The preflight report's summary of each file, by file name."""
    try:
        report = json.loads((out_dir / "preflight" / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    summaries = {}
    for edition in report.get("editions", []):
        checks = edition.get("checks", [])
        counts = {s: sum(1 for c in checks if c.get("status") == s) for s in STATUS_FI}
        notes = [
            {"check": c["name"], "status": c["status"], "measured": c["measured"]}
            for c in checks
            if c.get("status") != "pass"
        ]
        summaries[Path(edition["file"]).name] = {"checks": len(checks), **counts, "notes": notes}
    return summaries


def spec_data(project: Project, out_dir: Path) -> dict:
    """Everything the spec sheet says, as plain data."""
    config = project.config
    pub, fmt, job = config.publication, config.format, config.print
    slug = pub.slug
    press_path = out_dir / VARIANTS["press"].filename(slug)
    with pikepdf.open(press_path) as pdf:
        pages = len(pdf.pages)
        padding = padding_pages(pdf)
        condition = _output_condition(pdf)
    spine = spine_for(project, pages)
    summaries = _preflight(out_dir)
    files = []
    for name in ("press", "cover", "screen"):
        path = out_dir / f"{slug}-{name}.pdf"
        if not path.exists():
            continue
        with pikepdf.open(path) as pdf:
            count = len(pdf.pages)
        files.append({
            "role": name,
            "file": path.name,
            "pages": count,
            "bytes": path.stat().st_size,
            "sha256": sha256(path),
            "preflight": summaries.get(path.name),
        })  # fmt: skip
    cover = config.cover
    front = out_dir / f"{slug}-cover-front.jpg"
    return {
        "title": pub.title,
        "subtitle": pub.subtitle,
        "authors": pub.authors,
        "publisher": pub.publisher,
        "edition": pub.edition,
        "year": pub.year,
        "printer": pub.printer,
        "isbn": {"print": config.isbn.print, "pdf": config.isbn.pdf},
        "trim_mm": list(fmt.trim),
        "pages": pages,
        "padding_pages": padding,
        "page_multiple": fmt.multiple,
        "binding": fmt.binding.value,
        "paper": job.paper,
        "spine": {**spine.inputs(), "formula": spine.formula()},
        "cover_spread_mm": [round(2 * fmt.trim[0] + spine.width, 3), fmt.trim[1]],
        "colours": {"inner": "4/4 CMYK", "cover": "4/0 CMYK"},
        "output_condition": condition,
        "bleed_mm": fmt.bleed,
        "crop_marks": job.marks,
        "max_ink_percent": config.colour.max_ink,
        "quantity": job.quantity,
        "delivery": job.delivery.isoformat() if job.delivery else None,
        "files": files,
        "cover_image": {
            "file": front.name if front.exists() else None,
            "alt": _cover_alt(project),
            "illustration": cover.illustration if cover else "",
        },
    }


def _cover_alt(project: Project) -> str:
    """The front cover's alt text, with the illustration's from the manifest."""
    from workbook.cover.layout import cover_alt

    cover = project.config.cover
    alt = ""
    if cover is not None and cover.illustration and project.manifest_path is not None:
        try:
            manifest = tomllib.loads(project.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            manifest = {}
        entry = manifest.get(cover.illustration)
        alt = str(entry.get("alt", "")) if isinstance(entry, dict) else ""
    return cover_alt(project, alt)


def _fi_size(size: int) -> str:
    return f"{fi_number(size / 1024 / 1024, 1)} Mt" if size >= 1 << 20 else f"{size // 1024} kt"


def spec_html(data: dict) -> str:
    """The spec sheet as one self-contained HTML page (Finnish)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(REPO / "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fi"] = fi_number
    env.filters["size"] = _fi_size
    env.filters["fidate"] = lambda iso: ".".join(str(int(p)) for p in reversed(iso.split("-")))
    return env.get_template(TEMPLATE).render(
        d=data, bindings={b.value: text for b, text in BINDINGS.items()}, status=STATUS_FI
    )


def spec_pdf(html: str) -> bytes:
    """The spec sheet on A4 with the book's sans face (WeasyPrint)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from workbook.render.sandbox import SandboxFetcher

    fetcher = SandboxFetcher([STYLES])
    config = FontConfiguration()
    fonts = CSS(
        string=_FONT_FACES,
        base_url=STYLES.as_uri() + "/",
        url_fetcher=fetcher,
        font_config=config,
    )
    document = HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[fonts], font_config=config)


def sheet_digest() -> str:
    """What the sheet looks like: its template and this module (a change rewrites it)."""
    h = hashlib.sha256((REPO / "templates" / TEMPLATE).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def write_spec_sheet(config_path: Path, out_dir: Path, report: Callable[[str], None]) -> bool:
    """Write the spec sheet when its data (or its template) changed; return whether it was
    written."""
    project = load_config(config_path)
    data = {**spec_data(project, out_dir), "sheet": sheet_digest()}
    json_path, html_path, pdf_path = (
        spec_paths(out_dir, project.config.publication.slug)[i] for i in (2, 0, 1)
    )
    try:
        old = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    files = [pdf_path, html_path, json_path]
    if old == data and html_path.exists() and pdf_path.exists():
        report(f"  spec: up to date ({display_path(pdf_path)})")
        list_spec_sheet(out_dir / "preflight", files)
        return False
    html = spec_html(data)
    write_atomic(pdf_path, spec_pdf(html))
    write_atomic(html_path, html.encode("utf-8"))
    write_json(json_path, data, ensure_ascii=False, indent=2)
    list_spec_sheet(out_dir / "preflight", files)
    report(
        f"  spec: {display_path(pdf_path)}, .html, .json (spine "
        f"{fi_number(data['spine']['width_mm'])} mm, {data['pages']} pages)"
    )
    return True
