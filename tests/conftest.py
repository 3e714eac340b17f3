"""Shared fixtures: tiny publications built from the case-named files in fixtures/."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "content" / "publication.toml"


def make_publication(
    root: Path, chapters: dict[str, str | Path], config: str | Path = "valid"
) -> Path:
    """Write a publication (config + chapters) under *root*; return its config path.

    *chapters* maps a file name to Markdown text, or to a fixture chapter path.
    *config* is a fixture name from fixtures/config, or TOML text.
    """
    chapters_dir = root / "chapters"
    chapters_dir.mkdir(parents=True, exist_ok=True)
    for name, body in chapters.items():
        if isinstance(body, Path):
            shutil.copyfile(body, chapters_dir / name)
        else:
            (chapters_dir / name).write_text(body, encoding="utf-8")
    config_path = root / "publication.toml"
    if isinstance(config, Path) or "\n" not in config:
        source = config if isinstance(config, Path) else FIXTURES / "config" / f"{config}.toml"
        shutil.copyfile(source, config_path)
    else:
        config_path.write_text(config, encoding="utf-8")
    return config_path


def invoke(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run ``invoke`` as the editor does (this repository's tasks.py), output captured."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "invoke", "--search-root", str(REPO), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def one_page_each(path: Path, texts: list[str]) -> None:
    """An A6 PDF at *path* with one page per text (WeasyPrint, no pipeline)."""
    from weasyprint import HTML

    body = "".join(f'<p style="break-after: page">{text}</p>' for text in texts)
    HTML(string=f"<style>@page {{ size: A6 }}</style>{body}").write_pdf(path)


def spy_on_commands(monkeypatch, module, program: str, pick) -> list:
    """Record each run of *program* that *module* starts (``pick(command)`` of it),
    still running it; the list fills as the test goes."""
    runs: list = []
    real = module.subprocess.Popen

    def spy(command, *args, **kwargs):
        if command[0] == program:
            runs.append(pick(command))
        return real(command, *args, **kwargs)

    monkeypatch.setattr(module.subprocess, "Popen", spy)
    return runs


_GS_BANNER = re.compile(
    r"^(GPL Ghostscript .*|Copyright .*|This software is supplied .*|see the file COPYING.*"
    r"|Processing pages \d+ through \d+\.|Page \d+|)$"
)


def ghostscript_complaints(path: Path) -> list[str]:
    """What Ghostscript says when it draws *path* (a viewer that draws form fields
    only from their appearances), its banner and page count aside. Without
    ``-q``: quiet mode leaves out the summary of errors it repaired."""
    run = subprocess.run(
        ["gs", "-o", "/dev/null", "-sDEVICE=nullpage", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = (run.stdout + run.stderr).splitlines()
    return [line for line in lines if not _GS_BANNER.match(line.strip())]


def chapter(title: str, body: str, **meta: str) -> str:
    """Markdown text of a chapter with front matter."""
    extra = "".join(f"{k}: {v}\n" for k, v in meta.items())
    return f"---\ntitle: {title}\n{extra}---\n\n{body}\n"


# Illustrated publications: the fixture manifests with art drawn at print size.
WITH_IMAGES = (FIXTURES / "config" / "valid.toml").read_text(encoding="utf-8") + (
    '\n[images]\nmanifest = "illustrations/illustrations.toml"\n'
)

# Pixel sizes for the valid manifest: at least 300 ppi where each is placed.
PRINT_SIZES = {
    "avaus.png": (2100, 1240),
    "koko-sivu.jpg": (2079, 2906),
    "tiski.png": (800, 600),
    "puolikas.tif": (1600, 1000),
}


def write_art(path: Path, size: tuple[int, int]) -> None:
    """A smooth RGB picture of *size* (stands in for a delivered illustration)."""
    gradient = Image.linear_gradient("L").resize(size)
    flipped = gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    image = Image.merge("RGB", (gradient, flipped, Image.new("L", size, 140)))
    options = {"quality": 90} if path.suffix == ".jpg" else {}
    if path.suffix == ".tif":
        options = {"compression": "tiff_lzw"}
    image.save(path, **options)


def illustrated(
    root: Path, manifest: str = "valid", chapters: dict[str, str] | None = None
) -> Path:
    """A publication whose manifest is fixtures/manifests/<manifest>.toml."""
    chapters = chapters or {"01-luku.md": chapter("Luku", "Teksti.")}
    config = make_publication(root, chapters, WITH_IMAGES)
    folder = root / "illustrations"
    shutil.copytree(FIXTURES / "images", folder)
    shutil.copyfile(FIXTURES / "manifests" / f"{manifest}.toml", folder / "illustrations.toml")
    if manifest == "valid":
        for name, size in PRINT_SIZES.items():
            write_art(folder / name, size)
    return config


@contextmanager
def trusted_html() -> Iterator[None]:
    """Let chapters use any raw HTML and CSS (the allowlist of
    :mod:`workbook.markup.rawhtml` refuses them): the preflight's tests make broken
    PDFs on purpose."""
    from workbook.markup import rawhtml

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rawhtml, "check_chapter", lambda body, nesting: [])
        yield


@pytest.fixture
def fixture_chapter() -> object:
    """Path of a case-named chapter fixture."""
    return lambda name: FIXTURES / "chapters" / f"{name}.md"


@pytest.fixture
def assert_no_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test if WeasyPrint or the pipeline logs a warning or worse."""
    with caplog.at_level(logging.WARNING):
        yield
    bad = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not bad, [r.getMessage() for r in bad]


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The sample built once for the session: both editions, the cover, the EPUB and the
    web edition."""
    from workbook.pipeline.build import build

    out = tmp_path_factory.mktemp("sample")
    return build(SAMPLE, out_dir=out, report=lambda _: None, cover=True, ebook=True, workers=2)


@pytest.fixture(scope="session")
def ebook_fonts(tmp_path_factory) -> Path:
    """One folder of the e-book's font subsets for the session: subsetting the nine
    faces takes seconds, and a small Finnish book needs the same subsets every time."""
    return tmp_path_factory.mktemp("ebook-fonts")


def share_fonts(out_dir: Path, fonts: Path) -> None:
    """Make the build into *out_dir* keep its font subsets in the shared *fonts*."""
    (out_dir / "cache").mkdir(parents=True, exist_ok=True)
    link = out_dir / "cache" / "ebook-fonts"
    if not link.exists():
        link.symlink_to(fonts, target_is_directory=True)


@pytest.fixture(scope="session", autouse=True)
def renderer_patches() -> list[str]:
    """The renderer patches, applied as the command entry points apply them, so tests
    render as builds do (the patch tests swap in stock functions where they compare)."""
    from workbook.patches import install_all

    return install_all()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites tests/golden/ instead of comparing."""
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


