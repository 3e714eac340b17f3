"""Hyphenation candidates that cannot fit are skipped: the same PDF as stock WeasyPrint."""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
import pytest
from weasyprint import HTML
from weasyprint.layout import inline, preferred
from weasyprint.text import line_break

from conftest import REPO
from workbook.markup.hyphenation import hyphenator_for
from workbook.patches import linefit

FONTS = REPO / "styles" / "fonts"
FINNISH = (
    "Kirjaston asiakaspalvelu on kohtaamisia, joissa jokainen kysymys saa vastauksen. "
    "Henkilökunta kehitti palveluprosessejaan työpajoissa, ja kirjastoammattilaisten "
    "asiakaspalvelukoulutus jatkui koko vuoden. Kirjasto-opas ja lainausautomaatti "
    "opastavat, mutta ihminen kohtaa ihmisen."
)
ENGLISH = (
    "Customer service in public libraries is an everyday encounter: unconventional "
    "questions, international visitors and extraordinary circumstances."
)


def _page() -> str:
    """Narrow justified columns full of soft hyphens: every path of the candidate loop."""
    text = hyphenator_for("fi").hyphenate_text(FINNISH)
    charis = (FONTS / "charis").as_uri()
    return f"""<!doctype html><html lang="fi"><head><style>
@font-face {{ font-family: Body; src: url({charis}/CharisSIL-Regular.ttf); }}
body {{ font-family: Body, serif; font-size: 10pt; }}
p {{ text-align: justify; margin: 0 0 4pt; }}
.narrow {{ width: 38mm; }} .wide {{ width: 80mm; }} .tiny {{ width: 14mm; }}
.left {{ text-align: left; }} .pre {{ white-space: pre-wrap; }}
.auto {{ hyphens: auto; }}
</style></head><body>
<p class="narrow">{text}</p>
<p class="wide">{text}</p>
<p class="tiny">{text}</p>
<p class="narrow left"><em>{text}</em> <b>{text}</b></p>
<p class="narrow pre">{text}</p>
<p class="narrow auto" lang="en">{ENGLISH}</p>
<table><tr><td class="narrow">{text}</td><td>{text}</td></tr></table>
</body></html>"""


def _pages(data: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [page.obj.Contents.read_bytes() for page in pdf.pages]


def _render(split: Callable) -> tuple[bytes, int]:
    """The page rendered with *split* as WeasyPrint's ``split_first_line``, and how
    many text layouts the line-breaking module made."""
    saved = line_break.split_first_line, inline.split_first_line, preferred.split_first_line
    stock_create = line_break.create_layout
    made = 0

    def counted(*args, **kwargs):
        nonlocal made
        made += 1
        return stock_create(*args, **kwargs)

    line_break.split_first_line = inline.split_first_line = preferred.split_first_line = split
    line_break.create_layout = counted
    try:
        return HTML(string=_page()).write_pdf(), made
    finally:
        line_break.split_first_line, inline.split_first_line, preferred.split_first_line = saved
        line_break.create_layout = stock_create


def test_same_pdf_as_stock_weasyprint_with_fewer_layouts():
    stock, stock_layouts = _render(linefit._stock)
    skipping, layouts = _render(linefit.patched(linefit._stock))
    assert len(_pages(stock)) >= 1
    assert _pages(skipping) == _pages(stock)
    # A fifth of the layouts were candidates that could not fit.
    assert layouts < stock_layouts * 0.85


def test_the_copy_keeps_weasyprints_line_numbers():
    copy = linefit.patched(linefit._stock)
    stock_code, code = linefit._stock.__code__, copy.__code__
    assert code.co_firstlineno == stock_code.co_firstlineno
    assert code.co_filename == stock_code.co_filename
    lines = {line for *_, line in code.co_lines() if line is not None}
    stock_lines = {line for *_, line in stock_code.co_lines() if line is not None}
    assert lines == stock_lines  # the guard sits on the loop's own line
    assert code.co_code != stock_code.co_code


def test_a_function_without_the_loop_is_not_patched():
    source = "def split_first_line(text):\n    for word in text.split():\n        pass\n"
    with pytest.raises(ValueError, match="0 candidate loops"):
        linefit.patched_tree(source)


@pytest.fixture
def stock_split(monkeypatch):
    """WeasyPrint's own function in every place that holds it, restored afterwards."""
    for module in (line_break, inline, preferred):
        monkeypatch.setattr(module, "split_first_line", linefit._stock)


@pytest.mark.usefixtures("stock_split")
def test_applied_everywhere_the_function_is_held():
    linefit.apply()
    for module in (line_break, inline, preferred):
        assert module.split_first_line is not linefit._stock
        assert module.split_first_line.__name__ == "split_first_line"
