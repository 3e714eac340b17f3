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
from .figures import FigureUse
from .hyphenation import Hyphenator
from .illustrations import EMPTY_MANIFEST, Manifest, Placement
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
    figures: tuple[str, ...] = ()  # illustration ids in order of appearance
    opener: str | None = None  # id of the chapter-opener illustration

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
    manifest: Manifest = EMPTY_MANIFEST

    @property
    def illustrations(self) -> list[str]:
        """Ids of the illustrations the chapters place, in book order."""
        return [ident for chapter in self.chapters for ident in chapter.figures]

    @property
    def title(self) -> str:
        """Title with subtitle, as shown in PDF metadata."""
        pub = self.project.config.publication
        return f"{pub.title} – {pub.subtitle}" if pub.subtitle else pub.title


def assemble(
    project: Project,
    sources: list[SourceChapter],
    hyphenator: Hyphenator | None,
    manifest: Manifest = EMPTY_MANIFEST,
) -> Book:
    """Convert every chapter and tie them into a book; raise on broken references."""
    chapters: list[Chapter] = []
    markups: list[Markup] = []
    owner: dict[str, SourceChapter] = {}
    placed: dict[str, SourceChapter] = {}
    number = 0
    fmt = project.config.format
    for source in sources:
        markup = convert(
            source.body, id_prefix=source.slug, hyphenator=hyphenator, manifest=manifest, fmt=fmt
        )
        opener = _check_figures(source, markup.figures, manifest, placed)
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
            figures=tuple(use.id for use in markup.figures),
            opener=opener,
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
    return Book(
        project=project,
        chapters=tuple(chapters),
        toc=tuple(toc),
        targets=targets,
        manifest=manifest,
    )


def _check_figures(
    source: SourceChapter,
    uses: list[FigureUse],
    manifest: Manifest,
    placed: dict[str, SourceChapter],
) -> str | None:
    """Raise on unknown, repeated or misplaced illustrations; return the opener's id."""
    opener = None
    for use in uses:
        needle = f"![[{use.id}]]"
        line = source.line_of(needle)
        if use.id not in manifest:
            close = difflib.get_close_matches(use.id, list(manifest.items), n=1)
            where = manifest.path.name if manifest.path else "no manifest (images.manifest)"
            raise WorkbookError(
                f"unknown illustration '{use.id}'",
                path=source.path,
                line=line,
                hint=f"did you mean '{close[0]}'?" if close else f"ids are the tables of {where}",
            )
        if use.id in placed:
            raise WorkbookError(
                f"illustration '{use.id}' is placed twice (also in {placed[use.id].path.name})",
                path=source.path,
                line=line,
                hint="an illustration appears once; add a second manifest entry for a copy",
            )
        placed[use.id] = source
        if manifest[use.id].placement is Placement.OPENER:
            if not use.first_block or opener is not None:
                raise WorkbookError(
                    f"opener illustration '{use.id}' is not the first thing in the chapter",
                    path=source.path,
                    line=line,
                    hint="put ![[id]] of a chapter opener before the chapter's text",
                )
            opener = use.id
    return opener


def _suggest(target: str, targets: dict[str, Target]) -> str:
    close = difflib.get_close_matches(target, list(targets), n=1)
    if close:
        return f"did you mean '#{close[0]}'?"
    return "link to a chapter file name or a heading's {#id}"
