"""Golden outputs: the HTML the pipeline makes for fixed inputs.

A deliberate change to markup, templates or typography changes these files:
regenerate them with ``invoke golden`` and review the diff like code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, make_publication
from workbook.config.editions import VARIANTS
from workbook.config.palette import load_palette
from workbook.html.book import DEFAULT_RESOURCES, render_html
from workbook.intake.chapters import read_chapter
from workbook.markup.chapter import convert
from workbook.markup.hyphenation import hyphenator_for
from workbook.pipeline.build import load_book

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path.name} missing: run invoke golden"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs: run invoke golden"


@pytest.fixture
def update(request) -> bool:
    return request.config.getoption("--update-golden")


def test_all_features_chapter_html(update):
    source = read_chapter(FIXTURES / "chapters" / "all-features.md")
    markup = convert(source.body, id_prefix="ominaisuudet", hyphenator=hyphenator_for("fi"))
    check_golden("all-features.html", markup.html.replace("\u00ad", "&shy;"), update)


@pytest.mark.parametrize("edition", ["press", "screen"])
def test_book_html(edition, update, tmp_path):
    config = make_publication(tmp_path, {"01-kaikki.md": FIXTURES / "chapters" / "all-features.md"})
    book = load_book(config)
    palette = load_palette(DEFAULT_RESOURCES.styles / "palette.toml")
    html = render_html(book, VARIANTS[edition], palette, DEFAULT_RESOURCES)
    html = html.replace(REPO.as_uri(), "REPO").replace("\u00ad", "&shy;")
    check_golden(f"book-{edition}.html", html, update)
