"""One policy for every file a publication names, and one way to read it.

Every path that ``publication.toml`` or a manifest names (chapters, the
chapter folder, manifests, illustrations, data files, the output profile) must
lead, after following symbolic links, into the publication folder or into a
folder the config allows explicitly (``[paths] allow``); the pipeline's own
styles and templates are read from the repository. ``../../..``, an absolute
path elsewhere, or a link pointing out is refused with one line naming the
key or entry that named it.

A file is read only if it is a regular file: a broken link, a folder, a named
pipe (whose read would wait for ever) or a device is refused with one line,
and a file over its size limit is refused before it is read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from workbook.errors import WorkbookError

OUTSIDE_HINT = (
    "keep the book's files in its folder; a shared folder elsewhere must be "
    "listed in [paths] allow in publication.toml"
)


def is_inside(path: Path, roots: Sequence[Path]) -> bool:
    """Whether *path*, resolved, is inside one of *roots* (resolved folders)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return False
    return any(real == root or real.is_relative_to(root) for root in roots)


def check_inside(
    path: Path,
    roots: Sequence[Path],
    *,
    what: str,
    where: Path,
    line: int | None = None,
) -> Path:
    """*path* resolved; a :class:`WorkbookError` at *where*:*line* when it leads outside *roots*."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        raise WorkbookError(
            f"{what} is a link that leads nowhere (a loop)", path=where, line=line
        ) from None
    if not any(real == root or real.is_relative_to(root) for root in roots):
        raise WorkbookError(
            f"{what} leads outside the publication folder ({real})",
            path=where,
            line=line,
            hint=OUTSIDE_HINT,
        )
    return real


def regular_file(
    path: Path,
    *,
    what: str,
    roots: Sequence[Path] = (),
    where: Path | None = None,
    line: int | None = None,
) -> Path:
    """*path* resolved, once it is known to be a regular file (inside *roots* when
    given). ``FileNotFoundError`` is the caller's to report; a broken link, a
    special file or a path outside is a :class:`WorkbookError` at *where*
    (default: the file itself)."""
    place = where if where is not None else path
    info = os.lstat(path)  # FileNotFoundError: the caller's "not found"
    if stat.S_ISLNK(info.st_mode) and not path.exists():
        raise WorkbookError(
            f"{what} is a broken link (to {os.readlink(path)})",
            path=place,
            line=line,
            hint="point the link at an existing file, or put the file itself there",
        )
    real = check_inside(path, roots, what=what, where=place, line=line) if roots else path
    mode = real.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a named pipe or device"
        raise WorkbookError(
            f"{what} is not a regular file ({kind})",
            path=place,
            line=line,
            hint="give the name of an ordinary file",
        )
    return real


def read_bytes(
    path: Path,
    *,
    what: str,
    roots: Sequence[Path] = (),
    where: Path | None = None,
    line: int | None = None,
    limit: int | None = None,
    limit_hint: str = "",
) -> bytes:
    """The bytes of a regular file (see :func:`regular_file`), at most *limit* of them."""
    real = regular_file(path, what=what, roots=roots, where=where, line=line)
    handle = os.open(real, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):  # replaced since it was looked at
            raise WorkbookError(f"{what} is not a regular file", path=where or path, line=line)
        if limit is not None and info.st_size > limit:
            raise WorkbookError(
                f"{what} is {_size(info.st_size)}, more than the limit of {_size(limit)}",
                path=where or path,
                line=line,
                hint=limit_hint or "split the file",
            )
        return stream.read()


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.1f} MiB"
    return f"{count / 1024:.0f} KiB"
