"""Black overprints on press: 100 K text and thin 100 K rules print over what is under them.

WeasyPrint knocks every colour out of what lies beneath it, so black body
text on a tinted box leaves a white hole in the tint around each letter, and
the smallest misregistration shows it as a halo. A print house sets black to
overprint. This step rewrites each content stream: before text shown in
100 % K, a thin 100 K fill (a border or rule: one side of what shows inside
its clip at most :data:`THIN_PT`) and a thin 100 K stroke, it sets an
ExtGState with overprint on (``/op``, ``/OP`` and ``/OPM 1``, so the zero C,
M and Y leave the inks below alone); before anything else it paints (other
colours, images, shadings) it sets overprint off again. ``q``/``Q`` save and
restore the setting, as they do the colour.

A ``gs`` may not stand between a path and its painting operator, so for paths
it goes before the path's first construction operator. Forms are rewritten
once each, starting from "unknown" (the first paint sets the state).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pikepdf
from pikepdf import Dictionary, Name, Operator

THIN_PT = 2.0  # a rule thinner than this overprints when it is 100 K
_BLACK = (0.0, 0.0, 0.0, 1.0)
_PATH_OPS = {"m", "l", "c", "v", "y", "h", "re"}
_FILL = {"f", "F", "f*"}
_STROKE = {"S", "s"}
_BOTH = {"B", "B*", "b", "b*"}
_TEXT = {"Tj", "TJ", "'", '"'}
_OTHER_PAINT = {"sh", "INLINE IMAGE", "BI"}
_OVERPRINT_KEYS = ("/OP", "/op", "/OPM")
_FILL_MODES = {0, 2, 4, 6}
_STROKE_MODES = {1, 2, 5, 6}

Matrix = tuple[float, float, float, float, float, float]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


@dataclass(frozen=True)
class _State:
    ctm: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    fill_space: str = "/DeviceGray"
    stroke_space: str = "/DeviceGray"
    fill_black: bool = False
    stroke_black: bool = False
    line_width: float = 1.0
    text_mode: int = 0
    clip: tuple[float, float, float, float] | None = None  # bounding box, in page space
    overprint: tuple[bool, bool] | None = None  # (fill, stroke); None: not known here


def _is_black(operands: list, space: str) -> bool:
    if space != "/DeviceCMYK" or len(operands) != 4:
        return False
    try:
        values = tuple(float(v) for v in operands)
    except (TypeError, ValueError):
        return False
    return all(abs(v - w) < 0.001 for v, w in zip(values, _BLACK, strict=True))


def _space(operand: object, resources: Dictionary) -> str:
    name = str(operand)
    if name.startswith("/Device"):
        return name
    found = resources.get("/ColorSpace", {}).get(name)
    if isinstance(found, pikepdf.Array) and len(found) > 1 and str(found[0]) == "/ICCBased":
        return {1: "/DeviceGray", 3: "/DeviceRGB", 4: "/DeviceCMYK"}.get(int(found[1].N), name)
    return name


def _scale(ctm: Matrix) -> float:
    a, b, c, d, _, _ = ctm
    return abs(a * d - b * c) ** 0.5


Box = tuple[float, float, float, float]


def _bbox(points: list[tuple[float, float]], ctm: Matrix) -> Box | None:
    if not points:
        return None
    a, b, c, d, e, f = ctm
    xs = [a * x + c * y + e for x, y in points]
    ys = [b * x + d * y + f for x, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _intersect(one: Box | None, two: Box | None) -> Box | None:
    if one is None or two is None:
        return one or two
    return max(one[0], two[0]), max(one[1], two[1]), min(one[2], two[2]), min(one[3], two[3])


def _thin(points: list[tuple[float, float]], ctm: Matrix, clip: Box | None) -> bool:
    """Whether a filled path is a rule: one side of what shows (path and clip) is thin.

    WeasyPrint draws a border as two rectangles filled even-odd inside a clip
    that is the border itself.
    """
    box = _intersect(_bbox(points, ctm), clip)
    if box is None:
        return False
    return min(box[2] - box[0], box[3] - box[1]) <= THIN_PT


class _Rewriter:
    """Rewrites the content streams of one PDF, adding the ExtGStates once."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.states: dict[tuple[bool, bool], pikepdf.Object] = {}
        self.done: set[tuple[int, int]] = set()
        self.changed = 0

    def gs_name(self, wanted: tuple[bool, bool], resources: Dictionary) -> Name:
        if wanted not in self.states:
            self.states[wanted] = self.pdf.make_indirect(
                Dictionary(Type=Name.ExtGState, op=wanted[0], OP=wanted[1], OPM=1)
            )
        name = f"/WbOverprint{int(wanted[0])}{int(wanted[1])}"
        if "/ExtGState" not in resources:
            resources.ExtGState = Dictionary()
        resources.ExtGState[name] = self.states[wanted]
        return Name(name)

    def rewrite(self, stream: pikepdf.Object, resources: Dictionary, start: _State) -> bytes:
        ops = pikepdf.parse_content_stream(stream)
        out: list = []
        state = start
        stack: list[_State] = []
        path_start: int | None = None
        points: list[tuple[float, float]] = []
        clipping = False

        def settle(wanted: tuple[bool, bool], at: int) -> None:
            nonlocal state
            if state.overprint == wanted:
                return
            name = self.gs_name(wanted, resources)
            out.insert(at, pikepdf.ContentStreamInstruction([name], Operator("gs")))
            state = replace(state, overprint=wanted)
            self.changed += 1

        for instruction in ops:
            operands, operator = list(instruction.operands), str(instruction.operator)
            current = state.overprint or (False, False)
            if operator == "q":
                stack.append(state)
            elif operator == "Q":
                state = stack.pop() if stack else start
            elif operator == "cm" and len(operands) == 6:
                matrix = tuple(float(v) for v in operands)
                state = replace(state, ctm=_multiply(matrix, state.ctm))  # type: ignore[arg-type]
            elif operator == "w" and operands:
                state = replace(state, line_width=float(operands[0]))
            elif operator == "Tr" and operands:
                state = replace(state, text_mode=int(operands[0]))
            elif operator == "cs" and operands:
                state = replace(state, fill_space=_space(operands[0], resources), fill_black=False)
            elif operator == "CS" and operands:
                state = replace(
                    state, stroke_space=_space(operands[0], resources), stroke_black=False
                )
            elif operator in ("sc", "scn"):
                state = replace(state, fill_black=_is_black(operands, state.fill_space))
            elif operator in ("SC", "SCN"):
                state = replace(state, stroke_black=_is_black(operands, state.stroke_space))
            elif operator == "k":
                state = replace(
                    state, fill_space="/DeviceCMYK", fill_black=_is_black(operands, "/DeviceCMYK")
                )
            elif operator == "K":
                state = replace(
                    state,
                    stroke_space="/DeviceCMYK",
                    stroke_black=_is_black(operands, "/DeviceCMYK"),
                )
            elif operator in ("g", "rg", "G", "RG"):
                fill = operator in ("g", "rg")
                space = "/DeviceGray" if operator in ("g", "G") else "/DeviceRGB"
                if fill:
                    state = replace(state, fill_space=space, fill_black=False)
                else:
                    state = replace(state, stroke_space=space, stroke_black=False)
            elif operator == "gs" and operands:
                found = resources.get("/ExtGState", {}).get(str(operands[0]))
                if not isinstance(found, Dictionary) or any(k in found for k in _OVERPRINT_KEYS):
                    state = replace(state, overprint=None)  # it may set overprint
            elif operator in _PATH_OPS:
                if path_start is None:
                    path_start = len(out)
                    points = []
                if operator == "re" and len(operands) == 4:
                    x, y, w, h = (float(v) for v in operands)
                    points += [(x, y), (x + w, y + h)]
                else:
                    values = [float(v) for v in operands]
                    points += list(zip(values[::2], values[1::2], strict=False))
            elif operator in _TEXT:
                mode = state.text_mode
                if mode not in (3, 7):
                    wanted = (
                        state.fill_black and mode in _FILL_MODES,
                        state.stroke_black and mode in _STROKE_MODES,
                    )
                    settle(wanted, len(out))
            elif operator in ("W", "W*"):
                clipping = True
            elif operator in _FILL | _STROKE | _BOTH:
                at = path_start if path_start is not None else len(out)
                fill_op = current[0]
                stroke_op = current[1]
                if operator in _FILL | _BOTH:
                    fill_op = state.fill_black and _thin(points, state.ctm, state.clip)
                if operator in _STROKE | _BOTH:
                    width = state.line_width * _scale(state.ctm)
                    stroke_op = state.stroke_black and width <= THIN_PT
                settle((fill_op, stroke_op), at)
                if clipping:
                    clip = _intersect(state.clip, _bbox(points, state.ctm))
                    state = replace(state, clip=clip)
                path_start, points, clipping = None, [], False
            elif operator == "n":
                if clipping:
                    clip = _intersect(state.clip, _bbox(points, state.ctm))
                    state = replace(state, clip=clip)
                path_start, points, clipping = None, [], False
            elif operator == "Do" and operands:
                xobject = resources.get("/XObject", {}).get(str(operands[0]))
                if xobject is not None and xobject.get("/Subtype") == "/Form":
                    self.form(xobject, resources)
                else:
                    settle((False, False), len(out))
            elif operator in _OTHER_PAINT:
                settle((False, False), len(out))
            out.append(instruction)
        return pikepdf.unparse_content_stream(out)

    def form(self, xobject: pikepdf.Object, parent: Dictionary) -> None:
        if xobject.objgen in self.done or xobject.objgen == (0, 0):
            return
        self.done.add(xobject.objgen)
        resources = xobject.get("/Resources")
        if not isinstance(resources, Dictionary):
            return  # inherits the page's resources: left as it is
        data = self.rewrite(xobject, resources, _State())
        xobject.write(data)

    def page(self, page: pikepdf.Page) -> None:
        if "/Resources" not in page.obj:
            page.obj.Resources = Dictionary()
        resources = page.obj.Resources
        data = self.rewrite(page.obj, resources, _State(overprint=(False, False)))
        page.obj.Contents = self.pdf.make_stream(data)


def overprint_black(pdf: pikepdf.Pdf) -> int:
    """Make 100 K text and thin 100 K rules overprint on every page; return how many
    overprint settings were written."""
    rewriter = _Rewriter(pdf)
    for page in pdf.pages:
        rewriter.page(page)
    return rewriter.changed
