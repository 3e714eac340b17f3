"""``invoke bench``: how fast the pipeline is, measured against WeasyPrint itself.

Two books: the sample (64 pages) and a generated stress book (about 300 pages,
:mod:`workbook.devtools.stress`), each copied into build/bench/. Every scenario
runs ``invoke build`` in a fresh interpreter (this one's, so a virtual
environment's ``invoke`` is found), *repeat* times, with one baseline run beside
each run: WeasyPrint's command line rendering that book's assembled e-version
HTML once, stock. The watch scenarios run ``workbook.pipeline.watch`` as
``invoke watch`` does and time each edit from the save to the new PDF. How a
run is measured and how runs are summed up (medians with min-max, paired
ratios, PSS memory): :mod:`workbook.devtools.measure`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbook.devtools.measure import Measure, Run, TreeMemory, run, table
from workbook.devtools.stress import make_stress
from workbook.paths import REPO

__all__ = ["bench", "bench_patches", "table"]

PDFS = ("-e", "press", "-e", "screen")  # the two PDF editions (and the cover) alone
LOOP = "sample: one chapter edited, e-version only, no checks"
WATCHED = "watch, one chapter edited, new e-version written"
WATCH = f"sample: {WATCHED}"
# scenario -> (figure, limit): figure is "cpu_ratio", "wall_ratio", "wall" or "peak_mb".
TARGETS: dict[str, list[tuple[str, float]]] = {
    "sample: clean build": [("cpu_ratio", 1.6)],
    "sample: no-change rebuild": [("wall", 0.5)],
    WATCH: [("wall_ratio", 1.0)],
    "stress: clean build": [("cpu_ratio", 1.6), ("peak_mb", 1024)],
    "stress: one-chapter edit": [("cpu_ratio", 0.5), ("peak_mb", 1024)],
    "sample: chapter preview after a save": [("wall", 1.0)],
    "stress: chapter preview after a save": [("wall", 1.5)],
}
_LABELS = {"cpu_ratio": "CPU x", "wall_ratio": "wall x", "wall": "s", "peak_mb": "MB"}


@dataclass
class Book:
    """A book under test: its config, output folder, e-version and a chapter to edit."""

    name: str
    config: Path
    out: Path
    chapter: Path

    @property
    def screen_html(self) -> Path:
        """The e-version's assembled HTML that the last build wrote."""
        return next(self.out.glob("*-screen.html"))


_WATCH_DRIVER = """
import json, sys, threading, time
from pathlib import Path
from workbook.pipeline.watch import watch
config, out, chapter = map(Path, sys.argv[1:4])
lines, stop = [], threading.Event()
worker = threading.Thread(target=watch, kwargs=dict(
    config_path=config, out_dir=out, interval=0.1, report=lines.append, stop=stop))
worker.start()
def wait(count):
    while sum(line.startswith("built ") for line in lines) < count:
        if any(line.startswith("error: ") for line in lines):
            sys.exit("\\n".join(lines))
        time.sleep(0.01)
wait(1)
figures = []
for number in range(int(sys.argv[4])):
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + f"\\nKatselun aikana lisätty kappale {number}.\\n", "utf-8")
    edited, cpu = time.monotonic(), time.process_time()
    wait(2 + number)
    figures.append({"wall": time.monotonic() - edited, "cpu": time.process_time() - cpu})
print(json.dumps(figures))
stop.set()
worker.join()
"""


_PREVIEW_DRIVER = """
import json, sys, time
from pathlib import Path
from workbook.pipeline.preview import preview
config, out, chapter = map(Path, sys.argv[1:4])
preview(config, [chapter], out_dir=out)  # a watcher has its modules loaded
figures = []
for number in range(int(sys.argv[4])):
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text + f"\\nEsikatselua varten lisätty kappale {number}.\\n", "utf-8")
    wall, cpu = time.monotonic(), time.process_time()
    preview(config, [chapter], out_dir=out)
    figures.append({"wall": time.monotonic() - wall, "cpu": time.process_time() - cpu})
print(json.dumps(figures))
"""


