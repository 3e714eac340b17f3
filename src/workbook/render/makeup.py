"""Page make-up after layout: floats that fill pages, hyphenation a typographer accepts.

WeasyPrint has no page floats and breaks lines greedily: a figure that does not
fit on the rest of a page jumps whole to the next one and leaves a hole, and
every line that can end in a hyphen does. So the book is laid out, looked at,
changed and laid out again (as :mod:`workbook.render.pagemap` does for page
numbers), until nothing is left to change or :data:`MAX_ROUNDS` is reached:

- **Floats.** A chart, table or illustration (``data-float`` in the HTML) that
  opens a page after a page with a hole moves after the next paragraph of its
  chapter, and the text fills the hole, as a float of LaTeX or InDesign would
  (:mod:`workbook.render.floats`).
- **Exercises.** Write-in areas give or take ruled lines so that a box does
  not leave its page's foot empty (:mod:`workbook.render.writein`).
- **Lines.** Each justified paragraph is numbered (``data-p``) and broken as a
  whole by the total-fit breaker (:mod:`workbook.render.linebreak`), which
  weighs hyphens against loose and tight lines, may track a line's letters a
  hair where its word spaces alone would leave their limits, and keeps hyphens
  off page turns, out of a paragraph's last line and to at most two in a row.
- **Hyphens the greedy breaker set.** In a paragraph the total-fit breaker
  cannot set (its text and its lines do not match), a word keeps its soft
  hyphens unless its break ends a page, makes a third hyphen in a row, leaves
  only a fragment on the paragraph's last line, or was not needed (the line
  holds without it with word spaces at most :data:`LOOSE` times normal); then
  that occurrence loses its soft hyphens.

The changes are a :class:`Plan`, kept between builds as a hint
(``build/.state/<pdf>.makeup.json``), so a rebuild usually lays the book out
once. The preflight (:mod:`workbook.preflight.makeup`) measures the result.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

from workbook.pipeline.freshness import state_file, write_json
from workbook.render import floats, linebreak, lineflow, writein
from workbook.render.chapters import CHAPTER_RE

D = TypeVar("D")
SOFT_HYPHEN = "\u00ad"
MAX_ROUNDS = 5
LOOSE = 1.3  # a line this loose without its hyphen does not need it
SPACE_EM = linebreak.SPACE_EM  # the body font's space, in em (Charis SIL)
_BLOCK_RE = r"<(?:p|li|dd)(?=[\s>])"
_NUMBER_RE = re.compile(f"{CHAPTER_RE.pattern}|{_BLOCK_RE}")
_CALL_RE = re.compile(r"(?<=[^\w\u00ad])\d+$")
_WORD_EDGE_RE = re.compile(r"^[^\w\u00ad]+|[^\w\u00ad]+$")
Unbreak = tuple[str, str, int]  # paragraph, word as written (with soft hyphens), occurrence


@dataclass
class Plan:
    """What to change in the HTML before layout."""

    unbreak: set[Unbreak] = field(default_factory=set)
    floats: dict[str, int] = field(default_factory=dict)  # data-float -> blocks it moves past
    pushed: set[str] = field(default_factory=set)  # paragraphs that start a new page
    lines: dict[str, int] = field(default_factory=dict)  # write-in field -> lines added
    # paragraph -> its text's digest, the openings that end its lines and how each
    # line is set (workbook.render.linebreak); None: the greedy breaker sets it
    breaks: dict[str, linebreak.Breaks] = field(default_factory=dict)

    def copy(self) -> Plan:
        return Plan(
            set(self.unbreak),
            dict(self.floats),
            set(self.pushed),
            dict(self.lines),
            dict(self.breaks),
        )

    def set_by_total_fit(self) -> set[str]:
        """The paragraphs whose lines the plan breaks (not the greedy breaker)."""
        return {p for p, (_, chosen, _) in self.breaks.items() if chosen is not None}

    def to_json(self) -> dict:
        return {
            "unbreak": sorted(list(u) for u in self.unbreak),
            "floats": self.floats,
            "pushed": sorted(self.pushed),
            "lines": dict(sorted(self.lines.items())),
            "breaks": {
                p: [
                    digest,
                    None if chosen is None else list(chosen),
                    [None if s is None else list(s) for s in settings],
                ]
                for p, (digest, chosen, settings) in sorted(self.breaks.items())
            },
        }

    @classmethod
    def from_json(cls, data: object) -> Plan:
        """A plan read back; anything that does not fit is left out (it is a hint)."""
        plan = cls()
        if not isinstance(data, dict):
            return plan
        for item in data.get("unbreak", []):
            if isinstance(item, list) and len(item) == 3 and isinstance(item[2], int):
                plan.unbreak.add((str(item[0]), str(item[1]), item[2]))
        for key, value in (data.get("floats") or {}).items():
            if isinstance(value, int) and 0 < value < 20:
                plan.floats[str(key)] = value
        plan.pushed = {str(p) for p in data.get("pushed", []) if isinstance(p, str)}
        for key, value in (data.get("lines") or {}).items():
            if isinstance(value, int) and -10 < value < 10 and value:
                plan.lines[str(key)] = value
        for key, value in (data.get("breaks") or {}).items():
            if not isinstance(value, list) or len(value) != 3 or not isinstance(value[0], str):
                continue
            digest, chosen, settings = value
            if chosen is None:
                plan.breaks[str(key)] = (digest, None, ())
            elif _ints(chosen) and isinstance(settings, list):
                read = tuple(_setting(s) for s in settings)
                if all(s is not False for s in read) and len(read) <= len(chosen):
                    plan.breaks[str(key)] = (digest, tuple(chosen), read)  # type: ignore[arg-type]
        return plan


def _ints(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(i, int) for i in value)


def _setting(value: object) -> lineflow.Setting | bool | None:
    """A line's setting read back: None, a (letter, word) pair, or False if neither."""
    if value is None:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and abs(v) < 10 for v in value)
    ):
        return (float(value[0]), float(value[1]))
    return False


