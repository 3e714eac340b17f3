"""Which chapter line made what is on a page: the bridge from a failed page check back
to the editor's file.

Every block of a chapter's HTML carries ``data-src="chapters/03-x.md:41"``
(:mod:`workbook.markup.lines`). After layout, :func:`page_sources` lists for
each page the blocks that fall on it, with their boxes in points from the
MediaBox's top-left corner (the coordinates of the preflight's areas). A check
that failed on a page is then located (:func:`locate`): the block under the
area it marked, the block whose source line holds the character it names, or
else the first block of the page.

The map is kept beside the page map (``build/.state/<pdf>.sources.json``), a
hint for ``invoke check`` on files built earlier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from workbook.markup.lines import ATTRIBUTE, split
from workbook.pipeline.freshness import read_json_part, state_file, write_json

PX_TO_PT = 0.75
_VERSION = 1

# (source "file:line", x0, y0, x1, y1) of a block on a page, y downwards
Block = tuple[str, float, float, float, float]


def page_sources(document: object) -> dict[int, list[Block]]:
    """For each page (1-based) of a laid-out WeasyPrint document, its source blocks in
    reading order (each element once per page)."""
    found: dict[int, list[Block]] = {}
    for number, page in enumerate(document.pages, start=1):  # type: ignore[attr-defined]
        left = page.bleed["left"]
        top = page.bleed["top"]
        blocks: list[Block] = []
        seen: set[int] = set()
        stack = [page._page_box]  # WeasyPrint 70's laid-out boxes (internal)
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            source = element.get(ATTRIBUTE) if element is not None else None
            if source and id(element) not in seen:
                seen.add(id(element))
                x0 = (box.position_x + left) * PX_TO_PT
                y0 = (box.position_y + top) * PX_TO_PT
                width = box.margin_width() if hasattr(box, "margin_width") else 0
                height = box.margin_height() if hasattr(box, "margin_height") else 0
                blocks.append((source, x0, y0, x0 + width * PX_TO_PT, y0 + height * PX_TO_PT))
            children = getattr(box, "children", None)
            if children and not _is_line(box):
                stack.extend(reversed(children))
        if blocks:
            found[number] = blocks
    return found


def _is_line(box: object) -> bool:
    return type(box).__name__ == "LineBox"


def locate(
    sources: Mapping[int, Sequence[Block]],
    pages: Sequence[int],
    areas: Sequence[tuple[int, float, float, float, float]] = (),
    needle: str = "",
    lines: Mapping[str, Sequence[str]] | None = None,
) -> tuple[str, int | None] | None:
    """The source (file, line) behind a problem on *pages*: the block under one of
    *areas*, else the block whose line (in *lines*: file -> its lines) holds
    *needle*, else the first block of the first page that has one."""
    for page, x0, y0, x1, y1 in areas:
        best = _under(sources.get(page, ()), (x0, y0, x1, y1))
        if best is not None:
            return split(best)
    if needle and lines:
        for page in pages:
            for source, *_ in sources.get(page, ()):
                path, line = split(source)
                text = lines.get(path, ())
                if line is not None and 0 < line <= len(text) and needle in text[line - 1]:
                    return path, line
        for page in pages:  # the block is a list or a table whose line is its first
            for source, *_ in sources.get(page, ()):
                path, line = split(source)
                found = _line_with(lines.get(path, ()), needle, line or 1)
                if found is not None:
                    return path, found
    for page in pages:
        blocks = sources.get(page)
        if blocks:
            return split(blocks[0][0])
    return None


def _line_with(text: Sequence[str], needle: str, start: int) -> int | None:
    for number in range(start, min(len(text), start + 40) + 1):
        if needle in text[number - 1]:
            return number
    return None


def _under(blocks: Sequence[Block], area: tuple[float, float, float, float]) -> str | None:
    """The innermost block that overlaps *area* most (the last of equals: inner
    blocks follow their parents)."""
    best, best_overlap = None, 0.0
    for source, x0, y0, x1, y1 in blocks:
        width = min(x1, area[2]) - max(x0, area[0])
        height = min(y1, area[3]) - max(y0, area[1])
        if height <= 0:
            continue
        overlap = max(width, 0.5) * height  # text beyond the block's right edge still counts
        if overlap >= best_overlap:
            best, best_overlap = source, overlap
    return best


def sources_path(out_dir: Path, pdf_name: str) -> Path:
    """Where the page sources of the edition written to *pdf_name* are kept."""
    return state_file(out_dir, pdf_name, "sources")


def sources_json(sources: Mapping[int, Sequence[Block]]) -> dict[str, list[list]]:
    """*sources* as JSON data (page numbers as strings)."""
    return {str(page): [list(block) for block in blocks] for page, blocks in sources.items()}


def sources_from_json(pages: Mapping[str, Sequence[Sequence]]) -> dict[int, list[Block]]:
    """The page sources :func:`sources_json` wrote; raises ``TypeError``,
    ``ValueError`` or ``IndexError`` when they are not."""
    return {
        int(page): [(str(b[0]), *(float(v) for v in b[1:5])) for b in blocks]  # type: ignore[misc]
        for page, blocks in pages.items()
    }


def write_sources(path: Path, sources: Mapping[int, Sequence[Block]]) -> None:
    """Keep *sources* for ``invoke check`` (a hint)."""
    write_json(path, {"version": _VERSION, "pages": sources_json(sources)}, ensure_ascii=False)


def read_sources(path: Path) -> dict[int, list[Block]]:
    """The kept page sources (empty when missing or unreadable)."""
    try:
        return sources_from_json(read_json_part(path, _VERSION, "pages"))
    except (TypeError, ValueError, IndexError):
        return {}
