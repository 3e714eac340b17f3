"""Preflight of form fields: fillable and accessible on screen, absent on paper.

Read from the PDF alone: the AcroForm, the widget annotations, the structure
tree and its ParentTree.
"""

from __future__ import annotations

from collections import Counter

import pikepdf
from pikepdf import Dictionary, Name, NumberTree

from workbook.finish.forms import PUSHBUTTON_FLAG, is_radio_group
from workbook.preflight.checks import CheckResult
from workbook.preflight.layout import result
from workbook.preflight.pdfcontent import painted


def terminal_fields(acroform: Dictionary) -> list[tuple[str, Dictionary]]:
    """``(full name, field)`` of every field that holds a value (groups, not their kids)."""
    found = []

    def walk(field: Dictionary, prefix: str) -> None:
        name = prefix + str(field.get("/T", ""))
        kids = [k for k in field.get("/Kids", []) if "/T" in k]
        if kids:
            for kid in kids:
                walk(kid, name + ".")
        else:
            found.append((name, field))

    for field in acroform.get("/Fields", []):
        walk(field, "")
    return found


def check_form_fields(data: bytes) -> list[CheckResult]:
    """E-version: every field named for a screen reader, tagged in the reading order,
    and radio groups well-formed."""
    read = painted(data)  # the file as the other checks read it, kept open
    pdf = read.pdf
    acroform = pdf.Root.get("/AcroForm")
    widgets = [
        (number, annot)
        for number, page in enumerate(pdf.pages, start=1)
        for annot in page.obj.get("/Annots", [])
        if annot.get("/Subtype") == Name.Widget
    ]
    if acroform is None:
        measured = f"{len(widgets)} widgets without an AcroForm" if widgets else "no fields"
        return [result("form-fields", not widgets, measured, "fields need an AcroForm")]
    fields = terminal_fields(acroform)
    unnamed = [name for name, field in fields if not str(field.get("/TU", "")).strip()]
    names = [name for name, _ in fields]
    twice = sorted({n for n in names if names.count(n) > 1})
    bad_groups = _bad_radio_groups(acroform)
    untagged, wrapped, no_tabs = _tagging(pdf, widgets, read.structure.reachable)
    problems = []
    if unnamed:
        problems.append(f"{len(unnamed)} fields without an accessible name (/TU): {unnamed[0]}")
    if twice:
        problems.append(f"field names used twice: {', '.join(twice[:3])}")
    if bad_groups:
        problems.append("; ".join(bad_groups[:3]))
    if untagged:
        problems.append(f"{len(untagged)} widgets not in a Form element of the structure tree")
    if wrapped:
        problems.append(f"{wrapped} Form elements under NonStruct")
    if no_tabs:
        problems.append(f"pages without /Tabs /S: {', '.join(map(str, no_tabs[:5]))}")
    kinds = Counter(str(field.get("/FT", "/Tx")) for _, field in fields)
    radios = sum(is_radio_group(field) for _, field in fields)
    measured = (
        f"{len(fields)} fields ({kinds['/Tx']} text, {kinds['/Btn'] - radios} check boxes, "
        f"{radios} radio groups), {len(widgets)} widgets, all named and tagged"
    )
    pages = sorted({number for number, _ in untagged} | set(no_tabs))
    return [
        result(
            "form-fields",
            not problems,
            "; ".join(problems) or measured,
            "every field has an accessible name (/TU), sits in a Form element in the "
            "reading order, and radio buttons are kids of one group",
            pages,
        )
    ]


def _bad_radio_groups(acroform: Dictionary) -> list[str]:
    listed = {f.objgen for f in acroform.get("/Fields", []) if f.is_indirect}
    problems = []
    for field in acroform.get("/Fields", []):
        if not is_radio_group(field):
            continue
        name = str(field.get("/T", ""))
        kids = list(field.Kids)
        if len(kids) < 2:
            problems.append(f"radio group {name} has {len(kids)} button")
        if any("/T" in kid for kid in kids):
            problems.append(f"radio group {name}: a button has a field name of its own")
        if any(kid.is_indirect and kid.objgen in listed for kid in kids):
            problems.append(f"radio group {name}: a button is also listed as a field")
        if "/Opt" in field and len(field.Opt) != len(kids):
            problems.append(f"radio group {name}: {len(field.Opt)} options, {len(kids)} buttons")
        states = [{str(k) for k in kid.get("/AP", {}).get("/N", {})} - {"/Off"} for kid in kids]
        if any(len(s) != 1 for s in states) or len(set().union(*states)) != len(kids):
            problems.append(f"radio group {name}: each button needs one 'on' state of its own")
    return problems


