"""Integration: build the sample publication and read both PDFs back with pypdf/pikepdf."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import REPO
from workbook.finish.tagged import reachable_elements
from workbook.html.charts import describe
from workbook.pipeline.build import BuildResult, build
from workbook.preflight.checks import check_no_rgb
from workbook.preflight.pdfcontent import image_draws

SAMPLE = REPO / "content" / "publication.toml"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def built(sample_build) -> BuildResult:
    return sample_build  # conftest: built once, with the EPUB and the web edition


@pytest.fixture(scope="module")
def press(built) -> Path:
    return next(e.path for e in built.editions if e.variant.name == "press")


@pytest.fixture(scope="module")
def screen(built) -> Path:
    return next(e.path for e in built.editions if e.variant.name == "screen")


# Page make-up rules the sample does not meet yet (warnings; see the report):
# its remaining holes before exercises that cannot start on the page, the
# hyphen share, word spacing and exercise gaps. Every other rule passes.
OPEN_MAKEUP = {
    "page-fullness",
    "hyphen-share",
    "hyphen-fragments",
    "exercise-space",
    "word-spacing",
}


def test_all_build_checks_pass(built):
    for edition in built.editions:
        failed = [c for c in edition.checks if c.status != "pass" and c.name not in OPEN_MAKEUP]
        # The sample prints to the bundled stand-in profile, and says so.
        assert [(c.name, c.status) for c in failed] in ([], [("output-profile", "warn")])
        assert all(c.status != "fail" for c in edition.checks if c.name in OPEN_MAKEUP)
        assert not edition.warnings, edition.warnings


def test_sample_is_a_real_book(built, press):
    chapters = built.book.chapters
    assert len([c for c in chapters if c.number]) >= 5
    assert len(PdfReader(press).pages) >= 24
    assert sum(c.html.count('class="footnote"') for c in chapters) >= 3
    assert any(re.search(r"<table[ >]", c.html) for c in chapters)
    assert sum(c.html.count('class="pageref"') for c in chapters) >= 3
    assert any(c.title == "Lähteet" and c.number is None for c in chapters)


def test_press_boxes_on_every_page(press):
    reader = PdfReader(press)
    for page in reader.pages:
        assert "/TrimBox" in page and "/BleedBox" in page
        trim, bleed = page.trimbox, page.bleedbox
        assert float(trim.width) == pytest.approx(170 * MM, abs=0.05)
        assert float(trim.height) == pytest.approx(240 * MM, abs=0.05)
        assert float(trim.left - bleed.left) == pytest.approx(3 * MM, abs=0.05)
        assert float(bleed.right - trim.right) == pytest.approx(3 * MM, abs=0.05)
        assert float(trim.bottom - bleed.bottom) == pytest.approx(3 * MM, abs=0.05)
        assert float(bleed.top - trim.top) == pytest.approx(3 * MM, abs=0.05)
        assert [float(v) for v in page.mediabox] == pytest.approx([float(v) for v in bleed])


def test_press_page_count_fits_binding(press):
    assert len(PdfReader(press).pages) % 4 == 0


def test_press_has_no_rgb_and_no_links(press):
    with pikepdf.open(press) as pdf:
        for page in pdf.pages:
            ops = {str(op) for _, op in pikepdf.parse_content_stream(page)}
            assert not ops & {"rg", "RG"}
            assert "/Annots" not in page.obj


@pytest.mark.parametrize("edition", ["press", "screen"])
def test_fonts_embedded_and_only_book_fonts(edition, request):
    reader = PdfReader(request.getfixturevalue(edition))
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            seen.add(name)
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name
    assert seen and all(
        n.startswith(("Workbook-Charis", "Workbook-Inter", "Workbook-Fields")) for n in seen
    )


def test_screen_is_tagged_pdf_ua(screen, built):
    reader = PdfReader(screen)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fi"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == built.book.title
    xmp = reader.xmp_metadata
    assert xmp is not None and "pdfuaid" in xmp.rdf_root.toxml()
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(170 * MM, abs=0.05)
    assert "/TrimBox" not in page or page.trimbox == page.mediabox


def _dests(reader: PdfReader) -> dict[str, int]:
    """Heading id -> 1-based page number, as a PDF reader resolves it."""
    return {
        k: reader.get_destination_page_number(v) + 1 for k, v in reader.named_destinations.items()
    }


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    result = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                result.append((item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    return result


def test_outline_entry_per_chapter_on_its_page(screen, built):
    reader = PdfReader(screen)
    outline = _outline(reader)
    dests = _dests(reader)
    for chapter in built.book.chapters:
        matches = [page for title, page in outline if chapter.title in " ".join(title.split())]
        assert matches == [dests[chapter.id]], chapter.title


def _toc_lines(reader: PdfReader, first: int, last: int) -> list[tuple[str, int]]:
    entries, pending = [], ""
    for index in range(first - 1, last - 1):
        for raw in reader.pages[index].extract_text().splitlines():
            line = " ".join(raw.split())
            if not line or line == "Sisällys" or (line.isdigit() and not pending):
                continue
            match = re.match(r"^(.*?)[ .]*(\d+)$", line)
            if match:
                entries.append(((pending + " " + match[1]).strip(" ."), int(match[2])))
                pending = ""
            else:
                pending = (pending + " " + line).strip()
    return entries


@pytest.mark.parametrize("edition", ["press", "screen"])
def test_contents_page_numbers_are_real_pages(edition, request, built):
    reader = PdfReader(request.getfixturevalue(edition))
    dests = _dests(reader)
    first_chapter = min(dests[c.id] for c in built.book.chapters)
    lines = _toc_lines(reader, dests["sisallys"], first_chapter)
    assert len(lines) == len(built.book.toc)
    for entry, (title, number) in zip(built.book.toc, lines, strict=True):
        assert title.endswith(entry.title)
        assert number == dests[entry.id], entry.title


def test_page_references_show_real_pages(screen, built):
    """Every "s. N" link's number is the page its target is on."""
    reader = PdfReader(screen)
    dests = _dests(reader)
    checked = 0
    for page in reader.pages:
        runs: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, font, size, runs=runs):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs.append((x, y, text))

        page.extract_text(visitor_text=visit)
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            dest = str(annot.get("/Dest", ""))
            if dest not in dests or dest not in built.book.targets:
                continue
            xa, ya, xb, yb = (float(v) for v in annot["/Rect"])
            x0, x1, y0, y1 = min(xa, xb), max(xa, xb), min(ya, yb), max(ya, yb)
            inside = "".join(
                t for x, y, t in runs if x0 - 1 <= x < x1 - 0.5 and y0 - 3 <= y <= y1 + 1
            )
            number = re.search(r"(\d+)\s*$", inside)
            if number and inside.strip().startswith("s."):
                assert int(number[1]) == dests[dest], (inside, dest)
                checked += 1
    assert checked >= 3


