"""The robustness corpus's machinery: a tiny publication, a build as the editor runs it,
and the judgement every case shares.

Each case copies ``fixtures/base`` (two chapters, a survey table, one picture),
lays its own case-named files over it (``fixtures/<case>/``), copies in the
outputs of a good build of the base (the "previous outputs"), then runs
``invoke build`` in a child process with ``TMPDIR`` pointing at a folder of its
own. :func:`judge` then asserts what docs/errors.md promises: the exit code,
exactly the expected ``error:`` lines naming the right file and line, no
traceback, the previous outputs untouched when the build failed, and nothing
left behind in the output folder or in ``TMPDIR``.

With ``WORKBOOK_CORPUS_LOG=<file>`` each judged run also appends one JSON line
(traceback, wrong file, leftovers, hang) to that file: the figures of a run of
the whole corpus.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from conftest import REPO, write_art

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
SLUG = "testikirja"
PICTURE = (520, 390)  # kuva.png: 336 ppi at its placed width (0.3 of the column)
TIMEOUT = 150  # s: a build that takes longer hangs


@dataclass
class Expect:
    """What a case's build must end with."""

    exit: int = 1
    where: list[str] = field(default_factory=list)  # "chapters/01-alku.md:7" per error line
    says: list[str] = field(default_factory=list)  # a phrase of each error line, in order
    more: int = 0  # error lines beyond *where* (an error limit's overflow)

    @property
    def errors(self) -> int:
        """How many ``error:`` lines the build prints."""
        return len(self.where) + self.more


@dataclass
class Run:
    """One case's publication, output folder and the outcome of its build."""

    name: str
    root: Path  # the case's folder: pub/, out/, tmp/ and anything else it needs
    args: list[str] = field(default_factory=list)
    prefix: list[str] = field(default_factory=list)  # e.g. a user-namespace wrapper
    code: Path = REPO  # the pipeline that builds (a copy, for a case that damages it)
    out_arg: Path | None = None  # --out, when it is not the output folder
    env: dict[str, str] = field(default_factory=dict)
    result: subprocess.CompletedProcess[str] | None = None
    seconds: float = 0.0
    hung: bool = False
    before: dict[str, str] = field(default_factory=dict)  # output -> digest before the build

    @property
    def pub(self) -> Path:
        return self.root / "pub"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def config(self) -> Path:
        return self.pub / "publication.toml"

    def chapter(self, name: str) -> Path:
        return self.pub / "chapters" / name

    def write(self, relative: str, text: str) -> Path:
        """Write a file of the publication (UTF-8)."""
        path = self.pub / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def append(self, relative: str, text: str) -> None:
        """Add *text* to the end of a file of the publication."""
        path = self.pub / relative
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    @property
    def stdout(self) -> str:
        return self.result.stdout if self.result else ""

    @property
    def stderr(self) -> str:
        return self.result.stderr if self.result else ""

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]


def base_publication(root: Path, case: str | None = None) -> Path:
    """The base publication under *root*, with the case's files laid over it."""
    shutil.copytree(FIXTURES / "base", root, dirs_exist_ok=True)
    write_art(root / "illustrations" / "kuva.png", PICTURE)
    if case is not None and (FIXTURES / case).is_dir():
        shutil.copytree(FIXTURES / case, root, dirs_exist_ok=True)
    return root / "publication.toml"


def invoke_command(*args: str, code: Path = REPO) -> list[str]:
    """``invoke`` of the repository *code*, as the editor runs it."""
    return [sys.executable, "-m", "invoke", "--search-root", str(code), *args]


def run_build(run: Run, *extra: str, previous: Path | None = None) -> Run:
    """Build *run*'s publication into its output folder (over *previous* outputs)."""
    run.tmp.mkdir(parents=True, exist_ok=True)
    if previous is not None and not run.out.exists():
        shutil.copytree(previous, run.out, symlinks=True)
    run.before = output_digests(run.out)
    out = run.out_arg or run.out
    command = [
        *run.prefix,
        *invoke_command("build", "--config", str(run.config), "--out", str(out), code=run.code),
        *run.args,
        *extra,
    ]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TMPDIR": str(run.tmp), **run.env}
    started = time.monotonic()
    try:
        run.result = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, env=env, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        run.hung = True
        run.result = subprocess.CompletedProcess(
            command, -9, _text(exc.stdout), _text(exc.stderr) + "\n[timed out]"
        )
    run.seconds = time.monotonic() - started
    return run


