"""The cover as the print house gets it: built with the press PDF, checked, and refused
on bad input with one line, a hint and no cover file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import FIXTURES, chapter, covered, invoke
from workbook.config.palette import load_palette
from workbook.config.publication import load_config
from workbook.cover.build import make_cover
from workbook.errors import WorkbookError
from workbook.html.book import DEFAULT_RESOURCES, STYLES_DIR
from workbook.html.colour import load_output_profile
from workbook.intake.illustrations import load_manifest
from workbook.pipeline.make import make
from workbook.preflight.cover import check_cover_file
from workbook.preflight.facts import read_facts

MM = 72 / 25.4
LONG = "\n\n".join(["Kappale, joka täyttää sivua ja kasvattaa kirjaa. " * 40] * 6)


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def job(tmp_path_factory) -> Path:
    """A small illustrated book with a cover, built and checked; its config path."""
    root = tmp_path_factory.mktemp("job")
    config = covered(root)
    make(config, out_dir=root / "build", report=quiet)
    return config


def out(config: Path) -> Path:
    return config.parent / "build"


def spine_of(cover: Path) -> float:
    trim = PdfReader(cover).pages[0].trimbox
    return float(trim.width) / MM - 2 * 170


def test_cover_spread_boxes(job):
    page = PdfReader(out(job) / "testikirja-cover.pdf").pages[0]
    pages = len(PdfReader(out(job) / "testikirja-press.pdf").pages)
    trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
    assert float(trim.width) / MM == pytest.approx(2 * 170 + pages / 2 * 0.12 + 0.5, abs=0.01)
    assert float(trim.height) / MM == pytest.approx(240, abs=0.01)
    assert float(trim.left - bleed.left) / MM == pytest.approx(3, abs=0.01)
    assert float(bleed.top - trim.top) / MM == pytest.approx(3, abs=0.01)
    assert [float(v) for v in media] == pytest.approx([float(v) for v in bleed])


def test_cover_passes_its_preflight_but_for_the_stand_in_profile(job):
    project = load_config(job)
    report = check_cover_file(
        out(job) / "testikirja-cover.pdf", project, out(job) / "testikirja-press.pdf"
    )
    found = {r.name: r.status for r in report.results}
    assert {n: s for n, s in found.items() if s != "pass"} == {"output-profile": "warn"}
    assert {"cover-boxes", "spine-width", "barcode", "fold-distance", "small-text"} <= set(found)


def test_front_back_and_no_spine_text_on_a_thin_book(job):
    cover = out(job) / "testikirja-cover.pdf"
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(cover), "-"], capture_output=True, text=True
        ).stdout.split()
    )
    for words in ("Testikirja", "Pieni julkaisu", "Testi Tekijä", "Testikirjasto", "toinen kohta"):
        assert words in text, words
    # A spine under cover.spine_text_min (6 mm) carries no text.
    page = read_facts(cover).pages[0]
    fold = page.trim[0] + 170 * MM
    assert not [w.text for w in page.words if w.rect[0] < fold + 1 and w.rect[2] > fold - 1]


def test_front_image_for_the_e_version(job):
    from PIL import Image

    with Image.open(out(job) / "testikirja-cover-front.jpg") as image:
        assert image.mode == "RGB"
        assert image.size[0] / image.size[1] == pytest.approx(170 / 240, abs=0.01)


def test_nothing_changed_nothing_rebuilt(job):
    again = make(job, out_dir=out(job), report=quiet)
    assert again.built == [] and again.preflight_skipped


def test_a_new_blurb_remakes_the_cover_alone_and_a_new_chapter_widens_the_spine(tmp_path):
    config = covered(tmp_path)
    build = tmp_path / "build"
    make(config, out_dir=build, report=quiet)
    (tmp_path / "takakansi.md").write_text("Uusi, lyhyt takakansiteksti.\n", encoding="utf-8")
    again = make(config, out_dir=build, report=quiet)
    assert again.built == ["cover"]  # the editions do not print the blurb
    assert "Uusi, lyhyt" in (build / "testikirja-cover.html").read_text(encoding="utf-8")

    before_pages = len(PdfReader(build / "testikirja-press.pdf").pages)
    before = spine_of(build / "testikirja-cover.pdf")
    (tmp_path / "chapters" / "02-lisaa.md").write_text(chapter("Lisäluku", LONG), "utf-8")
    again = make(config, out_dir=build, report=quiet)
    assert sorted(again.built) == ["cover", "press", "screen"]
    pages = len(PdfReader(build / "testikirja-press.pdf").pages)
    assert pages > before_pages
    after = spine_of(build / "testikirja-cover.pdf")
    assert after - before == pytest.approx((pages - before_pages) / 2 * 0.120, abs=0.01)
    spec = json.loads((build / "testikirja-spec.json").read_text(encoding="utf-8"))
    assert spec["pages"] == pages and spec["spine"]["width_mm"] == pytest.approx(after, abs=0.01)


def test_a_stale_cover_fails_the_spine_check(job, tmp_path):
    press = tmp_path / "longer-press.pdf"
    with pikepdf.open(out(job) / "testikirja-press.pdf") as pdf:
        pdf.pages.extend(list(pdf.pages))  # the inner block grew
        pdf.save(press)
    report = check_cover_file(out(job) / "testikirja-cover.pdf", load_config(job), press)
    spine = next(r for r in report.results if r.name == "spine-width")
    assert spine.status == "fail" and "stale" in spine.measured


def cover_for(config: Path, press: Path, target: Path):
    project = load_config(config)
    return make_cover(
        project,
        load_manifest(project),
        target=target,
        press=press,
        profile=load_output_profile(project),
        palette=load_palette(STYLES_DIR / "palette.toml"),
        resources=DEFAULT_RESOURCES,
        cache=target.parent / "cache",
    )


def test_a_blurb_that_overflows_the_back_names_its_file_and_line(job, tmp_path):
    config = covered(tmp_path, blurb="blurb-overflows")
    target = tmp_path / "build" / "testikirja-cover.pdf"
    with pytest.raises(WorkbookError) as caught:
        cover_for(config, out(job) / "testikirja-press.pdf", target)
    text = str(caught.value)
    assert "takakansi.md:" in text and "does not fit" in text and "(cover.blurb)" in text
    assert "hint:" in text
    assert not target.exists()


def test_a_spine_too_narrow_for_its_text(job, tmp_path):
    config = covered(tmp_path, config="cover-spine-too-narrow")
    target = tmp_path / "build" / "testikirja-cover.pdf"
    with pytest.raises(WorkbookError) as caught:
        cover_for(config, out(job) / "testikirja-press.pdf", target)
    text = str(caught.value)
    assert "publication.toml:" in text and "too narrow for its text" in text
    assert "cover.spine_text_min" in text
    assert not target.exists()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("cover-missing-caliper", "missing 'print.caliper'"),
        ("cover-illustration-missing", "'ei-kuvaa' (cover.illustration) is not in"),
        ("cover-illustration-too-small", "cover illustration 'tiski' (tiski.png, 800 x 600 px)"),
        ("cover-isbn-check-digit", "check digit 8; its first 12 digits give 9"),
    ],
)
def test_bad_cover_input_stops_the_build_before_rendering(tmp_path, case, expected):
    config = covered(tmp_path, config=case)
    with pytest.raises(WorkbookError) as caught:
        make(config, out_dir=tmp_path / "build", report=quiet)
    text = str(caught.value)
    assert expected in text and "publication.toml:" in text and "hint:" in text
    assert not (tmp_path / "build" / "testikirja-cover.pdf").exists()
    assert not (tmp_path / "build" / "testikirja-press.pdf").exists()  # nothing rendered


def test_the_editor_sees_one_line_and_a_non_zero_exit(tmp_path):
    config = covered(tmp_path, config="cover-missing-caliper")
    result = invoke("build", "--config", str(config), "--out", str(tmp_path / "build"))
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0 and len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "print.caliper" in lines[0]


def test_fixtures_exist_for_each_bad_input():
    for name in ("cover-missing-caliper", "cover-spine-too-narrow", "cover-illustration-missing",
                 "cover-illustration-too-small", "cover-isbn-check-digit"):  # fmt: skip
        assert (FIXTURES / "config" / f"{name}.toml").exists()
    assert (FIXTURES / "cover" / "blurb-overflows.md").exists()


def test_spec_sheet_says_what_is_printed(job):
    from workbook.cover.spec import sha256

    build = out(job)
    spec = json.loads((build / "testikirja-spec.json").read_text(encoding="utf-8"))
    pages = len(PdfReader(build / "testikirja-press.pdf").pages)
    assert spec["pages"] == pages and spec["binding"] == "perfect-bound"
    assert spec["isbn"] == {"print": "978-952-7399-01-9", "pdf": "978-952-7399-02-6"}
    assert spec["spine"]["caliper_um"] == 120 and spec["spine"]["cover_allowance_mm"] == 0.5
    assert spec["spine"]["width_mm"] == pytest.approx(pages / 2 * 0.12 + 0.5, abs=0.001)
    assert spec["output_condition"]["stand_in"] is True
    assert spec["quantity"] is None and spec["delivery"] is None
    files = {f["role"]: f for f in spec["files"]}
    assert set(files) == {"press", "cover", "screen"}
    for role, entry in files.items():
        path = build / entry["file"]
        assert entry["sha256"] == sha256(path) and entry["bytes"] == path.stat().st_size, role
    assert files["press"]["preflight"]["fail"] == 0
    assert {n["check"] for n in files["cover"]["preflight"]["notes"]} == {"output-profile"}
    html = (build / "testikirja-spec.html").read_text(encoding="utf-8")
    assert '<html lang="fi">' in html
    for label in ("Selän leveys", "Selän laskukaava", "Painotalo", "Leikkuuvara", "sha256"):
        assert label in html, label
    assert "yleinen korvaava profiili" in html and "Painosmäärä" not in html
    text = subprocess.run(
        ["pdftotext", str(build / "testikirja-spec.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "Painotyön tiedot" in text and spec["spine"]["formula"] in " ".join(text.split())


def test_spec_sheet_is_not_written_again_unchanged(job):
    from workbook.cover.spec import write_spec_sheet

    assert write_spec_sheet(job, out(job), quiet) is False


def test_the_preflight_report_lists_the_cover_and_the_spec_sheet(job):
    report = (out(job) / "preflight" / "report.html").read_text(encoding="utf-8")
    assert '<h2 id="cover">cover: testikirja-cover.pdf (1 page)</h2>' in report
    assert 'src="cover-1.png"' in report and (out(job) / "preflight" / "cover-1.png").exists()
    assert report.count('<h2 id="spec">') == 1  # listed once, however often it is written
    assert 'href="../testikirja-spec.pdf"' in report and 'src="spec-1.png"' in report
    assert (out(job) / "preflight" / "spec-1.png").exists()


def test_strict_mode_fails_on_the_spine_warning(job, tmp_path):
    project = load_config(job)
    target = tmp_path / "testikirja-cover.pdf"
    with pytest.raises(WorkbookError, match=r"strict mode: spine .* no text on the spine"):
        make_cover(
            project,
            load_manifest(project),
            target=target,
            press=out(job) / "testikirja-press.pdf",
            profile=load_output_profile(project),
            palette=load_palette(STYLES_DIR / "palette.toml"),
            resources=DEFAULT_RESOURCES,
            cache=tmp_path / "cache",
            strict=True,
        )
    assert not target.exists()
