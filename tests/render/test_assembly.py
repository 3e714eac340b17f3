"""A book assembled from chapters laid out alone gives the pages of a whole layout,
or is refused (tiny test pages, as WeasyPrint's own tests have)."""

from __future__ import annotations

import io

import pypdf
from weasyprint import HTML

from workbook.render import assembly, pagemap
from workbook.render.chapters import PAD, changed_chapters

STYLE = """<style>
@page { size: 90mm 60mm; margin: 8mm; @bottom-center { content: counter(page) } }
@page :blank { @bottom-center { content: none } }
section.chapter { break-before: recto; font: 9pt/1.3 serif }
a.pageref::after { content: target-counter(attr(href url), page); }
a.pageref[data-page]::after { content: attr(data-page); }
</style>"""
FILL = "Kirjasto palvelee kaikkia asiakkaitaan ja kehittää palvelujaan yhdessä heidän kanssaan. "


def book(b_paragraphs: int = 3, b_extra: str = "", target_at: int = 0) -> str:
    """Three chapters; the contents and chapter a print the pages of b's targets."""

    def chapter(name: str, paragraphs: int, extra: str = "", target: int | None = None) -> str:
        body = "".join(
            f"<p{' id=' + chr(34) + name + '-kohde' + chr(34) if i == target else ''}>"
            f"{FILL * 4}{extra if i == 0 else ''}</p>"
            for i in range(paragraphs)
        )
        return f'<section class="chapter" id="{name}"><h1>Luku {name}</h1>{body}</section>'

    contents = (
        '<section class="contents"><p>Sisällys: b <a class="pageref" href="#b"></a>, '
        'kohde <a class="pageref" href="#b-kohde"></a></p></section>'
    )
    refs = '<p>Katso s. <a class="pageref" href="#b-kohde"></a> ja <a href="#c">luku c</a>.</p>'
    a = chapter("a", 2).replace("</section>", refs + "</section>")
    return (
        f"<html><head>{STYLE}</head><body>{contents}{a}"
        f"{chapter('b', b_paragraphs, b_extra, target_at)}{chapter('c', 2)}</body></html>"
    )


def lay_out(html: str, first: int = 1):
    return HTML(string=html).render()


def whole(html: str) -> assembly.Laid:
    pages = pagemap.anchor_pages(lay_out(html))
    return assembly.Laid.of(html, lay_out(pagemap.with_pages(html, pages)[0]))


def chapter_alone(html: str, first: int):
    return pagemap.layout_with_pages(html, {}, lay_out, first)


def page_texts(document) -> list[str]:
    data = document.write_pdf()
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_an_edited_chapter_laid_out_alone_gives_the_pages_of_a_whole_layout():
    before = whole(book())
    edited = book(b_extra=" Lisätty lause.")
    assert changed_chapters(before.text, edited) == {"b"}
    made = assembly.assemble(before, edited, ["b"], chapter_alone)
    assert made is not None
    again = whole(edited)
    assert page_texts(made.document) == page_texts(again.document)
    assert made.landed == again.landed
    assert "Lisätty lause." in " ".join(page_texts(made.document))


def links(document) -> list[tuple[int, str]]:
    reader = pypdf.PdfReader(io.BytesIO(document.write_pdf()))
    return [
        (number, str(annotation.get_object()["/Dest"]))
        for number, page in enumerate(reader.pages)
        for annotation in page.get("/Annots", [])
    ]


def test_the_assembled_book_links_across_chapters_and_keeps_its_bookmarks():
    edited = book(b_extra=" Uusi.")
    made = assembly.assemble(whole(book()), edited, ["b"], chapter_alone)
    found = links(made.document)
    assert found == links(whole(edited).document)
    assert {dest for _, dest in found} == {"b", "b-kohde", "c"}  # into b, and out of a to c
    reader = pypdf.PdfReader(io.BytesIO(made.document.write_pdf()))
    assert [o.title for o in reader.outline] == ["Luku a", "Luku b", "Luku c"]
    assert reader.get_destination_page_number(reader.outline[1]) == made.landed["b"] - 1


def test_a_chapter_that_needs_more_pages_is_refused():
    before = whole(book())
    assert assembly.assemble(before, book(b_paragraphs=9), ["b"], chapter_alone) is None


