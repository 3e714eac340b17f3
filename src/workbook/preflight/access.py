"""Checks of what a screen reader, a keyboard and a search meet in the e-version.

A second opinion first: ``page-validation``, an independent PDF/UA-1 validator
tested against the veraPDF corpus, judges the whole file. Then the project's own
rules, each naming the page of every problem: link annotations in ``Link``
elements and never one Link inside another, an ``/IDTree`` for every element
ID, one heading per heading (no heading inside another), and no word broken at
a line end for search and speech.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, NumberTree

from workbook.finish.structtree import all_elements, children
from workbook.preflight.checks import CheckResult
from workbook.preflight.facts import PdfFacts
from workbook.preflight.layout import result
from workbook.preflight.pdfcontent import painted

HEADINGS = frozenset(f"/H{n}" for n in range(1, 7)) | {"/H"}
_PAGE_RE = re.compile(r"\bpage (\d+)\b")
# A hyphen a line break made: the hyphenate character WeasyPrint draws (U+2010)
# or a soft hyphen shown as one; a hard hyphen (U+002D) may end a word ("kirja- ja").
BREAK_HYPHENS = "\u2010\u00ad"
_BROKEN_RE = re.compile(rf"\w[{BREAK_HYPHENS}]$")


def _page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    """Object id of each page -> its 1-based number."""
    return {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}


def _element_page(element: Dictionary, pages: dict[tuple[int, int], int]) -> int | None:
    """The page of a structure element (its /Pg, or its first kid's), if any."""
    candidates = [element, *(k for k in children(element) if isinstance(k, Dictionary))]
    for candidate in candidates:
        page = candidate.get("/Pg")
        if isinstance(page, Dictionary) and page.objgen in pages:
            return pages[page.objgen]
    return None


def _ancestors(element: Dictionary) -> Iterator[Dictionary]:
    parent = element.get("/P")
    depth = 0
    while isinstance(parent, Dictionary) and "/S" in parent and depth < 200:
        yield parent
        parent = parent.get("/P")
        depth += 1


def _pages_of(details: list[tuple[int | None, str]]) -> list[int]:
    return sorted({page for page, _ in details if page is not None})


def _lines(details: list[tuple[int | None, str]]) -> list[str]:
    return [f"p. {page}: {text}" if page else text for page, text in details]


# Run in a process of its own: page-validation reads with a rayon thread pool,
# which hangs in a process forked from one that had already used it (the build
# forks its editions), and a crash of the validator cannot take the build along.
_VALIDATE = """
import json, sys
import page
report = page.validate_pdf_bytes(
    sys.stdin.buffer.read(), profile="ua1", limits=page.SafetyLimits.unlimited()
)
found = report.to_dict()
found["version"] = page.__version__
sys.stdout.write(json.dumps(found))
"""


class Validation:
    """``page-validation`` (PDF/UA-1 profile) judging PDF bytes in a process of its
    own, started at once so that it runs while the other checks do."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by result())
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115
        source = tempfile.TemporaryFile()  # noqa: SIM115
        source.write(data)
        source.seek(0)
        try:
            self.process: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-P", "-c", _VALIDATE],  # -P: no folder of ours shadows "page"
                stdin=source,
                stdout=self.output,
                stderr=self.errors,
            )
        except OSError as exc:
            self.process, self.failure = None, str(exc)
        finally:
            source.close()

    def cancel(self) -> None:
        """Stop the validator (the checks could not finish)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        self.output.close()
        self.errors.close()

    def result(self) -> dict:
        """The report's ``to_dict()`` plus ``version``; raises :class:`RuntimeError`
        when the validator could not judge the file."""
        try:
            if self.process is None:
                raise RuntimeError(self.failure)
            try:
                code = self.process.wait(timeout=600)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise RuntimeError("it took more than 10 minutes") from None
            if code != 0:
                self.errors.seek(0)
                lines = self.errors.read().decode(errors="replace").strip().splitlines()
                raise RuntimeError(lines[-1] if lines else f"exit code {code}")
            self.output.seek(0)
            return json.loads(self.output.read())
        finally:
            self._close()


def validate_pdfua(data: bytes) -> dict:
    """The verdict of ``page-validation`` on the PDF *data* (see :class:`Validation`)."""
    return Validation(data).result()


def check_pdfua_validator(data: bytes, running: Validation | None = None) -> CheckResult:
    """The independent validator ``page-validation`` with its PDF/UA-1 profile
    (*running*: one started earlier on *data*)."""
    rule = "page-validation (PDF/UA-1 profile, veraPDF rules) reports no failure"
    try:
        report = (running or Validation(data)).result()
    except RuntimeError as exc:
        return result(
            "pdfua-validator",
            False,
            f"page-validation could not judge the file: {exc}",
            rule + " (setup.sh installs it: pip package page-validation)",
        )
    pdf = painted(data).pdf
    pages = _page_numbers(pdf)
    found = [
        (_failure_page(f, pdf, pages), f"{f['rule_id']}: {f['message']}")
        for f in report.get("failures", [])
    ]
    rules = report["rules"]
    failed_checks = report.get("checks", {}).get("failed", 0)
    measured = (
        f"page-validation {report.get('version', '?')}: {rules['total']} rules, "
        f"{rules['failed']} failed"
    )
    if failed_checks:
        measured += f" ({failed_checks} failed checks)"
    if found:
        measured += f"; first: {_lines(found)[0]}"
    return result(
        "pdfua-validator",
        bool(report.get("is_compliant")) and not found,
        measured,
        rule,
        _pages_of(found),
        details=_lines(found),
    )


def _failure_page(failure: dict, pdf: pikepdf.Pdf, pages: dict[tuple[int, int], int]) -> int | None:
    """The page a validator failure is on: from its message, else from its object."""
    if match := _PAGE_RE.search(failure.get("message", "")):
        return int(match[1])
    objgen = _object_id(failure.get("object_id"))
    if objgen is None:
        return None
    if objgen in pages:
        return pages[objgen]
    try:
        obj = pdf.get_object(objgen)
    except (ValueError, pikepdf.PdfError):
        return None
    if isinstance(obj, Dictionary):
        for key in ("/Pg", "/P"):
            page = obj.get(key)
            if isinstance(page, Dictionary) and page.objgen in pages:
                return pages[page.objgen]
        if "/S" in obj:
            return _element_page(obj, pages)
    return None


def _object_id(value: object) -> tuple[int, int] | None:
    """An object id as the validator's JSON gives it (a mapping, a pair or "n g R")."""
    if isinstance(value, dict):
        number = value.get("object_number", value.get("number"))
        return (int(number), int(value.get("generation", 0))) if number is not None else None
    if isinstance(value, list | tuple) and value:
        return int(value[0]), int(value[1]) if len(value) > 1 else 0
    if isinstance(value, str) and (numbers := re.findall(r"\d+", value)):
        return int(numbers[0]), int(numbers[1]) if len(numbers) > 1 else 0
    return None


@functools.lru_cache(maxsize=1)
def _elements(pdf: pikepdf.Pdf) -> tuple[Dictionary, ...]:
    """Every structure element of the PDF being checked (read, never changed), in
    reading order: one walk of the tree for the checks that read them all."""
    return tuple(all_elements(pdf))


def check_link_tags(data: bytes) -> list[CheckResult]:
    """Each link annotation sits in a Link element; no Link element inside another."""
    pdf = painted(data).pdf
    pages = _page_numbers(pdf)
    root = pdf.Root.get("/StructTreeRoot")
    tree = NumberTree(root.ParentTree) if root is not None and "/ParentTree" in root else None
    outside: list[tuple[int | None, str]] = []
    links = 0
    for number, page in enumerate(pdf.pages, start=1):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != Name.Link:
                continue
            links += 1
            key = annot.get("/StructParent")
            element = tree.get(int(key)) if tree is not None and key is not None else None
            target = str(annot.get("/Contents", "")) or "a link"
            if not isinstance(element, Dictionary):
                outside.append((number, f"'{target}' is in no structure element"))
            elif element.get("/S") != Name.Link:
                tag = str(element.get("/S", "?")).lstrip("/")
                outside.append((number, f"'{target}' is in a {tag} element, not a Link"))
    nested: list[tuple[int | None, str]] = []
    elements = 0
    for element in _elements(pdf):
        if element.get("/S") != Name.Link:
            continue
        elements += 1
        if any(a.get("/S") == Name.Link for a in _ancestors(element)):
            nested.append((_element_page(element, pages), "a Link element inside another Link"))
    return [
        result(
            "link-tags",
            not outside,
            f"{len(outside)} of {links} link annotations outside a Link element; "
            f"first: {_lines(outside)[0]}"
            if outside
            else f"{links} link annotations, each in a Link element",
            "every link annotation is the kid of a Link structure element (PDF/UA-1 7.18.5)",
            _pages_of(outside),
            details=_lines(outside),
        ),
        result(
            "nested-links",
            not nested,
            f"{len(nested)} of {elements} Link elements inside another Link; "
            f"first: {_lines(nested)[0]}"
            if nested
            else f"{elements} Link elements, none inside another",
            "one Link element per link, never nested: a screen reader announces each one",
            _pages_of(nested),
            details=_lines(nested),
        ),
    ]


def check_id_tree(data: bytes) -> CheckResult:
    """Every structure element with an /ID is found under that ID in the /IDTree,
    and every /Headers reference names an ID there."""
    pdf = painted(data).pdf
    pages = _page_numbers(pdf)
    root = pdf.Root.get("/StructTreeRoot")
    tree = NameTree(root.IDTree) if root is not None and "/IDTree" in root else None
    problems: list[tuple[int | None, str]] = []
    ids: dict[str, Dictionary] = {}
    headers: list[tuple[Dictionary, str]] = []
    for element in _elements(pdf):
        if "/ID" in element:
            ident = bytes(element.ID).decode("latin-1")
            if ident in ids:
                problems.append((_element_page(element, pages), f"ID '{ident}' used twice"))
            ids[ident] = element
        for attributes in _attribute_dicts(element):
            for ident in attributes.get("/Headers", []):
                headers.append((element, bytes(ident).decode("latin-1")))
    for ident, element in ids.items():
        page = _element_page(element, pages)
        tag = str(element.get("/S", "")).lstrip("/")
        if tree is None:
            problems.append((page, f"{tag} ID '{ident}': the StructTreeRoot has no /IDTree"))
            continue
        found = tree.get(ident)
        if not isinstance(found, Dictionary) or found.objgen != element.objgen:
            problems.append((page, f"{tag} ID '{ident}' is not in the /IDTree"))
    for element, ident in headers:
        if ident not in ids:
            page = _element_page(element, pages)
            problems.append((page, f"/Headers names '{ident}', which no element has"))
    return result(
        "id-tree",
        not problems,
        f"{len(problems)} problems with element IDs; first: {_lines(problems)[0]}"
        if problems
        else f"{len(ids)} element IDs, all in the /IDTree",
        "every element ID is in the StructTreeRoot's /IDTree (ISO 32000-1 14.7.2); "
        "table /Headers name existing IDs",
        _pages_of(problems),
        details=_lines(problems),
    )


def _attribute_dicts(element: Dictionary) -> list[Dictionary]:
    attributes = element.get("/A")
    if isinstance(attributes, Array):
        return [a for a in attributes if isinstance(a, Dictionary)]
    return [attributes] if isinstance(attributes, Dictionary) else []


def check_nested_headings(data: bytes) -> CheckResult:
    """No heading element holds another heading (each heading is read once)."""
    pdf = painted(data).pdf
    pages = _page_numbers(pdf)
    doubled: list[tuple[int | None, str]] = []
    headings = 0
    for element in _elements(pdf):
        tag = str(element.get("/S", ""))
        if tag not in HEADINGS:
            continue
        headings += 1
        outer = next((a for a in _ancestors(element) if str(a.get("/S")) in HEADINGS), None)
        if outer is not None:
            doubled.append(
                (
                    _element_page(element, pages),
                    f"{tag.lstrip('/')} inside {str(outer.S).lstrip('/')}",
                )
            )
    return result(
        "nested-headings",
        not doubled,
        f"{len(doubled)} headings inside another heading; first: {_lines(doubled)[0]}"
        if doubled
        else f"{headings} headings, none inside another",
        "one heading element per heading: a heading holds no other heading",
        _pages_of(doubled),
        details=_lines(doubled),
    )


def check_whole_words(facts: PdfFacts) -> CheckResult:
    """No word broken at a line end in the text search and speech read.

    Read as poppler's text extraction reads it (``/ActualText`` applied): a
    word that ends in a hyphenation hyphen (U+2010, which only a line break
    draws; or a soft hyphen) is a broken word, at the end of a line or of a
    table cell's line.
    """
    broken: list[tuple[int | None, str]] = []
    for page in facts.pages:
        for word in page.words:
            if _BROKEN_RE.search(word.text):
                broken.append((page.number, f"'{word.text}' is broken at the line end"))
    return result(
        "whole-words",
        not broken,
        f"{len(broken)} words broken at a line end; first: {_lines(broken)[0]}"
        if broken
        else "no word broken at a line end",
        "search and speech find every hyphenated word whole (/ActualText on its parts)",
        _pages_of(broken),
        details=_lines(broken),
    )
