"""Stage 6: render one edition's HTML to PDF bytes with WeasyPrint, sandboxed.

WeasyPrint's log messages are collected: errors fail the build, warnings are
returned to the caller (and fail it in strict mode). An exception of the
renderer itself (HTML or CSS it cannot draw) is one line naming the edition,
never a traceback. Writing to disk is atomic.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from workbook.config.editions import Variant
from workbook.errors import WorkbookError
from workbook.pipeline.outputs import share, temp_folder
from workbook.render import assembly, linebreak, makeup, pagemap
from workbook.render.chapters import changed_chapters, chapter_spans, styles_first_page
from workbook.render.pagestarts import page_starts
from workbook.render.sandbox import SandboxFetcher, SandboxViolation, find_attachment
from workbook.render.sources import page_sources
from workbook.runtime.memory import collect_between_layouts, no_collections

Locator = Callable[[str], tuple[Path, int | None] | None]
_URL_RE = re.compile(r"(?:file|https?|data):[^\s'\"]+")


@dataclass
class Rendered:
    """A rendered edition, before post-processing unless *finished*."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    splits: dict[int, tuple[str, ...]] = field(default_factory=dict)
    anchor_pages: dict[str, int] = field(default_factory=dict)  # anchor -> page number
    layouts: int = 1  # how many times the book was laid out (see workbook.render.pagemap)
    chapter_layouts: int = 0  # layouts of some chapters alone (workbook.render.makeup)
    plan: makeup.Plan = field(default_factory=makeup.Plan)  # the page make-up it settled on
    sources: dict = field(default_factory=dict)  # page -> source blocks (render.sources)
    page_starts: list[dict] = field(default_factory=list)  # see workbook.render.pagestarts
    blanks: set[int] = field(default_factory=set)  # the blank pages (numbered from the first)
    finished: bool = False  # data is the finished PDF (a splice of finished pages)


def _edge_path(box: boxes.Box, last: bool) -> list[object]:
    """Elements on the path to the first (or last) block of a page, outermost first."""
    path: list[object] = []
    while isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
        kids = [
            kid
            for kid in box.children
            if isinstance(kid, boxes.BlockLevelBox)
            and not isinstance(kid, boxes.MarginBox | boxes.FootnoteAreaBox)
            and kid.element is not None
        ]
        if not kids:
            break
        box = kids[-1] if last else kids[0]
        if not path or path[-1] is not box.element:
            path.append(box.element)
    return path


def page_break_splits(document: Document) -> dict[int, tuple[str, ...]]:
    """For each page that continues an element cut by the page break before it,
    the tags of the cut elements below ``body`` (e.g. ``("section", "p")``).

    Reads WeasyPrint's laid-out page boxes (``Page._page_box``, internal in
    WeasyPrint 70): the same element object at the end of one page and the
    start of the next was cut by the break.
    """
    splits: dict[int, tuple[str, ...]] = {}
    for index in range(1, len(document.pages)):
        before = _edge_path(document.pages[index - 1]._page_box, last=True)
        after = _edge_path(document.pages[index]._page_box, last=False)
        common = []
        for a, b in zip(before, after, strict=False):
            if a is not b:
                break
            common.append(a.tag)
        tags = tuple(t for t in common if t not in ("html", "body"))
        if tags:
            splits[index] = tags
    return splits


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _collect_logs() -> Iterator[_Collector]:
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    logger.addHandler(collector)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


