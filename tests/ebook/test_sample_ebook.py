"""The sample's EPUB and web edition: what a reader gets, and every validator's verdict."""

from __future__ import annotations

import json
import re
import zipfile

import lxml.etree
import lxml.html
import pytest

from conftest import SAMPLE
from workbook.ebook import stage
from workbook.render.pagestarts import read_starts, starts_path

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.fixture(scope="module")
def ebook(sample_build):
    return sample_build.ebook


@pytest.fixture(scope="module")
def archive(ebook):
    with zipfile.ZipFile(ebook.epub) as epub:
        yield epub


def xhtml(archive, name: str):
    return lxml.etree.fromstring(archive.read(f"EPUB/{name}"))


def test_every_printed_page_has_its_marker_where_the_page_begins(sample_build, ebook, archive):
    press = next(e for e in sample_build.editions if e.variant.name == "press")
    assert ebook.source == "press" and ebook.pages == press.pages == 60
    # A page that opens with a float the page make-up moved has its marker before
    # the float (test_pagebreaks): every marker is where its page begins.
    assert ebook.pages_differing == []
    assert ebook.warnings == []
    nav = xhtml(archive, "sisallys.xhtml")
    entries = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    assert [a.text for a in entries] == [str(n) for n in range(1, press.pages + 1)]
    for entry in entries:
        name, ident = entry.get("href").split("#")
        target = xhtml(archive, name).xpath("//*[@id=$i]", i=ident, namespaces=NS)
        assert target and target[0].get("role") == "doc-pagebreak"
        assert target[0].get("{http://www.idpf.org/2007/ops}type") == "pagebreak"


def test_page_references_print_the_print_page_and_link_to_the_target(sample_build, archive):
    out = sample_build.editions[0].path.parent
    _, anchors = read_starts(starts_path(out, "asiakaspalvelu-press.pdf"))
    chapter = xhtml(archive, "johdanto.xhtml")
    refs = chapter.xpath("//x:a[@class='pageref']", namespaces=NS)
    assert refs
    for ref in refs:
        href = ref.get("href")
        ident = href.split("#")[1]
        assert "".join(ref.itertext()) == f"s.\u00a0{anchors[ident]}"
        name = href.split("#")[0] or "johdanto.xhtml"
        assert xhtml(archive, name).xpath("//*[@id=$i]", i=ident), href


def test_chapters_are_finnish_xhtml_with_footnotes_both_ways(archive):
    chapter = xhtml(archive, "hanke.xhtml")
    assert chapter.get("{http://www.w3.org/XML/1998/namespace}lang") == "fi"
    notes = chapter.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    calls = chapter.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    assert len(notes) == len(calls) >= 1
    for number, (note, call) in enumerate(zip(notes, calls, strict=True), start=1):
        assert call.text == str(number) and call.get("href") == f"#{note.get('id')}"
        back = note.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)[0]
        assert back.get("href") == f"#{call.get('id')}"


def test_pictures_have_alt_text_and_the_decorative_one_is_marked(archive):
    names = archive.namelist()
    for name in [n for n in names if n.endswith(".xhtml")]:
        for image in xhtml(archive, name.removeprefix("EPUB/")).xpath("//x:img", namespaces=NS):
            assert image.get("alt") is not None, name
            assert f"EPUB/{image.get('src')}" in names
    decorative = xhtml(archive, "teemat.xhtml").xpath("//x:img[@alt='']", namespaces=NS)
    assert [d.get("role") for d in decorative] == ["presentation"]
    svg = {"svg": "http://www.w3.org/2000/svg"}
    charts = xhtml(archive, "asiakkaat.xhtml").xpath("//svg:svg", namespaces=svg)
    assert len(charts) == 4
    for chart in charts:  # named by the same alt text as in the PDFs
        assert chart.get("role") == "img"
        assert chart.get("aria-label").startswith(("Pinottu", "Vaaka"))


