"""The commands behind ``tasks.py``: each starts the runtime, then runs one stage.

``tasks.py`` only declares the options and turns a :class:`WorkbookError` into
one line and a non-zero exit. Heavy modules (pydantic, WeasyPrint) are imported
only when a command needs them, so ``invoke build`` with nothing to do answers
in a fraction of a second.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from workbook.errors import WorkbookError
from workbook.runtime.startup import start

Report = Callable[[str], None]


def build(
    config: Path,
    *,
    editions: Sequence[str] = (),
    out: Path = Path("build"),
    strict: bool = False,
    check: bool = True,
    handout: bool = False,
    verbose: bool = False,
    report: Report = print,
) -> None:
    """Build the out-of-date editions, then preflight them (``invoke build``)."""
    start()
    from workbook.config.editions import DEFAULT_EDITIONS, HANDOUTS
    from workbook.pipeline import freshness, outputs

    outputs.check_out_dir(out)

    names = list(editions or DEFAULT_EDITIONS)
    if handout:
        names += [name for name in HANDOUTS if name not in names]
    if verbose:
        for line in patch_lines():
            report(line)
    outputs = freshness.with_cover(config, names)
    if not freshness.stale_editions(config, out, outputs) and (
        not check
        or (
            freshness.preflight_fresh(config, out, outputs, strict)
            and freshness.spec_written(config, out, outputs)
        )
    ):
        report("up to date: " + ", ".join(outputs) + (" (and the preflight)" if check else ""))
        return
    from workbook.pipeline.make import make

    make(config, out_dir=out, editions=names, strict=strict, check=check, report=report)


def patch_lines() -> list[str]:
    """The renderer patches and whether each is active, one line each (``build -v``)."""
    from workbook import patches

    warnings = patches.install_all()
    lines = ["renderer patches (workbook.patches):"]
    lines += [f"  {outcome.line()}" for outcome in patches.outcomes()]
    return lines + [f"warning: {warning}" for warning in warnings]


def check(
    config: Path,
    *,
    editions: Sequence[str] = (),
    out: Path = Path("build"),
    strict: bool = False,
    report: Report = print,
) -> None:
    """Preflight the built PDFs and write the reports (``invoke check``)."""
    start()
    from workbook.config.editions import DEFAULT_EDITIONS
    from workbook.pipeline import freshness, outputs
    from workbook.preflight import check_publication

    outputs.check_out_dir(out)
    names = freshness.with_cover(config, list(editions or DEFAULT_EDITIONS))
    check_publication(config, out, names, strict=strict, report=report)


def proof(config: Path, *, edition: str, dpi: int, out: Path) -> Path:
    """Write a PNG proof sheet of a built edition's spreads (``invoke proof``)."""
    start()
    from workbook.config.publication import load_config
    from workbook.pipeline import outputs
    from workbook.preflight.proof import contact_sheet

    slug = load_config(config).config.publication.slug
    pdf = out / f"{slug}-{edition}.pdf"
    outputs.check_out_dir(out)
    with outputs.scratch(out):  # its temporary page images live there, not in TMPDIR
        return contact_sheet(pdf, out / "proof" / f"{slug}-{edition}.png", dpi=dpi)


def watch(config: Path, *, edition: str, out: Path, interval: float) -> None:
    """Rebuild an edition on every change until Ctrl-C (``invoke watch``)."""
    start()
    from workbook.pipeline.watch import watch as run_watch

    run_watch(config, out_dir=out, edition=edition, interval=interval)


def clean(out: Path) -> None:
    """Remove the output folder *out* (``invoke clean``); refuse anything but a folder
    of outputs."""
    if Path.cwd().is_relative_to(out.resolve()):
        raise WorkbookError(
            "holds the folder this command runs in", path=out, hint="give --out the build folder"
        )
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise WorkbookError(
            "is not an output folder", path=out, hint="give --out the folder a build wrote"
        )
    if out.is_dir() and any(out.glob("*.toml")) and not (out / ".state").is_dir():
        raise WorkbookError(
            "looks like a publication folder, not build output",
            path=out,
            hint="give --out the folder a build wrote",
        )
    shutil.rmtree(out, ignore_errors=True)
