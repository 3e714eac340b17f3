"""Stage 4: assemble the book model: order, numbering, ids, cross-references, TOC.

Everything is converted and validated here, before any PDF is rendered: duplicate
ids and links to headings that do not exist are errors naming the chapter file
and line. Errors are collected (:class:`~workbook.errors.Collector`), so one run
reports every one of them; a check that depends on input that failed to load
(links into a chapter that could not be read, say) is left out rather than
reporting errors that are not there.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from workbook.config.publication import Project
from workbook.errors import Collector, WorkbookError
from workbook.intake.chapters import SourceChapter
from workbook.intake.illustrations import EMPTY_MANIFEST, Manifest, Placement
from workbook.intake.survey import NO_SURVEYS, Surveys
from workbook.markup.chapter import (
    DEFAULT_NESTING,
    LANGUAGE_TAG_RE,
    Foreign,
    Heading,
    Markup,
    convert,
    datablocks,
)
from workbook.markup.datablocks import Numbering, number_blocks
from workbook.markup.exercises import Exercise, ExerciseSyntaxError
from workbook.markup.figures import BlockContext, FigureUse
from workbook.markup.hyphenation import Hyphenator
from workbook.markup.typography import finnish_text
from workbook.markup.worksheet import FormField


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
    charts: tuple[str, ...] = ()  # data set ids drawn as charts
    exercises: tuple[Exercise, ...] = ()
    fields: tuple[FormField, ...] = ()  # the e-version's form fields, in reading order
    foreign: tuple[Foreign, ...] = ()  # words marked {lang=…}, in order

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
    surveys: Surveys = NO_SURVEYS
    numbers: Numbering = datablocks.NO_NUMBERS

    @property
    def charts(self) -> list[str]:
        """Ids of the data sets drawn as charts, in book order."""
        return [ident for chapter in self.chapters for ident in chapter.charts]

    @property
    def exercises(self) -> list[Exercise]:
        """Every exercise, in book order (numbered 1, 2, ... across chapters)."""
        return [exercise for chapter in self.chapters for exercise in chapter.exercises]

    @property
    def fields(self) -> list[FormField]:
        """The e-version's form fields, in reading order."""
        return [f for chapter in self.chapters for f in chapter.fields]

    @property
    def foreign(self) -> list[Foreign]:
        """Words in another language than the book's, in book order."""
        return [words for chapter in self.chapters for words in chapter.foreign]

    @property
    def illustrations(self) -> list[str]:
        """Ids of the illustrations the chapters place, in book order."""
        return [ident for chapter in self.chapters for ident in chapter.figures]

    @property
    def title(self) -> str:
        """Title with subtitle, as shown in PDF metadata."""
        pub = self.project.config.publication
        return f"{pub.title} – {pub.subtitle}" if pub.subtitle else pub.title


@dataclass(frozen=True)
class Loaded:
    """Which inputs loaded without an error: checks that depend on the others are left out."""

    chapters: bool = True  # every chapter file (else links may point into a missing one)
    manifest: bool = True  # every illustration
    surveys: bool = True  # every data set


_KEPT: dict[tuple, tuple[BlockContext, Markup]] = {}
_KEEP = 256  # chapters' conversions kept, the oldest forgotten first
_keeping = False


@contextmanager
def kept_conversions() -> Iterator[None]:
    """Inside the block, chapters are converted through :func:`_convert_kept`: for a
    long-lived process that loads the same book again and again (the chapter
    preview of ``invoke watch``). A build converts each chapter once and keeps
    nothing."""
    global _keeping
    previous, _keeping = _keeping, True
    try:
        yield
    finally:
        _keeping = previous


