"""Page-layout checks for both editions, measured from words and images on the page.

The configured page (trim, margins) says where the type area is; everything
else comes from the PDF: chapter openers from the top-level bookmarks, blank
pages from what is painted, running heads and folios from the words in the
margins above and below the type area.
"""

from __future__ import annotations

import re
from collections import Counter

from workbook.config.publication import PageFormat
from workbook.finish.press import PT_PER_MM
from workbook.preflight.checks import CheckResult
from workbook.preflight.facts import PageFacts, PdfFacts, Rect

MM = 72 / 25.4
SLACK = 1.0  # pt: rounding of glyph boxes
_FOLIO_RE = re.compile(r"^\d+$")
_MARKER_RE = re.compile(r"^(\d{1,3}[.)]|[•–—-])$")
MARKER_ROOM = 12 * 72 / 25.4  # how far a list marker may hang into the inner margin


def result(name, ok, measured, rule, pages=(), areas=(), warn=False, details=()) -> CheckResult:
    """A check result; *warn* turns a failure into a warning; *details*: one line
    per problem."""
    status = "pass" if ok else ("warn" if warn else "fail")
    return CheckResult(
        name, status, measured, rule, tuple(pages), tuple(areas), details=tuple(details)
    )


def trim_of(page: PageFacts) -> Rect:
    """The trim box from the top-left (the MediaBox when there is no TrimBox)."""
    if page.trim is not None:
        return page.trim
    width, height = page.size
    return (0.0, 0.0, width, height)


def type_area(page: PageFacts, fmt: PageFormat) -> Rect:
    """The text block of *page*: trim minus the margins (inner margin on the binding side)."""
    x0, y0, x1, y1 = trim_of(page)
    m = fmt.margins
    left, right = (m.inner, m.outer) if page.recto else (m.outer, m.inner)
    return (x0 + left * MM, y0 + m.top * MM, x1 - right * MM, y1 - m.bottom * MM)


def head_words(page: PageFacts, fmt: PageFormat) -> list:
    """Words above the type area (the running head)."""
    top = type_area(page, fmt)[1]
    return [w for w in page.words if w.rect[3] <= top + SLACK]


def foot_words(page: PageFacts, fmt: PageFormat) -> list:
    """Words below the type area (the folio)."""
    bottom = type_area(page, fmt)[3]
    return [w for w in page.words if w.rect[1] >= bottom - SLACK]


def chapters(facts: PdfFacts) -> list[tuple[int, int, str]]:
    """(first page, last page, title) of each chapter, from the top-level bookmarks."""
    openers = sorted(facts.chapter_pages)
    if not openers:
        return []
    ends = [start - 1 for start, _ in openers[1:]] + [len(facts.pages)]
    return [(start, end, title) for (start, title), end in zip(openers, ends, strict=True)]


def trailing_blanks(facts: PdfFacts) -> int:
    """How many blank pages end the file (padding to the binding's multiple)."""
    count = 0
    for page in reversed(facts.pages):
        if not page.blank:
            break
        count += 1
    return count


def empty_of_content(page: PageFacts, fmt: PageFormat) -> bool:
    """No words in the type area and no images: at most a running head and a folio."""
    top, bottom = type_area(page, fmt)[1], type_area(page, fmt)[3]
    body = [w for w in page.words if w.rect[3] > top + SLACK and w.rect[1] < bottom - SLACK]
    return not body and not page.images


def check_blank_pages(facts: PdfFacts, fmt: PageFormat, allow_padding: bool) -> CheckResult:
    """Empty pages only before a chapter opener (a verso) or as padding at the end,
    and those carry no running head or folio either."""
    openers = {start for start, _ in facts.chapter_pages}
    padding = trailing_blanks(facts) if allow_padding else 0
    last_content = len(facts.pages) - padding
    problems = []
    pages = []
    for page in facts.pages:
        if not empty_of_content(page, fmt):
            continue
        intended = (page.number + 1 in openers and not page.recto) or page.number > last_content
        if page.number < min(openers, default=1):
            continue  # front matter: a title page verso may be empty
        if not intended:
            problems.append(f"p. {page.number} is empty")
            pages.append(page.number)
        elif not page.blank:
            problems.append(f"p. {page.number} is an intended blank but carries a head or folio")
            pages.append(page.number)
    blanks = sum(1 for p in facts.pages if p.blank)
    return result(
        "blank-pages",
        not problems,
        "; ".join(problems[:3])
        if problems
        else f"{blanks} blank pages, all before a chapter opener or padding",
        "an empty page is a verso before a chapter opener, or padding at the end, "
        "and shows nothing at all",
        pages,
    )


