"""Page make-up checks: what a typographer looks at before signing a page off.

Measured from the PDF alone (:mod:`.textlines` for type and shapes, the
configured page for the type area): how full each page is, footnotes on the
page of their call, hyphenation (share, runs, page turns, fragments, none in
sans-serif type), widows and orphans, empty height inside exercise boxes and
the width of justified word spaces. The limits are ``[preflight]`` in
publication.toml; a breach is a warning (an error under ``--strict``). Each
check gives its figure for every page it measured, shown under the page's
thumbnail in the report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from workbook.config.publication import PageFormat
from workbook.config.publication import Preflight as Limits
from workbook.preflight.checks import CheckResult
from workbook.preflight.facts import PageFacts, PdfFacts
from workbook.preflight.layout import MM, type_area
from workbook.preflight.textlines import Line, PageText

BODY_SIZE = (9.5, 10.5)  # pt: the running text's type
NOTE_SIZE = (7.5, 8.5)  # pt: footnotes
LEADING = 14.2  # pt: the body's line spacing
FULL = 3.0  # pt: a justified line reaching this near the right edge is full
EDGE = 0.25  # pt: how far a full justified line may end from the measure
INDENT = 6.0  # pt: a first line indented at least this much starts a paragraph
FRAME_PADDING = (4.0 * MM, 4.5 * MM)  # an exercise box's own top and bottom padding
_MARKER_RE = re.compile(r"^(\d+)\.")
_LIST_MARKER_RE = re.compile(r"^(•|\d{1,2}\.)$")
Area = tuple[int, float, float, float, float]


@dataclass
class Page:
    """One page as the make-up checks see it."""

    facts: PageFacts
    text: PageText
    area: tuple[float, float, float, float]  # the type area
    main: list[Line] = field(default_factory=list)  # the text of the page, not its notes
    notes: list[Line] = field(default_factory=list)
    notes_top: float | None = None
    exempt: bool = False  # front matter, a chapter's last page, a page before a forced break
    _body: tuple[list[Line], list[Line]] | None = field(default=None, repr=False, compare=False)

    @property
    def number(self) -> int:
        return self.facts.number

    def body(self) -> list[Line]:
        """Lines of running text (the body type); found once, as the checks ask often."""
        if self._body is None or self._body[0] is not self.main:
            self._body = (self.main, [line for line in self.main if is_body(line)])
        return self._body[1]

    def in_frame(self, line: Line) -> bool:
        return any(f.box[1] <= line.baseline <= f.box[3] for f in self.text.frames)


def is_body(line: Line) -> bool:
    """Set in the body's serif at the body's size."""
    return line.family == "Charis" and BODY_SIZE[0] <= line.size <= BODY_SIZE[1]


def _is_note_start(line: Line) -> bool:
    """A footnote's first line: its number in the sans-serif, its text in the serif."""
    first = min(line.runs, key=lambda r: r.x0)
    return (
        NOTE_SIZE[0] - 1 <= first.size <= NOTE_SIZE[1]
        and first.font.startswith("Inter-Semi")
        and bool(_MARKER_RE.match(first.text.strip()))
        and any(r.family == "Charis" for r in line.runs)
    )


def pages_of(facts: PdfFacts, texts: list[PageText], fmt: PageFormat) -> list[Page]:
    """Every page split into its text and its footnotes, with the exempt pages marked."""
    openers = {start for start, _ in facts.chapter_pages}
    first = min(openers, default=1)
    pages: list[Page] = []
    for page, text in zip(facts.pages, texts, strict=True):
        area = type_area(page, fmt)
        lines = [ln for ln in text.lines if area[1] - 2 < ln.baseline < area[3] + 2]
        start = next((i for i, ln in enumerate(lines) if _is_note_start(ln)), len(lines))
        item = Page(page, text, area, lines[:start], lines[start:])
        if item.notes:
            item.notes_top = item.notes[0].top - 6.5 * MM  # margin, padding and the rule
        item.exempt = page.number < first or page.blank
        pages.append(item)
    for index, item in enumerate(pages):
        after = pages[index + 1] if index + 1 < len(pages) else None
        if (
            after is None
            or after.number in openers
            or after.facts.blank
            or _forced_break(after)
            or not (item.main or item.facts.images)
        ):
            item.exempt = True
    return pages