def render_pdf(
    html: str,
    *,
    base: Path,
    variant: Variant,
    allowed: Sequence[Path],
    source: Path,
    locate: Locator = lambda _: None,
    prepared: Mapping[str, Path] | None = None,
    known_pages: Mapping[str, int] | None = None,
    known_plan: makeup.Plan | None = None,
    max_hyphen_run: int = 2,
    max_exercise_gap: float = 15.0,
    word_spaces: tuple[float, float] | None = None,
    first_page: int = 1,
    inspect: Callable[[Document], None] | None = None,
) -> Rendered:
    """Render *html* to PDF bytes for *variant*; only files under *allowed* are read.

    *locate* maps a URL named in an error to the file and line that wrote it;
    errors name *source* when it finds nothing. *prepared* maps the URLs
    ``illustration:<id>`` and ``chart:<id>`` to the edition's prepared files.
    *known_pages* (anchor -> page, from the last build) are printed as page
    numbers when layout confirms them (:mod:`workbook.render.pagemap`).
    *known_plan* is the last build's page make-up (:mod:`workbook.render.makeup`),
    reviewed after every layout; its line breaker keeps the word spaces within
    *word_spaces* (the preflight's least and most, x the font's own space) where
    given. *first_page* is the number of the first page (a
    chapter preview's). *inspect* sees the laid-out
    document before it is written (and may raise).
    """
    if snippet := find_attachment(html):
        raise WorkbookError(
            f"'{snippet}' would embed a file in the PDF",
            path=source,
            hint="attachments are not allowed; link to the file instead",
        )
    fetcher = SandboxFetcher(allowed, prepared)
    options = {"pdf_variant": variant.pdf_variant} if variant.pdf_variant else {}
    layouts = chapter_layouts = 0

    def render(text: str, whole: bool = True) -> Document:
        if whole and layouts + chapter_layouts > 1:
            collect_between_layouts()  # the last layout's document, let go (memory rule 7)
        if whole:  # the messages of the layout that is kept, and of chapters put into it
            logs.records.clear()
        html_doc = HTML(string=text, base_url=base.as_uri() + "/", url_fetcher=fetcher)
        return html_doc.render(**options)

    def layout(text: str) -> Document:
        nonlocal layouts
        layouts += 1
        return render(text)

    # The last layout of the whole book (laid out, or assembled from chapters laid
    # out alone: workbook.render.assembly); in watch mode, the last build's.
    last = assembly.kept(variant.name) if first_page == 1 else None
    # A chapter laid out alone would take the book's `@page :first` rules.
    assemble = first_page == 1 and not styles_first_page(html)

    def chapter_alone(text: str, first: int) -> Document:
        nonlocal chapter_layouts
        chapter_layouts += 1
        known = last.landed if last is not None else {}
        return pagemap.layout_with_pages(text, known, lambda t: render(t, whole=False), first)

    # No cyclic collections while WeasyPrint renders (workbook.runtime.memory, rule 2).
    with _collect_logs() as logs, no_collections():
        try:
            pages = dict(known_pages or {})

            def laid_out(text: str) -> Document:
                """The whole book *text*: its changed chapters laid out alone and put in
                place of theirs in the last layout where that holds, else laid out."""
                nonlocal last
                chapters = changed_chapters(last.text, text) if last is not None else None
                if last is not None and chapters == set():
                    return last.document  # the same book (a watch build with nothing new)
                if last is not None and chapters and assemble and a_part(text, chapters):
                    if layouts + chapter_layouts:  # what the last round let go; the
                        collect_between_layouts()  # chapters of one assembly need none
                    made = assembly.assemble(last, text, sorted(chapters), chapter_alone)
                    if made is not None:
                        last = made
                        if pages:  # as after a whole layout: the next round starts from these
                            pages.update(made.landed)
                        return made.document
                last = None  # let go before the next layout (memory rule 7)
                document = pagemap.layout_with_pages(text, pages, layout, first_page)
                if first_page == 1:
                    last = assembly.Laid.of(text, document)
                if pages:  # a rebuild: the next round starts from this round's numbers
                    pages.update(pagemap.anchor_pages(document, first_page))
                return document

            document, plan = makeup.settle(
                html,
                known_plan or makeup.Plan(),
                laid_out,
                max_run=max_hyphen_run,
                max_gap_mm=max_exercise_gap,
                limits=linebreak.Spacing.within(*word_spaces) if word_spaces else None,
            )
            if last is not None and last.document is document:
                assembly.keep(variant.name, last)
            if inspect is not None:
                inspect(document)
            data = document.write_pdf(**options)
        except SandboxViolation as exc:
            path, line = locate(exc.url) or (source, None)
            raise WorkbookError(
                f"refused to read {exc.url} ({exc.reason})",
                path=path,
                line=line,
                hint="images and styles must be files inside the publication folder",
            ) from None
        except (WorkbookError, OSError, MemoryError, KeyboardInterrupt):
            raise  # already one line, or the machine's, not the book's
        except Exception as exc:  # the renderer failed on something it cannot draw
            raise WorkbookError(
                f"the renderer cannot draw the {variant.name} edition: "
                f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}",
                path=source,
                hint="this comes from HTML or CSS the renderer does not support; undo the "
                "last change to the chapters or styles, and report it if it is ordinary text",
            ) from None
    errors = [r.getMessage() for r in logs.records if r.levelno >= logging.ERROR]
    if errors:
        urls = _URL_RE.findall(errors[0])
        path, line = next(filter(None, map(locate, urls)), None) or (source, None)
        raise WorkbookError(
            f"WeasyPrint reported an error in the {variant.name} edition: {errors[0]}",
            path=path,
            line=line,
            hint="fix the content or style it names",
        )
    messages = (r.getMessage() for r in logs.records if r.levelno < logging.ERROR)
    warnings = list(dict.fromkeys(messages))  # a chapter laid out again may repeat one
    return Rendered(
        data=data,
        pages=len(document.pages),
        warnings=warnings,
        splits=page_break_splits(document),
        anchor_pages=pagemap.anchor_pages(document, first_page),
        layouts=layouts,
        chapter_layouts=chapter_layouts,
        plan=plan,
        sources=page_sources(document),
        page_starts=page_starts(document),
        blanks={
            number
            for number, page in enumerate(document.pages, start=first_page)
            if page._page_box.page_type.blank
        },
    )


def a_part(html: str, chapter_ids: set[str]) -> bool:
    """Whether the chapters *chapter_ids* are at most half of the book's chapters'
    text: more, and laying them out alone costs about as much as laying out the
    whole book, with less chance that their pages fit the last layout's."""
    spans = chapter_spans(html)
    total = sum(end - start for start, end in spans.values())
    chosen = sum(spans[name][1] - spans[name][0] for name in chapter_ids if name in spans)
    return 0 < chosen * 4 <= total * 3


def write_atomic(path: Path, data: bytes) -> None:
    """Write *data* to *path* via a temporary file and a rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=temp_folder(path))
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        share(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
