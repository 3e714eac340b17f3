"""The e-book in the pipeline: built with the PDFs, only when out of date, never half-written,
refusing what the PDFs refuse."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from conftest import FIXTURES, REPO, chapter, make_publication, share_fonts
from workbook.ebook import stage
from workbook.errors import WorkbookError
from workbook.pipeline.make import make

CHAPTERS = {
    "01-kaikki.md": FIXTURES / "chapters" / "all-features.md",
    "02-tehtavat.md": FIXTURES / "chapters" / "exercise-all-components.md",
    "03-loppu.md": chapter("Loppusanat", "Viimeinen luku (ks. [[#toinen]])."),
}


def build_ebook(config, out, fonts, lines=None, **options):
    share_fonts(out, fonts)
    report = lines.append if lines is not None else (lambda _: None)
    options.setdefault("check", False)
    return make(config, out_dir=out, report=report, ebook=True, workers=1, **options)


@pytest.fixture(scope="module")
def small(tmp_path_factory, ebook_fonts):
    root = tmp_path_factory.mktemp("pieni")
    config = make_publication(root / "kirja", CHAPTERS)
    out = root / "build"
    lines: list[str] = []
    result = build_ebook(config, out, ebook_fonts, lines)
    return config, out, result, lines


def test_the_ebook_comes_with_the_pdfs_and_warns_of_what_it_lacks(small):
    _, out, result, lines = small
    ebook = result.build.ebook
    assert ebook.epub == out / "testikirja.epub" and ebook.source == "press"
    assert ebook.pages == next(e.pages for e in result.build.editions if e.variant.name == "press")
    assert (out / "web" / "index.html").is_file() and (out / "web" / "loppu.html").is_file()
    warnings = [line for line in lines if "warning:" in line]
    assert any("no isbn.epub" in w for w in warnings)  # a warning, never an error
    assert any("no accessibility.contact" in w for w in warnings)
    with zipfile.ZipFile(ebook.epub) as epub:
        opf = epub.read("EPUB/package.opf").decode()
    assert '<dc:identifier id="pub-id">urn:uuid:' in opf


def test_nothing_is_rebuilt_while_nothing_changed(small, ebook_fonts):
    config, out, _, _ = small
    assert not stage.stale(config, out)
    lines: list[str] = []
    again = build_ebook(config, out, ebook_fonts, lines)
    assert again.build is None and " ebook: up to date" in lines
    (out / "web" / "index.html").unlink()
    assert stage.stale(config, out)


def test_the_same_sources_give_the_same_epub_bytes(small, tmp_path, ebook_fonts):
    config, out, _, _ = small
    other = build_ebook(config, tmp_path / "toinen", ebook_fonts)
    assert other.build.ebook.epub.read_bytes() == (out / "testikirja.epub").read_bytes()


def test_an_edit_rebuilds_the_ebook(tmp_path, ebook_fonts):
    config = make_publication(tmp_path / "kirja", CHAPTERS)
    out = tmp_path / "build"
    build_ebook(config, out, ebook_fonts)
    chapter_file = config.parent / "chapters" / "03-loppu.md"
    chapter_file.write_text(chapter("Loppusanat", "Uusi viimeinen virke."), encoding="utf-8")
    assert stage.stale(config, out)
    build_ebook(config, out, ebook_fonts)
    page = (out / "web" / "loppu.html").read_text(encoding="utf-8")
    assert "Uusi viimeinen virke." in page.replace("\u00ad", "")  # soft hyphens aside
    with zipfile.ZipFile(out / "testikirja.epub") as epub:
        text = epub.read("EPUB/loppu.xhtml").decode()
    assert "Uusi viimeinen virke." in text.replace("\u00ad", "")


@pytest.mark.parametrize("bad", ["link-to-missing-heading", "network-image"])
def test_what_the_pdfs_refuse_the_ebook_refuses_with_the_same_message(tmp_path, ebook_fonts, bad):
    chapters = {"01-a.md": FIXTURES / "chapters" / f"{bad}.md"}
    config = make_publication(tmp_path / "kirja", chapters)
    with pytest.raises(WorkbookError) as pdfs_only:
        make(config, out_dir=tmp_path / "pdf", report=lambda _: None, check=False, workers=1)
    out = tmp_path / "build"
    for editions in (None, []):  # with the PDFs, and the e-book alone
        with pytest.raises(WorkbookError) as with_ebook:
            build_ebook(config, out, ebook_fonts, editions=editions)
        assert str(with_ebook.value).split(" [")[0] == str(pdfs_only.value).split(" [")[0]
        assert not (out / "testikirja.epub").exists() and not (out / "web").exists()


def test_a_failure_leaves_the_previous_web_edition_whole(tmp_path, ebook_fonts, monkeypatch):
    config = make_publication(tmp_path / "kirja", CHAPTERS)
    out = tmp_path / "build"
    build_ebook(config, out, ebook_fonts)
    before = stage.folder_digest(out / "web", skip=())
    (config.parent / "chapters" / "03-loppu.md").write_text(chapter("Loppu", "Muutos."), "utf-8")
    from workbook.ebook import download

    def broken(*args, **kwargs):
        raise OSError("levy täynnä")

    monkeypatch.setattr(download, "index_page", broken)
    with pytest.raises(OSError, match="levy täynnä"):
        build_ebook(config, out, ebook_fonts)
    assert stage.folder_digest(out / "web", skip=()) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".web")] == []


def test_the_ebook_alone_builds_a_book_edition_first_for_its_page_list(tmp_path, ebook_fonts):
    config = make_publication(tmp_path / "kirja", CHAPTERS)
    out = tmp_path / "build"
    result = build_ebook(config, out, ebook_fonts, editions=[])
    assert [e.variant.name for e in result.build.editions] == ["screen"]
    assert result.build.ebook.source == "screen" and (out / "testikirja.epub").is_file()
    assert not (out / "testikirja-press.pdf").exists()


def test_invoke_build_takes_ebook_as_an_edition_name(tmp_path, ebook_fonts):
    config = make_publication(tmp_path / "kirja", {"01-a.md": chapter("A", "Teksti.")})
    out = tmp_path / "build"
    share_fonts(out, ebook_fonts)

    def invoke(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "invoke", "--search-root", str(REPO), "build"]
        command += ["--config", str(config), "--out", str(out), "--no-check", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO)

    done = invoke("-e", "ebook")
    assert done.returncode == 0, done.stderr
    assert " ebook: " in done.stdout and (out / "testikirja.epub").is_file()
    assert invoke("-e", "ebook").stdout.strip() == "up to date: ebook"
    wrong = invoke("-e", "epub")
    assert wrong.returncode == 1
    assert "unknown edition 'epub'" in wrong.stderr and "ebook" in wrong.stderr


def test_handouts_built_later_join_the_download_page(small, ebook_fonts):
    config, out, _, _ = small
    lines: list[str] = []
    result = build_ebook(config, out, ebook_fonts, lines, editions=["handout"])
    assert result.built == ["handout"] and result.build.ebook is not None
    index = (out / "web" / "index.html").read_text(encoding="utf-8")
    assert "testikirja-handout.pdf" in index and "Työpajamoniste" in index
    assert (out / "web" / "lataa" / "testikirja-handout.pdf").is_file()
    assert not stage.stale(config, out)


def test_a_failing_validator_fails_the_check_and_the_statement_says_so(
    small, monkeypatch, tmp_path
):
    from workbook.ebook import validate
    from workbook.preflight import check_publication

    config, out, _, _ = small
    rule = validate.EPUBCHECK_RULE
    verdicts = {
        "epubcheck": validate.Result("epubcheck", "epub", "fail", "1 errors; RSC-007", rule),
        "ace": validate.Result("ace", "epub", "pass", "0 violations", validate.ACE_RULE),
        "web-axe": validate.Result("web-axe", "web", "pass", "0 problems", validate.AXE_RULE),
    }
    monkeypatch.setattr(
        validate, "start", lambda *a, **k: validate.Running(ready=dict(verdicts)).begin()
    )
    passed = validate.Result("web-axe", "web", "pass", "0 problems on 1 page", "", [], 1)
    monkeypatch.setattr(validate, "check_pages", lambda *a, **k: passed)
    lines: list[str] = []
    with pytest.raises(WorkbookError, match="failed check 'epubcheck': 1 errors; RSC-007"):
        check_publication(config, out, ["screen"], report=lines.append, ebook=True)
    assert any(line.startswith("  FAIL epubcheck") for line in lines)
    index = (out / "web" / "index.html").read_text(encoding="utf-8")
    assert "EPUB: tarkistus ei täyttynyt" in index and "RSC-007" in index
    assert not stage.checks_fresh(config, out)
