"""The project's error type and its one-line rendering.

Policy (see docs/errors.md): bad input raises :class:`WorkbookError` with the
file, the line where known, what is wrong and a hint. Nothing else is shown to
the editor; a traceback is a bug in the pipeline.
"""

from __future__ import annotations

from pathlib import Path


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


def display_path(path: Path) -> str:
    """Show *path* relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
