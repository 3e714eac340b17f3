"""Chapter files: front matter validation and book order."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import chapter, make_publication
from workbook.config.publication import load_config
from workbook.errors import WorkbookError
from workbook.intake.chapters import load_chapters, read_chapter


def error_of(path: Path) -> str:
    with pytest.raises(WorkbookError) as info:
        read_chapter(path)
    text = str(info.value)
    assert "\n" not in text and path.name in text
    return text


def test_front_matter_and_body_line(tmp_path: Path):
    path = tmp_path / "03-asiakkaat.md"
    path.write_text(chapter("Mitä asiakkaat kertoivat", "Teksti.", short_title="Asiakkaat"))
    source = read_chapter(path)
    assert source.meta.title == "Mitä asiakkaat kertoivat"
    assert source.meta.running_head == "Asiakkaat"
    assert source.slug == "asiakkaat"
    assert source.body_line == 5
    assert source.line_of("Teksti") == 6


def test_missing_front_matter(fixture_chapter):
    text = error_of(fixture_chapter("missing-front-matter"))
    assert "missing-front-matter.md:1: front matter missing" in text
    assert "hint:" in text


def test_malformed_front_matter_names_line(fixture_chapter):
    text = error_of(fixture_chapter("malformed-front-matter"))
    assert "malformed front matter" in text
    assert "malformed-front-matter.md:3:" in text


def test_unknown_front_matter_key(fixture_chapter):
    text = error_of(fixture_chapter("unknown-front-matter-key"))
    assert "unknown-front-matter-key.md:3: unknown front matter key 'subtitle'" in text
    assert "short_title" in text


def test_missing_title(fixture_chapter):
    assert "front matter lacks 'title'" in error_of(fixture_chapter("missing-title"))


def test_unclosed_front_matter(fixture_chapter):
    assert "front matter is not closed" in error_of(fixture_chapter("unclosed-front-matter"))


def test_windows_1252_file_is_rejected_with_hint(fixture_chapter):
    text = error_of(fixture_chapter("windows-1252"))
    assert "windows-1252.md:5: chapter is not UTF-8 text" in text
    assert "UTF-8" in text


def test_file_name_order_and_front_matter_order(tmp_path: Path):
    config = make_publication(
        tmp_path,
        {
            "01-a.md": chapter("A", "a"),
            "02-b.md": chapter("B", "b"),
            "zz-first.md": chapter("First", "f", order="0"),
        },
    )
    titles = [c.meta.title for c in load_chapters(load_config(config))]
    assert titles == ["First", "A", "B"]


def test_config_order_wins_and_missing_chapter_is_named(tmp_path: Path):
    config = make_publication(
        tmp_path, {"01-olemassa.md": chapter("Olemassa", "x")}, config="missing-chapter-file"
    )
    with pytest.raises(WorkbookError) as info:
        load_chapters(load_config(config))
    text = str(info.value)
    assert "publication.toml" in text
    assert "chapter '02-puuttuu.md' listed in the config does not exist" in text