def run_preview(book: Book, repeat: int) -> Measure:
    """The chapter preview as ``invoke watch`` makes it after a save (modules loaded,
    the page map of a full build at hand), without the watcher's polling (0.1-0.2 s)."""
    command = [sys.executable, "-c", _PREVIEW_DRIVER, str(book.config), str(book.out),
               str(book.chapter), str(repeat)]  # fmt: skip
    measured, output = run(command, REPO, what="preview")
    figures = json.loads(output.strip().splitlines()[-1])
    runs = [Run(round(f["wall"], 3), round(f["cpu"], 3), measured.peak_mb) for f in figures]
    return Measure(f"{book.name}: chapter preview after a save", runs)


def run_watch(book: Book, repeat: int) -> Measure:
    """``invoke watch``'s loop as an editor meets it: from saving a chapter to the new
    e-version PDF (polling every 0.1 s, so the debounce adds 0.1-0.2 s), with the
    watcher's modules already loaded. Peak memory is the watcher's whole run."""
    command = [sys.executable, "-c", _WATCH_DRIVER, str(book.config), str(book.out),
               str(book.chapter), str(repeat)]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    memory = TreeMemory(process.pid)
    while process.poll() is None:
        memory.sample()
        time.sleep(0.02)
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    if process.returncode != 0:
        raise RuntimeError(f"{book.name}: {WATCHED} failed:\n{output[-2000:]}")
    peak = round(memory.peak / 2**20, 1)
    figures = json.loads(output.strip().splitlines()[-1])
    runs = [Run(round(f["wall"], 3), round(f["cpu"], 3), peak) for f in figures]
    return Measure(f"{book.name}: {WATCHED}", runs)


