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
EBOOK = "ebook"  # the EPUB, the web edition and the download page, as an edition name


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
    """Build the out-of-date editions, then preflight them (``invoke build``).

    The EPUB and the web edition (the name ``ebook``) come with the default
    editions, or when named.
    """
    start()
    out = Path(out).absolute()  # tools run in folders of their own: no relative paths
    from workbook.config.editions import DEFAULT_EDITIONS, HANDOUTS, VARIANTS
    from workbook.ebook import stage
    from workbook.pipeline import freshness, outputs

    outputs.check_out_dir(out)

    unknown = [name for name in editions if name not in VARIANTS and name != EBOOK]
    if unknown:
        raise WorkbookError(
            f"unknown edition '{unknown[0]}'", hint="choose from " + ", ".join([*VARIANTS, EBOOK])
        )
    ebook = not editions or EBOOK in editions
    names = [name for name in editions if name != EBOOK] or (
        [] if editions else list(DEFAULT_EDITIONS)
    )
    if handout:
        names += [name for name in HANDOUTS if name not in names]
    if verbose:
        for line in patch_lines():
            report(line)
    digest = freshness.inputs_digest(config, out)
    outputs = freshness.with_cover(config, names)
    if (
        not freshness.stale_editions(config, out, outputs, digest)
        and (
            not check
            or not outputs
            or (
                freshness.preflight_fresh(config, out, outputs, strict)
                and freshness.spec_written(config, out, outputs)
            )
        )
        and (not ebook or not stage.stale(config, out, digest))
        and (not ebook or not check or stage.checks_fresh(config, out))
    ):
        shown = [*outputs, EBOOK] if ebook else outputs
        report("up to date: " + ", ".join(shown) + (" (and the preflight)" if check else ""))
        return
    from workbook.pipeline.make import make

    make(
        config, out_dir=out, editions=names, strict=strict, check=check, report=report, ebook=ebook
    )


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
    """Preflight the built PDFs, the EPUB and the web edition, and write the reports
    (``invoke check``); ``-e ebook`` alone checks the e-book and the e-PDF it offers."""
    start()
    out = Path(out).absolute()  # tools run in folders of their own: no relative paths
    from workbook.config.editions import DEFAULT_EDITIONS
    from workbook.pipeline import freshness, outputs
    from workbook.preflight import check_publication

    outputs.check_out_dir(out)
    ebook = not editions or EBOOK in editions
    names = freshness.with_cover(config, [name for name in editions if name != EBOOK])
    if not editions:
        names = freshness.with_cover(config, list(DEFAULT_EDITIONS))
    check_publication(config, out, names or None, strict=strict, report=report, ebook=ebook)


def proof(config: Path, *, edition: str, dpi: int, out: Path) -> Path:
    """Write a PNG proof sheet of a built edition's spreads (``invoke proof``)."""
    start()
    out = Path(out).absolute()  # tools run in folders of their own: no relative paths
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
    out = Path(out).absolute()  # tools run in folders of their own: no relative paths
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
