"""One edition, made in the build's scratch folder: its images, charts and HTML
(:func:`plan_edition`), the render with the page make-up of the last build
(:func:`render_edition`), the finishing steps of its PDF variant, and its
preflight checks (:func:`build_edition`); the cover likewise (:func:`build_cover`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from workbook.config.editions import VARIANTS, Variant
from workbook.config.palette import Palette, load_palette
from workbook.config.publication import Project
from workbook.errors import WorkbookError, display_path
from workbook.html.book import Resources, render_html
from workbook.model import Book
from workbook.pipeline import outputs
from workbook.pipeline.loading import check_page_limit
from workbook.render import makeup, pagemap, pagestarts
from workbook.runtime.memory import drop_render_garbage

if TYPE_CHECKING:
    from workbook.html.colour import OutputProfile
    from workbook.html.images import Prepared
    from workbook.preflight.checks import CheckResult

Report = Callable[[str], None]


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
    layouts: int = 1  # how many times the renderer laid the whole edition out
    chapter_layouts: int = 0  # layouts of chapters alone, put into the book (render.assembly)

    @property
    def images_converted(self) -> int:
        """How many illustrations were converted (not taken from the cache)."""
        return sum(1 for image in self.images.values() if image.converted)


@dataclass(frozen=True)
class EditionJob:
    """One edition (or the cover) to build, and where its PDF goes."""

    variant: Variant
    target: Path
    after: str | None = None  # the job (edition name) whose PDF this one needs first
    # The edition whose page make-up this one starts from when it has none of its
    # own (a clean build): the book editions share their make-up (same text, same
    # measure), so this one waits for that one's plan and page map and is laid out
    # once instead of once per make-up round. If that one fails, this one starts
    # from nothing. A rebuild starts from its own plan, beside the other edition.
    seed: str | None = None


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


class Clock:
    """Progress lines with the time since the build started: plain text, CI-friendly."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.start = time.monotonic()

    def step(self, what: str) -> None:
        """Report that *what* is done (or starting)."""
        self.report(f"[{time.monotonic() - self.start:6.1f}s] {what}")
        sys.stdout.flush()  # one write per line, so parallel editions do not interleave


_in_worker = False  # True in an edition's forked process, which ends with the edition
# Set by the parent before it forks the editions: per edition that another starts
# from (``EditionJob.seed``), an event set once its page make-up plan is written.
plan_ready: dict[str, Any] = {}


def mark_worker() -> None:
    """Note that this process was forked for one edition and ends with it, so it may
    leave WeasyPrint's garbage to the operating system (:func:`drop_render_garbage`)."""
    global _in_worker
    _in_worker = True


def build_cover(job: EditionJob, settings: RunSettings) -> EditionResult:
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


def report_result(result: EditionResult, report: Report) -> None:
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
        max_exercise_gap=book.project.config.preflight.exercise_max_gap,
        word_spaces=(
            book.project.config.preflight.word_space_min,
            book.project.config.preflight.word_space_max,
        ),
        first_page=first_page,
    )


def build_edition(job: EditionJob, settings: RunSettings) -> EditionResult:
    from workbook.finish.postprocess import finish, finish_part, finish_spliced
    from workbook.pipeline.freshness import inputs_digest
    from workbook.preflight.checks import page_count
    from workbook.render import splice
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
    known_map, known_plan = pagemap.read_map(page_map), makeup.read_plan(makeup_plan)
    if job.seed is not None and not makeup_plan.exists():  # a clean build
        if (ready := plan_ready.get(job.seed)) is not None:
            ready.wait()  # the seed's plan is written (or its job is over)
        seed = VARIANTS[job.seed].filename(book.project.config.publication.slug)
        known_plan = makeup.read_plan(makeup.plan_path(settings.out_dir, seed))
        known_map = pagemap.read_map(pagemap.map_path(settings.out_dir, seed))
    rendered, inputs = None, None
    if splice.eligible(variant):  # the last render, and the changed parts alone
        leave_out = [chapter.source.path for chapter in book.chapters]
        inputs = inputs_digest(project.config_path, settings.out_dir, leave_out=leave_out)
        if (kept := splice.load(settings.out_dir, job.target.name, inputs)) is not None:
            rendered = splice.rebuild(
                plan.html,
                kept,
                lambda part, first: render_edition(
                    part, plan, job, settings, kept.landed, known_plan, first
                ),
                tagged=variant.tagged,
                finish_part=lambda name, made: finish_part(
                    made.data, variant=variant, book=book, splits=made.splits, chapters=[name]
                ),
                finish_document=lambda pdf: finish_spliced(
                    pdf, variant=variant, book=book, profile=settings.profile
                ),
            )
    if rendered is None:
        rendered = render_edition(plan.html, plan, job, settings, known_map, known_plan)
    pagemap.write_map(page_map, pagemap.with_total(rendered))  # a hint for the next build
    makeup.write_plan(makeup_plan, rendered.plan)
    if (ready := plan_ready.get(variant.name)) is not None:
        ready.set()  # the editions that start from this plan may render now
    if scratch is not None:  # put in place with the PDF (a hint for invoke check)
        write_sources(scratch.stage(sources_path(Path(), job.target.name)), rendered.sources)
    if _in_worker:
        drop_render_garbage()
    check_page_limit(book, rendered.pages)
    if clock:
        how = laid_out(rendered)
        clock.step(f"{variant.name}: rendered {rendered.pages} pages{how}, finishing")
    if rendered.finished:
        data = rendered.data
    else:
        data = finish(
            rendered.data,
            variant=variant,
            book=book,
            splits=rendered.splits,
            profile=settings.profile,
        )
    if inputs is not None:
        splice.keep(settings.out_dir, job.target.name, plan.html, rendered, inputs, data)
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
    report = preflight_file(staged, job, settings) if settings.verify else None
    results = report.results if report is not None else []
    result = EditionResult(
        variant, job.target, pages, rendered.warnings, results, plan.images,
        staged=staged, sources=rendered.sources, layouts=rendered.layouts,
        chapter_layouts=rendered.chapter_layouts,
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


def laid_out(rendered) -> str:
    """How an edition was laid out, for the progress line ("" for once, as a whole)."""
    parts = [f"laid out {rendered.layouts} times"] if rendered.layouts > 1 else []
    if rendered.chapter_layouts:
        parts.append(f"{rendered.chapter_layouts} layouts of changed chapters alone")
    return "".join(f" ({part})" for part in parts)


def preflight_file(path: Path, job: EditionJob, settings: RunSettings):
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