def _forced_break(page: Page) -> bool:
    """A page that begins after a forced break: a full-page picture or a notes page."""
    width, height = page.facts.size
    big = any(
        (i.rect[2] - i.rect[0]) * (i.rect[3] - i.rect[1]) > 0.6 * width * height
        for i in page.facts.images
    )
    # A notes page: its title over ruled lines (drawn as rules or as the cells they
    # close) or, in the e-version, one form field as tall as half the type area.
    ruled = page.text.rules + sum(
        1 for s in page.text.shapes if s[2] - s[0] > 60 and 5 < s[3] - s[1] < 30
    )
    half = (page.area[3] - page.area[1]) / 2
    field = any(b[3] - b[1] > half for b in [*page.text.shapes, *(f.box for f in page.text.frames)])
    return big or (len(page.main) <= 1 and (ruled >= 12 or field))


def content_bottom(page: Page) -> float:
    """The lowest thing in the page's text area (not the footnotes, heads or folio)."""
    top, bottom = page.area[1], page.notes_top or page.area[3]
    found = [ln.bottom for ln in page.main]
    for _, y0, _, y1 in page.text.shapes:
        if y0 >= top - 2 and y0 < bottom - 1:
            found.append(min(y1, bottom))
    found += [f.box[3] for f in page.text.frames if f.box[1] < bottom]
    found += [i.rect[3] for i in page.facts.images if i.rect[1] < bottom]
    return max(found, default=top)


def _result(name, ok, measured, rule, pages=(), areas=(), figures=()) -> CheckResult:
    return CheckResult(
        name, "pass" if ok else "warn", measured, rule, tuple(pages), tuple(areas), tuple(figures)
    )


def check_fullness(pages: list[Page], limit: float) -> CheckResult:
    """No page but a chapter's last leaves more than *limit* % of its type area empty."""
    bad, areas, figures = [], [], []
    for page in pages:
        if page.exempt:
            continue
        top, bottom = page.area[1], page.notes_top or page.area[3]
        lowest = content_bottom(page)
        empty = max(0.0, bottom - lowest) / (page.area[3] - top) * 100
        figures.append((page.number, f"{empty:.0f} % empty"))
        if empty > limit:
            bad.append((page.number, empty))
            areas.append((page.number, page.area[0], lowest, page.area[2], bottom))
    worst = ", ".join(f"p. {n} {e:.0f} %" for n, e in sorted(bad, key=lambda b: -b[1])[:5])
    return _result(
        "page-fullness",
        not bad,
        f"{len(bad)} pages more than {limit:g} % empty: {worst}"
        if bad
        else f"every page but a chapter's last at most {limit:g} % empty",
        f"a page leaves at most {limit:g} % of its type area empty (preflight.page_max_empty); "
        "only a chapter's last page may be short",
        [n for n, _ in bad],
        areas,
        figures,
    )


def check_footnotes(pages: list[Page], first_chapter: int = 1) -> CheckResult:
    """Every footnote is printed on the page of its call (from the first chapter on)."""
    problems, numbers, areas, figures = [], [], [], []
    total = 0
    for page in pages:
        if page.facts.number < first_chapter:
            continue
        calls = {
            int(c.text.strip()): (ln, c)
            for ln in page.main
            for c in ln.calls
            if ln.family == "Charis" and c.font.startswith("Inter") and ln.baseline - c.baseline > 1
        }
        notes = {}
        for line in page.notes:
            if _is_note_start(line):
                first = min(line.runs, key=lambda r: r.x0)
                notes[int(_MARKER_RE.match(first.text.strip())[1])] = line  # type: ignore[index]
        total += len(calls)
        if calls or notes:
            figures.append((page.number, f"{len(calls)} calls, {len(notes)} notes"))
        for number in sorted(set(calls) ^ set(notes)):
            if number in calls:
                line, call = calls[number]
                problems.append(f"p. {page.number}: note {number} is not on its call's page")
                areas.append(
                    (page.number, call.x0 - 1, call.baseline - 7, call.x1 + 1, call.baseline)
                )
            else:
                line = notes[number]
                problems.append(f"p. {page.number}: note {number} without its call")
                areas.append((page.number, line.x0, line.top, line.x1, line.bottom))
            numbers.append(page.number)
    return _result(
        "footnote-pages",
        not problems,
        "; ".join(problems[:3]) if problems else f"{total} footnotes, each on its call's page",
        "a footnote is printed at the foot of the page that calls it",
        sorted(set(numbers)),
        areas,
        figures,
    )


def _right(page: Page) -> float:
    return page.area[2]