def _text_tags(pdf: pikepdf.Pdf):
    """(page, tag, mcid) of every text-showing operator: the innermost marked
    content with an MCID, or an artifact (an /ActualText span inside has neither)."""
    for number, page in enumerate(pdf.pages, start=1):
        stack: list[tuple[str, int | None]] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                props = operands[1] if op == "BDC" and len(operands) > 1 else None
                mcid = (
                    int(props.MCID)
                    if isinstance(props, pikepdf.Dictionary) and "/MCID" in props
                    else None
                )
                stack.append((str(operands[0]), mcid))
            elif op == "EMC" and stack:
                stack.pop()
            elif op in ("Tj", "TJ", "'", '"'):
                marked = [m for m in stack if m[1] is not None or m[0] == "/Artifact"]
                yield number, marked[-1] if marked else (None, None)


def test_running_heads_and_folios_are_artifacts(screen):
    with pikepdf.open(screen) as pdf:
        struct = pdf.Root.StructTreeRoot
        reachable = reachable_elements(struct)
        tree = pikepdf.NumberTree(struct.ParentTree)
        artifact_pages = set()
        for number, (tag, mcid) in _text_tags(pdf):
            assert tag is not None, f"untagged text on page {number}"
            if tag == "/Artifact":
                artifact_pages.add(number)
                continue
            parents = tree[int(pdf.pages[number - 1].obj.StructParents)]
            element = parents[mcid]
            assert isinstance(element, pikepdf.Dictionary) and element.objgen in reachable
        # every page after the front matter with text has a folio, so an artifact
        assert len(artifact_pages) >= len(pdf.pages) // 2


