"""The cover spread's geometry, its inputs (checked before rendering) and its HTML.

The spread is one page: back | spine | front, each cover panel the book's
trim, the spine as wide as :mod:`.spine` computes, with the book's bleed all
round. Lengths are mm from the trim's top-left corner (the page area), so
anything reaching into the bleed has a negative or an over-long coordinate.

- front: title, subtitle and authors on the upper part, the commissioned
  illustration (``cover.illustration``) below them to the bleed;
- back: the blurb (Markdown, ``cover.blurb``), the publisher, and the print
  ISBN's EAN-13 on a white box;
- spine: title and publisher reading top to bottom, centred across the
  spine, or no text on a spine narrower than ``cover.spine_text_min``.

Text keeps ``cover.safe_distance`` from the trim and the folds, spine text
``cover.spine_margin`` from each fold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import markdown
from markupsafe import Markup

from workbook.config.editions import Variant
from workbook.config.files import read_bytes
from workbook.config.palette import Palette
from workbook.config.publication import Project, toml_key_line
from workbook.cover.barcode import Barcode, ean13
from workbook.cover.spine import Spine
from workbook.errors import WorkbookError
from workbook.intake.illustrations import Box, Illustration, Manifest, Placed, required_ppi
from workbook.markup.typography import finnish_text

if TYPE_CHECKING:
    from workbook.html.book import Resources
    from workbook.html.colour import OutputProfile

PT_PER_MM = 72 / 25.4
FRONT_TITLE_SHARE = 0.24  # of the trim height, above the illustration
TITLE_GAP = 9.0  # mm between the title block and the illustration
BACK_SIDE = 20.0  # mm: the blurb's column from the trim and from the fold
BACK_TOP = 24.0  # mm: the blurb's first line from the top trim
BLURB_GAP = 12.0  # mm: between the blurb and the barcode
SPINE_MAX_PT = 10.0  # spine type size at most
SPINE_MIN_PT = 6.0  # spine type smaller than this does not read
SPINE_LINE = 1.25  # glyph extent of the spine's type (ascent + descent), em

COVER = Variant(
    name="cover",
    description="the cover spread (back | spine | front) for the print house, PDF/X-4",
    stylesheets=("cover.css",),
    colour_space="cmyk",
    bleed=True,
    pad_to_binding=False,
    keep_links=False,
    pdf_variant="pdf/x-4",
    isbn_kind="print",
    tagged=False,
    default=False,
    template="cover.html.j2",
)
"""The cover as an output: not a book edition (it is not in the editions registry)."""


@dataclass(frozen=True)
class Geometry:
    """Where the panels and folds are, mm."""

    trim: tuple[float, float]  # one cover panel: the book's trim
    spine: float
    bleed: float

    @property
    def width(self) -> float:
        """The spread's trim width: back + spine + front."""
        return 2 * self.trim[0] + self.spine

    @property
    def height(self) -> float:
        """The spread's trim height."""
        return self.trim[1]

    @property
    def folds(self) -> tuple[float, float]:
        """The x of the back's fold and of the front's fold (equal without a spine)."""
        return self.trim[0], self.trim[0] + self.spine

    def front_art(self) -> Placed:
        """The front illustration's box: below the title, to the bleed at foot and edge."""
        width = self.trim[0] + self.bleed
        height = self.trim[1] * (1 - FRONT_TITLE_SHARE) + self.bleed
        return Placed(width, height, Box(width, height, "cover"))


@dataclass(frozen=True)
class Blurb:
    """The back-cover text: HTML blocks, each with its line in the Markdown file."""

    path: Path
    html: str


@dataclass(frozen=True)
class CoverInputs:
    """Everything the cover is made of except the page count, checked."""

    blurb: Blurb
    barcode: Barcode
    illustration: Illustration | None


def config_line(project: Project, *key: str) -> int | None:
    """The line of the config key *key* (e.g. ``"cover", "blurb"``) in publication.toml."""
    return toml_key_line(project.config_path.read_text(encoding="utf-8"), list(key))


