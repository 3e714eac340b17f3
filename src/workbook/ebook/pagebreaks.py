"""Page-break markers where the printed pages begin, and the page list they make.

The render recorded for every printed page the section it starts in, the
element it begins with (when it begins one that has an id) and how many
characters of the section come before it
(:mod:`workbook.render.pagestarts`). Here the same section of the e-book is
walked with the same rules (footnotes, form controls and generated text left
out; spaces, soft hyphens and hyphens not counted) and a marker is put there::

    <span class="pagebreak" epub:type="pagebreak" role="doc-pagebreak"
          id="sivu-14" aria-label="14"/>

Front matter whose text the e-book sets differently (the title page, the
colophon, the contents) gets its markers at the start of its document. A page
with nothing on it (a blank verso, padding at the end of the press edition)
gets its marker at the end of the section before it. Each placed marker is
checked against the first characters the page printed; :func:`place_markers`
returns the pages whose text differs (none on a book the render and the e-book
read alike).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from workbook.render.pagestarts import countable

MARKER_CLASS = "pagebreak"
_FORM_TAGS = {"input", "textarea", "select", "button", "option"}
# Elements a marker may not stand in directly: it goes inside the first cell instead.
_NO_PHRASING = {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup"}


def marker(page: int, ident: str) -> HtmlElement:
    """The page-break marker of printed page *page*."""
    from lxml.html import Element

    span = Element("span")
    span.set("class", MARKER_CLASS)
    span.set("data-epub-type", "pagebreak")  # epub:type in the EPUB (see content.py)
    span.set("role", "doc-pagebreak")
    span.set("id", ident)
    span.set("aria-label", str(page))
    return span


def is_marker(element: object) -> bool:
    """Whether *element* is a page-break marker."""
    return getattr(element, "get", None) is not None and element.get("class") == MARKER_CLASS  # type: ignore[union-attr]


def _skipped(element: HtmlElement) -> bool:
    if not isinstance(element.tag, str) or element.tag in _FORM_TAGS:
        return True
    return "footnote" in (element.get("class") or "").split()


def text_slots(root: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """The text of *root* in document order, as (element, "text" or "tail") pairs,
    with what the render leaves out of the main flow left out here too."""
    if root.text:
        yield root, "text"
    for child in root:
        if not _skipped(child):
            yield from text_slots(child)
        if child.tail:
            yield child, "tail"


def _slot_text(element: HtmlElement, kind: str) -> str:
    return (element.text if kind == "text" else element.tail) or ""


def countable_text(root: HtmlElement) -> str:
    """*root*'s countable characters, as :func:`workbook.render.pagestarts.countable`."""
    return "".join(countable(_slot_text(e, k)) for e, k in text_slots(root))


def _raw_index(text: str, wanted: int) -> int:
    """The index in *text* of its *wanted*-th countable character."""
    seen = 0
    for index, char in enumerate(text):
        if countable(char):
            if seen == wanted:
                return index
            seen += 1
    return len(text)


def insert_at(root: HtmlElement, offset: int, mark: HtmlElement) -> None:
    """Put *mark* before the countable character *offset* of *root* (at its end when
    *offset* is its length)."""
    seen = 0
    for element, kind in text_slots(root):
        text = _slot_text(element, kind)
        count = len(countable(text))
        if seen + count > offset:
            index = _raw_index(text, offset - seen)
            before, after = text[:index], text[index:]
            if kind == "text":
                element.text = before or None
                element.insert(0, mark)
            else:
                element.tail = before or None
                element.addnext(mark)
            mark.tail = after or None
            return
        seen += count
    root.append(mark)


def count_before(root: HtmlElement, mark: HtmlElement) -> int:
    """Countable characters of *root* before *mark* in document order."""
    total = 0
    found = False

    def walk(element: HtmlElement) -> None:
        nonlocal total, found
        if element is mark:
            found = True
            return
        if element.text:
            total += len(countable(element.text))
        for child in element:
            if found:
                return
            if child is mark:
                found = True
                return
            if not _skipped(child):
                walk(child)
            if found:
                return
            if child.tail:
                total += len(countable(child.tail))

    walk(root)
    return total


@dataclass
class Placed:
    """The markers put into a book's sections."""

    targets: dict[int, tuple[str, str]] = field(default_factory=dict)  # page -> (section, id)
    differing: list[int] = field(default_factory=list)  # pages whose text did not match


def place_markers(
    sections: Mapping[str, HtmlElement],
    starts: list[dict],
    front: set[str],
    ident: Callable[[int], str] = lambda page: f"sivu-{page}",
) -> Placed:
    """Put a marker for every page of *starts* into *sections* (key -> element).

    Sections in *front* get their markers at their start; a page whose section
    is not in *sections* (or that has none) is treated as blank.
    """
    placed = Placed()
    order = list(sections)
    last_key: str | None = None
    fronts: dict[str, int] = {}
    for start in sorted(starts, key=lambda s: s["page"]):
        page = int(start["page"])
        key = start.get("section")
        mark = marker(page, ident(page))
        if key not in sections:  # a blank page: the end of the section before it
            key = last_key or (order[0] if order else None)
            if key is None:
                continue
            if last_key is None:
                _insert_front(sections[key], mark, fronts.setdefault(key, 0))
                fronts[key] += 1
            else:
                sections[key].append(mark)
            placed.targets[page] = (key, mark.get("id"))
            continue
        last_key = key
        root = sections[key]
        if key in front:
            _insert_front(root, mark, fronts.setdefault(key, 0))
            fronts[key] += 1
        else:
            _place(root, start, mark)
            if not _matches(root, start, mark):
                placed.differing.append(page)
        placed.targets[page] = (key, mark.get("id"))
    return placed


def _insert_front(root: HtmlElement, mark: HtmlElement, index: int) -> None:
    """The *index*-th marker at the start of *root*."""
    if index == 0:
        mark.tail = root.text
        root.text = None
    root.insert(index, mark)


def _place(root: HtmlElement, start: dict, mark: HtmlElement) -> None:
    before = start.get("before")
    if before:
        if root.get("id") == before:
            _insert_front(root, mark, 0)
            return
        found = root.xpath(".//*[@id=$ident]", ident=before)
        if found and found[0].getparent() is not None:
            target = found[0]
            if target.getparent().tag not in _NO_PHRASING and target.tag not in (
                "tr",
                "li",
                "td",
                "th",
            ):
                target.addprevious(mark)
                return
    insert_at(root, int(start.get("offset", 0)), mark)


def _matches(root: HtmlElement, start: dict, mark: HtmlElement) -> bool:
    """Whether the text after *mark* is what the printed page began with.

    A marker put before the element the page begins with (a figure the page
    make-up moved past a paragraph, which the e-book keeps in its place) is
    judged by the text after it alone: the characters before it differ by the
    paragraph the figure moved past, not by a misplaced marker."""
    expected = str(start.get("text") or "")
    offset = count_before(root, mark)
    after = mark.getnext()
    at_element = bool(start.get("before")) and after is not None
    at_element = at_element and after.get("id") == start.get("before")
    if offset != int(start.get("offset", 0)) and not at_element:
        return False
    if not expected:
        return True
    text = countable_text(root)
    return text[offset : offset + len(expected)] == expected
