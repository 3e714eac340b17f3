"""Stage 7: checks that read a finished PDF back, independently of how it was made.

Each check gives pass / warn / fail with the measured value and the rule.
:mod:`workbook.preflight` decides which apply to an edition; the build refuses
to write an edition that fails one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
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
    # What the check measured on each page it looked at: (page, "23 % empty").
    figures: tuple[tuple[int, str], ...] = ()
    needle: str = ""  # text the problem is about (a character), to find its source line
    # One line per problem found (rule id or what, page, message), listed under
    # the check in the console and the reports.
    details: tuple[str, ...] = ()
    # Why the publication accepts this check's warning (preflight.accept): the
    # warning stays in the reports, and --strict does not fail on it.
    accepted: str = ""

    def counts(self, strict: bool) -> bool:
        """Whether this result fails a build (with *strict*, a warning not accepted too)."""
        return self.status == "fail" or (strict and self.status == "warn" and not self.accepted)


def accept(results: list[CheckResult], reasons: Mapping[str, str]) -> list[CheckResult]:
    """*results* with each warning the publication accepts (*reasons*, by check name)
    marked with its reason."""
    return [
        replace(r, accepted=reasons[r.name]) if r.status == "warn" and r.name in reasons else r
        for r in results
    ]


def draw_area(read: Painted, draw) -> tuple[int, float, float, float, float]:
    """Where an image is drawn: (page, x0, y0, x1, y1) from the MediaBox's top-left."""
    media = [float(v) for v in read.pdf.pages[draw.page - 1].MediaBox]
    x0, x1 = sorted((draw.bbox[0], draw.bbox[2]))
    y0, y1 = sorted((draw.bbox[1], draw.bbox[3]))
    return (draw.page, x0 - media[0], media[3] - y1, x1 - media[0], media[3] - y0)


def page_count(data: bytes) -> int:
    """Number of pages of a PDF given as bytes."""
    with pikepdf.open(BytesIO(data)) as pdf:
        return len(pdf.pages)


def _result(name: str, ok: bool, measured: str, rule: str, pages=()) -> CheckResult:
    return CheckResult(name, "pass" if ok else "fail", measured, rule, tuple(pages))


def check_fonts(pdf: pikepdf.Pdf, stylesheet: Path) -> CheckResult:
    """Every font is embedded and is one of the book's own fonts. A fallback font
    names the characters it set and the pages (read from the content streams:
    WeasyPrint lists the document's fonts on every page)."""
    families = declared_families(stylesheet)
    problems: dict[str, str] = {}
    strangers: dict[tuple[int, int], str] = {}  # font object -> name
    for page in pdf.pages:
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
                problems.setdefault(name, f"{name} not embedded")
                strangers[font.objgen] = name
            elif not is_book_font(name, families):
                problems.setdefault(name, f"{name} is not a book font (fallback?)")
                strangers[font.objgen] = name
    if not problems:
        return _result(
            "fonts", True, "all embedded, book fonts only", "embed every font; use only the "
            "fonts in styles/fonts",
        )  # fmt: skip
    drawn = _drawn_with(pdf, strangers)
    pages: set[int] = set()
    needle = ""
    for name, (chars, on) in drawn.items():
        pages.update(on)
        shown = ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, '?')})" for c in chars[:3])
        problems[name] += f": {shown} on p. {', '.join(map(str, sorted(on)[:5]))}"
        needle = needle or (chars[0] if chars else "")
    result = _result(
        "fonts",
        False,
        "; ".join(problems[k] for k in sorted(problems)),
        "embed every font; use only the fonts in styles/fonts (a character the book's fonts "
        "lack is set in a fallback font)",
        sorted(pages),
    )
    return replace(result, needle=needle)


def _drawn_with(
    pdf: pikepdf.Pdf, fonts: dict[tuple[int, int], str]
) -> dict[str, tuple[str, set[int]]]:
    """For each of *fonts* (object -> name): the characters shown in it and the pages."""
    from workbook.preflight.pdfcontent import operations

    found: dict[str, tuple[str, set[int]]] = {}
    maps: dict[tuple[int, int], tuple[dict[bytes, str], int]] = {}
    current: pikepdf.Object | None = None
    for op in operations(pdf, only=frozenset({"Tf", "Tj", "TJ", "'", '"'})):
        if op.operator == "Tf" and op.operands:
            fonts_here = op.resources.get("/Font") if op.resources is not None else None
            current = fonts_here.get(str(op.operands[0])) if fonts_here is not None else None
            continue
        if op.operator not in ("Tj", "TJ", "'", '"') or current is None:
            continue
        key = current.objgen
        if key not in fonts:
            continue
        if key not in maps:
            maps[key] = _to_unicode(current)
        mapping, width = maps[key]
        chars, pages = found.setdefault(fonts[key], ("", set()))
        pages.add(op.page)
        for text in _strings(op.operands):
            for index in range(0, len(text), width):
                char = mapping.get(text[index : index + width], "")
                if char and char not in chars and not char.isspace():
                    chars += char
        found[fonts[key]] = (chars, pages)
    return found


