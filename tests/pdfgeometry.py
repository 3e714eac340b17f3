"""Read what a PDF page paints: the filled and stroked paths, in millimetres.

A small content-stream walk for the geometry tests: it follows ``q``/``Q`` and
``cm``, collects each subpath of a painted path (clipping paths ending in
``n`` paint nothing) with its bounding box and the colour it is painted in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

MM_PER_PT = 25.4 / 72


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
    fill: tuple[float, ...] = (0.0,)
    space = "/DeviceGray"
    stroke: tuple[float, ...] = (0.0,)
    stroke_space = "/DeviceGray"
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
        if op == "q":
            stack.append((ctm, fill, space, stroke, stroke_space))
        elif op == "Q":
            ctm, fill, space, stroke, stroke_space = stack.pop()
        elif op == "cm":
            ctm = _multiply(values, ctm)
        elif op == "cs":
            space = str(operands[0])
        elif op in ("scn", "sc"):
            fill = tuple(values)
        elif op == "k":
            fill, space = tuple(values), "/DeviceCMYK"
        elif op == "rg":
            fill, space = tuple(values), "/DeviceRGB"
        elif op == "g":
            fill, space = tuple(values), "/DeviceGray"
        elif op == "CS":
            stroke_space = str(operands[0])
        elif op in ("SCN", "SC"):
            stroke = tuple(values)
        elif op == "K":
            stroke, stroke_space = tuple(values), "/DeviceCMYK"
        elif op == "RG":
            stroke, stroke_space = tuple(values), "/DeviceRGB"
        elif op == "G":
            stroke, stroke_space = tuple(values), "/DeviceGray"
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
            stroked = op in ("S", "s")
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
                        stroke if stroked else fill,
                        stroke_space if stroked else space,
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
