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

A footnote call is printed as a raised number right after its word, with no
space: read as text, "asiakasymmärrystä1" is no word. Each call becomes a
``Reference`` element read after a space (``/ActualText`` " 1").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

import pikepdf
from pikepdf import Dictionary, Name

from workbook.finish.content import Glyph, Leaf, PageText, Texts, leaves
from workbook.finish.structtree import children, is_element

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
    for first, second, third in itertools.zip_longest(order, order[1:], order[2:]):
        if second is None:
            break
        # A line set apart (workbook.render.linebreak) draws its hyphen in a box,
        # and so a leaf, of its own: "kehittämis" "‐" "hankkeeseen".
        alone = texts.text(second).lstrip("\u00ad") == HYPHENATE_CHARACTER and third is not None
        text = texts.text(first) + HYPHENATE_CHARACTER if alone else texts.text(first)
        tail = _TAIL_RE.search(text)
        head = _HEAD_RE.match(texts.text(third if alone else second)) if tail else None
        if tail is None or head is None:
            continue
        if tail[2] == "-":
            whole = f"{tail[1]}-{head[0]}"
            if whole not in compounds:
                continue
        else:
            whole = tail[1] + head[0]
        if alone:
            if _join(texts, first, tail[1], third, head[0], whole, hyphen=second):
                joined += 1
        elif _join(texts, first, tail[0], second, head[0], whole):
            joined += 1
    texts.save()
    return joined


def _join(
    texts: Texts,
    first: Leaf,
    tail: str,
    second: Leaf,
    head: str,
    whole: str,
    hyphen: Leaf | None = None,
) -> bool:
    """Wrap the two pieces (and the *hyphen* drawn apart, read as nothing); False
    (and nothing changed) when any cannot be."""
    page_one, page_two = texts.page(first.page), texts.page(second.page)
    if page_one is None or page_two is None:
        return False
    ending = _run(page_one, first.mcid, tail, from_end=True)
    opening = _run(page_two, second.mcid, head, from_end=False)
    mark = None
    if hyphen is not None:
        mark = _run(page_one, hyphen.mcid, texts.text(hyphen), from_end=False)
        if mark is None or hyphen.page != first.page:
            return False
    if ending is None or opening is None or not page_one.wrap(*ending, whole):
        return False
    if mark is not None and not page_one.wrap(*mark, ""):
        page_one.wraps.pop()
        return False
    if not page_two.wrap(*opening, ""):
        page_one.wraps.pop()
        if mark is not None:
            page_one.wraps.pop()
        return False
    return True


def _run(page: PageText, mcid: int, text: str, *, from_end: bool) -> tuple[Glyph, Glyph] | None:
    """The first and last glyph of the MCID's glyphs that show *text* at its end
    (or start); None when no run of whole glyphs shows exactly that."""
    shown = ""
    run: list[Glyph] = []
    for glyph in page.iter_glyphs(mcid, reverse=from_end):
        if len(shown) >= len(text):
            break
        run.append(glyph)
        shown = glyph.text + shown if from_end else shown + glyph.text
    if shown != text or not run:
        return None
    return (run[-1], run[0]) if from_end else (run[0], run[-1])


def mark_note_calls(pdf: pikepdf.Pdf, texts: Texts) -> int:
    """Tag each footnote call as a ``Reference`` read after a space; return how many.

    WeasyPrint tags a call (``::footnote-call``) as a ``NonStruct`` holding one
    ``Span`` of digits, as it tags a number in a table cell. A call is such an
    element outside table cells whose number is that of a ``Note``
    (:func:`~workbook.finish.tagged.tag_footnotes`, "1." and its text) on the
    same page or the next (a note may be carried over), each note's number
    taken once, in reading order.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    order = [leaf for leaf in leaves(root) if texts.text(leaf)]
    before = {
        (leaf.page, leaf.mcid): texts.text(order[i - 1]) if i else ""
        for i, leaf in enumerate(order)
    }
    notes: dict[tuple[int, int], list[str]] = {}  # page -> the numbers of its notes
    calls: list[tuple[Dictionary, Leaf]] = []

    def walk(element: Dictionary) -> None:
        for kid in children(element):
            if not is_element(kid):
                continue
            if kid.get("/S") == Name.Note:
                runs = [leaf for leaf in leaves(kid) if texts.text(leaf).strip()]
                if runs:
                    number = texts.text(runs[0]).strip().rstrip(".")
                    notes.setdefault(runs[0].page, []).append(number)
                continue
            call = _call_leaf(kid, texts)
            if call is not None and element.get("/S") not in (Name.TD, Name.TH):
                calls.append((kid, call))
                continue
            walk(kid)

    walk(root)
    following = {a.obj.objgen: b.obj.objgen for a, b in itertools.pairwise(pdf.pages)}
    marked = 0
    for element, leaf in calls:
        number = texts.text(leaf)
        pages = [leaf.page, following.get(leaf.page)]
        numbers = next((notes[p] for p in pages if number in notes.get(p, [])), None)
        if numbers is None:
            continue
        numbers.remove(number)
        element.S = Name.Reference
        marked += 1
        previous = before.get((leaf.page, leaf.mcid), "")
        page = texts.page(leaf.page)
        glyphs = page.glyphs(leaf.mcid) if page is not None else []
        if previous and not previous[-1].isspace() and glyphs:
            page.wrap(glyphs[0], glyphs[-1], " " + texts.text(leaf))
    return marked


def _call_leaf(element: Dictionary, texts: Texts) -> Leaf | None:
    """The one text run of a NonStruct holding one Span of one to three digits."""
    if element.get("/S") != Name.NonStruct:
        return None
    kids = children(element)
    if len(kids) != 1 or not is_element(kids[0]) or kids[0].get("/S") != Name.Span:
        return None
    runs = leaves(kids[0])
    if len(runs) != 1 or any(is_element(k) for k in children(kids[0])):
        return None
    text = texts.text(runs[0])
    return runs[0] if text.isdigit() and len(text) <= 3 else None
