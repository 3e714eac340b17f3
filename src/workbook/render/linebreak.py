"""Total-fit line breaking: a justified paragraph broken as a whole, as Knuth and Plass do.

WeasyPrint breaks lines greedily: each line takes as many words as fit, and ends
in a hyphen whenever one fits. A typographer's composer weighs the whole
paragraph instead, and takes a hyphen only where it saves a loose line. The
page make-up does the same after a layout:

1. **Measure.** A paragraph's text in the HTML (its flow,
   :func:`~workbook.render.lineflow.source_flow`) is matched
   with its laid-out lines, character by character, so each word is measured
   with the renderer's own text engine in the style it was set in
   (:func:`measure`). The places a line may end are the word spaces, the soft
   hyphens the hyphenator wrote, and the hard hyphens inside compounds
   ("Keski-|Suomen"), which count as hyphens.
2. **Choose.** :func:`choose` finds the breaks that cost least over the whole
   paragraph: a line's cost grows with the square of its word spaces' distance
   from normal, a tight line next to a loose one costs :data:`ADJACENT_COST`,
   a hyphen costs :data:`HYPHEN_COST`, a space wider than
   :data:`WIDE` x normal costs much more, and some breaks are not allowed at all
   (a third hyphen in a row, a hyphen at a page turn, a paragraph ending on a
   word fragment, a line whose spaces would be narrower than :data:`TIGHT`).
   A publication's preflight limits for word spaces move both ends
   (:class:`Spacing`). Where the spaces alone would leave [TIGHT, WIDE], the
   line's letters may be tracked by up to :data:`TRACK` em, at a cost
   (:func:`settle`). A paragraph never gets more lines than it had.
3. **Set.** :func:`~workbook.render.lineflow.apply_breaks` writes the choice
   into the HTML: the spaces
   inside a line become no-break spaces (which justification still widens) and
   only the chosen soft hyphens stay, so the greedy breaker can only break where
   the choice says. A line set tighter than its natural width or tracked
   (:func:`line_settings`) has its text in spans of :data:`LINE_CLASS` that
   set its word and letter spacing.

The next layout is checked (:func:`review_breaks`): a paragraph whose lines come
out otherwise is left to the greedy breaker from then on, and one whose hyphen
now ends a page, or whose line no longer fits as set (a page number it holds
changed), is broken again (:func:`misfits`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from workbook.render.lineflow import (
    HARD,
    LINE_CLASS,
    NBSP,
    SOFT_HYPHEN,
    WORD_JOINER,
    Flow,
    Setting,
)

HYPHEN = "\u2010"  # what the renderer draws at a soft hyphen's break
SPACE_EM = 0.293  # the body font's space, in em (Charis SIL)
# A justified line's word spaces stay within [TIGHT, WIDE] x the font's own space
# (the stylesheet sets them at 0.86x; the preflight's limits are 0.7 and 1.5,
# and TIGHT keeps a little off the lower one: a page reference's no-break space
# takes a share of the justification too); where the spaces alone cannot, the
# line's letters are tracked by up to TRACK em, about 5 % of a space, as a
# composer's letter-spacing range allows. A line with an f-ligature is never
# tracked (Pango sets tracked type letter by letter).
WIDE = 1.5
TIGHT = 0.72
TIGHT_MARGIN = 0.02  # TIGHT's distance from the preflight's lower limit
TRACK = 0.014
TRACK_STEP = 0.002  # em: tracking in whole steps of 2/1000 em (see line_settings)
HYPHEN_COST = 2000.0  # a hyphen weighs two thirds of a loose line
LOOSE_COST = 3000.0  # a line looser than WIDE, on top of its stretch
# and LOOSE_SLOPE x the square of its spaces' excess over WIDE (x normal): a little
# past WIDE costs little more, but spaces 2x normal weigh four hyphens and 2.5x
# eleven; a word alone on a line is as loose as the gap it leaves
LOOSE_SLOPE = 20000.0
TIGHT_COST = 2000.0  # x the square of a tight line's shrink below normal
TRACK_COST = 200.0  # x the square of a line's share of its tracking range
# Lines fall in classes by their spaces, as in TeX: tight, decent, loose, very
# loose (the ratios that part them). A line two classes or more from the one
# before it costs ADJACENT_COST: a tight line under a loose one shows.
FITNESS = (0.8, 1.1, 1.3)
ADJACENT_COST = 500.0
SLACK = 0.05  # px a line keeps free of its measure, for rounding
# px a line keeps free for the renderer, which sets a line up to about half a px
# wider than its measured pieces; justification gives it back
SHRINK_MARGIN = 1.5
# What a layout shows of an opening that is not a space, where the text keeps it:
# the soft hyphen itself; after a hard hyphen, the word joiner that holds the
# word together, or a line's end that may be there
_LAID = {
    SOFT_HYPHEN: {("c", SOFT_HYPHEN)},
    HARD: {("c", WORD_JOINER), ("brk", "either")},
}
_DROPPED = " \u200b"  # a line's end between inline boxes: the space, and a zero-width one
_LIGATURE_RE = re.compile("f[fil]")  # Charis SIL's ligatures: ff, fi, fl, ffi, ffl

# The digest of a paragraph's text, the openings that end its lines (None: the greedy
# breaker sets it) and how each line but the last is set (None: as the stylesheet says).
Breaks = tuple[str, tuple[int, ...] | None, tuple[Setting | None, ...]]


# ---- Measuring a laid-out paragraph ----


@dataclass(frozen=True)
class Spacing:
    """The word spaces a justified line is set with, x the font's own space: from
    *tight* to *wide* (:data:`TIGHT` and :data:`WIDE` unless the publication says)."""

    tight: float = TIGHT
    wide: float = WIDE

    @classmethod
    def within(cls, least: float, most: float) -> Spacing:
        """The range the breaker keeps to for the preflight's limits
        (``preflight.word_space_min`` and ``word_space_max``): *most* at the wide
        end, and :data:`TIGHT_MARGIN` off *least* at the tight end."""
        return cls(tight=min(round(least + TIGHT_MARGIN, 4), most), wide=most)


@dataclass
class Paragraph:
    """A paragraph measured for :func:`choose` (widths in CSS px)."""

    atoms: list[float]  # the width of the text between opening i-1 and opening i
    letters: list[int]  # the characters of each atom (tracking moves each)
    kinds: list[str]  # per opening: "space", "shy" or "hard" (after a hard hyphen)
    spaces: list[float]  # per opening: a space's natural width (0 for a soft hyphen)
    hyphens: list[float]  # per opening: the hyphen's width (0 for a space)
    normal: float  # the font's own space, for the looseness ratio
    size: float  # the font size (an em)
    ligated: list[bool]  # per atom: it holds an f-ligature (tracking would undo it)
    first: float  # the first line's measure (less its indent)
    measure: float  # the other lines' measure
    lines: int  # the lines it has now
    turns: frozenset[int] = field(default_factory=frozenset)  # lines that end a page
    chosen: tuple[int, ...] = ()  # the openings that end its lines now
    spacing: tuple[float, float] = (0.0, 0.0)  # the paragraph's letter, word spacing (px)
    limits: Spacing = field(default_factory=Spacing)  # its word spaces' range


def _line_items(line_box) -> list[tuple[str, object, bool]]:
    """(text, style, generated) of a line's text boxes in the normal flow, in order; the
    text of a line setting's span (:data:`LINE_CLASS`) in the style around it."""
    from weasyprint.formatting_structure import boxes

    items: list[tuple[str, object, bool]] = []

    def walk(box, generated: bool, style) -> None:
        for child in getattr(box, "children", ()):
            if not child.is_in_normal_flow():
                continue
            made = generated or "::" in (getattr(child, "element_tag", "") or "")
            if isinstance(child, boxes.TextBox):
                items.append((child.text, style or child.style, made))
            elif isinstance(child, boxes.InlineBox | boxes.LineBox):
                element = getattr(child, "element", None)
                ours = element is not None and element.get("class") == LINE_CLASS
                walk(child, made, box.style if ours else None)
            elif isinstance(child, boxes.AtomicInlineLevelBox):
                raise LookupError("an image or inline block in the line")

    walk(line_box, False, None)
    return items


