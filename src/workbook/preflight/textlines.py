"""Lines of type and painted shapes of each page, read from the content streams.

The page make-up checks (:mod:`workbook.preflight.makeup`) need more than
pdftotext's words: the font and size of every piece of text (body type,
footnote type, the raised footnote call), the width of every justified word
space, the hyphen at a line's end, and where boxes and rules are painted.
This module reads them from the PDF alone: ``Tf`` / ``Tm`` / ``TJ`` with the
fonts' widths (``/W``) and ``/ToUnicode`` maps, and the paths that fill or
stroke, in points from the MediaBox's top-left corner, y downwards (as the
words of :mod:`.facts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from workbook.pipeline.freshness import cached_readings
from workbook.preflight.pdfcontent import IDENTITY, Matrix, multiply, page_operations

SOFT_BREAK = "\u2010"  # the hyphen WeasyPrint draws where it broke at a soft hyphen
SUPERSCRIPT_MAX = 7.0  # pt: a raised figure this small is a footnote call
_TEXT_OPS = frozenset({"BT", "ET", "Tf", "Tm", "Td", "TD", "TJ", "Tj", "TL", "T*", "Tc", "Tw"})
_PATH_OPS = frozenset({"re", "m", "l", "c", "v", "y", "h", "n", "S", "s", "f", "F", "f*", "B"})
_PAINT = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"})
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 from the top-left, y down


@dataclass(frozen=True)
class Run:
    """One piece of text set in one font on one line."""

    font: str  # the font's name without subset tag and family prefix: "Charis-Italic"
    size: float  # pt
    x0: float
    x1: float
    baseline: float
    text: str
    spaces: tuple[float, ...] = ()  # each word space's width over the font's own space width

    @property
    def family(self) -> str:
        """``Charis`` or ``Inter`` (the part of the name before the style)."""
        return self.font.split("-", 1)[0]


@dataclass
class Line:
    """Runs that share a baseline; footnote calls raised above it belong to it."""

    runs: list[Run]
    calls: list[Run] = field(default_factory=list)

    @property
    def baseline(self) -> float:
        return self.runs[0].baseline

    @property
    def x0(self) -> float:
        return min(r.x0 for r in self.runs)

    @property
    def x1(self) -> float:
        return max(r.x1 for r in self.runs)

    @property
    def size(self) -> float:
        """The size of the line's widest run."""
        return max(self.runs, key=lambda r: r.x1 - r.x0).size

    @property
    def family(self) -> str:
        return max(self.runs, key=lambda r: r.x1 - r.x0).family

    @property
    def text(self) -> str:
        return "".join(r.text for r in sorted(self.runs, key=lambda r: r.x0)).strip()

    @property
    def top(self) -> float:
        return self.baseline - 0.8 * self.size

    @property
    def bottom(self) -> float:
        return self.baseline + 0.25 * self.size

    @property
    def hyphenated(self) -> bool:
        """The line ends where a word was broken at a soft hyphen."""
        return self.text.endswith(SOFT_BREAK)

    @property
    def spaces(self) -> list[float]:
        return [s for r in self.runs for s in r.spaces]


@dataclass(frozen=True)
class Frame:
    """A rectangle outlined by an even-odd fill of two rectangles (a CSS border)."""

    box: Box
    border: float


@dataclass
class PageText:
    """What one page shows, for the make-up checks."""

    number: int
    lines: list[Line]
    frames: list[Frame]
    shapes: list[Box]  # every other filled or stroked path, bounding box
    rules: int  # horizontal hairlines (ruled lines for writing)


def _font_name(font: pikepdf.Dictionary) -> str:
    name = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
    return name.removeprefix("Workbook-")


_SPACES = (" ", "\u00a0")  # a word space, and a no-break one (justification widens both)


@dataclass
class _Font:
    name: str
    widths: dict[int, float]
    default: float
    unicode: dict[int, str]

    @property
    def space(self) -> float:
        for code, text in self.unicode.items():
            if text in _SPACES:
                return self.widths.get(code, self.default)
        return 250.0


_BFCHAR_RE = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_BFRANGE_RE = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def _to_unicode(stream: object) -> dict[int, str]:
    if not isinstance(stream, pikepdf.Stream):
        return {}
    text = stream.read_bytes().decode("latin-1")
    found: dict[int, str] = {}
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, start in _BFRANGE_RE.findall(block):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[code] = chr(first + offset)
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, value in _BFCHAR_RE.findall(block):
            raw = bytes.fromhex(value)
            found[int(code, 16)] = raw.decode("utf-16-be", errors="replace")
    return found


