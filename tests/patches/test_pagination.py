"""The WeasyPrint 70 fixes: a footnote carried to the next page is laid out once, and
pages that print other pages' numbers are remade only when they must be."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint import layout as wp_layout
from weasyprint.css import targets as wp_targets
from weasyprint.layout import page as wp_page

from conftest import FIXTURES
from workbook.patches import pagination as weasyfix

# Page 1 refers forward to the last page and its footnote does not fit, so it
# is carried to page 2; pages 2-3 have no references and stay up to date when
# WeasyPrint lays the document out again; page 4 refers forward again.
CASE = (FIXTURES / "html" / "footnote-carried-past-up-to-date-page.html").read_text()


def footnotes_per_page() -> list[int]:
    data = HTML(string=CASE).write_pdf()
    return [page.extract_text().count("ALAVIITE") for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def stock_loop():
    """WeasyPrint's own page loop for the duration of a test."""
    patched = wp_layout.make_all_pages
    wp_layout.make_all_pages = wp_page.make_all_pages
    yield
    wp_layout.make_all_pages = patched


def test_stock_weasyprint_repeats_the_footnote(stock_loop):
    """The bug the fix is for: the footnote comes back on page 4 and adds a page."""
    assert footnotes_per_page() == [0, 1, 0, 1, 0, 0]


def test_fixed_loop_lays_the_footnote_out_once():
    weasyfix.apply()
    assert wp_layout.make_all_pages is weasyfix.make_all_pages
    assert footnotes_per_page() == [0, 1, 0, 0, 0]


# A contents page and a page 2 that print the pages of later headings
# (``target-counter(attr(href url), page)`` and ``attr(href)``), and a last page
# that prints the page of an earlier one.
CONTENTS = (FIXTURES / "html" / "contents-and-references-forward-and-back.html").read_text()


def pages_made(html: str) -> tuple[list[str], int]:
    """The text of each page of *html* (spaces normalised), and how many page layouts
    WeasyPrint made."""
    made = 0
    stock_remake = wp_page.remake_page

    def counting(*args, **kwargs):
        nonlocal made
        made += 1
        return stock_remake(*args, **kwargs)

    wp_page.remake_page = counting
    try:
        data = HTML(string=html).write_pdf()
    finally:
        wp_page.remake_page = stock_remake
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages], made


@pytest.fixture
def stock_targets(stock_loop):
    """WeasyPrint's own page loop and target bookkeeping for the duration of a test."""
    collector = wp_targets.TargetCollector
    names = ("lookup_target", "collect_missing_counters", "cache_target_page_counters")
    patched = [getattr(collector, name) for name in names]
    for name in names:
        setattr(collector, name, getattr(weasyfix, f"_stock_{name}"))
    yield
    for name, method in zip(names, patched, strict=True):
        setattr(collector, name, method)


def assert_numbers_printed(pages: list[str]) -> None:
    assert "Ensimmäinen luku 2 Toinen luku 3 Kolmas luku 4" in pages[0]
    assert "Kolmas luku alkaa sivulta s. 4." in pages[1]
    assert "Ensimmäinen luku alkoi sivulta s. 2." in pages[3]


def test_stock_weasyprint_remakes_every_referring_page_twice(stock_targets):
    """The waste the fixes are for: 4 pages, then pages 1, 2 and 4 twice more."""
    pages, made = pages_made(CONTENTS)
    assert_numbers_printed(pages)
    assert made == 4 + 3 + 3


def test_fixed_bookkeeping_remakes_only_pages_printing_later_pages_once():
    """Pages 1 and 2 are remade once, when the later pages are known; page 4 is
    laid out with its number the first time."""
    weasyfix.apply()
    assert wp_targets.TargetCollector.lookup_target is weasyfix._lookup_target
    pages, made = pages_made(CONTENTS)
    assert_numbers_printed(pages)
    assert made == 4 + 2