def copy_sample(work: Path) -> Path:
    """A fresh copy of the sample publication (content and illustrations) in *work*;
    its publication.toml."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO / "content", work / "content")
    shutil.copytree(REPO / "illustrations", work / "illustrations")
    return work / "content" / "publication.toml"


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


class _Bench:
    """Runs scenarios of one book, each run with its baseline beside it."""

    def __init__(self, book: Book, folder: Path, repeat: int, report: Callable) -> None:
        self.book, self.folder, self.repeat, self.report = book, folder, repeat, report
        self.edits = 0

    def build(self, *extra: str, env: dict[str, str] | None = None) -> Run:
        """One ``invoke build`` of the book."""
        command = [sys.executable, "-m", "invoke", "build", "--config", str(self.book.config),
                   "--out", str(self.book.out), *extra]  # fmt: skip
        return run(command, REPO, env, f"{self.book.name}: invoke build")[0]

    def baseline(self) -> Run:
        """Stock WeasyPrint renders the book's e-version HTML once (kept where a clean
        build does not remove it)."""
        html = self.folder / f"{self.book.name}-baseline.html"
        if not html.exists():
            shutil.copyfile(self.book.screen_html, html)
        command = [sys.executable, "-m", "weasyprint", "--pdf-variant", "pdf/ua-1", str(html),
                   str(self.folder / f"{self.book.name}-baseline.pdf")]  # fmt: skip
        return run(command, REPO, what="baseline")[0]

    def edit(self) -> None:
        """Add a paragraph to the book's chapter, as an editor's save."""
        self.edits += 1
        text = self.book.chapter.read_text(encoding="utf-8")
        self.book.chapter.write_text(text + f"\nLisätty kappale numero {self.edits}.\n", "utf-8")

    def scenario(self, name: str, once: Callable[[], Run], before=None) -> Measure:
        """*repeat* runs of *once* (after *before*), each followed by a baseline run."""
        measure = Measure(f"{self.book.name}: {name}")
        for _ in range(self.repeat):
            if before:
                before()
            measure.runs.append(once())
            measure.baselines.append(self.baseline())
        walls = ", ".join(f"{r.wall:.2f}" for r in measure.runs)
        self.report(f"  {measure.scenario}: {measure.wall:.2f} s (runs {walls})")
        return measure

    def clean(self) -> None:
        shutil.rmtree(self.book.out, ignore_errors=True)


def _with_baselines(measure: Measure, runner: _Bench, report: Callable) -> Measure:
    measure.baselines = [runner.baseline() for _ in measure.runs]
    report(f"  {measure.scenario}: {measure.wall:.2f} s")
    return measure


def _judge(measures: list[Measure]) -> None:
    by_name = {m.scenario: m for m in measures}
    for name, limits in TARGETS.items():
        m = by_name.get(name)
        if m is None:
            continue
        values = [(figure, getattr(m, figure), limit) for figure, limit in limits]
        m.target = "; ".join(f"{_LABELS[f]} <= {limit:g}" for f, _, limit in values)
        m.met = all(value is not None and value <= limit for _, value, limit in values)


def bench(folder: Path = REPO / "build" / "bench", report=print, repeat: int = 3) -> list[Measure]:
    """Run the benchmark; write ``bench.json`` into *folder*; return the measures."""
    folder.mkdir(parents=True, exist_ok=True)
    config = copy_sample(folder / "work")
    sample = Book("sample", config, folder / "work" / "out",
                  folder / "work" / "content" / "chapters" / "05-teemat.md")  # fmt: skip
    report(f"benchmark: the sample, each scenario {repeat} times beside a stock render")
    runner = _Bench(sample, folder, repeat, report)
    (folder / "sample-baseline.html").unlink(missing_ok=True)
    pdfs = lambda: runner.build(*PDFS)  # noqa: E731
    clean = runner.scenario("clean build", pdfs, before=runner.clean)
    clean.pages = _pages(next(sample.out.glob("*-screen.pdf")))
    measures = [
        clean,
        runner.scenario("no-change rebuild", pdfs),
        runner.scenario("one-chapter edit", pdfs, before=runner.edit),
        runner.scenario("clean build with the EPUB and the web edition, validated",
                        runner.build, before=runner.clean),
        runner.scenario("one-chapter edit with the EPUB and the web edition, validated",
                        runner.build, before=runner.edit),
        runner.scenario(LOOP.split(": ", 1)[1],
                        lambda: runner.build("-e", "screen", "--no-check"), before=runner.edit),
    ]  # fmt: skip
    measures.append(_with_baselines(run_watch(sample, repeat), runner, report))
    measures.append(_with_baselines(run_preview(sample, repeat), runner, report))

    report("benchmark: the stress book")
    stress_config = make_stress(folder / "stress")
    chapters = sorted((folder / "stress" / "chapters").glob("*.md"))
    stress = Book("stress", stress_config, folder / "stress-out", chapters[len(chapters) // 2])
    runner = _Bench(stress, folder, repeat, report)
    (folder / "stress-baseline.html").unlink(missing_ok=True)
    pdfs = lambda: runner.build(*PDFS)  # noqa: E731
    clean = runner.scenario("clean build", pdfs, before=runner.clean)
    clean.pages = _pages(next(stress.out.glob("*-screen.pdf")))
    measures += [clean, runner.scenario("one-chapter edit", pdfs, before=runner.edit)]
    measures.append(_with_baselines(run_preview(stress, repeat), runner, report))
    measures.append(_with_baselines(run_watch(stress, repeat), runner, report))
    _judge(measures)
    (folder / "bench.json").write_text(
        json.dumps([m.as_dict() for m in measures], indent=2, ensure_ascii=False), "utf-8"
    )
    return measures


def bench_patches(
    folder: Path = REPO / "build" / "bench", report=print, repeat: int = 3
) -> list[Measure]:
    """What each renderer patch saves: clean builds of the sample with one patch off
    (``WORKBOOK_STOCK_RENDERER=<name>``), each beside a clean build with every patch
    on, which serves as its baseline.

    Writes ``patches.json`` into *folder*. The CPU ratio (patch off / all on) is the
    figure to read: two editions share two cores, so wall time also depends on
    what else the machine does.
    """
    from workbook.patches import PATCHES, STOCK_ENV

    folder.mkdir(parents=True, exist_ok=True)
    config = copy_sample(folder / "patches")
    book = Book("sample", config, folder / "patches" / "out", config)
    runner = _Bench(book, folder, 1, report)
    measures = []
    for patch in PATCHES:
        measure = Measure(f"clean build without {patch.name}")
        for _ in range(repeat):
            runner.clean()
            measure.baselines.append(runner.build(env={**os.environ, STOCK_ENV: ""}))
            runner.clean()
            measure.runs.append(runner.build(env={**os.environ, STOCK_ENV: patch.name}))
        saved = 1 - 1 / (measure.cpu_ratio or 1)
        measure.target = f"the patch saves {100 * saved:.1f} % of the CPU"
        report(f"  {measure.scenario}: CPU x {measure.cpu_ratio} of all patches on")
        measures.append(measure)
    (folder / "patches.json").write_text(
        json.dumps([m.as_dict() for m in measures], indent=2, ensure_ascii=False), "utf-8"
    )
    return measures
