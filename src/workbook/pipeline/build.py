"""The pipeline: config -> content -> model -> HTML -> PDF editions -> checks.

Everything is loaded and validated before the first PDF is rendered, and the
content's errors are reported together. Each edition is made in the build's
scratch folder (:mod:`workbook.pipeline.outputs`) and checked there; only
when every edition of the build has passed its checks are the files moved
into place, together. A build whose checks fail moves its PDFs to
``rejected/`` instead, writes the report with the failing pages marked, and
names the chapter line behind each failure (:mod:`workbook.render.sources`).

Only what loading the content needs is imported at the top; the renderer
(WeasyPrint, pikepdf, numpy) is imported by :func:`import_renderer`, which also
applies the renderer patches, while a forked process loads the content
(:func:`load_book_overlapped`).
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.connection
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from workbook.config.editions import DEFAULT_EDITIONS, VARIANTS, Variant
from workbook.config.palette import Palette, load_palette
from workbook.config.publication import Project, check_press_config, load_config
from workbook.errors import Collector, WorkbookError, display_path
from workbook.html.book import DEFAULT_RESOURCES, Resources, render_html
from workbook.intake.chapters import load_chapters
from workbook.intake.fonts import book_fonts, check_coverage, text_faces
from workbook.intake.illustrations import EMPTY_MANIFEST, load_manifest
from workbook.intake.survey import NO_SURVEYS, load_surveys
from workbook.markup.hyphenation import hyphenator_for
from workbook.model import Book, Loaded, assemble
from workbook.patches import install_all as install_patches
from workbook.pipeline import outputs
from workbook.pipeline.forks import fork_child, receive_outcome, send_outcome
from workbook.pipeline.freshness import KeptFacts
from workbook.render import makeup, pagemap, pagestarts
from workbook.runtime.memory import drop_render_garbage, frozen_heap, no_collections

if TYPE_CHECKING:
    from workbook.html.colour import OutputProfile
    from workbook.html.images import Prepared
    from workbook.preflight.checks import CheckResult

Report = Callable[[str], None]
CHARS_PER_PAGE = 3600  # a generous page of running text: the page estimate errs low


@dataclass
class EditionResult:
    """What building one edition produced."""

    variant: Variant
    path: Path  # where the PDF is delivered
    pages: int
    warnings: list[str] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    images: dict[str, Prepared] = field(default_factory=dict)
    preflight: object | None = None  # preflight.core.EditionReport when it ran
    staged: Path | None = None  # the finished PDF in the scratch folder, until the commit
    sources: dict = field(default_factory=dict)  # page -> source blocks (render.sources)

    @property
    def images_converted(self) -> int:
        """How many illustrations were converted (not taken from the cache)."""
        return sum(1 for image in self.images.values() if image.converted)


@dataclass
class BuildResult:
    """All editions built in one run."""

    book: Book
    editions: list[EditionResult]
    preflight: object | None = None  # preflight.core.Preflight when the report was made
    ebook: object | None = None  # workbook.ebook.stage.EbookResult when it was built


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


def select_variants(names: Sequence[str] | None) -> list[Variant]:
    """Variants by name (the default editions when *names* is empty)."""
    if not names:
        return [VARIANTS[n] for n in DEFAULT_EDITIONS]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise WorkbookError(
            f"unknown edition '{unknown[0]}'", hint="choose from " + ", ".join(VARIANTS)
        )
    return [VARIANTS[n] for n in names]


@dataclass(frozen=True)
class EditionJob:
    """One edition (or the cover) to build, and where its PDF goes."""

    variant: Variant
    target: Path
    after: str | None = None  # the job (edition name) whose PDF this one needs first


@dataclass(frozen=True)
class EditionPlan:
    """An edition's prepared images and charts and its HTML, ready to render."""

    html: str
    prepared: dict[str, Path]  # illustration:<id> and chart:<id> URLs -> files
    images: dict[str, Prepared]


