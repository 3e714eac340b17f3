"""Page summaries for the checks: kept by page digest, so a rebuild walks only changed pages.

Work is counted (the pages whose content streams are walked), never timed.
"""

from __future__ import annotations

from io import BytesIO

import pikepdf
import pytest

from conftest import one_page_each
from workbook.preflight import pdfcontent
from workbook.preflight.checks import check_ink_coverage, check_no_rgb
from workbook.preflight.facts import read_facts
from workbook.preflight.pageimages import page_digest
from workbook.preflight.pdfcontent import painted

PAGES = ["Yksi kaksi", "Kaksi kolme", "Kolme neljä", "Neljä yksi"]


@pytest.fixture(autouse=True)
def fresh():
    """Each reading below starts as a new build's process would: nothing in memory."""
    pdfcontent.forget()
    yield
    pdfcontent.forget()


def read_again(data: bytes, cache) -> pdfcontent.Painted:
    pdfcontent.forget()
    return painted(data, key=page_digest, cache=cache)


def test_a_rebuild_walks_only_the_pages_that_changed(tmp_path):
    pdf, cache = tmp_path / "a.pdf", tmp_path / "state" / "a.paint.json"
    one_page_each(pdf, PAGES)
    first = read_again(pdf.read_bytes(), cache)
    assert first.walked == 4 and cache.exists()
    assert read_again(pdf.read_bytes(), cache).walked == 0

    one_page_each(pdf, [PAGES[0], "Kolme kaksi", *PAGES[2:]])
    again = read_again(pdf.read_bytes(), cache)
    assert again.walked == 1
    fresh = read_again(pdf.read_bytes(), None)  # no cache: every page walked
    assert fresh.walked == 4 and again.pages == fresh.pages


def test_the_facts_of_a_cached_reading_are_those_of_a_fresh_one(tmp_path):
    pdf = tmp_path / "a.pdf"
    words, paint = tmp_path / "a.words.json", tmp_path / "a.paint.json"
    one_page_each(pdf, PAGES)
    fresh = read_facts(pdf)
    pdfcontent.forget()
    read_facts(pdf, words, paint)
    pdfcontent.forget()
    cached = read_facts(pdf, words, paint)
    assert cached.pages == fresh.pages and cached.page_digests == fresh.page_digests


def test_a_damaged_cache_is_ignored_and_written_anew(tmp_path):
    pdf, cache = tmp_path / "a.pdf", tmp_path / "a.paint.json"
    one_page_each(pdf, PAGES)
    with pikepdf.open(pdf) as document:
        keys = [page_digest(page) for page in document.pages]
    broken = ", ".join(f'"{key}": {{"paints": true, "draws": 3}}' for key in keys)
    cache.write_text(f'{{"version": 1, "pages": {{{broken}}}}}', encoding="utf-8")
    assert read_again(pdf.read_bytes(), cache).walked == 4
    assert read_again(pdf.read_bytes(), cache).walked == 0
    cache.write_text("{not json", encoding="utf-8")
    assert read_again(pdf.read_bytes(), cache).walked == 4


def cmyk_page(pixels: bytes, colour: bytes = b"0 0 0 1 k") -> bytes:
    """One page painting *colour* and a 2 x 1 raw CMYK image."""
    pdf = pikepdf.new()
    image = pdf.make_stream(pixels)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height = 2, 1
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceCMYK, 8
    content = colour + b" 0 0 10 10 re f q 20 0 0 10 0 0 cm /Im0 Do Q"
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 200, 200],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    out = BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_image_ink_and_colours_come_back_from_the_cache(tmp_path):
    cache = tmp_path / "a.paint.json"
    heavy = cmyk_page(bytes([255, 255, 255, 255, 0, 0, 0, 0]), b"1 0 0 0 rg")
    read_again(heavy, cache)
    cached = read_again(heavy, cache)  # the checks below now read from the cache
    assert cached.walked == 0
    assert cached.pages[0].draws[0].ink == 400.0
    assert cached.pages[0].colours == ("/DeviceRGB",)
    result = check_ink_coverage(heavy, 300)
    assert result.status == "fail" and "highest 400 %" in result.measured
    assert check_no_rgb(heavy).measured == "p. 1: RGB colour"


def test_a_changed_image_is_measured_again(tmp_path):
    cache = tmp_path / "a.paint.json"
    read_again(cmyk_page(bytes([255, 255, 255, 255, 0, 0, 0, 0])), cache)
    light = cmyk_page(bytes([60, 60, 60, 100, 0, 0, 0, 0]))
    again = read_again(light, cache)
    assert again.walked == 1
    assert again.pages[0].draws[0].ink == pytest.approx(280 / 255 * 100)
    assert check_ink_coverage(light, 300).status == "pass"
