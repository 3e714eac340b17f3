"""Stage 7: checks that read a finished PDF back, independently of how it was made.

Each check gives pass / warn / fail with the measured value and the rule.
:mod:`workbook.preflight` decides which apply to an edition; the build refuses
to write an edition that fails one.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pikepdf

from workbook.config.publication import PageFormat
from workbook.finish.press import PT_PER_MM
from workbook.intake.fonts import declared_families, is_book_font
from workbook.preflight.pdfcontent import Painted, painted

if TYPE_CHECKING:
    from pypdf import PdfReader  # imported where the press checks need it

Status = Literal["pass", "warn", "fail"]
TOLERANCE_PT = 0.05


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check."""

    name: str
    status: Status
    measured: str
    rule: str
    pages: tuple[int, ...] = ()
    # Where on a page the problem is: (page, x0, y0, x1, y1) in points from the
    # MediaBox's top-left corner, y downwards (for marking report thumbnails).
    areas: tuple[tuple[int, float, float, float, float], ...] = ()
    # One line per problem found (rule id or what, page, message), listed under
    # the check in the console and the reports.
    details: tuple[str, ...] = ()


def page_count(data: bytes) -> int:
    """Number of pages of a PDF given as bytes."""
    with pikepdf.open(BytesIO(data)) as pdf:
        return len(pdf.pages)


def _result(name: str, ok: bool, measured: str, rule: str, pages=()) -> CheckResult:
    return CheckResult(name, "pass" if ok else "fail", measured, rule, tuple(pages))


