"""A chapter preview: one chapter laid out alone, with the book's page numbers.

Chapters open on a recto, so a chapter's pages depend on the rest of the book
only through its first page number and the page numbers it prints of other
chapters' targets. Both are in the page map of the last full build
(:mod:`workbook.render.pagemap`). A preview is the edition's HTML with only the
edited chapter in its body, the page counter starting at the chapter's first
page (``@page :first { counter-reset: page N }``), and every page reference
printed from the map (``data-page``, as a full build does). Running heads come
from the chapter itself. Targets in other chapters are printed from the map
and keep no link.

The preview is written to ``build/preview/<chapter id>.pdf`` without the
checks; the full build settles the book. When the chapter now has more or
fewer pages than the map says, the preview says so: the pages after it will
move in the full build. So it does when the styles have ``@page :first`` rules,
meant for the book's first page, which style the preview's first page.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbook.errors import WorkbookError
from workbook.html.book import DEFAULT_RESOURCES, Resources
from workbook.model import Book, kept_conversions
from workbook.render import makeup, pagemap
from workbook.render.chapters import chapters_document, styles_first_page


@dataclass(frozen=True)
class Preview:
    """What one preview made."""

    chapter: str  # the chapter's id
    path: Path
    first_page: int
    pages: int
    next_first: int | None  # where the book's next part starts in the map (None: the end)
    book_pages: int | None  # the edition's page count in the map
    seconds: float
    first_styled: bool = False  # the styles have `@page :first` rules (for the book's p. 1)

    @property
    def moves(self) -> bool:
        """Whether the pages after the chapter move in the next full build."""
        end = self.first_page + self.pages  # the page after the chapter's last
        if self.next_first is None:
            return self.book_pages is not None and end - 1 != self.book_pages
        return end + (end % 2 == 0) != self.next_first  # the next chapter opens on a recto

    def line(self) -> str:
        """One line for the watcher's report."""
        last = self.first_page + self.pages - 1
        text = f"preview {self.path.name}: pp. {self.first_page}-{last} in {self.seconds:.1f} s"
        if self.moves:
            text += "; its page count changed: the full build moves the pages after it"
        if self.first_styled:
            text += "; the styles' @page :first rules (for the book's p. 1) style its first page"
        return text


def chapter_document(
    html: str, chapter_id: str, first_page: int, pages: dict[str, int] | None = None
) -> str:
    """*html* (a whole edition) with only the chapter in its body, numbered from
    *first_page*; links to other chapters print their page from *pages*."""
    return chapters_document(html, [chapter_id], first_page, pages)


def chapter_starts(book: Book, pages: dict[str, int]) -> dict[str, tuple[int, int | None]]:
    """Each chapter's first page, and the first page of the chapter after it (None for
    the last), from a page map."""
    firsts = [(c.id, pages.get(c.id)) for c in book.chapters]
    starts: dict[str, tuple[int, int | None]] = {}
    for index, (ident, first) in enumerate(firsts):
        if first is not None:
            following = next((f for _, f in firsts[index + 1 :] if f is not None), None)
            starts[ident] = (first, following)
    return starts


def preview_chapter(
    book: Book,
    chapter_id: str,
    *,
    html: str,
    render,
    out_dir: Path,
    pdf_name: str,
) -> Preview:
    """Lay out chapter *chapter_id* of the edition whose whole HTML is *html*.

    *render* is ``render(html, known_pages, first_page) -> Rendered`` (the edition's own
    renderer, sandbox and prepared images); *pdf_name* names the edition's PDF,
    whose page map is read. Raises :class:`WorkbookError` when there is no page
    map yet.
    """
    from workbook.render.pdf import write_atomic

    started = time.monotonic()
    chapter = next((c for c in book.chapters if c.id == chapter_id), None)
    if chapter is None:
        raise WorkbookError(f"no chapter '{chapter_id}' in the book", path=book.project.config_path)
    known = pagemap.read_map(pagemap.map_path(out_dir, pdf_name))
    span = chapter_starts(book, known).get(chapter_id)
    if span is None:
        raise WorkbookError(
            "no page map of a full build to preview the chapter with",
            path=chapter.source.path,
            hint="run invoke build once; the watcher previews chapters after that",
        )
    first, next_first = span
    # Paragraphs numbered in the whole book, as the book's page make-up names them.
    document = chapter_document(makeup.number_paragraphs(html), chapter_id, first, known)
    rendered = render(document, known, first)
    target = out_dir / "preview" / f"{chapter_id}.pdf"
    write_atomic(target, rendered.data)
    seconds = time.monotonic() - started
    total = known.get(pagemap.LAST_PAGE)
    styled = styles_first_page(html)
    return Preview(chapter_id, target, first, rendered.pages, next_first, total, seconds, styled)


def preview(
    config_path: Path,
    changed: Sequence[Path],
    *,
    out_dir: Path = Path("build"),
    edition: str = "screen",
    resources: Resources = DEFAULT_RESOURCES,
) -> list[Preview]:
    """Preview every chapter among the *changed* files of the publication (in the
    edition's look), from the page map of the last full build."""
    from workbook.config.editions import VARIANTS
    from workbook.pipeline.edition import EditionJob, plan_edition, render_edition, run_settings
    from workbook.pipeline.loading import import_renderer, load_book

    changed_files = {path.resolve() for path in changed}
    with kept_conversions():  # the chapters not saved are not converted again
        book = load_book(config_path, resources, out_dir / "cache" / "intake.json")
    chapters = [c for c in book.chapters if c.source.path.resolve() in changed_files]
    if not chapters:
        return []
    import_renderer()
    settings = run_settings(book, resources, out_dir, verify=False)
    variant = VARIANTS[edition]
    job = EditionJob(variant, out_dir / variant.filename(book.project.config.publication.slug))
    plan = plan_edition(job, settings)
    made_up = makeup.read_plan(makeup.plan_path(out_dir, job.target.name))  # the book's make-up
    return [
        preview_chapter(
            book,
            chapter.id,
            html=plan.html,
            render=lambda html, known, first: render_edition(
                html, plan, job, settings, known, made_up, first
            ),
            out_dir=out_dir,
            pdf_name=job.target.name,
        )
        for chapter in chapters
    ]