def check_hyphen_share(pages: list[Page], limit: float) -> CheckResult:
    """At most *limit* % of the body lines end in a hyphen; none in sans-serif type."""
    lines = hyphenated = 0
    sans: list[str] = []
    pages_bad, areas, figures = [], [], []
    for page in pages:
        body = page.body()
        broken = [ln for ln in body if ln.hyphenated]
        lines += len(body)
        hyphenated += len(broken)
        if body:
            figures.append((page.number, f"{len(broken)}/{len(body)} lines hyphenated"))
        for line in page.main:
            if line.hyphenated and line.family != "Charis":
                sans.append(f"p. {page.number} '{line.text[-20:]}'")
                pages_bad.append(page.number)
                areas.append((page.number, line.x0, line.top, line.x1, line.bottom))
    share = hyphenated / lines * 100 if lines else 0.0
    ok = share <= limit and not sans
    measured = f"{share:.1f} % of {lines} body lines end in a hyphen"
    if sans:
        measured += f"; {len(sans)} hyphens in headings, captions, tables or labels: " + ", ".join(
            sans[:3]
        )
    return _result(
        "hyphen-share",
        ok,
        measured,
        f"at most {limit:g} % of the body lines hyphenated (preflight.hyphen_max_share); "
        "no hyphenation in sans-serif type (headings, captions, tables, labels)",
        sorted(set(pages_bad)),
        areas,
        figures,
    )


def check_hyphen_runs(pages: list[Page], limit: int) -> CheckResult:
    """At most *limit* hyphenated lines in a row."""
    runs: list[tuple[int, list[Line]]] = []
    current: list[Line] = []
    start = 0
    longest = 0
    for page in pages:
        for line in page.body():
            if line.hyphenated:
                if not current:
                    start = page.number
                current.append(line)
                longest = max(longest, len(current))
            else:
                if len(current) > limit:
                    runs.append((start, current))
                current = []
    areas = [
        (number, ln.x0, ln.top, ln.x1, ln.bottom) for number, run in runs for ln in run if number
    ]
    figures = [(number, f"{len(run)} hyphens in a row") for number, run in runs]
    return _result(
        "hyphen-runs",
        not runs,
        f"{len(runs)} runs of more than {limit} hyphenated lines, on pages "
        + ", ".join(str(n) for n, _ in runs[:8])
        if runs
        else f"at most {longest} hyphenated lines in a row",
        f"at most {limit} hyphenated lines in a row (preflight.hyphen_max_run)",
        sorted({n for n, _ in runs}),
        areas,
        figures,
    )


def check_page_turn_hyphens(pages: list[Page]) -> CheckResult:
    """No page's last line of text ends in a hyphen."""
    bad = []
    for page in pages:
        if page.main and page.main[-1].hyphenated:
            bad.append((page.number, page.main[-1]))
    return _result(
        "hyphen-page-turns",
        not bad,
        f"{len(bad)} pages end in a hyphen: "
        + ", ".join(f"p. {n} '{ln.text[-16:]}'" for n, ln in bad[:4])
        if bad
        else "no page ends in a hyphenated word",
        "a word is never broken across pages",
        [n for n, _ in bad],
        [(n, ln.x0, ln.top, ln.x1, ln.bottom) for n, ln in bad],
        [(n, "ends in a hyphen") for n, _ in bad],
    )


def check_fragments(pages: list[Page]) -> CheckResult:
    """No paragraph ends on a line holding only the end of a broken word."""
    bad: list[tuple[int, Line]] = []
    for page in pages:
        lines = page.main
        for before, line in pairwise(lines):
            single = len(line.text.split()) < 2
            short = line.x1 < _right(page) - 20
            if before.hyphenated and single and short and line.baseline - before.baseline < 20:
                bad.append((page.number, line))
    return _result(
        "hyphen-fragments",
        not bad,
        f"{len(bad)} paragraphs end on a word fragment: "
        + ", ".join(f"p. {n} '{ln.text}'" for n, ln in bad[:4])
        if bad
        else "no paragraph ends on a word fragment",
        "the last line of a paragraph holds more than the end of a broken word",
        sorted({n for n, _ in bad}),
        [(n, ln.x0, ln.top, ln.x1, ln.bottom) for n, ln in bad],
        [(n, f"fragment '{ln.text}'") for n, ln in bad],
    )


def _starts_paragraph(page: Page, index: int) -> bool:
    lines = page.main
    line = lines[index]
    if index == 0:
        return False
    before = lines[index - 1]
    # An indented first line follows the short last line of the paragraph before
    # (a hanging indent's lines follow full ones).
    return (
        not is_body(before)
        or line.baseline - before.baseline > 1.5 * LEADING
        or before.x1 < _right(page) - FULL
    )


def _in_list(page: Page, line: Line) -> bool:
    return line.x0 >= page.area[0] + 10 and not page.in_frame(line)


