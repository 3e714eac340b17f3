"""The palette: one declaration, both colour spaces, WCAG contrast for text colours."""

from __future__ import annotations

import pytest

from workbook.config.palette import contrast_ratio, load_palette
from workbook.errors import WorkbookError
from workbook.html.book import STYLES_DIR


def test_css_for_each_space():
    palette = load_palette(STYLES_DIR / "palette.toml")
    assert "--ink: device-cmyk(0 0 0 1);" in palette.css("cmyk")
    assert "--ink: #1b1b1b;" in palette.css("srgb")


def test_text_colours_meet_wcag_aa_on_paper_and_tint():
    palette = load_palette(STYLES_DIR / "palette.toml")
    for colour in palette.colours:
        if colour.text:
            assert contrast_ratio(colour.srgb, palette["paper"].srgb) >= 4.5, colour.name
            assert contrast_ratio(colour.srgb, palette["accent-tint"].srgb) >= 4.5, colour.name


def test_bad_palette_entry(tmp_path):
    path = tmp_path / "palette.toml"
    path.write_text('[ink]\ncmyk = [0, 0, 1]\nsrgb = "#000000"\n')
    with pytest.raises(WorkbookError, match="needs cmyk"):
        load_palette(path)


def test_contrast_ratio_extremes():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)
