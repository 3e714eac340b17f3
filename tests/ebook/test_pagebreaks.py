"""Page-break markers: put where the printed pages begin, checked against what they printed."""

from __future__ import annotations

import lxml.html

from workbook.ebook.pagebreaks import count_before, countable_text, insert_at, place_markers


def section(html: str):
    return lxml.html.fragment_fromstring(html)


def ids_in_order(root) -> list[str]:
    return [e.get("id") for e in root.iter("span") if e.get("role") == "doc-pagebreak"]


def test_a_marker_goes_before_the_character_it_counts_to():
    root = section('<section id="s"><p>Kir\u00adjas-to <em>on</em> auki.</p></section>')
    assert countable_text(root) == "Kirjastoonauki."
    mark = lxml.html.fragment_fromstring('<span class="pagebreak" id="m"></span>')
    insert_at(root, 8, mark)  # before "on"
    assert lxml.html.tostring(root, encoding="unicode") == (
        '<section id="s"><p>Kir\u00adjas-to <em><span class="pagebreak" id="m"></span>on</em>'
        " auki.</p></section>"
    )
    assert count_before(root, mark) == 8


def test_markers_follow_the_starts_and_blank_pages_close_the_section_before():
    chapter = section(
        '<section id="luku"><h1>Luku</h1><p>Ensimmäinen sivu.</p>'
        '<p>Toisen sivun alku<span class="footnote">Alaviite</span> jatkuu.</p>'
        '<figure id="kuva"><img alt="Kuva" src="x.png"></figure></section>'
    )
    title = section('<section class="title-page"><h1>Kirja</h1></section>')
    starts = [
        {"page": 1, "section": "title-page", "before": None, "offset": 0, "text": "Kirja"},
        {"page": 2, "section": None, "before": None, "offset": 0, "text": ""},
        {"page": 3, "section": "luku", "before": "luku", "offset": 0, "text": "Luku"},
        {"page": 4, "section": "luku", "before": None, "offset": 20, "text": "Toisensivun"},
        {"page": 5, "section": "luku", "before": "kuva", "offset": 42, "text": ""},
        {"page": 6, "section": None, "before": None, "offset": 0, "text": ""},
    ]
    placed = place_markers({"title-page": title, "luku": chapter}, starts, front={"title-page"})
    assert placed.differing == []
    assert ids_in_order(title) == ["sivu-1", "sivu-2"]  # the blank page 2 after the title page
    assert ids_in_order(chapter) == ["sivu-3", "sivu-4", "sivu-5", "sivu-6"]
    assert chapter[0].get("id") == "sivu-3"  # before the chapter's title
    figure = chapter.xpath("//figure")[0]
    assert figure.getprevious().get("id") == "sivu-5"
    assert chapter[-1].get("id") == "sivu-6"  # the padding page at the end
    assert placed.targets[4] == ("luku", "sivu-4")


def test_a_page_whose_text_is_elsewhere_is_reported():
    chapter = section('<section id="luku"><p>Yksi kaksi kolme.</p></section>')
    starts = [{"page": 7, "section": "luku", "before": None, "offset": 3, "text": "neljä"}]
    placed = place_markers({"luku": chapter}, starts, front=set())
    assert placed.differing == [7]


def test_a_page_that_opens_with_a_moved_figure_has_its_marker_before_the_figure():
    # In print the figure moved past the paragraph after it and opens page 8; the
    # e-book keeps it before that paragraph. The marker goes before the figure,
    # whose text is what page 8 began with: that is where the page begins.
    chapter = section(
        '<section id="luku"><p>Yksi kaksi.</p><figure id="kuvio-1"><img alt="Kuva" '
        'src="x.png"><figcaption>Kuvio 1. Otsikko</figcaption></figure>'
        "<p>Kolme neljä.</p></section>"
    )
    start = {"page": 8, "section": "luku", "before": "kuvio-1", "offset": 20, "text": "Kuvio1"}
    placed = place_markers({"luku": chapter}, [start], front=set())
    assert placed.differing == []
    assert chapter.xpath("//figure")[0].getprevious().get("id") == "sivu-8"
    # The same marker with other text after it is still reported.
    wrong = {**start, "text": "Kuvio2"}
    chapter = section(
        '<section id="luku"><p>Yksi kaksi.</p><figure id="kuvio-1"><img alt="Kuva" '
        'src="x.png"><figcaption>Kuvio 1. Otsikko</figcaption></figure></section>'
    )
    assert place_markers({"luku": chapter}, [wrong], front=set()).differing == [8]
