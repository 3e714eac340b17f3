"""Exercises as static, readable content: reading systems fill in forms badly.

The book's exercise markup (:mod:`workbook.markup.worksheet`) holds form
controls where the printed book has boxes and lines. Here the controls go and
the questions stay: a question to write about is its prompt; a checklist is a
list; a rating scale and a two-column analysis are tables; a line to place
oneself on keeps its two ends and its marks; notes pages, which are nothing but
ruled lines, are left out. Each exercise ends with a line that says where to
fill it in: the e-PDF's form fields or the printed workshop handout.

Page-break markers that stood in a removed part are kept where it stood.
"""

from __future__ import annotations

from lxml.html import Element, HtmlElement

from workbook.ebook.pagebreaks import MARKER_CLASS

FORMATS_CLASS = "exercise-formats"
FORMATS_TEXT = (
    "Tehtävän voi täyttää julkaisun saavutettavassa PDF-versiossa, jossa vastauksille "
    "on lomakekentät, tai tulostaa työpajamonisteesta."
)
CIRCLE = "\u25cb"  # ○: a place to mark, shown but not read out


def _classes(element: HtmlElement) -> list[str]:
    return (element.get("class") or "").split()


def remove_keeping_markers(element: HtmlElement) -> None:
    """Remove *element* (keeping its tail text), leaving its page-break markers in its place."""
    markers = [m for m in element.iter("span") if m.get("class") == MARKER_CLASS]
    for mark in markers:
        mark.getparent().remove(mark)  # its tail was text of the removed part
        mark.tail = None
        element.addprevious(mark)
    element.drop_tree()


def _circles(count: int) -> HtmlElement:
    span = Element("span")
    span.set("class", "wb-choice")
    span.set("aria-hidden", "true")
    span.text = " ".join([CIRCLE] * count)
    return span


def static_exercises(section: HtmlElement) -> int:
    """Turn every exercise in *section* into static content; return how many there were."""
    exercises = [e for e in section.iter("div") if "exercise" in _classes(e)]
    for exercise in exercises:
        _static(exercise)
        note = Element("p")
        note.set("class", FORMATS_CLASS)
        note.text = FORMATS_TEXT
        facilitator = [c for c in exercise if "facilitator" in _classes(c)]
        if facilitator:
            facilitator[0].addprevious(note)
        else:
            exercise.append(note)
    # Notes pages stand outside exercises too (``::: muistiinpanot``).
    for notes in [e for e in section.iter("div") if "wb-notes" in _classes(e)]:
        remove_keeping_markers(notes)
    return len(exercises)


def _static(exercise: HtmlElement) -> None:
    for area in [e for e in exercise.iter("div") if "wb-area" in _classes(e)]:
        remove_keeping_markers(area)
    for count_head in [e for e in exercise.iter("p") if "wb-count-head" in _classes(e)]:
        remove_keeping_markers(count_head)
    for control in list(exercise.iter("input", "textarea")):
        if control.getparent() is None:
            continue
        if control.get("type") == "radio":
            continue  # scales and lines: below
        remove_keeping_markers(control)
    for cell in [e for e in exercise.iter("td") if "wb-step" in _classes(e)]:
        for control in list(cell.iter("input")):
            control.drop_tree()
        cell.append(_circles(1))
    for points in [e for e in exercise.iter("div") if "wb-points" in _classes(e)]:
        count = len(points.findall("input"))
        for control in list(points.iter("input")):
            control.drop_tree()
        points.append(_circles(count))
    for table in exercise.iter("table"):
        if "wb-scale" in _classes(table) or "wb-analysis" in _classes(table):
            table.set("class", " ".join([*_classes(table), "wb-static"]))
