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

from workbook.errors import WorkbookError, display_path
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
    With *ebook* the EPUB and the web edition are checked too, their validators
    running while the PDFs are checked (:func:`workbook.ebook.stage.start_checks`).
    """
    checking = None
    if ebook:
        from workbook.ebook.stage import start_checks

        checking = start_checks(config_path, out_dir)
        if checking is None:
            report("e-book: not built, not checked (invoke build builds it)")
    try:
        preflight = run_preflight(config_path, out_dir, list(editions) if editions else None, done)
    except BaseException:
        if checking is not None:
            checking.cancel()
        raise
    if checking is not None:
        preflight.ebook = checking.finish(preflight, report)
    json_path, html_path = write_reports(preflight, out_dir / "preflight")
    for line in console_lines(preflight):
        report(line)
    report(f"reports: {display_path(html_path)}, {display_path(json_path)}")
    failed = preflight.failed(strict)
    if failed:
        first = failed[0]
        raise WorkbookError(
            f"preflight: {len(failed)} check(s) failed, first '{first.name}': {first.measured}",
            path=html_path,
            hint=first.rule,
        )
    return preflight
