"""How ``invoke bench`` measures one run: wall time, CPU time and peak memory of a
process tree, and how repeated runs are summed up against a baseline run beside each.

**CPU** is the user + system time of the whole tree (``RUSAGE_CHILDREN`` of this
process, taken around the run): on two cores a build's wall time depends on
whether the second core is free, its CPU time much less.

**Memory** is the tree's proportional set size (PSS, ``/proc/<pid>/smaps_rollup``):
forked processes share their parent's pages, and PSS counts a shared page once in
all, where a sum of resident sizes would count it in every process.

**Ratios** are paired: each run of a scenario has a run of the baseline (stock
WeasyPrint rendering the same book's e-version HTML) beside it, and the ratio
reported is the median of the run-by-run ratios, for wall and CPU time alike.
A machine that drifts within minutes moves a run and its neighbour together.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Run:
    """One run of a command."""

    wall: float  # s
    cpu: float  # s, user + system of the process tree
    peak_mb: float  # whole-tree PSS


@dataclass
class Measure:
    """A scenario's repeated runs, summed up."""

    scenario: str
    runs: list[Run] = field(default_factory=list)
    baselines: list[Run] = field(default_factory=list)  # one beside each run, or none
    pages: int = 0
    target: str = ""
    met: bool | None = None

    @property
    def wall(self) -> float:
        """Median wall time (s)."""
        return median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        """Median CPU time (s)."""
        return median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        """The highest peak memory of all runs (MB, PSS)."""
        return max(r.peak_mb for r in self.runs)

    @property
    def wall_ratio(self) -> float | None:
        """Median of each run's wall time over the baseline run beside it."""
        return paired_ratio([r.wall for r in self.runs], [b.wall for b in self.baselines])

    @property
    def cpu_ratio(self) -> float | None:
        """Median of each run's CPU time over the baseline run beside it."""
        return paired_ratio([r.cpu for r in self.runs], [b.cpu for b in self.baselines])

    def as_dict(self) -> dict:
        """The figures for ``bench.json``."""
        return {
            "scenario": self.scenario,
            "wall": self.wall,
            "cpu": self.cpu,
            "peak_mb": self.peak_mb,
            "wall_ratio": self.wall_ratio,
            "cpu_ratio": self.cpu_ratio,
            "pages": self.pages,
            "target": self.target,
            "met": self.met,
            "runs": [vars(r) for r in self.runs],
            "baselines": [vars(b) for b in self.baselines],
        }


def median(values) -> float:
    """The median (the upper one of an even count)."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def paired_ratio(values: Sequence[float], baselines: Sequence[float]) -> float | None:
    """The median of the run-by-run ratios, or None without baselines."""
    if not baselines:
        return None
    return round(median(v / b for v, b in zip(values, baselines, strict=True)), 3)


def spread(values: Sequence[float]) -> str:
    """``median (min-max)``."""
    return f"{median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


class TreeMemory:
    """Proportional set size of a process and all its descendants, sampled from /proc.

    Listing every process in /proc costs a millisecond or more of CPU, so the
    tree is looked up every *rescan* samples; in between, only its known
    members are read. A new child is seen within *rescan* samples.
    """

    def __init__(self, pid: int, rescan: int = 5) -> None:
        self.pid = pid
        self.rescan = rescan
        self.members = [pid]
        self.samples = 0
        self.peak = 0  # bytes

    def sample(self) -> int:
        """The tree's PSS now (bytes); updates :attr:`peak`."""
        if self.samples % self.rescan == 0:
            self.members = descendants(self.pid)
        self.samples += 1
        size = sum(proportional_size(pid) for pid in self.members)
        self.peak = max(self.peak, size)
        return size


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


def proportional_size(pid: int) -> int:
    """A process's PSS in bytes (0 when it has ended)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, what: str = ""
) -> tuple[Run, str]:
    """Run *command*, measuring its process tree; return the run and its output.

    Raises RuntimeError with the end of the output when it fails.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    chunks: list[bytes] = []
    memory = TreeMemory(process.pid)
    os.set_blocking(process.stdout.fileno(), False)  # type: ignore[union-attr]
    while process.poll() is None:
        memory.sample()
        chunks.append(process.stdout.read() or b"")  # type: ignore[union-attr]
        time.sleep(0.02)
    wall = time.monotonic() - start
    chunks.append(process.stdout.read() or b"")  # type: ignore[union-attr]
    output = b"".join(chunks).decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{what or command[0]} failed:\n{output[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(round(wall, 3), round(cpu, 3), round(memory.peak / 2**20, 1)), output


def table(measures: list[Measure]) -> str:
    """The measures as a Markdown table: medians with min-max, paired ratios."""
    lines = [
        "| scenario | wall s | CPU s | peak MB (PSS) | pages | wall x | CPU x | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in measures:
        met = "" if m.met is None else ("yes" if m.met else "**no**")
        wall_x = "" if m.wall_ratio is None else f"{m.wall_ratio:.2f}"
        cpu_x = "" if m.cpu_ratio is None else f"{m.cpu_ratio:.2f}"
        lines.append(
            f"| {m.scenario} | {spread([r.wall for r in m.runs])} | "
            f"{spread([r.cpu for r in m.runs])} | {m.peak_mb:.0f} | {m.pages or ''} | "
            f"{wall_x} | {cpu_x} | {m.target} | {met} |"
        )
    return "\n".join(lines)
