"""Crop marks in a slug outside the bleed (``[print] marks = true``).

Some print houses still ask for them. Each page's MediaBox grows by
:data:`SLUG_MM` on every side beyond the BleedBox; the TrimBox and BleedBox stay
as they were. Eight marks, two at each trim corner, run from
:data:`GAP_MM` outside the bleed for :data:`LENGTH_MM`, 0.25 pt wide, in the
registration colour (a Separation named ``All``: every plate, alternate
C = M = Y = K = 100 %).

Each mark is a form XObject of its own whose bounding box lies outside the
bleed, so a reader of what a page shows (the preflight's
:mod:`workbook.preflight.pdfcontent`) can tell the marks from the page.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

PT_PER_MM = 72 / 25.4
GAP_MM = 1.0  # between the bleed edge and a mark
LENGTH_MM = 5.0
MARGIN_MM = 1.0  # beyond the marks, to the MediaBox
LINE_PT = 0.25


SLUG_MM = GAP_MM + LENGTH_MM + MARGIN_MM
"""How far the MediaBox reaches beyond the BleedBox with marks, mm."""


def _registration(pdf: pikepdf.Pdf) -> pikepdf.Object:
    tint = Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1)
    return pdf.make_indirect(Array([Name.Separation, Name.All, Name.DeviceCMYK, tint]))


def _mark(pdf: pikepdf.Pdf, start: tuple[float, float], end: tuple[float, float], space):
    half = LINE_PT / 2 + 0.5
    box = [
        min(start[0], end[0]) - half,
        min(start[1], end[1]) - half,
        max(start[0], end[0]) + half,
        max(start[1], end[1]) + half,
    ]
    content = (
        f"/Reg CS 1 SCN {LINE_PT} w 0 J "
        f"{start[0]:.3f} {start[1]:.3f} m {end[0]:.3f} {end[1]:.3f} l S"
    ).encode()
    return pdf.make_stream(
        content,
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=Array(box),
        Resources=Dictionary(ColorSpace=Dictionary(Reg=space)),
    )


def add_crop_marks(pdf: pikepdf.Pdf) -> None:
    """Grow each page's MediaBox into a slug and draw crop marks in it."""
    space = _registration(pdf)
    grow = SLUG_MM * PT_PER_MM
    gap, length = GAP_MM * PT_PER_MM, LENGTH_MM * PT_PER_MM
    forms: dict[tuple[float, ...], list[pikepdf.Object]] = {}
    for page in pdf.pages:
        if "/TrimBox" not in page.obj or "/BleedBox" not in page.obj:
            continue
        tx0, ty0, tx1, ty1 = (float(v) for v in page.obj.TrimBox)
        bx0, by0, bx1, by1 = (float(v) for v in page.obj.BleedBox)
        key = (tx0, ty0, tx1, ty1, bx0, by0, bx1, by1)
        if key not in forms:
            marks = []
            for x, y in ((tx0, ty0), (tx1, ty0), (tx0, ty1), (tx1, ty1)):
                # horizontal mark beside the corner, vertical mark above or below it
                side = bx0 - gap if x == tx0 else bx1 + gap
                outer = side - length if x == tx0 else side + length
                marks.append(_mark(pdf, (outer, y), (side, y), space))
                edge = by0 - gap if y == ty0 else by1 + gap
                far = edge - length if y == ty0 else edge + length
                marks.append(_mark(pdf, (x, far), (x, edge), space))
            forms[key] = marks
        names = Dictionary()
        drawing = ["Q"]
        for index, form in enumerate(forms[key]):
            names[f"/WbCropMark{index}"] = form
            drawing.append(f"/WbCropMark{index} Do")
        if "/Resources" not in page.obj:
            page.obj.Resources = Dictionary()
        if "/XObject" not in page.obj.Resources:
            page.obj.Resources.XObject = Dictionary()
        xobjects = page.obj.Resources.XObject
        for name, form in names.items():
            xobjects[name] = form
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(("\n".join(drawing) + "\n").encode()))
        media = Array([bx0 - grow, by0 - grow, bx1 + grow, by1 + grow])
        page.obj.MediaBox = media
        if "/CropBox" in page.obj:
            page.obj.CropBox = Array(media)