# The computed properties WeasyPrint's text engine reads when it sets a piece of text.
_TEXT_PROPERTIES = (
    "font_family", "font_size", "font_style", "font_stretch", "font_weight",
    "font_kerning", "font_variant_ligatures", "font_variant_position", "font_variant_caps",
    "font_variant_numeric", "font_variant_alternates", "font_variant_east_asian",
    "font_feature_settings", "font_variation_settings", "font_language_override", "lang",
    "letter_spacing", "word_spacing", "white_space", "tab_size", "direction", "hyphens",
    "hyphenate_character", "hyphenate_limit_chars", "hyphenate_limit_zone", "overflow_wrap",
    "word_break", "line_height", "text_decoration_line",
)  # fmt: skip


class Widths:
    """Text widths by the renderer's own text engine, cached by the text and what its
    style says of type (not by the style object: every layout makes new ones, and
    one Widths serves all the layouts of one render, whose fonts are the same)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, tuple], float] = {}
        self._keys: dict[int, tuple] = {}
        self._styles: dict[int, object] = {}

    def __call__(self, text: str, style) -> float:
        if not text:
            return 0.0
        typed = self._keys.get(id(style))
        if typed is None:
            self._styles[id(style)] = style  # keeps the id valid while cached
            typed = self._keys[id(style)] = tuple(repr(style[k]) for k in _TEXT_PROPERTIES)
        key = (text, typed)
        found = self._cache.get(key)
        if found is None:
            from weasyprint.text.line_break import split_first_line

            found = self._cache[key] = split_first_line(text, style, None, None, 0)[3]
        return found

    def forget_styles(self) -> None:
        """Let the last layout's styles go (the widths stay)."""
        self._keys.clear()
        self._styles.clear()

    def space(self, style) -> float:
        return self("n n", style) - 2 * self("n", style)


