"""The chapter preview: one chapter laid out alone with the book's page numbers."""

from __future__ import annotations

import subprocess
import time

import pytest

from conftest import chapter, make_publication, watching
from workbook.errors import WorkbookError
from workbook.pipeline.build import build
from workbook.pipeline.preview import chapter_document, preview

PARAGRAPH = "Kappale, joka täyttää sivua ja siirtää tekstiä eteenpäin. " * 9
LONG = "\n\n".join([PARAGRAPH] * 7)


def pages_text(pdf, first: int | None = None, last: int | None = None) -> list[list[str]]:
    """The words of each page of *pdf* (pages *first*-*last*)."""
    command = ["pdftotext", "-layout"]
    if first:
        command += ["-f", str(first), "-l", str(last)]
    text = subprocess.run([*command, str(pdf), "-"], capture_output=True, check=True, text=True)
    return [page.split() for page in text.stdout.split("\f")[:-1]]


def letters(words: list[str]) -> str:
    """A page's text without spaces and hyphenation hyphens."""
    return "".join(words).replace("\u2010", "")


def three_chapters(tmp_path, middle: str = ""):
    """A book whose middle chapter refers to a heading of its own and one of the last
    chapter, and carries its own running head."""
    body = middle or (
        f"{LONG}\n\n## Oma otsikko {{#oma}}\n\nKatso (ks. [[#oma]]) ja (ks. [[#viimeinen]])."
    )
    chapters = {
        "01-a.md": chapter("Alku", LONG),
        "02-b.md": chapter("Keskikohta", body, short_title="Keskiosa"),
        "03-c.md": chapter("Loppu", f"{LONG}\n\n## Viimeinen otsikko {{#viimeinen}}\n\nLoppu."),
    }
    return make_publication(tmp_path, chapters)


def quiet(line: str) -> None:
    pass


@pytest.fixture
def built(tmp_path):
    config = three_chapters(tmp_path)
    out = tmp_path / "build"
    build(config, out_dir=out, editions=["screen"], report=quiet)
    return config, out


def test_the_preview_has_the_books_pages_of_the_chapter(built, tmp_path):
    config, out = built
    (shown,) = preview(config, [tmp_path / "chapters" / "02-b.md"], out_dir=out)
    assert shown.path == out / "preview" / "b.pdf"
    assert shown.first_page > 1 and shown.first_page % 2 == 1  # it opens on a recto
    assert not shown.moves
    last = shown.first_page + shown.pages - 1
    book = pages_text(out / "testikirja-screen.pdf", shown.first_page, last)
    alone = pages_text(shown.path)
    # The same text on the same pages: folios, running heads, refs. (The book's
    # e-version reads a word broken at a line end whole, where its first piece is.)
    assert [letters(page) for page in alone] == [letters(page) for page in book]
    assert str(last) in alone[-1]
    assert "Keskiosa" in alone[1]  # the chapter's own running head
    text = " ".join(" ".join(page) for page in alone)
    book_pages = pages_text(out / "testikirja-screen.pdf")
    viimeinen = max(i for i, page in enumerate(book_pages) if "Viimeinen" in page) + 1
    assert f"(ks. s. {viimeinen})" in text  # a page in another chapter, from the map


def test_a_chapter_that_grew_says_the_pages_after_it_move(built, tmp_path):
    config, out = built
    source = tmp_path / "chapters" / "02-b.md"
    source.write_text(chapter("Keskikohta", f"{LONG}\n\n{LONG}\n\nLisää tekstiä."))
    (shown,) = preview(config, [source], out_dir=out)
    assert shown.moves and "the full build moves the pages after it" in shown.line()


def test_no_preview_before_a_full_build(tmp_path):
    config = three_chapters(tmp_path)
    with pytest.raises(WorkbookError, match="no page map of a full build"):
        preview(config, [tmp_path / "chapters" / "02-b.md"], out_dir=tmp_path / "build")


def test_only_chapters_are_previewed(built, tmp_path):
    config, out = built
    assert preview(config, [tmp_path / "publication.toml"], out_dir=out) == []


def test_links_to_other_chapters_keep_their_page_and_lose_their_link():
    html = (
        '<html><head></head><body><section class="chapter" id="a"><p id="x">'
        '<a class="pageref" href="#x">s.</a> <a class="pageref" href="#y">s.</a> '
        '<a href="#z">z</a></p></section><section class="chapter" id="b"><p id="y">'
        "</p></section></body></html>"
    )
    document = chapter_document(html, "a", 7, {"y": 12})
    assert "<style>@page :first { counter-reset: page 7 }</style>" in document
    assert 'id="b"' not in document
    assert '<a class="pageref" href="#x">' in document
    assert '<a class="pageref" data-page="12" data-target="y">' in document
    assert '<a data-page="?" data-target="z">' in document


def test_watch_shows_the_chapter_before_the_edition(tmp_path):
    config = three_chapters(tmp_path)
    out = tmp_path / "build"
    with watching(config, out) as (lines, _):
        deadline = time.monotonic() + 120
        while not any(line.startswith("built ") for line in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.1)
        (tmp_path / "chapters" / "02-b.md").write_text(chapter("Keskikohta", "Lyhyt nyt."))
        while sum(line.startswith("built ") for line in lines) < 2:
            assert time.monotonic() < deadline, lines
            time.sleep(0.1)
    shown = next(i for i, line in enumerate(lines) if line.startswith("preview b.pdf"))
    assert shown < max(i for i, line in enumerate(lines) if line.startswith("built "))
    assert (out / "preview" / "b.pdf").is_file()


def test_after_a_save_the_watcher_lays_out_only_the_saved_chapter_and_the_book_is_whole(
    tmp_path,
):
    from workbook.preflight.access import check_pdfua_validator

    config = three_chapters(tmp_path)
    out = tmp_path / "build"
    saved = tmp_path / "chapters" / "02-b.md"
    with watching(config, out) as (lines, _):
        deadline = time.monotonic() + 180
        while not any(line.startswith("built ") for line in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.1)
        saved.write_text(saved.read_text(encoding="utf-8").replace("Katso", "Katso myös"))
        while sum(line.startswith("built ") for line in lines) < 2:
            assert time.monotonic() < deadline, lines
            time.sleep(0.1)
    rebuilt = [line for line in lines if line.startswith("built ")][1]
    assert rebuilt.endswith("; only the saved chapters laid out"), lines
    watched = (out / "testikirja-screen.pdf").read_bytes()
    # The same book as a build from the same sources and the same last build's state.
    assert (
        b"Katso my"
        in subprocess.run(
            ["pdftotext", "-", "-"], input=watched, capture_output=True, check=True
        ).stdout
    )
    fresh = tmp_path / "fresh"
    build(config, out_dir=fresh, editions=["screen"], report=quiet)
    assert pages_text(out / "testikirja-screen.pdf") == pages_text(fresh / "testikirja-screen.pdf")
    verdict = check_pdfua_validator(watched)
    assert verdict.status == "pass", verdict.measured  # the structure tree of both layouts


def test_a_preview_says_when_the_styles_rules_for_the_first_page_style_it(tmp_path):
    from workbook.pipeline.preview import Preview

    shown = Preview("b", tmp_path / "b.pdf", 5, 3, 9, 12, 0.4)
    assert shown.line() == "preview b.pdf: pp. 5-7 in 0.4 s"
    styled = Preview("b", tmp_path / "b.pdf", 5, 3, 9, 12, 0.4, first_styled=True)
    assert styled.line().endswith(
        "; the styles' @page :first rules (for the book's p. 1) style its first page"
    )
