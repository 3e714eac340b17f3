"""The ISBN barcode: EAN-13 geometry, the check digit, and a real decoder reading it."""

from __future__ import annotations

import subprocess

import pikepdf
import pytest
from barcode import EAN13

from workbook.cover.barcode import MODULE_MM, QUIET_LEFT, ean13

ISBN = "978-952-7399-01-9"


def test_bars_sit_after_the_quiet_zone_and_guards_run_longer():
    code = ean13(ISBN)
    bars = code.bars()
    assert code.width == pytest.approx(113 * MODULE_MM)  # 37.29 mm with the quiet zones
    assert bars[0][0] == pytest.approx(QUIET_LEFT * MODULE_MM)  # 11 modules of white first
    last_x, last_w, _ = bars[-1]
    assert code.width - (last_x + last_w) == pytest.approx(7 * MODULE_MM)  # 7 after
    guards = [b for b in bars if b[2]]
    assert len(guards) == 6  # start, centre and end guards: two bars each
    assert sum(1 for m in code.modules if m == "1") == pytest.approx(
        sum(w for _, w, _ in bars) / MODULE_MM
    )


def test_a_wrong_check_digit_is_an_error_not_a_corrected_barcode():
    # python-barcode quietly swaps in the right check digit ...
    assert EAN13("9789527399018").get_fullcode() == "9789527399019"
    # ... so the barcode module checks the ISBN first.
    with pytest.raises(ValueError, match="check digit 8; its first 12 digits give 9"):
        ean13("978-952-7399-01-8")


def test_less_than_80_percent_of_nominal_is_refused():
    with pytest.raises(ValueError, match="80 %"):
        ean13(ISBN, 0.75)
    assert ean13(ISBN, 0.8).width == pytest.approx(0.8 * 37.29, abs=0.01)


@pytest.mark.parametrize("scale", [0.8, 1.0])
def test_the_drawn_barcode_scans_and_is_pure_black(tmp_path, scale):
    from weasyprint import HTML

    code = ean13(ISBN, scale)
    html = (
        "<style>@page { size: 60mm 40mm; margin: 5mm; } body { margin: 0; }"
        "svg { display: block; }</style>" + code.svg()
    )
    pdf = tmp_path / "barcode.pdf"
    HTML(string=html).write_pdf(pdf)
    with pikepdf.open(pdf) as document:
        fills = set()
        for operands, operator in pikepdf.parse_content_stream(document.pages[0]):
            if str(operator) in ("scn", "sc", "k", "rg"):
                fills.add((str(operator), tuple(float(v) for v in operands)))
    assert fills <= {("scn", (0.0, 0.0, 0.0, 1.0)), ("scn", (0.0, 0.0, 0.0, 0.0))}, fills
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", str(pdf), str(tmp_path / "b")],
        check=True,
    )
    read = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "b.png")], capture_output=True, text=True
    )
    assert read.stdout.split() == ["9789527399019"]
