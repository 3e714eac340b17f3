"""Preflight: judge the built PDFs as a print house and an accessibility auditor would.

``invoke check`` (and ``invoke build`` at its end) reads each edition back from
build/, independently of the book model that made it: only the PDF and the
configured page, limits and language (:mod:`.core`). Every check reports
pass / warn / fail with what it measured and the rule; :mod:`.report` writes a
console summary, ``build/preflight/report.json`` and an HTML report with page
thumbnails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from workbook.errors import display_path
from workbook.preflight.core import EditionReport, Preflight, run_preflight
from workbook.preflight.report import console_lines, write_reports

__all__ = ["Preflight", "check_publication", "run_preflight"]


def check_publication(
    config_path: Path,
    out_dir: Path = Path("build"),
    editions: Sequence[str] | None = None,
    strict: bool = False,
    report: Callable[[str], None] = print,
    done: dict[str, EditionReport] | None = None,
    ebook: bool = False,
) -> Preflight:
    """Check the built editions, write the reports, and raise if a check failed.

    *done* holds edition reports the build already made right after writing.
    The report replaces the previous one whole (:mod:`workbook.pipeline.outputs`);
    each failure is an error naming the chapter line behind it when the build
    kept a map of the pages' sources (:mod:`workbook.render.sources`). With
    *ebook* the EPUB and the web edition are checked too, their validators
    running while the PDFs are checked (:func:`workbook.ebook.stage.start_checks`).
    """
    from workbook.pipeline import outputs
    from workbook.pipeline.verdict import BOTH, failure_errors, move_report
    from workbook.preflight.pageimages import place_thumbnails

    with outputs.scratch(out_dir) as scratch:
        checking = None
        if ebook:
            from workbook.ebook.stage import start_checks

            checking = start_checks(config_path, out_dir)
            if checking is None:
                report("e-book: not built, not checked (invoke build builds it)")
        try:
            names = list(editions) if editions else None
            preflight = run_preflight(config_path, out_dir, names, done)
        except BaseException:
            if checking is not None:
                checking.cancel()
            raise
        if checking is not None:
            preflight.ebook = checking.finish(preflight, report)
        locations = _locations(preflight, out_dir)
        staged = scratch.stage_folder("preflight")
        drawings = out_dir / "preflight"
        for edition in preflight.editions:  # made by the build: placed again with the report
            if edition.thumbnails:
                edition.thumbnails = place_thumbnails(
                    staged, edition.variant.name, edition.facts.page_digests, cache_root=drawings
                )
        write_reports(preflight, staged, drawings=drawings, locations=locations)
        commit = outputs.Commit(scratch)
        move_report(staged, out_dir / "preflight", commit)
        commit.apply()
    html_path = out_dir / "preflight" / "report.html"
    for line in console_lines(preflight):
        report(line)
    report(f"reports: {display_path(html_path)}, {display_path(html_path.with_suffix('.json'))}")
    failed = [(e.variant.name, r) for e in preflight.editions for r in e.results]
    failed = [(name, r) for name, r in failed if r.counts(strict)]
    failed += [(BOTH, r) for r in preflight.both if r.counts(strict)]
    failed += [("ebook", r) for r in preflight.ebook if r.counts(strict)]
    if not failed:
        return preflight
    error = failure_errors(failed, locations, preflight.project, fallback=html_path)
    error.note = f"report: {display_path(html_path)}"
    raise error


def _locations(preflight: Preflight, out_dir: Path) -> dict[tuple[str, str], str]:
    """The chapter line behind each failed check, from the sources the build kept."""
    from workbook.render.sources import locate, read_sources, sources_path

    found: dict[tuple[str, str], str] = {}
    maps = {
        e.variant.name: read_sources(sources_path(out_dir, e.path.name)) for e in preflight.editions
    }
    checks = [(e.variant.name, r) for e in preflight.editions for r in e.results]
    checks += [("both", r) for r in preflight.both]
    for edition, result in checks:
        if result.status == "pass":
            continue
        sources = maps.get(edition) or maps.get("screen") or maps.get("press") or {}
        spot = locate(sources, result.pages, result.areas)
        if spot is not None:
            found[(edition, result.name)] = f"{spot[0]}:{spot[1]}" if spot[1] else spot[0]
    return found
