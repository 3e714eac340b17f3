"""``invoke bench``: how fast the pipeline is, measured against WeasyPrint itself.

Every scenario but one runs ``invoke build`` in a fresh interpreter (the real
one, not a version-manager shim) on a copy of the sample in build/bench/, and
records wall time, CPU time of the whole process tree and its peak memory (the
sum of the resident sizes of the process and all its children, sampled every
20 ms from /proc, :class:`TreeMemory`). The watch scenario runs
``workbook.pipeline.watch`` as ``invoke watch`` does and times each edit from
the save to the new PDF. The baseline is
WeasyPrint's command line rendering the pipeline's own assembled HTML of the
e-version once; every time is also given as a ratio to it, because absolute
times drift on shared machines. Each scenario of the sample runs several times
(three by default) and is reported by its median.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from workbook.devtools.stress import make_stress
from workbook.paths import REPO

LOOP = "one chapter edited, e-version only with its checks, fresh interpreter"
PDFS = ("-e", "press", "-e", "screen")  # the two PDF editions alone
CLEAN_EBOOK = "clean build with the EPUB and the web edition, their validators"
EDIT_EBOOK = "one-chapter edit with the EPUB and the web edition, their validators"
WATCH = "watch: one chapter edited, new e-version written"
TARGETS = {
    "clean build": ("ratio", 1.25),
    "no-change rebuild": ("seconds", 0.5),
    "one-chapter edit": ("ratio", 1.1),
    WATCH: ("ratio", 1.0),
    "stress publication": ("per-page", 1.3),
}


@dataclass
class Measure:
    """One scenario's figures."""

    scenario: str
    wall: float  # s
    cpu: float  # s, user + system of the process tree
    peak_rss_mb: float
    pages: int = 0
    ratio: float = 0.0  # wall / baseline wall
    target: str = ""
    met: bool | None = None
    runs: tuple[float, ...] = ()  # wall time of every run; wall and cpu are the medians


