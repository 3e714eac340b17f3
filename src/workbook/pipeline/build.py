"""The pipeline: config -> content -> model -> HTML -> PDF editions -> checks.

Everything is loaded and validated before the first PDF is rendered
(:mod:`~workbook.pipeline.loading`), and the content's errors are reported
together. Each edition is made in the build's scratch folder
(:mod:`~workbook.pipeline.outputs`, :mod:`~workbook.pipeline.edition`), in a
process of its own (:mod:`~workbook.pipeline.jobs`), and checked there; only
when every edition of the build has passed its checks are the files moved
into place, together (:mod:`~workbook.pipeline.verdict`). A build whose checks
fail moves its PDFs to ``rejected/`` instead, writes the report with the
failing pages marked, and names the chapter line behind each failure
(:mod:`workbook.render.sources`). The EPUB and the web edition follow the PDFs.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbook.config.editions import DEFAULT_EDITIONS, VARIANTS, Variant
from workbook.config.publication import Project, check_press_config
from workbook.errors import Collector, WorkbookError, display_path
from workbook.html.book import DEFAULT_RESOURCES, Resources
from workbook.model import Book
from workbook.pipeline import outputs
from workbook.pipeline.edition import (
    Clock,
    EditionJob,
    EditionResult,
    Report,
    RunSettings,
    report_result,
    run_settings,
)
from workbook.pipeline.forks import fork_child, receive_outcome, send_outcome
from workbook.pipeline.jobs import NotMade, run_jobs
from workbook.pipeline.loading import (  # noqa: F401 (the pipeline's entry points, in one place)
    check_page_limit,
    import_renderer,
    load_book,
    load_book_overlapped,
)
from workbook.runtime.memory import frozen_heap


@dataclass
class BuildResult:
    """All editions built in one run."""

    book: Book
    editions: list[EditionResult]
    preflight: object | None = None  # preflight.core.Preflight when the report was made
    ebook: object | None = None  # workbook.ebook.stage.EbookResult when it was built


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
    jobs = _edition_jobs(variants, out_dir, slug)
    if cover:
        from workbook.cover.layout import COVER

        after = "press" if any(v.name == "press" for v in variants) else None
        jobs.append(EditionJob(COVER, out_dir / COVER.filename(slug), after))
    fonts = _start_ebook(settings, workers) if ebook and jobs else None
    try:
        outcomes = run_jobs(jobs, settings, workers)
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
        report_result(result, report)
    if judged is not None and judged.failures:
        _stop(fonts)
        raise judged.errors(book, results, out_dir)
    built = BuildResult(book=book, editions=results, preflight=judged.preflight if judged else None)
    if ebook:
        built.ebook = _build_ebook(settings, results, fonts, inputs_digest, report)
    return built


def _edition_jobs(variants: list[Variant], out_dir: Path, slug: str) -> list[EditionJob]:
    """One job per edition; every book edition after the first starts from the first's
    page make-up (:class:`EditionJob` ``seed``)."""
    jobs: list[EditionJob] = []
    leader: str | None = None
    for variant in variants:
        target = out_dir / variant.filename(slug)
        seed = leader if variant.kind == "book" else None
        jobs.append(EditionJob(variant, target, seed=seed))
        if variant.kind == "book":
            leader = leader or variant.name
    return jobs


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
