"""Preflight: every check fails on a small book made to fail it, and passes on a good one.

Each case is a tiny publication whose chapter carries the fault (raw HTML or a
style inside the Markdown); it is built with the build's own checks off, so
the faulty PDF is written, and then read back by the preflight.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import chapter, illustrated, make_publication, trusted_html
from workbook.pipeline.build import build
from workbook.preflight import check_publication, run_preflight
from workbook.preflight.facts import read_facts
from workbook.preflight.refs import check_same_pages, check_same_text

SENTENCE = (
    "Kirjaston asiakaspalvelu syntyy pienistä kohtaamisista, joissa asiakas tulee "
    "kuulluksi ja saa tarvitsemansa avun ilman kiirettä. "
)
PARAGRAPH = SENTENCE * 5

STAND_IN = {"output-profile": "warn"}  # the bundled profile, not the print house's


def body(extra: str = "", paragraphs: int = 12) -> str:
    """Several pages of text with *extra* in the middle."""
    parts = [PARAGRAPH] * paragraphs
    parts.insert(paragraphs // 2, extra)
    return "## Alaotsikko\n\n" + "\n\n".join(parts) + "\n\nKs. [[#kaksi]].\n"


def quiet(_: str) -> None:
    pass


def built_case(root: Path, extra: str, editions=("screen",), paragraphs: int = 12) -> Path:
    chapters = {
        "01-yksi.md": chapter("Yksi", body()),
        "02-kaksi.md": chapter("Kaksi", body(extra, paragraphs)),
    }
    config = make_publication(root, chapters)
    with trusted_html():  # the faults are raw HTML and CSS the allowlist would refuse
        build(config, out_dir=root / "build", editions=list(editions), report=quiet, verify=False)
    return config


# Page make-up checks have cases of their own (test_makeup_checks.py); the
# generated books here are not typeset for them.
MAKEUP = {
    "page-fullness", "footnote-pages", "hyphen-share", "hyphen-runs", "hyphen-page-turns",
    "hyphen-fragments", "widows-orphans", "exercise-space", "word-spacing", "line-ends",
}  # fmt: skip


def statuses(config: Path, editions=("screen",)) -> dict[str, str]:
    preflight = run_preflight(config, config.parent / "build", list(editions))
    found = {}
    for result in preflight.all_results():
        found[result.name] = result.status
    return found


CASES = {
    # case name: (fault in the middle of chapter 2, the check that must fail)
    "blank-page-mid-chapter": (
        '<div style="break-before: page; break-after: page; height: 1px"></div>',
        "blank-pages",
    ),
    "chapter-on-left-page": (
        "<style>section.chapter { break-before: left; }</style>",
        "chapter-openers",
    ),
    "running-head-changes-mid-chapter": (
        "<p style=\"string-set: chapter-head 'Väärä otsake'\">Tästä alkaen väärä otsake.</p>",
        "running-heads",
    ),
    "folio-skips-numbers": (
        "<style>@page :nth(7) { counter-increment: page 5; }</style>",
        "folios",
    ),
    "long-word-overflows": (
        "<p style='hyphens: none'>" + "Lentokonesuihkuturbiinimoottoriapumekaanikko" * 4 + "</p>",
        "type-area",
    ),
    "text-near-trim": (
        '<p style="position: absolute; top: -19mm; left: 0">Liian lähellä reunaa</p>',
        "safety-margin",
    ),
    "contents-number-wrong": (
        '<style>ol.toc a::after { content: leader(" . ") "99"; }</style>',
        "contents-pages",
    ),
    "page-reference-wrong": (
        '<style>a.pageref::after { content: "99"; }</style>',
        "page-references",
    ),
    "heading-without-bookmark": (
        "<style>h1.chapter-title { bookmark-level: none; }</style>",
        "outline",
    ),
    # "####" after "##" is refused before rendering; raw HTML gets past that to the PDF.
    "heading-level-skipped": ("<h4>Liian syvä otsikko</h4>", "heading-levels"),
    "table-without-header-cells": (
        "<table><tr><td>Ei</td><td>otsikoita</td></tr></table>",
        "table-headers",
    ),
}


LONG = {"running-head-changes-mid-chapter": 30}  # cases that need a longer chapter


@pytest.mark.parametrize("case", list(CASES))
def test_check_fails_on_its_case(tmp_path, case):
    fault, check = CASES[case]
    config = built_case(tmp_path, fault, paragraphs=LONG.get(case, 12))
    found = statuses(config)
    assert found[check] == "fail", (case, found)


def test_good_book_passes_every_check(tmp_path):
    config = built_case(tmp_path, "", editions=("press", "screen"))
    found = statuses(config, ("press", "screen"))
    # The bundled stand-in output profile is the one thing left to the print house.
    left = {name: status for name, status in found.items() if status != "pass"}
    assert {name: status for name, status in left.items() if name not in MAKEUP} == STAND_IN
    assert {"blank-pages", "running-heads", "folios", "type-area", "same-text"} <= set(found)


def test_editions_that_drift_apart(tmp_path):
    one = built_case(tmp_path / "a", "", editions=("press",))
    two = built_case(tmp_path / "b", "Yksi kappale lisää.\n\n" + PARAGRAPH, editions=("press",))
    press = read_facts(one.parent / "build" / "testikirja-press.pdf")
    other = read_facts(two.parent / "build" / "testikirja-press.pdf")
    assert check_same_text(press, press).status == "pass"
    assert check_same_text(press, other).status == "fail"
    # An e-version with more pages than the press edition has drifted too.
    longer = pikepdf.open(two.parent / "build" / "testikirja-press.pdf")
    longer.pages.extend(list(longer.pages))
    longer.save(tmp_path / "longer.pdf")
    assert check_same_pages(press, press).status == "pass"
    assert check_same_pages(press, read_facts(tmp_path / "longer.pdf")).status == "fail"


def test_file_size_limit_is_a_warning_that_strict_makes_fatal(tmp_path):
    config = built_case(tmp_path, "")
    config.write_text(
        config.read_text() + "\n[preflight]\nscreen_max_size = 0.01\npage_max_empty = 100\n"
        'hyphen_max_share = 100\nword_space_max = 4\nexercise_max_gap = "100mm"\n'
    )
    found = statuses(config)
    assert found["file-size"] == "warn"
    check_publication(config, tmp_path / "build", ["screen"], report=quiet)  # a warning passes
    with pytest.raises(Exception, match="file-size"):
        check_publication(config, tmp_path / "build", ["screen"], strict=True, report=quiet)


@pytest.fixture(scope="module")
def bleed_cases(tmp_path_factory):
    """An illustrated book whose full-page picture stops at the trim, and one past the bleed."""
    found = {}
    for name, style in {
        "image-stops-at-trim": "left: 0 !important; top: 0 !important; width: 170mm !important;"
        " height: 240mm !important",
        "image-beyond-bleed": "left: -12mm !important",
    }.items():
        root = tmp_path_factory.mktemp(name)
        text = f"<style>.placement-full-page > img {{ {style} }}</style>\n\n![[koko-sivu]]\n"
        config = illustrated(root, chapters={"01-luku.md": chapter("Luku", text)})
        with trusted_html():
            build(config, out_dir=root / "build", editions=["press"], report=quiet, verify=False)
        found[name] = statuses(config, ("press",))
    return found


@pytest.mark.parametrize("case", ["image-stops-at-trim", "image-beyond-bleed"])
def test_image_bleed_fails(bleed_cases, case):
    assert bleed_cases[case]["image-bleed"] == "fail"


def test_reports_are_written(tmp_path):
    config = built_case(tmp_path, CASES["long-word-overflows"][0])
    with pytest.raises(Exception, match="type-area"):
        check_publication(config, tmp_path / "build", ["screen"], report=quiet)
    folder = tmp_path / "build" / "preflight"
    data = json.loads((folder / "report.json").read_text())
    checks = {c["name"]: c for c in data["editions"][0]["checks"]}
    assert checks["type-area"]["status"] == "fail" and checks["type-area"]["areas"]
    assert "type-area" in data["failed"]
    html = (folder / "report.html").read_text()
    for name in checks:
        assert f"<td>{name}</td>" in html
    page = checks["type-area"]["pages"][0]
    assert f'<a href="#screen-p{page}">' in html and f'id="screen-p{page}" class="bad"' in html
    assert 'class="mark"' in html
    thumbs = sorted(folder.glob("screen-*.png"))
    assert len(thumbs) == data["editions"][0]["pages"]
    assert all(f'src="{t.name}"' in html for t in thumbs)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by setup.sh")
def test_report_renders_in_a_real_browser(tmp_path):
    config = built_case(tmp_path, CASES["long-word-overflows"][0])
    with pytest.raises(Exception, match="type-area"):
        check_publication(config, tmp_path / "build", ["screen"], report=quiet)
    report = tmp_path / "build" / "preflight" / "report.html"
    shot = tmp_path / "report.png"
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert "type-area" in dom and 'class="mark"' in dom
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         f"--screenshot={shot}", "--window-size=1200,900", report.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1200, 900)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours and len(colours) > 50  # a rendered page, not a blank window


# ---- Faults made by editing a good PDF (for checks a chapter cannot break) ----


@pytest.fixture(scope="module")
def good_book(tmp_path_factory) -> Path:
    """A good two-chapter book with an illustration, both editions built."""
    root = tmp_path_factory.mktemp("good")
    chapters = {
        "01-yksi.md": chapter("Yksi", body("![[tiski]]")),
        "02-kaksi.md": chapter("Kaksi", body()),
    }
    config = illustrated(root, chapters=chapters)
    build(config, out_dir=root / "build", report=quiet)
    return config


def _drop_alt(pdf):
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        element = stack.pop()
        if isinstance(element, pikepdf.Array):
            stack.extend(element)
        elif isinstance(element, pikepdf.Dictionary):
            if element.get("/S") == "/Figure":
                del element["/Alt"]
                return
            if "/K" in element:
                stack.append(element.K)


def _untag_artifact(pdf):
    """A folio marked as content of a structure element that does not exist."""
    for page in pdf.pages:
        page.contents_coalesce()
        data = page.Contents.read_bytes()
        if b"/Artifact" in data:
            marked = re.sub(rb"/Artifact\s*<<[^>]*>>", b"/Span <</MCID 999>>", data, count=1)
            page.Contents = pdf.make_stream(marked)
            return


def _foreign_font(pdf):
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            font.BaseFont = pikepdf.Name("/ABCDEF+DejaVuSans")
            return


PDF_EDITS = {
    # case: (edition, edit, check that must fail)
    "trim-box-wrong": ("press", lambda pdf: setattr(pdf.pages[2].obj, "TrimBox", [0, 0, 100, 100]),
                       "page-boxes"),
    "page-count-off-binding": ("press", lambda pdf: pdf.pages.remove(pdf.pages[-1]), "page-count"),
    "font-not-the-books": ("press", _foreign_font, "fonts"),
    "untagged": ("screen", lambda pdf: pdf.Root.MarkInfo.__setitem__("/Marked", False), "tagged"),
    "language-wrong": ("screen", lambda pdf: setattr(pdf.Root, "Lang", "en"), "language"),
    "title-not-shown": (
        "screen",
        lambda pdf: pdf.Root.ViewerPreferences.__setitem__("/DisplayDocTitle", False),
        "title",
    ),
    "no-pdfua-identifier": ("screen", lambda pdf: pdf.Root.__delitem__("/Metadata"), "pdfua-id"),
    "running-head-not-artifact": ("screen", _untag_artifact, "artifacts"),
    "figure-without-alt": ("screen", _drop_alt, "figure-alt"),
    "link-without-description": (
        "screen",
        lambda pdf: next(
            a for p in pdf.pages for a in p.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"
        ).__delitem__("/Contents"),
        "link-descriptions",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(PDF_EDITS))
def test_check_fails_on_an_edited_pdf(good_book, tmp_path, case):
    edition, edit, check = PDF_EDITS[case]
    name = f"testikirja-{edition}.pdf"
    out = tmp_path / "build"
    out.mkdir()
    with pikepdf.open(good_book.parent / "build" / name) as pdf:
        edit(pdf)
        pdf.save(out / name)
    found = {r.name: r.status for r in run_preflight(good_book, out, [edition]).all_results()}
    assert found[check] == "fail", (case, found)


def test_the_unedited_book_passes(good_book):
    results = run_preflight(good_book, good_book.parent / "build").all_results()
    left = {r.name: r.status for r in results if r.status != "pass" and r.name not in MAKEUP}
    assert left == STAND_IN


def test_list_numbers_may_hang_in_the_margin(tmp_path):
    """'10.' before a list item sits in the margin by design: no type-area failure."""
    items = "\n".join(
        f"{i}. Kohta numero {i}, jossa on tekstiä koko rivin verran." for i in range(1, 15)
    )
    config = built_case(tmp_path, items + "\n\n" + PARAGRAPH + "\n\n" + items)
    assert statuses(config)["type-area"] == "pass"


def test_thumbnails_of_one_edition_leave_another_with_a_longer_name(tmp_path):
    """``handout`` page images are not ``handout-notes`` ones (both share the folder)."""
    from workbook.preflight.pageimages import thumbnails

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 300))
    pdf.add_blank_page(page_size=(200, 300))
    pdf.save(tmp_path / "a.pdf")
    folder = tmp_path / "preflight"
    notes = thumbnails(tmp_path / "a.pdf", folder, "handout-notes")
    plain = thumbnails(tmp_path / "a.pdf", folder, "handout")
    assert plain == ["handout-1.png", "handout-2.png"]
    assert notes == ["handout-notes-1.png", "handout-notes-2.png"]
    assert all((folder / name).exists() for name in notes)
