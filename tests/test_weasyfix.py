"""The WeasyPrint 70 fixes: a footnote carried to the next page is laid out once, and
pages that print later pages' numbers are remade once, not twice."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint import layout as wp_layout
from weasyprint.css import targets as wp_targets
from weasyprint.layout import page as wp_page

from conftest import FIXTURES
from workbook import weasyfix

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
    weasyfix.install()
    assert wp_layout.make_all_pages is weasyfix.make_all_pages
    assert footnotes_per_page() == [0, 1, 0, 0, 0]


# A contents page and a page 2 that print the pages of later headings
# (``target-counter(attr(href url), page)`` and ``attr(href)``).
CONTENTS = (FIXTURES / "html" / "contents-forward-page-numbers.html").read_text()


def pages_made(html: str) -> tuple[list[str], int]:
    """The text of each page of *html*, and how many page layouts WeasyPrint made."""
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
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages], made


@pytest.fixture
def stock_targets(stock_loop):
    """WeasyPrint's own page loop and target bookkeeping for the duration of a test."""
    collector = wp_targets.TargetCollector
    patched = collector.lookup_target, collector.collect_missing_counters
    collector.lookup_target = weasyfix._stock_lookup_target
    collector.collect_missing_counters = weasyfix._stock_collect_missing_counters
    yield
    collector.lookup_target, collector.collect_missing_counters = patched


def contents_numbers(pages: list[str]) -> list[str]:
    lines = [line for line in pages[0].splitlines() if "luku" in line]
    return [line.rsplit(" ", 1)[-1] for line in lines]


def test_stock_weasyprint_makes_referring_pages_three_times(stock_targets):
    """The waste the fix is for: 4 pages, then pages 1 and 2 twice more."""
    pages, made = pages_made(CONTENTS)
    assert contents_numbers(pages) == ["2", "3", "4"]
    assert "sivulta s. 4" in pages[1]
    assert made == 4 + 2 + 2


def test_fixed_bookkeeping_makes_referring_pages_once_more():
    weasyfix.install()
    assert wp_targets.TargetCollector.lookup_target is weasyfix._lookup_target
    pages, made = pages_made(CONTENTS)
    assert contents_numbers(pages) == ["2", "3", "4"]
    assert "sivulta s. 4" in pages[1]
    assert made == 4 + 2