def _widths(descendant: pikepdf.Dictionary) -> tuple[dict[int, float], float]:
    widths: dict[int, float] = {}
    array = list(descendant.get("/W", []))
    i = 0
    while i < len(array):
        first = int(array[i])
        if i + 1 < len(array) and isinstance(array[i + 1], pikepdf.Array):
            for offset, width in enumerate(array[i + 1]):
                widths[first + offset] = float(width)
            i += 2
        elif i + 2 < len(array):
            for code in range(first, int(array[i + 1]) + 1):
                widths[code] = float(array[i + 2])
            i += 3
        else:
            break
    return widths, float(descendant.get("/DW", 1000))


_FONTS: dict[tuple[int, int], _Font] = {}


def _font(font: pikepdf.Dictionary) -> _Font:
    key = font.objgen
    if key not in _FONTS:
        descendants = font.get("/DescendantFonts")
        descendant = descendants[0] if descendants else font
        widths, default = _widths(descendant)
        if not widths and "/Widths" in font:  # a simple font
            first = int(font.get("/FirstChar", 0))
            widths = {first + i: float(w) for i, w in enumerate(font.Widths)}
        unicode = _to_unicode(font.get("/ToUnicode"))
        _FONTS[key] = _Font(_font_name(font), widths, default, unicode)
    return _FONTS[key]


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def read_page(page: pikepdf.Page, number: int) -> PageText:
    """The lines, frames and other shapes of one page."""
    top = float(page.MediaBox[3])
    left = float(page.MediaBox[0])
    runs: list[Run] = []
    rects: list[Box] = []
    path: list[Box] = []
    shapes: list[Box] = []
    frames: list[Frame] = []
    rules = 0
    font: _Font | None = None
    size = 0.0
    tm: Matrix = IDENTITY
    line_start: Matrix = IDENTITY
    if len(_FONTS) > 512:
        _FONTS.clear()
    for op in page_operations(page, number, _TEXT_OPS | _PATH_OPS):
        name, args = op.operator, op.operands
        if name == "BT":
            tm = line_start = IDENTITY
        elif name == "Tf" and len(args) == 2:
            fonts = op.resources.get("/Font", {})
            dictionary = fonts.get(str(args[0]))
            font = _font(dictionary) if isinstance(dictionary, pikepdf.Dictionary) else None
            size = float(args[1])
        elif name == "Tm" and len(args) == 6:
            tm = line_start = tuple(float(v) for v in args)  # type: ignore[assignment]
        elif name in ("Td", "TD") and len(args) == 2:
            line_start = multiply((1, 0, 0, 1, float(args[0]), float(args[1])), line_start)
            tm = line_start
        elif name in ("TJ", "Tj") and font is not None:
            items = list(args[0]) if name == "TJ" else [args[0]]
            run, advance = _run(items, font, size, multiply(tm, op.ctm), top, left)
            tm = multiply((1, 0, 0, 1, advance, 0), tm)
            if run is not None:
                runs.append(run)
        elif name == "re" and len(args) == 4:
            x, y, w, h = (float(v) for v in args)
            corners = [_apply(op.ctm, x, y), _apply(op.ctm, x + w, y + h)]
            rects.append(_box(corners, top, left))
            path.append(rects[-1])
        elif name in ("m", "l", "c", "v", "y") and args:
            values = [float(v) for v in args]
            points = [_apply(op.ctm, values[i], values[i + 1]) for i in range(0, len(values), 2)]
            path.append(_box(points, top, left))
        elif name == "n":
            rects, path = [], []
        elif name in _PAINT:
            if name == "f*" and len(rects) == 2:
                outer, inner = sorted(rects, key=lambda r: (r[0], r[1]))
                border = inner[0] - outer[0]
                if 0 < border < 4 and inner[2] < outer[2]:
                    frames.append(Frame(outer, border))
                    rects, path = [], []
                    continue
            if path:
                box = (
                    min(b[0] for b in path),
                    min(b[1] for b in path),
                    max(b[2] for b in path),
                    max(b[3] for b in path),
                )
                shapes.append(box)
                if box[3] - box[1] < 1.5 and box[2] - box[0] > 60:
                    rules += 1
            rects, path = [], []
    for annot in page.obj.get("/Annots") or []:
        if annot.get("/Subtype") == "/Widget" and "/Rect" in annot:
            x0, y0, x1, y1 = (float(v) for v in annot.Rect)
            shapes.append(_box([(x0, y0), (x1, y1)], top, left))  # a form field
    return PageText(number, _lines(runs), frames, shapes, rules)


