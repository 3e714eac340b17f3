"""Finish WeasyPrint's PDF with pikepdf: the edition's steps, in order.

Each PDF variant has a module of its own, as in WeasyPrint's ``pdf/``:
:mod:`workbook.finish.press` (boxes, padding, PDF/X-4),
:mod:`workbook.finish.overprint` (black overprints on press),
:mod:`workbook.finish.marks` (crop marks in a slug, when asked for),
:mod:`workbook.finish.tagged` (PDF/UA-1 structure) and
:mod:`workbook.finish.forms` (the e-version's form fields: well-formed radio
groups, accessible names and Form elements in the reading order). The result is
saved with a content-derived document ID, so the same input gives the same bytes.

The steps come in two kinds: those that change each page and its own structure
(:func:`finish_pages`), which a chapter rendered alone takes by itself
(:func:`finish_part`), and those that read the whole edition
(:func:`finish_document`), taken again after finished pages are spliced into
the last finished edition (:mod:`workbook.render.splice`).
"""

from __future__ import annotations

from collections.abc import Sequence
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
    identified,
    merge_page_continuations,
    number_footnotes,
    prune_empty_groups,
    tag_figures,
    tag_footnotes,
)
from workbook.finish.words import compound_words, join_broken_words, mark_note_calls
from workbook.html.colour import OutputProfile
from workbook.markup.chapter import Foreign
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
    with pikepdf.open(BytesIO(data)) as pdf:
        finish_pages(pdf, variant=variant, book=book, splits=splits, foreign=None)
        finish_document(pdf, variant=variant, book=book, profile=profile)
        return save(pdf)


def finish_part(
    data: bytes,
    *,
    variant: Variant,
    book: Book,
    splits: Splits | None = None,
    chapters: Sequence[str] = (),
) -> bytes:
    """The steps of :func:`finish` that concern a part's own pages (the *chapters*
    with these ids, or the front matter, rendered alone, to be spliced into the
    finished edition): no padding, and none of :func:`finish_document`'s."""
    foreign = [words for c in book.chapters if c.id in chapters for words in c.foreign]
    with pikepdf.open(BytesIO(data)) as pdf:
        finish_pages(pdf, variant=variant, book=book, splits=splits, foreign=foreign)
        return save(pdf)


def finish_spliced(
    pdf: pikepdf.Pdf, *, variant: Variant, book: Book, profile: OutputProfile | None = None
) -> bytes:
    """The bytes of an edition whose pages were finished (the last build's, and
    parts' from :func:`finish_part`), once :func:`finish_document` has read it whole."""
    finish_document(pdf, variant=variant, book=book, profile=profile)
    return save(pdf)


def finish_pages(
    pdf: pikepdf.Pdf,
    *,
    variant: Variant,
    book: Book,
    splits: Splits | None,
    foreign: Sequence[Foreign] | None,
) -> None:
    """The steps that change each page and its own structure. *foreign*: the runs
    in another language on these pages (None: a whole edition, the book's runs,
    and blank pages added up to the binding's multiple)."""
    fmt = book.project.config.format
    if variant.bleed:
        set_boxes(pdf, fmt)
    if not variant.keep_links:
        remove_links(pdf)
    if variant.pad_to_binding and foreign is None:
        pad_pages(pdf, fmt.multiple)
    if variant.colour_space == "cmyk":
        overprint_black(pdf)
    if variant.bleed and book.project.config.print.marks:
        add_crop_marks(pdf)
    if variant.tagged:
        tag_footnotes(pdf)
        tag_figures(pdf)
        finish_forms(pdf, book.fields)
        prune_empty_groups(pdf)
        merge_page_continuations(pdf, splits or {})
        texts = Texts(pdf)  # each page's text read once, for the next steps
        links = flatten_links(pdf, texts)
        mark_languages(pdf, texts, book.foreign if foreign is None else foreign)
        mark_note_calls(pdf, texts)
        join_broken_words(pdf, texts, compound_words(c.text for c in book.chapters))
        # After merging and flattening: repeated table headers and leaders too.
        artifact_orphan_content(pdf, layout=links.leaders)


def finish_document(
    pdf: pikepdf.Pdf, *, variant: Variant, book: Book, profile: OutputProfile | None
) -> None:
    """The steps that read the whole edition, after :func:`finish_pages` (or after
    finished pages were spliced in): the PDF/X ids and output condition, the
    footnotes' numbers, the links' spoken pages and the IDTree."""
    if variant.pdf_variant and variant.pdf_variant.startswith("pdf/x"):
        finish_pdfx(pdf, profile)
    if variant.tagged:
        elements = identified(pdf)  # one walk of the tree for both
        number_footnotes(elements)
        describe_links(pdf, book)
        build_id_tree(pdf, elements)


def save(pdf: pikepdf.Pdf) -> bytes:
    """The finished PDF's bytes: the same input gives the same bytes."""
    out = BytesIO()
    # Fresh object streams: as small as WeasyPrint's, and pypdf reads them far
    # faster than WeasyPrint's single large one (the checks read every file back).
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
