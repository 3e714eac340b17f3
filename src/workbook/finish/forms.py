"""The e-version's form fields: WeasyPrint 70's AcroForm and tags, made well-formed.

What WeasyPrint 70 writes for ``appearance: auto`` controls in PDF/UA mode, and
what is changed here:

- each widget's ``Form`` structure element hangs under a ``NonStruct`` element
  (the input's box); the ``Form`` element takes that wrapper's place, so the
  field sits in the reading order inside its paragraph, list item or cell;
- a radio button is both a kid of its group and a field of its own in the
  AcroForm's ``/Fields``, with the group's name as its ``/T`` (so viewers see
  fields named ``name.name``); kids become plain widgets of their group;
- a group's accessible name (``/TU``) is the first button's; every field gets
  the name the book model wrote for it (statement and scale, item, question);
- ``/NeedAppearances true`` makes viewers that honour it (poppler among them)
  redraw check boxes and radio buttons from ``/MK``, which has no mark to draw,
  so a ticked box looked empty; the flag is cleared (every button has its
  drawn appearances, and viewers draw a text field's appearance as it is
  typed) and ``/MK /CA`` names the mark (ZapfDingbats check and dot) for any
  viewer that redraws anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

from workbook.finish.structtree import children as _children
from workbook.finish.structtree import is_element as _is_element
from workbook.markup.worksheet import FormField

RADIO_FLAG = 1 << 15
CHECK_MARK = "4"  # ZapfDingbats: a check mark
RADIO_MARK = "l"  # ZapfDingbats: a filled circle


@dataclass(frozen=True)
class FormsFixed:
    """What :func:`finish_forms` changed."""

    fields: int = 0
    hoisted: int = 0  # Form elements moved out of their NonStruct wrapper
    radio_kids: int = 0  # radio buttons made plain widgets of their group
    named: int = 0  # fields given the book model's accessible name


def is_radio_group(field: Dictionary) -> bool:
    """Whether *field* is a radio button group (a /Btn with the Radio flag and kids)."""
    return (
        field.get("/FT") == Name.Btn
        and int(field.get("/Ff", 0)) & RADIO_FLAG != 0
        and "/Kids" in field
    )


def finish_forms(pdf: pikepdf.Pdf, fields: Iterable[FormField]) -> FormsFixed:
    """Make WeasyPrint's form fields and their tags well-formed; see the module doc."""
    acroform = pdf.Root.get("/AcroForm")
    if acroform is None:
        return FormsFixed()
    spec = {f.name: f for f in fields}
    top: list[Dictionary] = []
    kids_fixed = named = 0
    for field in acroform.get("/Fields", []):
        if "/Parent" in field:
            continue  # a radio button listed beside its group
        top.append(field)
        if is_radio_group(field):
            for kid in field.Kids:
                for key in ("/T", "/FT", "/V", "/Ff"):
                    if key in kid:
                        del kid[key]
                _mark(kid, RADIO_MARK)
                kids_fixed += 1
        elif field.get("/FT") == Name.Btn:
            _mark(field, CHECK_MARK)
        wanted = spec.get(str(field.get("/T", "")))
        if wanted is not None and str(field.get("/TU", "")) != wanted.label:
            field.TU = pikepdf.String(wanted.label)
            named += 1
    acroform.Fields = Array(top)
    acroform.NeedAppearances = False
    hoisted = _hoist_form_elements(pdf)
    return FormsFixed(len(top), hoisted, kids_fixed, named)


def _mark(widget: Dictionary, character: str) -> None:
    """Name the mark a viewer draws when it redraws a button's appearance."""
    characteristics = widget.get("/MK")
    if not isinstance(characteristics, Dictionary):
        characteristics = widget.MK = Dictionary()
    characteristics.CA = pikepdf.String(character)


def _hoist_form_elements(pdf: pikepdf.Pdf) -> int:
    """Replace each NonStruct that holds only a Form element by that Form element."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    hoisted = 0
    stack = [root]
    seen: set[tuple[int, int]] = set()
    while stack:
        element = stack.pop()
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        kids = _children(element)
        changed = False
        for index, kid in enumerate(kids):
            if not _is_element(kid):
                continue
            inner = _children(kid)
            if (
                kid.get("/S") == Name.NonStruct
                and len(inner) == 1
                and _is_element(inner[0])
                and inner[0].get("/S") == Name.Form
            ):
                form = inner[0]
                form.P = element
                kids[index] = form
                changed = True
                hoisted += 1
            else:
                stack.append(kid)
        if changed:
            element.K = Array(kids)
    return hoisted