def covered(
    root: Path,
    config: str = "with-cover",
    blurb: str = "takakansi",
    chapters: dict[str, str] | None = None,
) -> Path:
    """An illustrated publication with a cover: fixtures/config/<config>.toml, the valid
    manifest, and fixtures/cover/<blurb>.md as its back-cover text (takakansi.md)."""
    config_path = illustrated(root, chapters=chapters)
    text = (FIXTURES / "config" / f"{config}.toml").read_text(encoding="utf-8")
    config_path.write_text(
        text + '\n[images]\nmanifest = "illustrations/illustrations.toml"\n', encoding="utf-8"
    )
    shutil.copyfile(FIXTURES / "cover" / f"{blurb}.md", root / "takakansi.md")
    return config_path


def wait_for(condition, timeout: float = 120.0) -> bool:
    """Whether *condition* became true within *timeout* seconds (polled)."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


@contextmanager
def watching(config: Path, out: Path, join: float = 60) -> Iterator[tuple[list[str], object]]:
    """``invoke watch`` on *config* in a thread: its report lines and the thread;
    stopped and joined when the block ends."""
    import threading

    from workbook.pipeline.watch import watch

    lines: list[str] = []
    stop = threading.Event()
    worker = threading.Thread(
        target=watch,
        kwargs={"config_path": config, "out_dir": out, "interval": 0.1, "report": lines.append,
                "stop": stop},
    )  # fmt: skip
    worker.start()
    try:
        yield lines, worker
    finally:
        stop.set()
        worker.join(timeout=join)
