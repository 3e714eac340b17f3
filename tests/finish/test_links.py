"""One Link element per link: WeasyPrint's nested links dissolved, leaders made artifacts."""

from __future__ import annotations

from io import BytesIO

import pikepdf
from pikepdf import Name
from weasyprint import HTML

from workbook.finish.content import Texts
from workbook.finish.links import flatten_links
from workbook.finish.tagged import artifact_orphan_content
from workbook.preflight.access import check_link_tags

CONTENTS = """
<html lang="fi"><head><title>t</title><style>
  @page { size: A6 }
  a { display: block }
  a::after { content: leader(" . ") target-counter(attr(href url), page) }
  .label { display: inline-block; width: 8mm }
  h1 { break-before: page }
</style></head><body>
<ol><li><a href="#yksi"><span class="label">1</span> Ensimmäinen luku</a></li>
<li><a href="#kaksi">Toinen luku</a></li></ol>
<h1 id="yksi">Ensimmäinen luku</h1><h1 id="kaksi">Toinen luku</h1>
</body></html>
"""

WRAPPED = """
<html lang="fi"><head><title>t</title><style>@page { size: A6 }</style></head><body>
<p>Katso <a href="#loppu">tämä hyvin pitkä linkki, joka jatkuu rivin yli seuraavalle</a>.</p>
<h1 id="loppu">Loppu</h1></body></html>
"""


def tagged(html: str) -> pikepdf.Pdf:
    return pikepdf.open(BytesIO(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")))


def saved(pdf: pikepdf.Pdf) -> bytes:
    out = BytesIO()
    pdf.save(out)
    return out.getvalue()


def links_of(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    found, stack = [], [pdf.Root.StructTreeRoot]
    while stack:
        element = stack.pop()
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids else []
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if kid.get("/S") == Name.Link:
                    found.append(kid)
                stack.append(kid)
    return found


def annotations(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [a for a in pdf.pages[0].obj.get("/Annots", []) if a.Subtype == Name.Link]


def test_weasyprint_nests_the_links_of_a_contents_line():
    pdf = tagged(CONTENTS)
    nested, in_link = check_link_tags(saved(pdf))
    assert nested.status == "fail" and "is in a Span element" in nested.measured
    assert in_link.status == "fail" and "inside another Link" in in_link.measured
    assert len(annotations(pdf)) > 2  # several annotations per line


def test_each_contents_line_becomes_one_link_with_one_annotation():
    pdf = tagged(CONTENTS)
    texts = Texts(pdf)
    fixed = flatten_links(pdf, texts)
    texts.save()
    assert fixed.links == 2 and fixed.leaders and fixed.dropped >= 4
    assert artifact_orphan_content(pdf, layout=fixed.leaders) > 10  # the leader's dots
    data = saved(pdf)
    assert [r.status for r in check_link_tags(data)] == ["pass", "pass"]
    assert len(annotations(pdf)) == 2 and len(links_of(pdf)) == 2
    for link in links_of(pdf):
        objrs = [k for k in link.K if isinstance(k, pikepdf.Dictionary)]
        assert len(objrs) == 1 and objrs[0].Type == Name.OBJR
    content = pdf.pages[0].Contents.read_bytes()
    assert b"/Artifact" in content and b"/Layout" in content
    # the page number is read after a space: "Ensimmäinen luku 2", not "luku2"
    assert content.count(b"/ActualText") == 2
    reread = Texts(pikepdf.open(BytesIO(data)))
    page = reread.page(pdf.pages[0].obj.objgen)
    dots = [m for m in page.sequences if set(page.text(m)) <= set(" .")]
    assert not dots  # no dot is marked content of the tree any more


def test_the_pieces_of_a_link_a_line_break_cut_become_one_link():
    pdf = tagged(WRAPPED)
    pieces = len(links_of(pdf))
    assert pieces >= 2  # one Link element per line
    fixed = flatten_links(pdf, Texts(pdf))
    (link,) = links_of(pdf)
    assert fixed.joined == pieces - 1
    objrs = [k for k in link.K if isinstance(k, pikepdf.Dictionary) and "/Obj" in k]
    assert len(objrs) == pieces  # an annotation on each line, in one Link element
    tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    assert all(tree[int(o.Obj.StructParent)].objgen == link.objgen for o in objrs)
