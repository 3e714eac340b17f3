"""Stage 4: assemble the book model: order, numbering, ids, cross-references, TOC.

Everything is converted and validated here, before any PDF is rendered: duplicate
ids and links to headings that do not exist are errors naming the chapter file
and line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .config import Project
from .content import SourceChapter
from .errors import WorkbookError
from .hyphenation import Hyphenator
from .markup import Heading, Markup, convert
from .typography import finnish_text


@dataclass(frozen=True)
class Chapter:
    """A chapter ready for the template."""

    id: str
    number: int | None
    title: str
    running_head: str
    html: str
    headings: tuple[Heading, ...]
    source: SourceChapter
    text: str
    layout: str = "chapter"

    @property
    def label(self) -> str:
        """The number shown before the title ("3"), or "" for unnumbered chapters."""
        return str(self.number) if self.number is not None else ""


@dataclass(frozen=True)
class TocEntry:
    """A line of the table of contents."""

    level: int
    id: str
    title: str
    label: str


@dataclass(frozen=True)
class Target:
    """Something a link can point to: a chapter or a heading."""

    id: str
    title: str
    chapter: Chapter


@dataclass(frozen=True)
class Book:
    """The whole publication, validated and ready to render."""

    project: Project
    chapters: tuple[Chapter, ...]
    toc: tuple[TocEntry, ...]
    targets: dict[str, Target]

    @property
    def title(self) -> str:
        """Title with subtitle, as shown in PDF metadata."""
        pub = self.project.config.publication
        return f"{pub.title} – {pub.subtitle}" if pub.subtitle else pub.title


def assemble(project: Project, sources: list[SourceChapter], hyphenator: Hyphenator | None) -> Book:
    """Convert every chapter and tie them into a book; raise on broken references."""
    chapters: list[Chapter] = []
    markups: list[Markup] = []
    owner: dict[str, SourceChapter] = {}
    number = 0
    for source in sources:
        markup = convert(source.body, id_prefix=source.slug, hyphenator=hyphenator)
        if source.meta.numbered:
            number += 1
        chapter = Chapter(
            id=source.slug,
            number=number if source.meta.numbered else None,
            title=finnish_text(source.meta.title),
            running_head=finnish_text(source.meta.running_head),
            html=markup.html,
            headings=tuple(markup.headings),
            source=source,
            text=markup.text,
            layout=source.meta.layout,
        )
        for anchor in [chapter.id, *(h.id for h in markup.headings)]:
            if anchor in owner:
                raise WorkbookError(
                    f"id '{anchor}' is used twice (also in {owner[anchor].path.name})",
                    path=source.path,
                    line=source.line_of(f"#{anchor}"),
                    hint="give the heading another {#id}",
                )
            owner[anchor] = source
        chapters.append(chapter)
        markups.append(markup)

    targets: dict[str, Target] = {}
    for chapter in chapters:
        targets[chapter.id] = Target(chapter.id, chapter.title, chapter)
        for heading in chapter.headings:
            targets[heading.id] = Target(heading.id, heading.text, chapter)

    for chapter, markup in zip(chapters, markups, strict=True):
        for link in markup.links:
            if link.target not in targets:
                needle = f"[[#{link.target}]]" if link.pageref else f"#{link.target}"
                raise WorkbookError(
                    f"link to '#{link.target}', which is no heading in the book",
                    path=chapter.source.path,
                    line=chapter.source.line_of(needle),
                    hint=_suggest(link.target, targets),
                )

    toc_depth = project.config.content.toc_depth
    toc: list[TocEntry] = []
    for chapter in chapters:
        toc.append(TocEntry(1, chapter.id, chapter.title, chapter.label))
        toc.extend(
            TocEntry(h.level, h.id, h.text, "") for h in chapter.headings if h.level <= toc_depth
        )
    return Book(project=project, chapters=tuple(chapters), toc=tuple(toc), targets=targets)


def _suggest(target: str, targets: dict[str, Target]) -> str:
    close = difflib.get_close_matches(target, list(targets), n=1)
    if close:
        return f"did you mean '#{close[0]}'?"
    return "link to a chapter file name or a heading's {#id}"
