"""Whether a build's editions may replace the previous outputs, and the commit that does it.

Every edition of a build has been made and checked in the scratch folder
(:mod:`workbook.pipeline.outputs`). :func:`judge` adds the checks that
compare the editions and collects every failure (warnings too in strict
mode). :func:`commit` then moves the files in one journalled commit: into
place when nothing failed (with stale rejects removed), into ``rejected/``
when something did, where an editor can look at them and a print house does
not pick them up. The report is part of the commit either way, with the
failing pages marked, and :meth:`Verdict.errors` names the chapter line
behind each failure (:mod:`workbook.render.sources`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.errors import Collector, WorkbookError, display_path
from workbook.pipeline import outputs
from workbook.render.sources import locate, sources_path

if TYPE_CHECKING:
    from workbook.model import Book
    from workbook.pipeline.edition import EditionResult, RunSettings
    from workbook.preflight.checks import CheckResult
    from workbook.preflight.core import Preflight

_THUMB_RE = re.compile(r"[a-z]+(?:-[a-z]+)*-\d+\.png")
COMPANIONS = (".html", "-front.jpg")  # files made beside an edition's PDF
BOTH = "both"


@dataclass
class Verdict:
    """The checks' outcome for one build."""

    preflight: Preflight | None
    failures: list[tuple[str, CheckResult]] = field(default_factory=list)  # (edition, result)
    locations: dict[tuple[str, str], str] = field(default_factory=dict)  # -> "file:line"

    def errors(self, book: Book, results: Sequence[EditionResult], out_dir: Path) -> WorkbookError:
        """One error per chapter line behind the failures; the note says where the
        rejected files and the report are."""
        error = failure_errors(self.failures, self.locations, book.project)
        rejected = ", ".join(
            display_path(out_dir / outputs.REJECTED / r.path.name) for r in results
        )
        report = display_path(out_dir / "preflight" / "report.html")
        error.note = (
            f"rejected: {rejected}; report: {report}; "
            f"{display_path(out_dir)} keeps the previous PDFs"
        )
        return error


def failure_errors(
    failures: Sequence[tuple[str, CheckResult]],
    locations: dict[tuple[str, str], str],
    project,
    fallback: Path | None = None,
) -> WorkbookError:
    """The failed checks as errors, one per cause: failures located at the same
    chapter line are one error, and a failed comparison of the editions on pages
    where an edition's own failure was found is part of that one."""
    groups: list[tuple[str, list[tuple[str, CheckResult]]]] = []
    for edition, check in failures:
        where = locations.get((edition, check.name), "")
        home = next((g for g in groups if where and g[0] == where), None)
        if home is None and edition == BOTH and check.pages:
            home = next(
                (g for g in groups if set(check.pages) <= {p for _, c in g[1] for p in c.pages}),
                None,
            )
        if home is None:
            groups.append((where, [(edition, check)]))
        else:
            home[1].append((edition, check))
    errors = Collector(project.config.limits.errors)
    for where, members in groups:
        path, _, line = where.rpartition(":") if ":" in where else (where, "", "")
        first = members[0][1]
        editions = list(dict.fromkeys(e for e, _ in members if e != BOTH))
        names = list(dict.fromkeys(c.name for _, c in members))
        if not editions:
            who = "the editions"
        else:
            who = " and ".join(editions) + (" editions" if len(editions) > 1 else " edition")
        checks = (
            "check " + repr(names[0])
            if len(names) == 1
            else "checks " + ", ".join(repr(n) for n in names)
        )
        on = f" on p. {first.pages[0]}" if first.pages and "p. " not in first.measured else ""
        errors.add(
            WorkbookError(
                f"{who} failed {checks}{on}: {first.measured}",
                path=project.root / path if path else (fallback or project.config_path),
                line=int(line) if line.isdigit() else None,
                hint=first.rule,
            )
        )
    try:
        errors.raise_if_any()
    except WorkbookError as error:
        return error
    raise AssertionError("failure_errors() without failures")


