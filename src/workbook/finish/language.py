"""Words in another language get ``/Lang`` in the e-version's tag tree.

An editor marks them in Markdown (``[This is Service Design Thinking]{lang=en}``,
see :mod:`workbook.markup.chapter`); the HTML carries ``lang="en"``, which
WeasyPrint 70 uses for hyphenation but does not write into the tag tree. So a
screen reader would read an English title with Finnish pronunciation. Here
each marked run is found in the tag tree by its text, in book order, among
the elements its HTML element became (a ``<span>`` is a ``Span``, an ``<em>``
a ``NonStruct``; a run a line break cut is two such elements side by side),
and those elements get ``/Lang``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Dictionary, Name

from workbook.errors import WorkbookError
from workbook.finish.content import Texts
from workbook.finish.structtree import children, is_element
from workbook.markup.chapter import Foreign

# The structure element WeasyPrint 70 makes of an HTML element (pdf/tags.py).
_PDF_TAG = {
    "span": "Span",
    "a": "Link",
    "p": "P",
    "div": "Div",
    "blockquote": "BlockQuote",
    "li": "LI",
    "dt": "LI",
    "dd": "LI",
    "td": "TD",
    "th": "TH",
    "caption": "Caption",
    "figcaption": "Caption",
    **{f"h{n}": f"H{n}" for n in range(1, 7)},
}
_IGNORED_RE = re.compile(r"[\s\u00ad\u2010]")


def _key(element: Dictionary) -> object:
    return element.objgen if element.is_indirect else id(element)


def _normal(text: str) -> str:
    """Text as compared: no spaces, no hyphens of line breaks."""
    return _IGNORED_RE.sub("", text)


@dataclass
class _Candidate:
    element: Dictionary
    text: str
    parent: Dictionary
    index: int  # among the parent's kids
    used: bool = False


def mark_languages(pdf: pikepdf.Pdf, texts: Texts, foreign: Sequence[Foreign]) -> int:
    """Give the elements of each marked run ``/Lang``; return how many runs were.

    Raises :class:`WorkbookError` for a run that is not found in the tag tree.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or not foreign:
        return 0
    wanted = {"/" + _PDF_TAG.get(words.tag, "NonStruct") for words in foreign}
    candidates: list[_Candidate] = []
    by_place: dict[tuple[object, int], _Candidate] = {}

    def text_of(element: Dictionary) -> str:
        """The element's text (a list item's bullet, its Lbl, is no part of it)."""
        page = element.get("/Pg")
        parts: list[str] = []
        for kid in children(element):
            if isinstance(kid, int):
                shown = texts.page(page.objgen) if isinstance(page, Dictionary) else None
                parts.append(shown.text(kid) if shown is not None else "")
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                where = kid.get("/Pg", page)
                shown = texts.page(where.objgen) if isinstance(where, Dictionary) else None
                parts.append(shown.text(int(kid.MCID)) if shown is not None else "")
            elif is_element(kid) and kid.get("/S") != Name.Lbl:
                parts.append(text_of(kid))
        return "".join(parts)

    def walk(element: Dictionary) -> None:
        """List the elements of the wanted tags, each before its descendants."""
        for index, kid in enumerate(children(element)):
            if not is_element(kid):
                continue
            if str(kid.get("/S")) in wanted:
                candidate = _Candidate(kid, _normal(text_of(kid)), element, index)
                candidates.append(candidate)
                by_place[(_key(element), index)] = candidate
            walk(kid)

    walk(root)
    marked = 0
    for words in foreign:
        tag = "/" + _PDF_TAG.get(words.tag, "NonStruct")
        found = _find(candidates, by_place, tag, _normal(words.text))
        if found is None:
            raise WorkbookError(
                f"the e-version's tag tree has no place for '{words.text}' ({{lang={words.lang}}})",
                hint="mark whole words of running text; report the case if it persists",
            )
        for candidate in found:
            candidate.used = True
            candidate.element.Lang = pikepdf.String(words.lang)
        marked += 1
    return marked


def _find(
    candidates: list[_Candidate],
    by_place: dict[tuple[object, int], _Candidate],
    tag: str,
    target: str,
) -> list[_Candidate] | None:
    """The first unused run of elements of *tag*, side by side, whose text is *target*."""
    for candidate in candidates:
        if candidate.used or candidate.element.get("/S") != Name(tag):
            continue
        if not candidate.text or not target.startswith(candidate.text):
            continue
        run, text = [candidate], candidate.text
        index = candidate.index
        while text != target:
            following = by_place.get((_key(candidate.parent), index + 1))
            if following is None or following.used or following.element.get("/S") != Name(tag):
                break
            if not following.text or not target.startswith(text + following.text):
                break
            run.append(following)
            text += following.text
            index += 1
        if text == target:
            return run
    return None