def _box(points: list[tuple[float, float]], top: float, left: float) -> Box:
    xs = [p[0] - left for p in points]
    ys = [top - p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _run(
    items: list[object], font: _Font, size: float, matrix: Matrix, top: float, left: float
) -> tuple[Run | None, float]:
    """The run a TJ shows, and its advance in text space."""
    scale = (matrix[0] ** 2 + matrix[1] ** 2) ** 0.5
    space = font.space
    advance = 0.0
    text: list[str] = []
    spaces: list[float] = []
    last_space: float | None = None
    # A justified space's extra width is shown as shifts on both sides of the space
    # glyph (WeasyPrint puts half before it, half after): both count.
    before = 0.0  # the shift since the last glyph
    for item in items:
        if isinstance(item, pikepdf.String):
            raw = bytes(item)
            for i in range(0, len(raw) - 1, 2):
                code = raw[i] << 8 | raw[i + 1]
                char = font.unicode.get(code, "")
                width = font.widths.get(code, font.default)
                if last_space is not None:
                    spaces.append(last_space / space)
                last_space = width + before if char in _SPACES else None
                before = 0.0
                text.append(char)
                advance += width / 1000 * size
        else:
            shift = -float(item)  # type: ignore[arg-type]
            if last_space is not None:
                last_space += shift
            else:
                before += shift
            advance += shift / 1000 * size
    if not text:
        return None, advance
    x0, y0 = _apply(matrix, 0, 0)
    x1, _ = _apply(matrix, advance, 0)
    words = "".join(text)
    run = Run(
        font=font.name,
        size=round(size * scale, 2),
        x0=x0 - left,
        x1=x1 - left,
        baseline=top - y0,
        text=words,
        spaces=tuple(spaces[: max(0, sum(map(words.rstrip().count, _SPACES)))]),
    )
    return run, advance


def _lines(runs: list[Run]) -> list[Line]:
    """Runs grouped into lines by baseline; small raised figures are calls of their line."""
    calls = [r for r in runs if r.size <= SUPERSCRIPT_MAX and r.text.strip().isdigit()]
    rest = sorted((r for r in runs if r not in calls), key=lambda r: (round(r.baseline, 1), r.x0))
    lines: list[Line] = []
    for run in rest:
        if lines and abs(lines[-1].baseline - run.baseline) < 1.0:
            lines[-1].runs.append(run)
        else:
            lines.append(Line([run]))
    for call in calls:
        owner = min(
            (line for line in lines if 0 <= line.baseline - call.baseline < 6),
            key=lambda line: line.baseline - call.baseline,
            default=None,
        )
        if owner is not None:
            owner.calls.append(call)
        else:
            lines.append(Line([call]))
    lines.sort(key=lambda line: (line.baseline, line.x0))
    return lines


_CACHE_VERSION = 2


def read_pages(
    pdf: pikepdf.Pdf, keys: Sequence[str] = (), cache: Path | None = None
) -> list[PageText]:
    """:func:`read_page` of every page.

    With *keys* (the pages' digests, :class:`workbook.preflight.pageimages.PageDigests`,
    which cover the fonts a page uses) and *cache* (a page cache file), a page whose
    digest was read before is taken from the cache: an edit re-reads only the
    pages it changed. The cache is a hint: unreadable, it is written anew.
    """
    # Font objects are numbered per file: fonts kept from another file would lend
    # theirs widths and characters to this file's fonts of the same number.
    _FONTS.clear()
    return cached_readings(pdf.pages, keys, cache, _CACHE_VERSION, read_page, _restored, _stored)


def _run_stored(run: Run) -> list:
    return [run.font, run.size, run.x0, run.x1, run.baseline, run.text, list(run.spaces)]


def _stored(page: PageText) -> dict:
    return {
        "lines": [[[_run_stored(r) for r in ln.runs], [_run_stored(r) for r in ln.calls]]
                  for ln in page.lines],
        "frames": [[list(f.box), f.border] for f in page.frames],
        "shapes": [list(box) for box in page.shapes],
        "rules": page.rules,
    }  # fmt: skip


def _restored(data: object, number: int) -> PageText | None:
    """A page read back from the cache, or None when it does not fit."""

    def run(item: list) -> Run:
        font, size, x0, x1, baseline, text, spaces = item
        return Run(str(font), float(size), float(x0), float(x1), float(baseline), str(text),
                   tuple(float(v) for v in spaces))  # fmt: skip

    def box(item: list) -> Box:
        x0, y0, x1, y1 = (float(v) for v in item)
        return x0, y0, x1, y1

    try:
        lines = [Line([run(r) for r in runs], [run(r) for r in calls])
                 for runs, calls in data["lines"]]  # type: ignore[index]  # fmt: skip
        frames = [Frame(box(b), float(border)) for b, border in data["frames"]]  # type: ignore[index]
        shapes = [box(b) for b in data["shapes"]]  # type: ignore[index]
        return PageText(number, lines, frames, shapes, int(data["rules"]))  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
