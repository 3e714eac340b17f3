"""The chapter line of every block, carried into the HTML as ``data-src``.

Python-Markdown keeps no line numbers. Each block processor is handed the raw
Markdown of the block it turns into elements, so :func:`track` wraps every
block processor of a converter: after it ran, the elements it added get the
line of the first line of that raw text, found in the chapter's lines from
where the previous block was found on (blocks come in reading order). Text
that is not in the chapter as written (a placeholder of raw HTML, an exercise
component) finds no line; such an element takes its parent's or its
predecessor's line where a page check needs one (:mod:`workbook.render.sources`).

The attribute, ``data-src="chapters/03-asiakkaat.md:41"``, lets a check on a
laid-out page name the chapter line behind it, and the checks before
rendering (headings, links, raw HTML) name the line of what they refuse.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Sequence

import markdown

ATTRIBUTE = "data-src"
BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
     "blockquote", "pre", "table", "figure", "div", "hr"}
)  # fmt: skip
_STASH = "\x02"  # Python-Markdown's placeholders start with STX


def split(source: str) -> tuple[str, int | None]:
    """``"chapters/03-x.md:41"`` -> ``("chapters/03-x.md", 41)``."""
    path, colon, line = source.rpartition(":")
    if not colon or not line.isdigit():
        return source, None
    return path, int(line)


class LineTracker:
    """Finds raw block text in the chapter's lines, in reading order."""

    def __init__(self, lines: Sequence[str], first: int, name: str) -> None:
        self.lines = [line.strip() for line in lines]
        self.first = first  # the file line of lines[0]
        self.name = name  # the chapter file, relative to the publication folder
        self.cursor = 0

    def find(self, block: str, start: int | None = None) -> int | None:
        """The file line of *block*'s first non-empty line, searched from *start* (an
        index into the lines; default where the last find was)."""
        head = next((row.strip() for row in block.split("\n") if row.strip()), "")
        if not head or _STASH in head:
            return None
        for index in range(self.cursor if start is None else start, len(self.lines)):
            if head == self.lines[index] or (len(head) > 3 and head in self.lines[index]):
                self.cursor = max(self.cursor, index)
                return self.first + index
        return None

    def source(self, line: int) -> str:
        """The ``data-src`` value of *line*."""
        return f"{self.name}:{line}"


def track(md: markdown.Markdown, tracker: LineTracker) -> None:
    """Give the elements each block processor of *md* adds the line of its block."""
    for processor in list(md.parser.blockprocessors):
        processor.run = _traced(processor.run, tracker)  # type: ignore[method-assign]


def _traced(run, tracker: LineTracker):
    def traced(parent: etree.Element, blocks: list[str]):
        text = blocks[0] if blocks else ""
        before = {id(child) for child in parent.iter()}
        start = tracker.cursor  # the blocks inside (list items) move it on
        outcome = run(parent, blocks)
        line = tracker.find(text, start)
        if line is not None:
            for element in parent.iter():
                fresh = id(element) not in before and ATTRIBUTE not in element.attrib
                if fresh and element.tag in BLOCKS and not _placeholder(element):
                    element.set(ATTRIBUTE, tracker.source(line))
        return outcome

    return traced


def _placeholder(element: etree.Element) -> bool:
    """A paragraph that only holds raw HTML's placeholder (it is replaced by that HTML)."""
    return (
        element.tag == "p" and (element.text or "").strip().startswith(_STASH) and not len(element)
    )


def line_of(element: etree.Element, parents: dict[etree.Element, etree.Element]) -> int | None:
    """The chapter line of *element*: its own, or its nearest ancestor's."""
    node: etree.Element | None = element
    while node is not None:
        source = node.get(ATTRIBUTE)
        if source:
            return split(source)[1]
        node = parents.get(node)
    return None


def preceding_lines(root: etree.Element) -> dict[etree.Element, int]:
    """Every element's line: its own, its ancestor's, or the last one before it."""
    found: dict[etree.Element, int] = {}
    last: int | None = None
    stack = [(root, None)]
    while stack:
        element, inherited = stack.pop()
        source = element.get(ATTRIBUTE)
        own = split(source)[1] if source else None
        line = own or inherited or last
        if line is not None:
            found[element] = line
            last = line
        stack.extend((child, own or inherited) for child in reversed(element))
    return found