def _strings(operands: tuple) -> list[bytes]:
    """The strings a text-showing operation shows."""
    found = []
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            found.append(bytes(operand))
        elif isinstance(operand, pikepdf.Array):
            found += [bytes(item) for item in operand if isinstance(item, pikepdf.String)]
    return found


_BFCHAR_RE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE_RE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _to_unicode(font: pikepdf.Object) -> tuple[dict[bytes, str], int]:
    """A font's ToUnicode map (code bytes -> text) and its code width in bytes."""
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return {}, 1
    data = stream.read_bytes()
    mapping: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in _BFCHAR_RE.findall(block):
            mapping[bytes.fromhex(code.decode())] = bytes.fromhex(text.decode()).decode(
                "utf-16-be", "replace"
            )
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, text in _BFRANGE_RE.findall(block):
            width = len(low) // 2
            first, start = int(low, 16), int(text, 16)
            for offset in range(int(high, 16) - first + 1):
                mapping[(first + offset).to_bytes(width, "big")] = chr(start + offset)
    width = len(next(iter(mapping), b"x"))
    return mapping, width


def check_boxes(reader: PdfReader, fmt: PageFormat, slug: float = 0.0) -> CheckResult:
    """TrimBox = trim size and BleedBox = MediaBox = trim + bleed on every page; with
    crop marks the MediaBox reaches *slug* mm beyond the BleedBox."""
    width, height = (v * PT_PER_MM for v in fmt.trim)
    bleed = fmt.bleed * PT_PER_MM
    grow = slug * PT_PER_MM
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
                abs(float(a) - (float(b) + g)) < TOLERANCE_PT
                for a, b, g in zip(media, bleed_box, (-grow, -grow, grow, grow), strict=True)
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
        "TrimBox = trim size; BleedBox = MediaBox = trim + bleed on all sides"
        + (f"; MediaBox {slug:g} mm beyond for the crop marks" if slug else ""),
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
    areas = []
    read = painted(data)
    for number, page in enumerate(read.pages, start=1):
        for draw in page.draws:
            if draw.colour_space not in _PRESS_SPACES:
                problems.setdefault(number, f"{draw.colour_space} image {draw.name}")
                areas.append(draw_area(read, draw))
        for family in page.colours:
            if family not in _PRESS_SPACES:
                problems.setdefault(
                    number, "RGB colour" if family == "/DeviceRGB" else f"{family} colour"
                )
                break
    pages = sorted(problems)
    result = _result(
        "cmyk-only",
        not pages,
        "; ".join(f"p. {n}: {problems[n]}" for n in pages[:5]) if pages else "CMYK and grey only",
        "press colours must be device-cmyk (palette.toml); images CMYK",
        pages,
    )
    return replace(result, areas=tuple(areas))


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
    read = painted(data)
    draws = read.draws
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
    result = _result(
        "image-resolution",
        not bad,
        measured,
        " and ".join(rules) + " at the drawn size",
        sorted({d.page for d in bad}),
    )
    return replace(result, areas=tuple(draw_area(read, d) for d in bad))


ASPECT_TOLERANCE = 0.02  # 2 %: pixels rounded to the drawn size


def check_image_aspect(data: bytes) -> CheckResult:
    """Every image is drawn with the proportions of its pixels: none squashed or
    stretched (a photo turned upright by its EXIF tag but placed in a box sized
    from the stored width and height would be)."""
    read = painted(data)
    bad = []
    for draw in read.draws:
        if not draw.width_pt or not draw.height_pt or not all(draw.pixels):
            continue
        drawn = draw.width_pt / draw.height_pt
        stored = draw.pixels[0] / draw.pixels[1]
        if abs(drawn / stored - 1) > ASPECT_TOLERANCE:
            bad.append(draw)
    measured = (
        "; ".join(
            f"p. {d.page}: {d.width_pt / PT_PER_MM:.0f} x {d.height_pt / PT_PER_MM:.0f} mm drawn "
            f"from {d.pixels[0]} x {d.pixels[1]} px"
            for d in bad[:5]
        )
        if bad
        else f"{len(read.draws)} images, each at its own proportions"
    )
    result = _result(
        "image-aspect",
        not bad,
        measured,
        "an image keeps its proportions (width / height within 2 %)",
        sorted({d.page for d in bad}),
    )
    return replace(result, areas=tuple(draw_area(read, d) for d in bad))


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