def _convert_kept(body: str, *, hyphenator: Hyphenator | None, context: BlockContext, **options):
    """:func:`convert`, or what it gave for the same arguments in this process before.

    A watcher (``invoke watch`` and its chapter preview) loads the book again on
    every save; only the saved chapter has to be converted again. Everything
    convert reads is in the key or compared: the text, the options, the
    hyphenator (one per language and limits, `hyphenation.hyphenator_for`, kept alive
    by the key) and the block context (manifest, page format, data sets, chart
    and table numbers). The result is copied, so callers may change it.
    """
    if not _keeping:
        return convert(body, hyphenator=hyphenator, context=context, **options)
    key = (body, hyphenator, tuple(sorted(options.items())))  # the hyphenator itself
    kept = _KEPT.get(key)
    if kept is not None and kept[0] == context:
        return copy.deepcopy(kept[1])
    markup = convert(body, hyphenator=hyphenator, context=context, **options)
    if len(_KEPT) >= _KEEP:
        _KEPT.pop(next(iter(_KEPT)))
    _KEPT[key] = (context, copy.deepcopy(markup))
    return markup


def assemble(
    project: Project,
    sources: list[SourceChapter],
    hyphenator: Hyphenator | None,
    manifest: Manifest = EMPTY_MANIFEST,
    surveys: Surveys = NO_SURVEYS,
    errors: Collector | None = None,
    loaded: Loaded = Loaded(),
) -> Book:
    """Convert every chapter and tie them into a book; raise on broken references.

    With *errors* the errors are kept there for the caller to raise with others;
    without, they are raised at the end, all together.
    """
    own = errors is None
    errors = errors if errors is not None else Collector()
    chapters: list[Chapter] = []
    markups: list[Markup] = []
    owner: dict[str, SourceChapter] = {}
    placed: dict[str, SourceChapter] = {}
    number = 0
    numbers = number_blocks((s.body for s in sources), surveys)
    context = BlockContext(manifest, project.config.format, surveys, numbers)
    limits = getattr(project.config, "limits", None)
    nesting = limits.nesting if limits is not None else DEFAULT_NESTING
    exercises = 0
    for source in sources:
        try:
            markup = _convert_kept(
                source.body,
                id_prefix=source.slug,
                hyphenator=hyphenator,
                context=context,
                first_exercise=exercises + 1,
                source_name=_relative(source, project),
                first_line=source.body_line,
                nesting=nesting,
            )
        except ExerciseSyntaxError as exc:
            line = source.body_line + exc.line - 1 if exc.line is not None else None
            errors.add(WorkbookError(exc.message, path=source.path, line=line, hint=exc.hint))
            loaded = Loaded(False, loaded.manifest, loaded.surveys)
            continue
        for problem in sorted(markup.problems, key=lambda p: p.line or 0):
            errors.add(
                WorkbookError(
                    problem.message, path=source.path, line=problem.line, hint=problem.hint
                )
            )
        exercises += len(markup.exercises)
        illustrations = [u for u in markup.figures if u.kind == "illustration"]
        opener = _check_figures(source, illustrations, manifest, placed, errors, loaded.manifest)
        if loaded.surveys:
            _check_data_blocks(source, markup, surveys, placed, errors)
        _check_languages(source, markup, errors)
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
            figures=tuple(use.id for use in illustrations),
            opener=opener,
            charts=tuple(use.id for use in markup.figures if use.kind == "kuvio"),
            exercises=tuple(markup.exercises),
            fields=tuple(markup.fields),
            foreign=tuple(markup.foreign),
        )
        for anchor in [chapter.id, *(h.id for h in markup.headings)]:
            if anchor in owner:
                errors.add(
                    WorkbookError(
                        f"id '{anchor}' is used twice (also in {owner[anchor].path.name})",
                        path=source.path,
                        line=source.line_of(f"#{anchor}"),
                        hint="give the heading another {#id}",
                    )
                )
            owner[anchor] = source
        chapters.append(chapter)
        markups.append(markup)

    targets: dict[str, Target] = {}
    for chapter, markup in zip(chapters, markups, strict=True):
        targets[chapter.id] = Target(chapter.id, chapter.title, chapter)
        for heading in chapter.headings:
            targets[heading.id] = Target(heading.id, heading.text, chapter)
        for anchor, title in _block_targets(markup.figures, surveys, numbers):
            targets[anchor] = Target(anchor, title, chapter)

    for chapter, markup in zip(chapters, markups, strict=True):
        for link in markup.links if loaded.chapters else ():
            if link.target not in targets:
                needle = f"[[#{link.target}]]" if link.pageref else f"#{link.target}"
                errors.add(
                    WorkbookError(
                        f"link to '#{link.target}', which is no heading in the book",
                        path=chapter.source.path,
                        line=_link_line(chapter.source, link.line, needle),
                        hint=_suggest(link.target, targets),
                    )
                )

    toc_depth = project.config.content.toc_depth
    toc: list[TocEntry] = []
    for chapter in chapters:
        toc.append(TocEntry(1, chapter.id, chapter.title, chapter.label))
        toc.extend(
            TocEntry(h.level, h.id, h.text, "") for h in chapter.headings if h.level <= toc_depth
        )
    if loaded.surveys:
        with errors.attempt():
            _check_charts_have_numbers(chapters, numbers, placed)
    if own:
        errors.raise_if_any()
    return Book(
        project=project,
        chapters=tuple(chapters),
        toc=tuple(toc),
        targets=targets,
        manifest=manifest,
        surveys=surveys,
        numbers=numbers,
    )


