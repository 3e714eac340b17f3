"""The book model: a chapter converted once is not converted again for the same input."""

from __future__ import annotations

from conftest import chapter, make_publication
from workbook import model
from workbook.pipeline.build import load_book

EXERCISE = "::: tehtävä {title}\n::: rivit 2\n:::\n:::"


def test_a_watcher_converts_only_the_chapters_whose_input_changed(tmp_path, monkeypatch):
    chapters = {
        "01-a.md": chapter("A", "Ensin.\n\n" + EXERCISE.format(title="Ensimmäinen")),
        "02-b.md": chapter("B", "Sitten.\n\n" + EXERCISE.format(title="Toinen")),
    }
    config = make_publication(tmp_path, chapters)
    converted: list[str] = []
    convert = model.convert

    def counting(body, **options):
        converted.append(options["id_prefix"])
        return convert(body, **options)

    monkeypatch.setattr(model, "convert", counting)
    monkeypatch.setattr(model, "_KEPT", {})
    monkeypatch.setattr(model, "_keeping", True)  # as in the chapter preview
    first = load_book(config)
    assert [e.label for e in first.exercises] == ["Tehtävä 1", "Tehtävä 2"]
    again = load_book(config)
    assert converted == ["a", "b"]  # nothing changed: nothing converted again
    assert [c.html for c in again.chapters] == [c.html for c in first.chapters]
    # Chapter a loses its exercise: b's exercise is now number 1, so b is converted too.
    (tmp_path / "chapters" / "01-a.md").write_text(chapter("A", "Ensin."), encoding="utf-8")
    edited = load_book(config)
    assert converted == ["a", "b", "a", "b"]
    assert [e.label for e in edited.exercises] == ["Tehtävä 1"]
    # Chapter a changes again, b's input does not: only a is converted.
    (tmp_path / "chapters" / "01-a.md").write_text(chapter("A", "Ensin taas."), encoding="utf-8")
    load_book(config)
    assert converted == ["a", "b", "a", "b", "a"]


def test_a_build_keeps_no_conversions(tmp_path, monkeypatch):
    config = make_publication(tmp_path, {"01-a.md": chapter("A", "Teksti.")})
    monkeypatch.setattr(model, "_KEPT", {})
    load_book(config)
    assert model._KEPT == {}
    with model.kept_conversions():
        load_book(config)
    assert len(model._KEPT) == 1 and not model._keeping
