"""Page numbers from the last build: printed when layout confirms them, never trusted.

Work is counted (layouts, pages laid out), never timed.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pypdf

from conftest import chapter, make_publication
from workbook.pipeline.build import build
from workbook.render import pagemap

LONG = "\n\n".join(["Kappale, joka täyttää sivua ja siirtää otsikkoa eteenpäin. " * 8] * 8)


def quiet(_: str) -> None:
    pass


def test_page_links_get_the_known_pages_and_nothing_else():
    html = (
        '<ol class="toc"><li><a href="#a">A</a></li><li><a href="#uusi">U</a></li></ol>'
        '<p>Katso <a class="pageref" href="#b">s.\xa0</a> ja <a href="#a">luku A</a>.</p>'
        '<ol class="figure-list"><li><a href="#kuvio">Kuvio 1.</a></li></ol>'
    )
    text, used = pagemap.with_pages(html, {"a": 5, "b": 7, "kuvio": 9, "muu": 2})
    assert used == {"a": 5, "b": 7, "kuvio": 9}
    assert '<li><a href="#a" data-page="5">A</a>' in text
    assert '<a href="#uusi">U</a>' in text  # not in the map: target-counter() stays
    assert '<a class="pageref" href="#b" data-page="7">' in text
    assert '<a href="#a">luku A</a>' in text  # a plain link prints no page number
    assert '<a href="#kuvio" data-page="9">' in text


def test_a_map_that_cannot_be_read_is_no_map(tmp_path):
    path = tmp_path / "kirja-screen.pages.json"
    assert pagemap.read_map(path) == {}
    path.write_text("{ rikki")
    assert pagemap.read_map(path) == {}
    path.write_text('{"a": 3, "b": "neljä", "c": true}')
    assert pagemap.read_map(path) == {"a": 3}
    pagemap.write_map(path, {"b": 4, "a": 3})
    assert pagemap.read_map(path) == {"a": 3, "b": 4}


@dataclass
class FakePage:
    anchors: dict[str, tuple[float, float]]


@dataclass
class FakeDocument:
    pages: list[FakePage]


@dataclass
class FakeLayout:
    """Lays out "pages" by rules: the anchor moves to page *lands_on* (a function of the
    HTML it is given); records every HTML it was asked to lay out."""

    lands_on: object
    seen: list[str] = field(default_factory=list)

    def __call__(self, text: str) -> FakeDocument:
        self.seen.append(text)
        page = self.lands_on(text)
        pages = [FakePage({}) for _ in range(page - 1)] + [FakePage({"b": (0.0, 0.0)})]
        return FakeDocument(pages)  # type: ignore[return-value]


HTML_WITH_REF = '<p><a class="pageref" href="#b">s.\xa0</a></p>'


def test_confirmed_numbers_take_one_layout():
    layout = FakeLayout(lambda _: 4)
    pagemap.layout_with_pages(HTML_WITH_REF, {"b": 4}, layout)
    assert len(layout.seen) == 1 and 'data-page="4"' in layout.seen[0]


def test_a_moved_target_is_laid_out_again_with_the_page_it_landed_on():
    layout = FakeLayout(lambda _: 6)
    pagemap.layout_with_pages(HTML_WITH_REF, {"b": 4}, layout)
    assert len(layout.seen) == 2
    assert 'data-page="4"' in layout.seen[0] and 'data-page="6"' in layout.seen[1]


def test_numbers_that_do_not_settle_fall_back_to_target_counter():
    # Each printed number pushes the target one page on: it never settles.
    layout = FakeLayout(lambda text: 7 if 'data-page="4"' in text else 8)
    pagemap.layout_with_pages(HTML_WITH_REF, {"b": 4}, layout)
    assert len(layout.seen) == 3 and layout.seen[2] == HTML_WITH_REF


def test_without_a_map_weasyprint_numbers_the_pages():
    layout = FakeLayout(lambda _: 4)
    pagemap.layout_with_pages(HTML_WITH_REF, {}, layout)
    assert layout.seen == [HTML_WITH_REF]


@contextmanager
def counting_page_layouts() -> Iterator[list[str]]:
    """WeasyPrint's progress messages for pages it lays out (not those it keeps)."""
    logger = logging.getLogger("weasyprint.progress")
    made: list[str] = []

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if "Creating layout - Page" in message and "up-to-date" not in message:
                made.append(message)

    handler, level = Count(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield made
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def page_reference_text(pdf) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


def forward_reference_book(tmp_path):
    """A publication whose first chapter refers to a page far into the second."""
    chapters = {
        "01-a.md": chapter("Alku", "Katso tulokset (ks. [[#tulokset]])."),
        "02-b.md": chapter("Loppu", f"{LONG}\n\n## Tulokset {{#tulokset}}\n\nValmis."),
    }
    return make_publication(tmp_path, chapters)


def test_a_rebuild_lays_each_page_out_once(tmp_path):
    config = forward_reference_book(tmp_path)
    out = tmp_path / "build"
    with counting_page_layouts() as first:
        result = build(config, out_dir=out, editions=["screen"], report=quiet)
    pages = result.editions[0].pages
    assert len(first) > pages  # the forward reference made WeasyPrint lay pages out again
    target = pagemap.read_map(pagemap.map_path(out, "testikirja-screen.pdf"))["tulokset"]
    assert target > 3

    (tmp_path / "chapters" / "01-a.md").write_text(
        chapter("Alku", "Katso tulokset tarkemmin (ks. [[#tulokset]]).")
    )
    shutil.rmtree(out / "cache" / "renders")  # laid out whole, not spliced into the last render
    with counting_page_layouts() as second:
        build(config, out_dir=out, editions=["screen"], report=quiet)
    assert len(second) == pages  # every page once: the numbers came from the map
    assert f"(ks. s. {target})" in page_reference_text(out / "testikirja-screen.pdf")


def test_an_edit_spliced_into_the_last_render_prints_and_links_a_page_elsewhere(tmp_path):
    config = forward_reference_book(tmp_path)
    out = tmp_path / "build"
    result = build(config, out_dir=out, editions=["screen"], report=quiet)
    target = pagemap.read_map(pagemap.map_path(out, "testikirja-screen.pdf"))["tulokset"]
    (tmp_path / "chapters" / "01-a.md").write_text(
        chapter("Alku", "Katso tulokset tarkemmin (ks. [[#tulokset]]).")
    )
    with counting_page_layouts() as second:
        again = build(config, out_dir=out, editions=["screen"], report=quiet)
    assert again.editions[0].chapter_layouts == 1
    assert 0 < len(second) < result.editions[0].pages  # chapter a's pages alone
    pdf = out / "testikirja-screen.pdf"
    assert f"(ks. s. {target})" in page_reference_text(pdf)
    reader = pypdf.PdfReader(pdf)
    links = [
        reader.get_destination_page_number(reader.named_destinations[str(a.get_object()["/Dest"])])
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/Dest" in a.get_object()
    ]
    assert target - 1 in links  # the link into chapter b leads to its page


def test_a_wrong_map_is_caught_and_the_right_page_printed(tmp_path):
    config = forward_reference_book(tmp_path)
    out = tmp_path / "build"
    build(config, out_dir=out, editions=["screen"], report=quiet)
    path = pagemap.map_path(out, "testikirja-screen.pdf")
    right = pagemap.read_map(path)
    pagemap.write_map(path, {**right, "tulokset": right["tulokset"] + 2})  # the book moved

    lines: list[str] = []
    result = build(config, out_dir=out, editions=["screen"], report=lines.append)
    assert any("laid out 2 times" in line for line in lines)
    checks = result.editions[0].checks  # the make-up checks may warn on this made-up text
    assert checks and all(c.status != "fail" for c in checks)
    assert f"(ks. s. {right['tulokset']})" in page_reference_text(out / "testikirja-screen.pdf")
    assert pagemap.read_map(path)["tulokset"] == right["tulokset"]