def _relative(source: SourceChapter, project: Project) -> str:
    """The chapter file as ``data-src`` names it: relative to the publication folder."""
    try:
        return str(source.path.relative_to(project.root))
    except ValueError:
        return source.path.name


def _link_line(source: SourceChapter, block: int | None, needle: str) -> int | None:
    """The line of a link: the first line from its block's on that holds it."""
    if block is not None:
        for number in range(block, len(source.lines) + 1):
            if needle in source.lines[number - 1]:
                return number
        return block
    return source.line_of(needle)


def _block_targets(
    uses: list[FigureUse], surveys: Surveys, numbers: Numbering
) -> list[tuple[str, str]]:
    """Ids and titles of the numbered charts and tables a chapter places."""
    found = []
    for use in uses:
        if use.kind == "kuvio" and use.id in surveys:
            title = f"Kuvio {numbers.charts[use.id]}. {surveys[use.id].entry.title}"
            found.append((datablocks.chart_id(use.id), title))
        elif use.kind == "taulukko" and use.id in surveys:
            title = f"Taulukko {numbers.tables[use.id]}. {surveys[use.id].entry.title}"
            found.append((datablocks.table_id(use.id), title))
        elif use.kind == datablocks.APPENDIX:
            for ident in numbers.appendix:
                title = f"Taulukko {numbers.tables[ident]}. {surveys[ident].entry.title}"
                found.append((datablocks.table_id(ident), title))
    return found


def _check_languages(source: SourceChapter, markup: Markup, errors: Collector) -> None:
    """Report a ``{lang=…}`` that names no language or marks no words."""
    for words in markup.foreign:
        line = source.line_of(f"lang={words.lang}")
        if not LANGUAGE_TAG_RE.fullmatch(words.lang):
            errors.add(
                WorkbookError(
                    f"'{words.lang}' is not a language tag",
                    path=source.path,
                    line=line,
                    hint="write a language code such as {lang=en}, {lang=sv} or {lang=en-GB}",
                )
            )
        elif not words.text.strip():
            errors.add(
                WorkbookError(
                    f"{{lang={words.lang}}} marks no words",
                    path=source.path,
                    line=line,
                    hint="write [the words]{lang=en} around the words in that language",
                )
            )


_DATA_KINDS = ("kuvio", "taulukko", datablocks.LIST, datablocks.APPENDIX)


def _check_data_blocks(
    source: SourceChapter,
    markup: Markup,
    surveys: Surveys,
    placed: dict[str, SourceChapter],
    errors: Collector,
) -> None:
    """Keep errors for unknown data sets, blocks placed twice and numbers that name nothing."""
    for use in markup.figures:
        with errors.attempt():
            _check_data_block(source, use, surveys, placed)
    for ref in markup.values:
        with errors.attempt():
            _check_value(source, ref, surveys)


