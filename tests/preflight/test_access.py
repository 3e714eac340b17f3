"""What a screen reader, a keyboard and search meet: each rule fails on a good
e-version edited to break it, naming what is wrong and the page; the independent
validator (page-validation) fails with its rule id, message and page.

The good book is tests/fixtures/chapters/accessible-book.md: contents links, a
table with header cells, an exercise with check boxes, radio buttons and a text
field, hyphenated words, a footnote and English words marked {lang=en}.
"""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from conftest import FIXTURES, make_publication
from workbook.pipeline.build import build
from workbook.preflight import check_publication, run_preflight
from workbook.preflight.report import console_lines

EDITION = "testikirja-screen.pdf"


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def accessible_book(tmp_path_factory) -> Path:
    """The good book's e-version, built with its checks on (so it passed them)."""
    root = tmp_path_factory.mktemp("accessible")
    chapters = {"01-saavutettava.md": FIXTURES / "chapters" / "accessible-book.md"}
    config = make_publication(root, chapters)
    build(config, out_dir=root / "build", editions=["screen"], report=quiet)
    return config


def _elements(pdf: pikepdf.Pdf):
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        element = stack.pop()
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []
        for kid in reversed(kids):
            if isinstance(kid, Dictionary) and "/S" in kid:
                yield kid
                stack.append(kid)


def _first(pdf: pikepdf.Pdf, tag: str) -> Dictionary:
    return next(e for e in _elements(pdf) if e.get("/S") == Name(tag))


def _page(pdf: pikepdf.Pdf, element: Dictionary) -> int:
    numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
    return numbers[element.Pg.objgen]


def _nest_a_link(pdf: pikepdf.Pdf) -> int:
    """The first link's text moved into a second Link element inside it."""
    link = _first(pdf, "/Link")
    inner = pdf.make_indirect(
        Dictionary(
            Type=Name.StructElem,
            S=Name.Link,
            P=link,
            Pg=link.Pg,
            K=Array([k for k in link.K if isinstance(k, int)]),
        )
    )
    link.K = Array([*(k for k in link.K if not isinstance(k, int)), inner])
    return _page(pdf, link)


def _link_in_a_span(pdf: pikepdf.Pdf) -> int:
    link = _first(pdf, "/Link")
    link.S = Name.Span
    return _page(pdf, link)


def _drop_the_id_tree(pdf: pikepdf.Pdf) -> int:
    del pdf.Root.StructTreeRoot["/IDTree"]
    return _page(pdf, next(e for e in _elements(pdf) if "/ID" in e))


def _double_a_heading(pdf: pikepdf.Pdf) -> int:
    """The exercise's heading made to hold a second H3, as an anonymous block did."""
    heading = _first(pdf, "/H3")
    inner = pdf.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.H3, P=heading, Pg=heading.Pg, K=heading.K)
    )
    heading.K = Array([inner])
    return _page(pdf, heading)


def _button_without_off_state(pdf: pikepdf.Pdf) -> int:
    for number, page in enumerate(pdf.pages, start=1):
        for widget in page.obj.get("/Annots", []):
            field = widget if "/FT" in widget else widget.get("/Parent", widget)
            if field.get("/FT") == Name.Btn:
                del widget.AP.N["/Off"]
                return number
    raise AssertionError("no button in the book")


def _break_the_words(pdf: pikepdf.Pdf) -> int:
    """The /ActualText marks taken out of the first page where one reads a broken
    word whole (the others give a page number or footnote call its space)."""
    for number, page in enumerate(pdf.pages, start=1):
        instructions = pikepdf.parse_content_stream(page)
        if not any(
            str(op) == "BDC" and str(operands[1].get("/ActualText", " ")).isalpha()
            for operands, op in instructions
        ):
            continue
        kept, stack = [], []
        for operands, operator in instructions:
            op = str(operator)
            if op in ("BDC", "BMC"):
                actual = op == "BDC" and "/ActualText" in operands[1]
                stack.append(actual)
                if actual:
                    continue
            elif op == "EMC" and stack and stack.pop():
                continue
            kept.append((operands, operator))
        if len(kept) < len(instructions):
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
            return number
    raise AssertionError("no /ActualText in the book")


