"""The text of a tagged PDF's marked content, read and rewritten with pikepdf.

WeasyPrint draws each text box as one marked-content sequence with an MCID
(``/Span <</MCID n>> BDC ... BT ... Tf [<glyph> n <glyph> n] TJ ET EMC``); the
fonts' ``/ToUnicode`` maps say which characters each glyph code stands for.
:class:`PageText` reads a page once: the glyphs of each MCID with their text,
and wraps runs of glyphs in marked content of their own (``/ActualText``).
:func:`leaves` lists the marked content of the structure tree in reading order.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from workbook.finish.structtree import children, is_element

_SHOW = frozenset({"TJ", "Tj", "'", '"'})
_BOUNDS = frozenset({"BT", "ET", "BDC", "BMC", "EMC"})
_HEX_RE = re.compile(rb"<([0-9A-Fa-f\s]*)>")


@dataclass(frozen=True)
class FontMap:
    """A font's glyph codes and the characters they stand for."""

    width: int  # bytes per code
    chars: dict[bytes, str]

    def decode(self, data: bytes) -> list[tuple[int, bytes, str]]:
        """``(offset, code, text)`` of each code in a string shown with this font."""
        step = self.width
        return [
            (offset, data[offset : offset + step], self.chars.get(data[offset : offset + step], ""))
            for offset in range(0, len(data) - step + 1, step)
        ]


def _hex(token: bytes) -> bytes:
    return bytes.fromhex(token.decode("ascii").replace(" ", "").replace("\n", ""))


def _utf16(token: bytes) -> str:
    return _hex(token).decode("utf-16-be", errors="replace")


def parse_to_unicode(cmap: bytes, default_width: int = 1) -> FontMap:
    """A ``/ToUnicode`` CMap's ``bfchar`` and ``bfrange`` entries."""
    text = cmap
    width = default_width
    space = re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", text)
    if space:
        width = max(1, len(space[1]) // 2)
    chars: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        tokens = _HEX_RE.findall(block)
        for source, target in zip(tokens[::2], tokens[1::2], strict=False):
            chars[_hex(source)] = _utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, rest in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block
        ):
            first, last = int(low, 16), int(high, 16)
            size = len(low) // 2
            if rest.startswith(b"["):
                targets = [_utf16(t) for t in _HEX_RE.findall(rest)]
                for offset, target in enumerate(targets[: last - first + 1]):
                    chars[(first + offset).to_bytes(size, "big")] = target
                continue
            start = _hex(rest[1:-1])
            for offset in range(last - first + 1):
                value = int.from_bytes(start, "big") + offset
                target = value.to_bytes(len(start), "big").decode("utf-16-be", errors="replace")
                chars[(first + offset).to_bytes(size, "big")] = target
    return FontMap(width, chars)


def font_map(font: Dictionary, cache: dict[tuple[int, int], FontMap]) -> FontMap:
    """The :class:`FontMap` of *font* (kept in *cache* by object id)."""
    key = font.objgen
    if key in cache and key != (0, 0):
        return cache[key]
    width = 2 if font.get("/Subtype") == Name.Type0 else 1
    to_unicode = font.get("/ToUnicode")
    if isinstance(to_unicode, pikepdf.Stream):
        found = parse_to_unicode(to_unicode.read_bytes(), width)
    else:
        found = FontMap(width, {})
    cache[key] = found
    return found


class Glyph(NamedTuple):
    """One glyph code shown on a page: where it is and what it stands for."""

    op: int  # index of its instruction
    item: int  # index of its string in the TJ array (0 for Tj)
    offset: int  # byte offset of its code in that string
    size: int  # bytes of the code
    text: str


@dataclass
class _Wrap:
    first: Glyph
    last: Glyph
    properties: Dictionary


# The items of a TJ array as pikepdf writes it back: hex strings and numbers.
# (pikepdf writes an empty string as "()", any other as hex when it holds codes.)
_ITEM_RE = re.compile(rb"<([0-9A-Fa-f\s]*)>|(\(\))|([-+]?[\d.]+)")
_HEX_ITEM_RE = re.compile(rb"<([0-9A-Fa-f\s]*)>")
Item = bytes | float  # a string's bytes, or a move between strings
# What a show operation shows, as kept: a TJ array of hex strings as its bytes
# (``[<...> n <...>]``), anything else as pikepdf's object.
Shown = bytes | pikepdf.Object


def _compact(shown: object) -> Shown:
    """*shown* as kept by :class:`PageText`: unparsed, when a TJ array of hex strings."""
    if isinstance(shown, Array):
        raw = shown.unparse()
        if b"(" not in raw.replace(b"()", b""):
            return raw
    return shown


