"""The cover's preflight: boxes, spine against the press PDF, barcode, inks, folds.

Read back from the cover PDF alone, with the configured trim, bleed and
distances and the press PDF's page count:

- ``cover-boxes``: one page; TrimBox = back + spine + front by the trim
  height; BleedBox = trim + bleed; MediaBox = BleedBox (plus the slug with
  marks);
- ``spine-width``: the spine in the file (trim width minus two covers) equals
  the formula applied to the *current* press PDF's page count, so a cover left
  from before the inner block grew fails;
- ``barcode``: ``zbarimg`` decodes an EAN-13 from a 300 dpi rendering of the
  back cover, and it is the configured print ISBN;
- ``fold-distance``: no text nearer than ``cover.safe_distance`` to the trim
  or a fold on the front and back, spine text ``cover.spine_margin`` inside
  the folds;
- as on the press edition: ``fonts``, ``cmyk-only``, ``ink-coverage``,
  ``image-resolution``, ``output-intent``, ``output-profile``, ``overprint``,
  ``small-text``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

import pikepdf

from workbook.config.publication import Project
from workbook.cover.layout import COVER
from workbook.cover.spine import spine_for
from workbook.finish.marks import SLUG_MM
from workbook.html.colour import BUNDLED_PROFILE
from workbook.paths import STYLES
from workbook.preflight import checks, inks
from workbook.preflight.checks import CheckResult
from workbook.preflight.core import EditionReport
from workbook.preflight.facts import PdfFacts, read_facts
from workbook.preflight.layout import result, trim_of

MM = 72 / 25.4
TOLERANCE_MM = 0.05
BARCODE_DPI = 300
SLACK_MM = 0.3  # glyph boxes are a little larger than the ink


def check_cover_boxes(facts: PdfFacts, project: Project) -> CheckResult:
    """One page; TrimBox height = trim; BleedBox = trim + bleed; MediaBox = bleed (+ slug)."""
    fmt = project.config.format
    slug = SLUG_MM if project.config.print.marks else 0.0
    problems = []
    if len(facts.pages) != 1:
        problems.append(f"{len(facts.pages)} pages, not one spread")
    page = facts.pages[0]
    if page.trim is None or page.bleed is None:
        problems.append("no TrimBox or BleedBox")
        trim = bleed = (0.0, 0.0, 0.0, 0.0)
    else:
        trim, bleed = page.trim, page.bleed
    height = (trim[3] - trim[1]) / MM
    if abs(height - fmt.trim[1]) > TOLERANCE_MM:
        problems.append(f"trim height {height:.2f} mm, not {fmt.trim[1]:g} mm")
    for side, (inner, outer) in enumerate(zip(trim, bleed, strict=True)):
        reach = abs(inner - outer) / MM
        if abs(reach - fmt.bleed) > TOLERANCE_MM:
            problems.append(f"bleed {reach:.2f} mm on side {side + 1}, not {fmt.bleed:g} mm")
            break
    width, media_height = page.size
    bleed_w, bleed_h = bleed[2] - bleed[0], bleed[3] - bleed[1]
    if (
        abs(width - bleed_w - 2 * slug * MM) > TOLERANCE_MM * MM
        or abs(media_height - bleed_h - 2 * slug * MM) > TOLERANCE_MM * MM
    ):
        problems.append("MediaBox is not the BleedBox" + (" plus the slug" if slug else ""))
    trim_width = (trim[2] - trim[0]) / MM
    return result(
        "cover-boxes",
        not problems,
        "; ".join(problems)
        or f"one spread, trim {trim_width:.2f} x {height:g} mm, bleed {fmt.bleed:g} mm",
        "TrimBox = back + spine + front; BleedBox = trim + bleed; MediaBox = BleedBox"
        + (f" + {slug:g} mm slug for the marks" if slug else ""),
        [1] if problems else [],
    )


def check_spine_width(facts: PdfFacts, project: Project, press_pages: int) -> CheckResult:
    """The spine in the cover equals the formula on the current press PDF's page count."""
    fmt = project.config.format
    trim = trim_of(facts.pages[0])
    measured = (trim[2] - trim[0]) / MM - 2 * fmt.trim[0]
    spine = spine_for(project, press_pages)
    ok = abs(measured - spine.width) <= TOLERANCE_MM
    text = f"spine {measured:.2f} mm; {spine.formula()}"
    if not ok:
        text += f": the cover does not fit the press PDF's {press_pages} pages (stale?)"
    return result(
        "spine-width",
        ok,
        text,
        "spine = the formula on the press PDF's page count (print.caliper or "
        "print.pages_per_inch, print.cover_allowance); rebuild the cover",
        [] if ok else [1],
    )