def median_of(measures: list[Measure]) -> Measure:
    """One measure of repeated runs: median wall and CPU time, highest peak memory."""
    walls = sorted(m.wall for m in measures)
    cpus = sorted(m.cpu for m in measures)
    return Measure(
        measures[0].scenario,
        walls[len(walls) // 2],
        cpus[len(cpus) // 2],
        max(m.peak_rss_mb for m in measures),
        runs=tuple(m.wall for m in measures),
    )


def paired_ratio(measures: list[Measure], baselines: list[Measure]) -> float:
    """The median of each run's wall time over the baseline run measured beside it.

    On a shared machine the speed drifts within minutes; a ratio of two medians
    taken minutes apart carries that drift, a ratio of neighbours does not.
    """
    ratios = sorted(m.wall / b.wall for m, b in zip(measures, baselines, strict=True))
    return round(ratios[len(ratios) // 2], 2)


class TreeMemory:
    """Resident memory of a process and all its descendants, sampled from /proc.

    Listing every process in /proc costs a millisecond or more of CPU, which
    at one sample every 20 ms took some 6 % of a core from the builds being
    measured (and more from the two-process ones than from the baseline). The
    tree is therefore looked up every *rescan* samples; in between, only its
    known members' ``statm`` files are read. A new child is seen within
    ``rescan`` x 20 ms.
    """

    def __init__(self, pid: int, rescan: int = 5) -> None:
        self.pid = pid
        self.rescan = rescan
        self.members = [pid]
        self.samples = 0
        self.peak = 0  # bytes

    def sample(self) -> int:
        """The tree's resident size now (bytes); updates :attr:`peak`."""
        if self.samples % self.rescan == 0:
            self.members = descendants(self.pid)
        self.samples += 1
        size = sum(_resident(pid) for pid in self.members)
        self.peak = max(self.peak, size)
        return size


_PAGE = os.sysconf("SC_PAGE_SIZE")


def descendants(pid: int) -> list[int]:
    """*pid* and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def _resident(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0  # ended since the last look


def run(
    scenario: str, command: list[str], cwd: Path = REPO, env: dict[str, str] | None = None
) -> Measure:
    """Run *command*, measuring wall time, CPU time and peak memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    memory = TreeMemory(process.pid)
    while process.poll() is None:
        memory.sample()
        time.sleep(0.02)
    peak = memory.peak
    wall = time.monotonic() - start
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    if process.returncode != 0:
        raise RuntimeError(f"{scenario} failed:\n{output[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measure(scenario, round(wall, 2), round(cpu, 2), round(peak / 1024 / 1024, 1))


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


def run_watch(python: str, config: Path, out: Path, chapter: Path, repeat: int = 1) -> Measure:
    """``invoke watch``'s loop as an editor meets it: from saving a chapter to the new
    e-version PDF (polling every 0.1 s, so the debounce adds 0.1-0.2 s), with the
    watcher's modules already loaded. Peak memory is the watcher's whole run."""
    scenario = WATCH
    process = subprocess.Popen(
        [python, "-c", _WATCH_DRIVER, str(config), str(out), str(chapter), str(repeat)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    memory = TreeMemory(process.pid)
    while process.poll() is None:
        memory.sample()
        time.sleep(0.02)
    peak = memory.peak
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    if process.returncode != 0:
        raise RuntimeError(f"{scenario} failed:\n{output[-2000:]}")
    figures = json.loads(output.strip().splitlines()[-1])
    peak_mb = round(peak / 2**20, 1)
    return median_of(
        [Measure(scenario, round(f["wall"], 2), round(f["cpu"], 2), peak_mb) for f in figures]
    )


def _python() -> str:
    """The real interpreter (a pyenv shim alone costs a third of a second)."""
    return os.path.realpath(sys.executable)


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def copy_sample(work: Path) -> Path:
    """A fresh copy of the sample publication (content and illustrations) in *work*;
    its publication.toml."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO / "content", work / "content")
    shutil.copytree(REPO / "illustrations", work / "illustrations")
    return work / "content" / "publication.toml"


def bench(folder: Path = REPO / "build" / "bench", report=print, repeat: int = 3) -> list[Measure]:
    """Run the benchmark; write ``bench.json`` into *folder*; return the measures.

    Every scenario of the sample runs *repeat* times and is reported by its
    median; the stress book runs once.
    """
    python = _python()
    work = folder / "work"
    config = copy_sample(work)
    out = work / "out"

    def build(scenario: str, target_config: Path, target_out: Path, *extra: str) -> Measure:
        command = [python, "-m", "invoke", "build", "--config", str(target_config),
                   "--out", str(target_out), *extra]  # fmt: skip
        return run(scenario, command)

    def told(measure: Measure) -> Measure:
        runs = ", ".join(f"{wall:.2f}" for wall in measure.runs)
        report(f"  {measure.scenario}: {measure.wall:.2f} s (median of {runs})")
        return measure

    chapter = work / "content" / "chapters" / "05-teemat.md"

    def edited(number: int) -> None:
        text = chapter.read_text(encoding="utf-8")
        chapter.write_text(text + f"\nLisätty kappale numero {number}.\n", "utf-8")

    report(f"benchmark: the sample, each scenario {repeat} times (machines drift: medians)")
    baseline_html = folder / "baseline.html"

    def baseline_run() -> Measure:
        return run("baseline: WeasyPrint CLI, e-version",
                   [python, "-m", "weasyprint", "--pdf-variant", "pdf/ua-1",
                    str(baseline_html), str(folder / "baseline.pdf")])  # fmt: skip

    baselines: list[Measure] = []
    pairs: dict[str, list[Measure]] = {}  # scenario -> the baseline run beside each run

    def beside(scenario: str) -> None:
        """Run the baseline once, next to a run of *scenario*."""
        baselines.append(baseline_run())
        pairs.setdefault(scenario, []).append(baselines[-1])

    cleans = []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        cleans.append(build("clean build", config, out, *PDFS))
        # The HTML kept beside the e-version, with the prepared files' paths, in
        # a place a later clean build does not remove.
        baseline_html.write_text(
            (out / "asiakaspalvelu-screen.html").read_text(encoding="utf-8"), "utf-8"
        )
        beside("clean build")
    clean = told(median_of(cleans))
    clean.pages = _pages(out / "asiakaspalvelu-screen.pdf")
    ebook_cleans = []
    for _ in range(repeat):  # everything invoke build makes: the PDFs, the EPUB, web/
        shutil.rmtree(out, ignore_errors=True)
        ebook_cleans.append(build(CLEAN_EBOOK, config, out))
        beside(CLEAN_EBOOK)
    ebook_clean = told(median_of(ebook_cleans))
    unchanged = told(median_of([build("no-change rebuild", config, out) for _ in range(repeat)]))
    edits = []
    for number in range(repeat):
        beside("one-chapter edit")
        edited(number)
        edits.append(build("one-chapter edit", config, out, *PDFS))
    edit = told(median_of(edits))
    ebook_edits = []
    for number in range(repeat):
        build("e-book brought up to date", config, out)  # the edit before, not measured
        beside(EDIT_EBOOK)
        edited(100 + number)
        ebook_edits.append(build(EDIT_EBOOK, config, out))
    ebook_edit = told(median_of(ebook_edits))
    loops = []
    for number in range(repeat, 2 * repeat):
        beside(LOOP)
        edited(number)
        loops.append(build(LOOP, config, out, "-e", "screen", "--no-check"))
    loop = told(median_of(loops))
    for _ in range(repeat):
        beside(WATCH)
    watched = told(run_watch(python, config, out, chapter, repeat))
    baseline = told(median_of(baselines))
    baseline.pages = clean.pages
    report("benchmark: stress publication")
    stress_config = make_stress(folder / "stress")
    shutil.rmtree(folder / "stress-out", ignore_errors=True)  # a clean build, no cache
    stress_out = folder / "stress-out"
    stress = told(median_of([build("stress publication", stress_config, stress_out, *PDFS)]))
    stress.pages = _pages(stress_out / "stressi-screen.pdf")

    measures = [baseline, clean, ebook_clean, unchanged, edit, ebook_edit, loop, watched, stress]
    for m in measures:
        m.ratio = round(m.wall / baseline.wall, 2)
        if m.scenario in pairs:  # m.runs are in the order the baselines ran beside them
            runs = [Measure(m.scenario, wall, 0.0, 0.0) for wall in m.runs]
            m.ratio = paired_ratio(runs, pairs[m.scenario])
    _judge(measures, clean)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.json").write_text(
        json.dumps([asdict(m) for m in measures], indent=2, ensure_ascii=False), "utf-8"
    )
    return measures


def bench_patches(
    folder: Path = REPO / "build" / "bench", report=print, repeat: int = 3
) -> list[Measure]:
    """What each renderer patch saves: clean builds of the sample with every patch on,
    beside clean builds with that one patch off (``WORKBOOK_STOCK_RENDERER=<name>``).

    Writes ``patches.json`` into *folder*. A measure's ratio is the median of the
    paired CPU ratios (patch off / all on); its wall and CPU are the medians with
    the patch off. CPU time is the figure to read: two editions share two cores,
    so wall time also depends on what else the machine does.
    """
    from workbook.patches import PATCHES, STOCK_ENV

    python = _python()
    work = folder / "patches"
    config = copy_sample(work)

    def clean_build(scenario: str, off: str) -> Measure:
        out = work / "out"
        shutil.rmtree(out, ignore_errors=True)
        env = {**os.environ, STOCK_ENV: off}
        command = [python, "-m", "invoke", "build", "--config", str(config), "--out", str(out)]
        return run(scenario, command, env=env)

    measures = []
    for patch in PATCHES:
        scenario = f"clean build without {patch.name}"
        pairs = [(clean_build("all patches", ""), clean_build(scenario, patch.name))
                 for _ in range(repeat)]  # fmt: skip
        off = median_of([without for _, without in pairs])
        cpu = sorted(without.cpu / on.cpu for on, without in pairs)
        off.ratio = round(cpu[len(cpu) // 2], 3)
        off.target = f"saves {100 * (1 - 1 / off.ratio):.1f} % of the CPU"
        report(f"  {scenario}: CPU x {off.ratio} of all patches on ({off.target})")
        measures.append(off)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "patches.json").write_text(
        json.dumps([asdict(m) for m in measures], indent=2, ensure_ascii=False), "utf-8"
    )
    return measures


def _judge(measures: list[Measure], clean: Measure) -> None:
    by_name = {m.scenario: m for m in measures}
    for name, (kind, limit) in TARGETS.items():
        m = by_name[name]
        if kind == "ratio":
            m.target, m.met = f"<= {limit} x baseline", m.ratio <= limit
        elif kind == "seconds":
            m.target, m.met = f"< {limit} s", m.wall < limit
        else:
            sample = clean.wall / clean.pages
            per_page = m.wall / m.pages
            m.target = f"per page <= {limit} x sample's ({per_page:.3f} vs {sample:.3f} s); < 1 GB"
            m.met = per_page <= limit * sample and m.peak_rss_mb < 1024


def table(measures: list[Measure]) -> str:
    """The measures as a Markdown table."""
    lines = [
        "| scenario | wall s | CPU s | peak MB | pages | x baseline | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in measures:
        met = "" if m.met is None else ("yes" if m.met else "**no**")
        lines.append(
            f"| {m.scenario} | {m.wall:.2f} | {m.cpu:.2f} | {m.peak_rss_mb:.0f} | "
            f"{m.pages or ''} | {m.ratio:.2f} | {m.target} | {met} |"
        )
    return "\n".join(lines)
