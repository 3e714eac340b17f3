"""Glyph offsets rounded: tracked lines are drawn where they were laid out."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from weasyprint import HTML
from weasyprint.draw import text as draw_text

from conftest import REPO
from workbook.markup.hyphenation import hyphenator_for
from workbook.patches import glyphoffsets
from workbook.preflight.textlines import read_pages

FINNISH = (
    "Kirjaston asiakaspalvelu on kohtaamisia, joissa jokainen kysymys saa vastauksen. "
    "Henkilökunta kehitti palveluprosessejaan työpajoissa, ja kirjastoammattilaisten "
    "asiakaspalvelukoulutus jatkui koko vuoden. Asiakkaat kertoivat, mikä palvelussa "
    "toimii ja missä olisi parannettavaa, ja henkilöstö vastasi kyselyyn omasta työstään."
)
WIDTH_MM = 100


def _page(tracking: str) -> str:
    text = hyphenator_for("fi").hyphenate_text(FINNISH)
    charis = (REPO / "styles" / "fonts" / "charis").as_uri()
    return f"""<!doctype html><html lang="fi"><head><style>
@page {{ size: 150mm 200mm; margin: 20mm }}
@font-face {{ font-family: Body; src: url({charis}/CharisSIL-Regular.ttf); }}
body {{ font-family: Body; font-size: 10pt; }}
p {{ width: {WIDTH_MM}mm; text-align: justify; hyphens: manual; margin: 0 0 4pt;
     word-spacing: -0.04em; letter-spacing: {tracking}; }}
</style></head><body><p>{text}</p><p><em>{text}</em></p></body></html>"""


@pytest.fixture
def stock_draw(monkeypatch):
    """WeasyPrint's own function, restored afterwards."""
    monkeypatch.setattr(draw_text, "draw_first_line", glyphoffsets._stock)


def _render(tracking: str, patched: bool) -> bytes:
    draw_text.draw_first_line = (
        glyphoffsets.patched(glyphoffsets._stock) if patched else glyphoffsets._stock
    )
    return HTML(string=_page(tracking)).write_pdf()


def _misses(data: bytes) -> list[float]:
    """How far each full line's drawn end is from the measure's right edge, in pt."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (page,) = read_pages(pdf)
    left = min(line.x0 for line in page.lines)
    right = left + WIDTH_MM * 72 / 25.4
    return [line.x1 - right for line in page.lines if line.x1 > right - 3]


def _misses_in_a_fresh_process(tracking: str) -> tuple[list[float], list[float]]:
    """:func:`_misses` of the page drawn by stock WeasyPrint and by the patched copy, in
    a process of their own (another test's renders cannot share its fonts with them)."""
    script = (
        "import json, sys; sys.path[:0] = sys.argv[2:]\n"
        "from test_glyphoffsets import _misses, _render\n"
        "print(json.dumps([_misses(_render(sys.argv[1], p)) for p in (False, True)]))\n"
    )
    here = Path(__file__).parent
    found = subprocess.run(
        [sys.executable, "-c", script, tracking, str(here), str(here.parent)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    stock, rounded = json.loads(found.splitlines()[-1])
    return stock, rounded


@pytest.mark.parametrize("tracking", ["-0.01em", "0.01em"])
def test_tracked_lines_end_where_they_were_laid_out(tracking):
    stock, rounded = _misses_in_a_fresh_process(tracking)
    assert len(stock) == len(rounded) >= 6
    assert max(abs(m) for m in stock) > 0.25  # truncation adds up along a tracked line
    assert max(abs(m) for m in rounded) < 0.1


@pytest.mark.usefixtures("stock_draw")
def test_untracked_text_moves_by_at_most_one_unit_per_glyph():
    def numbers(data: bytes) -> list[float]:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            stream = pdf.pages[0].obj.Contents.read_bytes()
        arrays = re.findall(rb"\[(.*?)\]\s*TJ", stream, re.S)
        return [float(n) for a in arrays for n in re.findall(rb">\s*(-?[\d.]+)\s*<", a)]

    stock = numbers(_render("normal", patched=False))
    rounded = numbers(_render("normal", patched=True))
    assert len(stock) == len(rounded) > 100
    assert max(abs(a - b) for a, b in zip(stock, rounded, strict=True)) <= 1


def test_a_function_without_the_call_is_not_patched():
    with pytest.raises(ValueError, match="0 int"):
        glyphoffsets.patched_tree("def draw_first_line(kerning):\n    return round(kerning)\n")