def read_blurb(project: Project) -> Blurb:
    """The blurb's Markdown as HTML blocks (``data-line`` = the block's first line)."""
    path = project.blurb_path
    assert path is not None
    try:  # a regular file inside the publication's folders (workbook.config.files)
        text = read_bytes(path, what="the back-cover text", roots=project.allowed).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        raise WorkbookError(
            f"the back-cover text '{project.config.cover.blurb}' (cover.blurb) cannot be read",
            path=project.config_path,
            line=config_line(project, "cover", "blurb"),
            hint="write the blurb as Markdown (UTF-8) next to publication.toml, "
            "or name the file in cover.blurb",
        ) from None
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            blocks.append((number + 1, []))
        elif not blocks:
            blocks.append((number, [line]))
        else:
            if not blocks[-1][1]:
                blocks[-1] = (number, [])
            blocks[-1][1].append(line)
    parts = []
    for line, lines in blocks:
        if not lines:
            continue
        body = markdown.markdown(finnish_text("\n".join(lines)), extensions=["sane_lists"])
        parts.append(f'<div class="blurb-block" data-line="{line}">{body}</div>')
    if not parts:
        raise WorkbookError(
            "the back-cover text is empty",
            path=path,
            hint="write a few paragraphs that tell a reader what the book gives them",
        )
    return Blurb(path, "\n".join(parts))


def cover_illustration(project: Project, manifest: Manifest) -> Illustration | None:
    """The front's illustration, checked to exist and to be large enough for its box."""
    cover = project.config.cover
    assert cover is not None
    ident = cover.illustration
    if not ident:
        return None
    line = config_line(project, "cover", "illustration")
    if ident not in manifest:
        known = ", ".join(sorted(manifest.items)) or "none: set images.manifest"
        raise WorkbookError(
            f"cover illustration '{ident}' (cover.illustration) is not in the illustration "
            "manifest",
            path=project.config_path,
            line=line,
            hint=f"use an id of the manifest ({known}), or leave the front to type alone "
            'with illustration = ""',
        )
    item = manifest[ident]
    need = required_ppi(item, project)
    if need is not None and item.pixels is not None:
        fmt = project.config.format
        placed = Geometry(fmt.trim, 0.0, fmt.bleed).front_art()
        ppi = placed.ppi(item.pixels)
        if ppi + 0.05 < need:
            want = placed.pixels_for(need)
            raise WorkbookError(
                f"cover illustration '{ident}' ({item.path.name}, {item.pixels[0]} x "
                f"{item.pixels[1]} px) is {ppi:.0f} ppi on the front ({placed.width:.0f} x "
                f"{placed.height:.0f} mm with bleed); print needs {need} ppi: {want[0]} x "
                f"{want[1]} px (cover.illustration)",
                path=project.config_path,
                line=line,
                hint="ask the illustrator for a larger file, or choose another illustration",
            )
    return item


def check_inputs(project: Project, manifest: Manifest) -> CoverInputs:
    """Read and check what the cover is made of, before anything is rendered."""
    config = project.config
    cover = config.cover
    assert cover is not None
    from workbook.cover.spine import spine_for

    spine_for(project, 2)  # a perfect-bound book needs its paper's caliper
    try:
        barcode = ean13(config.isbn.print, cover.barcode_scale)
    except ValueError as exc:
        raise WorkbookError(
            f"the barcode's ISBN (isbn.print): {exc}",
            path=project.config_path,
            line=config_line(project, "isbn", "print"),
            hint="copy the ISBN from the national ISBN agency's allocation",
        ) from None
    return CoverInputs(read_blurb(project), barcode, cover_illustration(project, manifest))


@dataclass(frozen=True)
class SpineText:
    """The spine's lettering, when the spine is wide enough for it."""

    title: str
    publisher: str
    size: float  # pt


def spine_text(project: Project, spine: Spine) -> tuple[SpineText | None, str | None]:
    """The spine's lettering, or None and the warning why it is left out.

    A spine below ``cover.spine_text_min`` carries no text (a warning). A
    wider spine whose text would be smaller than 6 pt between its margins is
    an error: either the minimum or the paper is wrong.
    """
    cover = project.config.cover
    assert cover is not None
    if spine.width <= 0:
        return None, None  # saddle stitch: a fold, no spine
    if spine.width < cover.spine_text_min:
        return None, (
            f"spine {spine.width:.2f} mm is narrower than cover.spine_text_min "
            f"{cover.spine_text_min:g} mm: no text on the spine"
        )
    room = spine.width - 2 * cover.spine_margin
    size = min(SPINE_MAX_PT, room / SPINE_LINE * PT_PER_MM)
    if size < SPINE_MIN_PT:
        need = SPINE_MIN_PT / PT_PER_MM * SPINE_LINE + 2 * cover.spine_margin
        raise WorkbookError(
            f"spine {spine.width:.2f} mm is too narrow for its text: {SPINE_MIN_PT:g} pt type "
            f"needs {need:.1f} mm with cover.spine_margin {cover.spine_margin:g} mm",
            path=project.config_path,
            line=config_line(project, "cover", "spine_text_min"),
            hint=f"set cover.spine_text_min above {spine.width:.1f} mm to leave the spine "
            "without text, or choose a thicker paper (print.caliper)",
        )
    pub = project.config.publication
    title = cover.spine_title or pub.title
    return SpineText(title, pub.publisher, math.floor(size * 4) / 4), None


