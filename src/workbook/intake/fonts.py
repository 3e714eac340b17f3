"""The book's own fonts and a glyph-coverage check run before rendering.

WeasyPrint silently falls back to system fonts for a character the book's fonts
lack. Here every character of the text must be present in every face that sets
text (:func:`text_faces`: the families the stylesheet uses outside form
fields; the form-field face only sets what a reader types into the e-version),
or the build stops naming the chapter, line and character. A file in the
fonts folder that is not a font is one line naming it.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import fontTools
import tinycss2
from fontTools.ttLib import TTFont

from workbook.config.files import regular_file
from workbook.errors import WorkbookError

if TYPE_CHECKING:
    from workbook.pipeline.freshness import KeptFacts

# Characters the layout engine handles itself and never draws from a font.
_IGNORED = {"\n", "\r", "\t", "\u00ad", "\u200b", "\ufeff"}


@dataclass(frozen=True)
class FontFace:
    """One font file of the book."""

    path: Path
    family: str
    style: str
    codepoints: frozenset[int]


def book_fonts(fonts_dir: Path, kept: KeptFacts | None = None) -> tuple[FontFace, ...]:
    """All faces under *fonts_dir* (``*.ttf``, ``*.otf``).

    *kept* remembers each font file's family, style and characters by its
    content between builds (reading a character map costs more than the file).
    """
    faces = []
    for path in sorted([*fonts_dir.rglob("*.ttf"), *fonts_dir.rglob("*.otf")]):
        known = kept.get(_KIND, path) if kept is not None and path.is_file() else None
        face = _kept_face(path, known) if known is not None else None
        if face is None:
            regular_file(path, what="font file")
            stat = path.stat()
            face = _read_face(path, (stat.st_size, stat.st_mtime_ns))
            if kept is not None:
                kept.put(_KIND, path, [face.family, face.style, _ranges(face.codepoints)])
        faces.append(face)
    if not faces:
        raise WorkbookError("no fonts found", path=fonts_dir, hint="the book's fonts live here")
    return tuple(faces)


_KIND = f"font fontTools {fontTools.version}"


@lru_cache(maxsize=64)
def _read_face(path: Path, stamp: tuple[int, int]) -> FontFace:
    """The face in *path*; *stamp* (size, modification time) keys the memo."""
    try:
        # Our own open file: fontTools leaves the one it opens open when it is no font.
        with open(path, "rb") as stream, TTFont(stream, lazy=True) as font:
            name = font["name"]
            codepoints = mapped_codepoints(font.reader["cmap"]) if "cmap" in font.reader else None
            return FontFace(
                path=path,
                family=str(name.getDebugName(1)),
                style=str(name.getDebugName(2)),
                codepoints=codepoints if codepoints is not None else frozenset(font.getBestCmap()),
            )
    except OSError:
        raise
    except Exception as exc:  # fontTools fails in many ways on a file that is no font
        raise WorkbookError(
            f"not a font file, or a damaged one ({type(exc).__name__})",
            path=path,
            hint="put only .ttf and .otf font files in styles/fonts; get the font again",
        ) from None


# The subtables fontTools' getBestCmap prefers, in its order, that are read here:
# Unicode full repertoire (format 12), then the Basic Multilingual Plane (format 4).
_PREFERRED = (((3, 10), 12), ((0, 4), 12), ((3, 1), 4), ((0, 3), 4))


def mapped_codepoints(cmap: bytes) -> frozenset[int] | None:
    """The characters of a raw ``cmap`` table, as fontTools' ``getBestCmap`` lists them.

    Reads the preferred Unicode subtable directly: fontTools builds a glyph name
    for every character, which needs the glyph order (the ``post`` table or
    the CFF charset) and took most of the 0.1 s the book's ten fonts cost.
    None when the table has no format 12 or 4 Unicode subtable, or cannot be
    read (fontTools then reads it).
    """
    try:
        count = struct.unpack_from(">H", cmap, 2)[0]
        offsets = {}
        for index in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * index)
            offsets.setdefault((platform, encoding), offset)
        for key, wanted in _PREFERRED:
            offset = offsets.get(key)
            if offset is None:
                continue
            if (fmt := struct.unpack_from(">H", cmap, offset)[0]) != wanted:
                return None  # not the format fontTools would read here: let it
            return _format_12(cmap, offset) if fmt == 12 else _format_4(cmap, offset)
    except struct.error:
        return None
    return None


def _format_12(cmap: bytes, offset: int) -> frozenset[int]:
    groups = struct.unpack_from(">I", cmap, offset + 12)[0]
    points: set[int] = set()
    for first, last, glyph in struct.iter_unpack(
        ">III", cmap[offset + 16 : offset + 16 + 12 * groups]
    ):
        points.update(range(first if glyph else first + 1, last + 1))  # glyph 0 is no glyph
    return frozenset(points)


def _format_4(cmap: bytes, offset: int) -> frozenset[int]:
    double = struct.unpack_from(">H", cmap, offset + 6)[0]
    segments = double // 2
    ends = struct.unpack_from(f">{segments}H", cmap, offset + 14)
    starts, deltas, range_offsets = (
        struct.unpack_from(f">{segments}H", cmap, offset + 16 + double * n) for n in (1, 2, 3)
    )
    glyph_ids = offset + 16 + 4 * double  # the glyph index array
    points: set[int] = set()
    for i in range(segments - 1):  # the last segment ends the table (U+FFFF)
        start, end, delta, range_offset = starts[i], ends[i], deltas[i], range_offsets[i]
        if range_offset == 0:
            points.update(c for c in range(start, end + 1) if (c + delta) & 0xFFFF)
            continue
        partial = range_offset // 2 - start + i - segments
        for c in range(start, end + 1):
            glyph = struct.unpack_from(">H", cmap, glyph_ids + 2 * (c + partial))[0]
            if glyph and (glyph + delta) & 0xFFFF:
                points.add(c)
    return frozenset(points)


def _ranges(codepoints: Iterable[int]) -> list[list[int]]:
    """Sorted code points as runs ``[first, last]``."""
    runs: list[list[int]] = []
    for point in sorted(codepoints):
        if runs and point == runs[-1][1] + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return runs


def _kept_face(path: Path, kept: object) -> FontFace | None:
    try:
        family, style, runs = kept  # type: ignore[misc]
        points = frozenset(p for first, last in runs for p in range(int(first), int(last) + 1))
        return FontFace(path, str(family), str(style), points)
    except (TypeError, ValueError):
        return None


_FIELD_SELECTOR_RE = re.compile(r"\b(?:input|textarea|select|button)\b|\.wb-field\b")


def text_families(stylesheet: Path) -> frozenset[str]:
    """The font families the stylesheet sets text in: named in ``font`` or
    ``font-family`` by a rule that is not only for form fields."""
    rules = tinycss2.parse_stylesheet(
        stylesheet.read_text("utf-8"), skip_comments=True, skip_whitespace=True
    )
    found: set[str] = set()
    stack = list(rules)
    while stack:
        rule = stack.pop()
        if (
            rule.type == "at-rule"
            and rule.content is not None
            and rule.lower_at_keyword != "font-face"
        ):
            stack.extend(tinycss2.parse_rule_list(rule.content, True, True))
            continue
        if rule.type != "qualified-rule":
            continue
        selectors = tinycss2.serialize(rule.prelude).split(",")
        if all(_FIELD_SELECTOR_RE.search(part) for part in selectors):
            continue
        for declaration in tinycss2.parse_declaration_list(rule.content, True, True):
            if declaration.type == "declaration" and declaration.lower_name in (
                "font",
                "font-family",
            ):
                found.update(_families(declaration.value))
    return frozenset(found)


def _families(tokens: list) -> list[str]:
    """Family names of a ``font`` or ``font-family`` value: its quoted strings."""
    return [token.value for token in tokens if token.type == "string"]


def text_faces(faces: Iterable[FontFace], stylesheet: Path) -> tuple[FontFace, ...]:
    """The faces of *faces* whose family sets text (:func:`text_families`), by the
    family the stylesheet declares for each file."""
    declared = _declared_files(stylesheet)
    families = text_families(stylesheet)
    chosen = tuple(
        face for face in faces if declared.get(face.path.resolve(), face.family) in families
    )
    return chosen or tuple(faces)


_SRC_RE = re.compile(r"@font-face\s*{([^}]*)}", re.IGNORECASE)


def _declared_files(stylesheet: Path) -> dict[Path, str]:
    """Font file -> the family ``@font-face`` declares it under."""
    found = {}
    for block in _SRC_RE.findall(stylesheet.read_text("utf-8")):
        family = re.search(r"font-family:\s*[\"']([^\"']+)", block)
        source = re.search(r"src:\s*url\(\s*[\"']?([^\"')]+)", block)
        if family and source:
            found[(stylesheet.parent / source[1]).resolve()] = family[1]
    return found


_FONT_FACE_RE = re.compile(r"@font-face\s*{[^}]*font-family:\s*[\"']?([^;\"']+)", re.IGNORECASE)


def declared_families(stylesheet: Path) -> frozenset[str]:
    """Font families declared with ``@font-face`` in the book's stylesheet."""
    return frozenset(m.strip() for m in _FONT_FACE_RE.findall(stylesheet.read_text("utf-8")))