def _items(shown: Shown) -> list[Item]:
    """The strings (as bytes) and numbers of a shown string or TJ array."""
    if isinstance(shown, pikepdf.String):
        return [bytes(shown)]
    if isinstance(shown, bytes):  # hex strings only (:func:`_compact`): read fast
        return [
            float(number) if number else bytes.fromhex(text.decode("ascii"))
            for text, _, number in _ITEM_RE.findall(shown)
        ]
    if not isinstance(shown, Array):
        return []
    return [bytes(i) if isinstance(i, pikepdf.String) else float(i) for i in shown]


def _shown_bytes(shown: Shown) -> bytes:
    """The glyph codes of a shown string or TJ array, joined."""
    if isinstance(shown, pikepdf.String):
        return bytes(shown)
    if isinstance(shown, bytes):  # hex strings only (:func:`_compact`)
        return bytes.fromhex(b"".join(_HEX_ITEM_RE.findall(shown)).decode("ascii"))
    return b"".join(i for i in _items(shown) if isinstance(i, bytes))


class PageText:
    """A page's content stream, parsed once: the text of each MCID, and edits.

    Only what reading needs is kept (each text-showing operand, compacted, and
    where text objects and marked content begin and end), not the parsed
    stream: held for every page of a book, the parsed instructions took about
    1 MB a page. A page with edits is parsed again when it is saved.
    """

    def __init__(
        self, pdf: pikepdf.Pdf, page: pikepdf.Page, fonts: dict[tuple[int, int], FontMap]
    ) -> None:
        self.pdf = pdf
        self.page = page
        self.shows: dict[int, tuple[FontMap, Shown]] = {}  # op index -> font, what it shows
        self.sequences: dict[int, list[int]] = {}  # MCID -> its show operations
        self.bounds: list[int] = []  # op indexes of BT, ET, BDC, BMC and EMC, in order
        self.wraps: list[_Wrap] = []
        self._glyphs: dict[int, list[Glyph]] = {}
        self._texts: dict[int, str] = {}
        self._items: dict[int, list[Item]] = {}
        resources = page.obj.get("/Resources", Dictionary())
        page_fonts = resources.get("/Font", Dictionary())
        current: FontMap | None = None
        stack: list[int | None] = []
        for index, instruction in enumerate(pikepdf.parse_content_stream(page)):
            name = str(instruction.operator)
            operands = instruction.operands
            if name in _BOUNDS:
                self.bounds.append(index)
            if name in ("BDC", "BMC"):
                properties = operands[1] if len(operands) > 1 else None
                mcid = properties.get("/MCID") if isinstance(properties, Dictionary) else None
                stack.append(int(mcid) if mcid is not None else None)
            elif name == "EMC":
                if stack:
                    stack.pop()
            elif name == "Tf" and operands:
                font = page_fonts.get(str(operands[0]))
                current = font_map(font, fonts) if isinstance(font, Dictionary) else None
            elif name in _SHOW and current is not None and operands:
                mcid = next((m for m in reversed(stack) if m is not None), None)
                if mcid is not None:
                    self.shows[index] = (current, _compact(operands[-1]))
                    self.sequences.setdefault(mcid, []).append(index)

    def text(self, mcid: int) -> str:
        """The characters the MCID's glyphs stand for."""
        if mcid not in self._texts:
            parts = []
            for index in self.sequences.get(mcid, ()):
                font, shown = self.shows[index]
                data = _shown_bytes(shown)
                chars, width = font.chars, font.width
                parts += [chars.get(data[i : i + width], "") for i in range(0, len(data), width)]
            self._texts[mcid] = "".join(parts)
        return self._texts[mcid]

    def items(self, index: int) -> list[Item]:
        """The strings and moves of the show operation at *index*."""
        if index not in self._items:
            self._items[index] = _items(self.shows[index][1])
        return self._items[index]

    def iter_glyphs(self, mcid: int, *, reverse: bool = False) -> Iterator[Glyph]:
        """The MCID's glyphs one by one, from the first (or, *reverse*, the last)."""
        indexes = self.sequences.get(mcid, ())
        for index in reversed(indexes) if reverse else indexes:
            font = self.shows[index][0]
            items = list(enumerate(self.items(index)))
            for number, item in reversed(items) if reverse else items:
                if not isinstance(item, bytes):
                    continue
                decoded = font.decode(item)
                for offset, code, text in reversed(decoded) if reverse else decoded:
                    yield Glyph(index, number, offset, len(code), text)

    def glyphs(self, mcid: int) -> list[Glyph]:
        """The MCID's glyphs in the order they are shown."""
        if mcid not in self._glyphs:
            found = []
            for index in self.sequences.get(mcid, ()):
                font, _ = self.shows[index]
                for number, item in enumerate(self.items(index)):
                    if isinstance(item, bytes):
                        for offset, code, text in font.decode(item):
                            found.append(Glyph(index, number, offset, len(code), text))
            self._glyphs[mcid] = found
        return self._glyphs[mcid]

    def wrap(self, first: Glyph, last: Glyph, actual_text: str) -> bool:
        """Mark the glyphs from *first* to *last* (in one text object) to be read as
        *actual_text*; False when they cannot be wrapped."""
        if (
            _place(last) < _place(first)
            or bisect.bisect_left(self.bounds, first.op) < bisect.bisect_right(self.bounds, last.op)
            or any(
                _place(w.first) <= _place(last) and _place(first) <= _place(w.last)
                for w in self.wraps
            )
        ):
            return False
        properties = Dictionary(ActualText=pikepdf.String(actual_text))
        self.wraps.append(_Wrap(first, last, properties))
        return True

    def save(self) -> bool:
        """Write the wrapped glyphs back into the page; False when nothing changed."""
        if not self.wraps:
            return False
        events: dict[int, list[tuple[tuple[int, int], int, _Wrap]]] = {}
        for w in self.wraps:
            end = (w.last.item, w.last.offset + w.last.size)
            events.setdefault(w.first.op, []).append(((w.first.item, w.first.offset), 1, w))
            events.setdefault(w.last.op, []).append((end, 0, w))  # an end before a start
        out: list = []
        for index, instruction in enumerate(pikepdf.parse_content_stream(self.page)):
            if index not in events:
                out.append(instruction)
                continue
            cuts = sorted(events[index], key=lambda e: (e[0], e[1]))
            parts = _segments(self.items(index), [position for position, _, _ in cuts])
            if str(instruction.operator) != "TJ" and len(instruction.operands) > 1:
                return False  # ' and " also move the line; WeasyPrint writes neither
            _show(out, parts[0])
            for (_, starts, w), part in zip(cuts, parts[1:], strict=True):
                if starts:
                    out.append(([Name.Span, w.properties], Operator("BDC")))
                else:
                    out.append(([], Operator("EMC")))
                _show(out, part)
        self.page.obj.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(out))
        self.wraps.clear()
        return True