def measure(
    flow: Flow, line_boxes: Sequence, widths: Widths, room: float | None = None
) -> Paragraph | None:
    """*flow* measured in the styles its laid-out *line_boxes* set it in; None when the
    two do not match (then the paragraph is left to the greedy breaker). *room* is
    their block's content width."""
    stream: list[tuple[str, str, object]] = []  # kind, text, style
    chosen_marks: list[int] = []  # stream indexes where a line ends
    try:
        for number, box in enumerate(line_boxes):
            items = _line_items(box)
            last = number == len(line_boxes) - 1
            if not last:  # the line's end: its hyphen drawn, or its space dropped
                while items and not items[-1][2] and not items[-1][0].strip(_DROPPED):
                    items.pop()
                if not items or items[-1][2]:
                    return None
                text, style, _ = items[-1]
                if text.endswith(HYPHEN) and text[:-1].endswith(SOFT_HYPHEN):
                    items[-1] = (text[:-1], style, False)
                    end = "shy"
                elif text.endswith("-"):  # after a hard hyphen, or a space after it
                    end = "either"
                else:
                    items[-1] = (text.rstrip(" "), style, False)
                    end = "space"
            for text, style, generated in items:
                if generated:
                    stream.append(("gen", text, style))
                else:
                    stream.extend(("c", char, style) for char in text)
            if not last:
                if end != "shy":
                    stream.append(("brk", end, stream[-1][2] if stream else None))
                chosen_marks.append(len(stream) - 1)
    except LookupError:
        return None
    # Match the flow's characters with the laid-out ones.
    atoms: list[list[tuple[str, object]]] = [[]]
    generated: Counter[int] = Counter()  # per atom: its generated characters
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
            generated[len(atoms) - 1] += len(stream[j][1])
            j += 1

    for char in flow.text:
        take_generated()
        here = stream[j] if j < len(stream) else None
        if char in _LAID:  # a soft hyphen, or the place after a hard one
            if here is not None and here[:2] in _LAID[char]:  # laid out (else dropped)
                if j in marks:
                    chosen.append(len(kinds))
                j += 1
            kinds.append("shy" if char == SOFT_HYPHEN else "hard")
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
    if len(line_boxes) < 2:
        return None
    # The measure: the first line box's width, or its block's where the line box
    # overflows it (a line set for a measure it no longer has).
    full = line_boxes[0].width if room is None else min(line_boxes[0].width, room)
    return Paragraph(
        atoms=[_atom_width(a, widths) for a in atoms],
        # generated text (a page number) is outside the spans that track a line
        letters=[
            sum(len(t.replace(SOFT_HYPHEN, "")) for t, _ in a) - generated[i]
            for i, a in enumerate(atoms)
        ],
        kinds=kinds,
        spaces=spaces,
        hyphens=hyphens,
        normal=SPACE_EM * box.style["font_size"],
        size=box.style["font_size"],
        ligated=[bool(_LIGATURE_RE.search("".join(t for t, _ in a))) for a in atoms],
        first=full - indent,
        measure=full,
        lines=len(line_boxes),
        chosen=tuple(chosen),
        spacing=(_px(box.style["letter_spacing"]), _px(box.style["word_spacing"])),
    )


