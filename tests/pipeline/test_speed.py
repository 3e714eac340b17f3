"""The editor's loop: nothing is redone that did not change; watch mode rebuilds on change.

Work is counted (renders, converted images), never timed.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from conftest import FIXTURES, chapter, illustrated, make_publication, wait_for, watching
from workbook.pipeline.make import make
from workbook.render import makeup


def quiet(_: str) -> None:
    pass


def test_second_build_renders_nothing(tmp_path):
    config = make_publication(tmp_path, {"01-a.md": chapter("A", "Teksti.")})
    out = tmp_path / "build"
    first = make(config, out_dir=out, report=quiet)
    assert sorted(first.built) == ["press", "screen"] and first.preflight is not None
    again = make(config, out_dir=out, report=quiet)
    assert again.built == [] and again.build is None
    assert sorted(again.up_to_date) == ["press", "screen"] and again.preflight_skipped
    forced = make(config, out_dir=out, report=quiet, editions=["screen"], force=["screen"])
    assert forced.built == ["screen"]  # as the watcher starts: its edition laid out


def test_touching_a_file_is_not_a_change_but_editing_one_is(tmp_path):
    config = make_publication(tmp_path, {"01-a.md": chapter("A", "Teksti.")})
    out = tmp_path / "build"
    make(config, out_dir=out, report=quiet, check=False)
    source = tmp_path / "chapters" / "01-a.md"
    source.touch()
    assert make(config, out_dir=out, report=quiet, check=False).built == []
    source.write_text(chapter("A", "Muutettu teksti."))
    assert sorted(make(config, out_dir=out, report=quiet, check=False).built) == [
        "press",
        "screen",
    ]


def test_a_deleted_pdf_is_built_again(tmp_path):
    config = make_publication(tmp_path, {"01-a.md": chapter("A", "Teksti.")})
    out = tmp_path / "build"
    make(config, out_dir=out, report=quiet, check=False)
    (out / "testikirja-screen.pdf").unlink()
    assert make(config, out_dir=out, report=quiet, check=False).built == ["screen"]


def test_one_changed_illustration_is_converted_once_per_edition(tmp_path):
    chapters = {"01-a.md": chapter("A", "![[tiski]]\n\n![[puolikas]]\n\nTeksti.")}
    config = illustrated(tmp_path, chapters=chapters)
    out = tmp_path / "build"
    first = make(config, out_dir=out, report=quiet, check=False)
    assert [e.images_converted for e in first.build.editions] == [2, 2]
    tiski = tmp_path / "illustrations" / "tiski.png"
    tiski.write_bytes(tiski.read_bytes() + b"\0")
    again = make(config, out_dir=out, report=quiet, check=False)
    converted = {
        e.variant.name: [i for i, p in e.images.items() if p.converted]
        for e in again.build.editions
    }
    assert converted == {"press": ["tiski"], "screen": ["tiski"]}


def test_a_changed_template_rebuilds_both_editions(tmp_path, monkeypatch):
    from workbook.pipeline import freshness

    config = make_publication(tmp_path, {"01-a.md": chapter("A", "Teksti.")})
    out = tmp_path / "build"
    make(config, out_dir=out, report=quiet, check=False)
    # A template outside the publication: pretend the repository's templates changed.
    extra = tmp_path / "templates-copy"
    extra.mkdir()
    (extra / "book.html.j2").write_text("versio 1")
    folders = freshness.input_folders
    monkeypatch.setattr(freshness, "input_folders", lambda c: [*folders(c), extra])
    assert sorted(make(config, out_dir=out, report=quiet, check=False).built) == [
        "press",
        "screen",
    ]
    assert make(config, out_dir=out, report=quiet, check=False).built == []
    (extra / "book.html.j2").write_text("versio 2")
    assert sorted(make(config, out_dir=out, report=quiet, check=False).built) == [
        "press",
        "screen",
    ]


def test_watch_rebuilds_reports_errors_and_stops(tmp_path):
    config = make_publication(tmp_path, {"01-a.md": chapter("A", "Ensimmäinen versio.")})
    out = tmp_path / "build"
    with watching(config, out, join=30) as (lines, worker):
        pdf = out / "testikirja-screen.pdf"
        assert wait_for(lambda: any(line.startswith("built ") for line in lines))
        first = pdf.stat().st_mtime_ns
        source = tmp_path / "chapters" / "01-a.md"
        source.write_text(chapter("A", "Toinen versio."))
        assert wait_for(lambda: pdf.stat().st_mtime_ns != first)
        assert any("changed: " in line and "01-a.md" in line for line in lines)
        source.write_text(chapter("A", "Rikki: [[#ei-ole]]"))
        assert wait_for(lambda: any(line.startswith("error: ") for line in lines))
        assert "link to '#ei-ole'" in next(line for line in lines if line.startswith("error: "))
        assert worker.is_alive()  # the error did not end the watch
        source.write_text(chapter("A", "Korjattu versio."))
        assert wait_for(lambda: sum(line.startswith("built ") for line in lines) >= 3)
    assert not worker.is_alive()
    assert not list(Path(out).glob("*.part"))
    assert gc.get_freeze_count() == 0  # the watcher leaves the heap as it found it


def test_a_repeated_scenario_is_reported_by_its_median_and_range():
    from workbook.devtools.measure import Measure, Run, table

    m = Measure("x", [Run(9.0, 15.0, 500), Run(7.0, 13.0, 620), Run(8.0, 14.0, 510)])
    assert (m.wall, m.cpu, m.peak_mb) == (8.0, 14.0, 620)
    assert "| x | 8.00 (7.00-9.00) | 14.00 (13.00-15.00) | 620 |" in table([m])


def test_each_run_is_compared_with_the_baseline_run_beside_it():
    from workbook.devtools.measure import Measure, Run

    # The machine slows down by half between the first and the last pair: the
    # ratio of neighbours stays 1.1, the ratio of medians would not.
    runs = [Run(w, 2 * w, 0) for w in (5.5, 7.7, 8.25)]
    baselines = [Run(w, w, 0) for w in (5.0, 7.0, 7.5)]
    m = Measure("x", runs, baselines)
    assert m.wall_ratio == 1.1 and m.cpu_ratio == 2.2
    assert round(7.7 / 5.0, 2) != 1.1  # what a median against an early baseline gives
    assert Measure("y", runs).wall_ratio is None


def test_the_benchmark_runs_in_this_interpreter(monkeypatch, tmp_path):
    """In a virtual environment, the builds run with the environment's interpreter
    (where invoke is installed), never the base interpreter it links to."""
    from workbook.devtools import bench

    seen = []
    monkeypatch.setattr(bench, "run", lambda command, *a, **k: seen.append(command) or (None, ""))
    runner = bench._Bench(bench.Book("b", tmp_path, tmp_path, tmp_path), tmp_path, 1, print)
    runner.build()
    assert seen[0][0] == sys.executable


def test_peak_memory_counts_the_children_of_children():
    import subprocess
    import sys
    import time

    from workbook.devtools.measure import TreeMemory

    # 60 MB in a child that starts a grandchild holding 40 MB, both alive together.
    grandchild = "b = bytearray(40 * 2**20); import time; time.sleep(1.0)"
    child = (
        "import subprocess, sys; a = bytearray(60 * 2**20); "
        f"subprocess.run([sys.executable, '-c', {grandchild!r}])"
    )
    process = subprocess.Popen([sys.executable, "-c", child])
    memory = TreeMemory(process.pid)
    while process.poll() is None:
        memory.sample()
        time.sleep(0.02)
    assert process.returncode == 0
    assert memory.peak > 100 * 2**20  # both processes' pages, not the child's alone


def test_peak_memory_counts_pages_shared_by_forked_children_once():
    from workbook.devtools.measure import TreeMemory

    # 80 MB in a parent that forks two children: all three map the same pages.
    code = (
        "import os, time\n"
        "a = bytearray(80 * 2**20)\n"
        "children = []\n"
        "for _ in range(2):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        time.sleep(1.0)\n"
        "        os._exit(0)\n"
        "    children.append(pid)\n"
        "for pid in children:\n"
        "    os.waitpid(pid, 0)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    memory = TreeMemory(process.pid)
    while process.poll() is None:
        memory.sample()
        time.sleep(0.02)
    assert 80 * 2**20 < memory.peak < 140 * 2**20  # a sum of RSS would count it four times


def test_the_collector_does_not_run_while_weasyprint_renders(monkeypatch, tmp_path):
    from weasyprint import HTML
    from weasyprint.document import Document

    from workbook.config.editions import VARIANTS
    from workbook.render import pdf

    seen = []
    real_render, real_write = HTML.render, Document.write_pdf

    def render(self, *args, **kwargs):
        seen.append(("render", gc.isenabled()))
        return real_render(self, *args, **kwargs)

    def write_pdf(self, *args, **kwargs):
        seen.append(("write", gc.isenabled()))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "render", render)
    monkeypatch.setattr(Document, "write_pdf", write_pdf)
    html = "<html lang='fi'><title>T</title><p>Teksti.</p></html>"
    pdf.render_pdf(html, base=tmp_path, variant=VARIANTS["screen"], allowed=[], source=tmp_path)
    assert seen == [("render", False), ("write", False)]
    assert gc.isenabled()
    with pytest.raises(RuntimeError), pdf.no_collections():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()  # a caller that had switched it off keeps it off
    try:
        with pdf.no_collections():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_is_paused_while_the_renderer_is_imported(monkeypatch):
    from workbook.pipeline import loading

    seen = []
    monkeypatch.setattr(
        loading.importlib, "import_module", lambda name: seen.append(gc.isenabled())
    )
    assert gc.isenabled()
    loading.import_renderer()
    assert seen == [False] * len(loading.RENDERER)
    assert gc.isenabled()


def test_the_loader_process_loads_without_collections(monkeypatch, tmp_path):
    from workbook.pipeline import loading

    seen = []
    monkeypatch.setattr(loading, "load_book", lambda *args: seen.append(gc.isenabled()) or "book")
    sent = []

    class Pipe:
        send, close = sent.append, lambda self=None: None

    loading._load_and_send(tmp_path / "publication.toml", None, None, Pipe())
    assert seen == [False] and gc.isenabled()
    assert sent == [("ok", "book")]


def _jobs(*names: str) -> list:
    from workbook.config.editions import VARIANTS
    from workbook.pipeline.edition import EditionJob

    return [EditionJob(VARIANTS[name], Path(f"{name}.pdf")) for name in names]


def test_each_edition_builds_in_a_process_of_its_own_and_no_other_is_forked(monkeypatch):
    """Outcomes come back in job order, a bad-input error as itself; with more
    editions than workers the rest wait; nothing else is forked (a Pool forks a
    spare copy of the parent whenever a one-task child ends)."""
    import multiprocessing.context

    from workbook.errors import WorkbookError
    from workbook.pipeline import edition as edition_module
    from workbook.pipeline import jobs

    def edition(job, settings):
        if job.variant.name == "handout":
            raise WorkbookError("bad input", path=Path("luku.md"), line=3, hint="fix it")
        return (job.variant.name, os.getpid())

    monkeypatch.setattr(edition_module, "build_edition", edition)
    started = []
    real_start = multiprocessing.context.ForkProcess.start

    def start(process):
        started.append(process.name)
        real_start(process)

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", start)
    outcomes = jobs.run_jobs(_jobs("press", "screen", "handout"), None, workers=2)
    assert started == ["workbook-press", "workbook-screen", "workbook-handout"]
    assert [o[0] for o in outcomes[:2]] == ["press", "screen"]
    pids = {o[1] for o in outcomes[:2]}
    assert len(pids) == 2 and os.getpid() not in pids
    error = outcomes[2]
    assert isinstance(error, WorkbookError)
    assert (error.message, error.path, error.line, error.hint) == (
        "bad input",
        Path("luku.md"),
        3,
        "fix it",
    )


def test_a_crash_in_an_edition_process_keeps_its_traceback(monkeypatch):
    from workbook.pipeline import edition as edition_module
    from workbook.pipeline import jobs

    def edition(job, settings):
        raise ValueError("a bug in the pipeline")

    monkeypatch.setattr(edition_module, "build_edition", edition)
    with pytest.raises(RuntimeError, match="building an edition: ValueError") as raised:
        jobs.run_jobs(_jobs("press", "screen"), None, workers=2)
    assert "a bug in the pipeline" in str(raised.value)
    assert any("Traceback" in note for note in raised.value.__notes__)


def test_the_editions_processes_inherit_a_frozen_heap(monkeypatch):
    """The loaded book is frozen while the editions build (never walked by the
    collector there), and thawed again afterwards; a heap frozen by the caller
    (watch mode) is left as it was."""
    from workbook.pipeline import edition as edition_module
    from workbook.pipeline import jobs

    monkeypatch.setattr(
        edition_module, "build_edition", lambda job, settings: gc.get_freeze_count()
    )
    assert gc.get_freeze_count() == 0
    counts = jobs.run_jobs(_jobs("press", "screen"), None, workers=2)
    assert len(counts) == 2 and all(count > 0 for count in counts)
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        jobs.run_jobs(_jobs("screen"), None, workers=2)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_the_profile_names_the_time_of_each_stage(tmp_path):
    from workbook.devtools.profiling import STAGES, profile_build

    config = make_publication(
        tmp_path / "kirja", {"01-luku.md": chapter("Luku", "Lyhyt kappale tekstiä.")}
    )
    lines: list[str] = []
    stages = profile_build(tmp_path / "profile", config, report=lines.append)
    assert [s.name for s in stages] == [label for label, _, _ in STAGES]
    seconds = {s.name.split(" (")[0]: s.seconds for s in stages}
    assert seconds["WeasyPrint: layout"] > 0 and seconds["the edition's checks"] > 0
    assert seconds["load and check the content"] > 0
    assert 0.5 < sum(s.share for s in stages) <= 1.0
    assert (tmp_path / "profile" / "profile.prof").stat().st_size > 0
    assert "cumulative" in (tmp_path / "profile" / "profile.txt").read_text()
    assert (tmp_path / "profile" / "out" / "preflight" / "report.html").exists()
    assert "| WeasyPrint: layout |" in lines[1]


def test_a_clean_build_settles_the_page_make_up_once_for_both_editions(tmp_path):
    text = (
        "Kirjastojen asiakaspalvelun kehittämishankkeessa kartoitettiin asiakaskokemuksia, "
        "henkilöstön näkemyksiä ja työyhteisöjen toimintakulttuureja monipuolisesti. "
    ) * 12
    config = make_publication(tmp_path, {"01-a.md": chapter("A", f"{text}\n\n{text}")})
    out = tmp_path / "build"
    made = make(config, out_dir=out, report=quiet)
    layouts = {e.variant.name: e.layouts for e in made.build.editions}
    assert layouts["press"] > 1  # the press edition settled the make-up
    assert layouts["screen"] == 1  # the screen edition started from it
    press, screen = (makeup.plan_path(out, e.path.name) for e in made.build.editions)
    assert press.read_text() == screen.read_text()


def test_an_edit_renders_the_chapter_alone_into_each_edition_s_last_render(tmp_path):
    chapters = {"01-a.md": chapter("A", "Ensimmäinen luku."), "02-b.md": chapter("B", "Toinen.")}
    config = make_publication(tmp_path, chapters)
    out = tmp_path / "build"
    make(config, out_dir=out, report=quiet, check=False)
    (tmp_path / "chapters" / "02-b.md").write_text(chapter("B", "Toinen luku, muutettu."))
    made = make(config, out_dir=out, report=quiet)
    editions = {e.variant.name: e for e in made.build.editions}
    for edition in editions.values():
        assert (edition.layouts, edition.chapter_layouts) == (0, 1)
    # Every check passes, the tagged edition's page-validation among them.
    checks = [c for e in editions.values() for c in e.checks]
    assert "pdfua-validator" in {c.name for c in checks}
    assert all(check.status != "fail" for check in checks)
    make(config, out_dir=tmp_path / "clean", report=quiet, check=False)

    def words(folder: Path, edition: str) -> list[str]:
        reader = pypdf.PdfReader(folder / f"testikirja-{edition}.pdf")
        return [" ".join(page.extract_text().split()) for page in reader.pages]

    for edition in editions:
        assert words(out, edition) == words(tmp_path / "clean", edition)
    assert "Toinen luku, muutettu." in " ".join(words(out, "screen"))
    # An input other than the chapters lets the kept render go.
    (tmp_path / "extra.css").write_text("p { color: black }")
    (tmp_path / "chapters" / "02-b.md").write_text(chapter("B", "Toinen luku."))
    again = make(config, out_dir=out, report=quiet, check=False, editions=["press"])
    assert again.build.editions[0].layouts >= 1


def test_a_spliced_chapter_keeps_its_form_fields_and_the_book_stays_pdf_ua(tmp_path):
    exercises = (FIXTURES / "chapters" / "exercise-all-components.md").read_text()
    text = "\n\n".join(["Kirjasto kehittää palvelujaan yhdessä asiakkaidensa kanssa. " * 8] * 6)
    chapters = {"01-a.md": exercises, "02-b.md": chapter("B", text)}
    config = make_publication(tmp_path, chapters)
    out = tmp_path / "build"
    make(config, out_dir=out, report=quiet, check=False, editions=["screen"])
    edited = exercises.replace("Johdantoteksti ennen", "Lyhyt johdantoteksti ennen")
    (tmp_path / "chapters" / "01-a.md").write_text(edited)
    made = make(config, out_dir=out, report=quiet, editions=["screen"])
    [screen] = made.build.editions
    assert (screen.layouts, screen.chapter_layouts) == (0, 1)
    checks = {c.name: c.status for c in screen.checks}
    assert checks["form-fields"] == checks["pdfua-validator"] == checks["id-tree"] == "pass"
    make(config, out_dir=tmp_path / "clean", report=quiet, check=False, editions=["screen"])

    def fields(folder: Path) -> dict[str, str]:
        reader = pypdf.PdfReader(folder / "testikirja-screen.pdf")
        return {name: str(f.get("/FT")) for name, f in (reader.get_fields() or {}).items()}

    assert fields(out) == fields(tmp_path / "clean") != {}


def _finished(pdf_path: Path) -> dict:
    """What the finishing steps that read the whole e-version wrote: the footnotes'
    ids, the words in another language, the links' descriptions and the IDTree."""
    import pikepdf

    from workbook.finish.structtree import all_elements

    with pikepdf.open(pdf_path) as pdf:
        elements = list(all_elements(pdf))
        tree = pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)
        return {
            "notes": [str(e.ID) for e in elements if e.get("/S") == "/Note"],
            "lang": [(str(e.S), str(e.Lang)) for e in elements if "/Lang" in e],
            "links": [
                str(a.get("/Contents")) for page in pdf.pages for a in page.get("/Annots", [])
            ],
            "ids": sorted(tree.keys()),
        }