def plan_path(out_dir: Path, pdf_name: str) -> Path:
    """Where the settled plan of the edition written to *pdf_name* is kept."""
    return state_file(out_dir, pdf_name, "makeup")


def read_plan(path: Path | None) -> Plan:
    """The last build's plan, or an empty one."""
    if path is None:
        return Plan()
    try:
        return Plan.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return Plan()


def write_plan(path: Path, plan: Plan) -> None:
    """Keep *plan* for the next build."""
    write_json(path, plan.to_json(), ensure_ascii=False)


def number_paragraphs(html: str) -> str:
    """``data-p`` on every ``p``, ``li`` and ``dd`` of the body, in document order,
    numbered per chapter (``hanke:12``; before the first chapter a plain number),
    so that an edit renumbers only its own chapter's paragraphs and the plan's
    other entries stay valid (unchanged when the body is numbered already, as a
    chapter preview's is)."""
    start = html.find("<body")
    if ' data-p="' in html[start:]:
        return html
    chapter = ""
    counts: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        nonlocal chapter
        if match["chapter"] is not None:
            chapter = match["chapter"]
            return match[0]
        counts[chapter] = count = counts.get(chapter, 0) + 1
        key = f"{chapter}:{count}" if chapter else str(count)
        return f'{match[0]} data-p="{key}"'

    return html[:start] + _NUMBER_RE.sub(number, html[start:])