def _px(value) -> float:
    """A computed spacing in px ("normal" is 0)."""
    value = getattr(value, "value", value)
    return float(value) if isinstance(value, int | float) else 0.0


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


@dataclass(frozen=True)
class _Sums:
    """Prefix sums over a paragraph's atoms (index i: atoms [0, i)) and openings."""

    atoms: list[float]
    chars: list[int]
    ligated: list[int]
    spaces: list[float]  # the natural widths of openings [0, i)
    number: list[int]  # the spaces among openings [0, i)

    @classmethod
    def of(cls, p: Paragraph) -> _Sums:
        def running(values) -> list:
            out = [0]
            for value in values:
                out.append(out[-1] + value)
            return out

        return cls(
            running(p.atoms),
            running(p.letters),
            running(int(x) for x in p.ligated),
            running(p.spaces),
            running(kind == "space" for kind in p.kinds),
        )


@dataclass(frozen=True)
class _Line:
    """A candidate line, measured."""

    total: float  # its natural width, with the hyphen it ends in
    inner: float  # its word spaces' natural width
    spaces: int
    chars: int  # the characters tracking moves: letters, spaces, the hyphen
    track: float  # px each character may be tracked by, either way (0: not at all)


def _candidate(p: Paragraph, sums: _Sums, a: int, b: int, *, last: bool = False) -> _Line:
    """The line after opening *a* up to opening *b* (the end of the text when *last*)."""
    end = len(p.kinds) if last else b
    inner = sums.spaces[end] - sums.spaces[a + 1] if end > a + 1 else 0.0
    spaces = sums.number[end] - sums.number[a + 1] if end > a + 1 else 0
    hyphen = not last and p.kinds[b] == "shy"
    total = sums.atoms[end + 1] - sums.atoms[a + 1] + inner + (p.hyphens[b] if hyphen else 0.0)
    plain = sums.ligated[end + 1] == sums.ligated[a + 1]
    chars = sums.chars[end + 1] - sums.chars[a + 1] + spaces + hyphen
    return _Line(total, inner, spaces, chars, TRACK * p.size if plain and not last else 0.0)


def settle(p: Paragraph, line: _Line, measure: float) -> tuple[float, float]:
    """How a justified *line* is set in *measure*: the ratio of its word spaces (what
    its tracked letters leave of the measure, per space) to normal, and the px each
    character is tracked by (negative: tighter) so that the spaces stay within
    [tight, wide] (:class:`Spacing`) where they alone cannot."""
    tight, wide = p.limits.tight, p.limits.wide
    room = line.inner + measure - line.total  # the spaces' share of the measure, untracked
    ratio = room / line.spaces / p.normal
    # A word space is seen with the tracking of its own character and of the letter
    # before it: tracking narrows the spaces by what the other letters take up.
    letters = line.chars - 2 * line.spaces
    if ratio > wide:
        track = min(line.track, (ratio - wide) * line.spaces * p.normal / letters)
    elif ratio < tight:
        track = -min(line.track, (tight - ratio) * line.spaces * p.normal / letters)
    else:
        return ratio, 0.0
    return ratio - track * letters / line.spaces / p.normal, track


