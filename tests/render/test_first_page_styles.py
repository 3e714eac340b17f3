"""Which styles a chapter laid out alone would misread: `@page :first` rules."""

from __future__ import annotations

from workbook.render.chapters import chapters_document, styles_first_page


def page(head: str) -> str:
    return f"<html><head>{head}</head><body><p>Teksti.</p></body></html>"


def linked(path) -> str:
    return f'<link rel="stylesheet" href="{path.as_uri()}">'


def test_styles_without_first_page_rules():
    assert not styles_first_page(page("<style>@page { margin: 10mm } @page :left {}</style>"))
    assert not styles_first_page(page("<style>p:first-child { color: red }</style>"))


def test_a_first_page_rule_inline_or_in_a_media_block():
    assert styles_first_page(page("<style>@page :first { margin-top: 30mm }</style>"))
    assert styles_first_page(page("<style>@media print { @page :FIRST { margin: 0 } }</style>"))
    assert styles_first_page(page("<style>@page luku:first { margin: 0 }</style>"))


def test_a_first_page_rule_in_a_linked_or_imported_stylesheet(tmp_path):
    (tmp_path / "inner.css").write_text("@page :first { @top-center { content: none } }")
    (tmp_path / "outer.css").write_text('@import "inner.css";\np { margin: 0 }')
    (tmp_path / "plain.css").write_text("@page { margin: 10mm }")
    assert styles_first_page(page(linked(tmp_path / "outer.css")))
    assert not styles_first_page(page(linked(tmp_path / "plain.css")))
    assert not styles_first_page(page(linked(tmp_path / "missing.css")))


def test_a_rule_in_a_comment_or_in_the_body_does_not_count():
    assert not styles_first_page(page("<style>/* @page :first { margin: 0 } */</style>"))
    body = "<html><head></head><body><style>@page :first {}</style></body></html>"
    assert not styles_first_page(body)


def test_it_reads_the_editions_html_not_a_chapter_document():
    # A chapter document sets its page counter with a rule of its own for `:first`.
    html = page("").replace("<p>Teksti.</p>", '<section class="chapter" id="a"></section>')
    assert not styles_first_page(html)
    assert styles_first_page(chapters_document(html, ["a"], 5))
