"""The registry of PDF editions: each edition is data, not code paths.

Like WeasyPrint's own PDF variant registry: a name maps to frozen settings that
the HTML, PDF and check stages read. Adding an edition means adding an entry.
The press PDF and the e-version are built by default; the A4 workshop handouts
(``handout``, ``handout-notes``) when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from workbook.config.palette import ColourSpace

if TYPE_CHECKING:
    from workbook.config.publication import PageFormat


@dataclass(frozen=True)
class Variant:
    """Settings of one edition of the book."""

    name: str
    description: str
    stylesheets: tuple[str, ...]  # relative to the styles folder, in cascade order
    colour_space: ColourSpace
    bleed: bool  # page = trim + bleed, with TrimBox and BleedBox
    pad_to_binding: bool  # add blank pages up to the binding's page multiple
    keep_links: bool  # link annotations (useless and unwanted on paper)
    pdf_variant: str | None  # WeasyPrint's pdf_variant
    isbn_kind: Literal["print", "pdf"]
    tagged: bool  # PDF/UA: structure tree, artifacts, link descriptions
    kind: Literal["book", "handout"] = "book"  # the whole book, or its exercises alone
    default: bool = True  # built by a plain ``invoke build``
    # A page of its own instead of the book's: trim ("A4") and margins in mm
    # (top, bottom, inner, outer); no bleed.
    page: tuple[str, tuple[float, float, float, float]] | None = None
    facilitator_notes: bool = True  # print the exercises' notes for facilitators
    template: str = "book.html.j2"

    def page_format(self, book: PageFormat) -> PageFormat:
        """The edition's page: its own when it has one, else the *book*'s."""
        if self.page is None:
            return book
        # Imported here: pydantic is slow to import, and ``invoke build`` with
        # nothing to do reads the registry without it.
        from workbook.config.publication import Margins, PageFormat

        trim, (top, bottom, inner, outer) = self.page
        margins = Margins(top=top, bottom=bottom, inner=inner, outer=outer)
        return PageFormat(trim=trim, bleed=0.0, margins=margins)

    def filename(self, slug: str) -> str:
        """Output file name, e.g. ``asiakaspalvelu-press.pdf``."""
        return f"{slug}-{self.name}.pdf"


PRESS = Variant(
    name="press",
    description="print-ready PDF/X-4 for the print house: trim + bleed, CMYK only",
    stylesheets=("book.css", "press.css"),
    colour_space="cmyk",
    bleed=True,
    pad_to_binding=True,
    keep_links=False,
    # PDF/X-4: CMYK output intent from the configured ICC profile (colour.py);
    # images are converted to that CMYK by imaging.py before rendering.
    pdf_variant="pdf/x-4",
    isbn_kind="print",
    tagged=False,
)

SCREEN = Variant(
    name="screen",
    description="accessible e-version: PDF/UA-1, tagged, bookmarks, clickable contents",
    stylesheets=("book.css", "screen.css"),
    colour_space="srgb",
    bleed=False,
    pad_to_binding=False,
    keep_links=True,
    pdf_variant="pdf/ua-1",
    isbn_kind="pdf",
    tagged=True,
)

# Workshop handouts: the exercises alone on A4, for a facilitator to print out
# (on paper: boxes and lines as in the press edition, in the sRGB palette).
HANDOUT = Variant(
    name="handout",
    description="the exercises alone on A4 for a workshop, without the facilitator notes",
    stylesheets=("book.css", "press.css", "handout.css"),
    colour_space="srgb",
    bleed=False,
    pad_to_binding=False,
    keep_links=False,
    pdf_variant=None,
    isbn_kind="pdf",
    tagged=False,
    kind="handout",
    default=False,
    page=("A4", (18.0, 20.0, 20.0, 20.0)),
    facilitator_notes=False,
    template="handout.html.j2",
)
HANDOUT_NOTES = replace(
    HANDOUT,
    name="handout-notes",
    description="the exercises alone on A4 for a workshop, with the facilitator notes",
    facilitator_notes=True,
)

VARIANTS: MappingProxyType[str, Variant] = MappingProxyType(
    {v.name: v for v in (PRESS, SCREEN, HANDOUT, HANDOUT_NOTES)}
)
DEFAULT_EDITIONS: tuple[str, ...] = tuple(v.name for v in VARIANTS.values() if v.default)
"""What ``invoke build`` builds when no edition is named: the press and e-version."""
HANDOUTS: tuple[str, ...] = tuple(v.name for v in VARIANTS.values() if v.kind == "handout")
"""What ``invoke build --handout`` adds."""