def test_exercises_are_static_with_a_pointer_to_the_forms(archive):
    chapter = xhtml(archive, "tyokirja.xhtml")
    assert not chapter.xpath("//x:input | //x:textarea", namespaces=NS)
    exercises = chapter.xpath("//x:div[@class='exercise']", namespaces=NS)
    assert len(exercises) >= 5
    for exercise in exercises:
        assert exercise.xpath(".//x:p[@class='exercise-formats']", namespaces=NS)
    checklist = chapter.xpath("//x:ul[@class='wb-items']/x:li", namespaces=NS)
    assert len(checklist) >= 20


def test_package_metadata_for_accessibility_and_the_editions(archive):
    opf = lxml.etree.fromstring(archive.read("EPUB/package.opf"))
    meta = {}
    for element in opf.xpath("//opf:meta[@property]", namespaces=OPF):
        meta.setdefault(element.get("property"), []).append(element.text)
    assert opf.xpath("//dc:identifier/text()", namespaces=OPF) == ["urn:isbn:9789527399033"]
    assert opf.xpath("//dc:source/text()", namespaces=OPF) == ["urn:isbn:9789527399019"]
    assert meta["pageBreakSource"] == ["urn:isbn:9789527399019"]
    assert meta["dcterms:modified"] == ["2019-11-15T00:00:00Z"]
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert {"tableOfContents", "alternativeText", "pageBreakMarkers", "pageNavigation"} <= set(
        meta["schema:accessibilityFeature"]
    )
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert meta["schema:accessibilityHazard"] == ["none"]
    assert "saavutettavassa PDF-tiedostossa" in meta["schema:accessibilitySummary"][0]


def test_the_zip_is_reproducible(ebook, archive, tmp_path):
    infos = archive.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert infos[0].extra == b""
    assert {i.date_time for i in infos} == {(2019, 11, 15, 0, 0, 0)}
    names = [i.filename for i in infos[1:]]
    assert names == sorted(names)


def test_the_web_edition_and_the_download_page(sample_build, ebook):
    web = ebook.web
    screen = next(e for e in sample_build.editions if e.variant.name == "screen")
    pages = sorted(p.name for p in web.glob("*.html"))
    assert "index.html" in pages and "sisallys.html" in pages and "tyokirja.html" in pages
    chapter = lxml.html.parse(str(web / "hanke.html")).getroot()
    assert chapter.get("lang") == "fi"
    assert chapter.xpath("//a[@class='skip-link']")[0].get("href") == "#sisalto"
    assert not chapter.xpath("//script")
    index = (web / "index.html").read_text(encoding="utf-8")
    assert "asiakaspalvelu-screen.pdf" in index and "asiakaspalvelu.epub" in index
    assert (web / "lataa" / "asiakaspalvelu.epub").read_bytes() == ebook.epub.read_bytes()
    # The accessible PDF's own pages (the press edition pads to a whole sheet), and
    # the printed pages the EPUB's page list follows.
    assert f"{screen.pages} sivua" in index and f"vastaa {ebook.pages} painettua sivua" in index
    assert "https://kehittamistehtava.example.fi/palaute/saavutettavuus" in index
    assert re.search(r"@font-face[^}]*woff2", (web / "css" / "ebook.css").read_text())


def test_the_sample_passes_every_validator(ebook, tmp_path):
    out = ebook.epub.parent
    checking = stage.start_checks(SAMPLE, out)
    assert checking is not None
    lines: list[str] = []
    results = {r.name: r for r in checking.finish(None, lines.append)}
    print(json.dumps({n: r.measured for n, r in results.items()}, ensure_ascii=False, indent=1))
    assert set(results) == {"epubcheck", "ace", "web-axe", "web-links"}
    for result in results.values():
        assert result.status == "pass", result.measured
    assert "0 errors, 0 warnings" in results["epubcheck"].measured
    assert "0 violations" in results["ace"].measured
    index = (ebook.web / "index.html").read_text(encoding="utf-8")
    assert "EPUB-tiedosto on EPUB 3 -määrityksen mukainen (EPUBCheck)" in index
    assert "Tätä versiota ei ole vielä tarkistettu" not in index