def _tagging(
    pdf: pikepdf.Pdf, widgets: list[tuple[int, Dictionary]], reachable: frozenset[tuple[int, int]]
):
    """Widgets not reachable (*reachable*: ids of the structure elements) as a Form
    element, Form elements under NonStruct, pages with widgets but no structure tab
    order."""
    root = pdf.Root.get("/StructTreeRoot")
    tree = NumberTree(root.ParentTree) if root is not None and "/ParentTree" in root else None
    untagged = []
    wrapped = 0
    for number, widget in widgets:
        key = widget.get("/StructParent")
        element = tree.get(int(key)) if tree is not None and key is not None else None
        if (
            not isinstance(element, Dictionary)
            or element.get("/S") != Name.Form
            or element.objgen not in reachable
        ):
            untagged.append((number, widget))
            continue
        parent = element.get("/P")
        if isinstance(parent, Dictionary) and parent.get("/S") == Name.NonStruct:
            wrapped += 1
    pages = sorted({number for number, _ in widgets})
    no_tabs = [n for n in pages if pdf.pages[n - 1].obj.get("/Tabs") != Name.S]
    return untagged, wrapped, no_tabs


def check_no_form_fields(data: bytes) -> CheckResult:
    """Press: paper has no form fields (the boxes and lines are printed)."""
    pdf = painted(data).pdf  # the file as the other checks read it, kept open
    widgets = sum(
        1
        for page in pdf.pages
        for annot in page.obj.get("/Annots", [])
        if annot.get("/Subtype") == Name.Widget
    )
    acroform = "/AcroForm" in pdf.Root
    return result(
        "no-form-fields",
        not widgets and not acroform,
        f"{widgets} widgets" + (", an AcroForm" if acroform else "")
        if widgets or acroform
        else "no form fields",
        "the press edition prints boxes and lines; fields belong to the e-version",
    )


def check_appearances(data: bytes) -> CheckResult:
    """Every check box and radio button has an "on" and an ``/Off`` appearance, and
    every text field an appearance: viewers that do not draw fields themselves
    (Ghostscript, some printers) show and print exactly these."""
    pdf = painted(data).pdf
    problems: list[str] = []
    pages: set[int] = set()
    buttons = texts = 0
    for number, page in enumerate(pdf.pages, start=1):
        for widget in page.obj.get("/Annots", []):
            if widget.get("/Subtype") != Name.Widget:
                continue
            field = widget if "/FT" in widget else widget.get("/Parent", widget)
            kind = field.get("/FT")
            name = str(field.get("/T", "?"))
            appearance = widget.get("/AP", {}).get("/N")
            if kind == Name.Btn and not int(field.get("/Ff", 0)) & PUSHBUTTON_FLAG:
                buttons += 1
                states = set(appearance.keys()) if isinstance(appearance, Dictionary) else set()
                state = widget.get("/AS")
                if "/Off" not in states:
                    problems.append(f"p. {number}: button '{name}' has no Off appearance")
                elif len(states - {"/Off"}) != 1:
                    problems.append(f"p. {number}: button '{name}' has no one On appearance")
                elif state is None or str(state) not in states:
                    problems.append(f"p. {number}: button '{name}' shows a state it cannot draw")
                else:
                    continue
                pages.add(number)
            elif kind == Name.Tx:
                texts += 1
                if not isinstance(appearance, pikepdf.Stream):
                    problems.append(f"p. {number}: text field '{name}' has no appearance")
                    pages.add(number)
    return result(
        "field-appearances",
        not problems,
        f"{len(problems)} fields without their appearances; first: {problems[0]}"
        if problems
        else f"{buttons} buttons with On and Off appearances, {texts} text fields drawn",
        "every check box and radio button has On and Off appearances, every text field "
        "an appearance (viewers that do not draw fields print nothing without them)",
        sorted(pages),
        details=problems,
    )