def judge(
    results: Sequence[EditionResult], settings: RunSettings, config_path: Path, names: list[str]
) -> Verdict:
    """Collect the editions' failed checks; with the preflight, compare the editions
    (*names*: those of the report, built now or before)."""
    strict = settings.strict

    def bad(result: CheckResult) -> bool:
        return result.counts(strict)

    verdict = Verdict(None)
    for result in results:
        verdict.failures += [(result.variant.name, c) for c in result.checks if bad(c)]
    if settings.preflight:
        from workbook.preflight.core import run_preflight

        done = {r.variant.name: r.preflight for r in results if r.preflight is not None}
        verdict.preflight = run_preflight(config_path, settings.out_dir, names, done)  # type: ignore[arg-type]
        verdict.failures += [(BOTH, c) for c in verdict.preflight.both if bad(c)]
    verdict.locations = _locations(verdict, results, settings)
    return verdict


def _locations(
    verdict: Verdict, results: Sequence[EditionResult], settings: RunSettings
) -> dict[tuple[str, str], str]:
    """The chapter line ("file:line") behind each failed or warned check."""
    book = settings.book
    lines = {_relative(c.source.path, book.project.root): c.source.lines for c in book.chapters}
    by_name = {r.variant.name: r for r in results}
    found = {}
    checks = [(r.variant.name, c) for r in results for c in r.checks]
    if verdict.preflight is not None:
        checks += [(BOTH, c) for c in verdict.preflight.both]
    for edition, check in checks:
        if check.status == "pass":
            continue
        result = by_name.get(edition) or by_name.get("screen") or by_name.get("press")
        sources = result.sources if result is not None else {}
        spot = locate(sources, check.pages, check.areas, getattr(check, "needle", ""), lines)
        if spot is not None:
            found[(edition, check.name)] = f"{spot[0]}:{spot[1]}" if spot[1] else spot[0]
    return found


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return path.name


def commit(
    results: Sequence[EditionResult],
    settings: RunSettings,
    verdict: Verdict | None,
    *,
    write_report: bool,
) -> None:
    """Move the build's files in place (or to ``rejected/``) in one commit, with the report."""
    scratch = settings.scratch
    assert scratch is not None
    out = settings.out_dir
    done = outputs.Commit(scratch)
    rejected = bool(verdict is not None and verdict.failures)
    for result in results:
        assert result.staged is not None
        target = out / outputs.REJECTED / result.path.name if rejected else result.path
        done.move(result.staged, target)
        for suffix in COMPANIONS:  # the HTML it was made from, the cover's front picture
            companion = result.staged.with_name(result.staged.stem + suffix)
            if companion.exists():
                done.move(companion, target.with_name(target.stem + suffix))
        if rejected:
            continue
        for suffix in (".pdf", *COMPANIONS):
            done.delete(out / outputs.REJECTED / (result.path.stem + suffix))
        sources = scratch.stage(sources_path(Path(), result.path.name))
        if sources.exists():
            done.move(sources, sources_path(out, result.path.name))
    if write_report:
        _stage_report(results, settings, verdict, done)
    done.apply()
    if rejected:
        for result in results:
            result.path = out / outputs.REJECTED / result.path.name


def _stage_report(
    results: Sequence[EditionResult],
    settings: RunSettings,
    verdict: Verdict | None,
    done: outputs.Commit,
) -> None:
    """Write the report into the scratch folder and add its files to the commit,
    removing the page images of older reports."""
    from workbook.preflight.report import write_reports, write_unchecked

    scratch = settings.scratch
    assert scratch is not None
    staged = scratch.stage_folder("preflight")
    staged.mkdir(parents=True, exist_ok=True)
    folder = settings.out_dir / "preflight"
    if verdict is not None and verdict.preflight is not None:
        rejected = [r.path.name for r in results] if verdict.failures else []
        write_reports(
            verdict.preflight,
            staged,
            drawings=folder,
            rejected=rejected,
            locations=verdict.locations,
        )
    else:
        write_unchecked(
            settings.book.project, [(r.variant.name, r.path, r.pages) for r in results], staged
        )
    move_report(staged, folder, done)


def move_report(staged: Path, folder: Path, done: outputs.Commit) -> None:
    """Add the report files staged in *staged* to the commit *done*, to replace the
    report in *folder*, and remove page images of older reports."""
    placed = {path.name for path in staged.iterdir() if path.is_file()}
    if folder.is_dir():
        for old in folder.iterdir():
            if _THUMB_RE.fullmatch(old.name) and old.name not in placed:
                done.delete(old)
    for name in sorted(placed):
        done.move(staged / name, folder / name)
