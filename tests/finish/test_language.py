"""Words marked {lang=…} get /Lang in the tag tree."""

from __future__ import annotations

from io import BytesIO

import pikepdf
import pytest
from weasyprint import HTML

from workbook.errors import WorkbookError
from workbook.finish.content import Texts
from workbook.finish.language import mark_languages
from workbook.markup.chapter import Foreign

BODY = (
    '<p style="width: 40mm">Kirjassa <span lang="en">This is Service Design Thinking</span>'
    ' ja lehdessä <em lang="sv">Biblioteksbladet</em>.</p>'
)


def tagged() -> pikepdf.Pdf:
    html = (
        '<html lang="fi"><head><title>t</title><style>@page { size: A6 }</style></head>'
        f"<body>{BODY}</body></html>"
    )
    return pikepdf.open(BytesIO(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")))


def languages(pdf: pikepdf.Pdf) -> list[tuple[str, str]]:
    return sorted(
        (str(o.S), str(o.Lang))
        for o in pdf.objects
        if isinstance(o, pikepdf.Dictionary) and "/Lang" in o and "/S" in o
    )


def test_marked_words_get_their_language_even_across_a_line_break():
    pdf = tagged()
    assert languages(pdf) == []  # WeasyPrint keeps lang for hyphenation only
    foreign = [
        Foreign("en", "This is Service Design Thinking", "span"),
        Foreign("sv", "Biblioteksbladet", "em"),
    ]
    assert mark_languages(pdf, Texts(pdf), foreign) == 2
    found = languages(pdf)
    assert ("/NonStruct", "sv") in found
    # the span is cut by line breaks: each of its pieces (one a line) is English
    assert found.count(("/Span", "en")) == 3


def test_words_that_are_not_in_the_tree_are_an_error():
    pdf = tagged()
    with pytest.raises(WorkbookError, match="no place for 'Library thinking'"):
        mark_languages(pdf, Texts(pdf), [Foreign("en", "Library thinking", "span")])
