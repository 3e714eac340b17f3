"""Exercise syntax: each component parsed, each bad input named with file and line."""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES, chapter, make_publication
from workbook.errors import WorkbookError
from workbook.markup.exercises import (
    LINE_SPACING_MM,
    Analysis,
    Checklist,
    FacilitatorNote,
    LinePlacement,
    RatingScale,
    WriteIn,
    parse,
)
from workbook.pipeline.build import load_book


def _book(tmp_path, *names: str):
    chapters = {f"0{i}-{n}.md": FIXTURES / "chapters" / f"{n}.md" for i, n in enumerate(names, 1)}
    return load_book(make_publication(tmp_path, chapters))


def test_all_components_parse_to_typed_blocks(tmp_path):
    book = _book(tmp_path, "exercise-all-components")
    first, second, third = book.exercises
    assert [e.number for e in book.exercises] == [1, 2, 3]
    assert (first.id, first.title, first.label) == ("kaikki-osat", "Kaikki osat", "Tehtävä 1")
    write_in, checklist, note = first.blocks
    assert write_in == WriteIn(lines=4, prompt="Mitä opimme?")
    assert isinstance(checklist, Checklist) and checklist.count == "Ääniä"
    assert [(g.title, g.items) for g in checklist.groups] == [
        ("Ensimmäinen ryhmä", ("ensimmäinen kohta", "toinen kohta")),
        ("Toinen ryhmä", ("kolmas kohta",)),
    ]
    assert isinstance(note, FacilitatorNote)
    numeric, custom = second.blocks
    assert numeric == RatingScale(
        labels=("1", "2", "3", "4", "5"),
        statements=("Asiakastyytyväisyys", "Henkilöstön tyytyväisyys"),
        low="heikko",
        high="erinomainen",
    )
    assert numeric.description == "asteikko 1–5 (1 = heikko, 5 = erinomainen)"
    assert custom.labels == ("Ei vielä", "Kokeilussa", "Käytössä")
    two_marks, one_mark, analysis = third.blocks
    assert two_marks == LinePlacement(
        rows=(("Tiskillä.", "Asiakkaan luona."),), points=5, marks=("Nyt", "Tavoite")
    )
    assert one_mark.points == 7 and one_mark.marks == ("Nyt",)
    assert analysis == Analysis(
        rows=("Valinta", "Käyttö"), columns=("Tukee (+)", "Haittaa (–)"), lines=2
    )
    # an exercise without {#id} gets one from the chapter and its number
    assert third.id == "exercise-all-components-tehtava-3"


def test_exercise_numbers_run_on_across_chapters(tmp_path):
    config = make_publication(
        tmp_path,
        {
            "01-a.md": FIXTURES / "chapters" / "exercise-all-components.md",
            "02-b.md": chapter("B", "::: tehtävä Neljäs\n::: rivit 2\n:::\n:::"),
        },
    )
    book = load_book(config)
    assert [e.label for e in book.exercises][-1] == "Tehtävä 4"
    assert book.targets["kaikki-osat"].title == "Tehtävä 1\u00a0Kaikki osat"
    # field names are unique in the whole book
    names = [f.name for f in book.fields]
    assert len(names) == len(set(names)) and "tehtava-4-1" in names


def test_html_of_each_component(tmp_path):
    book = _book(tmp_path, "exercise-all-components")
    html = book.chapters[0].html.replace("\xad", "")  # without soft hyphens
    # the exercise box with its numbered heading one level below the section's
    assert '<h3 class="exercise-title" id="kaikki-osat"><span class="exercise-label">' in html
    # 4 ruled lines at the ruled-line spacing, under one multiline field
    assert f'style="height: {4 * LINE_SPACING_MM:g}mm"' in html
    # the write-in's 4 and the analysis' 2 rows x 2 columns x 2 lines; the notes page the rest
    assert html.count('<div class="wb-rule">') - _notes_lines(html) == 4 + 2 * 2 * 2
    assert _notes_lines(html) >= 15
    assert 'type="checkbox"' in html and 'title="Valitse: toinen kohta"' in html
    assert 'title="Ääniä: kolmas kohta"' in html
    # a rating row: the statement as a row header and a radio button per step
    assert '<th class="wb-statement" scope="row">Asiakastyytyväisyys</th>' in html
    assert html.count('name="tehtava-2-1-1"') == 5
    assert html.count('name="tehtava-3-1-1-tavoite"') == 5
    assert re.search(
        r'<div class="facilitator">\s*<p class="facilitator-label">Ohjaajalle</p>', html
    )
    assert '<div class="wb-notes wb-notes-pisteet">' in html


def _notes_lines(html: str) -> int:
    notes = html[html.index('<div class="wb-notes') :]
    return notes.count('<div class="wb-rule">')


def test_accessible_names_say_what_each_field_asks(tmp_path):
    book = _book(tmp_path, "exercise-all-components")
    labels = {f.name: f for f in book.fields}
    assert labels["tehtava-1-1"].label == "Mitä opimme?"
    assert labels["tehtava-1-2-2"].label == "Valitse: toinen kohta"
    scale = labels["tehtava-2-1-1"]
    assert scale.kind == "radio"
    assert scale.label == ("Asiakastyytyväisyys\u00a0– asteikko 1–5 (1 = heikko, 5 = erinomainen)")
    assert scale.options[2] == "Asiakastyytyväisyys: 3"
    line = labels["tehtava-3-1-1-nyt"]
    assert line.label.startswith("Tiskillä\u00a0– Asiakkaan luona. Nyt: kohta 1–5")
    assert labels["tehtava-3-3-2-1"].label == "Käyttö: Tukee (+)"
    assert all(f.label for f in book.fields)


@pytest.mark.parametrize(
    ("case", "line", "message"),
    [
        ("exercise-unknown-component", 6, "unknown block '::: lomake'"),
        ("exercise-negative-line-count", 8, "line count must be a whole number from 1 to 40"),
        ("exercise-scale-without-labels", 8, "'::: asteikko' needs a scale"),
        ("exercise-scale-with-one-label", 6, "'::: asteikko' needs a scale"),
        ("exercise-unclosed-block", 6, "'::: rivit' is not closed"),
        ("exercise-unclosed-exercise", 5, "exercise is not closed"),
        ("exercise-component-outside", 5, "'::: rivit' outside an exercise"),
        ("exercise-nested", 6, "an exercise cannot start inside another exercise"),
        ("exercise-unknown-parameter", 6, "'::: jana' has no parameter 'pisteet'"),
        ("exercise-line-without-two-ends", 8, "needs its two ends"),
        ("exercise-checklist-without-items", 6, "'::: tarkistuslista' has no items"),
        ("exercise-stray-close", 7, "':::' closes no block"),
        ("exercise-without-title", 5, "exercise has no title"),
        ("exercise-notes-page-inside", 6, "a notes page cannot be inside an exercise"),
    ],
)
def test_bad_exercise_names_file_and_line(tmp_path, case, line, message):
    with pytest.raises(WorkbookError) as caught:
        _book(tmp_path, case)
    error = caught.value
    assert error.path.name == f"01-{case}.md"
    assert error.line == line, str(error)
    assert message in error.message
    assert error.hint
    assert "\n" not in str(error)


def test_block_names_fold_finnish_letters():
    parsed = parse("::: TEHTAVA Otsikko\n::: Rivit 2\n:::\n:::")
    assert parsed.exercises[0].blocks == (WriteIn(lines=2),)


def test_code_fences_are_left_alone():
    parsed = parse("```\n::: tehtävä Ei tehtävä\n```\n")
    assert parsed.exercises == [] and "::: tehtävä" in parsed.text
