"""Finish WeasyPrint's PDF with pikepdf: the edition's steps, in order.

Each PDF variant has a module of its own, as in WeasyPrint's ``pdf/``:
:mod:`workbook.finish.press` (boxes, padding, PDF/X-4),
:mod:`workbook.finish.overprint` (black overprints on press),
:mod:`workbook.finish.marks` (crop marks in a slug, when asked for),
:mod:`workbook.finish.tagged` (PDF/UA-1 structure) and
:mod:`workbook.finish.forms` (the e-version's form fields: well-formed radio
groups, accessible names and Form elements in the reading order). The result is
saved with a content-derived document ID, so the same input gives the same bytes.
"""

from __future__ import annotations

from io import BytesIO

import pikepdf

from workbook.config.editions import Variant
from workbook.finish.content import Texts
from workbook.finish.forms import finish_forms
from workbook.finish.language import mark_languages
from workbook.finish.links import flatten_links
from workbook.finish.marks import add_crop_marks
from workbook.finish.overprint import overprint_black
from workbook.finish.press import finish_pdfx, pad_pages, remove_links, set_boxes
from workbook.finish.tagged import (
    Splits,
    artifact_orphan_content,
    build_id_tree,
    describe_links,
    merge_page_continuations,
    prune_empty_groups,
    tag_figures,
    tag_footnotes,
)
from workbook.finish.words import compound_words, join_broken_words, mark_note_calls
from workbook.html.colour import OutputProfile
from workbook.model import Book


def finish(
    data: bytes,
    *,
    variant: Variant,
    book: Book,
    splits: Splits | None = None,
    profile: OutputProfile | None = None,
) -> bytes:
    """Apply the edition's post-processing to WeasyPrint's output.

    *splits* (from :func:`workbook.render.pdf.page_break_splits`) tells which elements
    each page break cut, so their structure elements can be joined again.
    *profile* names the PDF/X output condition.
    """
    fmt = book.project.config.format
    with pikepdf.open(BytesIO(data)) as pdf:
        if variant.bleed:
            set_boxes(pdf, fmt)
        if not variant.keep_links:
            remove_links(pdf)
        if variant.pad_to_binding:
            pad_pages(pdf, fmt.multiple)
        if variant.colour_space == "cmyk":
            overprint_black(pdf)
        if variant.bleed and book.project.config.print.marks:
            add_crop_marks(pdf)
        if variant.pdf_variant and variant.pdf_variant.startswith("pdf/x"):
            finish_pdfx(pdf, profile)
        if variant.tagged:
            tag_footnotes(pdf)
            tag_figures(pdf)
            finish_forms(pdf, book.fields)
            prune_empty_groups(pdf)
            merge_page_continuations(pdf, splits or {})
            texts = Texts(pdf)  # each page's text read once, for the next steps
            links = flatten_links(pdf, texts)
            mark_languages(pdf, texts, book.foreign)
            mark_note_calls(pdf, texts)
            join_broken_words(pdf, texts, compound_words(c.text for c in book.chapters))
            # After merging and flattening: repeated table headers and leaders too.
            artifact_orphan_content(pdf, layout=links.leaders)
            describe_links(pdf, book)
            build_id_tree(pdf)
        out = BytesIO()
        # Fresh object streams: as small as WeasyPrint's, and pypdf reads them far
        # faster than WeasyPrint's single large one (the checks read every file back).
        pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
