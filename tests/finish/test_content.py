"""Reading and rewriting the text of marked content."""

from __future__ import annotations

from io import BytesIO

import pikepdf
from weasyprint import HTML

from workbook.finish.content import Texts, leaves, parse_to_unicode

CMAP = b"""
begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar
<0003> <0020>
<0021> <00E4>
endbfchar
2 beginbfrange
<0010> <0012> <0041>
<0030> <0031> [<0066006C> <00F6>]
endbfrange
endcmap
"""


def test_to_unicode_maps_chars_ranges_and_ligatures():
    found = parse_to_unicode(CMAP)
    assert found.width == 2
    codes = b"\x00\x10\x00\x12\x00\x03\x00\x21\x00\x30\x00\x31\x00\x99"
    assert "".join(text for _, _, text in found.decode(codes)) == "AC äflö"


def test_text_of_each_marked_content_and_a_wrap_that_keeps_the_page():
    html = '<html lang="fi"><title>t</title><p>Ensimmäinen kappale.</p><p>Toinen.</p></html>'
    pdf = pikepdf.open(BytesIO(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")))
    texts = Texts(pdf)
    runs = [texts.text(leaf) for leaf in leaves(pdf.Root.StructTreeRoot)]
    assert runs == ["Ensimmäinen kappale.", "Toinen."]
    leaf = leaves(pdf.Root.StructTreeRoot)[0]
    page = texts.page(leaf.page)
    glyphs = page.glyphs(leaf.mcid)
    assert "".join(g.text for g in glyphs) == "Ensimmäinen kappale."
    assert page.wrap(glyphs[0], glyphs[10], "Ensimmäinen")
    assert not page.wrap(glyphs[5], glyphs[12], "x")  # overlaps the first
    assert texts.save() == 1
    again = Texts(pdf)
    assert [again.text(leaf) for leaf in leaves(pdf.Root.StructTreeRoot)] == runs
    content = pdf.pages[0].Contents.read_bytes()
    assert content.count(b"/ActualText") == 1