@dataclass(frozen=True)
class RunSettings:
    """What all editions of one build share."""

    book: Book
    allowed: tuple[Path, ...]
    resources: Resources
    profile: OutputProfile
    strict: bool
    verify: bool  # run the build checks (off: --no-check, watch previews)
    preflight: bool = False  # keep the checks' report and draw its page images
    clock: Clock | None = None
    palette: Palette | None = None
    out_dir: Path = Path("build")
    scratch: outputs.Scratch | None = None  # where the editions are made until the commit


def run_settings(
    book: Book,
    resources: Resources,
    out_dir: Path,
    *,
    strict: bool = False,
    verify: bool = True,
    preflight: bool = False,
    clock: Clock | None = None,
    scratch: outputs.Scratch | None = None,
) -> RunSettings:
    """What every edition of a build of *book* shares: palette, output profile and the
    folders the renderer may read (the publication's, by the one policy for paths of
    :mod:`workbook.config.files`, and the repository's styles and templates)."""
    from workbook.html.colour import load_output_profile

    project = book.project
    palette = load_palette(resources.styles / "palette.toml")
    profile = load_output_profile(project)
    allowed = (*project.allowed, resources.styles, resources.templates)
    return RunSettings(
        book, allowed, resources, profile, strict, verify, preflight, clock, palette, out_dir,
        scratch,
    )  # fmt: skip


def build(
    config_path: Path,
    *,
    out_dir: Path = Path("build"),
    editions: Sequence[str] | None = None,
    strict: bool = False,
    resources: Resources = DEFAULT_RESOURCES,
    report: Report = print,
    verify: bool = True,
    workers: int = 1,
    preflight: bool = False,
    cover: bool = False,
    report_editions: Sequence[str] | None = None,
    ebook: bool = False,
    inputs_digest: str | None = None,
) -> BuildResult:
    """Build the chosen editions of the publication described by *config_path*.

    With *workers* > 1 the editions render in parallel processes. With *cover*
    the cover (``[cover]`` in the config) is made too, after the press PDF it
    fits. *verify* runs each edition's checks and the comparisons of the
    editions; the files are put in place together only if all pass (else they
    go to ``rejected/`` and the failures are raised). With *preflight* the
    report (``preflight/report.html``, on *report_editions*: default the built
    ones) is written, passed or failed; without *verify* one that says nothing
    was checked. With *ebook* the EPUB and the web edition follow, once the
    PDFs are in place (:mod:`workbook.ebook.stage`); *editions* may then be
    empty. *inputs_digest* is the sources' digest the caller records.
    """
    outputs.check_out_dir(out_dir)
    with outputs.scratch(out_dir) as scratch:
        return _build(
            config_path, out_dir, editions, strict, resources, report, verify, workers,
            preflight, scratch, cover, report_editions, ebook, inputs_digest,
        )  # fmt: skip


def _build(
    config_path: Path,
    out_dir: Path,
    editions: Sequence[str] | None,
    strict: bool,
    resources: Resources,
    report: Report,
    verify: bool,
    workers: int,
    preflight: bool,
    scratch: outputs.Scratch,
    cover: bool = False,
    report_editions: Sequence[str] | None = None,
    ebook: bool = False,
    inputs_digest: str | None = None,
) -> BuildResult:
    clock = Clock(report)
    alone = (cover or ebook) and editions is not None and not editions
    variants = [] if alone else select_variants(editions)
    book, warnings = load_book_overlapped(config_path, resources, out_dir / "cache" / "intake.json")
    for warning in warnings:
        report(f"warning: {warning}")
    project = book.project
    if any(v.isbn_kind == "print" and v.pdf_variant for v in variants):
        check_press_config(project)  # the colophon names the print house
    if cover:
        from workbook.cover.layout import check_inputs

        check_inputs(project, book.manifest)
    check_page_limit(book)
    clock.step("content loaded and checked")
    settings = run_settings(
        book, resources, out_dir, strict=strict, verify=verify, preflight=preflight and verify,
        clock=clock, scratch=scratch,
    )  # fmt: skip
    slug = project.config.publication.slug
    jobs = [EditionJob(v, out_dir / v.filename(slug)) for v in variants]
    if cover:
        from workbook.cover.layout import COVER

        after = "press" if any(v.name == "press" for v in variants) else None
        jobs.append(EditionJob(COVER, out_dir / COVER.filename(slug), after))
    fonts = _start_ebook(settings, workers) if ebook and jobs else None
    try:
        outcomes = _run_jobs(jobs, settings, workers)
        _raise_edition_errors(jobs, outcomes, project)
    except BaseException:
        _stop(fonts)
        raise
    results: list[EditionResult] = outcomes
    from workbook.pipeline import verdict

    names = list(report_editions or [r.variant.name for r in results])
    judged = verdict.judge(results, settings, config_path, names) if verify else None
    verdict.commit(results, settings, judged, write_report=preflight)
    for result in results:
        _report(result, report)
    if judged is not None and judged.failures:
        _stop(fonts)
        raise judged.errors(book, results, out_dir)
    built = BuildResult(book=book, editions=results, preflight=judged.preflight if judged else None)
    if ebook:
        built.ebook = _build_ebook(settings, results, fonts, inputs_digest, report)
    return built


