"""The total-fit line breaker: a paragraph's flow, its breaks and its layout."""

from __future__ import annotations

from itertools import pairwise

import pytest

from conftest import REPO
from workbook.render import linebreak
from workbook.render.linebreak import Paragraph, choose
from workbook.render.lineflow import NBSP, SOFT_HYPHEN, apply_breaks, source_flow
from workbook.render.makeup import Plan, _lines, apply, number_paragraphs, settle

SHY = SOFT_HYPHEN

# Set greedily in a 70 mm column, this paragraph ends five lines of six in a hyphen.
TEXT = (
    "Kir-jas-ton asiak-kaat ar-vioi-vat pal-ve-lun laa-dun vuo-sit-tain ky-se-lys-sä, ja "
    "tu-lok-set kes-kus-tel-laan yh-des-sä hen-ki-lö-kun-nan kans-sa. Asia-kas-pal-ve-lu on "
    "kir-jas-ton tär-kein teh-tä-vä: jo-kai-nen koh-taa-mi-nen näyt-tää, mil-lai-nen "
    "paik-ka kir-jas-to on."
).replace("-", SHY)


def column(text: str):
    from weasyprint import HTML

    font = REPO / "styles/fonts/charis/CharisSIL-Regular.ttf"
    css = (
        f"@font-face {{ font-family: C; src: url({font.as_uri()}); }}"
        "p { font: 10pt C; width: 70mm; text-align: justify; hyphens: manual;"
        " word-spacing: -0.04em; margin: 0 }"
    )
    return HTML(string=f"<style>{css}</style>{text}").render()


def ratio(line) -> float:
    """The widest word space of a laid-out justified line over the font's own space."""
    from weasyprint.formatting_structure import boxes

    widest = 0.0
    for box in line.box.descendants():
        if isinstance(box, boxes.TextBox) and (" " in box.text or NBSP in box.text):
            style = box.style
            space = linebreak.SPACE_EM * style["font_size"]
            letters = style["letter_spacing"]
            used = space + style["word_spacing"] + box.justification_spacing
            used += letters if isinstance(letters, int | float) else 0
            widest = max(widest, used / space)
    return widest


def runs(hyphenated: list[bool]) -> int:
    longest = current = 0
    for flag in hyphenated:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def test_the_flow_collapses_spaces_across_tags_and_leaves_footnotes_out():
    part = (
        '<p data-p="1">Yksi  <em>kaksi</em>\n kol&shy;me<span class="footnote">Alaviite '
        "tässä.</span> &amp; neljä </p>"
    )
    flow = source_flow(part)
    assert flow.text == f"Yksi kaksi kol{SHY}me & neljä"
    assert flow.kinds == ["space", "space", "shy", "space", "space"]
    assert source_flow('<p data-p="1">Rivi<br>toinen</p>') is None
    assert source_flow('<li data-p="1">Kohta<ul><li>Ala</li></ul></li>') is None


def test_breaks_glue_the_other_spaces_and_drop_the_other_soft_hyphens():
    part = f'<p data-p="1">Alku ja  <em>kir{SHY}jas{SHY}to</em> loppu.</p>'
    flow = source_flow(part)
    # openings: space, space (two characters, one across a tag), hyphen, hyphen, space
    out = apply_breaks(part, flow, [3])
    assert out == f'<p data-p="1">Alku{NBSP}ja{NBSP}<em>kirjas{SHY}to</em>{NBSP}loppu.</p>'


def _paragraph(atoms: list[float], kinds: str, lines: int, turns=frozenset()) -> Paragraph:
    """A paragraph of *atoms* between openings *kinds* (" " a space, "-" a soft
    hyphen), spaces 3 px, hyphens 2 px, a 100 px measure."""
    count = len(kinds)
    return Paragraph(
        atoms=atoms,
        letters=[5] * len(atoms),
        kinds=["space" if k == " " else "shy" for k in kinds],
        spaces=[3.0 if k == " " else 0.0 for k in kinds],
        hyphens=[2.0 if k == "-" else 0.0 for k in kinds],
        normal=3.5,
        size=12.0,
        ligated=[False] * len(atoms),
        first=100.0,
        measure=100.0,
        lines=lines,
        turns=frozenset(turns),
        chosen=tuple(range(count)),
    )


