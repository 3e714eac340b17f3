"""``invoke build``: build what is out of date, in parallel, then preflight.

Editions whose inputs are unchanged since their PDF was written are not
rendered again (:mod:`workbook.pipeline.freshness`); the others render in parallel
processes, each running its preflight checks as soon as its PDF exists; the
cover (with a ``[cover]`` table) follows the press edition it fits; the
checks that compare the editions and the report follow, before anything is
put in place (:mod:`workbook.pipeline.verdict`), and the spec sheet after.
Without checks (``--no-check``, watch mode) nothing is checked and the report
says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.config.editions import DEFAULT_EDITIONS
from workbook.errors import display_path
from workbook.pipeline import freshness, outputs
from workbook.pipeline.build import BuildResult, build

if TYPE_CHECKING:
    from workbook.preflight import Preflight


@dataclass
class MakeResult:
    """What one ``make`` did."""

    built: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    build: BuildResult | None = None
    preflight: Preflight | None = None
    preflight_skipped: bool = False


def make(
    config_path: Path,
    *,
    out_dir: Path = Path("build"),
    editions: Sequence[str] | None = None,
    strict: bool = False,
    check: bool = True,
    workers: int = 2,
    verify: bool = True,
    report: Callable[[str], None] = print,
    cover: bool = True,
    ebook: bool = False,
    force: Sequence[str] = (),
) -> MakeResult:
    """Build the out-of-date editions and preflight them; say what was up to date.

    *check* False (``--no-check``) or *verify* False (watch mode's quick preview)
    writes without any checks. With *cover* the cover and the spec sheet follow
    the press edition (when the config has a ``[cover]`` table). With *ebook*
    the EPUB and the web edition are built too when out of date, and checked
    with the preflight (:mod:`workbook.ebook.stage`); *editions* may then be
    empty. The editions named in *force* are built even when up to date.
    """
    alone = ebook and editions is not None and not editions  # the e-book alone
    names = list(editions) if editions or alone else list(DEFAULT_EDITIONS)
    if cover:
        names = freshness.with_cover(config_path, names)
    checked = check and verify
    outputs.check_out_dir(out_dir)
    outputs.recover(out_dir)
    digest = freshness.inputs_digest(config_path, out_dir)
    stale = freshness.stale_editions(config_path, out_dir, names, digest)
    stale += [name for name in names if name in force and name not in stale]
    outcome = MakeResult(built=stale, up_to_date=[n for n in names if n not in stale])
    slug = freshness.slug_of(config_path) or "book"
    for name in outcome.up_to_date:
        report(f"{name:>6}: up to date ({display_path(out_dir / f'{slug}-{name}.pdf')})")
    ebook_stale = False
    if ebook:
        from workbook.ebook import stage

        # A PDF it offers rebuilt (a new handout) changes the download page too.
        offered = set(stale) & {*stage.OFFERED, "press"}
        ebook_stale = bool(offered) or stage.stale(config_path, out_dir, digest)
        pages_missing = not set(stale) & {"press", "screen"}
        if ebook_stale and pages_missing and stage.needs_pages(config_path, out_dir, digest):
            stale.append("press" if "press" in names else "screen")  # for the page list
        if not ebook_stale:
            report(" ebook: up to date")
    done = {}
    if stale or ebook_stale:
        outcome.build = build(
            config_path,
            out_dir=out_dir,
            editions=[name for name in stale if name != "cover"],
            strict=strict,
            report=report,
            workers=workers,
            preflight=True,
            verify=checked,
            cover="cover" in stale,
            report_editions=names,
            ebook=ebook_stale,
            inputs_digest=digest,
        )
        for edition in outcome.build.editions:
            freshness.record_edition(config_path, out_dir, edition.variant.name, digest)
            if edition.preflight is not None:
                done[edition.variant.name] = edition.preflight
    if not checked:
        return outcome
    ebook_checked = not ebook or (not ebook_stale and stage.checks_fresh(config_path, out_dir))
    if outcome.build is not None and ebook_checked:
        # The build checked its editions, compared them and wrote the report.
        from workbook.preflight.report import console_lines

        outcome.preflight = outcome.build.preflight  # type: ignore[assignment]
        if outcome.preflight is not None:
            for line in console_lines(outcome.preflight):
                report(line)
            report(f"reports: {display_path(out_dir / 'preflight' / 'report.html')}")
        freshness.record_preflight(config_path, out_dir, names, strict)
    elif (
        not stale and ebook_checked
        and (freshness.preflight_fresh(config_path, out_dir, names, strict) or not names)
    ):  # fmt: skip
        report("preflight: up to date (it passed on these files)")
        outcome.preflight_skipped = True
    else:
        from workbook.preflight import check_publication

        outcome.preflight = check_publication(
            config_path, out_dir, names or None, strict, report, done, ebook=ebook
        )
        freshness.record_preflight(config_path, out_dir, names, strict)
    if "cover" in names:
        from workbook.cover.spec import write_spec_sheet

        with outputs.scratch(out_dir):  # its temporary files, WeasyPrint's too, in build/.tmp
            write_spec_sheet(config_path, out_dir, report)
    return outcome
