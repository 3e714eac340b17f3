"""Building tiny publications: errors stop the build before any PDF; writes are atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, chapter, make_publication, trusted_html
from workbook.errors import WorkbookError
from workbook.pipeline.build import build, load_book


def quiet(_: str) -> None:
    pass


def build_error(tmp_path: Path, chapters: dict) -> str:
    config = make_publication(tmp_path, chapters)
    with pytest.raises(WorkbookError) as info:
        build(config, out_dir=tmp_path / "build", report=quiet)
    text = str(info.value)
    assert "\n" not in text
    assert not list((tmp_path / "build").glob("*.pdf")) if (tmp_path / "build").exists() else True
    return text


def test_link_to_missing_heading_names_file_and_line(tmp_path, fixture_chapter):
    text = build_error(tmp_path, {"01-luku.md": fixture_chapter("link-to-missing-heading")})
    assert "01-luku.md:7: link to '#ei-ole', which is no heading in the book" in text


def test_markdown_link_to_missing_heading(tmp_path, fixture_chapter):
    text = build_error(
        tmp_path, {"01-luku.md": fixture_chapter("markdown-link-to-missing-heading")}
    )
    assert "01-luku.md:5: link to '#olematon'" in text


def test_a_lang_that_is_no_language_code_names_file_and_line(tmp_path, fixture_chapter):
    text = build_error(tmp_path, {"01-luku.md": fixture_chapter("lang-not-a-language")})
    assert "01-luku.md:6: 'englanti' is not a language tag" in text
    assert "{lang=en}" in text  # the hint


def test_near_miss_link_gets_suggestion(tmp_path):
    text = build_error(
        tmp_path,
        {
            "01-a.md": chapter("A", "## Kyselyn tulokset {#tulokset}\n\nTeksti."),
            "02-b.md": chapter("B", "Katso [[#tulokse]]."),
        },
    )
    assert "did you mean '#tulokset'?" in text


def test_duplicate_heading_id(tmp_path):
    text = build_error(
        tmp_path,
        {
            "01-a.md": chapter("A", "## Yksi {#sama}\n\nx"),
            "02-b.md": chapter("B", "## Kaksi {#sama}\n\ny"),
        },
    )
    assert "02-b.md" in text and "id 'sama' is used twice (also in 01-a.md)" in text


def test_glyph_missing_from_book_fonts(tmp_path, fixture_chapter):
    text = build_error(tmp_path, {"01-luku.md": fixture_chapter("glyph-not-in-font")})
    assert "01-luku.md:7: character '中' (U+4E2D" in text
    assert "is not in the book's font" in text


def test_file_outside_publication_is_refused(tmp_path, fixture_chapter):
    text = build_error(tmp_path, {"01-luku.md": fixture_chapter("file-url-outside")})
    assert "01-luku.md:7: refused to read file:///etc/passwd" in text


def test_network_is_refused(tmp_path, fixture_chapter):
    text = build_error(tmp_path, {"01-luku.md": fixture_chapter("network-image")})
    assert "01-luku.md:7: refused to read http://example.invalid/kuva.png" in text
    assert "network access is not allowed" in text


def test_missing_image_names_chapter_line(tmp_path):
    body = "Teksti.\n\n![kuva](kuvat/puuttuu.png)\n"
    text = build_error(tmp_path, {"01-luku.md": chapter("Luku", body)})
    assert "01-luku.md:7:" in text and "puuttuu.png" in text


def test_rel_attachment_is_refused(tmp_path, fixture_chapter):
    """The raw HTML allowlist refuses it before rendering; the renderer's own guard
    (render.sandbox.find_attachment) is the second line."""
    text = build_error(tmp_path, {"01-luku.md": fixture_chapter("rel-attachment")})
    assert "01-luku.md:7: attribute 'rel' of <a> is not allowed" in text
    with trusted_html():
        text = build_error(tmp_path, {"01-luku.md": fixture_chapter("rel-attachment")})
    assert "would embed a file in the PDF" in text


def test_load_book_validates_everything_without_rendering(tmp_path):
    config = make_publication(
        tmp_path, {"01-a.md": chapter("A", "Teksti."), "02-b.md": chapter("B", "[[#a]]")}
    )
    book = load_book(config)
    assert [c.id for c in book.chapters] == ["a", "b"]
    assert [c.number for c in book.chapters] == [1, 2]
    assert not (tmp_path / "build").exists()


def test_failed_build_keeps_previous_good_file(tmp_path):
    config = make_publication(tmp_path, {"01-a.md": chapter("A", "Hyvä teksti.")})
    out = tmp_path / "build"
    build(config, out_dir=out, editions=["screen"], report=quiet)
    good = (out / "testikirja-screen.pdf").read_bytes()
    (tmp_path / "chapters" / "01-a.md").write_text(chapter("A", "![x](file:///etc/passwd)"))
    with pytest.raises(WorkbookError) as info:
        build(config, out_dir=out, editions=["screen"], report=quiet)
    assert "the previous file is kept" in str(info.value)
    assert (out / "testikirja-screen.pdf").read_bytes() == good
    assert not list(out.glob("*.part"))


def test_unknown_edition(tmp_path):
    config = make_publication(tmp_path, {"01-a.md": chapter("A", "x")})
    with pytest.raises(WorkbookError, match="unknown edition 'ebook'"):
        build(config, out_dir=tmp_path / "build", editions=["ebook"], report=quiet)


def test_write_atomic_replaces_whole_file_with_normal_permissions(tmp_path):
    import os

    from workbook.render.pdf import write_atomic

    target = tmp_path / "out" / "book.pdf"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert list(target.parent.iterdir()) == [target]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_strict_mode_fails_on_weasyprint_warning(tmp_path):
    body = '<p style="colour: red">Väärin kirjoitettu ominaisuus.</p>'
    config = make_publication(tmp_path, {"01-a.md": chapter("A", body)})
    with trusted_html():  # a style attribute: the raw HTML allowlist would refuse it
        result = build(config, out_dir=tmp_path / "lax", editions=["screen"], report=quiet)
        assert any("colour" in w for w in result.editions[0].warnings)
        with pytest.raises(WorkbookError, match="strict mode"):
            build(
                config, out_dir=tmp_path / "strict", editions=["screen"], strict=True, report=quiet
            )
    assert not (tmp_path / "strict" / "testikirja-screen.pdf").exists()


def test_glyph_missing_in_title_names_front_matter_line(tmp_path):
    text = build_error(tmp_path, {"01-a.md": chapter("Otsikko \u4e2d", "Teksti.")})
    assert "01-a.md:2: character '中'" in text


def test_each_edition_renders_in_a_process_of_its_own(tmp_path, monkeypatch):
    """With workers, even one edition is built in a forked process that ends with it
    (which may freeze its heap: see pipeline.edition.build_edition); the caller's heap
    is untouched."""
    import gc
    import os

    from workbook.pipeline import edition

    seen: list[tuple[int, bool]] = []
    real = edition.build_edition

    def spy(job, settings):
        result = real(job, settings)
        seen.append((os.getpid(), gc.get_freeze_count() > 0))
        result.warnings.append(f"pid {os.getpid()} frozen {gc.get_freeze_count() > 0}")
        return result

    monkeypatch.setattr(edition, "build_edition", spy)
    config = make_publication(tmp_path, {"01-a.md": chapter("Luku", "Tekstiä.")})
    result = build(config, out_dir=tmp_path / "build", editions=["screen"], workers=2)
    (note,) = [w for w in result.editions[0].warnings if w.startswith("pid ")]
    assert note != f"pid {os.getpid()} frozen True" and note.endswith("frozen True")
    assert not seen  # the spy ran in the child, not here
    assert gc.get_freeze_count() == 0


def test_an_empty_printer_stops_the_press_edition_but_not_the_e_version(tmp_path):
    config = make_publication(tmp_path, {"01-a.md": chapter("A", "Teksti.")}, "printer-empty")
    with pytest.raises(WorkbookError, match=r"'publication\.printer' is empty"):
        build(config, out_dir=tmp_path / "build", editions=["press"], report=quiet)
    assert not (tmp_path / "build" / "testikirja-press.pdf").exists()
    build(config, out_dir=tmp_path / "build", editions=["screen"], report=quiet)
    assert (tmp_path / "build" / "testikirja-screen.pdf").exists()


def test_strict_mode_passes_a_warning_the_publication_accepts_with_its_reason(tmp_path):
    # The press edition warns that its output intent is the bundled stand-in.
    text = (REPO / "tests/fixtures/config/valid.toml").read_text(encoding="utf-8")
    config = make_publication(tmp_path, {"01-a.md": chapter("A", "Teksti.")}, text)
    with pytest.raises(WorkbookError, match="output-profile"):
        build(config, out_dir=tmp_path / "a", editions=["press"], strict=True, report=quiet)
    reason = "Painotalon profiili tulee ennen painoa."
    config.write_text(
        text + f'\n[preflight]\naccept = {{ output-profile = "{reason}" }}\n', encoding="utf-8"
    )
    result = build(config, out_dir=tmp_path / "b", editions=["press"], strict=True, report=quiet)
    (check,) = [c for c in result.editions[0].checks if c.name == "output-profile"]
    assert check.status == "warn" and check.accepted == reason