def test_the_breaker_prefers_even_spaces_to_a_hyphen_and_never_overfills_a_line():
    # Two lines: break at the space after 3 words (93 px + slack) or hyphenate word 4.
    paragraph = _paragraph([30, 30, 30, 20, 20, 30], "  - ", lines=2)
    _, breaks = choose(paragraph)
    assert breaks == (2,)  # the hyphen would cost more than three spaces stretched a little


def test_a_hyphen_is_preferred_to_a_line_twice_as_loose_as_allowed(monkeypatch):
    # Two lines: four words (64 px, spaces over 3x normal) or a hyphen after the
    # fifth (spaces about 1.6x). A line's cost grows steeply past the widest spaces.
    paragraph = _paragraph([12, 12, 20, 20, 8, 25, 8], "    - ", lines=2)

    def spaces(breaks: tuple[int, ...]) -> float:
        line = linebreak._candidate(paragraph, linebreak._Sums.of(paragraph), -1, breaks[0])
        return linebreak.settle(paragraph, line, paragraph.measure)[0]

    breaks = choose(paragraph)[1]
    assert breaks == (4,) and spaces(breaks) < 1.6
    monkeypatch.setattr(linebreak, "LOOSE_SLOPE", 0.0)  # without the slope: the loose line
    breaks = choose(paragraph)[1]
    assert breaks == (3,) and spaces(breaks) > 3.0


def test_the_breaker_obeys_page_turns_and_fragments():
    # Best in two lines with a hyphen (the first line full, the second "30 10")...
    atoms, kinds = [43, 40, 8, 30, 10], "  - "
    assert choose(_paragraph(atoms, kinds, lines=2))[1] == (2,)
    # ...but not when its first line ends a page: then a loose line instead.
    assert choose(_paragraph(atoms, kinds, lines=2, turns={0}))[1] == (1,)
    # Nor when the paragraph would end on the fragment "30".
    assert choose(_paragraph(atoms[:4], kinds[:3], lines=2))[1] == (1,)


def test_a_paragraph_is_broken_as_a_whole_and_its_lines_come_out_as_planned():
    html = number_paragraphs(f"<body><p>{TEXT}</p></body>")
    greedy = _lines(column(html))
    assert runs([ln.hyphenated for ln in greedy]) == 5
    document, plan = settle(html, Plan(), column)
    assert plan.breaks["1"][1] is not None
    lines = _lines(document)
    hyphenated = [ln.hyphenated for ln in lines]
    assert sum(hyphenated) <= 2 and runs(hyphenated) <= 2 and len(lines) <= len(greedy)
    # and no loose line: what hyphens cannot save, tighter spaces and tracking do
    assert all(ratio(line) <= linebreak.WIDE + 0.01 for line in lines[:-1])
    # The next review finds the paragraph as planned: nothing to change.
    from workbook.render.makeup import review_breaks

    assert review_breaks(document, plan, html, 2) == {}


def test_lines_found_as_planned_are_not_measured_again_on_the_same_pages(monkeypatch):
    from workbook.render.makeup import review_breaks

    html = number_paragraphs(f"<body><p>{TEXT}</p></body>")
    document, plan = settle(html, Plan(), column)
    assert review_breaks(document, plan, html, 2) == {}
    measured: list[object] = []
    real = linebreak.measure
    monkeypatch.setattr(linebreak, "measure", lambda *a: measured.append(a) or real(*a))
    assert review_breaks(document, plan, html, 2) == {}  # its boxes: pages put into a book
    assert measured == []
    assert review_breaks(column(apply(html, plan)), plan, html, 2) == {}
    assert len(measured) == 1  # a new layout of the paragraph is measured
    digest, chosen, _ = plan.breaks["1"]
    review_breaks(document, Plan(breaks={"1": (digest, chosen, ())}), html, 2)
    assert len(measured) == 2  # another plan entry: measured again


