"""Page words for the preflight: kept by page content, so a rebuild reads only changed pages.

Work is counted (the pages pdftotext is asked to read), never timed.
"""

from __future__ import annotations

import pytest

from conftest import one_page_each, spy_on_commands
from workbook.preflight import words
from workbook.preflight.facts import read_facts

book = one_page_each


@pytest.fixture
def read(monkeypatch) -> list[list[str]]:
    """The page selections pdftotext was run with (one list per run; [] is every page)."""

    def pages(command: list[str]) -> list[str]:
        return [part for part in command[1:-2] if part not in ("-bbox", "-enc", "UTF-8")]

    return spy_on_commands(monkeypatch, words, "pdftotext", pages)


def page_words(facts) -> list[list[tuple[str, tuple[float, ...]]]]:
    return [[(w.text, w.rect) for w in page.words] for page in facts.pages]


PAGES = ["Yksi kaksi", "Kaksi kolme", "Kolme neljä", "Neljä yksi"]


def test_a_rebuild_reads_only_the_pages_that_changed(tmp_path, read):
    pdf, cache = tmp_path / "a.pdf", tmp_path / "state" / "a.words.json"
    book(pdf, PAGES)
    first = read_facts(pdf, cache)
    assert read == [[]]  # every page, no cache yet
    assert [page.text for page in first.pages] == PAGES

    read.clear()
    book(pdf, PAGES)  # the same book again
    assert page_words(read_facts(pdf, cache)) == page_words(first)
    assert read == []

    changed = [PAGES[0], "Kolme kaksi", *PAGES[2:]]  # no letter the fonts lack
    book(pdf, changed)
    again = read_facts(pdf, cache)
    assert read == [["-f", "2", "-l", "2"]]
    assert [page.text for page in again.pages] == changed
    assert page_words(again) == page_words(read_facts(pdf))  # as a reading without cache


def test_new_letters_change_the_text_maps_and_every_page_is_read(tmp_path, read):
    pdf, cache = tmp_path / "a.pdf", tmp_path / "a.words.json"
    book(pdf, PAGES)
    read_facts(pdf, cache)
    read.clear()
    book(pdf, [*PAGES[:3], "Neljä yksi ja åäö"])
    facts = read_facts(pdf, cache)
    assert read == [["-f", "1", "-l", "4"]]
    assert facts.pages[3].text == "Neljä yksi ja åäö"


def test_pages_put_in_from_another_render_are_the_only_ones_read(tmp_path, read):
    from workbook.render.splice import splice_pdf

    pdf, cache = tmp_path / "a.pdf", tmp_path / "a.words.json"
    book(pdf, PAGES)
    read_facts(pdf, cache)
    read.clear()
    part = tmp_path / "part.pdf"
    book(part, ["Kolme kaksi ja åäö"])  # its own fonts, with letters the book's lack
    pdf.write_bytes(splice_pdf(pdf.read_bytes(), [(2, 1, part.read_bytes())]))
    facts = read_facts(pdf, cache)
    assert read == [["-f", "2", "-l", "2"]]
    assert [page.text for page in facts.pages] == [PAGES[0], "Kolme kaksi ja åäö", *PAGES[2:]]


def test_a_damaged_cache_is_ignored(tmp_path, read):
    pdf, cache = tmp_path / "a.pdf", tmp_path / "a.words.json"
    book(pdf, PAGES)
    cache.write_text("{not json", encoding="utf-8")
    facts = read_facts(pdf, cache)
    assert read == [[]]
    assert [page.text for page in facts.pages] == PAGES
    read.clear()
    read_facts(pdf, cache)  # written anew
    assert read == []


def test_facts_cross_processes(tmp_path):
    """The build sends each edition's facts from its process to the parent."""
    import pickle

    pdf = tmp_path / "a.pdf"
    book(pdf, PAGES)
    facts = read_facts(pdf)
    assert page_words(pickle.loads(pickle.dumps(facts))) == page_words(facts)


def test_a_page_cache_is_read_back_only_by_its_version_and_python(tmp_path, monkeypatch):
    import sys

    from workbook.pipeline import freshness

    cache = tmp_path / "state" / "a.words.marshal"
    pages = {"avain": [["Kirjasto", 1.0, 2.0, 3.0, 4.0]]}
    freshness.write_page_cache(cache, 2, pages)
    assert freshness.read_page_cache(cache, 2) == pages
    assert freshness.read_page_cache(cache, 3) == {}  # another version of the reading
    monkeypatch.setattr(sys, "version_info", (3, 99, 0))
    assert freshness.read_page_cache(cache, 2) == {}  # another Python's marshal
    monkeypatch.undo()
    for broken in (b"", b"\x00rikki", b"{not json"):
        cache.write_bytes(broken)
        assert freshness.read_page_cache(cache, 2) == {}
    assert freshness.read_page_cache(tmp_path / "ei-ole", 2) == {}
