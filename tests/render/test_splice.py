"""The press edition rebuilt from its last render and the chapters an edit changed,
rendered alone, has the pages, bookmarks and destinations of a whole render, or is
refused (tiny test pages)."""

from __future__ import annotations

import io

import pypdf
import pytest
from test_assembly import book

from workbook.config.editions import VARIANTS
from workbook.render import splice
from workbook.render.pdf import Rendered, render_pdf

PDF = "kirja-press.pdf"


@pytest.fixture
def render(tmp_path):
    def go(html: str, first: int = 1, known=None) -> Rendered:
        html = html.replace("</head>", "<title>Kirja</title></head>")
        return render_pdf(html, base=tmp_path, variant=VARIANTS["press"], allowed=[],
                          source=tmp_path, known_pages=known, first_page=first)  # fmt: skip

    return go


def kept(tmp_path, render, html: str) -> splice.Kept:
    """*html* rendered whole, kept and read back as a build keeps it."""
    splice.keep(tmp_path, PDF, html, render(html), "syötteet")
    found = splice.load(tmp_path, PDF, "syötteet")
    assert found is not None
    return found


def rebuilt(before: splice.Kept, html: str, render, firsts: list[int] | None = None):
    def part(text: str, first: int) -> Rendered:
        if firsts is not None:
            firsts.append(first)
        return render(text, first, before.landed)

    return splice.rebuild(html, before, part)


def described(data: bytes) -> dict:
    """What a reader sees: each page's words, the bookmarks and the named destinations
    with their pages."""
    reader = pypdf.PdfReader(io.BytesIO(data))

    def marks(items) -> list:
        return [
            marks(item) if isinstance(item, list)
            else (item.title, reader.get_destination_page_number(item))
            for item in items
        ]  # fmt: skip

    dests = {
        name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()
    }
    return {
        "pages": [" ".join(page.extract_text().split()) for page in reader.pages],
        "outline": marks(reader.outline),
        "dests": dests,
    }


def test_an_edited_chapter_spliced_into_the_last_render_gives_a_whole_render(tmp_path, render):
    before = kept(tmp_path, render, book())
    edited = book(b_extra=" Lisätty lause.")
    made = rebuilt(before, edited, render)
    assert made is not None and (made.layouts, made.chapter_layouts) == (0, 1)
    whole = render(edited)
    assert described(made.data) == described(whole.data)
    assert "Lisätty lause." in " ".join(described(made.data)["pages"])
    assert made.anchor_pages == whole.anchor_pages and made.pages == whole.pages
    assert made.sources == whole.sources and made.page_starts == whole.page_starts
    assert made.blanks == whole.blanks


def test_a_new_heading_in_the_chapter_becomes_a_bookmark_in_its_place(tmp_path, render):
    before = kept(tmp_path, render, book())
    edited = book(b_extra="</p><h2>Uusi alaluku</h2><p>Lisää tekstiä.")
    made = rebuilt(before, edited, render)
    assert made is not None
    seen = described(made.data)
    assert seen == described(render(edited).data)
    [(title, index)] = seen["outline"][2]  # under chapter b's bookmark, on one of its pages
    assert title == "Uusi alaluku" and before.landed["b"] <= index + 1 < before.landed["c"]


def test_the_parts_that_print_a_moved_target_are_spliced_too(tmp_path, render):
    before = kept(tmp_path, render, book(b_paragraphs=4, target_at=0))
    moved = book(b_paragraphs=4, target_at=3)
    whole = render(moved)
    assert before.landed["b-kohde"] != whole.anchor_pages["b-kohde"]
    firsts: list[int] = []
    made = rebuilt(before, moved, render, firsts)
    assert made is not None
    assert firsts == [before.landed["b"], 1, before.landed["a"]]  # b, the contents, a
    assert described(made.data) == described(whole.data)


def test_a_chapter_that_needs_more_pages_is_laid_out_whole(tmp_path, render):
    before = kept(tmp_path, render, book())
    assert rebuilt(before, book(b_paragraphs=9), render) is None


def test_an_edit_outside_the_chapters_is_laid_out_whole(tmp_path, render):
    before = kept(tmp_path, render, book())
    edited = book(b_extra=" Uusi.").replace("Sisällys:", "Sisältö:")
    assert rebuilt(before, edited, render) is None


def test_a_kept_render_serves_only_the_same_inputs_and_whole_files(tmp_path, render):
    kept(tmp_path, render, book())
    assert splice.load(tmp_path, PDF, "muut syötteet") is None
    pdf = tmp_path / "cache" / "renders" / "kirja-press.pdf"
    pdf.write_bytes(pdf.read_bytes()[:-10])
    assert splice.load(tmp_path, PDF, "syötteet") is None


def test_a_render_with_warnings_is_not_kept(tmp_path, render):
    rendered = render(book())
    rendered.warnings.append("varoitus")
    splice.keep(tmp_path, PDF, book(), rendered, "syötteet")
    assert splice.load(tmp_path, PDF, "syötteet") is None


def test_only_untagged_book_editions_are_spliced():
    eligible = {name for name, variant in VARIANTS.items() if splice.eligible(variant)}
    assert eligible == {"press"}