Chosen = tuple[float, tuple[int, ...]] | None
_CHOSEN: dict[tuple, Chosen] = {}  # choose()'s answers, by everything they depend on
_CHOSEN_MAX = 4096


def choose(paragraph: Paragraph, max_run: int = 2) -> Chosen:
    """The cost and the openings that end the lines of the best setting of
    *paragraph*, or None when no setting obeys the rules in no more lines than it
    has now.

    An answer is kept by the paragraph's measurements, its page turns and the
    rules: a paragraph a later make-up round lays out the same way is not broken
    again (most paragraphs of a long book, round after round)."""
    p = paragraph
    key = (
        tuple(p.atoms), tuple(p.letters), tuple(p.kinds), tuple(p.spaces), tuple(p.hyphens),
        tuple(p.ligated), p.normal, p.size, p.first, p.measure, p.lines, p.turns, max_run,
        p.limits, TRACK, HYPHEN_COST, LOOSE_COST, LOOSE_SLOPE, TIGHT_COST, TRACK_COST, FITNESS,
        ADJACENT_COST, SLACK,
    )  # fmt: skip
    # Kept by the key's 64-bit hash with the paragraph's size, not by the key: a long
    # book's measurements would hold tens of megabytes. Two paragraphs of one size
    # share a hash once in about 2**64 pairs.
    digest = (hash(key), len(p.atoms), p.lines)
    if digest in _CHOSEN:
        return _CHOSEN[digest]
    if len(_CHOSEN) >= _CHOSEN_MAX:
        _CHOSEN.clear()
    found = _CHOSEN[digest] = _choose(p, max_run)
    return found


def _choose(p: Paragraph, max_run: int) -> Chosen:
    count = len(p.kinds)
    sums = _Sums.of(p)
    widest = max(p.first, p.measure)
    tightest = p.limits.tight * p.normal

    def fits(line: _Line, measure: float) -> bool:
        """Its spaces at their tightest and its letters tracked tightest leave it no
        wider."""
        letters = line.total - line.inner - line.track * (line.chars - 2 * line.spaces)
        return letters + line.spaces * tightest <= measure - SLACK

    # best[(opening, lines, run)] = (cost, previous state); opening -1 is the start.
    start = (-1, 0, 0, 1)
    best: dict[tuple[int, int, int, int], tuple[float, tuple | None]] = {start: (0.0, None)}
    by_end: dict[int, list[tuple[int, int, int, int]]] = {-1: [start]}
    for b in range(count):
        hyphen = p.kinds[b] != "space"  # a soft hyphen, or after a hard one
        for a in range(b - 1, -2, -1):
            line = _candidate(p, sums, a, b)
            if not fits(line, widest):
                break
            # The line's cost depends on its measure only: the first line's or the rest's.
            costs: dict[bool, tuple[float, int] | None] = {}
            for state in by_end.get(a, ()):
                _, lines, run, fit = state
                if lines + 1 >= p.lines:  # the last line must still follow
                    continue
                new_run = run + 1 if hyphen else 0
                if new_run > max_run or (hyphen and lines in p.turns):
                    continue
                first = lines == 0
                if first not in costs:
                    measure = p.first if first else p.measure
                    costs[first] = _line_cost(p, line, measure) if fits(line, measure) else None
                if (priced := costs[first]) is None:
                    continue
                cost, new_fit = priced
                cost += best[state][0] + (HYPHEN_COST if hyphen else 0.0)
                if lines and abs(new_fit - fit) > 1:
                    cost += ADJACENT_COST
                key = (b, lines + 1, new_run, new_fit)
                if key not in best or cost < best[key][0]:
                    if key not in best:
                        by_end.setdefault(b, []).append(key)
                    best[key] = (cost, state)
    # The last line: after some opening to the end of the text, set as it comes.
    finish: tuple[float, tuple] | None = None
    for a in range(count - 1, -2, -1):
        line = _candidate(p, sums, a, count, last=True)
        if line.total > widest - SLACK:
            break
        for state in by_end.get(a, ()):
            lines = state[1]
            measure = p.first if lines == 0 else p.measure
            if line.total > measure - SLACK or lines + 1 > p.lines:
                continue
            if a >= 0 and p.kinds[a] != "space" and line.spaces == 0:
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


