"""Invoke tasks: thin wrappers; each calls one function of the workbook package."""

from __future__ import annotations

import shutil
from pathlib import Path

from invoke import Context, Exit, task

from workbook.errors import WorkbookError

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG = ROOT / "content" / "publication.toml"


@task(
    help={
        "config": "publication.toml of the book to build (default: content/publication.toml)",
        "edition": "build only this edition (repeatable): press, screen, or the A4 workshop "
        "handout of the exercises, handout (no facilitator notes) or handout-notes",
        "out": "output folder (default: build)",
        "strict": "treat warnings as errors",
        "check": "run the preflight checks afterwards (default: yes; --no-check skips them)",
        "handout": "also build the A4 workshop handouts of the exercises (with and without "
        "the facilitator notes)",
    },
    iterable=["edition"],
)
def build(
    c: Context,
    config: str = str(DEFAULT_CONFIG),
    edition=None,
    out: str = "build",
    strict: bool = False,
    check: bool = True,
    handout: bool = False,
) -> None:
    """Build the press PDF and the accessible e-PDF into build/, then preflight them.

    Editions whose inputs did not change are not rebuilt; the others render in
    parallel. --handout adds the exercises alone on A4 for a workshop.
    """
    from workbook import freshness
    from workbook.variants import DEFAULT_EDITIONS, HANDOUTS

    names = list(edition or DEFAULT_EDITIONS)
    if handout:
        names += [name for name in HANDOUTS if name not in names]
    path, out_dir = Path(config), Path(out)
    if not freshness.stale_editions(path, out_dir, names) and (
        not check or freshness.preflight_fresh(path, out_dir, names, strict)
    ):
        print("up to date: " + ", ".join(names) + (" (and the preflight)" if check else ""))
        return
    from workbook.make import make

    try:
        make(path, out_dir=out_dir, editions=names, strict=strict, check=check)
    except WorkbookError as exc:
        raise Exit(f"error: {exc}", code=1) from None


@task(
    help={
        "config": "publication.toml of the book (default: content/publication.toml)",
        "edition": "check only this edition: press or screen (repeatable)",
        "out": "output folder of the build (default: build)",
        "strict": "warnings fail too",
    },
    iterable=["edition"],
)
def check(
    c: Context,
    config: str = str(DEFAULT_CONFIG),
    edition=None,
    out: str = "build",
    strict: bool = False,
) -> None:
    """Preflight the built PDFs: console summary, build/preflight/report.{json,html}."""
    from workbook.preflight import check_publication

    try:
        check_publication(Path(config), Path(out), edition or None, strict=strict)
    except WorkbookError as exc:
        raise Exit(f"error: {exc}", code=1) from None


@task(
    help={
        "config": "publication.toml of the book (default: content/publication.toml)",
        "edition": "press or screen (default: press)",
        "dpi": "resolution of the page images (default: 40)",
        "out": "output folder of the build (default: build)",
    }
)
def proof(
    c: Context,
    config: str = str(DEFAULT_CONFIG),
    edition: str = "press",
    dpi: int = 40,
    out: str = "build",
) -> None:
    """Write a PNG proof sheet of a built edition's spreads to build/proof/."""
    from workbook.config import load_config
    from workbook.proof import contact_sheet

    try:
        slug = load_config(Path(config)).config.publication.slug
        pdf = Path(out) / f"{slug}-{edition}.pdf"
        sheet = contact_sheet(pdf, Path(out) / "proof" / f"{slug}-{edition}.png", dpi=dpi)
    except WorkbookError as exc:
        raise Exit(f"error: {exc}", code=1) from None
    print(sheet)


@task(
    help={
        "config": "publication.toml of the book (default: content/publication.toml)",
        "edition": "the edition to rebuild (default: screen)",
        "out": "output folder (default: build)",
        "interval": "seconds between looks at the files (default: 0.5)",
    }
)
def watch(
    c: Context,
    config: str = str(DEFAULT_CONFIG),
    edition: str = "screen",
    out: str = "build",
    interval: float = 0.5,
) -> None:
    """Rebuild an edition whenever content, data, illustrations or styles change (Ctrl-C stops)."""
    from workbook.watch import watch as run_watch

    run_watch(Path(config), out_dir=Path(out), edition=edition, interval=interval)


@task(help={"repeat": "runs of each scenario of the sample; the median is reported (default 3)"})
def bench(c: Context, repeat: int = 3) -> None:
    """Benchmark: clean, no-change and one-chapter builds, watch, a 300-page stress book.

    Prints a table against WeasyPrint's own render and writes build/bench/bench.json.
    """
    from workbook.bench import bench as run_bench
    from workbook.bench import table

    measures = run_bench(repeat=max(1, repeat))
    print(table(measures))
    print("written: build/bench/bench.json")


@task
def profile(c: Context) -> None:
    """Profile a clean build of the sample with cProfile: time per pipeline stage.

    Writes build/bench/profile/profile.prof and profile.txt.
    """
    from workbook.profiling import profile_build

    profile_build()


@task(help={"k": "only tests matching this expression (pytest -k)"})
def test(c: Context, k: str = "") -> None:
    """Run ruff and the test suite."""
    c.run("ruff check src tests tasks.py", pty=False)
    c.run("python -m pytest -q" + (f" -k {k!r}" if k else ""), pty=False)


@task
def golden(c: Context) -> None:
    """Regenerate the golden HTML files in tests/golden/ (review the diff before committing)."""
    c.run("python -m pytest -q tests/test_golden.py --update-golden", pty=False)


@task
def clean(c: Context) -> None:
    """Remove build/ (all generated files)."""
    shutil.rmtree(ROOT / "build", ignore_errors=True)
