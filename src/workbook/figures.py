"""Markdown syntax for illustrations: ``![[id]]`` on a line of its own.

The block becomes a ``<figure>`` (image with alt text, caption and credit) or,
for a decorative image, a ``<div>`` whose picture is a CSS background, which
WeasyPrint marks as an artifact in the tagged PDF. The image source is a
URL ``illustration:<id>`` that the render's URL fetcher answers with the
edition's own prepared file (CMYK for press, sRGB for screen).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.blockprocessors import BlockProcessor

from .config import PageFormat
from .illustrations import Manifest, Placement, place
from .typography import finnish_text

FIGURE_RE = re.compile(r"^!\[\[([^\]\s]+)\]\]\s*$")
PLACEHOLDER_SCHEME = "illustration:"


@dataclass(frozen=True)
class FigureUse:
    """One ``![[id]]`` in a chapter, in order."""

    id: str
    first_block: bool  # nothing came before it in the chapter


def figure_id(ident: str) -> str:
    """HTML id of an illustration's figure."""
    return f"kuva-{ident}"


class FigureProcessor(BlockProcessor):
    """Turns a paragraph that is only ``![[id]]`` into the illustration's markup."""

    def __init__(self, parser, manifest: Manifest, fmt: PageFormat, uses: list[FigureUse]):
        super().__init__(parser)
        self.manifest = manifest
        self.fmt = fmt
        self.uses = uses

    def test(self, parent: etree.Element, block: str) -> bool:
        return bool(FIGURE_RE.match(block.split("\n", 1)[0].strip()))

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        first, _, rest = block.partition("\n")
        if rest.strip():
            blocks.insert(0, rest)
        ident = FIGURE_RE.match(first.strip())[1]  # type: ignore[index]
        self.uses.append(FigureUse(ident, first_block=len(parent) == 0))
        if ident not in self.manifest:
            etree.SubElement(parent, "div", {"class": "illustration missing"})
            return  # the book model reports the unknown id with its line
        build_figure(parent, self.manifest[ident], self.fmt)


def build_figure(parent: etree.Element, item, fmt: PageFormat) -> etree.Element:
    """Append the HTML of illustration *item* to *parent*."""
    entry = item.entry
    placement = entry.placement
    classes = f"illustration placement-{placement.value}"
    style = ""
    if placement in (Placement.INLINE, Placement.HALF_PAGE):
        placed = place(item, fmt, 0.0)
        style = f"width: {placed.width:g}mm; height: {placed.height:g}mm"
    src = PLACEHOLDER_SCHEME + item.id
    if entry.decorative:
        # A background image: WeasyPrint marks it as an artifact, as a decoration should be.
        outer = etree.SubElement(
            parent, "div", {"class": classes + " decorative", "aria-hidden": "true"}
        )
        picture_style = f"{style}; background-image: url({src})".lstrip("; ")
        etree.SubElement(outer, "div", {"class": "picture", "style": picture_style})
        return outer
    figure = etree.SubElement(
        parent, "figure", {"class": classes, "id": figure_id(item.id), "data-id": item.id}
    )
    attrs = {"src": src, "alt": finnish_text(entry.alt)}
    if style:
        attrs["style"] = style
    etree.SubElement(figure, "img", attrs)
    if entry.caption or (item.credit and placement in (Placement.INLINE, Placement.HALF_PAGE)):
        caption = etree.SubElement(figure, "figcaption")
        caption.text = entry.caption + (" " if entry.caption and item.credit else "")
        if item.credit:
            credit = etree.SubElement(caption, "span", {"class": "credit"})
            credit.text = item.credit
    return figure


def register(md: markdown.Markdown, manifest: Manifest, fmt: PageFormat, uses: list[FigureUse]):
    """Add the ``![[id]]`` block syntax to *md* (before paragraphs)."""
    processor = FigureProcessor(md.parser, manifest, fmt, uses)
    md.parser.blockprocessors.register(processor, "figure", 95)
