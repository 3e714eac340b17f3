"""Floats that fill pages: a chart, table or illustration moved past the text after it.

WeasyPrint has no page floats: a figure that does not fit on the rest of a page
jumps whole to the next one and leaves a hole. The page make-up
(:mod:`workbook.render.makeup`) finds such a float after a layout
(:func:`review_floats`) and moves it after the next paragraph of its chapter
(:func:`move_float`), so the text fills the hole, as a float of LaTeX or
InDesign would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

HOLE = 0.2  # a page this empty before a float that jumped is a hole to fill
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = {"img", "br", "input", "hr", "meta", "link", "col", "wbr", "source", "area"}
_STOP = {"h1", "section"}  # a float stays in its chapter
_HEADINGS = {"h2", "h3", "h4", "h5", "h6"}


def element_end(html: str, start: int) -> int:
    """The index just after the element that starts at *start*."""
    depth = 0
    for match in _TAG_RE.finditer(html, start):
        closing, name, selfclosing = match[1], match[2].lower(), match[3]
        if name in _VOID or selfclosing:
            if depth == 0:
                return match.end()
            continue
        depth += -1 if closing else 1
        if depth == 0:
            return match.end()
    return len(html)


def move_float(html: str, key: str, steps: int) -> str:
    """Move the float *key* (with the floats right after it) past *steps* blocks of its
    chapter; a heading counts with the block under it, so a float never lands between
    a heading and its text, and never leaves the chapter's section."""
    found = re.search(rf'<([a-z]+)[^>]*\sdata-float="{re.escape(key)}"', html)
    if found is None:
        return html
    start = found.start()
    end = element_end(html, start)
    # The floats that follow it travel with it, in their order.
    while (nxt := _next_element(html, end)) is not None and "data-float=" in html[nxt[0] : nxt[2]]:
        end = element_end(html, nxt[0])
    group = html[start:end]
    cursor = end
    for _ in range(steps):
        nxt = _next_element(html, cursor)
        if nxt is None or nxt[1] in _STOP or "data-float=" in html[nxt[0] : nxt[2]]:
            break
        if nxt[1] in _HEADINGS:  # a heading goes with the block under it
            after = _next_element(html, element_end(html, nxt[0]))
            if after is None or after[1] in _STOP | _HEADINGS:
                break
            if "data-float=" in html[after[0] : after[2]]:
                break
            cursor = element_end(html, after[0])
            continue
        cursor = element_end(html, nxt[0])
    if cursor == end:
        return html
    return html[:start] + html[end:cursor] + "\n" + group + html[cursor:]


def _next_element(html: str, index: int) -> tuple[int, str, int] | None:
    """The start, tag and start-tag end of the next sibling element, if there is one."""
    match = re.compile(r"\s*<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>").match(html, index)
    if match is None or match[1]:
        return None
    return match.start() + len(match[0]) - len(match[0].lstrip()), match[2].lower(), match.end()


def review_floats(document, moved: Mapping[str, int]) -> dict[str, int]:
    """Floats that opened a page after a hole: how far each should now move (*moved*:
    how far each has moved so far)."""
    from weasyprint.formatting_structure import boxes

    moves: dict[str, int] = {}
    pages = document.pages
    for index in range(len(pages) - 1):
        page, after = pages[index]._page_box, pages[index + 1]._page_box
        first = _first_flow_block(after)
        if first is None or first.element is None:
            continue
        key = first.element.get("data-float")
        if not key:
            continue
        bottom = _flow_bottom(page)
        area_top = page.content_box_y()
        area_bottom = area_top + page.height
        footnotes = [c for c in page.children if isinstance(c, boxes.FootnoteAreaBox)]
        if footnotes and footnotes[0].children:
            area_bottom = footnotes[0].position_y
        if bottom is None or (area_bottom - bottom) < HOLE * page.height:
            continue
        moves[key] = moved.get(key, 0) + 1
    return moves


def _flow_blocks(page_box) -> list:
    from weasyprint.formatting_structure import boxes

    html = [
        c for c in page_box.children if not isinstance(c, boxes.MarginBox | boxes.FootnoteAreaBox)
    ]
    found = []

    def walk(box, depth: int) -> None:
        for child in getattr(box, "children", ()):
            if not isinstance(child, boxes.BlockLevelBox):
                continue
            tag = child.element_tag
            if tag in ("html", "body", "section") and depth < 4:
                walk(child, depth + 1)
            else:
                found.append(child)

    for box in html:
        walk(box, 0)
    return found


def _first_flow_block(page_box):
    blocks = _flow_blocks(page_box)
    return blocks[0] if blocks else None


def _flow_bottom(page_box) -> float | None:
    blocks = _flow_blocks(page_box)
    if not blocks:
        return None
    return max(b.position_y + b.margin_height() - b.margin_bottom for b in blocks)
