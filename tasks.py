"""Invoke tasks: each declares its options and calls one function of ``workbook.cli``."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import invoke
from invoke import Context, Exit

from workbook.errors import WorkbookError, failure_lines

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG = str(ROOT / "content" / "publication.toml")
CONFIG_HELP = "publication.toml of the book (default: content/publication.toml)"
OUT_HELP = "output folder (default: build)"


class Task(invoke.Task):
    """An invoke task whose options never take the short flag ``-h`` (``--help``'s)."""

    def arg_opts(self, name, default, taken_names):
        return super().arg_opts(name, default, taken_names | {"h"})


def task(*args, **kwargs):
    """``invoke.task`` with :class:`Task`; whatever stops it is shown as ``error:`` lines
    with exit code 1, never a traceback (``workbook.errors.failure_lines``; set
    ``WORKBOOK_TRACEBACK=1`` to see the traceback of a bug)."""

    def decorate(body):
        @functools.wraps(body)
        def run(*a, **kw):
            try:
                return body(*a, **kw)
            except (Exit, KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:
                if os.environ.get("WORKBOOK_TRACEBACK") and not isinstance(exc, WorkbookError):
                    raise
                out = kw.get("out")
                lines = failure_lines(exc, Path(out) if out else None)
                raise Exit("\n".join(lines), code=1) from None

        return invoke.task(klass=Task, **kwargs)(run)

    if len(args) == 1 and callable(args[0]) and not kwargs:  # a bare @task
        return decorate(args[0])
    return decorate


@task(
    help={
        "config": CONFIG_HELP,
        "edition": "build only this edition (repeatable): press, screen, the A4 workshop "
        "handout of the exercises, handout (no facilitator notes) or handout-notes, or ebook "
        "(the EPUB, the web edition and its download page)",
        "out": OUT_HELP,
        "strict": "treat warnings as errors",
        "check": "run the preflight checks afterwards (default: yes; --no-check skips them)",
        "handout": "also build the A4 workshop handouts of the exercises (with and without "
        "the facilitator notes)",
        "verbose": "also list the renderer patches and whether each is active",
    },
    iterable=["edition"],
)
def build(
    c: Context,
    config: str = DEFAULT_CONFIG,
    edition=None,
    out: str = "build",
    strict: bool = False,
    check: bool = True,
    handout: bool = False,
    verbose: bool = False,
) -> None:
    """Build the press PDF, the accessible e-PDF, the EPUB and the web edition into
    build/, then preflight them.

    What did not change is not rebuilt; the PDFs render in parallel. --handout
    adds the exercises alone on A4 for a workshop.
    """
    from workbook import cli

    cli.build(
        Path(config),
        editions=edition or (),
        out=Path(out),
        strict=strict,
        check=check,
        handout=handout,
        verbose=verbose,
    )


@task(
    help={
        "config": CONFIG_HELP,
        "edition": "check only this edition: press, screen or ebook (repeatable)",
        "out": "output folder of the build (default: build)",
        "strict": "warnings fail too",
    },
    iterable=["edition"],
)
def check(
    c: Context, config: str = DEFAULT_CONFIG, edition=None, out: str = "build", strict: bool = False
) -> None:
    """Preflight the built PDFs, the EPUB and the web edition: console summary,
    build/preflight/report.{json,html}."""
    from workbook import cli

    cli.check(Path(config), editions=edition or (), out=Path(out), strict=strict)


@task(
    help={
        "config": CONFIG_HELP,
        "edition": "press or screen (default: press)",
        "dpi": "resolution of the page images (default: 40)",
        "out": "output folder of the build (default: build)",
    }
)
def proof(
    c: Context,
    config: str = DEFAULT_CONFIG,
    edition: str = "press",
    dpi: int = 40,
    out: str = "build",
) -> None:
    """Write a PNG proof sheet of a built edition's spreads to build/proof/."""
    from workbook import cli

    print(cli.proof(Path(config), edition=edition, dpi=dpi, out=Path(out)))


@task(
    help={
        "config": CONFIG_HELP,
        "edition": "the edition to rebuild (default: screen)",
        "out": OUT_HELP,
        "interval": "seconds between looks at the files (default: 0.5)",
    }
)
def watch(
    c: Context,
    config: str = DEFAULT_CONFIG,
    edition: str = "screen",
    out: str = "build",
    interval: float = 0.5,
) -> None:
    """Rebuild an edition whenever content, data, illustrations or styles change (Ctrl-C stops)."""
    from workbook import cli

    cli.watch(Path(config), edition=edition, out=Path(out), interval=interval)


@task(
    help={
        "repeat": "runs of each scenario of the sample; the median is reported (default 3)",
        "patches": "measure instead what each renderer patch saves on a clean build",
    }
)
def bench(c: Context, repeat: int = 3, patches: bool = False) -> None:
    """Benchmark: clean, no-change and one-chapter builds, watch, a 300-page stress book.

    Prints a table against WeasyPrint's own render and writes build/bench/bench.json
    (with --patches: each patch's saving, build/bench/patches.json).
    """
    from workbook.devtools import bench as benchmark

    if patches:
        print(benchmark.table(benchmark.bench_patches(repeat=max(1, repeat))))
        print("written: build/bench/patches.json")
        return
    print(benchmark.table(benchmark.bench(repeat=max(1, repeat))))
    print("written: build/bench/bench.json")


@task(help={"stress": "profile the generated stress book (about 300 pages) instead"})
def profile(c: Context, stress: bool = False) -> None:
    """Profile a clean build of the sample with cProfile: time per pipeline stage.

    Writes build/bench/profile/profile.prof and profile.txt.
    """
    from workbook.devtools.profiling import profile_build
    from workbook.devtools.stress import make_stress
    from workbook.paths import REPO

    folder = REPO / "build" / "bench" / "profile"
    profile_build(folder, make_stress(folder / "stress") if stress else None)


@task(help={"k": "only tests matching this expression (pytest -k)"})
def test(c: Context, k: str = "") -> None:
    """Run ruff and the test suite, on two cores (a test file stays in one process)."""
    c.run("ruff check src tests tasks.py", pty=False)
    parallel = " -n 2 --dist loadfile -p no:benchmark"
    c.run("python -m pytest -q" + parallel + (f" -k {k!r}" if k else ""), pty=False)


@task
def golden(c: Context) -> None:
    """Regenerate the golden HTML files in tests/html/golden/ (review the diff before
    committing)."""
    c.run("python -m pytest -q tests/html/test_golden.py --update-golden", pty=False)


@task(help={"out": OUT_HELP})
def clean(c: Context, out: str = "build") -> None:
    """Remove the output folder (default build/: every generated file)."""
    from workbook import cli

    cli.clean(Path(out))
