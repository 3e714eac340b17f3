"""Make the cover: lay it out, check what only layout shows, finish, check, write.

Run after the press edition (its page count decides the spine), in the
process that built it or on its own when only the cover is out of date. The
PDF is written atomically, and only after the cover's preflight checks
(:mod:`workbook.preflight.cover`) passed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from workbook.config.palette import Palette
from workbook.config.publication import Project
from workbook.cover.layout import (
    COVER,
    PT_PER_MM,
    CoverInputs,
    Geometry,
    SpineText,
    check_inputs,
    config_line,
    cover_html,
    spine_text,
)
from workbook.cover.spine import Spine, spine_for
from workbook.errors import WorkbookError
from workbook.finish.marks import add_crop_marks
from workbook.finish.overprint import overprint_black
from workbook.finish.press import finish_pdfx, set_trim_and_bleed
from workbook.html.colour import OutputProfile
from workbook.intake.illustrations import Manifest
from workbook.render.pdf import render_pdf, write_atomic

if TYPE_CHECKING:
    from workbook.html.book import Resources
    from workbook.preflight.core import EditionReport

PX_PER_MM = 96 / 25.4
SPINE_GAP_MM = 10.0  # at least this between the spine's title and publisher
FRONT_IMAGE_DPI = 150


@dataclass
class MadeCover:
    """What making the cover produced."""

    path: Path
    spine: Spine
    warnings: list[str] = field(default_factory=list)
    report: EditionReport | None = None
    front_image: Path | None = None


def press_pages(press: Path) -> int:
    """The page count of the written press PDF (the spine depends on it)."""
    try:
        with pikepdf.open(press) as pdf:
            return len(pdf.pages)
    except (OSError, pikepdf.PdfError):
        raise WorkbookError(
            "the cover's spine needs the press edition's page count, and the press PDF "
            "cannot be read",
            path=press,
            hint="build the press edition first: invoke build",
        ) from None


def _descendants(box: boxes.Box, parents: tuple = ()) -> Iterator[tuple[boxes.Box, tuple]]:
    box = getattr(box, "_box", box)  # an absolutely positioned box sits in a placeholder
    yield box, parents
    for child in getattr(box, "children", ()):
        yield from _descendants(child, (*parents, box))


def _find(page_box: boxes.Box, css_class: str) -> boxes.Box | None:
    for box, _ in _descendants(page_box):
        element = getattr(box, "element", None)
        classes = (element.get("class") or "").split() if element is not None else []
        if css_class in classes and isinstance(box, boxes.BlockLevelBox | boxes.FlexBox):
            return box
    return None


def check_blurb_fits(document: Document, project: Project, blurb: Path) -> None:
    """Raise when the blurb runs past its area on the back (naming its first line that
    does not fit)."""
    page = document.pages[0]._page_box
    area = _find(page, "blurb")
    if area is None:
        raise AssertionError("the cover template has no .blurb")
    bottom = area.content_box_y() + area.height
    for box, parents in _descendants(area):
        if not isinstance(box, boxes.LineBox):
            continue
        over = box.position_y + box.height - bottom
        if over > 0.5:
            block = next(
                (
                    p
                    for p in reversed(parents)
                    if getattr(p, "element", None) is not None and p.element.get("data-line")
                ),
                None,
            )
            line = int(block.element.get("data-line")) if block is not None else None
            height = area.height / PX_PER_MM
            raise WorkbookError(
                f"the back-cover text does not fit: it runs {_overflow(area, bottom):.0f} mm "
                f"past its {height:.0f} mm on the back (cover.blurb)",
                path=blurb,
                line=line,
                hint="shorten the blurb; the back also holds the publisher and the barcode",
            )


def _overflow(area: boxes.Box, bottom: float) -> float:
    lowest = max(
        (b.position_y + b.height for b, _ in _descendants(area) if isinstance(b, boxes.LineBox)),
        default=bottom,
    )
    return (lowest - bottom) / PX_PER_MM


def check_spine_fits(document: Document, project: Project, spine: SpineText | None) -> None:
    """Raise when the spine's title and publisher do not fit along the spine."""
    if spine is None:
        return
    area = _find(document.pages[0]._page_box, "spine-text")
    if area is None:
        raise AssertionError("the cover template has no .spine-text")
    used = sum(child.margin_width() for child in area.children)
    room = area.width
    if used + SPINE_GAP_MM * PX_PER_MM > room:
        raise WorkbookError(
            f"the spine's text does not fit: title and publisher at {spine.size:g} pt, with "
            f"{SPINE_GAP_MM:g} mm between them, need {used / PX_PER_MM + SPINE_GAP_MM:.0f} mm; "
            f"the spine has {room / PX_PER_MM:.0f} mm between its safe distances",
            path=project.config_path,
            line=config_line(project, "cover", "spine_title"),
            hint="give a shorter cover.spine_title",
        )


