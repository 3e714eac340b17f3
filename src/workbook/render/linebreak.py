"""Total-fit line breaking: a justified paragraph broken as a whole, as Knuth and Plass do.

WeasyPrint breaks lines greedily: each line takes as many words as fit, and ends
in a hyphen whenever one fits. A typographer's composer weighs the whole
paragraph instead, and takes a hyphen only where it saves a loose line. The
page make-up does the same after a layout:

1. **Measure.** A paragraph's text in the HTML (:func:`source_flow`) is matched
   with its laid-out lines, character by character, so each word is measured
   with the renderer's own text engine in the style it was set in
   (:func:`measure`). The places a line may end are the word spaces and the
   soft hyphens the hyphenator wrote.
2. **Choose.** :func:`choose` finds the breaks that cost least over the whole
   paragraph: a line's cost grows with the square of its word spaces' stretch,
   a hyphen costs :data:`HYPHEN_COST`, a space wider than :data:`WIDE` x normal
   costs much more, and some breaks are not allowed at all (a third hyphen in a
   row, a hyphen at a page turn, a paragraph ending on a word fragment, a line
   that would overflow). A paragraph never gets more lines than it had.
3. **Set.** :func:`apply_breaks` writes the choice into the HTML: the spaces
   inside a line become no-break spaces (which justification still widens) and
   only the chosen soft hyphens stay, so the greedy breaker can only break where
   the choice says.

The next layout is checked (:func:`review_breaks`): a paragraph whose lines come
out otherwise is left to the greedy breaker from then on, and one whose hyphen
now ends a page is broken again without it.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from workbook.render.tuning import DELTAS

SOFT_HYPHEN = "\u00ad"
HYPHEN = "\u2010"  # what the renderer draws at a soft hyphen's break
NBSP = "\u00a0"
SPACE_EM = 0.293  # the body font's space, in em (Charis SIL)
WIDE = 1.5  # a justified line whose spaces are wider than this x normal is loose
HYPHEN_COST = 3000.0  # a hyphen weighs as much as a loose line
TRACK_COST = 20.0  # a variant costs a little: set as the stylesheet says when it is as good
LOOSE_COST = 3000.0  # a line looser than WIDE, on top of its stretch
SLACK = 0.05  # px a line keeps free of its measure, for rounding
_WHITE = " \t\n\r\f"
_TOKEN_RE = re.compile(r"<!--.*?-->|<[^>]*>|&[#a-zA-Z0-9]+;|[^<&]", re.S)
_BLOCKS = {"p", "ul", "ol", "li", "div", "table", "figure", "blockquote", "dl", "dd", "br"}
_VOID = {"img", "br", "input", "hr", "wbr", "col", "source", "area"}
_LIGATURE_RE = re.compile("f[fil]")  # Charis SIL's ligatures: ff, fi, fl, ffi, ffl

# The digest of a paragraph's text, the openings that end its lines (None: the greedy
# breaker sets it) and its variant (workbook.render.tuning; "" for none).
Breaks = tuple[str, tuple[int, ...] | None, str]


@dataclass(frozen=True)
class Flow:
    """A paragraph's text as the renderer flows it, with the places a line may end.

    *text* holds one character per character of the flow; a word space is " " and a
    soft hyphen is "\u00ad", and no other character is either: those are the
    paragraph's openings, numbered in order. Where each is written in the
    paragraph's HTML is kept compactly (the flows of a whole book stay in memory
    while its plan is applied): *places* holds each opening's start and end, and
    *runs* the further whitespace of a space written as more than one character."""

    text: str
    places: array  # start, end of each opening, in turn
    runs: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    @property
    def kinds(self) -> list[str]:
        """Each opening's kind: "space" or "shy"."""
        return ["space" if c == " " else "shy" for c in self.text if c in (" ", SOFT_HYPHEN)]

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:16]