def _marker(line: Line) -> bool:
    first = min(line.runs, key=lambda r: r.x0)
    return bool(_LIST_MARKER_RE.match(first.text.strip())) and len(line.runs) > 1


def check_widows_orphans(pages: list[Page], first_chapter: int = 1) -> CheckResult:
    """No single line of a paragraph and no single list item alone at a page's top or foot."""
    problems: list[tuple[int, str, Line]] = []
    for index, page in enumerate(pages[:-1]):
        after = pages[index + 1]
        if not page.main or not after.main or page.number < first_chapter:
            continue
        last, first = page.main[-1], after.main[0]
        continues = (
            is_body(last)
            and is_body(first)
            and last.x0 < page.area[0] + 13  # a hanging indent's line or a list item: below
            and first.x0 < after.area[0] + 13
            and last.x1 >= _right(page) - FULL
            and first.x0 < after.area[0] + INDENT
        )
        # A paragraph's first line alone at the foot, or its last line alone at the top.
        if continues and not page.in_frame(last) and _starts_paragraph(page, len(page.main) - 1):
            problems.append((page.number, "orphan", last))
        if continues and not after.in_frame(first):
            following = after.main[1] if len(after.main) > 1 else None
            ends = first.x1 < _right(after) - FULL or following is None
            if ends and (following is None or _starts_paragraph(after, 1)):
                problems.append((after.number, "widow", first))
        # A list's first item alone at the foot, or its last item alone at the top.
        foot = _list_tail(page)
        head = _list_head(after)
        if foot and head:
            items_foot = [ln for ln in foot if _marker(ln)]
            items_head = [ln for ln in head if _marker(ln)]
            before = (
                page.main[len(page.main) - len(foot) - 1] if len(foot) < len(page.main) else None
            )
            if len(items_foot) == 1 and (before is None or not _in_list(page, before)):
                problems.append((page.number, "list item alone at the foot", foot[0]))
            rest = after.main[len(head)] if len(head) < len(after.main) else None
            if len(items_head) <= 1 and (rest is None or not _in_list(after, rest)):
                problems.append((after.number, "list item alone at the top", head[0]))
    figures = [(n, kind) for n, kind, _ in problems]
    return _result(
        "widows-orphans",
        not problems,
        f"{len(problems)}: " + ", ".join(f"p. {n} {kind}" for n, kind, _ in problems[:4])
        if problems
        else "no widows or orphans, no list item alone at a page's top or foot",
        "a paragraph leaves at least two lines at a page's foot and top; a list at least two items",
        sorted({n for n, _, _ in problems}),
        [(n, ln.x0, ln.top, ln.x1, ln.bottom) for n, _, ln in problems],
        figures,
    )


def _list_tail(page: Page) -> list[Line]:
    tail: list[Line] = []
    for line in reversed(page.main):
        if not _in_list(page, line) and not _marker(line):
            break
        tail.insert(0, line)
    return tail


def _list_head(page: Page) -> list[Line]:
    head: list[Line] = []
    for line in page.main:
        if not _in_list(page, line) and not _marker(line):
            break
        head.append(line)
    return head


def check_exercise_space(pages: list[Page], limit_mm: float) -> CheckResult:
    """No exercise box leaves more than *limit_mm* of empty height inside it."""
    bad, areas, figures = [], [], []
    limit = limit_mm * MM
    for page in pages:
        width = page.area[2] - page.area[0]
        worst = 0.0
        for frame in page.text.frames:
            x0, y0, x1, y1 = frame.box
            if x1 - x0 < 0.8 * width or y1 - y0 < 20 * MM:
                continue
            inner_top = y0 + frame.border + FRAME_PADDING[0]
            inner_bottom = y1 - frame.border - FRAME_PADDING[1]
            spans = sorted(
                [(ln.top, ln.bottom) for ln in page.main if y0 < ln.baseline < y1]
                + [
                    (s[1], s[3])
                    for s in page.text.shapes
                    if s[1] >= y0 + frame.border - 0.5
                    and s[3] <= y1 - frame.border + 0.5
                    and s[0] >= x0 - 0.5
                    and s[2] <= x1 + 0.5
                ]
                + [(i.rect[1], i.rect[3]) for i in page.facts.images if y0 < i.rect[1] < y1]
            )
            reach = inner_top
            gaps: list[tuple[float, float]] = []
            for top, bottom in spans:
                if top > reach:
                    gaps.append((reach, top))
                reach = max(reach, bottom)
            if inner_bottom > reach:
                gaps.append((reach, inner_bottom))
            for top, bottom in gaps:
                worst = max(worst, bottom - top)
                if bottom - top > limit:
                    bad.append((page.number, (bottom - top) / MM))
                    areas.append((page.number, x0, top, x1, bottom))
        if worst:
            figures.append((page.number, f"{worst / MM:.0f} mm largest gap in an exercise"))
    return _result(
        "exercise-space",
        not bad,
        f"{len(bad)} gaps: " + ", ".join(f"p. {n} {g:.0f} mm" for n, g in bad[:4])
        if bad
        else f"no exercise box leaves more than {limit_mm:g} mm empty",
        f"an exercise box leaves at most {limit_mm:g} mm of empty height "
        "(preflight.exercise_max_gap): it breaks between components, and closes after its last",
        sorted({n for n, _ in bad}),
        areas,
        figures,
    )


