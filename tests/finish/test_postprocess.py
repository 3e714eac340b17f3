"""pikepdf post-processing on tiny PDFs made in the test."""

from __future__ import annotations

import re
from io import BytesIO

import pikepdf
import pytest
from weasyprint import HTML

from conftest import chapter, make_publication
from workbook.config.publication import PageFormat
from workbook.finish.press import PT_PER_MM, pad_pages, set_boxes
from workbook.finish.tagged import artifact_orphan_content
from workbook.pipeline.build import build


def tiny_pdf(pages: int, css: str = "", **options) -> pikepdf.Pdf:
    body = "".join(f'<p style="break-after: page">Sivu {i}</p>' for i in range(pages))
    html = f"<html lang=fi><title>T</title><style>{css}</style><body>{body}</body></html>"
    return pikepdf.open(BytesIO(HTML(string=html).write_pdf(**options)))


@pytest.mark.parametrize(("pages", "multiple", "added"), [(5, 4, 3), (8, 4, 0), (3, 2, 1)])
def test_pad_pages_to_multiple(pages, multiple, added):
    pdf = tiny_pdf(pages, "@page { size: 170mm 240mm; bleed: 3mm }")
    set_boxes(pdf, PageFormat())
    assert pad_pages(pdf, multiple) == added
    assert len(pdf.pages) % multiple == 0
    assert pdf.pages[-1].TrimBox == pdf.pages[0].TrimBox


def test_set_boxes_exact_bleed_beyond_weasyprint_cap():
    # WeasyPrint caps the BleedBox at 10 pt; a 5 mm bleed must still be 5 mm.
    pdf = tiny_pdf(1, "@page { size: 170mm 240mm; bleed: 5mm }")
    set_boxes(pdf, PageFormat(bleed=5))
    page = pdf.pages[0]
    trim, bleed = [float(v) for v in page.TrimBox], [float(v) for v in page.BleedBox]
    assert trim[0] - bleed[0] == pytest.approx(5 * PT_PER_MM)
    assert trim[2] - trim[0] == pytest.approx(170 * PT_PER_MM)
    assert [float(v) for v in page.MediaBox] == pytest.approx(bleed)


def test_margin_boxes_become_artifacts():
    css = "@page { @top-center { content: 'Ylä' } @bottom-center { content: counter(page) } }"
    pdf = tiny_pdf(2, css, pdf_variant="pdf/ua-1")
    changed = artifact_orphan_content(pdf)
    assert changed == 4  # head and folio on two pages
    for page in pdf.pages:
        tags = [str(ops[0]) for ops, op in pikepdf.parse_content_stream(page) if str(op) == "BDC"]
        assert tags.count("/Artifact") == 2


def test_margin_boxes_become_artifacts_whatever_the_property_list_looks_like():
    # A property list with more than the MCID is not WeasyPrint's own form: the
    # stream is parsed instead of matched, with the same result.
    css = "@page { @top-center { content: 'Ylä' } }"
    pdf = tiny_pdf(1, css, pdf_variant="pdf/ua-1")
    page = pdf.pages[0]
    content = re.sub(rb"<</MCID (\d+)>>", rb"<</MCID \1 /Lang (fi)>>", page.Contents.read_bytes())
    page.Contents = pdf.make_stream(content)
    assert artifact_orphan_content(pdf) == 1
    after = page.Contents.read_bytes()
    assert after.count(b"/Lang") == content.count(b"/Lang") - 1  # the head's is the artifact
    tags = [str(ops[0]) for ops, op in pikepdf.parse_content_stream(page) if str(op) == "BDC"]
    assert tags.count("/Artifact") == 1


def test_screen_edition_describes_links(tmp_path):
    config = make_publication(
        tmp_path,
        {"01-a.md": chapter("Alku", "Katso (ks. [[#loppu]]).\n\n## Loppu {#loppu}\n\nValmis.")},
    )
    result = build(config, out_dir=tmp_path / "b", editions=["screen"], report=lambda _: None)
    with pikepdf.open(result.editions[0].path) as pdf:
        contents = [str(a.Contents) for page in pdf.pages for a in page.obj.get("/Annots", [])]
    assert "Loppu, sivu 5" in contents


@pytest.mark.parametrize(
    ("css", "ok"),
    [
        ("p { color: device-cmyk(0 0 0 1) }", True),
        ("p { color: #ff0000 }", False),
        ("p { color: device-cmyk(0 0 0 1); background: rgb(0 0 255) }", False),
        ("p { color: lab(50% 40 20) }", False),
    ],
)
def test_press_colour_check(css, ok):
    from workbook.preflight.checks import check_no_rgb

    html = f"<html><style>{css}</style><p>Teksti</p></html>"
    result = check_no_rgb(HTML(string=html).write_pdf())
    assert (result.status == "pass") is ok, result.measured


def test_press_colour_check_flags_rgb_image():
    import base64

    from PIL import Image

    from workbook.preflight.checks import check_no_rgb

    buffer = BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    html = f"<html><style>p {{ color: device-cmyk(0 0 0 1) }}</style><img src='{uri}'></html>"
    result = check_no_rgb(HTML(string=html).write_pdf())
    assert result.status == "fail" and "image" in result.measured


def test_paragraph_cut_by_page_break_is_one_paragraph(tmp_path):
    long = " ".join(["Pitkä kappale, joka jatkuu sivulta toiselle."] * 60)
    config = make_publication(tmp_path, {"01-a.md": chapter("Alku", long)})
    result = build(config, out_dir=tmp_path / "b", editions=["screen"], report=lambda _: None)
    with pikepdf.open(result.editions[0].path) as pdf:
        stack, paragraphs = [pdf.Root.StructTreeRoot], []
        while stack:
            element = stack.pop()
            if isinstance(element, pikepdf.Dictionary):
                if element.get("/S") == "/P":
                    paragraphs.append(element)
                kids = element.get("/K")
                stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
        chapter_paragraphs = [
            p for p in paragraphs if p.P.get("/S") == "/Sect" and p.P.K[0].S == "/H1"
        ]
        assert len(chapter_paragraphs) == 1
        pages = {k.Pg.objgen for k in chapter_paragraphs[0].K}
        assert len(pages) >= 2


def _pages_with_image(colour: tuple[int, int, int]) -> pikepdf.Pdf:
    """Three pages that list one image in their resources, as WeasyPrint does."""
    import base64

    from PIL import Image

    png = BytesIO()
    Image.new("RGB", (4, 4), colour).save(png, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    body = f'<img src="{uri}" style="width: 2cm">' + "".join(
        f'<p style="break-before: page">Sivu {i}</p>' for i in range(2)
    )
    return pikepdf.open(BytesIO(HTML(string=body).write_pdf()))


def test_content_digest_follows_text_and_images():
    from workbook.finish.press import content_digest

    first, again = _pages_with_image((200, 0, 0)), _pages_with_image((200, 0, 0))
    assert content_digest(first) == content_digest(again)
    assert content_digest(first) != content_digest(_pages_with_image((0, 0, 200)))
    again.pages[2].Contents.write(b"BT ET")
    assert content_digest(first) != content_digest(again)