def decode_barcodes(pdf: Path, facts: PdfFacts, back_width_mm: float) -> list[str] | str:
    """EAN-13 codes ``zbarimg`` finds on a rendering of the back cover, or the reason none
    could be looked for."""
    if shutil.which("zbarimg") is None:
        return "zbarimg is not installed (Debian zbar-tools; setup.sh installs it)"
    page = facts.pages[0]
    trim = trim_of(page)
    scale = BARCODE_DPI / 72
    x, y = round(trim[0] * scale), round(trim[1] * scale)
    width = round(back_width_mm * MM * scale)
    height = round((trim[3] - trim[1]) * scale)
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "back"
        drawn = subprocess.run(
            ["pdftoppm", "-r", str(BARCODE_DPI), "-gray", "-png", "-singlefile",
             "-x", str(x), "-y", str(y), "-W", str(width), "-H", str(height),
             str(pdf), str(prefix)],
            capture_output=True, timeout=300, check=False,
        )  # fmt: skip
        if drawn.returncode != 0:
            return f"pdftoppm failed: {drawn.stderr.decode(errors='replace').strip()[:200]}"
        read = subprocess.run(
            ["zbarimg", "--raw", "-q", "-Sdisable", "-Sean13.enable", str(prefix) + ".png"],
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
    return [line.strip() for line in read.stdout.decode().splitlines() if line.strip()]


def check_barcode(pdf: Path, facts: PdfFacts, project: Project) -> CheckResult:
    """The back cover's barcode decodes to the configured print ISBN."""
    isbn = project.config.isbn.print
    want = isbn.replace("-", "").replace(" ", "")
    found = decode_barcodes(pdf, facts, project.config.format.trim[0])
    if isinstance(found, str):
        ok, measured = False, found
    elif not found:
        ok, measured = False, "no EAN-13 found on the back cover"
    else:
        ok = found == [want]
        measured = f"zbarimg reads {', '.join(found)}" + ("" if ok else f", not {want}")
    return result(
        "barcode",
        ok,
        measured,
        f"one EAN-13 on the back that scans as the print ISBN {isbn} (isbn.print)",
        [] if ok else [1],
    )


def check_fold_distance(facts: PdfFacts, project: Project) -> CheckResult:
    """No text nearer than the safe distance to the trim or the folds."""
    cover = project.config.cover
    assert cover is not None
    fmt = project.config.format
    page = facts.pages[0]
    trim = trim_of(page)
    panel = fmt.trim[0] * MM
    spine = (trim[2] - trim[0]) - 2 * panel
    folds = (trim[0] + panel, trim[0] + panel + spine)
    safe, margin, slack = cover.safe_distance * MM, cover.spine_margin * MM, SLACK_MM * MM
    near: list[str] = []
    areas = []
    closest = {"panel": float("inf"), "spine": float("inf"), "trim": float("inf")}
    for word in page.words:
        x0, y0, x1, y1 = word.rect
        middle = (x0 + x1) / 2
        trim_gap = min(x0 - trim[0], y0 - trim[1], trim[2] - x1, trim[3] - y1)
        closest["trim"] = min(closest["trim"], trim_gap)
        if folds[0] <= middle <= folds[1] and spine > 0:
            fold_gap = min(x0 - folds[0], folds[1] - x1)
            closest["spine"] = min(closest["spine"], fold_gap)
            bad = fold_gap + slack < margin or trim_gap + slack < safe
        else:
            fold_gap = folds[0] - x1 if middle < folds[0] else x0 - folds[1]
            closest["panel"] = min(closest["panel"], fold_gap)
            bad = fold_gap + slack < safe or trim_gap + slack < safe
        if bad:
            near.append(f"'{word.text}'")
            areas.append((1, *word.rect))
    if not page.words:
        measured = "no text found on the cover"
    elif near:
        measured = f"{len(near)} words too near a fold or the trim: " + ", ".join(near[:4])
    else:
        measured = (
            f"{len(page.words)} words; front and back text at least "
            f"{closest['panel'] / MM:.1f} mm from a fold and {closest['trim'] / MM:.1f} mm "
            "from the trim"
        )
        if closest["spine"] != float("inf"):
            measured += f"; spine text {closest['spine'] / MM:.1f} mm inside its folds"
    return result(
        "fold-distance",
        bool(page.words) and not near,
        measured,
        f"text at least {cover.safe_distance:g} mm from the trim and the folds "
        f"(cover.safe_distance); spine text {cover.spine_margin:g} mm inside its folds",
        [1] if near else [],
        areas[:100],
    )


def check_cover(
    facts: PdfFacts, path: Path, project: Project, press_pages: int
) -> list[CheckResult]:
    """Every check of the cover PDF at *path*."""
    data = facts.data
    config = project.config
    runs = inks.text_runs(data)
    with pikepdf.open(BytesIO(data)) as pdf:
        fonts = checks.check_fonts(pdf, STYLES / "cover.css")
    return [
        check_cover_boxes(facts, project),
        check_spine_width(facts, project, press_pages),
        check_barcode(path, facts, project),
        check_fold_distance(facts, project),
        fonts,
        checks.check_image_resolution(data, minimum=config.images.press_min_ppi, maximum=None),
        checks.check_no_rgb(data),
        checks.check_ink_coverage(data, config.colour.max_ink),
        checks.check_output_intent(data),
        inks.check_output_profile(data, BUNDLED_PROFILE),
        inks.check_overprint(runs),
        inks.check_small_text(runs),
    ]


def check_cover_file(
    path: Path,
    project: Project,
    press: Path,
    thumbs: Path | None = None,
    caches: tuple[Path, Path, Path, Path] | None = None,
    *,
    place: bool = True,
) -> EditionReport:
    """Read the cover PDF back and run its checks against the press PDF *press*
    (as :func:`workbook.preflight.core.check_file` does for an edition)."""
    from workbook.cover.build import press_pages

    facts = read_facts(path, *(caches or ())[:2])
    drawing = None
    if thumbs is not None:
        from workbook.preflight.pageimages import PageDrawing

        drawing = PageDrawing(path, thumbs, COVER.name, facts.page_digests)
    try:
        results = check_cover(facts, path, project, press_pages(press))
    finally:
        if drawing is not None:
            drawing.finish()
    results = checks.accept(results, project.config.preflight.accept)
    report = EditionReport(COVER, path, facts, results)
    if thumbs is not None and place:
        from workbook.preflight.pageimages import place_thumbnails

        report.thumbnails = place_thumbnails(thumbs, COVER.name, facts.page_digests)
    return report