def check_chapter_openers(facts: PdfFacts) -> CheckResult:
    """Every chapter opens on a right-hand (odd) page."""
    bad = [(start, title) for start, title in facts.chapter_pages if start % 2 == 0]
    return result(
        "chapter-openers",
        bool(facts.chapter_pages) and not bad,
        "; ".join(f"{t} on p. {p}" for p, t in bad[:5])
        if bad
        else f"{len(facts.chapter_pages)} chapters, all on right-hand pages"
        if facts.chapter_pages
        else "no chapter bookmarks",
        "chapters open on a right-hand page (odd number)",
        [p for p, _ in bad],
    )


def check_running_heads(facts: PdfFacts, fmt: PageFormat) -> CheckResult:
    """Within a chapter every page after the opener has the same head, another chapter's
    head is different, and openers and blank pages have none."""
    problems: list[str] = []
    pages: list[int] = []
    areas = []
    previous = None
    for start, end, title in chapters(facts):
        heads = {}
        for number in range(start, end + 1):
            page = facts.pages[number - 1]
            words = head_words(page, fmt)
            text = " ".join(w.text for w in words)
            if number == start or page.blank:
                if text:
                    problems.append(f"p. {number}: head '{text}' on an opener or blank page")
                    pages.append(number)
                    areas.extend(_areas(number, words))
                continue
            if page.words:  # a full-page picture has no head, by design
                heads[number] = (text, words)
        if not heads:
            continue
        usual, _ = Counter(t for t, _ in heads.values()).most_common(1)[0]
        if not usual:
            problems.append(f"{title}: pages without a running head")
        elif usual == previous:
            problems.append(f"{title}: still the previous chapter's head '{usual}'")
            pages.append(min(heads))
        previous = usual
        for number, (text, words) in heads.items():
            if text != usual:
                problems.append(f"p. {number}: '{text}' where the chapter has '{usual}'")
                pages.append(number)
                areas.extend(_areas(number, words))
    return result(
        "running-heads",
        not problems,
        "; ".join(problems[:3]) or "one head per chapter, none on openers",
        "running heads name the chapter; openers and blank pages have none",
        sorted(set(pages)),
        areas,
    )


def check_folios(facts: PdfFacts, fmt: PageFormat) -> CheckResult:
    """Folios are the page numbers, continuous, on every chapter page with text."""
    first_chapter = min((start for start, _ in facts.chapter_pages), default=1)
    problems = []
    pages = []
    areas = []
    for page in facts.pages:
        numbers = [w for w in foot_words(page, fmt) if _FOLIO_RE.match(w.text)]
        if numbers and any(int(w.text) != page.number for w in numbers):
            shown = ", ".join(w.text for w in numbers)
            problems.append(f"p. {page.number} shows {shown}")
            pages.append(page.number)
            areas.extend(_areas(page.number, numbers))
        elif not numbers and page.number >= first_chapter and page.words:
            problems.append(f"p. {page.number} has no folio")
            pages.append(page.number)
    return result(
        "folios",
        not problems,
        "; ".join(problems[:3]) or "every text page from the first chapter on has its number",
        "folios equal the page number; every chapter page with text has one",
        pages,
        areas,
    )