def test_a_paragraph_broken_again_just_as_planned_is_not_broken_again_on_the_same_pages(
    monkeypatch,
):
    from workbook.render.makeup import review_breaks

    html = number_paragraphs(f"<body><p>{TEXT}</p></body>")
    _, plan = settle(html, Plan(), column)
    chosen: list[object] = []
    real = linebreak.choose
    monkeypatch.setattr(linebreak, "misfits", lambda *a: True)  # as if a line did not fit
    monkeypatch.setattr(linebreak, "choose", lambda *a: chosen.append(a) or real(*a))
    fresh = column(apply(html, plan))
    assert review_breaks(fresh, plan, html, 2) == {}  # broken again: the same breaks
    assert review_breaks(fresh, plan, html, 2) == {}
    assert len(chosen) == 1


def test_a_paragraph_whose_lines_do_not_come_out_as_planned_goes_to_the_greedy_breaker():
    from workbook.render.makeup import _flow, _paragraph_spans, review_breaks

    html = number_paragraphs(f"<body><p>{TEXT}</p></body>")
    ((_, start, end),) = _paragraph_spans(html)
    digest = _flow(html[start:end]).digest
    wrong = Plan(breaks={"1": (digest, (0, 1, 2, 3, 4), ())})  # the layout breaks elsewhere
    assert review_breaks(column(html), wrong, html, 2) == {"1": (digest, None, ())}


def test_lines_are_measured_as_the_renderer_sets_them():
    html = number_paragraphs(f"<body><p>{TEXT}</p></body>")
    lines = _lines(column(html))
    from workbook.render.makeup import _flow, _paragraph_spans

    ((_, start, end),) = _paragraph_spans(html)
    measured = linebreak.measure(
        _flow(html[start:end]), [ln.box for ln in lines], linebreak.Widths()
    )
    assert measured is not None and measured.lines == len(lines)
    # each greedy line's natural width, from the measures, fits its measure
    chosen = (-1, *measured.chosen)
    for a, b in pairwise(chosen):
        width = sum(measured.atoms[a + 1 : b + 1]) + sum(measured.spaces[a + 1 : b])
        width += measured.hyphens[b]
        assert measured.measure - 25 < width <= measured.measure + 0.01


def test_a_line_a_little_too_wide_is_set_tighter_rather_than_hyphenated(monkeypatch):
    # Three words, the third "15-14": 96 px with two 3 px spaces, over the 95.3 px
    # measure. The spaces may shrink to TIGHT x normal (2.52 px), so the line takes
    # the whole word rather than its hyphen (which would leave it loose).
    paragraph = _paragraph([32, 29, 15, 14, 30], "  - ", lines=2)
    paragraph.first = paragraph.measure = 95.3
    _, breaks = choose(paragraph)
    assert breaks == (3,)
    ((letter, word),) = linebreak.line_settings(paragraph, breaks)
    assert letter == 0.0 and word < 0  # the spaces, not the letters
    # Set that way, the line is no wider than its measure less the margin kept free.
    assert 96 + word * 12 * 2 <= 95.3 - linebreak.SHRINK_MARGIN
    # Neither shrunk nor tracked, the same line does not fit: the hyphen it is.
    paragraph.limits = linebreak.Spacing.within(0.84, linebreak.WIDE)  # spaces 0.86x
    monkeypatch.setattr(linebreak, "TRACK", 0.0)
    assert choose(paragraph)[1] == (2,)


def test_the_word_space_limits_follow_the_preflight_s():
    assert linebreak.Spacing.within(0.7, 1.5) == linebreak.Spacing()  # the defaults
    assert linebreak.Spacing.within(0.8, 1.2) == linebreak.Spacing(0.82, 1.2)
    assert linebreak.Spacing.within(1.0, 1.0) == linebreak.Spacing(1.0, 1.0)  # never crossed


def _ratios(limits: linebreak.Spacing | None) -> list[float]:
    html = number_paragraphs(f"<body><p>{TEXT}</p></body>")
    document, _ = settle(html, Plan(), column, limits=limits)
    return [ratio(line) for line in _lines(document)[:-1]]


def test_a_paragraph_keeps_its_word_spaces_within_the_publication_s_limits():
    default = _ratios(None)
    assert max(default) > 1.3 and min(default) < 0.85  # what the breaker's own allow
    assert max(_ratios(linebreak.Spacing.within(0.7, 1.2))) <= 1.2 + 0.01
    assert min(_ratios(linebreak.Spacing.within(0.9, 1.5))) >= 0.92 - 0.01