EDITS = {
    # case: (edit returning the page it broke, the check that must fail, its message)
    "nested-link": (_nest_a_link, "nested-links", "inside another Link"),
    "link-in-a-span": (_link_in_a_span, "link-tags", "is in a Span element, not a Link"),
    "missing-id-tree": (_drop_the_id_tree, "id-tree", "the StructTreeRoot has no /IDTree"),
    "doubled-heading": (_double_a_heading, "nested-headings", "H3 inside H3"),
    "button-without-off-state": (
        _button_without_off_state,
        "field-appearances",
        "has no Off appearance",
    ),
    "broken-word": (_break_the_words, "whole-words", "is broken at the line end"),
}


def _edited(accessible_book: Path, tmp_path: Path, edit) -> tuple[Path, int]:
    out = tmp_path / "build"
    out.mkdir()
    with pikepdf.open(accessible_book.parent / "build" / EDITION) as pdf:
        page = edit(pdf)
        pdf.save(out / EDITION)
    return out, page


def test_the_good_book_passes_every_rule_and_the_validator(accessible_book):
    preflight = run_preflight(accessible_book, accessible_book.parent / "build", ["screen"])
    results = {r.name: r for r in preflight.all_results()}
    assert {name for name, r in results.items() if r.status == "fail"} == set()
    access = {check for _, check, _ in EDITS.values()} | {"pdfua-validator", "pdfua-id"}
    assert access <= set(results)
    assert {name for name in access if results[name].status != "pass"} == set()
    assert results["pdfua-validator"].measured.startswith("page-validation ")
    assert ", 0 failed" in results["pdfua-validator"].measured


@pytest.mark.parametrize("case", list(EDITS))
def test_rule_fails_with_its_message_and_page(accessible_book, tmp_path, case):
    edit, check, message = EDITS[case]
    out, page = _edited(accessible_book, tmp_path, edit)
    results = {r.name: r for r in run_preflight(accessible_book, out, ["screen"]).all_results()}
    found = results[check]
    assert found.status == "fail", (case, found)
    assert message in found.measured, found.measured
    assert page in found.pages, (page, found.pages)
    assert found.details and found.details[0].startswith(f"p. {page}: "), found.details
    assert message in found.details[0]


def test_validator_failures_are_listed_with_rule_page_and_message(accessible_book, tmp_path):
    out, page = _edited(accessible_book, tmp_path, _link_in_a_span)
    with pytest.raises(Exception, match="failed check 'link-tags'"):
        check_publication(accessible_book, out, ["screen"], report=quiet)
    preflight = run_preflight(accessible_book, out, ["screen"])
    found = next(r for r in preflight.all_results() if r.name == "pdfua-validator")
    assert found.status == "fail"
    assert f"p. {page}: PDFUA1-LINK-LINK-TAG-001: " in found.details[0]
    assert "not nested within a Link structure element" in found.details[0]
    assert page in found.pages
    lines = console_lines(preflight)
    at = next(i for i, line in enumerate(lines) if "FAIL pdfua-validator" in line)
    assert lines[at + 1].strip() == "- " + found.details[0]
    data = json.loads((out / "preflight" / "report.json").read_text())
    checks = {c["name"]: c for c in data["editions"][0]["checks"]}
    assert checks["pdfua-validator"]["details"] == list(found.details)
    assert "pdfua-validator" in data["failed"]
    html = (out / "preflight" / "report.html").read_text()
    assert "PDFUA1-LINK-LINK-TAG-001" in html and '<ul class="details">' in html


def test_a_validator_that_cannot_read_the_file_fails_the_check():
    from workbook.preflight.access import check_pdfua_validator

    found = check_pdfua_validator(b"%PDF-1.7\nnot really a PDF")
    assert found.status == "fail" and "could not judge the file" in found.measured
