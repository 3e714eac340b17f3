"""Press checks of inks: black overprints, small type in few inks, the output profile,
and ISBNs shared with another publication.

The content streams are read back with a graphics state of their own (colours,
transformation, text matrix, the overprint parameters of each ExtGState), not
with the code that wrote them:

- ``overprint``: every run of text in 100 % K prints with overprint on
  (``/op true`` and ``/OPM 1``), so it does not knock out the tints below.
- ``small-text``: text under :data:`SMALL_PT` is pure K or at most two inks,
  and never reversed (paper white) out of a fill or image of three or four
  inks: the palette rule (``styles/palette.toml``) read from the PDF.
- ``output-profile``: a warning while the bundled generic stand-in profile is
  the output intent.
- ``isbn-unique``: a warning when another publication in the same git work
  tree (a copied publication) carries one of this book's ISBNs.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path

import pikepdf

from workbook.config.publication import Project
from workbook.pipeline.freshness import cached_readings
from workbook.preflight.checks import CheckResult
from workbook.preflight.pdfcontent import IDENTITY, Matrix, multiply

SMALL_PT = 12.0  # "about 12 pt": smaller text is fragile under misregistration
_TEXT_OPS = {"Tj", "TJ", "'", '"'}
_FILL_OPS = {"f", "F", "f*", "B", "B*", "b", "b*"}
_SKIP_DIRS = {"build", "node_modules", "__pycache__"}
# What the reading needs: qpdf filters the streams to these, much faster than Python.
_WANTED = (
    "q Q cm gs cs sc scn k g rg Tr BT Tf TL Tm Td TD T* Tj TJ ' \" "
    "re m l c v y f F f* B B* b b* S s n Do"
)
_SEARCH_DEPTH = 3  # folders below the work tree's root searched for copies


@dataclass(frozen=True)
class TextRun:
    """One text-showing operator as printed."""

    page: int
    size: float  # pt, after the text matrix and CTM
    colour: tuple[float, ...] | None  # the fill colour's components (CMYK, or grey)
    space: str
    overprint: bool  # op on with OPM 1 (or op on in a grey or CMYK colour space)
    point: tuple[float, float]  # its origin in default user space
    reversed_out_of: int = 0  # inks of a fill or image below a paper-white run


@dataclass
class _GState:
    ctm: Matrix = IDENTITY
    fill_space: str = "/DeviceGray"
    fill: tuple[float, ...] = (0.0,)
    op: bool = False
    opm: int = 0
    text_mode: int = 0


@dataclass
class _Reading:
    runs: list[TextRun] = field(default_factory=list)
    # fills and images of three or more inks on the page: (x0, y0, x1, y1, inks)
    heavy: list[tuple[float, float, float, float, int]] = field(default_factory=list)


def _inks(colour: tuple[float, ...] | None, space: str) -> int:
    if colour is None:
        return 4
    if space == "/DeviceGray":
        return 1 if colour and colour[0] < 0.999 else 0
    return sum(1 for v in colour if v > 0.005)


def _white(colour: tuple[float, ...] | None, space: str) -> bool:
    if colour is None:
        return False
    if space == "/DeviceGray":
        return bool(colour) and colour[0] >= 0.95
    return space == "/DeviceCMYK" and all(v <= 0.05 for v in colour)


def _space(operand: object, resources: pikepdf.Dictionary) -> str:
    name = str(operand)
    if name.startswith("/Device"):
        return name
    found = resources.get("/ColorSpace", {}).get(name)
    if isinstance(found, pikepdf.Array) and len(found) > 1:
        if str(found[0]) == "/ICCBased":
            return {1: "/DeviceGray", 3: "/DeviceRGB", 4: "/DeviceCMYK"}.get(int(found[1].N), name)
        return str(found[0])
    return name


def _bbox(points: list[tuple[float, float]], ctm: Matrix) -> tuple[float, float, float, float]:
    a, b, c, d, e, f = ctm
    xs = [a * x + c * y + e for x, y in points]
    ys = [b * x + d * y + f for x, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _read(stream, number: int, resources, state: _GState, reading: _Reading, depth=0) -> None:
    if depth > 8:
        return
    stack: list[_GState] = []
    text_matrix = IDENTITY
    line_matrix = IDENTITY
    size = 0.0
    leading = 0.0
    points: list[tuple[float, float]] = []
    for operands, operator in pikepdf.parse_content_stream(stream, _WANTED):
        op = str(operator)
        if op == "q":
            stack.append(_GState(**vars(state)))
        elif op == "Q" and stack:
            state = stack.pop()
        elif op == "cm" and len(operands) == 6:
            state.ctm = multiply(tuple(float(v) for v in operands), state.ctm)  # type: ignore[arg-type]
        elif op == "gs" and operands:
            found = resources.get("/ExtGState", {}).get(str(operands[0]))
            if isinstance(found, pikepdf.Dictionary):
                if "/op" in found:
                    state.op = bool(found.op)
                elif "/OP" in found:
                    state.op = bool(found.OP)
                if "/OPM" in found:
                    state.opm = int(found.OPM)
        elif op == "cs" and operands:
            state.fill_space = _space(operands[0], resources)
            state.fill = {"/DeviceCMYK": (0.0, 0.0, 0.0, 1.0), "/DeviceGray": (0.0,)}.get(
                state.fill_space, (0.0,)
            )
        elif op in ("sc", "scn"):
            try:
                state.fill = tuple(float(v) for v in operands)
            except (TypeError, ValueError):
                state.fill = ()  # a pattern
        elif op == "k" and len(operands) == 4:
            state.fill_space, state.fill = "/DeviceCMYK", tuple(float(v) for v in operands)
        elif op == "g" and operands:
            state.fill_space, state.fill = "/DeviceGray", (float(operands[0]),)
        elif op == "rg":
            state.fill_space, state.fill = "/DeviceRGB", tuple(float(v) for v in operands)
        elif op == "Tr" and operands:
            state.text_mode = int(operands[0])
        elif op == "BT":
            text_matrix = line_matrix = IDENTITY
        elif op == "Tf" and len(operands) == 2:
            size = float(operands[1])
        elif op == "TL" and operands:
            leading = float(operands[0])
        elif op == "Tm" and len(operands) == 6:
            text_matrix = line_matrix = tuple(float(v) for v in operands)  # type: ignore[assignment]
        elif op in ("Td", "TD") and len(operands) == 2:
            tx, ty = float(operands[0]), float(operands[1])
            if op == "TD":
                leading = -ty
            line_matrix = multiply((1, 0, 0, 1, tx, ty), line_matrix)
            text_matrix = line_matrix
        elif op == "T*":
            line_matrix = multiply((1, 0, 0, 1, 0, -leading), line_matrix)
            text_matrix = line_matrix
        elif op in _TEXT_OPS and state.text_mode not in (3, 7):
            full = multiply(text_matrix, state.ctm)
            a, b, c, d, e, f = full
            scale = abs(a * d - b * c) ** 0.5
            cmyk = state.fill_space == "/DeviceCMYK" and state.opm == 1
            overprint = state.op and (cmyk or state.fill_space == "/DeviceGray")
            run = TextRun(number, size * scale, state.fill, state.fill_space, overprint, (e, f))
            if _white(state.fill, state.fill_space):
                under = [
                    inks
                    for x0, y0, x1, y1, inks in reading.heavy
                    if x0 <= e <= x1 and y0 <= f <= y1
                ]
                if under:
                    run = replace(run, reversed_out_of=max(under))
            reading.runs.append(run)
        elif op == "re" and len(operands) == 4:
            x, y, w, h = (float(v) for v in operands)
            points += [(x, y), (x + w, y + h)]
        elif op in ("m", "l", "c", "v", "y"):
            values = [float(v) for v in operands]
            points += list(zip(values[::2], values[1::2], strict=False))
        elif op in _FILL_OPS or op in ("S", "s", "n"):
            inks = _inks(state.fill, state.fill_space)
            if op in _FILL_OPS and points and inks >= 3:
                reading.heavy.append((*_bbox(points, state.ctm), inks))
            points = []
        elif op == "Do" and operands:
            xobject = resources.get("/XObject", {}).get(str(operands[0]))
            if xobject is None:
                continue
            if xobject.get("/Subtype") == "/Form":
                inner = multiply(
                    tuple(float(v) for v in xobject.get("/Matrix", IDENTITY)),  # type: ignore[arg-type]
                    state.ctm,
                )
                own = xobject.get("/Resources", resources)
                _read(xobject, number, own, _GState(**{**vars(state), "ctm": inner}), reading,
                      depth + 1)  # fmt: skip
            elif xobject.get("/Subtype") == "/Image":
                space = str(xobject.get("/ColorSpace", ""))
                family = _space(xobject.get("/ColorSpace"), resources) if space else ""
                if family == "/DeviceCMYK":
                    reading.heavy.append((*_bbox([(0, 0), (1, 1)], state.ctm), 4))


_CACHE_VERSION = 1


def text_runs(data: bytes, keys: Sequence[str] = (), cache: Path | None = None) -> list[TextRun]:
    """Every run of text the PDF shows, page by page, with its colour and overprint.

    With *keys* (the pages' digests, :class:`workbook.preflight.pageimages.PageDigests`,
    which cover what a page draws and the resources it uses) and *cache*
    (:func:`~workbook.pipeline.freshness.write_page_cache`), a page read before
    is taken from the cache: an edit re-reads only the pages it changed. The
    cache is a hint: unreadable, it is written anew.
    """

    def read(page: pikepdf.Page, number: int) -> list[TextRun]:
        reading = _Reading()
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        _read(page.obj, number, resources, _GState(), reading)
        return reading.runs

    def store(runs: list[TextRun]) -> list:
        return [_run_stored(run) for run in runs]

    with pikepdf.open(BytesIO(data)) as pdf:
        pages = cached_readings(pdf.pages, keys, cache, _CACHE_VERSION, read, _restored, store)
    return [run for runs in pages for run in runs]


def _run_stored(run: TextRun) -> list:
    colour = list(run.colour) if run.colour is not None else None
    return [run.size, colour, run.space, run.overprint, list(run.point), run.reversed_out_of]


def _restored(data: object, number: int) -> list[TextRun] | None:
    """A page's runs read back from the cache, or None when they do not fit."""
    if not isinstance(data, list):
        return None
    try:
        return [
            TextRun(
                number,
                float(size),
                tuple(float(v) for v in colour) if colour is not None else None,
                str(space),
                bool(overprint),
                (float(point[0]), float(point[1])),
                int(under),
            )
            for size, colour, space, overprint, point, under in data
        ]
    except (TypeError, ValueError, IndexError):
        return None


