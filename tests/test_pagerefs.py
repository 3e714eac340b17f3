"""pydyf's page references kept between uses: the same references, made once per page list."""

from __future__ import annotations

import re

import pydyf
import pytest
from weasyprint import HTML

from workbook import pagerefs


def _pdf(pages: int) -> pydyf.PDF:
    pdf = pydyf.PDF()
    for _ in range(pages):
        page = pydyf.Dictionary({"Type": "/Page"})
        pdf.add_object(page)
        pdf.add_page(page)
    return pdf


def test_the_same_references_as_pydyf():
    pdf = _pdf(5)
    assert pagerefs.page_references(pdf) == pagerefs._stock.fget(pdf)
    assert len(pagerefs.page_references(pdf)) == 5


def test_made_again_only_when_the_pages_change(monkeypatch):
    pdf = _pdf(3)
    first = pagerefs.page_references(pdf)
    assert pagerefs.page_references(pdf) is first  # kept
    page = pydyf.Dictionary({"Type": "/Page"})
    pdf.add_object(page)
    pdf.add_page(page)
    grown = pagerefs.page_references(pdf)
    assert len(grown) == 4 and grown == pagerefs._stock.fget(pdf)
    pdf.pages["Kids"][0] = 99  # a page replaced in place
    assert pagerefs.page_references(pdf)[0] == b"99 0 R"


def test_a_tagged_pdf_is_the_same(monkeypatch):
    html = "<h1>Otsikko</h1>" + "<p>Kappale <a href='#a'>linkki</a>.</p>" * 80 + "<p id=a>x</p>"
    monkeypatch.setattr(pydyf.PDF, "page_references", pagerefs._stock)
    stock = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=True)
    monkeypatch.setattr(pydyf.PDF, "page_references", property(pagerefs.page_references))
    kept = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=True)
    assert b"/StructTreeRoot" in kept
    assert _without_ids(kept) == _without_ids(stock)


def _without_ids(data: bytes) -> bytes:
    """The PDF without what differs between two writes (creation date, file id)."""
    data = re.sub(rb"/CreationDate \([^)]*\)", b"", data)
    data = re.sub(rb"/ModDate \([^)]*\)", b"", data)
    return re.sub(rb"/ID \[[^\]]*\]", b"", data)


@pytest.mark.parametrize("version", ["0.12.1", "0.14.0"])
def test_installed_on_pydyf_0_13_only(monkeypatch, version):
    monkeypatch.setattr(pagerefs, "_installed", False)
    monkeypatch.setattr(pagerefs.pydyf, "__version__", version)
    monkeypatch.setattr(pydyf.PDF, "page_references", pagerefs._stock)
    pagerefs.install()
    assert pydyf.PDF.page_references is pagerefs._stock
