"""Checks on tiny hand-made PDFs: each check must be able to fail."""

from __future__ import annotations

from io import BytesIO

import pikepdf
import pytest

from workbook.preflight.checks import (
    check_fonts,
    check_image_aspect,
    check_image_resolution,
    check_ink_coverage,
    check_no_rgb,
    check_output_intent,
)


def pdf_with(content: bytes, image: bytes | None = None, size: tuple[int, int] = (2, 1)) -> bytes:
    """A one-page PDF painting *content*, with a raw CMYK image /Im0 of *size* if given."""
    pdf = pikepdf.new()
    resources = pikepdf.Dictionary()
    if image is not None:
        stream = pdf.make_stream(image)
        stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        stream.Width, stream.Height = size
        stream.ColorSpace, stream.BitsPerComponent = pikepdf.Name.DeviceCMYK, 8
        resources.XObject = pikepdf.Dictionary(Im0=stream)
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 200, 200],
        Resources=resources,
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    out = BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "ok"),
    [(b"0.6 0.5 0.5 0.9 k 0 0 10 10 re f", True), (b"1 1 1 1 k 0 0 10 10 re f", False)],
)
def test_ink_coverage_of_colours(content, ok):
    result = check_ink_coverage(pdf_with(content), 300)
    assert (result.status == "pass") is ok, result


def test_ink_coverage_of_images():
    light = bytes([60, 60, 60, 100, 0, 0, 0, 0])
    heavy = bytes([255, 255, 255, 255, 0, 0, 0, 0])
    draw = b"q 20 0 0 10 0 0 cm /Im0 Do Q"
    assert check_ink_coverage(pdf_with(draw, light), 300).status == "pass"
    result = check_ink_coverage(pdf_with(draw, heavy), 300)
    assert result.status == "fail" and result.pages == (1,)
    assert "highest 400 %" in result.measured


def test_image_resolution_is_measured_from_the_drawn_size():
    pixels = bytes(4 * 300 * 150)
    # 300 px drawn 72 pt (one inch) wide: 300 ppi; drawn two inches wide: 150 ppi.
    sharp = pdf_with(b"q 72 0 0 36 0 0 cm /Im0 Do Q", pixels, (300, 150))
    blurry = pdf_with(b"q 1 0 0 1 10 10 cm 144 0 0 72 0 0 cm /Im0 Do Q", pixels, (300, 150))
    assert check_image_resolution(sharp, minimum=300, maximum=None).status == "pass"
    result = check_image_resolution(blurry, minimum=300, maximum=None)
    assert result.status == "fail" and "150 ppi" in result.measured
    assert check_image_resolution(sharp, minimum=None, maximum=200).status == "fail"


def test_output_intent_missing():
    result = check_output_intent(pdf_with(b""))
    assert result.status == "fail" and "no GTS_PDFX output intent" in result.measured


def test_image_aspect_catches_a_squashed_picture():
    pixels = bytes(4 * 300 * 150)
    kept = pdf_with(b"q 72 0 0 36 0 0 cm /Im0 Do Q", pixels, (300, 150))
    squashed = pdf_with(b"q 72 0 0 72 0 0 cm /Im0 Do Q", pixels, (300, 150))
    assert check_image_aspect(kept).status == "pass"
    result = check_image_aspect(squashed)
    assert result.status == "fail" and "drawn from 300 x 150 px" in result.measured
    assert result.areas == ((1, 0.0, 128.0, 72.0, 200.0),)  # where to look, for the source line


def test_rgb_image_on_press_marks_where_it_is():
    pdf = pikepdf.open(BytesIO(pdf_with(b"q 20 0 0 10 5 5 cm /Im0 Do Q", bytes(8))))
    pdf.pages[0].Resources.XObject.Im0.ColorSpace = pikepdf.Name.DeviceRGB
    out = BytesIO()
    pdf.save(out)
    result = check_no_rgb(out.getvalue())
    assert result.status == "fail" and result.areas == ((1, 5.0, 185.0, 25.0, 195.0),)


def test_fallback_font_names_the_character_and_its_page(tmp_path):
    from weasyprint import HTML

    from conftest import REPO

    html = (
        '<p>Tavallinen sivu</p><p style="break-before: page; font-family: DejaVu Sans">\u25e6</p>'
    )
    pdf = pikepdf.open(BytesIO(HTML(string=html).write_pdf()))
    result = check_fonts(pdf, REPO / "styles" / "book.css")
    assert result.status == "fail"
    assert "DejaVu-Sans is not a book font (fallback?): '\u25e6' (U+25E6 WHITE BULLET) on p. 2" in (
        result.measured
    )
    assert 2 in result.pages