def _line_cost(p: Paragraph, line: _Line, measure: float) -> tuple[float, int]:
    """A justified line's cost and its fitness class (0 tight, 1 decent, 2 loose,
    3 very loose): the square of its word spaces' distance from the font's own
    space (shrinking weighs more), :data:`LOOSE_COST` more when it is loose, and
    the square of the share of its tracking range it uses."""
    if line.spaces == 0:  # one word alone: the rest of the line is one wide gap
        gap = max(measure - line.total, 0.0) / p.normal
        return LOOSE_COST * 10 + LOOSE_SLOPE * max(gap - p.limits.wide, 0.0) ** 2, 3
    ratio, track = settle(p, line, measure)
    cost = TRACK_COST * (track / line.track) ** 2 if track else 0.0
    fit = sum(ratio >= bound for bound in FITNESS)
    if ratio < 1.0:
        return cost + TIGHT_COST * (1.0 - ratio) ** 2, fit
    cost += 100.0 * (ratio - 1.0) ** 2
    if ratio > p.limits.wide:
        cost += LOOSE_COST + LOOSE_SLOPE * (ratio - p.limits.wide) ** 2
    return cost, fit


def misfits(p: Paragraph, settings: Sequence[Setting | None]) -> bool:
    """Whether *p*, broken as it is now and set as *settings* say, has a line looser
    than its limits (:class:`Spacing`) allow or wider than its measure (a page number
    it holds changed, or the measure did)."""
    sums = _Sums.of(p)
    base_letter, base_word = (value / p.size for value in p.spacing)
    for index, (a, b) in enumerate(pairwise([-1, *p.chosen])):
        line = _candidate(p, sums, a, b)
        measure = p.first if index == 0 else p.measure
        if line.spaces and settle(p, line, measure)[0] > p.limits.wide + 0.005:
            return True
        setting = settings[index] if index < len(settings) else None
        if setting is not None:
            letter, word = setting[0] - base_letter, setting[1] - base_word
            width = line.total + (letter * line.chars + word * line.spaces) * p.size
            if width > measure:
                return True
    return False


def line_settings(p: Paragraph, chosen: Sequence[int]) -> tuple[Setting | None, ...]:
    """How each line but the last of *p*, broken at *chosen*, is set: its letter and
    word spacing in em where they differ from the paragraph's (None elsewhere).

    Tracking is rounded away from zero to a whole number of :data:`TRACK_STEP`: the
    PDF places each glyph to 1/1000 em, so any other amount would add the same
    rounding error to every glyph of the line and move its end off the measure."""
    sums = _Sums.of(p)
    base_letter, base_word = (value / p.size for value in p.spacing)
    out: list[Setting | None] = []
    for index, (a, b) in enumerate(pairwise([-1, *chosen])):
        measure = p.first if index == 0 else p.measure
        line = _candidate(p, sums, a, b)
        track = settle(p, line, measure)[1] / p.size if line.spaces else 0.0
        steps = min(math.ceil(abs(track) / TRACK_STEP - 1e-9), round(TRACK / TRACK_STEP))
        letter = math.copysign(steps * TRACK_STEP, track) if steps else 0.0
        # the renderer widens each space by the letter spacing too
        over = line.total + letter * p.size * line.chars - (measure - SLACK - SHRINK_MARGIN)
        word = 0.0
        if over > 0 and line.spaces:
            word = math.floor(-over / line.spaces / p.size * 10000) / 10000
        setting = (round(base_letter + letter, 3), round(base_word + word, 4))
        out.append(None if not letter and not word else setting)
    return tuple(out)
