"""Page make-up checks: one clean book, and one failing fixture per check.

The fixtures are pages as :mod:`workbook.preflight.textlines` reads them
(lines of runs with font, size and position), so each case is exactly the
fault it is named after; the sample book's build checks the same rules on real
PDFs (tests/pipeline).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook.config.publication import PageFormat, Preflight
from workbook.preflight.facts import OutlineEntry, PageFacts, PdfFacts
from workbook.preflight.layout import MM
from workbook.preflight.makeup import check_makeup
from workbook.preflight.textlines import Frame, Line, PageText, Run

FMT = PageFormat()
WIDTH, HEIGHT = 170 * MM, 240 * MM
LEADING = 14.2


def area(number: int) -> tuple[float, float, float, float]:
    m = FMT.margins
    left = m.inner if number % 2 else m.outer
    right = m.outer if number % 2 else m.inner
    return left * MM, m.top * MM, WIDTH - right * MM, HEIGHT - m.bottom * MM


def body(number: int, row: int, text: str = "sanoja ja sanoja", *, short=False, indent=0.0,
         spaces=1.1, font="Charis", size=10.0) -> Line:  # fmt: skip
    x0, top, x1, _ = area(number)
    end = x0 + 120 if short else x1
    count = text.count(" ")
    run = Run(font, size, x0 + indent, end, top + 10 + row * LEADING, text, (spaces,) * count)
    return Line([run])


def full_page(number: int, rows: int = 38, start: int = 0) -> list[Line]:
    """A page of justified text: paragraphs of four lines, the last one short."""
    lines = []
    for row in range(start, rows):
        first = row % 4 == 0
        last = row % 4 == 3
        lines.append(body(number, row, short=last, indent=12.0 if first else 0.0))
    return lines


def book(texts: dict[int, PageText], pages: int = 4) -> tuple[PdfFacts, list[PageText]]:
    """A chapter opening on p. 1 and running to *pages*; pages not given are full."""
    facts_pages, all_texts = [], []
    for number in range(1, pages + 1):
        text = texts.get(number) or PageText(number, full_page(number), [], [], 0)
        facts_pages.append(
            PageFacts(number, (0, 0, WIDTH, HEIGHT), None, None, (), (), paints=True)
        )
        all_texts.append(text)
    outline = [OutlineEntry("1 Luku", 1, 1)]
    return PdfFacts(Path("x.pdf"), b"", facts_pages, outline, {}), all_texts


def results(texts: dict[int, PageText], pages: int = 4) -> dict[str, str]:
    facts, all_texts = book(texts, pages)
    return {r.name: r.status for r in check_makeup(facts, all_texts, FMT, Preflight())}


def page(number: int, lines: list[Line], frames=(), shapes=()) -> PageText:
    return PageText(number, lines, list(frames), list(shapes), 0)


def test_clean_book_passes_every_check():
    assert set(results({}).values()) == {"pass"}


def test_half_empty_page_fails_fullness():
    assert results({2: page(2, full_page(2, rows=18))})["page-fullness"] == "warn"


def test_short_last_page_of_a_chapter_is_exempt():
    assert results({4: page(4, full_page(4, rows=8))})["page-fullness"] == "pass"


def test_footnote_after_the_page_turn_fails():
    lines = full_page(2)
    call = Run("Inter-Semi-Bold", 6.5, 200, 203, lines[5].baseline - 3.2, "1")
    lines[5].calls.append(call)
    lines = lines[:34]
    _, _, _, bottom = area(3)
    note = Line([
        Run("Inter-Semi-Bold", 7.0, area(3)[0], area(3)[0] + 6, bottom - 20, "1."),
        Run("Charis", 8.0, area(3)[0] + 8, area(3)[0] + 200, bottom - 20, "Huomautus."),
    ])  # fmt: skip
    got = results({2: page(2, lines), 3: page(3, [*full_page(3, rows=34), note])})
    assert got["footnote-pages"] == "warn"


@pytest.mark.parametrize("fault", ["hyphen-share", "sans-serif-hyphen"])
def test_too_many_hyphens_fail_the_share(fault):
    lines = full_page(2)
    if fault == "hyphen-share":
        for row in range(0, 38, 2):
            lines[row] = body(2, row, "sanoja ja sano\u2010")  # 19 of 76 lines: 25 %
    else:
        lines[-1] = body(2, 37, "Taulukon sarake\u2010", font="Inter", size=8.0)
    assert results({2: page(2, lines)}, pages=2)["hyphen-share"] == "warn"


def test_three_hyphens_in_a_row_fail():
    lines = full_page(2)
    for row in (5, 6, 7):
        lines[row] = body(2, row, "sanoja ja sano\u2010")
    assert results({2: page(2, lines)})["hyphen-runs"] == "warn"


def test_hyphen_at_the_foot_of_a_page_fails():
    lines = full_page(2)
    lines[-1] = body(2, 37, "sanoja ja sano\u2010")
    assert results({2: page(2, lines)})["hyphen-page-turns"] == "warn"


def test_paragraph_ending_on_a_fragment_fails():
    lines = full_page(2)
    lines[6] = body(2, 6, "sanoja ja sano\u2010")
    lines[7] = body(2, 7, "ja.", short=True)
    assert results({2: page(2, lines)})["hyphen-fragments"] == "warn"


def test_widow_at_the_top_of_a_page_fails():
    foot = full_page(2)
    foot[-1] = body(2, 37)  # the paragraph goes on
    top = [body(3, 0, short=True), *full_page(3, start=1)]
    top[1] = body(3, 1, indent=12.0)
    assert results({2: page(2, foot), 3: page(3, top)})["widows-orphans"] == "warn"


def test_empty_height_in_an_exercise_box_fails():
    x0, top, x1, _ = area(2)
    lines = full_page(2, rows=10)
    frame = Frame((x0, top + 150, x1, top + 150 + 80 * MM), 0.8)
    inside = body(2, 12, "Tehtävän ohje.")
    assert results({2: page(2, [*lines, inside], [frame])})["exercise-space"] == "warn"


def test_wide_word_spaces_fail():
    lines = full_page(2)
    lines[9] = body(2, 9, spaces=1.8)
    assert results({2: page(2, lines)})["word-spacing"] == "warn"


def test_narrow_word_spaces_fail():
    lines = full_page(2)
    lines[9] = body(2, 9, spaces=0.6)  # set tighter than preflight.word_space_min (0.7)
    assert results({2: page(2, lines)})["word-spacing"] == "warn"


def test_a_line_past_the_measure_fails_even_with_its_spaces_as_set():
    from dataclasses import replace

    lines = full_page(2)
    *_, right, _ = area(2)
    plain = body(2, 9).runs[0]  # the book's most common spaces: not judged as justified
    lines[9] = Line([replace(plain, x1=right + 0.5)])
    assert results({2: page(2, lines)})["line-ends"] == "warn"


def test_a_tightened_line_short_of_the_measure_fails():
    from dataclasses import replace

    lines = full_page(2)
    *_, right, _ = area(2)
    tight = body(2, 9, spaces=0.8).runs[0]  # justified tighter than most
    lines[9] = Line([replace(tight, x1=right - 0.5)])
    assert results({2: page(2, lines)})["line-ends"] == "warn"


def test_a_justified_line_off_the_measure_fails():
    from dataclasses import replace

    lines = full_page(2)
    *_, right, _ = area(2)
    stretched = body(2, 9, spaces=1.3).runs[0]  # justified: its spaces are wider than most
    past = replace(stretched, x1=right + 0.5)  # drawn past the measure
    lines[9] = Line([past])
    assert results({2: page(2, lines)})["line-ends"] == "warn"
