"""``invoke profile``: where a clean build of the sample spends its time, by cProfile.

The sample is copied to build/bench/profile/ and built from scratch in this
one process, both editions one after the other (no forked workers: cProfile
sees one process), with the preflight. The raw profile is written as
``profile.prof`` (open it with ``python -m pstats`` or snakeviz), the top
functions as ``profile.txt``, and the time of each pipeline stage is read from
the profile's cumulative times (:data:`STAGES`). cProfile measures wall time:
waiting for pdftotext and pdftoppm counts where the stage waits, and Python
code runs slower under the profiler, so the shares matter more than the
seconds.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import shutil
from dataclasses import dataclass
from pathlib import Path

from workbook.devtools.bench import REPO, copy_sample

# (what the stage is, module file, function): the stage's time is the function's
# cumulative time, all calls together (both editions).
STAGES: tuple[tuple[str, str, str], ...] = (
    ("load and check the content (config, chapters, data, hyphenation, book model)",
     "workbook/pipeline/loading.py", "load_book"),
    ("import the renderer (WeasyPrint, pikepdf, numpy)",
     "workbook/pipeline/loading.py", "import_renderer"),
    ("prepare illustrations, charts and the HTML", "workbook/pipeline/edition.py", "plan_edition"),
    ("WeasyPrint: layout", "weasyprint/__init__.py", "render"),
    ("WeasyPrint: drawing and writing the PDF", "weasyprint/document.py", "write_pdf"),
    ("post-processing with pikepdf (tags, artifacts, forms, PDF/X)",
     "workbook/finish/postprocess.py", "finish"),
    ("read the PDF back (pikepdf walk, page digests, pdftotext)",
     "workbook/preflight/facts.py", "read_facts"),
    ("the edition's checks", "workbook/preflight/core.py", "check_edition"),
    ("report page images (waiting for pdftoppm, PNG)", "workbook/preflight/pageimages.py",
     "finish"),
    ("checks across editions, report files", "workbook/preflight/__init__.py",
     "check_publication"),
)  # fmt: skip


@dataclass(frozen=True)
class Stage:
    """One pipeline stage of the profiled build."""

    name: str
    seconds: float
    share: float  # of the whole build


def stage_times(stats: pstats.Stats, total: float) -> list[Stage]:
    """The cumulative time of each of :data:`STAGES` in *stats*."""
    found: dict[tuple[str, str], float] = {}
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        path = filename.replace("\\", "/")
        for _, module, name in STAGES:
            if function == name and path.endswith(module):
                found[module, name] = found.get((module, name), 0.0) + cumulative
    return [
        Stage(label, found.get((module, name), 0.0), found.get((module, name), 0.0) / total)
        for label, module, name in STAGES
    ]


def profile_build(
    folder: Path = REPO / "build" / "bench" / "profile",
    config: Path | None = None,
    report=print,
) -> list[Stage]:
    """Build a publication from scratch under cProfile; write the profile files into
    *folder* and return the stages' times.

    *config* is the publication's publication.toml; by default a copy of the
    sample in *folder*. The build goes to ``folder / "out"``.
    """
    from workbook.errors import display_path
    from workbook.pipeline.loading import import_renderer
    from workbook.pipeline.make import make

    if config is None:
        config = copy_sample(folder / "work")
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        import_renderer()  # here, so that the content is then loaded in this process too
        make(config, out_dir=out, workers=1, report=lambda line: None)
    finally:
        profiler.disable()
    folder.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(folder / "profile.prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    (folder / "profile.txt").write_text(text.getvalue(), encoding="utf-8")
    stages = stage_times(stats, total)
    report(f"profiled a clean build: {total:.1f} s under cProfile")
    report(stage_table(stages, total))
    files = ", ".join(display_path(folder / name) for name in ("profile.prof", "profile.txt"))
    report(f"written: {files}")
    return stages


def stage_table(stages: list[Stage], total: float) -> str:
    """A Markdown table of *stages*, with the rest of the build as one row."""
    rows = ["| stage | seconds | share |", "|---|---|---|"]
    rows += [f"| {s.name} | {s.seconds:.2f} | {s.share:.0%} |" for s in stages]
    rest = total - sum(s.seconds for s in stages)
    rows.append(f"| everything else (start-up, hashing inputs, writing files) | {rest:.2f} | "
                f"{rest / total:.0%} |")  # fmt: skip
    return "\n".join(rows)
