"""The WeasyPrint 70 footnote fix: a footnote carried to the next page is laid out once."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint import layout as wp_layout
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
