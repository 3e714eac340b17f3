"""The sample's e-version as a screen reader, search and a plain viewer meet it.

Read from the built PDF: the tag tree in reading order (with the text of its
marked content), poppler's text extraction, and Ghostscript.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from conftest import ghostscript_complaints
from workbook.finish.content import Texts, leaves
from workbook.preflight.access import validate_pdfua

WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@pytest.fixture(scope="module")
def screen(sample_build) -> Path:
    return next(e.path for e in sample_build.editions if e.variant.name == "screen")


def _kids(element: Dictionary) -> list:
    kids = element.get("/K")
    return list(kids) if isinstance(kids, Array) else [] if kids is None else [kids]


def _read_out(pdf: pikepdf.Pdf) -> list[tuple[int, Dictionary, str]]:
    """(depth, element, its own text) of every element, in reading order."""
    texts = Texts(pdf)
    found = []

    def walk(element: Dictionary, depth: int) -> None:
        own = "".join(texts.text(leaf) for leaf in leaves(element) if leaf.element == element)
        found.append((depth, element, own))
        for kid in _kids(element):
            if isinstance(kid, Dictionary) and "/S" in kid:
                walk(kid, depth + 1)

    for top in _kids(pdf.Root.StructTreeRoot):
        walk(top, 0)
    return found


def _text(pdf: pikepdf.Pdf, element: Dictionary) -> str:
    """The element's text runs (lines, inline pieces), read one after the other."""
    texts = Texts(pdf)
    return " ".join(" ".join(texts.text(leaf) for leaf in leaves(element)).split())


def test_every_word_of_the_source_text_is_found_whole_with_pdftotext(sample_build, screen):
    """Search and speech meet every word whole, a hyphenated one too."""
    source: set[str] = set()
    for chapter in sample_build.book.chapters:
        text = html.unescape(re.sub(r"<[^>]+>", " ", chapter.html)).replace("\u00ad", "")
        source |= set(WORD.findall(text))
    run = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(screen), "-"], capture_output=True, check=True
    )
    extracted = run.stdout.decode()
    assert sorted(source - set(WORD.findall(extracted))) == []
    assert "\u2010\n" not in extracted  # no line ends in a hyphenation hyphen
    assert len(source) > 3000


def test_the_first_heading_is_the_book_title(sample_build, screen):
    with pikepdf.open(screen) as pdf:
        headings = [
            (e.S, text)
            for _, e, _ in _read_out(pdf)
            if re.fullmatch(r"/H\d", str(e.get("/S")))
            for text in [_text(pdf, e)]
        ]
    tag, text = headings[0]
    assert tag == Name.H1
    assert text == sample_build.book.project.config.publication.title


def test_each_contents_line_is_one_link_without_its_leader(screen):
    with pikepdf.open(screen) as pdf:
        contents = next(
            e for _, e, _ in _read_out(pdf) if e.get("/S") == Name.Sect and _has_toc(pdf, e)
        )
        entries = [k for k in _elements(contents) if k.get("/S") == Name.LBody]
        assert len(entries) > 50
        texts = Texts(pdf)
        for entry in entries:
            (link,) = [k for k in _kids(entry) if isinstance(k, Dictionary)]
            assert link.get("/S") == Name.Link
            objrs = [k for k in _kids(link) if isinstance(k, Dictionary)]
            assert len(objrs) == 1 and objrs[0].Type == Name.OBJR
            text = "".join(texts.text(leaf) for leaf in leaves(link))
            assert not re.search(r"\.\s*\.", text), text  # no leader dots
            assert re.search(r"\D\d+$", text), text  # the title, then its page number


def _has_toc(pdf: pikepdf.Pdf, element: Dictionary) -> bool:
    heading = next((k for k in _kids(element) if isinstance(k, Dictionary)), None)
    return heading is not None and _text(pdf, heading) == "Sisällys"


def _elements(root: Dictionary) -> list[Dictionary]:
    found, stack = [], [root]
    while stack:
        element = stack.pop()
        for kid in _kids(element):
            if isinstance(kid, Dictionary) and "/S" in kid:
                found.append(kid)
                stack.append(kid)
    return found


def test_an_exercise_is_one_heading_read_as_label_and_title(sample_build, screen):
    with pikepdf.open(screen) as pdf:
        headings = [
            e
            for _, e, _ in _read_out(pdf)
            if str(e.get("/S")) in ("/H2", "/H3", "/H4") and "Tehtävä" in _text(pdf, e)
        ]
        read = [_text(pdf, e) for e in headings]
        for element in headings:
            assert not [k for k in _elements(element) if re.fullmatch(r"/H\d", str(k.S))]
    exercises = sample_build.book.exercises
    assert read == [" ".join(f"{e.label} {e.title}".split()) for e in exercises]


def test_the_english_title_is_marked_english(screen):
    with pikepdf.open(screen) as pdf:
        english = [e for _, e, _ in _read_out(pdf) if str(e.get("/Lang", "")) == "en"]
        text = " ".join(_text(pdf, e) for e in english)
    assert " ".join(text.split()) == "This is Service Design Thinking. Basics – Tools – Cases"


def test_every_element_id_is_in_the_id_tree(screen):
    with pikepdf.open(screen) as pdf:
        tree = pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)
        with_ids = [e for _, e, _ in _read_out(pdf) if "/ID" in e]
        assert len(with_ids) > 50
        for element in with_ids:
            assert tree[str(element.ID)].objgen == element.objgen


def test_footnote_calls_are_references(sample_build, screen):
    notes = sum(c.html.count('class="footnote"') for c in sample_build.book.chapters)
    with pikepdf.open(screen) as pdf:
        tags = [str(e.get("/S")) for _, e, _ in _read_out(pdf)]
    assert tags.count("/Reference") == tags.count("/Note") == notes


def test_the_independent_validator_finds_nothing(screen):
    report = validate_pdfua(screen.read_bytes())
    assert report["is_compliant"] and report["failures"] == []
    assert report["rules"]["total"] >= 100 and report["rules"]["failed"] == 0


@pytest.mark.skipif(not shutil.which("gs"), reason="setup.sh installs ghostscript")
def test_ghostscript_renders_the_e_version_without_a_warning(screen):
    assert ghostscript_complaints(screen) == []
