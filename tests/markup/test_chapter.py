"""Markdown to HTML: the book's extensions on tiny inputs."""

from __future__ import annotations

from conftest import FIXTURES
from workbook.intake.chapters import read_chapter
from workbook.markup.chapter import convert, slugify


def all_features():
    source = read_chapter(FIXTURES / "chapters" / "all-features.md")
    return convert(source.body, id_prefix="ominaisuudet", hyphenator=None)


def test_footnotes_become_inline_spans_at_their_call():
    result = all_features()
    assert result.footnotes == 2
    assert '<span class="footnote">Ensimmäinen alaviite.</span>' in result.html
    assert '<span class="footnote">Toinen alaviite, <em>kursiivilla</em>.</span>' in result.html
    assert 'class="footnote"' in result.html and "footnote-ref" not in result.html
    assert '<div class="footnote">' not in result.html


def test_page_reference_and_inventory():
    result = all_features()
    assert '<a class="pageref" href="#toinen">s.\u00a0</a>' in result.html
    assert [(link.target, link.pageref) for link in result.links] == [("toinen", True)]


def test_heading_ids_explicit_and_generated():
    result = all_features()
    assert [(h.level, h.id) for h in result.headings] == [
        (2, "toinen"),
        (3, "ominaisuudet-alaotsikko-ilman-tunnusta"),
        (4, "pieni-tehtava"),  # an exercise's heading, one below the section's
    ]


def test_tables_definition_lists_and_markdown_in_html():
    html = all_features().html
    assert "<table>" in html and "<th>Väittämä</th>" in html
    assert (
        '<td align="right">62\u00a0%</td>' in html
        or '<td style="text-align: right;">62\u00a0%</td>' in html
    )
    assert "<dl>" in html and "<dt>Termi</dt>" in html
    assert '<div class="laatikko">' in html and "<strong>Markdownia</strong>" in html


def test_finnish_typography_in_text():
    assert "”lainaus”" in all_features().html
    assert "45\u00a0%" in all_features().html


def test_slugify_is_ascii():
    assert slugify("Mitä asiakkaat kertoivat?") == "mita-asiakkaat-kertoivat"
    assert slugify("!!!") == "osio"


def test_words_in_another_language_are_marked_and_not_hyphenated():
    from workbook.markup.hyphenation import hyphenator_for

    source = (
        "Teos [Service Design Thinking]{lang=en}, *Biblioteksbladet*{lang=sv} ja "
        "[linkki](#x){lang=de} sekä kehittämishankkeeseen.\n\nKokonaan toisella kielellä.\n"
        "{lang=en-GB}\n\nTavallinen [hakasulku] ja [[#x]]."
    )
    result = convert(source, id_prefix="k", hyphenator=hyphenator_for("fi"))
    assert '<span lang="en">Service Design Thinking</span>' in result.html
    assert '<em lang="sv">Biblioteksbladet</em>' in result.html
    assert '<a href="#x" lang="de">linkki</a>' in result.html
    assert '<p lang="en-GB">Kokonaan toisella kielellä.</p>' in result.html
    assert "[haka\u00adsulku]" in result.html  # brackets without {lang=…} stay text
    assert "kehit\u00adtämis\u00adhank" in result.html  # Finnish is hyphenated, the rest is not
    assert "\u00ad" not in "".join(w.text for w in result.foreign)
    assert [(w.lang, w.tag) for w in result.foreign] == [
        ("en", "span"),
        ("sv", "em"),
        ("de", "a"),
        ("en-GB", "p"),
    ]
