"""Checks of references and structure: contents, "s. N", bookmarks, headings, tables,
and the two editions against each other."""

from __future__ import annotations

import re
from collections import Counter

from workbook.preflight.checks import CheckResult
from workbook.preflight.facts import PdfFacts, normalise
from workbook.preflight.layout import result, trailing_blanks
from workbook.preflight.pdfcontent import painted

_TOC_LINE_RE = re.compile(r"^(.*?)[\s.]*?(\d+)$")
_PAGEREF_RE = re.compile(r"s\.\s*(\d+)")
CONTENTS_TITLE = "Sisällys"


def contents_lines(facts: PdfFacts) -> list[tuple[str, int]]:
    """(title, page number) pairs read from the contents pages' words, line by line."""
    start = next((e.page for e in facts.outline if e.title == CONTENTS_TITLE), None)
    chapters = [p for p, _ in facts.chapter_pages]
    if start is None or not chapters:
        return []
    pairs: list[tuple[str, int]] = []
    pending = ""
    for index in range(start - 1, min(chapters) - 1):
        for words in text_lines(facts.pages[index]):
            line = normalise(" ".join(w.text for w in words))
            if not line or line == CONTENTS_TITLE or (line.isdigit() and not pending):
                continue  # the heading, a blank line, or the folio
            match = _TOC_LINE_RE.match(line.replace(" .", "").rstrip(" ."))
            if match and match[2]:
                pairs.append(((pending + " " + match[1]).strip(" ."), int(match[2])))
                pending = ""
            else:
                pending = (pending + " " + line).strip()
    return pairs


def check_contents(facts: PdfFacts) -> CheckResult:
    """Each contents line's number is the page its bookmark leads to."""
    pairs = contents_lines(facts)
    entries = [e for e in facts.outline if e.title != CONTENTS_TITLE]
    wrong = []
    position = 0
    for title, shown in pairs:
        match = next(
            (i for i in range(position, len(entries)) if entries[i].title.endswith(title)), None
        )
        if match is None:
            wrong.append(f"'{title}' has no bookmark")
            continue
        position = match + 1
        if entries[match].page != shown:
            wrong.append(f"{title}: shown {shown}, real {entries[match].page}")
    return result(
        "contents-pages",
        bool(pairs) and not wrong,
        "; ".join(wrong[:3])
        if wrong
        else f"{len(pairs)} lines match their pages"
        if pairs
        else "no contents found",
        "contents page numbers equal the pages of their headings",
    )


def check_page_references(screen: PdfFacts) -> CheckResult:
    """Every "s. N" link shows the page its target is on (read from the link's area)."""
    checked = 0
    wrong = []
    pages = []
    areas = []
    for link in screen.links:
        page = screen.pages[link.page - 1]
        x0, y0, x1, y1 = link.rect
        # The words the link's area touches, and the one right after it: the
        # number may carry a closing bracket or stop outside the area.
        # A word is on the link's line when its middle is: the line above may
        # reach into the link's area by its descenders.
        line = sorted(
            (w for w in page.words if y0 < (w.rect[1] + w.rect[3]) / 2 < y1 and w.rect[2] > x0),
            key=lambda w: w.rect[0],
        )
        inside = [w.text for w in line if x0 - 1 <= w.rect[0] < x1]
        inside += [w.text for w in line if w.rect[0] >= x1][:1]
        match = _PAGEREF_RE.match(" ".join(inside))
        if not match:
            continue
        checked += 1
        if int(match[1]) != link.dest_page:
            wrong.append(f"p. {link.page}: shows s. {match[1]}, target on p. {link.dest_page}")
            pages.append(link.page)
            areas.append((link.page, *link.rect))
    return result(
        "page-references",
        not wrong,
        "; ".join(wrong[:3]) or f"{checked} page references show their target's page",
        '"s. N" references show the real page of their target',
        pages,
        areas,
    )


def check_outline(facts: PdfFacts) -> CheckResult:
    """A bookmark for every H1 heading, in order, each leading to a page."""
    headings = [tag for tag, _ in _structure_of(facts.data) if tag == "/H1"]
    top = [e for e in facts.outline if e.level == 1]
    broken = [e.title for e in facts.outline if e.page is None]
    ok = len(top) == len(headings) and not broken and bool(top)
    return result(
        "outline",
        ok,
        f"{len(top)} top-level bookmarks for {len(headings)} H1 headings"
        + (f"; without target: {', '.join(broken[:3])}" if broken else ""),
        "every chapter heading (H1) has a bookmark that leads to its page",
    )