def apply(html: str, plan: Plan) -> str:
    """*html* (numbered by :func:`number_paragraphs`) changed as *plan* says."""
    for key, steps in sorted(plan.floats.items()):
        html = floats.move_float(html, key, steps)
    for paragraph in sorted(plan.pushed):
        html = _push(html, paragraph)
    html = writein.apply_lines(html, plan.lines)
    total_fit = plan.set_by_total_fit()
    by_paragraph: dict[str, list[tuple[str, int]]] = {}
    for paragraph, word, occurrence in plan.unbreak:
        if paragraph not in total_fit:
            by_paragraph.setdefault(paragraph, []).append((word, occurrence))
    if by_paragraph:
        html = _unbreak_words(html, by_paragraph)
    if not total_fit:
        return html
    # One pass over the paragraphs' elements, from each start tag to its end tag.
    parts, previous = [], 0
    for paragraph, start, end in _paragraph_spans(html):
        digest, chosen, settings = plan.breaks.get(paragraph, ("", None, ()))
        flow = _flow(html[start:end]) if chosen is not None and start >= previous else None
        if flow is None or flow.digest != digest:
            continue  # a text the plan does not know: the greedy breaker sets it
        part = _broken(html[start:end], chosen, settings)  # type: ignore[arg-type]
        parts += [html[previous:start], part]
        previous = end
    return "".join([*parts, html[previous:]])


def _unbreak_words(html: str, by_paragraph: dict[str, list[tuple[str, int]]]) -> str:
    """*html* without the soft hyphens of the word occurrences *by_paragraph* names; one
    pass over the text from each paragraph's marker to the next marker."""
    marks = [m.start() for m in re.finditer(' data-p="', html)]
    parts, done, previous = [], set(), 0
    for start, end in zip(marks, [*marks[1:], len(html)], strict=True):
        paragraph = html[start + 9 : html.find('"', start + 9)]
        words = by_paragraph.get(paragraph)
        if words is None or paragraph in done:
            continue
        done.add(paragraph)
        part = html[start:end]
        for word, occurrence in words:
            part = _unbreak(part, word, occurrence)
        parts += [html[previous:start], part]
        previous = end
    return "".join([*parts, html[previous:]])


_SPAN_RE = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?\sdata-p="([^"]*)"')


def _paragraph_spans(html: str) -> list[tuple[str, int, int]]:
    """(paragraph, start, end) of each numbered element that holds no other one, in
    document order (a list item holding a list is left out)."""
    found = []
    for match in _SPAN_RE.finditer(html):
        end = floats.element_end(html, match.start())
        if ' data-p="' in html[match.end() : end]:
            continue
        found.append((match[2], match.start(), end))
    return found


@functools.lru_cache(maxsize=4096)
def _flow(part: str) -> lineflow.Flow | None:
    return lineflow.source_flow(part)


@functools.lru_cache(maxsize=4096)
def _broken(
    part: str, chosen: tuple[int, ...], settings: tuple[lineflow.Setting | None, ...]
) -> str:
    """*part* set to break at *chosen* (kept: the rounds of one render, and the
    renders of one process, apply the same breaks to mostly the same paragraphs)."""
    flow = _flow(part)
    assert flow is not None  # apply() sets only the parts it found a flow for
    return lineflow.apply_breaks(part, flow, chosen, settings)


def _push(html: str, paragraph: str) -> str:
    """Start a new page before *paragraph* (or before the heading right above it)."""
    found = re.search(rf'<[a-z]+ data-p="{re.escape(paragraph)}"', html)
    if found is None:
        return html
    start = found.start()
    heading = re.search(r"(<h[2-6]\b)[^>]*>(?:(?!<h[2-6]\b).)*</h[2-6]>\s*$", html[:start], re.S)
    if heading is not None and start - heading.start() < 2000:
        start = heading.start()
    name = re.match(r"<[a-zA-Z0-9]+", html[start:])
    end = start + (name.end() if name else 1)
    return html[:end] + ' style="break-before: page"' + html[end:]


def _unbreak(text: str, word: str, occurrence: int) -> str:
    index = -1
    for _ in range(occurrence + 1):
        index = text.find(word, index + 1)
        if index < 0:
            return text
    plain = word.replace(SOFT_HYPHEN, "")
    return text[:index] + plain + text[index + len(word) :]


# ---- Looking at the laid-out pages ----


@dataclass
class _Line:
    box: object  # weasyprint LineBox
    paragraph: str
    text: str
    page: int
    last: bool = False  # the paragraph's last line
    room: float | None = None  # its block's content width (a line box may overflow it)

    @property
    def hyphenated(self) -> bool:
        return self.text.endswith("\u2010")