def check_word_spacing(pages: list[Page], limit: float, least: float = 0.0) -> CheckResult:
    """The word spaces of justified body lines are at most *limit* and at least *least*
    times the normal space."""
    bad, areas, figures = [], [], []
    widest, narrowest = 1.0, 1.0
    for page in pages:
        most, fewest = 1.0, 1.0
        for line in page.body():
            if line.x1 < _right(page) - FULL or not line.spaces:
                continue
            high, low = max(line.spaces), min(line.spaces)
            most, fewest = max(most, high), min(fewest, low)
            if high > limit + 0.005 or low < least - 0.005:
                bad.append((page.number, high if high > limit + 0.005 else low))
                areas.append((page.number, line.x0, line.top, line.x1, line.bottom))
        widest, narrowest = max(widest, most), min(narrowest, fewest)
        if page.body():
            figures.append((page.number, f"word spaces {fewest:.2f}-{most:.2f}x"))
    return _result(
        "word-spacing",
        not bad,
        f"{len(bad)} lines with word spaces outside {least:g}-{limit:g}x: "
        + ", ".join(f"p. {n} {r:.2f}x" for n, r in bad[:4])
        if bad
        else f"justified word spaces {narrowest:.2f}-{widest:.2f}x the normal space",
        f"a justified line's word spaces are {least:g} to {limit:g} times the normal space "
        "(preflight.word_space_min, preflight.word_space_max)",
        sorted({n for n, _ in bad}),
        areas,
        figures,
    )


def check_line_ends(pages: list[Page]) -> CheckResult:
    """Every full justified body line ends at the measure, within :data:`EDGE`, and no
    body line ends past it.

    A line whose word spaces are, font by font, the book's most common ones (not
    stretched or shrunk) is set ragged, is a paragraph's last, or fits its measure
    exactly: only its overflow is judged."""
    counts: dict[str, Counter[float]] = {}
    for page in pages:
        for line in page.body():
            for run in line.runs:
                counts.setdefault(run.font, Counter()).update(round(s, 3) for s in run.spaces)
    natural = {font: found.most_common(1)[0][0] for font, found in counts.items() if found}

    def justified(line: Line) -> bool:
        return any(
            r.spaces and max(abs(s - natural[r.font]) for s in r.spaces) > 0.01 for r in line.runs
        )

    bad, areas = [], []
    for page in pages:
        right = _right(page)
        for line in page.body():
            over = line.x1 - right > EDGE
            if over or (justified(line) and right - FULL <= line.x1 and right - line.x1 > EDGE):
                bad.append((page.number, line.x1 - right))
                areas.append((page.number, line.x0, line.top, line.x1, line.bottom))
    return _result(
        "line-ends",
        not bad,
        f"{len(bad)} justified lines end off the measure: "
        + ", ".join(f"p. {n} {d:+.2f} pt" for n, d in bad[:4])
        if bad
        else f"every full justified line ends within {EDGE:g} pt of the measure",
        "a justified line ends at the right edge of the type area, so the column's edge "
        "is straight",
        sorted({n for n, _ in bad}),
        areas,
        [],
    )


def check_makeup(
    facts: PdfFacts, texts: list[PageText], fmt: PageFormat, limits: Limits
) -> list[CheckResult]:
    """Every page make-up check on one edition."""
    pages = pages_of(facts, texts, fmt)
    first_chapter = min((p for p, _ in facts.chapter_pages), default=1)
    return [
        check_fullness(pages, limits.page_max_empty),
        check_footnotes(pages, first_chapter),
        check_hyphen_share(pages, limits.hyphen_max_share),
        check_hyphen_runs(pages, limits.hyphen_max_run),
        check_page_turn_hyphens(pages),
        check_fragments(pages),
        check_widows_orphans(pages, first_chapter),
        check_exercise_space(pages, limits.exercise_max_gap),
        check_word_spacing(pages, limits.word_space_max, limits.word_space_min),
        check_line_ends(pages),
    ]