def check_structure(facts: PdfFacts) -> list[CheckResult]:
    """Headings start at H1 and skip no level; every table has header cells."""
    elements = _structure_of(facts.data)
    levels = [int(tag[2]) for tag, _ in elements if re.fullmatch(r"/H[1-6]", tag)]
    skips = [
        f"H{a} followed by H{b}" for a, b in zip([0, *levels], levels, strict=False) if b > a + 1
    ]
    tables = [kids for tag, kids in elements if tag == "/Table"]
    no_th = sum(1 for kids in tables if "/TH" not in kids)
    return [
        result(
            "heading-levels",
            bool(levels) and not skips,
            "; ".join(skips[:3]) or f"{len(levels)} headings, from H1 down, none skipped",
            "headings start at H1 and go down one level at a time",
        ),
        result(
            "table-headers",
            not no_th,
            f"{no_th} of {len(tables)} tables without header cells"
            if no_th
            else f"{len(tables)} tables, all with header cells",
            "every table has TH header cells",
        ),
    ]


def _structure_of(data: bytes) -> tuple[tuple[str, frozenset[str]], ...]:
    """(tag, tags of all descendants) of every structure element of the PDF *data*, in
    reading order (the tree is walked once for all the checks that read it)."""
    return painted(data).structure.elements


def check_file_size(facts: PdfFacts, limit_mb: float) -> CheckResult:
    """The e-version stays small enough to download and open quickly."""
    size = len(facts.data) / 1024 / 1024
    return result(
        "file-size",
        size <= limit_mb,
        f"{size:.1f} MB",
        f"at most {limit_mb:g} MB (preflight.screen_max_size)",
        warn=True,
    )


def check_same_pages(press: PdfFacts, screen: PdfFacts) -> CheckResult:
    """Both editions have the same pages, the press padding aside."""
    padding = trailing_blanks(press)
    content = len(press.pages) - padding
    ok = len(screen.pages) == content or (
        len(screen.pages) <= len(press.pages) and len(screen.pages) >= content
    )
    return result(
        "same-pages",
        ok,
        f"press {len(press.pages)} pages ({padding} blank at the end), e-version "
        f"{len(screen.pages)}",
        "the e-version has the press edition's pages, without the padding",
    )


def text_lines(page) -> list[list]:
    """The page's words grouped into lines (by overlapping height, so a footnote
    call or superscript stays on its line), each line left to right, top to bottom."""
    lines: list[list] = []
    top = bottom = 0.0  # the extent of the last line so far
    for word in sorted(page.words, key=lambda w: (w.rect[1] + w.rect[3]) / 2):
        _, word_top, _, word_bottom = word.rect
        if lines:
            overlap = min(bottom, word_bottom) - max(top, word_top)
            if overlap >= 0.5 * min(bottom - top, word_bottom - word_top):
                lines[-1].append(word)
                top, bottom = min(top, word_top), max(bottom, word_bottom)
                continue
        lines.append([word])
        top, bottom = word_top, word_bottom
    return [sorted(line, key=lambda w: w.rect[0]) for line in lines]


def printed_letters(page) -> Counter[str]:
    """The characters the page prints, in any order, spaces removed.

    Tagging splits text runs differently in the two editions, so a text
    extractor joins, splits and orders words differently; counting the
    characters compares what is printed. Hyphens of line breaks are dropped
    too: the e-version has a broken word read whole where its first part is
    printed (:mod:`workbook.finish.words`).
    """
    text = "".join(w.text for w in page.words)
    return Counter(text.replace("\u00ad", "").replace("\u2010", ""))


def check_same_text(press: PdfFacts, screen: PdfFacts) -> CheckResult:
    """Page by page, both editions print the same words (front matter aside).

    The e-version reads a word broken at a line end whole where its first part
    is printed, so a page whose characters are the same in another order
    (the end of a word in a table cell moved past the next cell) passes, and
    so does a page that has the end of a word the press edition prints on the
    next page, if that page has it not.
    """
    first = min((start for start, _ in press.chapter_pages), default=1)
    pairs = [
        (a.number, printed_letters(a), printed_letters(b))
        for a, b in zip(press.pages, screen.pages, strict=False)
        if a.number >= first
    ]
    differing = []
    carried: Counter[str] = Counter()  # letters the e-version read on the page before
    carried_from = 0
    for number, ours, theirs in pairs:
        if ours == theirs and not carried:
            continue
        expected = ours.copy()
        if carried:
            if carried <= expected:
                expected -= carried
            else:
                differing.append(carried_from)
            carried = Counter()
        found = theirs
        if expected - found:
            differing.append(number)
        else:
            carried, carried_from = found - expected, number
    if carried:
        differing.append(carried_from)
    differing = sorted(set(differing))
    compared = min(len(press.pages), len(screen.pages)) - first + 1
    return result(
        "same-text",
        not differing,
        f"text differs on pages {differing[:10]}"
        if differing
        else f"{compared} pages from p. {first} on print the same words",
        "the editions never drift apart: same words on the same pages "
        "(front matter differs by design: ISBN, printer)",
        differing,
    )
