"""Where each page of a rendered book starts in its text: the page map's second half.

The page map (:mod:`workbook.render.pagemap`) records the page of every anchor.
A reflowable edition (the EPUB, the web edition) also needs the place where
each printed page begins, to put a page-break marker there and list it in its
page-list. For every page this records:

- ``section``: the section the page's first content belongs to (a chapter's
  id, or the class of a front-matter section such as ``title-page``); None
  for a page with nothing on it (a blank verso, padding at the end);
- ``before``: the id of the element the page begins with, when the page begins
  an element that has one (a chapter, a heading, a figure or table);
- ``offset``: how many characters of the section's text come before the page,
  counted by :func:`countable` (no spaces, soft hyphens, word joiners or
  hyphens, so line breaks and hyphenation do not change the count);
- ``text``: the page's first countable characters, to check the place.

Only the main flow counts: running heads, folios and footnotes (which
WeasyPrint moves to the foot of the page) are left out, as are generated
contents (``::before``, ``::after``, list markers, footnote calls) and table
headers repeated on a continuation page. A reader of the EPUB walks its
chapter's text with the same rules (:func:`workbook.ebook.pagebreaks`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbook.pipeline.freshness import state_file, write_json

_UNCOUNTED_RE = re.compile(r"[\s\u00ad\u200b\u2060\u2010\-]+")
_FORM_TAGS = {"input", "textarea", "select", "button", "option"}
_SAMPLE = 24  # characters kept in ``text``


def countable(text: str) -> str:
    """*text* without what line breaking and hyphenation change: whitespace, soft
    hyphens, zero-width spaces and hyphens."""
    return _UNCOUNTED_RE.sub("", text)


def section_key(element: Any) -> str | None:
    """The key of a ``section`` element: its id, else its first class."""
    if element is None or element.tag != "section":
        return None
    ident = element.get("id")
    if ident:
        return ident
    classes = (element.get("class") or "").split()
    return classes[0] if classes else None


class _Walker:
    """One pass over the laid-out pages, in order."""

    def __init__(self) -> None:
        from weasyprint.formatting_structure import boxes

        self.boxes = boxes
        self.seen: set[int] = set()  # id() of elements met on earlier pages
        self.counts: dict[str, int] = {}  # section -> countable characters so far

    def page(self, page_box: Any, number: int) -> dict:
        self.first: dict | None = None
        self.page_elements: set[int] = set()
        self.before_counts = dict(self.counts)
        for child in page_box.children:
            if self._skipped(child):
                continue
            self._walk(child, None, [])
        self.seen |= self.page_elements
        if self.first is None:
            return {"page": number, "section": None, "before": None, "offset": 0, "text": ""}
        self.first["page"] = number
        return self.first

    def _skipped(self, box: Any) -> bool:
        boxes = self.boxes
        return isinstance(box, boxes.MarginBox | boxes.FootnoteAreaBox) or str(
            box.element_tag
        ).startswith("@")

    def _walk(self, box: Any, section: str | None, path: list[Any]) -> None:
        boxes = self.boxes
        element = box.element
        pseudo = "::" in str(box.element_tag)
        if element is not None and not pseudo:
            if element.tag in _FORM_TAGS:
                return
            key = section_key(element)
            if key is not None:
                section = key
            if not path or path[-1] is not element:
                path = [*path, element]
        if (
            isinstance(box, boxes.TableRowGroupBox)
            and (box.is_header or box.is_footer)
            and id(element) in self.seen
        ):
            return  # a table's header or footer repeated on a continuation page
        if isinstance(box, boxes.TextBox):
            if pseudo or section is None:
                return
            text = countable(box.text)
            if not text:
                return
            self._found(section, path, text)
            self.counts[section] = self.counts.get(section, 0) + len(text)
            self._mark(path)
            return
        if isinstance(box, boxes.ReplacedBox) and section is not None and not pseudo:
            self._found(section, path, "")
        self._mark(path)
        if isinstance(box, boxes.ParentBox):
            for child in box.all_children() if isinstance(box, boxes.TableBox) else box.children:
                # An absolutely positioned box stands in the tree as a placeholder.
                child = getattr(child, "_box", child)
                if isinstance(child, boxes.Box):
                    self._walk(child, section, path)

    def _mark(self, path: list[Any]) -> None:
        self.page_elements.update(id(e) for e in path)

    def _found(self, section: str, path: list[Any], text: str) -> None:
        if self.first is None:
            self.first = {
                "section": section,
                "before": self._before(path),
                "offset": self.before_counts.get(section, 0),
                "text": text[:_SAMPLE],
            }
        elif not self.first["text"] and self.first["section"] == section and text:
            self.first["text"] = text[:_SAMPLE]

    def _before(self, path: list[Any]) -> str | None:
        """The id of the first element on *path* (outermost first) that begins on
        this page, or of the first element with an id inside it."""
        fresh = next((i for i, e in enumerate(path) if id(e) not in self.seen), None)
        if fresh is None:
            return None
        for element in path[fresh:]:
            if element.tag in ("html", "body"):
                continue
            if element.get("id"):
                return element.get("id")
        return None


def page_starts(document: Any) -> list[dict]:
    """For every page of a rendered WeasyPrint document, where it starts in the
    text (see the module's docstring). Reads the laid-out page boxes
    (``Page._page_box``, internal in WeasyPrint 70)."""
    walker = _Walker()
    return [
        walker.page(page._page_box, number) for number, page in enumerate(document.pages, start=1)
    ]


_VERSION = 1


def padded(starts: list[dict], pages: int) -> list[dict]:
    """*starts* with a blank page for each page added after rendering (the press
    edition's padding to the binding's multiple)."""
    blank = {"section": None, "before": None, "offset": 0, "text": ""}
    return starts + [{**blank, "page": n} for n in range(len(starts) + 1, pages + 1)]


def starts_path(out_dir: Path, pdf_name: str) -> Path:
    """Where the page starts of the edition written to *pdf_name* are kept."""
    return state_file(out_dir, pdf_name, "pagestarts")


def write_starts(path: Path, starts: list[dict], anchors: Mapping[str, int]) -> None:
    """Record a written edition's page starts and anchor pages, atomically.

    Written only once the PDF itself is written, so the two always agree.
    """
    data = {"version": _VERSION, "starts": starts, "anchors": dict(sorted(anchors.items()))}
    write_json(path, data, ensure_ascii=False)


def read_starts(path: Path) -> tuple[list[dict], dict[str, int]] | None:
    """The page starts and anchor pages recorded at *path*, or None when missing,
    unreadable or of another version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return None
    starts, anchors = data.get("starts"), data.get("anchors")
    if not isinstance(starts, list) or not isinstance(anchors, dict):
        return None
    return starts, anchors