def test_the_renderer_hands_the_word_space_limits_to_the_breaker(tmp_path):
    from workbook.config.editions import VARIANTS
    from workbook.render.pdf import render_pdf

    font = (REPO / "styles/fonts/charis/CharisSIL-Regular.ttf").as_uri()
    html = (
        '<html lang="fi"><head><title>Kirja</title><style>'
        f"@font-face {{ font-family: C; src: url({font}); }}"
        "p { font: 10pt C; width: 70mm; text-align: justify; hyphens: manual;"
        f" word-spacing: -0.04em; margin: 0 }}</style></head><body><p>{TEXT}</p></body></html>"
    )
    found: list[float] = []

    def measured(document) -> None:
        found.extend(ratio(line) for line in _lines(document)[:-1])

    render_pdf(html, base=tmp_path, variant=VARIANTS["screen"], allowed=[REPO / "styles"],
               source=tmp_path, word_spaces=(0.7, 1.2), inspect=measured)  # fmt: skip
    assert found and max(found) <= 1.2 + 0.01


def test_a_line_that_would_be_loose_is_tracked_by_at_most_its_range():
    # Three words, then one too long for the line: the first line's spaces would be
    # 4.6 x normal; tracking takes up what it may (60 characters at TRACK em).
    paragraph = _paragraph([30, 30, 20, 95], "   ", lines=2)
    paragraph.letters = [20, 20, 20, 5]
    _, breaks = choose(paragraph)
    ((letter, word),) = linebreak.line_settings(paragraph, breaks)
    assert letter == linebreak.TRACK and word == 0.0
    # an f-ligature in the line: it is not tracked (Pango would set it letter by letter)
    paragraph.ligated = [False, True, False, False]
    assert linebreak.line_settings(paragraph, breaks) == (None,)


def test_line_settings_wrap_each_run_of_a_line_with_its_ending_space():
    part = (
        f'<p data-p="1">Yksi <em>kaksi</em> kol{SHY}me<span class="footnote">Alaviite '
        "tässä.</span> neljä viisi.</p>"
    )
    flow = source_flow(part)
    # openings: space, space, soft hyphen, space, space; lines end at 1 and 2
    out = apply_breaks(part, flow, [1, 2], [(0.002, -0.05), (-0.004, -0.06)])
    one = '<span class="wb-line" style="letter-spacing:0.002em;word-spacing:-0.0500em">'
    two = '<span class="wb-line" style="letter-spacing:-0.004em;word-spacing:-0.0600em">'
    assert out == (
        f'<p data-p="1">{one}Yksi{NBSP}</span><em>{one}kaksi</em>'.replace("</em>", "</span></em>")
        + f"{one} </span>{two}kol</span>{SHY}me"
        + f'<span class="footnote">Alaviite tässä.</span>{NBSP}neljä{NBSP}viisi.</p>'
    )


def test_a_shrunk_line_stays_whole_across_a_dash_inside_it():
    # The renderer breaks an overflowing line at the last opening inside the box
    # that overflows: the line's span must hold its ending space, or a line set
    # tighter than its natural width would break after the dash of "touko–kesäkuussa"
    # (a place the renderer may break and the breaker does not offer).
    from workbook.render.makeup import _paragraph_spans

    words = ["Tämä", "kirja", "kertoo", "touko–kesäkuussa", "tehdyistä", "kirjastojen", "työstä"]
    alone = number_paragraphs(f"<body><p style='width: 900px'>{' '.join(words)}</p></body>")
    natural = _lines(column(alone))[0].box.children[0].width
    rest = "palvelusta ja sen kehittämisestä yhdessä henkilöstön kanssa."
    html = number_paragraphs(
        f"<body><p style='width: {natural - 2:.2f}px'>{' '.join(words)} {rest}</p></body>"
    )
    ((_, start, end),) = _paragraph_spans(html)
    flow = source_flow(html[start:end])
    # the next line is set apart too (the fault needs a span after the break)
    breaks = [len(words) - 1, len(words) + 2]
    part = apply_breaks(html[start:end], flow, breaks, [(0.0, -0.1), (0.0, -0.05)])
    lines = _lines(column(html[:start] + part + html[end:]))
    assert lines[0].text.replace(NBSP, " ").split() == words