def _text(data: bytes | str | None) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data or ""


def output_digests(out: Path) -> dict[str, str]:
    """The delivered outputs in *out* (the PDFs and their HTML) by name -> sha256."""
    if not out.is_dir():
        return {}
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.glob(f"{SLUG}-*"))
        if path.is_file() and path.suffix in (".pdf", ".html")
    }


_STRAY_SUFFIXES = (".part", ".tmp", ".ppm")


def strays(out: Path) -> list[str]:
    """Files a finished build must not leave in *out*: temporary copies and parts."""
    found = []
    if not out.is_dir():
        return found
    for path in out.rglob("*"):
        relative = path.relative_to(out)
        if path.is_dir():
            continue
        name = path.name
        if (
            relative.parts[0] == ".tmp"
            or name.endswith(_STRAY_SUFFIXES)
            or ".tmp" in name
            or re.fullmatch(r"tmp\w*\.pdf", name)
            or name == "preview.pdf"
        ):
            found.append(str(relative))
    return sorted(found)


def tmp_leftovers(tmp: Path) -> list[str]:
    """Anything a build left in its TMPDIR."""
    return sorted(p.name for p in tmp.iterdir()) if tmp.is_dir() else []


def _log(run: Run, klass: str, expect: Expect, wrong: list[str]) -> None:
    path = os.environ.get("WORKBOOK_CORPUS_LOG")
    if not path:
        return
    text = run.stdout + run.stderr
    entry = {
        "case": run.name,
        "class": klass,
        "exit": run.result.returncode if run.result else None,
        "expected_exit": expect.exit,
        "traceback": "Traceback" in text,
        "hung": run.hung,
        "error_lines": len(run.error_lines()),
        "expected_errors": expect.errors,
        "wrong_file": wrong,
        "strays": strays(run.out),
        "tmpdir": tmp_leftovers(run.tmp),
        "seconds": round(run.seconds, 1),
        "first_error": (run.error_lines() or [""])[0][:300],
    }
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(json.dumps(entry, ensure_ascii=False) + "\n")


def judge(run: Run, expect: Expect, klass: str = "") -> None:
    """Assert what every case promises (see the module docstring)."""
    assert run.result is not None
    lines = run.error_lines()
    wrong = [
        f"{where}: {line}"
        for where, line in zip(expect.where, lines, strict=False)
        if not located(line, run.pub, where)
    ]
    _log(run, klass, expect, wrong)
    shown = f"exit {run.result.returncode}\nstdout:\n{run.stdout[-3000:]}\nstderr:\n{run.stderr}"
    assert not run.hung, f"the build hung\n{shown}"
    assert "Traceback" not in run.stdout + run.stderr, shown
    assert run.result.returncode == expect.exit, shown
    assert len(lines) == expect.errors, shown
    assert not wrong, f"wrong file or line: {wrong}\n{shown}"
    for phrase, line in zip(expect.says, lines, strict=False):
        assert phrase in line, f"{phrase!r} not in {line!r}"
    if expect.exit != 0:
        assert output_digests(run.out) == run.before, "the previous outputs changed"
    assert strays(run.out) == [], strays(run.out)
    assert tmp_leftovers(run.tmp) == [], tmp_leftovers(run.tmp)


def located(line: str, pub: Path, where: str) -> bool:
    """Whether an ``error:`` line names *where* (a path in the publication, maybe
    with ``:line``; an absolute path as it is)."""
    path, _, number = where.partition(":")
    full = path if path.startswith("/") else str(pub / path)
    prefix = f"error: {full}" + (f":{number}: " if number else ": ")
    return line.startswith(prefix)


def portrait_photo(path: Path, stored: tuple[int, int]) -> None:
    """A JPEG stored landscape (*stored* pixels) with EXIF orientation 6: a camera's
    portrait photo, upright only once the tag is honoured."""
    image = Image.linear_gradient("L").resize(stored).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    image.save(path, quality=90, exif=exif)


def cmyk_tiff(path: Path, size: tuple[int, int]) -> None:
    """A CMYK TIFF with no embedded ICC profile, as illustrators deliver them."""
    gradient = Image.linear_gradient("L").resize(size)
    zero = Image.new("L", size, 0)
    Image.merge(
        "CMYK", (gradient, zero, gradient.transpose(Image.Transpose.ROTATE_180), zero)
    ).save(path, compression="tiff_lzw")