def _check_data_block(
    source: SourceChapter, use: FigureUse, surveys: Surveys, placed: dict[str, SourceChapter]
) -> None:
    if use.kind == "illustration":
        return
    needle = f"![[{use.kind}:{use.id}]]" if use.id else f"![[{use.kind}]]"
    line = source.line_of(needle)
    if use.kind not in _DATA_KINDS:
        raise WorkbookError(
            f"unknown block '{use.kind}:'",
            path=source.path,
            line=line,
            hint="use ![[kuvio:id]], ![[taulukko:id]], ![[kuvioluettelo]], "
            "![[kuvioiden-taulukot]] or ![[id]] of an illustration",
        )
    if use.id and use.id not in surveys:
        raise WorkbookError(
            f"unknown data set '{use.id}'",
            path=source.path,
            line=line,
            hint=_suggest_data(use.id, surveys),
        )
    key = f"{use.kind}:{use.id}"
    if key in placed:
        raise WorkbookError(
            f"![[{key.rstrip(':')}]] is placed twice (also in {placed[key].path.name})",
            path=source.path,
            line=line,
            hint="each chart, table and list appears once; refer to it by its number",
        )
    placed[key] = source


def _check_value(source: SourceChapter, ref: datablocks.ValueRef, surveys: Surveys) -> None:
    if datablocks.lookup(surveys, ref) is not None:
        return
    if ref.dataset not in surveys:
        hint = _suggest_data(ref.dataset, surveys)
        what = f"unknown data set '{ref.dataset}'"
    elif surveys[ref.dataset].row(ref.key) is None and ref.key != "n":
        dataset = surveys[ref.dataset]
        what = f"data set '{ref.dataset}' has no row '{ref.key}'"
        hint = "rows (tunnus): " + ", ".join(dataset.row_keys())
    else:
        what = f"'{ref.answer}' is no answer of data set '{ref.dataset}'"
        hint = "answers: " + ", ".join(surveys[ref.dataset].answers())
    raise WorkbookError(
        f"{ref.text}: {what}", path=source.path, line=source.line_of(ref.text), hint=hint
    )


def _suggest_data(ident: str, surveys: Surveys) -> str:
    close = difflib.get_close_matches(ident, list(surveys.items), n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    where = surveys.path.name if surveys.path else "no data manifest (data.manifest)"
    return f"ids are the tables of {where}"


def _check_charts_have_numbers(
    chapters: list[Chapter], numbers: Numbering, placed: dict[str, SourceChapter]
) -> None:
    """Every chart's numbers must be reachable as a table somewhere in the book."""
    for chapter in chapters:
        for ident in chapter.charts:
            if ident not in numbers.tables:
                raise WorkbookError(
                    f"the numbers of chart '{ident}' are in no table",
                    path=chapter.source.path,
                    line=chapter.source.line_of(f"![[kuvio:{ident}]]"),
                    hint=f"place ![[taulukko:{ident}]], or ![[kuvioiden-taulukot]] "
                    "in an appendix (readers of the e-version need the figures as text)",
                )


def _check_figures(
    source: SourceChapter,
    uses: list[FigureUse],
    manifest: Manifest,
    placed: dict[str, SourceChapter],
    errors: Collector | None = None,
    complete: bool = True,
) -> str | None:
    """Keep errors for unknown, repeated or misplaced illustrations (an unknown id only
    when the manifest loaded *complete*); return the opener's id."""
    errors = errors if errors is not None else Collector()
    opener = None
    for use in uses:
        if use.id not in manifest and not complete:
            continue
        with errors.attempt():
            opener = _check_figure(source, use, manifest, placed, opener)
    return opener


def _check_figure(
    source: SourceChapter,
    use: FigureUse,
    manifest: Manifest,
    placed: dict[str, SourceChapter],
    opener: str | None,
) -> str | None:
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
        return use.id
    return opener


def _suggest(target: str, targets: dict[str, Target]) -> str:
    close = difflib.get_close_matches(target, list(targets), n=1)
    if close:
        return f"did you mean '#{close[0]}'?"
    return "link to a chapter file name or a heading's {#id}"
