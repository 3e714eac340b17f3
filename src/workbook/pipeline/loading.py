"""Loading: everything a build needs, read and validated before anything renders.

Only what loading the content needs is imported at the top; the renderer
(WeasyPrint, pikepdf, numpy) is imported by :func:`import_renderer`, which also
applies the renderer patches, while a forked process loads the content
(:func:`load_book_overlapped`).
"""

from __future__ import annotations

import importlib
import multiprocessing
import sys
from pathlib import Path

from workbook.config.publication import load_config
from workbook.errors import Collector, WorkbookError
from workbook.html.book import DEFAULT_RESOURCES, Resources
from workbook.intake.chapters import load_chapters
from workbook.intake.fonts import book_fonts, check_coverage, text_faces
from workbook.intake.illustrations import EMPTY_MANIFEST, load_manifest
from workbook.intake.survey import NO_SURVEYS, load_surveys
from workbook.markup.hyphenation import hyphenator_for
from workbook.model import Book, Loaded, assemble
from workbook.patches import install_all as install_patches
from workbook.pipeline.forks import fork_child, receive_outcome, send_outcome
from workbook.pipeline.freshness import KeptFacts
from workbook.runtime.memory import no_collections

CHARS_PER_PAGE = 3600  # a generous page of running text: the page estimate errs low


def load_book(
    config_path: Path, resources: Resources = DEFAULT_RESOURCES, kept_at: Path | None = None
) -> Book:
    """Load and validate everything a build needs; render nothing.

    Errors in the content are collected and raised together, up to
    ``limits.errors`` (a check that depends on input that failed is left out).
    *kept_at* (a JSON file) remembers, by file content, what was learnt of the
    fonts and illustrations in the last build (:class:`~.freshness.KeptFacts`).
    """
    kept = KeptFacts(kept_at) if kept_at is not None else None
    project = load_config(config_path)
    errors = Collector(project.config.limits.errors)
    sources = load_chapters(project, errors)
    loaded_chapters = not errors
    manifest, surveys, faces = EMPTY_MANIFEST, NO_SURVEYS, None
    try:
        before = len(errors.found)
        with errors.attempt():
            manifest = load_manifest(project, kept, errors)
        loaded_manifest = len(errors.found) == before
        with errors.attempt():
            faces = text_faces(book_fonts(resources.styles / "fonts", kept), resources.book_css)
    finally:
        if kept is not None:
            kept.save()
    before = len(errors.found)
    with errors.attempt():
        surveys = load_surveys(project, errors)
    loaded = Loaded(loaded_chapters, loaded_manifest, len(errors.found) == before)
    typography = project.config.typography
    hyphenator = hyphenator_for(
        project.config.publication.language,
        typography.hyphen_min_left,
        typography.hyphen_min_right,
        typography.hyphen_min_word,
    )
    book = assemble(project, sources, hyphenator, manifest, surveys, errors, loaded)
    if faces is not None:
        pub = project.config.publication
        front = " ".join([pub.title, pub.subtitle, *pub.authors, pub.illustrator, pub.publisher])
        config_lines = project.config_path.read_text(encoding="utf-8").splitlines()
        with errors.attempt():
            check_coverage(front, faces, path=project.config_path, lines=config_lines)
        for chapter in book.chapters:
            source = chapter.source
            with errors.attempt():
                check_coverage(
                    chapter.title + chapter.text, faces, path=source.path, lines=source.lines
                )
    errors.raise_if_any()
    return book


def estimated_pages(book: Book) -> int:
    """A low estimate of an edition's pages: the text's length, plus the openers."""
    text = sum(len(chapter.text) for chapter in book.chapters)
    return text // CHARS_PER_PAGE + 2 * len(book.chapters)


def check_page_limit(book: Book, pages: int | None = None) -> None:
    """One line when the book has, or will have, more pages than ``limits.pages``."""
    project = book.project
    limit = project.config.limits.pages
    count = pages if pages is not None else estimated_pages(book)
    if count <= limit:
        return
    what = f"{count} pages" if pages is not None else f"at least {count} pages"
    text = project.config_path.read_text(encoding="utf-8")
    from workbook.config.publication import toml_key_line

    raise WorkbookError(
        f"the book would have {what}, more than the limit of {limit} (limits.pages)",
        path=project.config_path,
        line=toml_key_line(text, ["limits", "pages"]),
        hint="check for a chapter pasted twice or a runaway table; raise limits.pages "
        "in publication.toml if the book really is that long",
    )


RENDERER = (
    "workbook.render.pdf",
    "workbook.finish.postprocess",
    "workbook.preflight.checks",
    "workbook.preflight",
)


def import_renderer() -> list[str]:
    """Import what rendering and checking need (WeasyPrint, pikepdf, numpy) and apply
    the renderer patches (:func:`workbook.patches.install_all`); return its warnings.

    pypdf is left to the press edition's process, the only one that uses it.
    Imports keep what they make, so the collector is paused meanwhile
    (:mod:`workbook.runtime.memory`, rule 1).
    """
    with no_collections():
        for name in RENDERER:
            importlib.import_module(name)
        return install_patches()


def load_book_overlapped(
    config_path: Path, resources: Resources = DEFAULT_RESOURCES, kept_at: Path | None = None
) -> tuple[Book, list[str]]:
    """:func:`load_book` in a forked process while this one imports the renderer.

    Each takes about a third of a second, and a fresh ``invoke build`` needs
    both before the first page is laid out; side by side on two cores they cost
    one. The book comes back pickled; a :class:`WorkbookError` comes back as
    itself. Where the renderer is already imported (watch mode, the tests) or
    ``fork`` is missing, the book is loaded here. The warnings are the
    renderer patches' (:func:`import_renderer`).
    """
    if "weasyprint" in sys.modules or "fork" not in multiprocessing.get_all_start_methods():
        book = load_book(config_path, resources, kept_at)
        return book, import_renderer()
    receive, loader = fork_child(_load_and_send, (config_path, resources, kept_at), "workbook-load")
    try:
        warnings = import_renderer()
    except BaseException:
        receive.close()  # the loader's send fails, and it ends
        loader.join()
        raise
    book = receive_outcome(receive, loader, "loading the content")
    if isinstance(book, WorkbookError):
        raise book
    return book, warnings


def _load_and_send(config_path: Path, resources: Resources, kept_at: Path | None, send) -> None:
    with no_collections():  # the book keeps what loading makes; the process ends with it
        send_outcome(send, lambda: load_book(config_path, resources, kept_at))
