"""Read what a PDF paints: content streams of pages, forms and tiling patterns.

The checks measure images from the PDF itself (not from the book model): each
``Do`` of an image XObject is recorded with the transformation matrix in force,
which gives the drawn size and so the effective resolution. Each page is
summed up once (:class:`PagePaint`: colours, images, marked content), and with
a cache the summaries are kept by page digest, so a rebuild walks only the
pages that changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from io import BytesIO
from pathlib import Path

import pikepdf

from workbook.finish.structtree import Structure, read_structure
from workbook.html.colour import max_ink_percent
from workbook.pipeline.freshness import read_json_part, write_json

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
    depth: int = 0  # 0 on the page itself, 1 in a form or pattern it draws, ...


@dataclass(frozen=True)
class ImageDraw:
    """An image XObject painted on a page."""

    page: int
    name: str
    pixels: tuple[int, int]
    width_pt: float
    height_pt: float
    colour_space: str
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x0, y0, x1, y1 in PDF space
    ink: float | None = None  # a CMYK image's highest C+M+Y+K in percent (when measured)

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

    With *only*, just those operators (and ``q``, ``Q``, ``cm``, ``Do``) are
    yielded; the content streams are then filtered by qpdf, several times
    faster than in Python.
    """
    for number, page in enumerate(pdf.pages, start=1):
        yield from page_operations(page, number, only)


def page_operations(
    page: pikepdf.Page, number: int, only: frozenset[str] | None = None
) -> Iterator[Op]:
    """:func:`operations` of one *page*, numbered *number*."""
    wanted = None if only is None else " ".join(sorted(only | _STATE_OPS))
    resources = page.obj.get("/Resources", pikepdf.Dictionary())
    box = page.obj.get("/BleedBox", page.obj.get("/MediaBox"))
    visible = _rect(box)
    yield from _walk(page, number, IDENTITY, resources, 0, wanted, visible)
    for pattern in resources.get("/Pattern", {}).values():
        if int(pattern.get("/PatternType", 0)) == 1:
            matrix = _matrix(pattern.get("/Matrix"))
            own = pattern.get("/Resources", pikepdf.Dictionary())
            yield from _walk(pattern, number, matrix, own, 1, wanted, visible)


Rect4 = tuple[float, float, float, float]


def _rect(value: object) -> Rect4 | None:
    try:
        x0, y0, x1, y1 = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _outside(xobject: pikepdf.Object, matrix: Matrix, visible: Rect4 | None) -> bool:
    """Whether a form's bounding box, placed by *matrix*, misses the *visible* area
    (printer's marks in the slug beyond the bleed paint nothing on the page)."""
    box = _rect(xobject.get("/BBox"))
    if box is None or visible is None:
        return False
    a, b, c, d, e, f = matrix
    corners = [(box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])]
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    return (
        max(xs) <= visible[0]
        or min(xs) >= visible[2]
        or max(ys) <= visible[1]
        or min(ys) >= visible[3]
    )