def _lines(document) -> list[_Line]:
    from weasyprint.formatting_structure import boxes

    found: list[_Line] = []

    def walk(box, page: int, room: float | None) -> None:
        if isinstance(box, boxes.LineBox):
            element = box.element
            paragraph = element.get("data-p") if element is not None else None
            text = "".join(
                b.text for b in box.descendants() if isinstance(b, boxes.TextBox)
            ).rstrip()
            if paragraph:
                found.append(_Line(box, paragraph, text, page, room=room))
            return
        if isinstance(box, boxes.FootnoteAreaBox | boxes.MarginBox):
            return
        width = box.width if isinstance(box, boxes.BlockContainerBox) else None
        for child in getattr(box, "children", ()):
            walk(child, page, width if isinstance(width, int | float) else None)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number, None)
    for line, after in pairwise(found):
        line.last = after.paragraph != line.paragraph
    if found:
        found[-1].last = True
    return found


def _split(text: str) -> tuple[str, str]:
    """The text before a line's last word, and that word."""
    head, _, tail = text.rpartition(" ")
    return head, tail


def _word(before: _Line, after: _Line) -> str:
    """The broken word as written in the HTML (with its soft hyphens)."""
    start = _split(before.text)[1].removesuffix("\u2010")
    end = _CALL_RE.sub("", after.text.split(" ", 1)[0])  # a footnote call's number
    return _WORD_EDGE_RE.sub("", start + end)


def _occurrence(lines: list[_Line], index: int, word: str) -> int:
    """How often *word* comes before line *index*'s break in its paragraph."""
    paragraph = lines[index].paragraph
    count = 0
    i = index
    while i > 0 and lines[i - 1].paragraph == paragraph:
        i -= 1
    for line in lines[i:index]:
        count += (line.text + " ").count(word)
    head = _split(lines[index].text)[0]
    return count + head.count(word)


def _needless(line: _Line) -> bool:
    """The line would hold without its broken word, its spaces at most LOOSE x normal."""
    from weasyprint.formatting_structure import boxes

    texts = [b for b in line.box.descendants() if isinstance(b, boxes.TextBox)]
    if not texts or line.box.style["text_align_all"] != "justify":
        return False
    style = texts[-1].style
    size = style["font_size"]
    normal = SPACE_EM * size  # the font's own space
    spacing = style["word_spacing"]  # computed: px
    space = normal + (spacing if isinstance(spacing, int | float) else 0)
    spaces = line.text.count(" ")
    if spaces < 2:
        return False
    extra = max((getattr(b, "justification_spacing", 0) or 0) for b in texts)
    natural = sum(b.width for b in texts) - extra * spaces
    chars = sum(len(b.text.replace(SOFT_HYPHEN, "")) for b in texts)
    tail = _split(line.text)[1].replace(SOFT_HYPHEN, "")
    without = natural - natural * len(tail) / max(chars, 1) - space
    loose = space + (line.box.width - without) / (spaces - 1)
    return loose <= LOOSE * normal


def review_hyphens(document, plan: Plan, max_run: int) -> set[Unbreak]:
    """The word occurrences whose breaks the page make-up refuses."""
    lines = _lines(document)
    refuse: set[Unbreak] = set()
    run = 0
    for index, line in enumerate(lines[:-1]):
        if not line.hyphenated:
            run = 0
            continue
        run += 1
        after = lines[index + 1]
        word = _word(line, after)
        if SOFT_HYPHEN not in word or after.paragraph != line.paragraph:
            continue
        page_end = after.page != line.page
        fragment = after.last and " " not in after.text.strip()
        if page_end or fragment or run > max_run or _needless(line):
            refuse.add((line.paragraph, word, _occurrence(lines, index, word)))
            run = 0
    return refuse - plan.unbreak