def test_a_line_may_end_after_a_hard_hyphen_and_nowhere_else_in_the_word():
    part = '<p data-p="1">Keski-Suomen ja PiKe-kirjastojen väki</p>'
    flow = source_flow(part)
    assert flow.kinds == ["hard", "space", "space", "hard", "space"]
    out = apply_breaks(part, flow, [3])  # the line ends at "PiKe-"
    assert out == f'<p data-p="1">Keski-\u2060Suomen{NBSP}ja{NBSP}PiKe-kirjastojen{NBSP}väki</p>'


def test_a_paragraph_the_renderer_broke_at_a_hard_hyphen_is_measured_and_set():
    from workbook.render.makeup import review_breaks

    words = (
        "Pirkanmaan ja Keski-Suomen yleisten kirjastojen yhteistoiminta-alue eli "
        "PiKe-kirjastot kokosi asiakaspalvelun kehittämis-, koulutus- ja "
        "tiedotustyön saman katon alle kahden vuoden ajaksi."
    )
    ends = set()
    for width in range(230, 330, 9):  # measures at which the lines end differently
        html = number_paragraphs(f"<body><p style='width: {width}px'>{words}</p></body>")
        greedy = _lines(column(html))
        document, plan = settle(html, Plan(), column)
        assert plan.breaks["1"][1] is not None, width  # measured, not left to the greedy
        assert review_breaks(document, plan, html, 2) == {}  # and came out as planned
        ends |= {line.text.rstrip()[-1] for line in _lines(document)[:-1]}
        ends |= {"greedy" + line.text.rstrip()[-1] for line in greedy[:-1]}
    # The greedy breaker ended lines at hard hyphens, and so did the total-fit one.
    assert {"greedy-", "-"} <= ends


def test_a_tight_line_next_to_a_loose_one_costs_more(monkeypatch):
    # The paragraph in an 84 mm column: without the cost of unlike neighbours, two
    # lines sit two classes from the line before them (a tight line under a loose
    # one); with it, none does.
    from workbook.render.makeup import _flow, _paragraph_spans

    html = number_paragraphs(f"<body><p style='width: 84mm'>{TEXT}</p></body>")
    ((_, start, end),) = _paragraph_spans(html)
    lines = _lines(column(html))
    measured = linebreak.measure(
        _flow(html[start:end]), [ln.box for ln in lines], linebreak.Widths()
    )

    def jumps(breaks: tuple[int, ...]) -> int:
        sums, classes = linebreak._Sums.of(measured), []
        for index, (a, b) in enumerate(pairwise([-1, *breaks])):
            line = linebreak._candidate(measured, sums, a, b)
            measure = measured.first if index == 0 else measured.measure
            classes.append(linebreak._line_cost(measured, line, measure)[1])
        return sum(abs(x - y) > 1 for x, y in pairwise(classes))

    even = choose(measured)[1]
    monkeypatch.setattr(linebreak, "ADJACENT_COST", 0.0)
    uneven = choose(measured)[1]
    assert jumps(uneven) == 2 and jumps(even) == 0


def test_a_plan_made_for_a_wider_first_line_is_broken_again_where_it_overflows():
    # Broken for a paragraph without an indent, then laid out with one (a moved float
    # changes what the paragraph follows): its first line no longer fits. The line
    # box grows with what overflows it; the measure is still the column's.
    from workbook.render.makeup import review_breaks

    html = number_paragraphs(f"<body><p>{TEXT}</p></body>")
    _, plan = settle(html, Plan(), column)
    indented = apply(html, plan).replace("<p ", '<p style="text-indent: 12mm" ', 1)
    document = column(indented)
    lines = _lines(document)
    assert lines[0].box.width > lines[0].room  # the planned first line overflows
    assert lines[0].room == lines[1].room == lines[1].box.width  # 70 mm
    flow = source_flow(indented[indented.index("<p ") : indented.index("</p>") + 4])
    boxes = [line.box for line in lines]
    measured = linebreak.measure(flow, boxes, linebreak.Widths(), lines[0].room)
    assert measured.measure == lines[0].room
    assert measured.first == pytest.approx(lines[0].room - 12 * 96 / 25.4)
    changed = review_breaks(document, plan, html, 2)
    assert "1" in changed and changed["1"] != plan.breaks["1"]