def check_type_area(facts: PdfFacts, fmt: PageFormat, safety_mm: float) -> list[CheckResult]:
    """No text outside the type area (but heads and folios), none within the safety margin."""
    outside, near = [], []
    out_pages, near_pages = set(), set()
    out_areas, near_areas = [], []
    safety = safety_mm * MM
    for page in facts.pages:
        area = type_area(page, fmt)
        trim = trim_of(page)
        for word in page.words:
            x0, y0, x1, y1 = word.rect
            in_margin = y1 <= area[1] + SLACK or y0 >= area[3] - SLACK  # head or folio
            # A list number or bullet hangs in the margin by design ("10." before its item).
            marker = _MARKER_RE.match(word.text) and x0 >= area[0] - MARKER_ROOM
            if not in_margin and not marker and (x0 < area[0] - SLACK or x1 > area[2] + SLACK):
                outside.append(f"p. {page.number}: '{word.text}'")
                out_pages.add(page.number)
                out_areas.append((page.number, *word.rect))
            if (
                x0 < trim[0] + safety
                or y0 < trim[1] + safety
                or x1 > trim[2] - safety
                or y1 > trim[3] - safety
            ):
                near.append(f"p. {page.number}: '{word.text}'")
                near_pages.add(page.number)
                near_areas.append((page.number, *word.rect))
    return [
        result(
            "type-area",
            not outside,
            f"{len(outside)} words outside: " + "; ".join(outside[:3])
            if outside
            else "all text inside the type area (heads and folios in the margins)",
            "text stays in the type area: a wide table or a long word overflows it",
            sorted(out_pages),
            out_areas[:200],
        ),
        result(
            "safety-margin",
            not near,
            f"{len(near)} words too near the trim: " + "; ".join(near[:3])
            if near
            else f"no text within {safety_mm:g} mm of the trim",
            f"no text within {safety_mm:g} mm of the trim (it may be cut off)",
            sorted(near_pages),
            near_areas[:200],
        ),
    ]


def check_image_bleed(facts: PdfFacts) -> CheckResult:
    """No image beyond the bleed; an image that reaches the trim goes on to the bleed edge."""
    problems = []
    pages = []
    areas = []
    for page in facts.pages:
        trim = trim_of(page)
        bleed = page.bleed or trim
        for image in page.images:
            x0, y0, x1, y1 = image.rect
            beyond = (
                x0 < bleed[0] - SLACK
                or y0 < bleed[1] - SLACK
                or x1 > bleed[2] + SLACK
                or y1 > bleed[3] + SLACK
            )
            # Touching the trim edge but stopping short of the bleed edge shows a white
            # sliver when the cut wanders.
            short = any(
                abs(edge - cut) <= SLACK and abs(edge - out) > SLACK
                for edge, cut, out in (
                    (x0, trim[0], bleed[0]),
                    (y0, trim[1], bleed[1]),
                    (x1, trim[2], bleed[2]),
                    (y1, trim[3], bleed[3]),
                )
            )
            if beyond or short:
                problems.append(
                    f"p. {page.number}: image "
                    + ("beyond the bleed" if beyond else "stops at the trim")
                )
                pages.append(page.number)
                areas.append((page.number, *image.rect))
    count = sum(len(p.images) for p in facts.pages)
    return result(
        "image-bleed",
        not problems,
        "; ".join(problems[:3]) or f"{count} images inside the bleed, bleeding ones reach it",
        "images stay inside the BleedBox; an image at the trim edge extends to the bleed",
        pages,
        areas,
    )


def _areas(number: int, words) -> list[tuple[int, float, float, float, float]]:
    return [(number, *w.rect) for w in words]


def check_page_size(facts: PdfFacts, fmt: PageFormat) -> CheckResult:
    """Every page is the format's trim size (an edition without bleed), and none is empty."""
    width, height = (v * PT_PER_MM for v in fmt.trim)
    wrong = [
        p.number
        for p in facts.pages
        if abs(p.size[0] - width) > 0.5 or abs(p.size[1] - height) > 0.5
    ]
    empty = [p.number for p in facts.pages if not p.words]
    problems = []
    if wrong:
        problems.append(f"pages not {fmt.trim[0]:g} x {fmt.trim[1]:g} mm: {wrong[:5]}")
    if empty:
        problems.append(f"pages without text: {empty[:5]}")
    return result(
        "page-size",
        not problems,
        "; ".join(problems)
        or f"{len(facts.pages)} pages, all {fmt.trim[0]:g} x {fmt.trim[1]:g} mm with text",
        "every page has the edition's size and something on it",
        sorted(set(wrong + empty)),
    )
