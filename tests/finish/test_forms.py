"""Exercises in the PDFs: sizes one can write in on paper, fillable accessible fields on screen.

One small publication (fixtures/chapters/exercise-all-components.md) is built in
all four editions; the press geometry is read from the drawing operations, the
e-version's form from the AcroForm and the structure tree.
"""

from __future__ import annotations

import io
import itertools
import shutil
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter

from conftest import FIXTURES, ghostscript_complaints, make_publication
from pdfgeometry import shapes
from workbook.config.editions import VARIANTS
from workbook.finish.forms import finish_forms
from workbook.markup.exercises import BOX_MM, LINE_SPACING_MM
from workbook.pipeline.build import BuildResult, build
from workbook.preflight import checks
from workbook.preflight.forms import check_form_fields, terminal_fields

RULE_K = (0.0, 0.0, 0.0, 0.45)  # palette "rule"
INK_K = (0.0, 0.0, 0.0, 1.0)  # palette "ink"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> BuildResult:
    root = tmp_path_factory.mktemp("exercises")
    config = make_publication(
        root, {"01-harjoitukset.md": FIXTURES / "chapters" / "exercise-all-components.md"}
    )
    return build(config, out_dir=root / "build", editions=list(VARIANTS), report=lambda _: None)


def _pdf(built: BuildResult, edition: str) -> Path:
    return next(e.path for e in built.editions if e.variant.name == edition)


def _press_shapes(built):
    with pikepdf.open(_pdf(built, "press")) as pdf:
        return [s for page in pdf.pages for s in shapes(page)]


def test_press_ruled_lines_are_spaced_for_handwriting(built):
    rules = sorted(
        (s for s in _press_shapes(built) if s.colour == RULE_K and s.width > 30),
        key=lambda s: (round(s.x0), s.y0),
    )
    cells = [s for s in rules if abs(s.height - LINE_SPACING_MM) < 0.05]
    # each ruled area is a column of cells, each closed by its rule; areas are
    # told apart by a gap of more than a line
    areas: list[list] = []
    for cell in cells:
        last = areas[-1][-1] if areas else None
        if last and abs(last.x0 - cell.x0) < 0.1 and cell.y0 - last.y0 < LINE_SPACING_MM + 1:
            areas[-1].append(cell)
        else:
            areas.append([cell])
    sizes = sorted(len(area) for area in areas)
    # the write-in's 4 lines, the analysis' 4 cells of 2 lines, a page of notes
    assert sizes[:5] == [2, 2, 2, 2, 4] and sizes[-1] >= 15, sizes
    gaps = [round(b.y1 - a.y1, 3) for area in areas for a, b in itertools.pairwise(area)]
    assert all(abs(g - LINE_SPACING_MM) < 0.05 for g in gaps), Counter(gaps)
    assert 8 <= LINE_SPACING_MM <= 9


def test_press_boxes_and_circles_are_big_enough_to_mark(built):
    drawn = _press_shapes(built)

    def outlines(curved: bool) -> list:
        return [
            s
            for s in drawn
            if s.colour == INK_K
            and s.curved is curved
            and abs(s.width - BOX_MM) < 0.05
            and abs(s.height - BOX_MM) < 0.05
        ]

    assert 4 <= BOX_MM <= 5
    assert len(outlines(curved=False)) == 3  # the checklist's three items
    # 2 statements x 5 steps + 1 x 3, and lines: 2 marks x 5 points + 1 x 7
    assert len(outlines(curved=True)) == 13 + 17


def test_press_paints_nothing_in_rgb_and_has_no_fields(built):
    data = _pdf(built, "press").read_bytes()
    assert checks.check_no_rgb(data).status == "pass"
    spaces = {s.space for s in _press_shapes(built)}
    assert spaces <= {"/DeviceCMYK"}, spaces
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/AcroForm" not in pdf.Root
        assert not any("/Annots" in page.obj for page in pdf.pages)