def _result(name: str, ok: bool, measured: str, rule: str, pages=(), warn=False) -> CheckResult:
    status = "pass" if ok else ("warn" if warn else "fail")
    return CheckResult(name, status, measured, rule, tuple(sorted(set(pages))))


def check_overprint(runs: list[TextRun]) -> CheckResult:
    """Text in 100 % K overprints."""
    black = [r for r in runs if r.space == "/DeviceCMYK" and r.colour == (0.0, 0.0, 0.0, 1.0)]
    knocking = [r for r in black if not r.overprint]
    return _result(
        "overprint",
        not knocking,
        f"{len(knocking)} of {len(black)} runs of 100 K text knock out"
        if knocking
        else f"all {len(black)} runs of 100 K text overprint",
        "black (100 K) text and thin black rules overprint (op, OPM 1)",
        [r.page for r in knocking],
    )


def check_small_text(runs: list[TextRun]) -> CheckResult:
    """Text under 12 pt: pure K or at most two inks, never reversed out of four colours."""
    small = [r for r in runs if r.size < SMALL_PT - 0.01]
    many = [r for r in small if not _white(r.colour, r.space) and _inks(r.colour, r.space) > 2]
    reversed_ = [r for r in small if r.reversed_out_of >= 3]
    bad = many + reversed_
    problems = [
        f"p. {r.page}: {r.size:.1f} pt in {_inks(r.colour, r.space)} inks" for r in many[:2]
    ] + [
        f"p. {r.page}: {r.size:.1f} pt reversed out of {r.reversed_out_of} inks"
        for r in reversed_[:2]
    ]
    return _result(
        "small-text",
        not bad,
        f"{len(bad)} of {len(small)} small runs: " + "; ".join(problems)
        if bad
        else f"{len(small)} runs under {SMALL_PT:g} pt, all in K or at most two inks, "
        "none reversed out of a four-colour tint",
        f"text under {SMALL_PT:g} pt in pure K or at most two inks, never reversed out of "
        "three or four inks (palette.toml)",
        [r.page for r in bad],
    )


