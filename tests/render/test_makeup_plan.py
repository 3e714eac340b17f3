"""The page make-up's changes to the HTML: floats moved, breaks taken out, pages started."""

from __future__ import annotations

import re

from workbook.render.floats import move_float
from workbook.render.makeup import Plan, _flow, apply, number_paragraphs
from workbook.render.writein import apply_lines

SHY = "\u00ad"
WORD = f"kir{SHY}jas{SHY}to"  # a word with two soft hyphens
CHAPTER = (
    "<body><section>\n<h2>Osio</h2>\n<p>Ensin teksti.</p>\n"
    '<figure class="chart" data-float="kuvio-a"><img src="x"><figcaption>Kuvio 1.</figcaption>'
    "</figure>\n<p>Toinen kappale.</p>\n<p>Kolmas kappale.</p>\n<h2>Seuraava</h2>\n"
    "<p>Muuta.</p>\n</section></body>"
)


def order(html: str) -> list[str]:
    return sorted(("Ensin", "Kuvio", "Toinen", "Kolmas", "Seuraava"), key=html.index)


def test_a_float_moves_past_the_next_paragraph():
    assert order(move_float(CHAPTER, "kuvio-a", 1)) == [
        "Ensin", "Toinen", "Kuvio", "Kolmas", "Seuraava",
    ]  # fmt: skip


def test_a_float_passes_a_heading_only_with_its_text_and_never_leaves_its_chapter():
    moved = move_float(CHAPTER, "kuvio-a", 3)
    assert order(moved) == ["Ensin", "Toinen", "Kolmas", "Seuraava", "Kuvio"]
    assert moved.index("Muuta.") < moved.index("Kuvio")  # not between a heading and its text
    assert move_float(CHAPTER, "kuvio-a", 9).index("Kuvio") < CHAPTER.index("</section>")


def area(name: str, lines: int) -> str:
    rules = '<div class="wb-rule"></div>' * lines
    return (
        f'<div class="wb-area wb-viivat" style="height: {lines * 8.5:g}mm">'
        f'<div class="wb-rules">{rules}</div>'
        f'<textarea class="wb-field wb-multiline" name="{name}"></textarea></div>'
    )


def test_write_in_areas_give_and_take_ruled_lines_with_their_height():
    html = area("tehtava-1-1", 3) + area("tehtava-6-1-2-1", 3) + area("tehtava-6-1-2-2", 3)
    out = apply_lines(html, {"tehtava-1-1": -1, "tehtava-6-1-2-*": 1})
    assert out == area("tehtava-1-1", 2) + area("tehtava-6-1-2-1", 4) + area("tehtava-6-1-2-2", 4)
    assert apply_lines(html, {"tehtava-1-1": -5}).startswith(area("tehtava-1-1", 2))  # minimum
    assert apply_lines(html, {"tehtava-1": 1, "tehtava-6-1": 1}) == html  # a field or a row


def test_a_refused_break_loses_its_soft_hyphens_in_that_paragraph_only():
    word = f"kir{SHY}jas{SHY}to"
    html = number_paragraphs(f"<body><p>{word} ja {word}</p><p>{word}</p></body>")
    out = apply(html, Plan(unbreak={("1", word, 1)}))
    assert out.count("kirjasto") == 1 and out.count(word) == 2
    assert "ja kirjasto</p>" in out


def test_a_pushed_paragraph_starts_a_page_with_its_heading():
    html = number_paragraphs("<body><p>Alku.</p>\n<h2 id='x'>Otsikko</h2>\n<p>Teksti.</p></body>")
    out = apply(html, Plan(pushed={"2"}))
    assert '<h2 style="break-before: page" id=' in out


def test_a_plan_survives_the_round_trip_and_ignores_junk():
    plan = Plan({("3", "sa", 0)}, {"kuvio-a": 2}, {"7"}, {"tehtava-1-4": -1})
    assert Plan.from_json(plan.to_json()) == plan
    assert Plan.from_json({"floats": {"x": "many"}, "unbreak": [[1]]}) == Plan()


def test_a_plan_keeps_its_line_breaks_and_reads_them_back_tolerantly():
    plan = Plan(breaks={"4": ("d1", (3, 9), ((-0.004, -0.07), None)), "9": ("d2", None, ())})
    assert Plan.from_json(plan.to_json()) == plan
    odd = {
        "1": ["d", [1], "bold"],
        "2": ["d", "3", []],
        "3": [1, None, []],
        "4": ["d", [2]],
        "5": ["d", [2], [[0.01]]],  # a setting of one value
        "6": ["d", [2], [None, None, None]],  # more settings than lines
    }
    assert Plan.from_json({"breaks": odd}).breaks == {}