def source_flow(part: str) -> Flow | None:
    """The flow of one paragraph element's HTML (*part*, from its start tag to its end
    tag): whitespace collapsed as CSS does, footnote bodies left out (they are set
    at the page's foot). None when the paragraph holds blocks or forced breaks."""
    chars: list[str] = []
    places = array("q")
    runs: dict[int, tuple[tuple[int, int], ...]] = {}
    skip: list[int] = []  # depths of open elements whose text is not in the flow
    depth = 0
    pending: list[tuple[int, int]] = []  # a whitespace run, until something follows it

    def close_run() -> None:
        if pending and chars:
            chars.append(" ")
            if len(pending) > 1:
                runs[len(places) // 2] = tuple(pending[1:])
            places.extend(pending[0])
        pending.clear()

    for match in _TOKEN_RE.finditer(part):
        piece = match[0]
        if piece.startswith("<!--"):
            continue
        if piece.startswith("<"):
            tag = re.match(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)", piece)
            if tag is None:
                continue
            closing, name = tag[1], tag[2].lower()
            if name in _VOID or piece.endswith("/>"):
                if name in _BLOCKS and depth:
                    return None
                continue
            if closing:
                depth -= 1
                if skip and skip[-1] == depth:
                    skip.pop()
                continue
            if depth and name in _BLOCKS:
                return None
            if depth and re.search(r'\sclass="(?:[^"]*\s)?footnote(?:\s[^"]*)?"', piece):
                skip.append(depth)
            depth += 1
            continue
        if skip or depth == 0:
            continue
        span = (match.start(), match.end())
        char = htmllib.unescape(piece) if piece.startswith("&") else piece
        if char in _WHITE:
            pending.append(span)
            continue
        close_run()
        chars.append(char)
        if char == SOFT_HYPHEN:
            places.extend(span)
    return Flow("".join(chars), places, runs)


# ---- Measuring a laid-out paragraph ----


@dataclass
class Paragraph:
    """A paragraph measured for :func:`choose` (widths in CSS px)."""

    atoms: list[float]  # the width of the text between opening i-1 and opening i
    letters: list[int]  # the letters of each atom (for tracking)
    kinds: list[str]  # per opening: "space" or "shy"
    spaces: list[float]  # per opening: a space's natural width (0 for a soft hyphen)
    hyphens: list[float]  # per opening: the hyphen's width (0 for a space)
    normal: float  # the font's own space, for the looseness ratio
    size: float  # the font size (an em)
    ligatures: bool  # tracking would undo ligatures: only word spacing may vary
    first: float  # the first line's measure (less its indent)
    measure: float  # the other lines' measure
    lines: int  # the lines it has now
    turns: frozenset[int] = field(default_factory=frozenset)  # lines that end a page
    chosen: tuple[int, ...] = ()  # the openings that end its lines now


def _line_items(line_box) -> list[tuple[str, object, bool]]:
    """(text, style, generated) of a line's text boxes in the normal flow, in order."""
    from weasyprint.formatting_structure import boxes

    items: list[tuple[str, object, bool]] = []

    def walk(box, generated: bool) -> None:
        for child in getattr(box, "children", ()):
            if not child.is_in_normal_flow():
                continue
            made = generated or "::" in (getattr(child, "element_tag", "") or "")
            if isinstance(child, boxes.TextBox):
                items.append((child.text, child.style, made))
            elif isinstance(child, boxes.InlineBox | boxes.LineBox):
                walk(child, made)
            elif isinstance(child, boxes.AtomicInlineLevelBox):
                raise LookupError("an image or inline block in the line")

    walk(line_box, False)
    return items


class Widths:
    """Text widths by the renderer's own text engine, cached."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], float] = {}
        self._styles: dict[int, object] = {}

    def __call__(self, text: str, style) -> float:
        if not text:
            return 0.0
        key = (text, id(style))
        found = self._cache.get(key)
        if found is None:
            from weasyprint.text.line_break import split_first_line

            self._styles[id(style)] = style  # keeps the id valid while cached
            found = self._cache[key] = split_first_line(text, style, None, None, 0)[3]
        return found

    def space(self, style) -> float:
        return self("n n", style) - 2 * self("n", style)


def measure(flow: Flow, line_boxes: Sequence, widths: Widths) -> Paragraph | None:
    """*flow* measured in the styles its laid-out *line_boxes* set it in; None when the
    two do not match (then the paragraph is left to the greedy breaker)."""
    stream: list[tuple[str, str, object]] = []  # kind, text, style
    chosen_marks: list[int] = []  # stream indexes where a line ends
    try:
        for number, box in enumerate(line_boxes):
            items = _line_items(box)
            last = number == len(line_boxes) - 1
            if not last:  # the line's end: its hyphen drawn, or its space dropped
                while items and not items[-1][2] and not items[-1][0]:
                    items.pop()
                if not items or items[-1][2]:
                    return None
                text, style, _ = items[-1]
                if text.endswith(HYPHEN) and text[:-1].endswith(SOFT_HYPHEN):
                    items[-1] = (text[:-1], style, False)
                    end = "shy"
                else:
                    items[-1] = (text.rstrip(" "), style, False)
                    end = "space"
            for text, style, generated in items:
                if generated:
                    stream.append(("gen", text, style))
                else:
                    stream.extend(("c", char, style) for char in text)
            if not last:
                if end == "space":
                    stream.append(("brk", " ", stream[-1][2] if stream else None))
                chosen_marks.append(len(stream) - 1)
    except LookupError:
        return None
    # Match the flow's characters with the laid-out ones.
    atoms: list[list[tuple[str, object]]] = [[]]
    kinds: list[str] = []
    styles: list[object] = []
    chosen: list[int] = []
    marks = set(chosen_marks)
    j = 0
    last_style = stream[0][2] if stream else None

    def take_generated() -> None:
        nonlocal j
        while j < len(stream) and stream[j][0] == "gen":
            atoms[-1].append((stream[j][1], stream[j][2]))
            j += 1

    for char in flow.text:
        take_generated()
        here = stream[j] if j < len(stream) else None
        if char == SOFT_HYPHEN:
            if here is not None and here[0] == "c" and here[1] == SOFT_HYPHEN:
                if j in marks:
                    chosen.append(len(kinds))
                j += 1
            kinds.append("shy")
            styles.append(last_style)
            atoms.append([])
            continue
        if here is None:
            return None
        if char == " ":
            if here[0] == "brk" or (here[0] == "c" and here[1] in (" ", NBSP)):
                if j in marks:
                    chosen.append(len(kinds))
                kinds.append("space")
                styles.append(here[2] or last_style)
                atoms.append([])
                j += 1
                continue
            return None
        if here[0] != "c" or here[1] != char:
            return None
        atoms[-1].append((here[1], here[2]))
        last_style = here[2]
        j += 1
    take_generated()
    if j != len(stream) or len(chosen) != len(line_boxes) - 1:
        return None
    spaces = [widths.space(s) if k == "space" else 0.0 for k, s in zip(kinds, styles, strict=True)]
    hyphens = [widths(HYPHEN, s) if k == "shy" else 0.0 for k, s in zip(kinds, styles, strict=True)]
    box = line_boxes[0]
    indent = box.style["text_indent"]
    indent = indent.value if getattr(indent, "unit", None) == "px" else 0.0
    full = line_boxes[0].width if len(line_boxes) > 1 else None
    if full is None:
        return None
    return Paragraph(
        atoms=[_atom_width(a, widths) for a in atoms],
        letters=[sum(len(t.replace(SOFT_HYPHEN, "")) for t, _ in a) for a in atoms],
        kinds=kinds,
        spaces=spaces,
        hyphens=hyphens,
        normal=SPACE_EM * box.style["font_size"],
        size=box.style["font_size"],
        ligatures=bool(_LIGATURE_RE.search("".join(t for a in atoms for t, _ in a))),
        first=full - indent,
        measure=full,
        lines=len(line_boxes),
        chosen=tuple(chosen),
    )


def _atom_width(pieces: list[tuple[str, object]], widths: Widths) -> float:
    """The width of an unbreakable run, set piece by piece in its styles."""
    total, run, style = 0.0, "", None
    for text, piece_style in pieces:
        if piece_style is not style and run:
            total += widths(run.replace(SOFT_HYPHEN, ""), style)
            run = ""
        run, style = run + text, piece_style
    return total + widths(run.replace(SOFT_HYPHEN, ""), style) if run else total


# ---- Choosing the breaks ----


def varied(paragraph: Paragraph, variant: str, *, undo: bool = False) -> Paragraph:
    """*paragraph* as it measures in *variant* (:data:`~workbook.render.tuning.DELTAS`);
    with *undo*, as it measures without it (it was laid out in it)."""
    letter, word = (d * paragraph.size * (-1 if undo else 1) for d in DELTAS[variant])
    if not letter and not word:
        return paragraph
    return replace(
        paragraph,
        atoms=[w + letter * n for w, n in zip(paragraph.atoms, paragraph.letters, strict=True)],
        spaces=[w + letter + word if w else 0.0 for w in paragraph.spaces],
        hyphens=[w + letter if w else 0.0 for w in paragraph.hyphens],
    )


def best_setting(paragraph: Paragraph, max_run: int = 2) -> tuple[tuple[int, ...], str] | None:
    """The breaks and variant that set *paragraph* best (a variant costs
    :data:`TRACK_COST`): tracking, or word spacing where tracking would undo a
    ligature. None when no setting obeys the rules."""
    names = ("", "w-", "w+") if paragraph.ligatures else ("", "t-", "t+")
    found = []
    for name in names:
        chosen = choose(varied(paragraph, name), max_run)
        if chosen is not None:
            found.append((chosen[0] + (TRACK_COST if name else 0.0), chosen[1], name))
    if not found:
        return None
    _, breaks, name = min(found, key=lambda item: item[0])
    return breaks, name


def choose(paragraph: Paragraph, max_run: int = 2) -> tuple[float, tuple[int, ...]] | None:
    """The cost and the openings that end the lines of the best setting of
    *paragraph*, or None when no setting obeys the rules in no more lines than it
    has now."""
    p = paragraph
    count = len(p.kinds)
    # Prefix sums: atoms[0..i), space widths and counts of openings [0..i).
    atoms = [0.0]
    for width in p.atoms:
        atoms.append(atoms[-1] + width)
    spaces, number = [0.0], [0]
    for kind, width in zip(p.kinds, p.spaces, strict=True):
        spaces.append(spaces[-1] + width)
        number.append(number[-1] + (kind == "space"))
    widest = max(p.first, p.measure)

    def natural(a: int, b: int) -> tuple[float, int]:
        """The natural width of the line after opening *a* to opening *b* (excluded),
        and its spaces."""
        inner = spaces[b] - spaces[a + 1] if b > a + 1 else 0.0
        return atoms[b + 1] - atoms[a + 1] + inner, (number[b] - number[a + 1] if b > a + 1 else 0)

    # best[(opening, lines, run)] = (cost, previous state); opening -1 is the start.
    start = (-1, 0, 0)
    best: dict[tuple[int, int, int], tuple[float, tuple | None]] = {start: (0.0, None)}
    by_end: dict[int, list[tuple[int, int, int]]] = {-1: [start]}
    for b in range(count):
        for a in range(b - 1, -2, -1):
            width, spaces_in = natural(a, b)
            if width > widest:
                break
            for state in by_end.get(a, ()):
                _, lines, run = state
                if lines + 1 >= p.lines:  # the last line must still follow
                    continue
                measure = p.first if lines == 0 else p.measure
                hyphen = p.kinds[b] == "shy"
                total = width + (p.hyphens[b] if hyphen else 0.0)
                if total > measure - SLACK:
                    continue
                new_run = run + 1 if hyphen else 0
                if new_run > max_run or (hyphen and lines in p.turns):
                    continue
                inner = spaces[b] - spaces[a + 1] if b > a + 1 else 0.0
                cost = best[state][0] + _line_cost(p, measure - total, inner, spaces_in)
                cost += HYPHEN_COST if hyphen else 0.0
                key = (b, lines + 1, new_run)
                if key not in best or cost < best[key][0]:
                    if key not in best:
                        by_end.setdefault(b, []).append(key)
                    best[key] = (cost, state)
    # The last line: after some opening to the end of the text.
    finish: tuple[float, tuple] | None = None
    atoms_end = atoms[-1]
    for a in range(count - 1, -2, -1):
        width = atoms_end - atoms[a + 1] + (spaces[count] - spaces[a + 1])
        if width > widest:
            break
        spaces_in = number[count] - number[a + 1]
        for state in by_end.get(a, ()):
            _, lines, _ = state
            measure = p.first if lines == 0 else p.measure
            if width > measure - SLACK or lines + 1 > p.lines:
                continue
            if a >= 0 and p.kinds[a] == "shy" and spaces_in == 0:
                continue  # a word fragment alone on the last line
            cost = best[state][0]
            if finish is None or cost < finish[0]:
                finish = (cost, state)
    if finish is None:
        return None
    chosen: list[int] = []
    state = finish[1]
    while state is not None and state[0] >= 0:
        chosen.append(state[0])
        state = best[state][1]
    return finish[0], tuple(reversed(chosen))


def _line_cost(p: Paragraph, slack: float, inner: float, spaces_in: int) -> float:
    """A justified line's cost, from its *slack* and its spaces (*inner*: their natural
    width): the square of the spaces' stretch over the ideal (the font's own space),
    and :data:`LOOSE_COST` more when it is loose."""
    if spaces_in == 0:
        return LOOSE_COST * 10  # one word stretched across the line
    ratio = (inner + slack) / spaces_in / p.normal
    cost = 100.0 * (ratio - 1.0) ** 2
    if ratio > WIDE:
        cost += LOOSE_COST + 1000.0 * (ratio - WIDE)
    return cost


# ---- Setting the breaks in the HTML ----


def apply_breaks(part: str, flow: Flow, breaks: Sequence[int]) -> str:
    """*part* (one paragraph's HTML, whose flow is *flow*) set to break only at the
    openings *breaks*: other spaces become one no-break space, other soft hyphens go."""
    keep = set(breaks)
    edits: list[tuple[int, int, str]] = []
    for index, kind in enumerate(flow.kinds):
        if index in keep:
            continue
        start, end = flow.places[2 * index], flow.places[2 * index + 1]
        edits.append((start, end, NBSP if kind == "space" else ""))
        edits.extend((start, end, "") for start, end in flow.runs.get(index, ()))
    pieces, previous = [], 0
    for start, end, text in sorted(edits):
        pieces += [part[previous:start], text]
        previous = end
    return "".join([*pieces, part[previous:]])
