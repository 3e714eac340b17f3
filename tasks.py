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
        "edition": "build only this edition: press or screen (repeatable)",
        "out": "output folder (default: build)",
        "strict": "treat warnings as errors",
    },
    iterable=["edition"],
)
def build(
    c: Context,
    config: str = str(DEFAULT_CONFIG),
    edition=None,
    out: str = "build",
    strict: bool = False,
) -> None:
    """Build the press PDF and the accessible e-PDF into build/."""
    from workbook.build import build as run_build

    try:
        run_build(Path(config), out_dir=Path(out), editions=edition or None, strict=strict)
    except WorkbookError as exc:
        raise Exit(f"error: {exc}", code=1) from None


@task(help={"k": "only tests matching this expression (pytest -k)"})
def test(c: Context, k: str = "") -> None:
    """Run ruff and the test suite."""
    c.run("ruff check src tests tasks.py", pty=False)
    c.run("python -m pytest -q" + (f" -k {k!r}" if k else ""), pty=False)


@task
def clean(c: Context) -> None:
    """Remove build/ (all generated files)."""
    shutil.rmtree(ROOT / "build", ignore_errors=True)
