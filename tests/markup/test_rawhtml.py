"""Raw HTML in chapters: the nh3 allowlist, balance, nesting; lines; addresses as links."""

from __future__ import annotations

import pytest

from workbook.markup.chapter import convert, nested_too_deep
from workbook.markup.rawhtml import check_chapter, link_refusal
from workbook.markup.urls import BREAK, _pieces


def refused(body: str, nesting: int = 8) -> list[tuple[int, str]]:
    return [(r.line, r.message) for r in check_chapter(body, nesting)]


@pytest.mark.parametrize(
    "body",
    [
        "H<sub>2</sub>O ja m<sup>2</sup>, <abbr title='Kirjastolaki'>KL</abbr>.",
        '<span lang="en">library</span><br>rivi',
        '<div class="huomio" markdown="1">\n**Huom!**\n</div>',
        "<table><tr><th scope='col'>A</th></tr><tr><td colspan='2'>b</td></tr></table>",
        '<a href="https://kirjastot.fi/">linkki</a> ja <a href="mailto:a@b.fi">posti</a>',
        "<!-- muistiinpano <b> -->",
        "Koodina `<script>` ja\n\n```\n<iframe>\n```\n",
        "Osoite <https://kirjastot.fi/> ja <nimi@kirjasto.fi>, ja \\<b> kirjaimin.",
        "a < b ja c > d",
    ],
)
def test_allowed_html_passes(body):
    assert refused(body) == []


@pytest.mark.parametrize(
    ("body", "line", "says"),
    [
        ('Teksti <span style="color: red">x</span>.', 1, "attribute 'style' of <span>"),
        ("\n<script>alert(1)</script>", 2, "'<script>' is not allowed"),
        ('<img src="kuva.png" alt="k">', 1, "'<img>' is not allowed"),
        ('<input type="text">', 1, "'<input>' is not allowed"),
        ("<iframe src='x'></iframe>", 1, "'<iframe>' is not allowed"),
        ("<mark>keltainen</mark>", 1, "'<mark>' is not allowed"),
        ("<h1>Otsikko</h1>", 1, "'<h1>' is not allowed"),
        ('<a href="javascript:alert(1)">x</a>', 1, "link to 'javascript:'"),
        ('<p onclick="x()">t</p>', 1, "attribute 'onclick' of <p>"),
        ('<a rel="attachment" href="x.pdf">liite</a>', 1, "attribute 'rel' of <a>"),
        ("ennen\n\n<table>\n<tr><td>solu</td>\n\nloput", 3, "'<table>' is not closed"),
        ("<b><i>x</b></i>", 1, "'<i>' is not closed before '</b>'"),
        ("</div>", 1, "'</div>' closes no open tag"),
    ],
)
def test_refused_html_names_its_line(body, line, says):
    found = refused(body)
    assert found and found[0][0] == line and says in found[0][1], found


def test_html_nested_deeper_than_the_limit():
    body = "<div>" * 5 + "x" + "</div>" * 5
    assert refused(body, nesting=8) == []
    assert "nested 5 deep, more than 4" in refused(body, nesting=4)[0][1]


def test_markdown_links_and_attributes_are_judged_too():
    markup = convert(
        "[x](javascript:alert(1))\n\nKappale.\n{: style='color: red' }\n",
        id_prefix="t",
        hyphenator=None,
        first_line=10,
    )
    assert [(p.line, p.message.split(" is ")[0]) for p in markup.problems] == [
        (10, "link to 'javascript:'"),
        (12, "attribute 'style'"),
    ]
    assert link_refusal("https://kirjastot.fi") is None and link_refusal("#id") is None


def test_hash_heading_and_skipped_level_are_refused_with_their_lines():
    markup = convert(
        "Teksti.\n\n# Väärä\n\n## Oikea\n\n#### Liian syvä\n", id_prefix="t", hyphenator=None
    )
    assert [(p.line, p.message[:20]) for p in markup.problems] == [
        (3, "a '#' heading ('Väär"),
        (7, "heading level 4 ('##"),
    ]


def test_blocks_carry_their_chapter_line():
    body = "## Osio\n\nEnsimmäinen kappale.\n\n- kohta\n- toinen\n\n> lainaus\n"
    html = convert(body, id_prefix="t", hyphenator=None, source_name="chapters/a.md").html
    for tag, line in (("h2", 1), ("p", 3), ("ul", 5), ("blockquote", 8)):
        assert f'<{tag} data-src="chapters/a.md:{line}"' in html, html
    assert "data-src" not in convert(body, id_prefix="t", hyphenator=None).html


def test_lists_and_quotes_nested_too_deep():
    assert nested_too_deep(["- a", "    - b", "        - c"], 2) == (3, 3)
    assert nested_too_deep(["> > > x"], 2) == (1, 3)
    assert nested_too_deep(["- + plus"], 1) == (1, 2)
    assert nested_too_deep(["```", "> > > > code", "```"], 2) is None
    markup = convert("> " * 300 + "syvällä", id_prefix="t", hyphenator=None, nesting=8)
    assert markup.html == "" and "nested 300 deep" in markup.problems[0].message


def test_bare_addresses_become_links_that_break_only_after_slash_or_dot():
    body = (
        "Lähde: https://pikeextra.wordpress.com/2019/kehittaminen--kirjastoissa/. "
        "Palaute: palaute@kirjasto.example.fi, ja www.kirjastot.fi."
    )
    html = convert(body, id_prefix="t", hyphenator=None).html
    assert 'href="https://pikeextra.wordpress.com/2019/kehittaminen--kirjastoissa/"' in html
    assert 'href="mailto:palaute@kirjasto.example.fi"' in html
    assert 'href="https://www.kirjastot.fi"' in html
    link = html.split('class="url"', 1)[1].split("</a>")[0]
    assert "\u00ad" not in link and "–" not in link  # no soft hyphen, no typography
    assert '<span style="white-space: nowrap">kehittaminen--kirjastoissa/</span>' in link
    assert link.count("<span") == 1  # only a piece with a hyphen needs one
    assert _pieces("https://a.fi/b-c/d") == ["https://", "a.", "fi/", "b-c/", "d"]
    assert BREAK in link


def test_address_inside_a_link_is_left_alone():
    html = convert("[https://a.fi/](https://a.fi/)", id_prefix="t", hyphenator=None).html
    assert html.count("<a ") == 1
