"""Read what a PDF paints: content streams of pages, forms and tiling patterns.

The checks measure images from the PDF itself (not from the book model): each
``Do`` of an image XObject is recorded with the transformation matrix in force,
which gives the drawn size and so the effective resolution.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_DEPTH = 8


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """The matrix product m x n (apply m, then n), as PDF's ``cm`` composes."""
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
class Op:
    """One content-stream operation with its context."""

    page: int  # 1-based
    operator: str
    operands: tuple[object, ...]
    ctm: Matrix
    resources: pikepdf.Dictionary


@dataclass(frozen=True)
class ImageDraw:
    """An image XObject painted on a page."""

    page: int
    name: str
    image: pikepdf.Stream
    pixels: tuple[int, int]
    width_pt: float
    height_pt: float
    colour_space: str
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x0, y0, x1, y1 in PDF space

    @property
    def ppi(self) -> float:
        """Effective resolution: the lower of the two axes."""
        return min(
            self.pixels[0] / (self.width_pt / 72) if self.width_pt else float("inf"),
            self.pixels[1] / (self.height_pt / 72) if self.height_pt else float("inf"),
        )


def _matrix(value: object) -> Matrix:
    values = [float(v) for v in value] if value is not None else []  # type: ignore[union-attr]
    return tuple(values) if len(values) == 6 else IDENTITY  # type: ignore[return-value]


_STATE_OPS = frozenset({"q", "Q", "cm", "Do"})  # what the walk itself needs


def operations(pdf: pikepdf.Pdf, only: frozenset[str] | None = None) -> Iterator[Op]:
    """Every operation painted on every page, descending into forms and tiling patterns.

    With *only*, just those operators (and ``Do``) are yielded; the content
    streams are then filtered by qpdf, several times faster than in Python.
    """
    wanted = None if only is None else " ".join(sorted(only | _STATE_OPS))
    for number, page in enumerate(pdf.pages, start=1):
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        yield from _walk(page, number, IDENTITY, resources, 0, wanted)
        for pattern in resources.get("/Pattern", {}).values():
            if int(pattern.get("/PatternType", 0)) == 1:
                matrix = _matrix(pattern.get("/Matrix"))
                own = pattern.get("/Resources", pikepdf.Dictionary())
                yield from _walk(pattern, number, matrix, own, 1, wanted)


def _walk(
    stream: object,
    page: int,
    base: Matrix,
    resources: pikepdf.Dictionary,
    depth: int,
    wanted: str | None,
) -> Iterator[Op]:
    if depth > _MAX_DEPTH:
        return
    ctm = base
    stack: list[Matrix] = []
    parsed = (
        pikepdf.parse_content_stream(stream)
        if wanted is None
        else pikepdf.parse_content_stream(stream, wanted)
    )
    for operands, operator in parsed:
        op = str(operator)
        if op == "q":
            stack.append(ctm)
            if wanted is not None:
                continue
        elif op == "Q":
            ctm = stack.pop() if stack else base
            if wanted is not None:
                continue
        elif op == "cm" and len(operands) == 6:
            ctm = multiply(_matrix(operands), ctm)
        yield Op(page, op, tuple(operands), ctm, resources)
        if op == "Do" and operands:
            xobject = resources.get("/XObject", {}).get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                inner = multiply(_matrix(xobject.get("/Matrix")), ctm)
                own = xobject.get("/Resources", resources)
                yield from _walk(xobject, page, inner, own, depth + 1, wanted)


def colour_space_family(space: object, resources: pikepdf.Dictionary) -> str:
    """Family of a colour space: ``/DeviceRGB``, ``/DeviceCMYK``; ICCBased by its N."""
    if isinstance(space, pikepdf.Name) and not str(space).startswith("/Device"):
        space = resources.get("/ColorSpace", {}).get(str(space), space)
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased":
            return {1: "/DeviceGray", 3: "/DeviceRGB", 4: "/DeviceCMYK"}.get(
                int(space[1].N), family
            )
        if family == "/Indexed" and len(space) > 1:
            return colour_space_family(space[1], resources)
        return family
    return str(space)


COLOUR_OPS = frozenset({"rg", "RG", "cs", "CS", "k", "K", "g", "G", "sc", "scn", "SC", "SCN"})
PAINT_OPS = frozenset(
    {"f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "Do", "Tj", "TJ", "'", '"'}
)


@dataclass
class Painted:
    """A PDF read once: what several checks need from its content streams.

    Only colour-setting operations are kept (a book has hundreds of thousands
    of operations; keeping them all would cost hundreds of megabytes).
    """

    pdf: pikepdf.Pdf
    ops: list[Op]  # colour-setting operations only
    pages_painted: set[int]
    draws: list[ImageDraw]


_READ: dict[str, Painted] = {}


def painted(data: bytes) -> Painted:
    """The operations and image draws of the PDF *data*, walked once per file.

    The last two files read stay open (a build checks two editions); walking a
    book's content streams costs most of a second, and five checks need them.
    """
    key = hashlib.sha256(data).hexdigest()
    if key not in _READ:
        if len(_READ) >= 2:
            oldest = next(iter(_READ))
            _READ.pop(oldest).pdf.close()
        pdf = pikepdf.open(BytesIO(data))
        colour: list[Op] = []
        pages: set[int] = set()
        draws: list[ImageDraw] = []
        for op in operations(pdf, COLOUR_OPS | PAINT_OPS):
            if op.operator in COLOUR_OPS:
                colour.append(op)
            elif op.operator in PAINT_OPS:
                pages.add(op.page)
                if op.operator == "Do":
                    draws.extend(image_draws(pdf, [op]))
        _READ[key] = Painted(pdf, colour, pages, draws)
    return _READ[key]


def image_draws(pdf: pikepdf.Pdf, ops: list[Op] | None = None) -> list[ImageDraw]:
    """Every image painted in the PDF with its drawn size."""
    draws = []
    for op in ops if ops is not None else operations(pdf):
        if op.operator != "Do" or not op.operands:
            continue
        name = str(op.operands[0])
        xobject = op.resources.get("/XObject", {}).get(name)
        if xobject is None or xobject.get("/Subtype") != "/Image":
            continue
        if xobject.get("/ImageMask", False):
            continue
        a, b, c, d, e, f = op.ctm
        width = (a * a + b * b) ** 0.5
        height = (c * c + d * d) ** 0.5
        xs = [e, e + a, e + c, e + a + c]
        ys = [f, f + b, f + d, f + b + d]
        draws.append(
            ImageDraw(
                page=op.page,
                name=name,
                image=xobject,
                pixels=(int(xobject.Width), int(xobject.Height)),
                width_pt=width,
                height_pt=height,
                colour_space=colour_space_family(xobject.get("/ColorSpace"), op.resources),
                bbox=(min(xs), min(ys), max(xs), max(ys)),
            )
        )
    return draws
