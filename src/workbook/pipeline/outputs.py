"""Where a build makes its files, and how they replace the previous outputs together.

Every temporary file of a build lives in one place, the build's scratch folder
``<out>/.tmp/run-<pid>-<token>/``: the PDFs and HTML being made, the
preflight report, pdftotext's and pdftoppm's files, and everything that goes
through :mod:`tempfile` (``TMPDIR`` points there while the build runs, so
WeasyPrint's font folders in the forked edition processes land there too).
Nothing is written to the system's temporary folder. The scratch folder is
removed when the build ends, however it ends; one left by a killed build is
removed by the next build (:func:`recover`).

The outputs of one build replace the previous ones together or not at all
(:class:`Commit`): the finished files wait in the scratch folder until every
edition has passed its checks; then a journal listing every move is written,
and the moves are made. A build killed before the journal exists changed
nothing; one killed during the moves is completed by the next build, which
replays the journal.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

TMP = ".tmp"
REJECTED = "rejected"
_JOURNAL = "COMMIT.json"
_LOCK = ".lock"

active: Scratch | None = None  # the scratch folder of the build running in this process


class Scratch:
    """One build's folder for temporary and staged files, inside the output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        holder = out_dir / TMP
        holder.mkdir(parents=True, exist_ok=True)
        self.root = holder / f"run-{os.getpid()}-{secrets.token_hex(4)}"
        self.root.mkdir()
        # Held while the build (and any process it forked) runs: recover() leaves it alone.
        self._lock = open(self.root / _LOCK, "w")  # noqa: SIM115 (closed by close())
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir()
        self.staged = self.root / "out"
        self.staged.mkdir()

    def stage(self, relative: str | Path) -> Path:
        """Where the output *relative* (to the output folder) is made before the commit."""
        path = self.staged / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def stage_folder(self, relative: str | Path) -> Path:
        """A folder of outputs made before the commit (e.g. the report's)."""
        path = self.staged / relative
        path.mkdir(parents=True, exist_ok=True)
        return path

    def close(self) -> None:
        """Remove the scratch folder (and the holder folder when it is empty)."""
        shutil.rmtree(self.root, ignore_errors=True)
        self._lock.close()
        with contextlib.suppress(OSError):
            (self.out_dir / TMP).rmdir()


@contextlib.contextmanager
def scratch(out_dir: Path) -> Iterator[Scratch]:
    """A :class:`Scratch` for one build, with ``TMPDIR`` (and :mod:`tempfile`) pointing
    into it; removed at the end. A scratch folder already active in this process
    (a build inside a build) is reused."""
    global active
    if active is not None and active.out_dir == out_dir:
        yield active
        return
    recover(out_dir)
    made = Scratch(out_dir)
    saved = (active, tempfile.tempdir, os.environ.get("TMPDIR"))
    active = made
    tempfile.tempdir = str(made.tmp)
    os.environ["TMPDIR"] = str(made.tmp)
    try:
        yield made
    finally:
        active, tempfile.tempdir, previous = saved
        if previous is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous
        made.close()


