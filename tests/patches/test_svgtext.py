"""SVG text set as one kerned line per element; letter-by-letter placement left to WeasyPrint."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import pikepdf
import pytest
from weasyprint import HTML
from weasyprint import svg as svg_package

from conftest import REPO
from workbook.patches import svgtext

INTER = (REPO / "styles" / "fonts" / "inter").as_uri()
FONT = "font-family='Workbook Inter' font-size='12'"


def _page(svg_body: str) -> str:
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' width='400' height='120'>{svg_body}</svg>"
    return (
        "<!doctype html><html lang='fi'><head><style>"
        f"@font-face {{ font-family: 'Workbook Inter'; src: url({INTER}/Inter-Regular.otf); }}"
        "@page { size: 160mm 60mm; margin: 5mm }</style></head><body>"
        f"<img alt='' src='data:image/svg+xml,{quote(svg)}'></body></html>"
    )


def _render(function, svg_body: str, tmp_path: Path) -> tuple[Path, bytes]:
    """The page drawn with *function* as WeasyPrint's SVG text; the file and its content."""
    saved = dict(svg_package.TAGS), svg_package.text
    for tag, drawn in saved[0].items():
        if drawn in (svgtext._stock, svgtext.text):  # installed or not
            svg_package.TAGS[tag] = function
    svg_package.text = function
    try:
        data = HTML(string=_page(svg_body)).write_pdf()
    finally:
        svg_package.TAGS.clear()
        svg_package.TAGS.update(saved[0])
        svg_package.text = saved[1]
    path = tmp_path / f"{function.__module__.split('.')[0]}.pdf"
    path.write_bytes(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (page,) = pdf.pages
        xobjects = [x for x in page.Resources.XObject.values() if x.get("/Subtype") == "/Form"]
        content = b"".join(x.read_bytes() for x in xobjects) + page.Contents.read_bytes()
    return path, content


def _words(path: Path) -> list[tuple[str, float, float]]:
    """(word, xMin, xMax) of the page, from pdftotext."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return [
        (text, float(x0), float(x1))
        for x0, x1, text in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"'
                                       r' yMax="[\d.]+">([^<]*)</word>', out)
    ]  # fmt: skip


LABELS = (
    f"<text x='10' y='20' {FONT}>Tyytyväisyys Vähän</text>"
    f"<text x='390' y='50' {FONT} text-anchor='end'>77 % AVAT</text>"
    f"<text x='200' y='80' {FONT} text-anchor='middle' font-weight='bold'>Keskellä</text>"
)


def test_one_text_object_per_element_with_the_same_words(tmp_path):
    stock_path, stock = _render(svgtext._stock, LABELS, tmp_path)
    line_path, line = _render(svgtext.text, LABELS, tmp_path)
    # The stock function places every letter with a matrix of its own.
    assert line.count(b" Tm") == 3 < stock.count(b" Tm")
    stock_words, words = _words(stock_path), _words(line_path)
    assert [w for w, *_ in words] == [w for w, *_ in stock_words]
    assert [w for w, *_ in words] == ["Tyytyväisyys", "Vähän", "77", "%", "AVAT", "Keskellä"]
    # Same start of a start-anchored line, same end of an end-anchored one; the
    # kerned line is a little narrower than the letters set one by one.
    assert words[0][1] == pytest.approx(stock_words[0][1], abs=0.01)
    assert words[4][2] == pytest.approx(stock_words[4][2], abs=0.3)
    assert words[4][2] - words[4][1] < stock_words[4][2] - stock_words[4][1]
    middle = (words[5][1] + words[5][2]) / 2
    assert middle == pytest.approx((stock_words[5][1] + stock_words[5][2]) / 2, abs=0.3)


@pytest.mark.parametrize(
    "attributes",
    [
        "x='10 20 30' y='20'",
        "x='10' y='20' dx='2'",
        "x='10' y='20' rotate='15'",
        "x='10' y='20' letter-spacing='2'",
        "x='10' y='20' textLength='200'",
        "x='300' y='20' direction='rtl'",
    ],
)
def test_letters_placed_one_by_one_are_left_to_weasyprint(tmp_path, attributes):
    body = f"<text {attributes} {FONT}>Kirjasto</text>"
    _, stock = _render(svgtext._stock, body, tmp_path)
    _, line = _render(svgtext.text, body, tmp_path)
    assert line == stock


def test_letterwise():
    def node(**attributes):
        class Node:
            attrib = attributes

        return Node()

    assert not svgtext.letterwise(node(x="10", y=" 20 "))
    assert svgtext.letterwise(node(x="10 20"))
    assert svgtext.letterwise(node(y="1,2"))
    assert svgtext.letterwise(node(rotate="0"))


@pytest.fixture
def stock_text(monkeypatch):
    monkeypatch.setattr(svg_package, "TAGS", dict(svg_package.TAGS))
    for tag, drawn in list(svg_package.TAGS.items()):
        if drawn is svgtext.text:
            svg_package.TAGS[tag] = svgtext._stock
    monkeypatch.setattr(svg_package, "text", svgtext._stock)


@pytest.mark.usefixtures("stock_text")
def test_applied_to_every_text_tag():
    svgtext.apply()
    assert svg_package.text is svgtext.text
    assert {svg_package.TAGS[tag] for tag in ("text", "tspan", "textPath", "a")} == {svgtext.text}
