"""Text set up from cached per-style settings: the same PDF as stock WeasyPrint, less work."""

from __future__ import annotations

import gc
import io

import pikepdf
from weasyprint import HTML
from weasyprint.text import line_break

from conftest import REPO
from workbook.patches import textsetup

FONTS = REPO / "styles" / "fonts"

# Every property the setup reads changes somewhere here: family, style, weight,
# size, small caps, languages (and an override), direction, underline and line
# through, kerning, ligatures, numeric variants, feature settings, variations;
# and what is set per text: letter and word spacing, tabs, soft hyphens; and
# text in an SVG picture, which WeasyPrint gives a style of its own.
SVG_TEXT = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='200' height='40'>"
    "<text x='5' y='20' font-family='serif' font-weight='bold'>Kuvan teksti</text></svg>"
)
MIXED_PAGE = (
    f"""<!doctype html><html lang="fi"><head><style>
@font-face {{ font-family: Body; src: url({(FONTS / "charis").as_uri()}/CharisSIL-Regular.ttf); }}
@font-face {{ font-family: Body; font-style: italic;
  src: url({(FONTS / "charis").as_uri()}/CharisSIL-Italic.ttf); }}
body {{ font-family: Body, serif; font-size: 10pt; width: 90mm; }}
.sans {{ font-family: sans-serif; font-weight: 700; }}
.caps {{ font-variant-caps: small-caps; letter-spacing: 0.05em; }}
.num {{ font-variant-numeric: oldstyle-nums tabular-nums; font-kerning: none; }}
.feat {{ font-feature-settings: "liga" 0, "smcp" 1; font-variant-ligatures: no-common-ligatures; }}
.var {{ font-variation-settings: "wght" 500; }}
.u {{ text-decoration: underline; }} .s {{ text-decoration: line-through; }}
.wide {{ word-spacing: 3pt; }} .big {{ font-size: 14pt; }}
pre {{ tab-size: 6; font-family: monospace; }}
</style></head><body>
<p>Kirjaston asia&shy;kas&shy;palvelu on koh&shy;taamisia, joissa jokainen
kysymys saa vastauksen. <em>Kursiivi muuttaa tyylin</em> ja <b>lihavointi painon</b>.</p>
<p class="sans" lang="sv">Biblioteket betjänar alla, varje dag och överallt.</p>
<p lang="en" style="font-language-override: 'TRK'">Official figures in a table.</p>
<p class="caps">Pienet kapiteelit ja harvennus</p>
<p class="num">Vuonna 2002 kävijöitä oli 123 456 ja 7 890.</p>
<p class="feat">Office affine fluffy</p><p class="var">Muuttuva paino</p>
<p><span class="u">Alleviivattu</span> ja <span class="s">yliviivattu</span> teksti.</p>
<p class="wide big">Sanavälit ovat leveämmät tässä kappaleessa.</p>
<p dir="rtl" lang="ar">مكتبة</p>
<pre>sarake\tarvo\tyksikkö</pre>
<img alt="" src="data:image/svg+xml,{SVG_TEXT}">
"""
    + "<p>Sama tyyli toistuu monessa kappaleessa, rivi riviltä.</p>" * 30
)


def _pages(data: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [page.obj.Contents.read_bytes() for page in pdf.pages]


def _render(setup, html: str = MIXED_PAGE) -> tuple[bytes, object]:
    """*html* rendered and written with *setup* as WeasyPrint's ``Layout.setup``."""
    original = line_break.Layout.setup
    line_break.Layout.setup = setup
    try:
        document = HTML(string=html).render()
        return document.write_pdf(), document
    finally:
        line_break.Layout.setup = original


def test_same_pdf_as_stock_weasyprint():
    stock, _ = _render(textsetup._stock_setup)
    cached, _ = _render(textsetup.setup)
    assert len(_pages(stock)) >= 1
    assert _pages(cached) == _pages(stock)


def test_one_setting_per_style_not_per_text():
    made = []
    stock_make = textsetup._make

    def counted(style):
        made.append(style)
        return stock_make(style)

    textsetup._make = counted
    try:
        _, document = _render(textsetup.setup)
    finally:
        textsetup._make = stock_make
    # The 30 paragraphs in one style, line after line, share one setting; the
    # page has about fifteen different ones.
    assert 8 <= len(made) <= 30
    keys = [textsetup._key(style) for style in made]
    assert len(set(keys)) == len(keys)  # each made once
    assert textsetup.settings_made(document.font_config) == len(made)


def test_settings_go_with_the_document():
    _, document = _render(textsetup.setup)
    assert len(textsetup._settings) >= 1
    del document
    gc.collect()
    assert len(textsetup._settings) == 0


def test_applied(monkeypatch):
    monkeypatch.setattr(line_break.Layout, "setup", textsetup._stock_setup)
    textsetup.apply()
    assert line_break.Layout.setup is textsetup.setup


def test_each_text_gets_its_own_language():
    from weasyprint.text.ffi import pango

    seen = []

    def recording(self, style):
        textsetup.setup(self, style)
        seen.append((style["lang"], self.language))

    page = "".join(
        f"<p lang='{lang}'>Kirjasto bibliotek library</p>" for lang in ("fi", "sv", "en")
    )
    _render(recording, page * 3)
    assert {lang for lang, _ in seen} == {"fi", "sv", "en"}
    for lang, language in seen:
        assert language == pango.pango_language_from_string(lang.encode())