def review_breaks(
    document,
    plan: Plan,
    html: str,
    max_run: int,
    widths: linebreak.Widths | None = None,
    limits: linebreak.Spacing | None = None,
) -> dict[str, linebreak.Breaks]:
    """The line breaks (:mod:`workbook.render.linebreak`) of each justified paragraph
    of *html* (numbered, before the plan is applied) that this layout changes: a new
    or edited paragraph is broken as a whole; one whose lines did not come out as
    planned goes to the greedy breaker; one whose hyphen now ends a page, or whose
    line no longer fits as set (:func:`~workbook.render.linebreak.misfits`), is
    broken again. *limits* are the word spaces' range (the breaker's own by
    default)."""
    limits = limits or linebreak.Spacing()
    by_paragraph: dict[str, list[_Line]] = {}
    for line in _lines(document):
        by_paragraph.setdefault(line.paragraph, []).append(line)
    spans = {p: (start, end) for p, start, end in _paragraph_spans(html)}
    widths = widths or linebreak.Widths()
    widths.forget_styles()  # a new layout's: the widths by text and type stay
    changes: dict[str, linebreak.Breaks] = {}
    for paragraph, lines in by_paragraph.items():
        style = lines[0].box.style
        span = spans.get(paragraph)
        if len(lines) < 2 or span is None or style["text_align_all"] != "justify":
            continue
        flow = _flow(html[span[0] : span[1]])
        if flow is None or style["white_space"] != "normal":
            continue
        digest = flow.digest
        old_digest, old, settings = plan.breaks.get(paragraph, ("", None, ()))
        known = old_digest == digest
        if known and old is None:
            continue  # the greedy breaker sets it
        reviewed = (paragraph, digest, plan.breaks[paragraph]) if known else None
        if reviewed is not None and _as_planned(lines, reviewed):
            continue  # the same lines as a review found as planned (pages put into a book)
        measured = linebreak.measure(flow, [line.box for line in lines], widths, lines[0].room)
        if measured is None or (known and measured.chosen != old):
            changes[paragraph] = (digest, None, ())
            continue
        measured.limits = limits
        measured.turns = frozenset(
            index for index, (line, after) in enumerate(pairwise(lines)) if after.page != line.page
        )
        at_turn = any(
            measured.kinds[opening] != "space" and index in measured.turns
            for index, opening in enumerate(measured.chosen)
        )
        if known and not at_turn and not linebreak.misfits(measured, settings):
            _remember(lines, reviewed)
            continue  # as planned
        best = linebreak.choose(measured, max_run)
        changes[paragraph] = (
            (digest, None, ())
            if best is None
            else (digest, best[1], linebreak.line_settings(measured, best[1]))
        )
        if reviewed is not None and changes[paragraph] == reviewed[2]:
            _remember(lines, reviewed)  # broken again as planned: the same again next time
    return {p: b for p, b in changes.items() if plan.breaks.get(p) != b}


# Paragraphs a review left as planned (set as planned, or broken again just as
# planned), by their first line box (weakly: an entry goes with its page): the
# paragraph, its plan entry, its other line boxes (weakly) and their pages. The
# pages a book takes over from its last layout (workbook.render.assembly) are the
# same boxes, so they are not measured again.
_PLANNED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _remember(lines: list[_Line], reviewed) -> None:
    with contextlib.suppress(TypeError):  # a box that takes no weak reference
        _PLANNED[lines[0].box] = (
            reviewed,
            [weakref.ref(line.box) for line in lines],
            [line.page for line in lines],
        )


def _as_planned(lines: list[_Line], reviewed) -> bool:
    try:
        entry = _PLANNED.get(lines[0].box)
    except TypeError:
        return False
    if entry is None or entry[0] != reviewed or entry[2] != [line.page for line in lines]:
        return False
    kept = entry[1]
    return len(kept) == len(lines) and all(
        ref() is line.box for ref, line in zip(kept, lines, strict=True)
    )