def _place(glyph: Glyph) -> tuple[int, int, int]:
    return glyph.op, glyph.item, glyph.offset


def _segments(items: list[Item], cuts: list[tuple[int, int]]) -> list[list[Item]]:
    """*items* cut at each ``(item, byte offset)``, in order."""
    segments: list[list[Item]] = [[]]
    for index, item in enumerate(items):
        if not isinstance(item, bytes):
            segments[-1].append(item)
            continue
        position = 0
        for _, offset in sorted(c for c in cuts if c[0] == index):
            if offset > position:
                segments[-1].append(item[position:offset])
            segments.append([])
            position = max(position, offset)
        if position < len(item) or not item:
            segments[-1].append(item[position:])
    return segments


def _show(out: list, items: list[Item]) -> None:
    """Append a TJ of *items* (glyphs and the moves between them), unless empty."""
    if items:
        array = Array([pikepdf.String(i) if isinstance(i, bytes) else i for i in items])
        out.append(([array], Operator("TJ")))


@dataclass(frozen=True)
class Leaf:
    """A marked-content sequence of the structure tree, in reading order."""

    page: tuple[int, int]  # the page's object id
    mcid: int
    element: Dictionary  # the structure element it belongs to


def leaves(root: Dictionary) -> list[Leaf]:
    """Every MCID below *root* (a structure element or the StructTreeRoot), in
    reading order, with its page and element."""
    found: list[Leaf] = []
    seen: set[tuple[int, int]] = set()

    def walk(element: Dictionary) -> None:
        page = element.get("/Pg")
        for kid in children(element):
            if isinstance(kid, int):
                if isinstance(page, Dictionary):
                    found.append(Leaf(page.objgen, kid, element))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                where = kid.get("/Pg", page)
                if isinstance(where, Dictionary):
                    found.append(Leaf(where.objgen, int(kid.MCID), element))
            elif is_element(kid):
                if kid.is_indirect:
                    if kid.objgen in seen:
                        continue
                    seen.add(kid.objgen)
                walk(kid)

    walk(root)
    return found


class Texts:
    """The :class:`PageText` of each page of a PDF, parsed when first asked for."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.pages = {page.obj.objgen: page for page in pdf.pages}
        self.read: dict[tuple[int, int], PageText] = {}
        self.fonts: dict[tuple[int, int], FontMap] = {}

    def page(self, objgen: tuple[int, int]) -> PageText | None:
        """The parsed page with object id *objgen* (None: not a page of the PDF)."""
        if objgen not in self.read:
            page = self.pages.get(objgen)
            if page is None:
                return None
            self.read[objgen] = PageText(self.pdf, page, self.fonts)
        return self.read[objgen]

    def text(self, leaf: Leaf) -> str:
        """The characters of one marked-content sequence."""
        page = self.page(leaf.page)
        return page.text(leaf.mcid) if page is not None else ""

    def save(self) -> int:
        """Write every edited page back; how many were."""
        return sum(page.save() for page in self.read.values())