def _raise_edition_errors(jobs: list[EditionJob], outcomes: list, project: Project) -> None:
    """Raise the editions' errors together; one found in several editions is one line."""
    found: dict[str, tuple[WorkbookError, list[str]]] = {}
    for job, outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, WorkbookError) and not isinstance(outcome, NotMade):
            for error in outcome.errors:
                found.setdefault(str(error), (error, []))[1].append(job.variant.name)
    if not found:
        return
    errors = Collector(project.config.limits.errors)
    for error, names in found.values():
        kept = "the previous files are kept" if len(names) > 1 else "the previous file is kept"
        what = " and ".join(names) + (" editions" if len(names) > 1 else " edition")
        if names == ["cover"]:
            what = "cover"
        error.message += f" [{what} failed; {kept}]"
        errors.add(error)
    errors.raise_if_any()


def _start_ebook(settings: RunSettings, workers: int):
    """The e-book's slow part (font subsets) in a process of its own beside the
    renders, when processes can be forked; else None (done in :func:`_build_ebook`)."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    with frozen_heap():  # see workbook.runtime.memory, rule 3
        args = (settings.book, settings.resources, settings.out_dir)
        return fork_child(_prepare_and_send, args, "workbook-ebook")


def _prepare_and_send(book: Book, resources: Resources, out_dir: Path, send) -> None:
    from workbook.ebook.stage import prepare

    send_outcome(send, lambda: prepare(book, resources, out_dir))


def _stop(fonts) -> None:
    if fonts is not None:
        receive, process = fonts
        process.kill()
        process.join()
        receive.close()


def _build_ebook(settings: RunSettings, results: list[EditionResult], fonts, digest, report):
    """The EPUB and the web edition, once the print edition's page starts are written."""
    from workbook.ebook import stage

    subsets = receive_outcome(*fonts, "subsetting the e-book's fonts") if fonts else None
    if isinstance(subsets, WorkbookError):
        raise subsets
    outcome = stage.finish(
        settings.book,
        out_dir=settings.out_dir,
        resources=settings.resources,
        digest=digest,
        built={r.variant.name: r.pages for r in results},
        subsets=subsets,
        strict=settings.strict,
    )
    if settings.clock:
        settings.clock.step(f"ebook: written {display_path(outcome.epub)}")
    for line in stage.report_lines(outcome):
        report(line)
    return outcome


