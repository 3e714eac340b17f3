"""Read what a PDF page paints: the filled and stroked paths, in millimetres.

A small content-stream walk for the geometry tests: it follows ``q``/``Q`` and
``cm``, collects each subpath of a painted path (clipping paths ending in
``n`` paint nothing) with its bounding box and the colour it is painted in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

MM_PER_PT = 25.4 / 72
_DEVICE_SPACES = {"k": "/DeviceCMYK", "rg": "/DeviceRGB", "g": "/DeviceGray"}


@dataclass(frozen=True)
class Shape:
    """One painted subpath: its box in mm from the page's top-left, and how."""

    x0: float
    y0: float
    x1: float
    y1: float
    curved: bool  # drawn with Bézier curves (a circle), not straight lines
    colour: tuple[float, ...]  # fill (or, for a stroke, stroke) colour components
    space: str  # that colour's space, e.g. /DeviceCMYK

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def _multiply(a, b):
    """Matrix product a x b of PDF matrices [a b c d e f]."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def shapes(page: pikepdf.Page) -> list[Shape]:
    """Every painted subpath of *page* (not of its form XObjects)."""
    top = float(page.MediaBox[3])
    left = float(page.MediaBox[0])
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack = []
    # the current fill and stroke colours: (colour space, components)
    colour = {"fill": ("/DeviceGray", (0.0,)), "stroke": ("/DeviceGray", (0.0,))}
    subpaths: list[tuple[list[tuple[float, float]], bool]] = []
    found: list[Shape] = []

    def point(x: float, y: float) -> tuple[float, float]:
        return (
            ctm[0] * x + ctm[2] * y + ctm[4],
            ctm[1] * x + ctm[3] * y + ctm[5],
        )

    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        values = _numbers(operands)
        target = "stroke" if op.isupper() else "fill"
        if op == "q":
            stack.append((ctm, dict(colour)))
        elif op == "Q":
            ctm, colour = stack.pop()
        elif op == "cm":
            ctm = _multiply(values, ctm)
        elif op.lower() == "cs":
            colour[target] = (str(operands[0]), colour[target][1])
        elif op.lower() in ("scn", "sc"):
            colour[target] = (colour[target][0], tuple(values))
        elif op.lower() in _DEVICE_SPACES:
            colour[target] = (_DEVICE_SPACES[op.lower()], tuple(values))
        elif op == "re":
            x, y, w, h = values
            corners = [point(x, y), point(x + w, y), point(x + w, y + h), point(x, y + h)]
            subpaths.append((corners, False))
        elif op == "m":
            subpaths.append(([point(*values)], False))
        elif op in ("l", "c", "v", "y") and subpaths:
            pts = [point(values[i], values[i + 1]) for i in range(0, len(values), 2)]
            path, curved = subpaths[-1]
            subpaths[-1] = (path + pts, curved or op != "l")
        elif op in ("f", "F", "f*", "B", "B*", "b", "b*", "S", "s"):
            space, components = colour["stroke" if op in ("S", "s") else "fill"]
            for path, curved in subpaths:
                xs = [p[0] for p in path]
                ys = [p[1] for p in path]
                found.append(
                    Shape(
                        (min(xs) - left) * MM_PER_PT,
                        (top - max(ys)) * MM_PER_PT,
                        (max(xs) - left) * MM_PER_PT,
                        (top - min(ys)) * MM_PER_PT,
                        curved,
                        components,
                        space,
                    )
                )
            subpaths = []
        elif op == "n":
            subpaths = []
    return found


def _numbers(operands) -> list[float]:
    out = []
    for value in operands:
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            continue  # a name (pattern, colour space) or a string
    return out
