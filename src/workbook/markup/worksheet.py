"""Exercise components to HTML: one markup for both editions, painted by the edition's CSS.

Every place to write, tick or mark is an HTML form control (``textarea``,
``input type=checkbox|radio|text``) with a ``title`` that says what it asks.
The press edition's stylesheet leaves them ``appearance: none``, so WeasyPrint
paints only their borders (boxes and circles) and the ruled lines beside them;
the e-version's stylesheet sets ``appearance: auto``, so they become PDF form
fields at the same places. Both editions thus keep the same page geometry.

Field names are ``tehtava-<exercise>-<component>-<item>``, unique in the book
and without dots (a dot would make a PDF field hierarchy).
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import dataclass
from typing import Literal

from workbook.markup.exercises import (
    LINE_SPACING_MM,
    Analysis,
    Checklist,
    Component,
    Exercise,
    LinePlacement,
    NotesPage,
    RatingScale,
    WriteIn,
    fold,
)
from workbook.markup.typography import finnish_text

FieldKind = Literal["text", "multiline", "checkbox", "radio"]
NOTES_TITLE_MM = 12.0  # the notes page's title line and the gap below it


@dataclass(frozen=True)
class FormField:
    """One field of the e-version's form: its PDF name, kind and accessible name.

    For a radio group, *options* are the accessible names of its buttons, in order.
    """

    name: str
    kind: FieldKind
    label: str
    options: tuple[str, ...] = ()


class _Fields:
    """Collects the fields of one component and names them."""

    def __init__(self, base: str, fields: list[FormField]) -> None:
        self.base = base
        self.fields = fields

    def add(self, suffix: str, kind: FieldKind, label: str, options=()) -> str:
        name = f"{self.base}-{suffix}" if suffix else self.base
        self.fields.append(FormField(name, kind, finnish_text(label), tuple(options)))
        return name


def _el(parent: etree.Element, tag: str, cls: str = "", text: str = "", **attrs) -> etree.Element:
    if cls:
        attrs["class"] = cls
    element = etree.SubElement(parent, tag, attrs)
    if text:
        element.text = text
    return element


def _control(parent: etree.Element, cls: str, name: str, title: str, **attrs) -> None:
    """A form control named *name*; *title* is what a screen reader says it asks."""
    tag = "textarea" if cls == "wb-multiline" else "input"
    _el(parent, tag, f"wb-field {cls}", name=name, title=finnish_text(title), **attrs)


def _mm(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "mm"


def ruled_area(
    parent: etree.Element, lines: int, name: str, title: str, style: str = "viivat"
) -> etree.Element:
    """*lines* ruled lines (press) under one multiline field (e-version), same height."""
    area = _el(
        parent, "div", f"wb-area wb-{style}", style=f"height: {_mm(lines * LINE_SPACING_MM)}"
    )
    rules = _el(area, "div", "wb-rules")
    for _ in range(lines):
        _el(rules, "div", "wb-rule")
    _control(area, "wb-multiline", name, title)
    return area


def build_component(
    parent: etree.Element,
    component: Component,
    base: str,
    fields: list[FormField],
    type_area_height: float,
    exercise: Exercise | None = None,
) -> etree.Element:
    """Append the HTML of *component* to *parent*; its fields are named ``<base>-...``
    and added to *fields*."""
    context = f"{exercise.label}: " if exercise else ""
    builder = _BUILDERS[component.kind]
    return builder(parent, component, _Fields(base, fields), context, type_area_height)


def _write_in(parent, item: WriteIn, names: _Fields, context: str, _height: float):
    block = _el(parent, "div", "wb wb-write-in")
    if item.prompt:
        _el(block, "p", "wb-prompt", item.prompt)
    label = item.prompt or f"{context}vastaus"
    ruled_area(block, item.lines, names.add("", "multiline", label), label)
    return block


def _checklist(parent, item: Checklist, names: _Fields, context: str, _height: float):
    block = _el(parent, "div", "wb wb-checklist" + (" has-count" if item.count else ""))
    if item.count:
        _el(block, "p", "wb-count-head", item.count)
    number = 0
    for group in item.groups:
        if group.title:
            _el(block, "p", "wb-group-title", group.title)
        items = _el(block, "ul", "wb-items")
        for text in group.items:
            number += 1
            row = _el(items, "li", "wb-item")
            name = names.add(str(number), "checkbox", f"Valitse: {text}")
            _control(row, "wb-box", name, f"Valitse: {text}", type="checkbox")
            if item.count:
                count_label = f"{item.count}: {text}"
                count = names.add(f"{number}-maara", "text", count_label)
                _control(row, "wb-count", count, count_label, type="text")
            _el(row, "span", "wb-item-text", text)
    return block


def _scale(parent, item: RatingScale, names: _Fields, context: str, _height: float):
    numeric = all(label.isdigit() for label in item.labels)
    table = _el(parent, "table", "wb wb-scale" + ("" if numeric else " wb-named-steps"))
    head = _el(_el(table, "thead"), "tr")
    statement = _el(head, "th", "wb-statement", item.heading, scope="col")
    # What the ends mean goes under the heading, not under the end steps, whose
    # narrow columns a word such as "erinomaisesti" would overhang.
    ends = [
        f"{label}\u00a0=\u00a0{meaning}"
        for label, meaning in ((item.labels[0], item.low), (item.labels[-1], item.high))
        if meaning
    ]
    if ends:
        _el(statement, "span", "wb-scale-key", ", ".join(ends))
    for label in item.labels:
        _el(head, "th", "wb-step", label, scope="col")
    body = _el(table, "tbody")
    for row_number, statement in enumerate(item.statements, start=1):
        row = _el(body, "tr")
        _el(row, "th", "wb-statement", statement, scope="row")
        options = [f"{statement}: {label}" for label in item.labels]
        name = names.add(str(row_number), "radio", f"{statement} – {item.description}", options)
        for label, option in zip(item.labels, options, strict=True):
            cell = _el(row, "td", "wb-step")
            _control(cell, "wb-circle", name, option, type="radio", value=label)
    return table


def _continuum(parent, item: LinePlacement, names: _Fields, context: str, _height: float):
    block = _el(parent, "div", "wb wb-continuum")
    for row_number, (start, end) in enumerate(item.rows, start=1):
        row = _el(block, "div", "wb-continuum-row")
        ends = _el(row, "div", "wb-ends")
        _el(ends, "p", "wb-end wb-end-start", start)
        _el(ends, "p", "wb-end wb-end-finish", end)
        for mark in item.marks:
            track = _el(row, "div", "wb-track")
            _el(track, "span", "wb-mark-label", mark)
            points = _el(track, "div", "wb-points")
            options = [f"{mark}: kohta {n}/{item.points}" for n in range(1, item.points + 1)]
            label = (
                f"{start.rstrip('.')} – {end.rstrip('.')}. {mark}: kohta 1–{item.points} "
                f"(1 = alkupää, {item.points} = loppupää)"
            )
            name = names.add(f"{row_number}-{_ascii(mark)}", "radio", label, options)
            for n, option in enumerate(options, start=1):
                _control(points, "wb-circle", name, option, type="radio", value=str(n))
    return block


def _analysis(parent, item: Analysis, names: _Fields, context: str, _height: float):
    table = _el(parent, "table", "wb wb-analysis")
    head = _el(_el(table, "thead"), "tr")
    _el(head, "th", "wb-step-name", item.heading, scope="col")
    for column in item.columns:
        _el(head, "th", "wb-column", column, scope="col")
    body = _el(table, "tbody")
    for row_number, step in enumerate(item.rows, start=1):
        row = _el(body, "tr")
        _el(row, "th", "wb-step-name", step, scope="row")
        for column_number, column in enumerate(item.columns, start=1):
            cell = _el(row, "td", "wb-column")
            label = f"{step}: {column}"
            ruled_area(
                cell,
                item.lines,
                names.add(f"{row_number}-{column_number}", "multiline", label),
                label,
            )
    return table


def _notes(parent, item: NotesPage, names: _Fields, context: str, height: float):
    block = _el(parent, "div", f"wb-notes wb-notes-{item.style}")
    _el(block, "p", "wb-notes-title", item.title)
    lines = max(1, int((height - NOTES_TITLE_MM) // LINE_SPACING_MM))
    ruled_area(block, lines, names.add("", "multiline", item.title), item.title, item.style)
    return block


def _ascii(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in fold(text)).strip("-") or "merkki"


_BUILDERS = {
    "rivit": _write_in,
    "tarkistuslista": _checklist,
    "asteikko": _scale,
    "jana": _continuum,
    "analyysi": _analysis,
    "muistiinpanot": _notes,
}