def test_refused_breaks_of_many_paragraphs_land_on_their_own_paragraphs():
    word = WORD
    html = number_paragraphs("<body>" + f"<p>{word} ja {word}</p>" * 12 + "</body>")
    plan = Plan(unbreak={("1", word, 0), ("12", word, 1), ("2", word, 0)})
    out = apply(html, plan)
    paragraphs = out.split("</p>")[:12]
    plain = [n for n, text in enumerate(paragraphs, 1) if "kirjasto" in text]
    assert plain == [1, 2, 12]
    assert paragraphs[0].endswith(f"kirjasto ja {word}")
    assert paragraphs[11].endswith(f"{word} ja kirjasto")


def test_a_paragraph_broken_as_a_whole_gets_its_breaks_and_its_line_settings():
    html = number_paragraphs(f"<body><p>Alku ja {WORD} loppu.</p>\n<p>Teksti.</p></body>")
    first = _flow(re.search(r"<p [^>]*>.*?</p>", html)[0])
    # openings: space, space, soft hyphen, soft hyphen, space; break at the second hyphen
    setting = ((-0.004, -0.06),)
    plan = Plan(pushed={"2"}, breaks={"1": (first.digest, (3,), setting), "2": ("x", (), ())})
    out = apply(html, plan)
    span = '<span class="wb-line" style="letter-spacing:-0.004em;word-spacing:-0.0600em">'
    assert f'<p data-p="1">{span}Alku\xa0ja\xa0kirjas</span>{SHY}to\xa0loppu.' in out
    assert '<p style="break-before: page" data-p="2">' in out  # its text is not the plan's
    stale = Plan(breaks={"1": ("another text", (3,), setting)})
    assert apply(html, stale) == html


def test_paragraphs_are_numbered_per_chapter_so_an_edit_renumbers_only_its_own():
    def book(first: str) -> str:
        return (
            '<body><section class="contents"><p>Sisällys</p></section>'
            f'<section class="chapter layout-chapter" id="a">{first}<p>A.</p></section>'
            '<section class="chapter layout-chapter" id="b"><p>B.</p><ul><li>C.</li></ul>'
            "</section></body>"
        )

    def keys(html: str) -> list[str]:
        return re.findall(r' data-p="([^"]*)"', number_paragraphs(html))

    assert keys(book("")) == ["1", "a:1", "b:1", "b:2"]
    assert keys(book("<p>Uusi.</p>")) == ["1", "a:1", "a:2", "b:1", "b:2"]


def _chapters(*names: str) -> str:
    word = WORD
    return (
        "<html><head></head><body>"
        + "".join(
            f'<section class="chapter layout-chapter" id="{n}"><p>{word} ja {word}</p><p>{word}</p>'
            "</section>"
            for n in names
        )
        + "</body></html>"
    )


def scripted_rounds(html: str, found: list[set], layout):
    """The make-up's rounds, each review adding the next refused breaks of *found*."""
    from workbook.render.makeup import _Rounds

    class Scripted(_Rounds):
        def review(self, document, current, text):
            proposed = current.copy()
            proposed.unbreak |= found.pop(0)
            return proposed

    return Scripted(html, layout, 2, 15.0, None)


def test_the_rounds_lay_out_until_a_review_changes_nothing():
    html = number_paragraphs(_chapters("a", "b", "c"))
    texts: list[str] = []
    found = [{("a:1", WORD, 0)}, {("a:2", WORD, 0)}, set(), set()]

    def layout(text):
        texts.append(text)
        return ("book", text)

    document, plan, text = scripted_rounds(html, found, layout).run(Plan(), html, ("book", html))
    assert len(texts) == 2 and document == ("book", text) and found == [set()]
    assert text.count("kirjasto") == 2 and text == apply(html, plan)
    assert text.index("kirjasto") < text.index('id="b"')


def test_changed_chapters_are_named_and_a_change_outside_them_asks_for_the_book():
    from workbook.render.chapters import changed_chapters, chapters_document

    html = _chapters("a", "b", "c")
    edited = html.replace('id="b"><p>', 'id="b"><p>Uusi. ')
    assert changed_chapters(html, edited) == {"b"}
    assert changed_chapters(html, html.replace("<body>", "<body><p>Etusivu</p>")) is None
    alone = chapters_document(html, ["c", "a"], 5)
    assert alone.index('id="a"') < alone.index('id="c"') and 'id="b"' not in alone
    assert "counter-reset: page 5" in alone


def test_the_rounds_let_a_document_go_before_the_next_layout():
    import gc
    import weakref

    html = number_paragraphs(_chapters("a", "b", "c"))
    found = [{("a:1", WORD, 0)}, {("b:1", WORD, 0)}, set()]
    made: list[weakref.ref] = []

    class Document:  # like WeasyPrint's: held in reference cycles
        def __init__(self) -> None:
            self.me = self

    def layout(text):
        gc.collect()  # as render_pdf does before every layout but the first
        assert all(ref() is None for ref in made), "a reviewed document is still held"
        document = Document()
        made.append(weakref.ref(document))
        return document

    def first() -> Document:
        document = Document()
        made.append(weakref.ref(document))
        return document

    document, _, _ = scripted_rounds(html, found, layout).run(Plan(), html, first())
    assert len(made) == 3 and made[-1]() is document