def test_screen_fields_have_expected_types_and_names(built):
    reader = PdfReader(_pdf(built, "screen"))
    fields = reader.get_fields()
    expected = built.book.fields
    assert {f.name for f in expected} == set(fields)
    kinds = {"text": "/Tx", "multiline": "/Tx", "checkbox": "/Btn", "radio": "/Btn"}
    for spec in expected:
        field = fields[spec.name]
        assert field["/FT"] == kinds[spec.kind], spec.name
        assert field["/TU"] == spec.label, spec.name
        flags = int(field.get("/Ff", 0))
        assert bool(flags & (1 << 12)) is (spec.kind == "multiline"), spec.name
        assert bool(flags & (1 << 15)) is (spec.kind == "radio"), spec.name
    counts = Counter(f.kind for f in expected)
    assert counts == {"multiline": 1 + 4 + 1, "checkbox": 3, "text": 3, "radio": 2 + 1 + 2 + 1}


def test_screen_checkbox_names_are_not_empty_and_groups_are_well_formed(built):
    with pikepdf.open(_pdf(built, "screen")) as pdf:
        acroform = pdf.Root.AcroForm
        # viewers draw the buttons' own appearances, not ones redrawn from /MK
        assert not acroform.get("/NeedAppearances", False)
        listed = {f.objgen for f in acroform.Fields}
        for name, field in terminal_fields(acroform):
            assert str(field.get("/TU", "")).strip(), name
            if "/Kids" in field:
                kids = list(field.Kids)
                assert len(kids) in (3, 5, 7)
                assert all("/T" not in kid and kid.objgen not in listed for kid in kids)
                assert len(field.Opt) == len(kids)
                assert all(str(kid.MK.CA) == "l" for kid in kids)
                pages = {kid.P.objgen for kid in kids}
                assert len(pages) == 1, f"{name}: a rating row split across pages"


def test_screen_every_field_is_reachable_from_the_structure_tree(built):
    data = _pdf(built, "screen").read_bytes()
    (result,) = check_form_fields(data)
    assert result.status == "pass", result.measured
    with pikepdf.open(io.BytesIO(data)) as pdf:
        order = []

        def walk(element, parent):
            if not isinstance(element, pikepdf.Dictionary):
                return
            if element.get("/Type") == "/OBJR" and element.Obj.Subtype == "/Widget":
                widget = element.Obj
                field = widget.get("/Parent", widget)
                order.append(str(field.T))
                assert parent.S == "/Form" and parent.P.S != "/NonStruct"
                return
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid, element)

        walk(pdf.Root.StructTreeRoot, None)
    # every field is met in the tree, in the reading order the book model gave them
    names = [f.name for f in built.book.fields]
    assert list(dict.fromkeys(order)) == names


def test_weasyprint_forms_fail_the_check_until_finished():
    from weasyprint import HTML

    html = (
        '<html lang="fi"><head><title>t</title></head><body><form>'
        '<p><label><input type="checkbox" name="a" style="appearance: auto">Kohta</label></p>'
        '<p><input type="radio" name="r" value="1" title="Väite: 1" style="appearance: auto">'
        '<input type="radio" name="r" value="2" title="Väite: 2" style="appearance: auto"></p>'
        "</form></body></html>"
    )
    raw = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    (before,) = check_form_fields(raw)
    assert before.status == "fail"
    assert "without an accessible name" in before.measured  # the checkbox nested in its label
    assert "Form elements under NonStruct" in before.measured
    assert "a button has a field name of its own" in before.measured
    from workbook.markup.worksheet import FormField

    with pikepdf.open(io.BytesIO(raw)) as pdf:
        fixed = finish_forms(
            pdf,
            [FormField("a", "checkbox", "Valitse: kohta"), FormField("r", "radio", "Väite")],
        )
        out = io.BytesIO()
        pdf.save(out)
    assert fixed.hoisted == 3 and fixed.radio_kids == 2
    (after,) = check_form_fields(out.getvalue())
    assert after.status == "pass", after.measured