def test_links_have_descriptions(screen):
    reader = PdfReader(screen)
    count = 0
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot["/Subtype"] == "/Link":
                assert str(annot["/Contents"]) not in ("", str(annot.get("/Dest", "")))
                assert "sivu" in str(annot["/Contents"]) or "/A" in annot
                count += 1
    assert count >= 10


def test_finnish_hyphenation_happens(screen):
    text = "".join(page.extract_text() for page in PdfReader(screen).pages)
    assert len(re.findall(r"\w[\u2010-]\n\w", text)) >= 5


def test_same_input_same_bytes(built, tmp_path):
    again = build(SAMPLE, out_dir=tmp_path, report=lambda _: None, cover=True)
    for first, second in zip(built.editions, again.editions, strict=True):
        assert first.path.read_bytes() == second.path.read_bytes(), first.variant.name


def test_footnotes_are_tagged_notes_with_ids(screen, built):
    with pikepdf.open(screen) as pdf:
        ids = [str(note.ID) for note in _elements(pdf, "/Note")]
    footnotes = sum(c.html.count('class="footnote"') for c in built.book.chapters)
    assert len(ids) >= footnotes >= 3
    assert len(set(ids)) == len(ids)


def test_structure_is_one_section_per_chapter_with_headings_in_order(screen, built):
    with pikepdf.open(screen) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        sections = [k for k in document.K if k.get("/S") == "/Sect"]
        # title page, colophon, contents, then one per chapter
        assert len(sections) == len(built.book.chapters) + 3
        levels: list[int] = []
        stack = [document]
        while stack:
            element = stack.pop()
            tag = str(element.get("/S", ""))
            if re.fullmatch(r"/H\d", tag):
                levels.append(int(tag[2]))
            kids = element.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack.extend(k for k in reversed(list(kids)) if isinstance(k, pikepdf.Dictionary))
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))


def test_blank_versos_carry_nothing_and_openers_are_recto(press, screen, built):
    reader = PdfReader(press)
    dests = _dests(reader)
    for chapter in built.book.chapters:
        page = dests[chapter.id]
        assert page % 2 == 1, f"{chapter.title} opens on page {page}"
        before = reader.pages[page - 2].extract_text().strip()
        # the verso before an opener holds text of the previous chapter (a notes page
        # has only its title), or nothing at all (no running head, no folio)
        heads = {c.running_head for c in built.book.chapters}
        content = [line for line in before.splitlines() if not line.isdigit() and line not in heads]
        assert before == "" or content, (page - 1, before)
    # padding pages for the binding are blank
    for page in reader.pages[len(PdfReader(screen).pages) :]:
        assert page.extract_text().strip() == ""


def test_editions_paginate_alike(press, screen):
    """Page references printed in one edition hold in the other."""

    assert _dests(PdfReader(press)) == _dests(PdfReader(screen))


def _elements(pdf: pikepdf.Pdf, tag: str) -> list[pikepdf.Dictionary]:
    return _elements_under(pdf.Root.StructTreeRoot, tag)


