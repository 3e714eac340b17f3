"""Page numbers from the last build, so WeasyPrint need not lay pages out twice.

The contents, the list of figures and every "s. N" print a target's page with
``target-counter()``. WeasyPrint lays the book out, then lays out again every
page whose numbers were unknown or changed: on the sample 8 of 64 pages with
:mod:`workbook.patches.pagination` (16 pages twice without it). A rebuild usually has the
same pages as the last one, so the numbers it found are written into the HTML
as ``data-page`` attributes (printed by ``attr(data-page)`` rules in book.css),
like LaTeX's .aux file. After layout, every number used is compared with the
page its target really landed on; if one is wrong, the book is laid out again
with the numbers just found, and if that still does not settle, with
WeasyPrint's own ``target-counter()``. The map is a hint: it never decides what
is printed without that check, and the preflight checks the printed numbers
again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from workbook.pipeline.freshness import state_file, write_json

D = TypeVar("D")  # a laid-out document (WeasyPrint's Document; anything with .pages)

# The three places that print a target's page: "s. N" in the text, and the
# entries of the contents and of the list of figures (templates/front).
_PAGEREF_RE = re.compile(r'<a class="pageref" href="#([^"]+)">')
_LIST_RE = re.compile(r'<ol class="(?:toc|figure-list)">.*?</ol>', re.S)
_LIST_LINK_RE = re.compile(r'<a href="#([^"]+)">')


LAST_PAGE = "#pages"
"""The key under which a map records the edition's page count (never an anchor)."""


def with_total(rendered) -> dict[str, int]:
    """A rendered edition's anchors' pages, and its page count under :data:`LAST_PAGE`."""
    return {**rendered.anchor_pages, LAST_PAGE: rendered.pages}


def map_path(out_dir: Path, pdf_name: str) -> Path:
    """Where the page map of the edition written to *pdf_name* is kept."""
    return state_file(out_dir, pdf_name, "pages")


def read_map(path: Path) -> dict[str, int]:
    """The anchors' pages recorded by the last build (empty when there is none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and type(v) is int}


def write_map(path: Path, pages: Mapping[str, int]) -> None:
    """Record *pages* (anchor -> page number) for the next build, atomically."""
    write_json(path, dict(sorted(pages.items())), ensure_ascii=False)


def with_pages(html: str, pages: Mapping[str, int]) -> tuple[str, dict[str, int]]:
    """*html* with ``data-page`` on every page-number link whose target is in *pages*.

    Returns the HTML and the numbers it now prints (target -> page), which
    :func:`wrong_pages` checks after layout. Links to targets not in *pages*
    keep WeasyPrint's ``target-counter()``.
    """
    used: dict[str, int] = {}

    def annotate(match: re.Match[str]) -> str:
        target = match[1]
        if target not in pages:
            return match[0]
        used[target] = pages[target]
        return f'{match[0][:-1]} data-page="{pages[target]}">'

    return _each_printed(html, annotate), used


def printed_targets(html: str) -> set[str]:
    """The targets whose page *html* prints (where :func:`with_pages` would)."""
    found: set[str] = set()
    _each_printed(html, lambda match: found.add(match[1]) or match[0])
    return found


def _each_printed(html: str, change: Callable[[re.Match[str]], str]) -> str:
    """*html* with *change* applied to each link that prints its target's page."""
    html = _PAGEREF_RE.sub(change, html)
    return _LIST_RE.sub(lambda block: _LIST_LINK_RE.sub(change, block[0]), html)


def anchor_pages(document: object, first_page: int = 1) -> dict[str, int]:
    """The page number of every anchor of a rendered WeasyPrint document.

    Pages are numbered from *first_page* at the first page, as the book's folios
    and its page-number rules count them (a chapter preview starts later).
    """
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=first_page):  # type: ignore[attr-defined]
        for name in page.anchors:
            found.setdefault(name, number)
    return found


def wrong_pages(used: Mapping[str, int], actual: Mapping[str, int]) -> list[str]:
    """The targets whose printed number is not the page they landed on."""
    return [target for target, page in used.items() if actual.get(target) != page]


def layout_with_pages(
    html: str, known: Mapping[str, int], layout: Callable[[str], D], first_page: int = 1
) -> D:
    """Lay *html* out with the page numbers *known*, as long as layout confirms them.

    First the last build's numbers; if a target moved, the numbers this layout
    found; if those do not settle either, WeasyPrint's own ``target-counter()``.
    """
    pages = known
    for _ in range(2):
        text, used = with_pages(html, pages)
        if not used:
            break
        document = layout(text)
        actual = anchor_pages(document, first_page)
        if not wrong_pages(used, actual):
            return document
        pages = actual
    return layout(html)