def test_buttons_get_their_off_state_and_text_fields_an_appearance():
    """WeasyPrint draws only a button's "on" state and no text field: viewers that
    draw what the file holds (Ghostscript, printing) warned and drew nothing."""
    from weasyprint import HTML

    from workbook.markup.worksheet import FormField
    from workbook.preflight.forms import check_appearances

    html = (
        '<html lang="fi"><head><title>t</title></head><body><form>'
        '<p><input type="checkbox" name="a" title="Kohta" style="appearance: auto"></p>'
        '<p><input type="radio" name="r" value="1" title="Väite: 1" style="appearance: auto">'
        '<input type="radio" name="r" value="2" title="Väite: 2" style="appearance: auto"></p>'
        '<p><input type="text" name="t" title="Vastaus" style="appearance: auto"></p>'
        "</form></body></html>"
    )
    raw = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    before = check_appearances(raw)
    assert before.status == "fail"
    assert "button 'a' has no Off appearance" in before.measured
    assert any("text field 't' has no appearance" in d for d in before.details)
    assert before.pages == (1,)
    fields = [FormField("a", "checkbox", "Kohta"), FormField("r", "radio", "Väite")]
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        fixed = finish_forms(pdf, fields)
        out = io.BytesIO()
        pdf.save(out)
    assert fixed.drawn == 4  # a check box, two radio buttons, a text field
    after = check_appearances(out.getvalue())
    assert after.status == "pass", after.details
    assert "3 buttons with On and Off appearances, 1 text fields drawn" in after.measured


@pytest.mark.skipif(not shutil.which("gs"), reason="setup.sh installs ghostscript")
def test_ghostscript_draws_the_screen_fields_without_a_warning(built):
    assert ghostscript_complaints(_pdf(built, "screen")) == []


def test_screen_fields_can_be_filled_and_saved(built, tmp_path):
    path = _pdf(built, "screen")
    reader = PdfReader(path)
    writer = PdfWriter(clone_from=reader)
    values = {
        "tehtava-1-1": "Kohtaaminen sujuu, tiedonkulku ei.",
        "tehtava-1-2-1": "/on",
        "tehtava-1-2-1-maara": "4",
        "tehtava-2-1-1": "/3",  # the fourth step
        "tehtava-3-1-1-nyt": "/1",
    }
    for page in writer.pages:
        names = {
            str(annot.get_object().get("/T", annot.get_object().get("/Parent", {}).get("/T")))
            for annot in page.get("/Annots", [])
        }
        if names & set(values):
            writer.update_page_form_field_values(
                page, {k: v for k, v in values.items() if k in names}, auto_regenerate=False
            )
    filled = tmp_path / "taytetty.pdf"
    with filled.open("wb") as stream:
        writer.write(stream)
    read = PdfReader(filled).get_fields()
    assert {name: read[name]["/V"] for name in values} == values
    # the filled file is still a well-formed, tagged form
    (result,) = check_form_fields(filled.read_bytes())
    assert result.status == "pass", result.measured


def test_handouts_hold_the_exercises_alone_on_a4(built):
    with_notes = PdfReader(_pdf(built, "handout-notes"))
    without = PdfReader(_pdf(built, "handout"))
    for reader in (with_notes, without):
        assert "/AcroForm" not in reader.trailer["/Root"]
        for page in reader.pages:
            assert abs(float(page.mediabox.width) - 595.28) < 0.5
            assert abs(float(page.mediabox.height) - 841.89) < 0.5
    text = " ".join(p.extract_text() for p in with_notes.pages)
    plain = " ".join(p.extract_text() for p in without.pages)
    for label in ("Tehtävä 1", "Tehtävä 2", "Tehtävä 3"):
        assert label in text and label in plain
    assert "Johdantoteksti" not in text  # the chapter's own text stays in the book
    assert "Ohjaajalle" in text and "Ohjaajalle" not in plain
    assert "Omat muistiinpanot" not in text  # notes pages are the book's