class Clock:
    """Progress lines with the time since the build started: plain text, CI-friendly."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.start = time.monotonic()

    def step(self, what: str) -> None:
        """Report that *what* is done (or starting)."""
        self.report(f"[{time.monotonic() - self.start:6.1f}s] {what}")
        sys.stdout.flush()  # one write per line, so parallel editions do not interleave


_IN_WORKER = False  # True in an edition's forked process, which ends with the edition


def _run_jobs(jobs: list[EditionJob], settings: RunSettings, workers: int) -> list:
    """Each job's EditionResult or WorkbookError, in parallel processes when allowed.

    Each edition runs in a process forked for it, which sends its outcome back
    through a pipe and ends with its edition, so it may leave WeasyPrint's
    garbage to the operating system (:func:`drop_render_garbage`); what it
    leaves in the temporary folder is in the build's scratch folder, removed
    with it. (A ``multiprocessing.Pool`` with one task per child forks a
    replacement for each child that ends, a copy of the whole loaded parent
    that is then never used.) With more jobs than *workers*, the rest wait.
    """
    if workers <= 1 or not jobs:
        outcomes: list = []
        for job in jobs:  # a job comes after the one it waits for
            failed = _predecessor_failed(job, jobs, outcomes)
            outcomes.append(failed or _run_job_here(job, settings))
        return outcomes
    with frozen_heap():  # see workbook.runtime.memory, rule 3
        return _fork_each(jobs, settings, workers)


def _predecessor_failed(job: EditionJob, jobs: list[EditionJob], outcomes: list):
    """A WorkbookError when the job *job* waits for failed, else None."""
    failed = (o for j, o in zip(jobs, outcomes, strict=False) if j.variant.name == job.after)
    if any(isinstance(outcome, WorkbookError) for outcome in failed):
        return NotMade(f"not made: the {job.after} edition failed", path=job.target)
    return None


class NotMade(WorkbookError):
    """A job left out because the one it waits for failed (that one's error says why)."""


def _ready(index: int, jobs: list[EditionJob], outcomes: list) -> bool:
    """Whether the job waits for nothing unfinished."""
    after = jobs[index].after
    return all(
        o is not None for j, o in zip(jobs, outcomes, strict=True) if j.variant.name == after
    )


def _fork_each(jobs: list[EditionJob], settings: RunSettings, workers: int) -> list:
    outcomes: list = [None] * len(jobs)
    waiting = list(range(len(jobs)))
    running: dict = {}  # receiving end of the pipe -> (index, process)
    try:
        while waiting or running:
            while len(running) < workers:
                ready = [i for i in waiting if _ready(i, jobs, outcomes)]
                if not ready:
                    break
                index = ready[0]
                waiting.remove(index)
                job = jobs[index]
                if failed := _predecessor_failed(job, jobs, outcomes):
                    outcomes[index] = failed
                    continue
                receive, process = fork_child(
                    _run_job_and_send, (job, settings), f"workbook-{job.variant.name}"
                )
                running[receive] = (index, process)
            for receive in multiprocessing.connection.wait(list(running)) if running else ():
                index, process = running.pop(receive)
                outcomes[index] = receive_outcome(receive, process, "building an edition")
    finally:
        for receive, (_, process) in running.items():  # only after an error here
            process.kill()
            process.join()
            receive.close()
    return outcomes


def _run_job_here(job: EditionJob, settings: RunSettings):
    try:
        return _build_job(job, settings)
    except WorkbookError as exc:
        return exc


def _run_job_and_send(job: EditionJob, settings: RunSettings, send) -> None:
    global _IN_WORKER
    _IN_WORKER = True
    send_outcome(send, lambda: _build_job(job, settings))


def _build_job(job: EditionJob, settings: RunSettings) -> EditionResult:
    if job.variant.name == "cover":
        return _build_cover(job, settings)
    return _build_edition(job, settings)


def _build_cover(job: EditionJob, settings: RunSettings) -> EditionResult:
    """Make the cover for the press PDF of this build, or the one in the output folder
    (:mod:`workbook.cover`), in the build's scratch folder like an edition."""
    from workbook.cover.build import make_cover
    from workbook.preflight.pageimages import place_thumbnails

    project, out_dir, scratch = settings.book.project, settings.out_dir, settings.scratch
    press_name = VARIANTS["press"].filename(project.config.publication.slug)
    press = out_dir / press_name
    if scratch is not None and job.after == "press":
        press = scratch.stage(press_name)  # made in this build, not yet in place
    staged = scratch.stage(job.target.name) if scratch is not None else job.target
    report_folder = out_dir / "preflight" if settings.verify else None
    made = make_cover(
        project,
        settings.book.manifest,
        target=staged,
        press=press,
        profile=settings.profile,
        palette=settings.palette or load_palette(settings.resources.styles / "palette.toml"),
        resources=settings.resources,
        cache=out_dir / "cache",
        strict=settings.strict,
        verify=scratch is None and settings.verify,  # else judged with the editions
        preflight_folder=report_folder,
    )
    checks = made.report.results if made.report is not None else []
    result = EditionResult(job.variant, job.target, 1, made.warnings, checks, staged=staged)
    if made.report is not None:
        made.report.path = job.target
        made.report.facts.path = job.target
        if settings.preflight and scratch is not None:
            made.report.thumbnails = place_thumbnails(
                scratch.stage_folder("preflight"),
                job.variant.name,
                made.report.facts.page_digests,
                cache_root=out_dir / "preflight",
            )
        result.preflight = made.report
    if settings.clock:
        checked = " and checked" if settings.verify else ", unchecked"
        settings.clock.step(f"cover: made{checked}")
    return result


def plan_edition(job: EditionJob, settings: RunSettings) -> EditionPlan:
    """Prepare one edition's images, charts and HTML (no rendering yet)."""
    from workbook.html.images import prepare_book, prepare_charts

    book, variant, out_dir = settings.book, job.variant, settings.out_dir
    palette = settings.palette or load_palette(settings.resources.styles / "palette.toml")
    profile = settings.profile
    images = prepare_book(book, variant, profile, out_dir / "cache" / "images")
    charts = prepare_charts(book, variant, palette, out_dir / "cache" / "charts")
    cmyk = variant.colour_space == "cmyk"
    html = render_html(
        book, variant, palette, settings.resources, profile=profile if cmyk else None
    )
    prepared = {
        **{f"illustration:{ident}": image.path for ident, image in images.items()},
        **{f"chart:{ident}": path for ident, path in charts.items()},
    }
    return EditionPlan(html, prepared, images)


def _report(result: EditionResult, report: Report) -> None:
    passed = sum(1 for c in result.checks if c.status == "pass")
    checked = (
        f"{passed}/{len(result.checks)} build checks passed: "
        + ", ".join(c.name for c in result.checks)
        if result.checks
        else "not checked"
    )
    where = result.path if result.path.exists() else result.staged or result.path
    size = where.stat().st_size / 1024 if where.exists() else 0
    report(
        f"{result.variant.name:>6}: {display_path(result.path)} ({result.pages} pages, "
        f"{size:.0f} KiB; {checked})"
    )
    if result.images:
        report(
            f"        illustrations: {len(result.images)}, "
            f"{result.images_converted} converted, "
            f"{len(result.images) - result.images_converted} from the cache"
        )
    for warning in result.warnings:
        report(f"        warning: {warning}")


def _resolved(plan: EditionPlan) -> str:
    """The HTML with prepared files' real URLs, so WeasyPrint's own command line can
    render it as it stands (the benchmark's baseline)."""
    html = plan.html
    for url, path in plan.prepared.items():
        html = html.replace(f'"{url}"', f'"{path.resolve().as_uri()}"')
        html = html.replace(f"url({url})", f"url({path.resolve().as_uri()})")
    return html


def locate_url(book: Book, url: str) -> tuple[Path, int | None] | None:
    """The chapter file and line that refer to *url* (by the URL or its file name)."""
    name = unquote(urlparse(url).path).rsplit("/", 1)[-1]
    for chapter in book.chapters:
        for needle in (url, name):
            if needle and (line := chapter.source.line_of(needle)) is not None:
                return chapter.source.path, line
    return None


def render_edition(
    html: str,
    plan: EditionPlan,
    job: EditionJob,
    settings: RunSettings,
    known: dict[str, int],
    known_plan: makeup.Plan | None = None,
    first_page: int = 1,
):
    """Render *html* (the edition's, or one chapter of it numbered from *first_page*)
    with the edition's sandbox and prepared files, printing the page numbers
    *known* where layout confirms them and starting from the page make-up
    *known_plan* of the last build."""
    from workbook.render.pdf import render_pdf

    book = settings.book
    return render_pdf(
        html,
        base=book.project.root,
        variant=job.variant,
        allowed=settings.allowed,
        source=book.project.config_path,
        locate=lambda url: locate_url(book, url),
        prepared=plan.prepared,
        known_pages=known,
        known_plan=known_plan,
        max_hyphen_run=book.project.config.preflight.hyphen_max_run,
        first_page=first_page,
    )


def _build_edition(job: EditionJob, settings: RunSettings) -> EditionResult:
    from workbook.finish.postprocess import finish
    from workbook.preflight.checks import page_count
    from workbook.render.sources import sources_path, write_sources

    book = settings.book
    project: Project = book.project
    variant = job.variant
    clock = settings.clock
    scratch = settings.scratch
    plan = plan_edition(job, settings)
    if clock:
        converted = sum(1 for image in plan.images.values() if image.converted)
        clock.step(f"{variant.name}: {converted} illustrations converted, rendering")
    staged = scratch.stage(job.target.name) if scratch else job.target
    staged.with_suffix(".html").write_text(_resolved(plan), encoding="utf-8")
    page_map = pagemap.map_path(settings.out_dir, job.target.name)
    makeup_plan = makeup.plan_path(settings.out_dir, job.target.name)
    rendered = render_edition(
        plan.html, plan, job, settings, pagemap.read_map(page_map), makeup.read_plan(makeup_plan)
    )
    pagemap.write_map(page_map, pagemap.with_total(rendered))  # a hint for the next build
    makeup.write_plan(makeup_plan, rendered.plan)
    if scratch is not None:  # put in place with the PDF (a hint for invoke check)
        write_sources(scratch.stage(sources_path(Path(), job.target.name)), rendered.sources)
    if _IN_WORKER:
        drop_render_garbage()
    check_page_limit(book, rendered.pages)
    if clock:
        laid = "" if rendered.layouts == 1 else f" (laid out {rendered.layouts} times)"
        clock.step(f"{variant.name}: rendered {rendered.pages} pages{laid}, finishing")
    data = finish(
        rendered.data, variant=variant, book=book, splits=rendered.splits, profile=settings.profile
    )
    if settings.strict and rendered.warnings:
        raise WorkbookError(
            f"{variant.name} edition: WeasyPrint warning in strict mode: {rendered.warnings[0]}",
            path=project.config_path,
            hint="fix the warning or build without --strict",
        )
    if scratch is not None:
        staged.write_bytes(data)
    else:  # no scratch folder (a caller of its own): written in place
        from workbook.render.pdf import write_atomic

        write_atomic(staged, data)
    pages = page_count(data)
    if variant.kind == "book":  # where pages start, for the EPUB's page list (a hint)
        path = pagestarts.starts_path(settings.out_dir, job.target.name)
        starts = pagestarts.padded(rendered.page_starts, pages)
        pagestarts.write_starts(path, starts, rendered.anchor_pages)
    report = _preflight_file(staged, job, settings) if settings.verify else None
    results = report.results if report is not None else []
    result = EditionResult(
        variant, job.target, pages, rendered.warnings, results, plan.images,
        staged=staged, sources=rendered.sources,
    )  # fmt: skip
    if clock:
        clock.step(f"{variant.name}: made" + (" and checked" if settings.verify else ", unchecked"))
    if report is not None and settings.preflight and scratch is not None:
        from workbook.preflight.pageimages import place_thumbnails

        report.path = job.target
        report.facts.path = job.target
        report.thumbnails = place_thumbnails(
            scratch.stage_folder("preflight"),
            variant.name,
            report.facts.page_digests,
            cache_root=settings.out_dir / "preflight",
        )
    if report is not None:
        result.preflight = report
    return result


def _preflight_file(path: Path, job: EditionJob, settings: RunSettings):
    """The edition's preflight checks on its PDF, made but not yet in place."""
    from workbook.preflight.core import check_file
    from workbook.preflight.facts import cache_paths

    caches = cache_paths(settings.out_dir, job.target.name)
    # With the preflight, the report's page images are drawn beside the checks
    # and placed in the report when the build is committed.
    thumbs = settings.out_dir / "preflight" if settings.preflight else None
    report = check_file(path, job.variant, settings.book.project, thumbs, caches, place=False)
    if settings.clock:
        failed = sum(1 for r in report.results if r.status == "fail")
        drawn = "; report pages drawn" if settings.preflight else ""
        settings.clock.step(f"{job.variant.name}: preflight checks done, {failed} failed{drawn}")
    return report