def test_a_spliced_chapter_s_footnotes_languages_and_links_are_finished_as_a_whole_book_s(
    tmp_path,
):
    notes = "Ensimmäinen luku.[^a] Katso (ks. [[#kolmas]]).\n\n[^a]: Ensimmäinen alaviite."
    second = "Teoksen [Service Design Thinking]{lang=en} ajatuksia.[^b]\n\n[^b]: Toinen alaviite."
    third = "## Kolmas osa {#kolmas}\n\nKolmas luku.[^c] Ks. [[#toinen]].\n\n[^c]: Kolmas."
    chapters = {
        "01-a.md": chapter("A", notes),
        "02-b.md": chapter("B", "## Toinen osa {#toinen}\n\n" + second),
        "03-c.md": chapter("C", third),
    }
    config = make_publication(tmp_path, chapters)
    out = tmp_path / "build"
    make(config, out_dir=out, report=quiet, check=False, editions=["screen"])
    before = _finished(out / "testikirja-screen.pdf")
    new = "ajatuksia.[^b] Myös *Libraries for all*{lang=en}.[^u]"
    added = second.replace("ajatuksia.[^b]", new)
    body = "## Toinen osa {#toinen}\n\n" + added + "\n\n[^u]: Uusi alaviite."
    (tmp_path / "chapters" / "02-b.md").write_text(chapter("B", body))
    made = make(config, out_dir=out, report=quiet, editions=["screen"])
    [screen] = made.build.editions
    assert (screen.layouts, screen.chapter_layouts) == (0, 1)
    assert all(check.status != "fail" for check in screen.checks)
    make(config, out_dir=tmp_path / "clean", report=quiet, check=False, editions=["screen"])
    spliced, whole = (_finished(f / "testikirja-screen.pdf") for f in (out, tmp_path / "clean"))
    assert spliced == whole
    # The new footnote is the third, so chapter C's note became the fourth.
    assert spliced["notes"] == [f"alaviite-{n}" for n in range(1, 5)] != before["notes"]
    assert [lang for _, lang in spliced["lang"]] == ["en", "en"]
    assert any("Kolmas osa, sivu" in text for text in spliced["links"])
