"""Markdown block syntax ``![[...]]`` on a line of its own: illustrations and data.

``![[id]]`` places an illustration; ``![[kuvio:id]]``, ``![[taulukko:id]]``,
``![[kuvioluettelo]]`` and ``![[kuvioiden-taulukot]]`` place survey data
(:mod:`workbook.markup.datablocks`).

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

from workbook.config.publication import PageFormat
from workbook.intake.illustrations import Manifest, Placement, place, type_area
from workbook.intake.survey import NO_SURVEYS, Surveys
from workbook.markup import datablocks
from workbook.markup.datablocks import literal
from workbook.markup.typography import finnish_text

FIGURE_RE = re.compile(r"^!\[\[([^\]\s]+)\]\]\s*$")
PLACEHOLDER_SCHEME = "illustration:"


@dataclass(frozen=True)
class FigureUse:
    """One ``![[...]]`` block in a chapter, in order."""

    id: str
    first_block: bool  # nothing came before it in the chapter
    kind: str = "illustration"  # or kuvio, taulukko, kuvioluettelo, kuvioiden-taulukot


def figure_id(ident: str) -> str:
    """HTML id of an illustration's figure."""
    return f"kuva-{ident}"


class FigureProcessor(BlockProcessor):
    """Turns a paragraph that is only ``![[id]]`` into the illustration's markup."""

    def __init__(self, parser, context: BlockContext, uses: list[FigureUse]):
        super().__init__(parser)
        self.context = context
        self.uses = uses

    def test(self, parent: etree.Element, block: str) -> bool:
        return bool(FIGURE_RE.match(block.split("\n", 1)[0].strip()))

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        first, _, rest = block.partition("\n")
        if rest.strip():
            blocks.insert(0, rest)
        ident = FIGURE_RE.match(first.strip())[1]  # type: ignore[index]
        kind, _, data_id = ident.partition(":") if ":" in ident else ("illustration", "", ident)
        if ident in (datablocks.LIST, datablocks.APPENDIX):
            kind, data_id = ident, ""
        self.uses.append(FigureUse(data_id, first_block=len(parent) == 0, kind=kind))
        context = self.context
        surveys, numbers = context.surveys, context.numbers
        width = type_area(context.fmt)[0]
        if kind == "illustration" and data_id in context.manifest:
            build_figure(parent, context.manifest[data_id], context.fmt)
        elif kind == "kuvio" and data_id in surveys:
            datablocks.build_chart(parent, surveys[data_id], numbers, width)
        elif kind == "taulukko" and data_id in surveys:
            datablocks.build_table(parent, surveys[data_id], numbers)
        elif kind == datablocks.APPENDIX:
            for appendix_id in numbers.appendix:
                datablocks.build_table(parent, surveys[appendix_id], numbers)
        elif kind == datablocks.LIST:
            datablocks.build_list(parent, surveys, numbers)
        else:
            # The book model reports the unknown id or kind with its line.
            etree.SubElement(parent, "div", {"class": "missing"})


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
        attrs = {"class": classes + " decorative", "aria-hidden": "true"}
        if placement in (Placement.INLINE, Placement.HALF_PAGE):
            attrs["data-float"] = f"koriste-{item.id}"
        outer = etree.SubElement(parent, "div", attrs)
        picture_style = f"{style}; background-image: url({src})".lstrip("; ")
        etree.SubElement(outer, "div", {"class": "picture", "style": picture_style})
        return outer
    attrs = {"class": classes, "id": figure_id(item.id), "data-id": item.id}
    if placement in (Placement.INLINE, Placement.HALF_PAGE):
        attrs["data-float"] = figure_id(item.id)  # may move to fill a page (render.makeup)
    figure = etree.SubElement(parent, "figure", attrs)
    attrs = {"src": src, "alt": finnish_text(entry.alt)}
    if style:
        attrs["style"] = style
    etree.SubElement(figure, "img", attrs)
    if entry.caption or (item.credit and placement in (Placement.INLINE, Placement.HALF_PAGE)):
        caption = etree.SubElement(figure, "figcaption")
        caption.text = literal(entry.caption + (" " if entry.caption and item.credit else ""))
        if item.credit:
            credit = etree.SubElement(caption, "span", {"class": "credit"})
            credit.text = literal(item.credit)
    return figure


@dataclass(frozen=True)
class BlockContext:
    """What ``![[...]]`` blocks can refer to."""

    manifest: Manifest
    fmt: PageFormat
    surveys: Surveys = NO_SURVEYS
    numbers: datablocks.Numbering = datablocks.NO_NUMBERS


def register(md: markdown.Markdown, context: BlockContext, uses: list[FigureUse]) -> None:
    """Add the ``![[...]]`` block syntax to *md* (before paragraphs)."""
    processor = FigureProcessor(md.parser, context, uses)
    md.parser.blockprocessors.register(processor, "figure", 95)