def _elements_under(root: pikepdf.Dictionary, tag: str) -> list[pikepdf.Dictionary]:
    found, stack = [], [root]
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary):
            continue
        if element.get("/S") == tag:
            found.append(element)
        kids = element.get("/K")
        stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
    return found


def test_tables_split_across_pages_are_one_table_with_one_header(screen, built):
    tables = sum(len(re.findall(r"<table[ >]", c.html)) for c in built.book.chapters)
    with pikepdf.open(screen) as pdf:
        assert len(_elements(pdf, "/Table")) == tables
        # the sample has a table that breaks across pages, so the join is exercised
        assert any(
            len({tr.Pg.objgen for tr in _elements_under(table, "/TR")}) > 1
            for table in _elements(pdf, "/Table")
        )
        header_ids = [str(th.ID) for th in _elements(pdf, "/TH")]
        assert len(header_ids) == len(set(header_ids))
        for td in _elements(pdf, "/TD"):
            for header in td.A.get("/Headers", []):
                assert str(header) in header_ids


@pytest.mark.parametrize(
    ("tag", "html_pattern"),
    [
        ("/Sect", r"<section[ >]"),
        ("/P", r"<p[ >]"),
        ("/L", r"<(?:ul|ol|dl)[ >]"),
        ("/LI", r"<(?:li|dt|dd)[ >]"),
        ("/BlockQuote", r"<blockquote[ >]"),
        ("/Table", r"<table[ >]"),
    ],
)
def test_one_structure_element_per_html_element(screen, tag, html_pattern):
    """Page breaks cut paragraphs, lists and tables; the tag tree has each once."""
    html = screen.with_suffix(".html").read_text(encoding="utf-8")
    expected = len(re.findall(html_pattern, html))
    with pikepdf.open(screen) as pdf:
        elements = _elements(pdf, tag)
        assert len(elements) == expected
        if tag in ("/P", "/L"):  # the sample has such elements cut by a page break
            assert any(
                len({k.Pg.objgen for k in _elements_under(e, "/Span")}) > 1 for e in elements
            )


def test_running_heads_name_the_chapter(press, built):
    reader = PdfReader(press)
    dests = _dests(reader)
    openers = sorted((dests[c.id], c) for c in built.book.chapters)
    ends = [*openers[1:], (len(reader.pages) + 1, None)]
    for (start, chapter), (end, _) in zip(openers, ends, strict=True):
        for number in range(start + 1, end):
            text = reader.pages[number - 1].extract_text()
            if text.strip():
                assert chapter.running_head in text, (number, chapter.running_head)


def test_chapter_headings_read_as_number_and_title(screen, built):
    reader = PdfReader(screen)
    titles = [" ".join(t.split()) for t, _ in _outline(reader)]
    for chapter in built.book.chapters:
        expected = f"{chapter.label} {chapter.title}" if chapter.label else chapter.title
        assert expected in titles
        page = reader.get_destination_page_number(reader.named_destinations[chapter.id])
        text = " ".join(reader.pages[page].extract_text().split())
        assert expected in text


def test_sample_illustrations_cover_every_kind(built):
    manifest = built.book.manifest
    placed = built.book.illustrations
    assert len(placed) >= 6
    kinds = {(manifest[i].placement.value, manifest[i].vector) for i in placed}
    assert ("full-page", False) in kinds  # a raster printed to the bleed
    assert ("inline", False) in kinds
    assert ("inline", True) in kinds  # SVG line art
    assert any(manifest[i].entry.decorative for i in placed)
    for ident in placed:
        item = manifest[ident]
        assert item.entry.decorative or len(item.entry.alt) > 40, ident


def test_press_is_pdf_x4_with_cmyk_images_at_print_resolution(press):
    with pikepdf.open(press) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and int(intent.DestOutputProfile.N) == 4
        with pdf.open_metadata() as meta:
            assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        draws = image_draws(pdf)
    assert len(draws) >= 5
    assert {d.colour_space for d in draws} == {"/DeviceCMYK"}
    assert min(d.ppi for d in draws) >= 299.5


