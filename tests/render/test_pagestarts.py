"""Where each printed page starts in the text, read back in the reflowable walk."""

from __future__ import annotations

import lxml.html
from weasyprint import HTML

from workbook.ebook.pagebreaks import countable_text
from workbook.render.pagestarts import countable, page_starts, read_starts, write_starts

WORDS = "Kirjas\u00adtossa asiak\u00adkaat ja henki\u00adlökunta kohtaavat joka päivä. "
PIXEL = "data:image/png;base64," + (
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAFElEQVR4nGM8kWLEAANMDEgANwcARfYBZhhDpbAAAAAASUVORK5CYII="
)
ROWS = "".join(f"<tr><td>Rivi {n}</td><td>{n} %</td></tr>" for n in range(40))
HTML_TEXT = f"""
<style>
@page {{ size: A7; margin: 8mm; @bottom-center {{ content: counter(page) }} }}
p {{ hyphens: manual; }}
.footnote {{ float: footnote; }}
section {{ break-before: page; }}
thead {{ display: table-header-group; }}
</style>
<section class="title-page"><p>Nimiö</p></section>
<section id="luku"><h1>Luku</h1>
<p>{WORDS * 6}<span class="footnote">Alaviite, joka ei kuulu leipätekstiin.</span>
{WORDS * 6}</p>
<h2 id="taulu">Taulukko</h2>
<table><thead><tr><th>Otsake</th><th>Osuus</th></tr></thead><tbody>{ROWS}</tbody></table>
<p>{WORDS * 4}</p>
<figure id="kuva" style="break-before: page">
<img alt="" src="{PIXEL}" style="width: 20mm; height: 20mm"></figure>
</section>
"""


def test_countable_leaves_out_what_line_breaking_changes():
    assert countable("kirjas\u00adtossa on\u00a0e-kirja\u2010 ja\n") == "kirjastossaonekirjaja"


def test_every_page_start_is_found_again_in_the_reflowable_text():
    document = HTML(string=HTML_TEXT).render()
    starts = page_starts(document)
    assert len(starts) == len(document.pages) >= 6
    section = lxml.html.fragment_fromstring(
        HTML_TEXT[HTML_TEXT.index('<section id="luku">') : HTML_TEXT.rindex("</section>") + 10]
    )
    text = countable_text(section)
    assert starts[0]["section"] == "title-page"
    chapter = [s for s in starts if s["section"] == "luku"]
    assert chapter[0]["before"] == "luku" and chapter[0]["offset"] == 0
    offsets = [s["offset"] for s in chapter]
    assert offsets == sorted(offsets)
    for start in chapter:
        if start["text"]:
            assert text[start["offset"] :].startswith(start["text"]), start
    # Footnotes are left out on both sides; a repeated table header is not counted again.
    assert "Alaviite" not in text
    assert text.count("OtsakeOsuus") == 1
    assert any(s["before"] == "kuva" and s["text"] == "" for s in chapter)


def test_page_starts_are_kept_with_the_anchor_pages(tmp_path):
    path = tmp_path / "kirja-press.pagestarts.json"
    assert read_starts(path) is None
    write_starts(path, [{"page": 1, "section": None}], {"b": 2, "a": 1})
    assert read_starts(path) == ([{"page": 1, "section": None}], {"a": 1, "b": 2})
    path.write_text('{"version": 0}')
    assert read_starts(path) is None