def geometry_css(geo: Geometry, project: Project, spine: SpineText | None) -> str:
    """The absolute positions of the cover's parts, from the config and the spine."""
    cover = project.config.cover
    assert cover is not None
    tw, th = geo.trim
    b = geo.bleed
    back_fold, front_fold = geo.folds
    safe = cover.safe_distance
    side = max(BACK_SIDE, safe)
    art = geo.front_art()
    title_top = th * FRONT_TITLE_SHARE
    rules = [
        f"@page {{ size: {geo.width:.3f}mm {th:g}mm; bleed: {b:g}mm; margin: 0; }}",
        f".ground {{ left: {-b:g}mm; top: {-b:g}mm; width: {geo.width + 2 * b:.3f}mm;"
        f" height: {th + 2 * b:g}mm; }}",
        f".back {{ left: 0; top: 0; width: {tw:g}mm; height: {th:g}mm; }}",
        f".blurb {{ left: {side:g}mm; top: {BACK_TOP:g}mm; width: {tw - 2 * side:g}mm; }}",
        f".imprint {{ left: {side:g}mm; bottom: {side:g}mm; width: {tw / 2 - side:g}mm; }}",
        f".barcode {{ right: {side:g}mm; bottom: {side:g}mm; }}",
        f".front {{ left: {front_fold:.3f}mm; top: 0; width: {tw:g}mm; height: {th:g}mm; }}",
        # the title block stands on the illustration, TITLE_GAP above it
        f".front-title {{ left: {safe + 9:g}mm; bottom: {th - title_top + TITLE_GAP:g}mm;"
        f" width: {tw - 2 * safe - 18:g}mm; max-height: {title_top - safe - TITLE_GAP:g}mm; }}",
        f".front-art {{ left: 0; top: {title_top:g}mm; width: {art.width:g}mm;"
        f" height: {art.height:g}mm; }}",
    ]
    if spine is not None:
        length = th - 2 * (safe + 8)
        room = geo.spine
        # A box as long as the spine and as wide as it is thick, turned a quarter
        # clockwise about its top-left corner: the text reads top to bottom.
        rules.append(
            f".spine-text {{ left: {back_fold + room:.3f}mm; top: {safe + 8:g}mm;"
            f" width: {length:g}mm; height: {room:.3f}mm; font-size: {spine.size:g}pt; }}"
        )
    return "\n".join(rules) + "\n"


def blurb_height(geo: Geometry, barcode: Barcode, project: Project) -> float:
    """How tall the blurb may be: from its top to above the barcode, mm."""
    cover = project.config.cover
    assert cover is not None
    side = max(BACK_SIDE, cover.safe_distance)
    return geo.trim[1] - side - barcode.height - BLURB_GAP - BACK_TOP


def cover_html(
    project: Project,
    inputs: CoverInputs,
    geo: Geometry,
    spine: SpineText | None,
    palette: Palette,
    resources: Resources,
    profile: OutputProfile,
) -> str:
    """The cover's HTML document (the illustration as ``illustration:<id>``)."""
    from jinja2 import TemplateError

    from workbook.html.book import colour_profile_css, environment

    config = project.config
    item = inputs.illustration
    inline = (
        colour_profile_css(profile)
        + palette.css("cmyk")
        + geometry_css(geo, project, spine)
        + f".blurb {{ height: {blurb_height(geo, inputs.barcode, project):.2f}mm; }}\n"
    )
    try:
        template = environment(resources).get_template(COVER.template)
        return template.render(
            pub=config.publication,
            stylesheets=[(resources.styles / name).as_uri() for name in COVER.stylesheets],
            inline_css=Markup(inline),
            blurb=Markup(inputs.blurb.html),
            barcode=Markup(inputs.barcode.svg()),
            spine=spine,
            art=item,
            art_alt=item.entry.alt if item is not None else "",
        )
    except TemplateError as exc:
        raise WorkbookError(
            f"template error: {exc.message}",
            path=resources.templates / COVER.template,
            line=getattr(exc, "lineno", None),
            hint="check the names used in the template against workbook.cover.layout",
        ) from None


def cover_alt(project: Project, illustration_alt: str = "") -> str:
    """Alt text of the front cover as an image (the e-version's cover picture)."""
    pub = project.config.publication
    title = pub.title + (f" – {pub.subtitle}" if pub.subtitle else "")
    text = f"Kansi: {title}. {', '.join(pub.authors)}."
    if illustration_alt:
        text += f" Kansikuvassa: {illustration_alt}"
    return text
