"""The project's error types and their one-line rendering.

Policy (see docs/errors.md): bad input raises :class:`WorkbookError` with the
file, the line where known, what is wrong and a hint. Content errors are
collected (:class:`Collector`) and reported together, up to a limit. A fault
of the machine (a full disk, a read-only folder) is one line too
(:func:`environment_error`). Nothing else is shown to the editor: an
unexpected exception is a bug in the pipeline, shown as one line that says so
(:func:`failure_lines`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_LIMIT = 20  # errors shown by one run (limits.errors in publication.toml)


class WorkbookError(Exception):
    """An error in the editor's input or environment, shown as one line."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint
        self.note: str | None = None  # a line printed after the error lines (not an error)

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = display_path(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return " ".join(text.split())

    @property
    def errors(self) -> list[WorkbookError]:
        """The single errors this one stands for (itself)."""
        return [self]

    def fields(self) -> tuple:
        """What rebuilds the error in another process (keyword fields do not pickle)."""
        return (self.message, self.path, self.line, self.hint)


class ContentErrors(WorkbookError):
    """Several errors found in one run; *more* were found beyond the limit."""

    def __init__(self, errors: list[WorkbookError], more: int = 0) -> None:
        first = errors[0]
        super().__init__(first.message, path=first.path, line=first.line, hint=first.hint)
        self._errors = list(errors)
        self.more = more

    @property
    def errors(self) -> list[WorkbookError]:
        return list(self._errors)

    def __str__(self) -> str:
        return str(self._errors[0])


class Collector:
    """Content errors of one run, kept up to *limit* so all are reported together.

    ``with collector.attempt():`` runs a check and keeps its error instead of
    stopping; :meth:`raise_if_any` raises them at the end as one
    :class:`ContentErrors` (a single error as itself).
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = max(1, limit)
        self.found: list[WorkbookError] = []
        self.more = 0

    def __bool__(self) -> bool:
        return bool(self.found)

    def add(self, error: WorkbookError) -> None:
        """Keep *error* (each of a :class:`ContentErrors`)."""
        for single in error.errors:
            if len(self.found) < self.limit:
                self.found.append(single)
            else:
                self.more += 1
        if isinstance(error, ContentErrors):
            self.more += error.more

    @contextmanager
    def attempt(self) -> Iterator[None]:
        """Keep a :class:`WorkbookError` raised inside instead of stopping."""
        try:
            yield
        except WorkbookError as exc:
            self.add(exc)

    def raise_if_any(self) -> None:
        """Raise what was kept: nothing, the one error, or :class:`ContentErrors`."""
        if not self.found:
            return
        if len(self.found) == 1 and not self.more:
            raise self.found[0]
        raise ContentErrors(self.found, self.more)


def display_path(path: Path) -> str:
    """Show *path* relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


_WRITE_HINTS = {
    errno.ENOSPC: "free some disk space, then build again",
    errno.EDQUOT: "free some disk space (your quota is used up), then build again",
    errno.EFBIG: "the file system or a limit allows no file this large; free space or raise it",
    errno.EROFS: "the folder is on a read-only disk; give --out a folder you can write to",
    errno.EACCES: "you may not write there; give --out a folder you can write to",
    errno.EPERM: "you may not write there; give --out a folder you can write to",
    errno.ENOTDIR: "a file stands where a folder should be; give --out a folder",
    errno.EISDIR: "a folder stands where a file should be; remove it or give another --out",
    errno.EEXIST: "a file stands where a folder should be; give --out a folder",
}


def environment_error(exc: OSError, out_dir: Path | None = None) -> WorkbookError:
    """A fault of the machine (disk full, read-only folder, a file for a folder) as one
    line naming where it happened: the output folder when the file is inside it."""
    name = exc.filename if isinstance(exc.filename, str | os.PathLike) else None
    path = Path(name) if name is not None else None
    where: Path | None = path
    what = "cannot read or write"
    if out_dir is not None and (path is None or _inside(path, out_dir)):
        where = out_dir
        what = "cannot write the output"
        if path is not None and path != out_dir:
            what += f" {_relative(path, out_dir)}"
    reason = exc.strerror or type(exc).__name__
    return WorkbookError(
        f"{what}: {reason}",
        path=where,
        hint=_WRITE_HINTS.get(exc.errno or 0, "check the disk and the folder's permissions"),
    )


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.absolute().is_relative_to(folder.absolute())
    except (OSError, ValueError):
        return False


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.absolute().relative_to(folder.absolute()))
    except ValueError:
        return str(path)


def error_lines(error: WorkbookError) -> list[str]:
    """The ``error:`` lines of *error* (one per collected error), and how many more."""
    lines = [f"error: {single}" for single in error.errors]
    more = getattr(error, "more", 0)
    if more:
        lines.append(f"... and {more} more (the first {len(error.errors)} are shown)")
    if error.note:
        lines.append(error.note)
    return lines


def failure_lines(exc: BaseException, out_dir: Path | None = None) -> list[str]:
    """What a command prints when *exc* stops it: the error lines of a
    :class:`WorkbookError`, one line for a fault of the machine, and one line that
    names a bug for anything else (``WORKBOOK_TRACEBACK=1`` shows the traceback)."""
    if isinstance(exc, WorkbookError):
        return error_lines(exc)
    if isinstance(exc, OSError):
        return error_lines(environment_error(exc, out_dir))
    if isinstance(exc, RecursionError | MemoryError):
        return [
            f"error: the book is too large or too deeply nested to process ({type(exc).__name__})"
            " (hint: see limits in docs/configuration.md)"
        ]
    text = " ".join(str(exc).split())[:300]
    return [
        f"error: internal error: {type(exc).__name__}: {text} (hint: this is a bug in the "
        "pipeline, not in the book; run again with WORKBOOK_TRACEBACK=1 and report what it shows)"
    ]