def review_footnotes(document, plan: Plan) -> set[str]:
    """Paragraphs that must start the next page so that a footnote stays with its call.

    WeasyPrint makes room for a page's last line by sending the page's last
    footnote on to the next page, away from its call; pushing that last
    paragraph to the next page keeps the note on its call's page.
    """
    from weasyprint.formatting_structure import boxes

    lines = _lines(document)
    push: set[str] = set()
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        notes = {
            note.element
            for area in box.children
            if isinstance(area, boxes.FootnoteAreaBox)
            for note in area.children
        }
        calls = set()
        for line in (ln for ln in lines if ln.page == number):
            for child in line.box.descendants():
                footnote = getattr(child, "footnote", None)
                if footnote is not None:
                    calls.add(footnote.element)
        if calls - notes:
            on_page = [ln for ln in lines if ln.page == number]
            if on_page:
                last = on_page[-1].paragraph
                first_line = next(ln for ln in lines if ln.paragraph == last)
                if first_line.page == number:
                    push.add(last)
    return push - plan.pushed


def settle(
    html: str,
    plan: Plan,
    layout: Callable[[str], D],
    *,
    max_run: int = 2,
    max_gap_mm: float = 15.0,
    report: Callable[[Plan], None] | None = None,
    limits: linebreak.Spacing | None = None,
) -> tuple[D, Plan]:
    """Lay *html* out, review the pages and lay out again until the plan settles.

    *limits* are the word spaces' range the line breaker keeps to.

    *layout* lays out the whole book; after a round that changed only a few
    chapters it may lay out only those and put their pages in place of theirs
    (:mod:`workbook.render.assembly`).
    """
    html = number_paragraphs(html)
    current = plan.copy()
    text = apply(html, current)
    document = layout(text)
    rounds = _Rounds(html, layout, max_run, max_gap_mm, report, limits=limits)
    document, current, text = rounds.run(current, text, document)
    return document, current


@dataclass
class _Rounds:
    """The make-up's rounds: review, change the plan, lay out again."""

    html: str
    layout: Callable[[str], object]
    max_run: int
    max_gap_mm: float
    report: Callable[[Plan], None] | None
    # Text widths for every review of this render (its layouts use the same fonts).
    widths: linebreak.Widths = field(default_factory=linebreak.Widths)
    limits: linebreak.Spacing | None = None

    def run(self, current: Plan, text: str, document):
        """Review and lay out again until nothing changes, up to MAX_ROUNDS layouts:
        (document, plan, html), the document of the html returned. A document is
        let go before the next layout, so that the collector may free it
        meanwhile (:mod:`workbook.runtime.memory`, rule 7)."""
        rounds = 1
        while True:
            proposed = self.review(document, current, text)
            # *text* is always the html with *current* applied
            changed = text if proposed == current else apply(self.html, proposed)
            if changed == text or rounds >= MAX_ROUNDS:
                break  # settled, or the rounds are spent (the document is of *text*)
            current, text = proposed, changed
            if self.report is not None:
                self.report(current)
            document = None
            document = self.layout(text)
            rounds += 1
        return document, current, text

    def review(self, document, current: Plan, text: str) -> Plan:
        """The plan with what this layout's reviews change."""
        proposed = current.copy()
        found = review_breaks(document, current, self.html, self.max_run, self.widths, self.limits)
        proposed.breaks.update(found)
        total_fit = proposed.set_by_total_fit()
        refuse = review_hyphens(document, current, self.max_run)
        moves = floats.review_floats(document, current.floats)
        proposed.unbreak |= {u for u in refuse if u[0] not in total_fit}
        proposed.floats.update(moves)
        proposed.pushed |= review_footnotes(document, current)
        moved = current.copy()
        moved.floats, moved.pushed = proposed.floats, proposed.pushed
        # Ruled lines are fitted to pages that stay put.
        if moved == current or apply(self.html, moved) == text:
            proposed.lines.update(
                writein.review_exercises(document, current.lines, self.max_gap_mm)
            )
        return proposed


def keys(items: Iterable[Unbreak]) -> list[str]:
    """Readable names of refused breaks (for tests and logs)."""
    return sorted(word.replace(SOFT_HYPHEN, "-") for _, word, _ in items)
