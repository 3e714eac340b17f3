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
  so a ticked box looked empty; the flag is cleared and ``/MK /CA`` names the
  mark (ZapfDingbats check and dot) for any viewer that redraws anyway;
- a check box or radio button has only its "on" appearance: viewers that draw
  what the file holds (Ghostscript, printing) warned and drew nothing for the
  ``/Off`` state it is in, and a text field had no appearance at all. Each
  button gets an empty ``/Off`` appearance and each text field an empty one
  (``/Tx BMC EMC``): the box or lines around them are drawn on the page.
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
PUSHBUTTON_FLAG = 1 << 16
CHECK_MARK = "4"  # ZapfDingbats: a check mark
RADIO_MARK = "l"  # ZapfDingbats: a filled circle


@dataclass(frozen=True)
class FormsFixed:
    """What :func:`finish_forms` changed."""

    fields: int = 0
    hoisted: int = 0  # Form elements moved out of their NonStruct wrapper
    radio_kids: int = 0  # radio buttons made plain widgets of their group
    named: int = 0  # fields given the book model's accessible name
    drawn: int = 0  # appearances added (a button's Off state, a text field's)


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
    kids_fixed = named = drawn = 0
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
        drawn += _add_appearances(pdf, field)
        wanted = spec.get(str(field.get("/T", "")))
        if wanted is not None and str(field.get("/TU", "")) != wanted.label:
            field.TU = pikepdf.String(wanted.label)
            named += 1
    acroform.Fields = Array(top)
    acroform.NeedAppearances = False
    hoisted = _hoist_form_elements(pdf)
    return FormsFixed(len(top), hoisted, kids_fixed, named, drawn)


def _add_appearances(pdf: pikepdf.Pdf, field: Dictionary) -> int:
    """Give *field*'s widgets the appearances they lack; return how many were added."""
    kind = field.get("/FT")
    widgets = list(field.Kids) if "/Kids" in field else [field]
    added = 0
    for widget in widgets:
        x0, y0, x1, y1 = (float(v) for v in widget.get("/Rect", [0, 0, 0, 0]))
        box = Array([0, 0, abs(x1 - x0), abs(y1 - y0)])
        appearance = widget.get("/AP")
        if not isinstance(appearance, Dictionary):
            appearance = widget.AP = Dictionary()
        normal = appearance.get("/N")
        if kind == Name.Btn and not int(field.get("/Ff", 0)) & PUSHBUTTON_FLAG:
            if not isinstance(normal, Dictionary) or isinstance(normal, pikepdf.Stream):
                continue  # no "on" state to pair an Off with: leave it to the check
            if "/Off" not in normal:
                normal.Off = _form(pdf, box, b"q\nQ\n")  # (Ghostscript: no empty streams)
                added += 1
            if "/AS" not in widget:
                widget.AS = Name.Off
        elif kind == Name.Tx and not isinstance(normal, pikepdf.Stream):
            appearance.N = _form(pdf, box, b"/Tx BMC\nEMC\n")
            added += 1
    return added


def _form(pdf: pikepdf.Pdf, box: Array, content: bytes) -> pikepdf.Stream:
    """A form XObject of size *box* drawing *content*."""
    stream = pdf.make_stream(content)
    stream.Type, stream.Subtype, stream.BBox = Name.XObject, Name.Form, box
    stream.Resources = Dictionary()
    return pdf.make_indirect(stream)


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
