"""Whole words for search and speech in the tagged edition.

A word broken at a line end is two pieces of text, each in the marked content
of its line: "kehittä‐" and "mishankkeeseen". Search finds neither as the word,
and speech reads two. Here the first piece is marked to be read as the whole
word (``/Span <</ActualText (kehittämishankkeeseen)>> BDC … EMC``) and the
second as nothing (an empty ``/ActualText``), as ISO 32000-1 14.9.4 provides.
Text extraction (poppler, Acrobat) and screen readers then meet the word once,
whole, where its first piece is printed; the pages look as before.

A break at a hyphenation point shows WeasyPrint's hyphenate character
(U+2010). A break after a hard hyphen ("Keski-" / "Suomen") is joined only
when the joined word is written so in the book: "asiakas- ja" is not a word.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

import pikepdf

from workbook.finish.content import Glyph, Leaf, PageText, Texts, leaves

HYPHENATE_CHARACTER = "\u2010"
_WORD = r"\w+(?:[-'’]\w+)*"
_TAIL_RE = re.compile(rf"({_WORD})([{HYPHENATE_CHARACTER}\u00ad-])$")
_HEAD_RE = re.compile(rf"^{_WORD}")
_COMPOUND_RE = re.compile(r"\w+(?:-\w+)+")


def compound_words(texts: Iterable[str]) -> frozenset[str]:
    """The words written with a hyphen inside them (``Keski-Suomen``) in *texts*."""
    return frozenset(word for text in texts for word in _COMPOUND_RE.findall(text))


def join_broken_words(
    pdf: pikepdf.Pdf, texts: Texts | None = None, compounds: frozenset[str] = frozenset()
) -> int:
    """Mark every word broken at a line end to be read whole; return how many were.

    *texts* is the PDF's text as already read (else it is read here);
    *compounds* are the book's words with a hard hyphen inside them: a break
    after such a hyphen is joined only for those. The edited pages are written
    back.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    texts = texts or Texts(pdf)
    order = [leaf for leaf in leaves(root) if texts.text(leaf)]
    joined = 0
    for first, second in itertools.pairwise(order):
        tail = _TAIL_RE.search(texts.text(first))
        head = _HEAD_RE.match(texts.text(second)) if tail else None
        if tail is None or head is None:
            continue
        if tail[2] == "-":
            whole = f"{tail[1]}-{head[0]}"
            if whole not in compounds:
                continue
        else:
            whole = tail[1] + head[0]
        if _join(texts, first, tail[0], second, head[0], whole):
            joined += 1
    texts.save()
    return joined


def _join(texts: Texts, first: Leaf, tail: str, second: Leaf, head: str, whole: str) -> bool:
    """Wrap the two pieces; False (and nothing changed) when either cannot be."""
    page_one, page_two = texts.page(first.page), texts.page(second.page)
    if page_one is None or page_two is None:
        return False
    ending = _run(page_one, first.mcid, tail, from_end=True)
    opening = _run(page_two, second.mcid, head, from_end=False)
    if ending is None or opening is None or not page_one.wrap(*ending, whole):
        return False
    if not page_two.wrap(*opening, ""):
        page_one.wraps.pop()
        return False
    return True


def _run(page: PageText, mcid: int, text: str, *, from_end: bool) -> tuple[Glyph, Glyph] | None:
    """The first and last glyph of the MCID's glyphs that show *text* at its end
    (or start); None when no run of whole glyphs shows exactly that."""
    glyphs = page.glyphs(mcid)
    ordered = list(reversed(glyphs)) if from_end else glyphs
    shown = ""
    run: list[Glyph] = []
    for glyph in ordered:
        if len(shown) >= len(text):
            break
        run.append(glyph)
        shown = glyph.text + shown if from_end else shown + glyph.text
    if shown != text or not run:
        return None
    return (run[-1], run[0]) if from_end else (run[0], run[-1])
