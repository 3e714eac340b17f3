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


@pytest.fixture
def render_tagged(tmp_path):
    def go(html: str, first: int = 1, known=None) -> Rendered:
        html = html.replace("<html>", '<html lang="fi">')
        html = html.replace("</head>", "<title>Kirja</title></head>")
        return render_pdf(html, base=tmp_path, variant=VARIANTS["screen"], allowed=[],
                          source=tmp_path, known_pages=known, first_page=first)  # fmt: skip

    return go


def kept(tmp_path, render, html: str) -> splice.Kept:
    """*html* rendered whole, kept and read back as a build keeps it."""
    splice.keep(tmp_path, PDF, html, render(html), "syötteet")
    found = splice.load(tmp_path, PDF, "syötteet")
    assert found is not None
    return found


def rebuilt(
    before: splice.Kept, html: str, render, firsts: list[int] | None = None, tagged: bool = False
):
    def part(text: str, first: int) -> Rendered:
        if firsts is not None:
            firsts.append(first)
        return render(text, first, before.landed)

    return splice.rebuild(html, before, part, tagged=tagged)


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


def test_only_whole_book_editions_are_spliced():
    eligible = {name for name, variant in VARIANTS.items() if splice.eligible(variant)}
    assert eligible == {"press", "screen"}  # not the exercises alone


TABLE = (
    "</p><table><tr><th>Teema</th><th>Arvio</th></tr><tr><td>Kohtaaminen</td><td>4</td></tr>"
    '</table><p>Katso <a href="#c">luku c</a> ja <a href="#a">luku a</a>.'
)


def structure(data: bytes) -> dict:
    """The tagged file as a screen reader meets it: every element's type and ids in
    reading order, what each ParentTree entry and each annotation point to."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.StructTreeRoot
        order, ids, headers, stack = [], [], [], [root.K[0]]
        while stack:
            element = stack.pop()
            order.append(str(element.S))
            if "/ID" in element:
                ids.append(str(element.ID))
            if "/A" in element and "/Headers" in element.A:
                headers += [str(h) for h in element.A.Headers]
            kids = element.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            stack += reversed([k for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k])
        nums = root.ParentTree.Nums
        entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        pages = [int(page.obj.StructParents) for page in pdf.pages]
        links = [
            str(entries[int(annotation.StructParent)].S)
            for page in pdf.pages
            for annotation in page.obj.get("/Annots", [])
        ]
        return {
            "order": order, "ids": len(ids), "unique ids": len(set(ids)) == len(ids),
            "headers named": set(headers) <= set(ids), "pages": pages, "links": links,
            "entries": len(entries),
        }  # fmt: skip


def test_a_tagged_edition_keeps_a_whole_render_s_structure_and_links(tmp_path, render_tagged):
    before = kept(tmp_path, render_tagged, book(b_extra=TABLE))
    edited = book(b_extra=" Lisätty lause." + TABLE)
    made = rebuilt(before, edited, render_tagged, tagged=True)
    assert made is not None and (made.layouts, made.chapter_layouts) == (0, 1)
    whole = render_tagged(edited)
    assert described(made.data) == described(whole.data)
    seen = structure(made.data)
    assert seen == structure(whole.data)
    assert seen["ids"] > 0 and seen["unique ids"] and seen["headers named"]
    assert seen["links"].count("/Link") == len(seen["links"]) > 2  # b's links out, too
    reader = pypdf.PdfReader(io.BytesIO(made.data))
    dests = {str(a.get_object()["/Dest"]) for p in reader.pages for a in p.get("/Annots", [])}
    assert {"a", "c"} <= dests


def test_table_header_ids_stay_unique_when_two_parts_were_numbered_alike(tmp_path, render_tagged):
    from workbook.render import makeup
    from workbook.render.chapters import part_document

    table = TABLE.removeprefix("</p>").split("<p>")[0]
    html = book().replace("<h1>Luku b</h1>", "<h1>Luku b</h1>" + table)
    before = kept(tmp_path, render_tagged, html)
    first = before.landed["b"]
    text = makeup.number_paragraphs(html)
    part = part_document(text, "b", first, before.landed, pad=True, stand_ins=True)
    data = render_tagged(part, first, before.landed).data
    # b's first page, with its table, put in place of c's too: two tables whose
    # header ids WeasyPrint made alike.
    spliced = splice.splice_pdf(before.data, [(first, 1, data), (before.landed["c"], 1, data)])
    seen = structure(spliced)
    assert seen["ids"] == 4 and seen["unique ids"] and seen["headers named"]


def test_a_last_chapter_linking_elsewhere_is_spliced_only_where_links_go(
    tmp_path, render, render_tagged
):
    # The tagged edition keeps links through stand-ins on the page after the
    # chapter; the last chapter has none, so it is laid out with the book.
    link = '<h1>Luku c</h1><p>Katso <a href="#a">luku a</a>.</p>'
    edited = book().replace("<h1>Luku c</h1>", link)
    tagged = kept(tmp_path / "e", render_tagged, book())
    assert rebuilt(tagged, edited, render_tagged, tagged=True) is None
    press = kept(tmp_path / "p", render, book())
    made = rebuilt(press, edited, render)
    assert made is not None and made.chapter_layouts == 1
    assert described(made.data) == described(render(edited).data)
