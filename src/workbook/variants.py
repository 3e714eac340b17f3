"""The registry of PDF editions: each edition is data, not code paths.

Like WeasyPrint's own PDF variant registry: a name maps to frozen settings that
the HTML, PDF and check stages read. Adding an edition means adding an entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from .palette import ColourSpace


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

VARIANTS: MappingProxyType[str, Variant] = MappingProxyType({v.name: v for v in (PRESS, SCREEN)})