def test_full_page_illustration_reaches_the_bleed(press):
    with pikepdf.open(press) as pdf:
        for draw in image_draws(pdf):
            if draw.pixels != (2079, 2906):
                continue
            box = [float(v) for v in pdf.pages[draw.page - 1].BleedBox]
            assert draw.width_pt == pytest.approx(box[2] - box[0], abs=0.1)
            assert draw.height_pt == pytest.approx(box[3] - box[1], abs=0.1)
            return
    raise AssertionError("no full-page illustration found")


def test_screen_images_are_light_and_described(screen, built):
    manifest = built.book.manifest
    described = [i for i in built.book.illustrations if not manifest[i].entry.decorative]
    with pikepdf.open(screen) as pdf:
        draws = image_draws(pdf)
        figures = list(_elements(pdf, "/Figure"))
        assert all(str(f.get("/Alt", "")).strip() for f in figures)
    # every illustration but the decorative vignette, and every chart
    assert len(figures) == len(described) + len(built.book.charts) == 6 + 6
    assert {d.colour_space for d in draws} == {"/DeviceRGB"}
    assert max(d.ppi for d in draws) <= 200
    assert screen.stat().st_size < 1.5 * 1024 * 1024


def test_survey_chapter_has_data_charts_and_tables(built):
    chapter = next(c for c in built.book.chapters if c.id == "asiakkaat")
    assert len(chapter.charts) >= 4
    assert (
        len(re.findall(r'<table data-id="[^"]+" (?:data-src="[^"]+" )?id="taulukko-', chapter.html))
        >= 3
    )
    assert chapter.html.count('class="data-value"') >= 3


def test_charts_are_described_figures_and_tables_have_header_cells(screen, built):
    expected = {describe(built.book.surveys[i]) for i in built.book.charts}
    with pikepdf.open(screen) as pdf:
        alts = {str(f.get("/Alt", "")) for f in _elements(pdf, "/Figure")}
        tables = _elements(pdf, "/Table")
        data_tables = [t for t in tables if _elements_under(t, "/Caption")]
        assert len(data_tables) == len(built.book.numbers.tables)
        for table in data_tables:
            assert _elements_under(table, "/TH")
    assert expected <= alts


def test_press_charts_are_cmyk_with_text_as_text(press, built):
    assert check_no_rgb(press.read_bytes()).status == "pass"
    text = "".join(page.extract_text() for page in PdfReader(press).pages)
    for ident in built.book.charts:
        for row in built.book.surveys[ident].rows[:2]:
            assert row.label.split()[0] in text


def test_preflight_passes_on_the_sample(press):
    from workbook.preflight import run_preflight

    preflight = run_preflight(SAMPLE, press.parent, ["press", "screen", "cover"])
    results = preflight.all_results()
    bad = {(r.name, r.status) for r in results if r.status != "pass" and r.name not in OPEN_MAKEUP}
    assert bad == {("output-profile", "warn")}  # the bundled stand-in, on the press PDF and cover
    assert len(results) >= 50


def test_sample_workbook_uses_every_exercise_component(built):
    kinds = {block.kind for exercise in built.book.exercises for block in exercise.blocks}
    assert kinds >= {"rivit", "tarkistuslista", "asteikko", "jana", "analyysi", "ohjaajalle"}
    html = "".join(chapter.html for chapter in built.book.chapters)
    assert "wb-notes-viivat" in html and "wb-notes-pisteet" in html  # both notes pages
    assert [e.number for e in built.book.exercises] == list(range(1, 9))


def test_sample_form_rows_stay_on_one_page(screen):
    """A rating row, a line to mark and a checklist item never break across pages."""
    with pikepdf.open(screen) as pdf:
        page_of = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        rows: dict[str, set[int]] = {}
        for field in pdf.Root.AcroForm.Fields:
            name = str(field.T)
            widgets = list(field.Kids) if "/Kids" in field else [field]
            row = name.removesuffix("-maara")  # a checklist item's count goes with its box
            rows.setdefault(row, set()).update(page_of[w.P.objgen] for w in widgets)
    split = {name: pages for name, pages in rows.items() if len(pages) > 1}
    assert not split, split


