"""The benchmark's generated stress publication is a valid book of about 300 pages."""

from __future__ import annotations

from workbook.devtools.stress import make_stress
from workbook.pipeline.loading import estimated_pages, load_book


def test_the_stress_book_loads_and_is_long(tmp_path):
    config = make_stress(tmp_path / "stressi")
    book = load_book(config)  # every check before rendering passes
    assert book.project.config.publication.slug == "stressi"
    assert len(book.manifest.items) >= 40
    assert estimated_pages(book) >= 200
    assert book.project.allowed == (config.parent.resolve(),)  # nothing from outside