def check_output_profile(data: bytes, bundled: Path) -> CheckResult:
    """A warning while the output intent is the bundled generic stand-in profile."""
    with pikepdf.open(BytesIO(data)) as pdf:
        intents = list(pdf.Root.get("/OutputIntents", []))
        profile = intents[0].get("/DestOutputProfile") if intents else None
        info = str(intents[0].get("/Info", "")) if intents else ""
        digest = hashlib.sha256(profile.read_bytes()).hexdigest() if profile is not None else ""
    stand_in = digest == hashlib.sha256(bundled.read_bytes()).hexdigest()
    return _result(
        "output-profile",
        not stand_in,
        f"generic stand-in {info!r} (the bundled profile)" if stand_in else f"{info!r}",
        "generic stand-in: set `colour.output_profile` to the print house's profile",
        warn=True,
    )


def tree_root(folder: Path) -> Path | None:
    """The git work tree *folder* is in (the folder holding ``.git``), or None."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def other_publications(project: Project) -> list[Path]:
    """The other ``publication.toml`` files in the same work tree, a few folders deep."""
    start = tree_root(project.root)
    if start is None:
        return []
    found = []
    frontier = [(start, 0)]
    while frontier:
        folder, depth = frontier.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name in _SKIP_DIRS or not entry.is_dir():
                continue
            candidate = entry / "publication.toml"
            if candidate.is_file() and candidate.resolve() != project.config_path:
                found.append(candidate)
            if depth + 1 < _SEARCH_DEPTH:
                frontier.append((entry, depth + 1))
    return sorted(found)


def check_isbn_unique(project: Project) -> CheckResult:
    """A warning when another publication in the work tree carries one of this book's ISBNs."""
    isbn = project.config.isbn
    mine = {isbn.print.replace("-", ""): "print", isbn.pdf.replace("-", ""): "pdf"}
    clashes = []
    others = other_publications(project)
    for path in others:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        theirs = data.get("isbn", {}) if isinstance(data.get("isbn"), dict) else {}
        for value in theirs.values():
            key = str(value).replace("-", "").replace(" ", "")
            if key in mine:
                where = path.parent.relative_to(tree_root(project.root) or path.parent)
                clashes.append(f"isbn.{mine[key]} {value} is also in {where}/")
    if tree_root(project.root) is None:
        measured = "not in a git work tree: no other publications to compare"
    elif clashes:
        measured = "; ".join(clashes[:3])
    else:
        measured = f"none of {len(others)} other publications in the work tree shares an ISBN"
    return _result(
        "isbn-unique",
        not clashes,
        measured,
        "a copied publication needs its own ISBNs from the national ISBN agency",
        warn=True,
    )