def is_book_font(pdf_font_name: str, families: frozenset[str]) -> bool:
    """Whether a PDF font name (``ABCDEF+Workbook-Charis-Italic``) is one of *families*."""
    name = pdf_font_name.lstrip("/").split("+", 1)[-1]
    return any(
        name == f.replace(" ", "-") or name.startswith(f.replace(" ", "-") + "-") for f in families
    )


def missing_glyph(text: str, faces: Iterable[FontFace]) -> tuple[str, FontFace] | None:
    """First character of *text* some face lacks, with that face; None when all is covered."""
    faces = tuple(faces)
    for char in dict.fromkeys(text):
        if char in _IGNORED or unicodedata.category(char) == "Cc":
            continue
        for face in faces:
            if ord(char) not in face.codepoints:
                return char, face
    return None


def check_coverage(
    text: str, faces: Iterable[FontFace], *, path: Path, lines: Sequence[str]
) -> None:
    """Raise a :class:`WorkbookError` naming the line of the first uncovered character."""
    found = missing_glyph(text, faces)
    if found is None:
        return
    char, face = found
    line = next((i for i, row in enumerate(lines, start=1) if char in row), None)
    raise WorkbookError(
        f"character {char!r} (U+{ord(char):04X} {unicodedata.name(char, '?')}) "
        f"is not in the book's font {face.family} {face.style}",
        path=path,
        line=line,
        hint="replace the character, or add a font that has it to styles/fonts",
    )