def make_cover(
    project: Project,
    manifest: Manifest,
    *,
    target: Path,
    press: Path,
    profile: OutputProfile,
    palette: Palette,
    resources: Resources,
    cache: Path,
    strict: bool = False,
    verify: bool = True,
    preflight_folder: Path | None = None,
) -> MadeCover:
    """Make and write the cover PDF *target* for the press PDF *press*.

    With *preflight_folder*, the report's thumbnail of the cover is drawn.
    """
    from workbook.html.images import Settings, prepare

    config = project.config
    inputs: CoverInputs = check_inputs(project, manifest)
    spine = spine_for(project, press_pages(press))
    lettering, warning = spine_text(project, spine)
    warnings = [warning] if warning else []
    geo = Geometry(config.format.trim, spine.width, config.format.bleed)
    prepared = {}
    if inputs.illustration is not None:
        settings = Settings("cmyk", config.images, profile)
        art = prepare(inputs.illustration, geo.front_art(), settings, cache / "images")
        prepared[f"illustration:{inputs.illustration.id}"] = art.path
    html = cover_html(project, inputs, geo, lettering, palette, resources, profile)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.with_suffix(".html").write_text(html, encoding="utf-8")

    def inspect(document: Document) -> None:
        check_blurb_fits(document, project, inputs.blurb.path)
        check_spine_fits(document, project, lettering)

    allowed = (project.root, resources.styles, resources.templates, profile.path.parent)
    if inputs.illustration is not None:
        allowed += (inputs.illustration.path.parent,)
    rendered = render_pdf(
        html,
        base=project.root,
        variant=COVER,
        allowed=allowed,
        source=project.config_path,
        prepared=prepared,
        inspect=inspect,
    )
    warnings += rendered.warnings
    if strict and warnings:
        raise WorkbookError(
            f"cover: warning in strict mode: {warnings[0]}",
            path=project.config_path,
            hint="fix the warning or build without --strict",
        )
    data = finish_cover(rendered.data, geo, project, profile)
    report = None
    if verify or preflight_folder is not None:
        report = _checked(data, target, project, press, preflight_folder)
        failed = [
            r for r in report.results if r.status == "fail" or (strict and r.status == "warn")
        ]
        if failed and verify:
            first = failed[0]
            raise WorkbookError(
                f"cover failed check '{first.name}': {first.measured}",
                path=project.config_path,
                hint=first.rule,
            )
    write_atomic(target, data)
    made = MadeCover(target, spine, warnings, report)
    made.front_image = write_front_image(target, geo)
    if report is not None:
        report.path = target
        report.facts.path = target
        if preflight_folder is not None:
            from workbook.preflight.pageimages import place_thumbnails

            report.thumbnails = place_thumbnails(
                preflight_folder, COVER.name, report.facts.page_digests
            )
    return made


def finish_cover(data: bytes, geo: Geometry, project: Project, profile: OutputProfile) -> bytes:
    """Boxes of the spread, black overprint, marks when asked for, PDF/X-4 identity."""
    with pikepdf.open(BytesIO(data)) as pdf:
        set_trim_and_bleed(pdf, (geo.width, geo.height), geo.bleed)
        overprint_black(pdf)
        if project.config.print.marks:
            add_crop_marks(pdf)
        finish_pdfx(pdf, profile)
        out = BytesIO()
        pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _checked(
    data: bytes, target: Path, project: Project, press: Path, thumbs: Path | None
) -> EditionReport:
    """The cover's preflight checks on bytes not yet written to their place."""
    from workbook.preflight.cover import check_cover_file
    from workbook.preflight.facts import cache_paths

    handle, temp = tempfile.mkstemp(suffix=".pdf", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        caches = cache_paths(target.parent, target.name)
        return check_cover_file(Path(temp), project, press, thumbs, caches, place=False)
    finally:
        Path(temp).unlink(missing_ok=True)


def write_front_image(cover: Path, geo: Geometry) -> Path | None:
    """The front cover alone as an sRGB JPEG (trimmed), for the e-version's cover picture.

    Drawn by pdftoppm from the written cover; None when pdftoppm fails (a
    by-product, not a file the print house needs).
    """
    scale = FRONT_IMAGE_DPI / 72
    target = cover.with_name(cover.stem + "-front.jpg")
    try:
        with pikepdf.open(cover) as pdf:
            page = pdf.pages[0]
            media = [float(v) for v in page.MediaBox]
            trim = [float(v) for v in page.obj.TrimBox]
        x = round((trim[0] - media[0] + geo.folds[1] * PT_PER_MM) * scale)
        y = round((media[3] - trim[3]) * scale)
        width = round(geo.trim[0] * PT_PER_MM * scale)
        height = round(geo.trim[1] * PT_PER_MM * scale)
        with tempfile.TemporaryDirectory() as folder:
            prefix = Path(folder) / "front"
            subprocess.run(
                ["pdftoppm", "-r", str(FRONT_IMAGE_DPI), "-jpeg", "-jpegopt", "quality=88",
                 "-x", str(x), "-y", str(y), "-W", str(width), "-H", str(height),
                 "-singlefile", str(cover), str(prefix)],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            os.replace(prefix.with_suffix(".jpg"), target)
    except (OSError, subprocess.SubprocessError, pikepdf.PdfError):
        return None
    return target