def test_the_parts_that_print_the_page_of_a_target_that_moved_are_laid_out_again():
    before = whole(book(b_paragraphs=4, target_at=0))
    moved = book(b_paragraphs=4, target_at=3)
    again = whole(moved)
    assert before.landed["b-kohde"] != again.landed["b-kohde"]
    firsts: list[int] = []

    def counted(html: str, first: int):
        firsts.append(first)
        return chapter_alone(html, first)

    made = assembly.assemble(before, moved, ["b"], counted)
    assert made is not None
    # b, then the contents and chapter a, which print its target's page; not c
    assert firsts == [before.landed["b"], 1, before.landed["a"]]
    assert page_texts(made.document) == page_texts(again.document)
    assert made.landed == again.landed


def test_a_part_that_prints_a_page_it_does_not_know_is_refused():
    before = whole(book())
    edited = book(b_extra=' Katso <a class="pageref" href="#uusi"></a>.')
    assert assembly.assemble(before, edited, ["b"], chapter_alone) is None


def test_a_chapter_that_ends_before_a_blank_verso_keeps_that_page():
    before, edited = book(b_paragraphs=2), book(b_paragraphs=2, b_extra=" Uusi.")
    laid = whole(before)
    assert laid.document.pages[laid.landed["c"] - 2]._page_box.page_type.blank
    made = assembly.assemble(laid, edited, ["b"], chapter_alone)
    assert made is not None
    assert page_texts(made.document) == page_texts(whole(edited).document)


def test_a_chapter_one_page_shorter_gets_the_blank_verso_a_whole_layout_gives_it():
    laid = whole(book(b_paragraphs=3))  # b fills the verso before c
    assert not laid.document.pages[laid.landed["c"] - 2]._page_box.page_type.blank
    shorter = book(b_paragraphs=2)
    made = assembly.assemble(laid, shorter, ["b"], chapter_alone)
    assert made is not None
    again = whole(shorter)
    assert made.document.pages[made.landed["c"] - 2]._page_box.page_type.blank
    assert page_texts(made.document) == page_texts(again.document)
    assert made.landed == again.landed
    assert PAD not in made.landed


def test_a_chapter_two_pages_shorter_is_refused():
    laid = whole(book(b_paragraphs=5))
    shorter = book(b_paragraphs=2)
    assert len(whole(shorter).document.pages) == len(laid.document.pages) - 2
    assert assembly.assemble(laid, shorter, ["b"], chapter_alone) is None


def test_kept_layouts_are_kept_only_when_asked():
    laid = whole(book())
    assembly.keep("screen", laid)
    assert assembly.kept("screen") is None
    assembly.keep_layouts()
    try:
        assembly.keep("screen", laid)
        assert assembly.kept("screen") is laid
        assembly.forget()
        assert assembly.kept("screen") is None
    finally:
        assembly.keep_layouts(False)


def rendered_twice(tmp_path, style: str = ""):
    """The book rendered, then rendered again after an edit to chapter b, by a renderer
    that keeps its layouts (as ``invoke watch`` does)."""
    from workbook.config.editions import VARIANTS
    from workbook.render.pdf import render_pdf

    def render(html: str):
        html = html.replace("<html>", '<html lang="fi">').replace(
            "</head>", f"<title>Kirja</title><style>{style}</style></head>"
        )
        return render_pdf(html, base=tmp_path, variant=VARIANTS["screen"], allowed=[],
                          source=tmp_path)  # fmt: skip

    assembly.keep_layouts()
    try:
        render(book())
        return render(book(b_extra=" Lisätty lause."))
    finally:
        assembly.keep_layouts(False)


def test_a_renderer_that_keeps_its_layout_lays_out_only_the_edited_chapter(tmp_path):
    again = rendered_twice(tmp_path)
    assert (again.layouts, again.chapter_layouts) == (0, 1)


def test_a_book_whose_styles_style_the_first_page_is_laid_out_whole(tmp_path):
    # Laid out alone, chapter b would take the rule meant for the book's p. 1.
    again = rendered_twice(tmp_path, "@page :first { margin-top: 25mm }")
    assert (again.layouts, again.chapter_layouts) == (1, 0)