def share(temp: str | Path) -> None:
    """Give a temporary file made by :func:`tempfile.mkstemp` (mode 0600) the mode
    of any file the user writes, before it is renamed into place: outputs are
    shared with print houses, colleagues and web servers."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(temp, 0o666 & ~mask)


def temp_folder(target: Path) -> Path:
    """Where to make a temporary file that will be renamed to *target*: the active
    build's scratch folder when *target* is in its output folder (same disk, and
    the next build cleans it), else beside *target*."""
    build = active
    if build is not None:
        with contextlib.suppress(ValueError, OSError):
            if target.absolute().is_relative_to(build.out_dir.absolute()):
                return build.tmp
    return target.parent


# Temporary files that builds of earlier versions made beside their targets: a
# checked copy (tmpXXXXXXXX.pdf), atomic writes' parts, pdftoppm's pixmaps.
_LEGACY_RE = re.compile(r"tmp[a-z0-9_]{8}\.pdf|\..+\.(?:part|tmp)|drawing-\d+\.ppm|preview\.pdf")
_LEGACY_FOLDERS = (".", ".state", "cache", "cache/images", "cache/charts", "preflight")


def recover(out_dir: Path) -> None:
    """Finish or discard what killed builds left in *out_dir*: a journal is replayed
    (its build had decided), any other scratch folder removed, and temporary files
    of earlier versions swept away."""
    _sweep(out_dir)
    holder = out_dir / TMP
    if not holder.is_dir():
        return
    for run in sorted(holder.iterdir()):
        if not run.is_dir() or run.is_symlink():
            with contextlib.suppress(OSError):
                run.unlink()
            continue
        if _running(run):
            continue
        journal = run / _JOURNAL
        if journal.is_file():
            with contextlib.suppress(OSError, ValueError):
                _replay(out_dir, json.loads(journal.read_text(encoding="utf-8")))
        shutil.rmtree(run, ignore_errors=True)
    with contextlib.suppress(OSError):
        holder.rmdir()


def _sweep(out_dir: Path) -> None:
    folders = [out_dir / name for name in _LEGACY_FOLDERS]
    cache = out_dir / "preflight" / ".cache"
    if cache.is_dir():
        folders += [f for f in cache.iterdir() if f.is_dir() and not f.is_symlink()]
    for folder in folders:
        if not folder.is_dir() or folder.is_symlink():
            continue
        for path in folder.iterdir():
            if _LEGACY_RE.fullmatch(path.name) and (path.is_file() or path.is_symlink()):
                with contextlib.suppress(OSError):
                    path.unlink()
            elif path.name.startswith("pages-") and path.is_dir() and folder.parent == cache:
                shutil.rmtree(path, ignore_errors=True)


def _running(run: Path) -> bool:
    """Whether the build that owns *run* (or a process it forked) still runs."""
    try:
        with open(run / _LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


class Commit:
    """The moves that put one build's outputs in place, made all or (after a crash,
    by the next build) completed: see the module docstring."""

    def __init__(self, build: Scratch) -> None:
        self.build = build
        self.ops: list[list[str]] = []

    def move(self, staged: Path, target: Path) -> None:
        """Put the staged file *staged* at *target* (both inside the output folder)."""
        self.ops.append(["move", self._relative(staged), self._relative(target)])

    def delete(self, target: Path) -> None:
        """Remove the output *target*."""
        self.ops.append(["delete", self._relative(target)])

    def _relative(self, path: Path) -> str:
        return str(path.absolute().relative_to(self.build.out_dir.absolute()))

    def apply(self) -> None:
        """Write the journal, then make the moves."""
        journal = self.build.root / _JOURNAL
        part = journal.with_suffix(".part")
        with open(part, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(self.ops))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(part, journal)
        _replay(self.build.out_dir, self.ops)
        journal.unlink()


def _replay(out_dir: Path, ops: list) -> None:
    """Make the moves and removals of a journal; those already made are skipped."""
    for op in ops:
        kind, *paths = op
        if kind == "move":
            source, target = (out_dir / p for p in paths)
            if source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(source, 0o666 & ~_umask())  # outputs are shared files
                os.replace(source, target)
        elif kind == "delete":
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                (out_dir / paths[0]).unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_out_dir(out_dir: Path) -> None:
    """Refuse an output folder that is a file (one line, before anything is built)."""
    from workbook.errors import WorkbookError

    if out_dir.exists() and not out_dir.is_dir():
        raise WorkbookError(
            "is a file, not a folder", path=out_dir, hint="give --out a folder for the outputs"
        )
    for parent in out_dir.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise WorkbookError(
                    f"{parent} is a file, not a folder",
                    path=out_dir,
                    hint="give --out a folder for the outputs",
                )
            break
