"""``invoke bench``: how fast the pipeline is, measured against WeasyPrint itself.

Every scenario runs ``invoke build`` in a fresh interpreter (the real one, not a
version-manager shim) on a copy of the sample in build/bench/, and records wall
time, CPU time of the whole process tree and its peak memory (the sum of the
resident sizes of the process and all its children, sampled every 20 ms from
/proc). The baseline is WeasyPrint's command line rendering the pipeline's own
assembled HTML of the e-version once; every time is also given as a ratio to
it, because absolute times drift on shared machines.
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

from .stress import make_stress

REPO = Path(__file__).resolve().parents[2]
TARGETS = {
    "clean build": ("ratio", 1.25),
    "no-change rebuild": ("seconds", 0.5),
    "one-chapter edit": ("ratio", 1.1),
    "watch: one chapter edited, new e-version written": ("ratio", 1.0),
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


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of *pid* and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def run(scenario: str, command: list[str], cwd: Path = REPO) -> Measure:
    """Run *command*, measuring wall time, CPU time and peak memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.02)
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
from workbook.watch import watch
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
chapter.write_text(chapter.read_text(encoding="utf-8") + "\\nKolmas lisäys.\\n", "utf-8")
edited, cpu = time.monotonic(), time.process_time()
wait(2)
print(json.dumps({"wall": time.monotonic() - edited, "cpu": time.process_time() - cpu}))
stop.set()
worker.join()
"""


def run_watch(python: str, config: Path, out: Path, chapter: Path) -> Measure:
    """``invoke watch``'s loop as an editor meets it: from saving a chapter to the new
    e-version PDF (polling every 0.1 s, so the debounce adds 0.1-0.2 s), with the
    watcher's modules already loaded. Peak memory is the watcher's whole run."""
    scenario = "watch: one chapter edited, new e-version written"
    process = subprocess.Popen(
        [python, "-c", _WATCH_DRIVER, str(config), str(out), str(chapter)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.02)
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    if process.returncode != 0:
        raise RuntimeError(f"{scenario} failed:\n{output[-2000:]}")
    figures = json.loads(output.strip().splitlines()[-1])
    return Measure(
        scenario, round(figures["wall"], 2), round(figures["cpu"], 2), round(peak / 2**20, 1)
    )


def _python() -> str:
    """The real interpreter (a pyenv shim alone costs a third of a second)."""
    return os.path.realpath(sys.executable)


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def bench(folder: Path = REPO / "build" / "bench", report=print) -> list[Measure]:
    """Run the benchmark; write ``bench.json`` into *folder*; return the measures."""
    python = _python()
    work = folder / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO / "content", work / "content")
    shutil.copytree(REPO / "illustrations", work / "illustrations")
    config = work / "content" / "publication.toml"
    out = work / "out"

    def build(scenario: str, target_config: Path, target_out: Path) -> Measure:
        command = [python, "-m", "invoke", "build", "--config", str(target_config),
                   "--out", str(target_out)]  # fmt: skip
        measure = run(scenario, command)
        report(f"  {scenario}: {measure.wall:.2f} s")
        return measure

    report("benchmark: clean build of the sample (both editions, preflight)")
    clean = build("clean build", config, out)
    clean.pages = _pages(out / "asiakaspalvelu-screen.pdf")
    baseline = run(
        "baseline: WeasyPrint CLI, e-version",
        [python, "-m", "weasyprint", "--pdf-variant", "pdf/ua-1",
         str(out / "asiakaspalvelu-screen.html"), str(folder / "baseline.pdf")],
    )  # fmt: skip
    baseline.pages = clean.pages
    report(f"  baseline: {baseline.wall:.2f} s")
    unchanged = build("no-change rebuild", config, out)
    chapter = work / "content" / "chapters" / "05-teemat.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nLisätty kappale.\n", "utf-8")
    edit = build("one-chapter edit", config, out)
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nToinen lisäys.\n", "utf-8")
    loop = run(
        "one chapter edited, e-version only with its checks, fresh interpreter",
        [python, "-m", "invoke", "build", "--config", str(config), "--out", str(out),
         "-e", "screen", "--no-check"],
    )  # fmt: skip
    report(f"  edit, e-version only: {loop.wall:.2f} s")
    watched = run_watch(python, config, out, chapter)
    report(f"  watch: {watched.wall:.2f} s from the edit to the new PDF")
    report("benchmark: stress publication")
    stress_config = make_stress(folder / "stress")
    shutil.rmtree(folder / "stress-out", ignore_errors=True)  # a clean build, no cache
    stress = build("stress publication", stress_config, folder / "stress-out")
    stress.pages = _pages(folder / "stress-out" / "stressi-screen.pdf")

    measures = [baseline, clean, unchanged, edit, loop, watched, stress]
    for m in measures:
        m.ratio = round(m.wall / baseline.wall, 2)
    _judge(measures, clean)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.json").write_text(
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