def _walk(
    stream: object,
    page: int,
    base: Matrix,
    resources: pikepdf.Dictionary,
    depth: int,
    wanted: str | None,
    visible: Rect4 | None = None,
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
        xobject = None
        if op == "Do" and operands:
            xobject = resources.get("/XObject", {}).get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") != "/Form":
                xobject = None
        inner = multiply(_matrix(xobject.get("/Matrix")), ctm) if xobject is not None else ctm
        if xobject is not None and _outside(xobject, inner, visible):
            continue  # e.g. a crop mark beyond the bleed
        yield Op(page, op, tuple(operands), ctm, resources, depth)
        if xobject is not None:
            own = xobject.get("/Resources", resources)
            yield from _walk(xobject, page, inner, own, depth + 1, wanted, visible)


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


_SUMMARY_OPS = COLOUR_OPS | PAINT_OPS | {"BDC"}
_CACHE_VERSION = 1


@dataclass(frozen=True)
class PagePaint:
    """What one page paints, as the checks need it; kept between builds by page digest."""

    paints: bool  # anything at all is painted
    colours: tuple[str, ...]  # colour spaces set, first use first ("/DeviceRGB" for rg, RG)
    max_cmyk: float  # highest C+M+Y+K of a k or K colour, in percent (0 without one)
    draws: tuple[ImageDraw, ...]
    marked: tuple[tuple[str, int], ...]  # (tag, MCID) of the page's own marked content


@dataclass
class Painted:
    """A PDF read once: what several checks need from its content streams (and,
    when first asked, its structure tree).

    Only summaries are kept (a book has hundreds of thousands of operations;
    keeping them all would cost hundreds of megabytes).
    """

    pdf: pikepdf.Pdf
    pages: list[PagePaint]  # in page order
    keys: list[str] = field(default_factory=list)  # the pages' digests, when read with a cache
    walked: int = 0  # pages whose content streams were walked (the others were known)

    @property
    def draws(self) -> list[ImageDraw]:
        """Every image draw of the file, page by page."""
        return [draw for page in self.pages for draw in page.draws]

    @property
    def pages_painted(self) -> set[int]:
        """Numbers of the pages that paint anything."""
        return {number for number, page in enumerate(self.pages, start=1) if page.paints}

    @cached_property
    def structure(self) -> Structure:
        """The structure tree, walked once for all the checks that read it."""
        return read_structure(self.pdf.Root.get("/StructTreeRoot"))


_READ: dict[str, Painted] = {}


def painted(
    data: bytes,
    *,
    key: Callable[[pikepdf.Page], str] | None = None,
    cache: Path | None = None,
) -> Painted:
    """What the PDF *data* paints, page by page, walked once per file.

    The last two files read stay open (a build checks two editions); walking a
    book's content streams costs a fifth of a second, and six checks need them.
    With *key* (a page's digest, e.g.
    :func:`workbook.preflight.pageimages.page_digest`) and *cache* (a JSON
    file), pages whose digest was seen before are not walked again: an edit
    changes a page or two. The cache is a hint: unreadable, it is written anew.
    """
    memo = hashlib.sha256(data).hexdigest()
    if memo in _READ:
        return _READ[memo]
    if len(_READ) >= 2:
        _READ.pop(next(iter(_READ))).pdf.close()
    pdf = pikepdf.open(BytesIO(data))
    keys = [key(page) for page in pdf.pages] if key is not None else []
    known = read_json_part(cache, _CACHE_VERSION, "pages") if cache is not None and keys else {}
    pages: list[PagePaint] = []
    inks: dict[tuple[int, int], float] = {}
    walked = 0
    for number, page in enumerate(pdf.pages, start=1):
        seen = known.get(keys[number - 1]) if keys else None
        summary = _from_json(seen, number) if seen is not None else None
        if summary is None:
            summary = _page_paint(page, number, inks)
            walked += 1
        pages.append(summary)
    if cache is not None and keys and (walked or set(known) != set(keys)):
        write_json(cache, {
            "version": _CACHE_VERSION,
            "pages": {k: _to_json(p) for k, p in zip(keys, pages, strict=True)},
        }, separators=(",", ":"))  # fmt: skip
    _READ[memo] = Painted(pdf, pages, keys, walked)
    return _READ[memo]


def forget() -> None:
    """Close the files :func:`painted` keeps open and forget what it read."""
    while _READ:
        _READ.popitem()[1].pdf.close()


def _page_paint(page: pikepdf.Page, number: int, inks: dict[tuple[int, int], float]) -> PagePaint:
    """Walk one page; *inks* holds the CMYK images measured so far in this file."""
    paints = False
    colours: dict[str, None] = {}
    max_cmyk = 0.0
    draws: list[ImageDraw] = []
    marked: list[tuple[str, int]] = []
    for op in page_operations(page, number, _SUMMARY_OPS):
        operator, operands = op.operator, op.operands
        if operator == "BDC":
            properties = operands[1] if len(operands) == 2 else None
            mcid = isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties
            if op.depth == 0 and mcid:
                marked.append((str(operands[0]), int(properties.MCID)))
            continue
        if operator in ("rg", "RG"):
            colours.setdefault("/DeviceRGB")
        elif operator in ("cs", "CS") and operands:
            colours.setdefault(colour_space_family(operands[0], op.resources))
        elif operator in ("k", "K") and len(operands) == 4:
            max_cmyk = max(max_cmyk, sum(float(v) for v in operands) * 100)  # type: ignore[arg-type]
        elif operator in PAINT_OPS:
            paints = True
            if (draw := _image_draw(op, inks)) is not None:
                draws.append(draw)
    return PagePaint(paints, tuple(colours), max_cmyk, tuple(draws), tuple(marked))


def _image_draw(op: Op, inks: dict[tuple[int, int], float] | None = None) -> ImageDraw | None:
    """The image a ``Do`` paints, with its drawn size; None for forms and masks.

    With *inks*, a CMYK image's highest ink is measured (once per image).
    """
    if op.operator != "Do" or not op.operands:
        return None
    name = str(op.operands[0])
    xobject = op.resources.get("/XObject", {}).get(name)
    if xobject is None or xobject.get("/Subtype") != "/Image":
        return None
    if xobject.get("/ImageMask", False):
        return None
    a, b, c, d, e, f = op.ctm
    xs = [e, e + a, e + c, e + a + c]
    ys = [f, f + b, f + d, f + b + d]
    space = colour_space_family(xobject.get("/ColorSpace"), op.resources)
    ink = None
    if inks is not None and space == "/DeviceCMYK":
        if xobject.objgen not in inks:
            inks[xobject.objgen] = _image_ink(xobject)
        ink = inks[xobject.objgen]
    return ImageDraw(
        page=op.page,
        name=name,
        pixels=(int(xobject.Width), int(xobject.Height)),
        width_pt=(a * a + b * b) ** 0.5,
        height_pt=(c * c + d * d) ** 0.5,
        colour_space=space,
        bbox=(min(xs), min(ys), max(xs), max(ys)),
        ink=ink,
    )


def _image_ink(image: pikepdf.Stream) -> float:
    """Highest C+M+Y+K of a CMYK image XObject, in percent."""
    try:
        pil = pikepdf.PdfImage(image).as_pil_image()
    except (pikepdf.PdfError, NotImplementedError, OSError, ValueError):
        return 0.0  # not decodable here: the resolution and colour checks still see it
    if pil.mode != "CMYK":
        return 0.0
    return max_ink_percent(pil)


def image_draws(pdf: pikepdf.Pdf, ops: list[Op] | None = None) -> list[ImageDraw]:
    """Every image painted in the PDF with its drawn size."""
    draws = (_image_draw(op) for op in (ops if ops is not None else operations(pdf)))
    return [draw for draw in draws if draw is not None]


def _to_json(page: PagePaint) -> dict[str, object]:
    return {
        "paints": page.paints,
        "colours": list(page.colours),
        "max_cmyk": page.max_cmyk,
        "draws": [
            [d.name, *d.pixels, d.width_pt, d.height_pt, d.colour_space, *d.bbox, d.ink]
            for d in page.draws
        ],
        "marked": [list(m) for m in page.marked],
    }


def _from_json(value: object, number: int) -> PagePaint | None:
    """A page's summary read back for page *number*; None when it does not fit."""
    try:
        draws = tuple(
            ImageDraw(
                number,
                str(name),
                (int(w), int(h)),
                float(wp),
                float(hp),
                str(space),
                (float(x0), float(y0), float(x1), float(y1)),
                None if ink is None else float(ink),
            )
            for name, w, h, wp, hp, space, x0, y0, x1, y1, ink in value["draws"]  # type: ignore[index]
        )
        return PagePaint(
            bool(value["paints"]),  # type: ignore[index]
            tuple(str(c) for c in value["colours"]),  # type: ignore[index]
            float(value["max_cmyk"]),  # type: ignore[index]
            draws,
            tuple((str(tag), int(mcid)) for tag, mcid in value["marked"]),  # type: ignore[index]
        )
    except (KeyError, TypeError, ValueError):
        return None