def test_every_exercise_has_a_bookmark_on_its_page(screen, built):
    reader = PdfReader(screen)
    found = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            elif item.title.startswith("Tehtävä"):
                found[item.title] = reader.get_destination_page_number(item) + 1

    walk(reader.outline)
    dests = _dests(reader)
    expected = {f"{e.label}\u00a0{e.title}".replace("\u00a0", " "): e for e in built.book.exercises}
    assert {title.replace("\u00a0", " ") for title in found} == set(expected)
    for title, page in found.items():
        assert dests[expected[title.replace("\u00a0", " ")].id] == page


@pytest.fixture(scope="module")
def cover(built) -> Path:
    return next(e.path for e in built.editions if e.variant.name == "cover")


def test_sample_cover_barcode_scans_as_the_print_isbn(cover, tmp_path):
    import subprocess

    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", str(cover), str(tmp_path / "c")],
        check=True,
    )
    read = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "c.png")], capture_output=True, text=True
    )
    assert read.stdout.split() == ["9789527399019"]  # isbn.print 978-952-7399-01-9


def test_sample_spine_follows_the_formula_and_reads_top_to_bottom(cover, press):
    pages = len(PdfReader(press).pages)
    reader = PdfReader(cover)
    trim = reader.pages[0].trimbox
    assert float(trim.width) / MM == pytest.approx(2 * 170 + pages / 2 * 0.180 + 0.6, abs=0.01)
    spine: list[tuple[str, tuple[float, float], float]] = []
    fold = float(trim.left) + 170 * MM

    def visit(text, cm, tm, font, size):
        a, b, _, _, e, f = tm
        big_a, big_b, big_c, big_d, big_e, big_f = cm
        x = e * big_a + f * big_c + big_e
        y = e * big_b + f * big_d + big_f
        if text.strip() and fold < x < fold + 8 * MM:
            spine.append((text, (a * big_a + b * big_c, a * big_b + b * big_d), y))

    reader.pages[0].extract_text(visitor_text=visit)
    texts = [t for t, _, _ in spine]
    assert any("Asiakaspalvelu kirjastoissa" in t for t in texts), texts
    assert any("Kirjastojen alueellinen" in t for t in texts), texts
    for _, (dx, dy), _ in spine:  # the baseline runs down the page
        assert abs(dx) < 0.01 and dy < 0
    title_y = next(y for t, _, y in spine if "Asiakaspalvelu" in t)
    publisher_y = next(y for t, _, y in spine if "Kirjastojen" in t)
    assert title_y > publisher_y  # the title at the head of the spine


def test_black_text_overprints_in_the_press_pdf(press):
    from workbook.preflight.inks import check_overprint, text_runs

    runs = text_runs(press.read_bytes())
    black = [r for r in runs if r.colour == (0.0, 0.0, 0.0, 1.0)]
    assert len(black) > 1000 and all(r.overprint for r in black)
    assert check_overprint(runs).status == "pass"


def test_every_written_file_has_the_users_file_mode(sample_build):
    """Print houses, colleagues and web servers read what a build writes: no file is
    left with the 0600 of a temporary file."""
    import os

    out = next(e.path for e in sample_build.editions).parent
    mask = os.umask(0)
    os.umask(mask)
    modes = {
        str(path.relative_to(out)): oct(path.stat().st_mode & 0o777)
        for path in out.rglob("*")
        if path.is_file() and not path.is_symlink()
    }
    assert modes and all(mode == oct(0o666 & ~mask) for mode in modes.values()), {
        name: mode for name, mode in modes.items() if mode != oct(0o666 & ~mask)
    }