def check_fonts(pdf: pikepdf.Pdf, stylesheet: Path) -> CheckResult:
    """Every font is embedded and is one of the book's own fonts."""
    families = declared_families(stylesheet)
    problems: list[str] = []
    pages: list[int] = []
    for number, page in enumerate(pdf.pages, start=1):
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        for font in (fonts or {}).values():
            base = str(font.get("/BaseFont", "")).lstrip("/")
            name = base.split("+", 1)[-1]
            descriptors = [font, *(font.get("/DescendantFonts") or [])]
            embedded = any(
                key in d.FontDescriptor
                for d in descriptors
                if isinstance(d.get("/FontDescriptor"), pikepdf.Dictionary)
                for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            if not embedded:
                problems.append(f"{name} not embedded")
                pages.append(number)
            elif not is_book_font(name, families):
                problems.append(f"{name} is not a book font (fallback?)")
                pages.append(number)
    return _result(
        "fonts",
        not problems,
        "; ".join(sorted(set(problems))) or "all embedded, book fonts only",
        "embed every font; use only the fonts in styles/fonts",
        sorted(set(pages)),
    )


def check_boxes(reader: PdfReader, fmt: PageFormat) -> CheckResult:
    """TrimBox = trim size and BleedBox = MediaBox = trim + bleed on every page."""
    width, height = (v * PT_PER_MM for v in fmt.trim)
    bleed = fmt.bleed * PT_PER_MM
    bad = []
    for number, page in enumerate(reader.pages, start=1):
        if "/TrimBox" not in page or "/BleedBox" not in page:
            bad.append(number)
            continue
        trim, bleed_box, media = page.trimbox, page.bleedbox, page.mediabox
        ok = (
            abs(float(trim.width) - width) < TOLERANCE_PT
            and abs(float(trim.height) - height) < TOLERANCE_PT
            and all(
                abs(float(a) - float(b)) < TOLERANCE_PT
                for a, b in zip(
                    (bleed_box.left, bleed_box.bottom, bleed_box.right, bleed_box.top),
                    (trim.left - bleed, trim.bottom - bleed, trim.right + bleed, trim.top + bleed),
                    strict=True,
                )
            )
            and all(
                abs(float(a) - float(b)) < TOLERANCE_PT
                for a, b in zip(media, bleed_box, strict=True)
            )
        )
        if not ok:
            bad.append(number)
    return _result(
        "page-boxes",
        not bad,
        f"wrong boxes on pages {bad[:10]}"
        if bad
        else f"{len(reader.pages)} pages: trim {fmt.trim[0]:g} x {fmt.trim[1]:g} mm, "
        f"bleed {fmt.bleed:g} mm",
        "TrimBox = trim size; BleedBox = MediaBox = trim + bleed on all sides",
        bad,
    )


def check_page_multiple(reader: PdfReader, fmt: PageFormat) -> CheckResult:
    """The page count fits the binding."""
    multiple = fmt.multiple
    count = len(reader.pages)
    return _result(
        "page-count",
        count % multiple == 0,
        f"{count} pages",
        f"a multiple of {multiple} for {fmt.binding.value}",
    )


_PRESS_SPACES = {"/DeviceCMYK", "/DeviceGray", "/Pattern", "/Separation", "/DeviceN"}
_RESOLUTION_SLACK = 0.5  # ppi: rounding of pixel sizes to whole pixels
_INK_SLACK = 8  # %: JPEG compression overshoot of single pixels


def check_no_rgb(data: bytes) -> CheckResult:
    """Everything painted on press pages is CMYK or grey: no RGB, Lab or RGB images.

    Reads page streams, form XObjects and tiling patterns (backgrounds).
    """
    problems: dict[int, str] = {}
    for number, page in enumerate(painted(data).pages, start=1):
        for family in page.colours:
            if family not in _PRESS_SPACES:
                problems.setdefault(
                    number, "RGB colour" if family == "/DeviceRGB" else f"{family} colour"
                )
                break
        for draw in page.draws:
            if draw.colour_space not in _PRESS_SPACES:
                problems.setdefault(number, f"{draw.colour_space} image {draw.name}")
    pages = sorted(problems)
    return _result(
        "cmyk-only",
        not pages,
        "; ".join(f"p. {n}: {problems[n]}" for n in pages[:5]) if pages else "CMYK and grey only",
        "press colours must be device-cmyk (palette.toml); images CMYK",
        pages,
    )


def check_output_intent(data: bytes) -> CheckResult:
    """PDF/X-4: a GTS_PDFX output intent with a 4-component (CMYK) ICC profile."""
    with pikepdf.open(BytesIO(data)) as pdf:
        intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
        profile = intents[0].get("/DestOutputProfile") if intents else None
        components = int(profile.get("/N", 0)) if profile is not None else 0
        condition = str(intents[0].get("/OutputConditionIdentifier", "")) if intents else ""
        with pdf.open_metadata() as meta:
            version = str(meta.get("pdfxid:GTS_PDFXVersion", ""))
        has_art = any("/ArtBox" in page.obj for page in pdf.pages)
    ok = len(intents) == 1 and components == 4 and version == "PDF/X-4" and not has_art
    measured = (
        f"{version or 'no PDF/X version'}, output intent {condition!r} "
        f"({components} components){', ArtBox present' if has_art else ''}"
        if intents
        else f"{version or 'no PDF/X version'}, no GTS_PDFX output intent"
    )
    return _result(
        "output-intent",
        ok,
        measured,
        "PDF/X-4 with one CMYK output intent (colour.output_profile); TrimBox, no ArtBox",
    )


def check_ink_coverage(data: bytes, max_ink: int) -> CheckResult:
    """Total area coverage (C+M+Y+K) of CMYK colours and images stays within the limit."""
    worst: dict[int, float] = {}
    for number, page in enumerate(painted(data).pages, start=1):
        images = (draw.ink for draw in page.draws if draw.ink is not None)
        worst[number] = max(page.max_cmyk, *images, 0.0)
    # JPEG compression moves single pixels a few per cent; judge with that slack.
    limit = max_ink + _INK_SLACK
    bad = sorted(page for page, value in worst.items() if value > limit)
    highest = max(worst.values(), default=0.0)
    return _result(
        "ink-coverage",
        not bad,
        f"highest {highest:.0f} %" + (f" on pages {bad[:10]}" if bad else ""),
        f"total ink at most {max_ink} % (colour.max_ink)",
        bad,
    )


def check_image_resolution(data: bytes, *, minimum: float | None, maximum: float | None):
    """Effective resolution of every image at its drawn size, measured in the PDF."""
    draws = painted(data).draws
    if not draws:
        return _result("image-resolution", True, "no raster images", "-")
    low = [d for d in draws if minimum is not None and d.ppi + _RESOLUTION_SLACK < minimum]
    high = [d for d in draws if maximum is not None and d.ppi > maximum + _RESOLUTION_SLACK]
    bad = low + high
    lowest = min(d.ppi for d in draws)
    highest = max(d.ppi for d in draws)
    measured = f"{len(draws)} images, {lowest:.0f}-{highest:.0f} ppi"
    if bad:
        measured += "; " + "; ".join(f"p. {d.page}: {d.ppi:.0f} ppi" for d in bad[:5])
    rules = []
    if minimum is not None:
        rules.append(f"at least {minimum:g} ppi")
    if maximum is not None:
        rules.append(f"at most {maximum:g} ppi")
    return _result(
        "image-resolution",
        not bad,
        measured,
        " and ".join(rules) + " at the drawn size",
        sorted({d.page for d in bad}),
    )


def check_accessibility(data: bytes, language: str) -> list[CheckResult]:
    """PDF/UA basics: tags, language, title, identifier, artifacts, link descriptions."""
    read = painted(data)
    pdf = read.pdf
    root = pdf.Root
    struct = root.get("/StructTreeRoot")
    marked = bool(root.get("/MarkInfo", {}).get("/Marked", False))
    lang = str(root.get("/Lang", ""))
    display_title = bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False))
    meta = pdf.open_metadata()  # read only: leaving a ``with`` would write it back
    title = meta.get("dc:title", "")
    ua_part = meta.get("pdfuaid:part", "")
    untagged = _untagged_marked_content(read) if struct is not None else ["no structure tree"]
    figures = read.structure.figures if struct is not None else ()
    no_alt = [f for f in figures if not str(f.get("/Alt", "")).strip()]
    bad_links = []
    for number, page in enumerate(pdf.pages, start=1):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            contents = str(annot.get("/Contents", ""))
            dest = str(annot.get("/Dest", "")).lstrip("/")
            if not contents or contents == dest:
                bad_links.append(number)
    return [
        _result(
            "tagged",
            struct is not None and marked,
            f"StructTreeRoot {'present' if struct is not None else 'missing'}, Marked {marked}",
            "tagged PDF",
        ),
        _result("language", lang == language, f"/Lang {lang!r}", f"/Lang = {language!r}"),
        _result(
            "title",
            bool(title) and display_title,
            f"title {title!r}, DisplayDocTitle {display_title}",
            "title in metadata, shown in the window title",
        ),
        _result(
            "pdfua-id", str(ua_part) == "1", f"pdfuaid:part {ua_part!r}", "XMP declares PDF/UA-1"
        ),
        _result(
            "artifacts",
            not untagged,
            "; ".join(untagged[:3]) or "all marked content tagged or artifact",
            "running heads and folios are artifacts; no orphan content",
        ),
        _result(
            "figure-alt",
            not no_alt,
            f"{len(no_alt)} of {len(figures)} figures without alt text"
            if no_alt
            else f"{len(figures)} figures, all with alt text",
            "every Figure has /Alt; decorative images are artifacts",
        ),
        _result(
            "link-descriptions",
            not bad_links,
            f"undescribed links on pages {sorted(set(bad_links))[:10]}"
            if bad_links
            else "every link described",
            "every link annotation has a description",
            sorted(set(bad_links)),
        ),
    ]


def _untagged_marked_content(read: Painted) -> list[str]:
    """Marked content whose structure element is missing or outside the tree."""
    struct = read.pdf.Root.StructTreeRoot
    reachable = read.structure.reachable
    tree = pikepdf.NumberTree(struct.ParentTree)
    problems = []
    for number, (page, paint) in enumerate(zip(read.pdf.pages, read.pages, strict=True), start=1):
        key = page.obj.get("/StructParents")
        parents = tree.get(int(key)) if key is not None else None
        for tag, mcid in paint.marked:
            element = parents[mcid] if parents is not None and mcid < len(parents) else None
            if not isinstance(element, pikepdf.Dictionary) or element.objgen not in reachable:
                problems.append(f"page {number} MCID {mcid} ({tag}) is not in the structure tree")
    return problems
