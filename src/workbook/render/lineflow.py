"""A justified paragraph's text as the renderer flows it, read from and written to its HTML.

The total-fit breaker (:mod:`workbook.render.linebreak`) works on a paragraph's
*flow*: its text with whitespace collapsed as CSS does and footnote bodies left
out, and the places a line may end (:func:`source_flow`). Its choice is written
back into the same HTML (:func:`apply_breaks`): the spaces inside a line become
no-break spaces, which justification still widens, and only the chosen soft
hyphens stay, so the renderer can break nowhere else; a line set apart has its
text in spans of :data:`LINE_CLASS` that set its word and letter spacing.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

SOFT_HYPHEN = "\u00ad"
NBSP = "\u00a0"
HARD = "\ue000"  # in a flow: the place after a hard hyphen inside a word ("Keski-|Suomen")
WORD_JOINER = "\u2060"  # written after a hard hyphen where the line must not end
LINE_CLASS = "wb-line"  # a span that sets one line's spacing (linebreak.line_settings)
_WHITE = " \t\n\r\f"
_TOKEN_RE = re.compile(r"<!--.*?-->|<[^>]*>|&[#a-zA-Z0-9]+;|[^<&]", re.S)
_BLOCKS = {"p", "ul", "ol", "li", "div", "table", "figure", "blockquote", "dl", "dd", "br"}
_VOID = {"img", "br", "input", "hr", "wbr", "col", "source", "area"}
_FOOTNOTE_RE = re.compile(r'\sclass="(?:[^"]*\s)?footnote(?:\s[^"]*)?"')

_KINDS = {" ": "space", SOFT_HYPHEN: "shy", HARD: "hard"}

# A line set apart: its letter spacing and word spacing, in em.
Setting = tuple[float, float]


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
        """Each opening's kind: "space", "shy" or "hard" (after a hard hyphen)."""
        return [_KINDS[c] for c in self.text if c in _KINDS]

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
    pending: list[tuple[int, int]] = []  # a whitespace run, until something follows it
    after_hyphen = 0  # where the last character ends

    def close_run() -> None:
        if pending and chars:
            chars.append(" ")
            if len(pending) > 1:
                runs[len(places) // 2] = tuple(pending[1:])
            places.extend(pending[0])
        pending.clear()

    for match in _flowing(part):
        if match is None:
            return None
        piece = match[0]
        span = (match.start(), match.end())
        char = htmllib.unescape(piece) if piece.startswith("&") else piece
        if char in _WHITE:
            pending.append(span)
            continue
        close_run()
        if len(chars) > 1 and chars[-1] == "-" and chars[-2].isalnum() and char.isalnum():
            chars.append(HARD)  # a line may end after the hyphen of "Keski-Suomen"
            places.extend((after_hyphen, after_hyphen))
        chars.append(char)
        if char == SOFT_HYPHEN:
            places.extend(span)
        after_hyphen = span[1]
    return Flow("".join(chars), places, runs)


def apply_breaks(
    part: str, flow: Flow, breaks: Sequence[int], settings: Sequence[Setting | None] = ()
) -> str:
    """*part* (one paragraph's HTML, whose flow is *flow*) set to break only at the
    openings *breaks*: other spaces become one no-break space, other soft hyphens go,
    a word joiner holds other hard hyphens to the letter after them,
    and the text of a line with a setting (:func:`line_settings`) goes into spans
    of :data:`LINE_CLASS` that set its letter and word spacing."""
    keep = set(breaks)
    edits: list[tuple[int, int, str]] = []
    for index, kind in enumerate(flow.kinds):
        if index in keep:
            continue
        start, end = flow.places[2 * index], flow.places[2 * index + 1]
        edits.append((start, end, {"space": NBSP, "shy": "", "hard": WORD_JOINER}[kind]))
        edits.extend((start, end, "") for start, end in flow.runs.get(index, ()))
    if any(settings):
        runs = _text_runs(part)
        for line, (a, b) in enumerate(pairwise([-1, *breaks])):
            setting = settings[line] if line < len(settings) else None
            if setting is None:
                continue
            # The span holds the space that ends its line: the renderer breaks a line
            # at the last opening inside the box that overflows it, and a box that
            # ended before the space would break at a hard hyphen inside it. A soft
            # hyphen starts the next line's span instead: the renderer draws its
            # hyphen only where it shares a box with the text after it.
            low = flow.places[2 * a + (flow.kinds[a] == "space")] if a >= 0 else 0
            high = flow.places[2 * b + (flow.kinds[b] == "space")]
            tag = (
                f'<span class="{LINE_CLASS}" style="letter-spacing:{setting[0]:.3f}em;'
                f'word-spacing:{setting[1]:.4f}em">'
            )
            for start, end in runs:
                start, end = max(start, low), min(end, high)
                if start < end:
                    edits += [(start, start, tag), (end, end, "</span>")]
    pieces, previous = [], 0
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1], not e[2].startswith("</"))):
        pieces += [part[previous:start], text]
        previous = end
    return "".join([*pieces, part[previous:]])


def _text_runs(part: str) -> list[tuple[int, int]]:
    """The runs of a paragraph's flowing text in its HTML (*part*): between tags, and
    outside footnote bodies."""
    runs: list[tuple[int, int]] = []
    for match in _flowing(part):
        if match is None:
            continue
        if runs and runs[-1][1] == match.start():
            runs[-1] = (runs[-1][0], match.end())
        else:
            runs.append((match.start(), match.end()))
    return runs


def _flowing(part: str) -> Iterator[re.Match[str] | None]:
    """The characters (and entities) of a paragraph's HTML (*part*) that flow in its
    lines: inside its element, outside footnote bodies; None for each block or
    forced break inside it (then it has no flow of its own)."""
    depth = 0
    skip: list[int] = []  # depths of open elements whose text is not in the flow
    for match in _TOKEN_RE.finditer(part):
        piece = match[0]
        if piece.startswith("<"):
            tag = re.match(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)", piece)
            if tag is None:  # a comment
                continue
            closing, name = tag[1], tag[2].lower()
            if name in _VOID or piece.endswith("/>"):
                if name in _BLOCKS and depth:
                    yield None
                continue
            if closing:
                depth -= 1
                if skip and skip[-1] == depth:
                    skip.pop()
                continue
            if depth and name in _BLOCKS:
                yield None
            if depth and _FOOTNOTE_RE.search(piece):
                skip.append(depth)
            depth += 1
            continue
        if not skip and depth:
            yield match
