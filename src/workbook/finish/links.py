"""Links as PDF/UA-1 wants them: one ``Link`` element per link, never nested.

WeasyPrint 70 gives every box inside an ``<a>`` a link annotation of its own,
and tags each after its HTML element: a contents line (the ``<a>``, its
``::after`` with the page number, the ``leader()`` inside that, a chapter
number in a ``<span>``) became three or four annotations with the same target,
in ``Link`` elements nested in each other and in a ``Span`` (which PDF/UA-1
forbids: 7.18.5). Here each outermost ``Link`` element takes in the content of
the elements inside it; the inner annotations, which lie inside the outer one's
area, are dropped; and the pieces of one link cut by a line break (two
``Link`` elements side by side with the same target) become one element.

A ``leader()`` is drawn as one marked-content sequence per dot. It is
decoration: its element is taken out of the tree, and
:func:`workbook.finish.tagged.artifact_orphan_content` then makes its content a
layout artifact, which a screen reader skips. The page number a stylesheet sets
after a link's text (contents, list of figures) is printed apart from it, with
no space between the two in the text: it is read after one
(``/ActualText`` " 5"), so "Lukijalle 5", not "Lukijalle5".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, NumberTree

from workbook.finish.content import Texts
from workbook.finish.structtree import children, is_element

LEADER_CHARACTERS = frozenset(" .\u00a0\u2024\u2026\u00b7")
_SLACK = 1.0  # pt: an inner annotation may overhang the outer one this much


@dataclass
class LinksFixed:
    """What :func:`flatten_links` changed."""

    links: int = 0  # outermost Link elements
    absorbed: int = 0  # elements inside a Link dissolved into it
    dropped: int = 0  # annotations inside another one with the same target, removed
    spaced: int = 0  # numbers printed apart from the text before them, read after a space
    joined: int = 0  # Link elements of one link cut by a line break, joined
    leaders: set[tuple[int, int]] = field(default_factory=set)  # detached leader elements


def target(annotation: Dictionary) -> tuple[str, str]:
    """Where a link annotation leads: ("dest", name) or ("uri", address)."""
    if "/Dest" in annotation:
        return "dest", str(annotation.Dest)
    action = annotation.get("/A")
    if isinstance(action, Dictionary):
        return "uri", str(action.get("/URI", action.get("/D", "")))
    return "none", ""


def _rect(annotation: Dictionary) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in annotation.get("/Rect", [0, 0, 0, 0]))
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inside(inner: Dictionary, outer: Dictionary) -> bool:
    a, b = _rect(inner), _rect(outer)
    return (
        a[0] >= b[0] - _SLACK
        and a[1] >= b[1] - _SLACK
        and a[2] <= b[2] + _SLACK
        and a[3] <= b[3] + _SLACK
    )


class _Tree:
    """The ParentTree and page annotations, edited as elements move."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        root = pdf.Root.StructTreeRoot
        self.parents = NumberTree(root.ParentTree)
        self.pages = {page.obj.objgen: page for page in pdf.pages}

    def point_mcid(self, page: Dictionary, mcid: int, element: Dictionary) -> None:
        key = page.get("/StructParents")
        entry = self.parents.get(int(key)) if key is not None else None
        if isinstance(entry, Array) and 0 <= mcid < len(entry):
            entry[mcid] = element

    def point_annotation(self, annotation: Dictionary, element: Dictionary) -> None:
        key = annotation.get("/StructParent")
        if key is not None:
            self.parents[int(key)] = element

    def drop_annotation(self, annotation: Dictionary, page: Dictionary | None) -> None:
        key = annotation.get("/StructParent")
        if key is not None and int(key) in self.parents:
            del self.parents[int(key)]
        found = self.pages.get(page.objgen) if isinstance(page, Dictionary) else None
        if found is not None and "/Annots" in found.obj:
            kept = [a for a in found.obj.Annots if a.objgen != annotation.objgen]
            found.obj.Annots = Array(kept)


def flatten_links(pdf: pikepdf.Pdf, texts: Texts) -> LinksFixed:
    """One Link element per link; see the module doc. *texts* reads the content
    (to tell a leader's dots from text)."""
    root = pdf.Root.get("/StructTreeRoot")
    fixed = LinksFixed()
    if root is None or "/ParentTree" not in root:
        return fixed
    tree = _Tree(pdf)

    def visit(element: Dictionary) -> None:
        kids = children(element)
        for kid in kids:
            if not is_element(kid):
                continue
            if kid.get("/S") == Name.Link:
                _flatten(kid, tree, texts, fixed)
            else:
                visit(kid)
        _join_neighbours(element, tree, fixed)

    visit(root)
    return fixed


def _flatten(link: Dictionary, tree: _Tree, texts: Texts, fixed: LinksFixed) -> None:
    """Dissolve everything inside the outermost Link element *link* into it."""
    fixed.links += 1
    own_page = link.get("/Pg")
    content: list = []
    objrs: list[Dictionary] = []
    last = ""  # the text absorbed so far, its end

    def absorb(element: Dictionary) -> None:
        nonlocal last
        page = element.get("/Pg", own_page)
        for kid in children(element):
            if isinstance(kid, int):
                content.append(_mcr(kid, page, own_page))
                if isinstance(page, Dictionary):
                    tree.point_mcid(page, kid, link)
                    text = _text(texts, page, kid)
                    if element is not link and last and _glued(last, text):
                        fixed.spaced += _read_after_space(texts, page, kid, text)
                    last = text or last
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                where = kid.get("/Pg", page)
                content.append(_mcr(int(kid.MCID), where, own_page))
                if isinstance(where, Dictionary):
                    tree.point_mcid(where, int(kid.MCID), link)
                    last = _text(texts, where, int(kid.MCID)) or last
            elif _is_objr(kid):
                objrs.append(kid)
            elif is_element(kid):
                if _is_leader(kid, texts):
                    fixed.leaders.add(kid.objgen)
                    objrs.extend(k for k in children(kid) if _is_objr(k))
                    continue
                fixed.absorbed += 1
                absorb(kid)

    absorb(link)
    kept: list[Dictionary] = []
    for objr in objrs:
        annotation = objr.Obj
        same = [k.Obj for k in kept if target(k.Obj) == target(annotation)]
        if any(_inside(annotation, outer) for outer in same):
            tree.drop_annotation(annotation, objr.get("/Pg", annotation.get("/P")))
            fixed.dropped += 1
            continue
        kept.append(objr)
        tree.point_annotation(annotation, link)
    link.K = Array([*kept, *content])


def _text(texts: Texts, page: Dictionary, mcid: int) -> str:
    shown = texts.page(page.objgen)
    return shown.text(mcid) if shown is not None else ""


def _glued(before: str, number: str) -> bool:
    """Whether a page number *number* would be read run into the text *before* it."""
    return bool(number) and number[0].isdigit() and not before[-1].isspace()


def _read_after_space(texts: Texts, page: Dictionary, mcid: int, text: str) -> int:
    """Mark the MCID's glyphs to be read as " " + *text*; 1 when done."""
    shown = texts.page(page.objgen)
    glyphs = shown.glyphs(mcid) if shown is not None else []
    return int(bool(glyphs) and shown.wrap(glyphs[0], glyphs[-1], " " + text))


def _mcr(mcid: int, page: object, own_page: object) -> object:
    """An MCID as a kid of an element on *own_page*: bare there, else a reference."""
    if not isinstance(page, Dictionary) or (
        isinstance(own_page, Dictionary) and page.objgen == own_page.objgen
    ):
        return mcid
    return Dictionary(Type=Name.MCR, MCID=mcid, Pg=page)


def _is_leader(element: Dictionary, texts: Texts) -> bool:
    """Whether *element* holds only a leader: several runs of dots and spaces."""
    kids = children(element)
    page = element.get("/Pg")
    mcids = [k for k in kids if isinstance(k, int)]
    if not isinstance(page, Dictionary) or len(mcids) < 2:
        return False
    if any(isinstance(k, Dictionary) and not _is_objr(k) for k in kids):
        return False
    shown = texts.page(page.objgen)
    if shown is None:
        return False
    runs = [shown.text(mcid) for mcid in mcids]
    return all(run.strip() and set(run) <= LEADER_CHARACTERS for run in runs)


def _join_neighbours(parent: Dictionary, tree: _Tree, fixed: LinksFixed) -> bool:
    """Join Link elements side by side under *parent* that lead to one target (the
    pieces of a link a line break cut); True when any were."""
    kids = children(parent)
    if len(kids) < 2:
        return False
    out: list = []
    joined = False
    for kid in kids:
        previous = out[-1] if out else None
        if (
            is_element(kid)
            and is_element(previous)
            and kid.get("/S") == Name.Link
            and previous.get("/S") == Name.Link
            and _targets(kid)
            and _targets(kid) == _targets(previous)
        ):
            _move_into(previous, kid, tree)
            fixed.joined += 1
            joined = True
            continue
        out.append(kid)
    if joined:
        parent.K = Array(out)
    return joined


def _is_objr(kid: object) -> bool:
    return isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR and "/Obj" in kid


def _targets(link: Dictionary) -> set[tuple[str, str]]:
    return {target(k.Obj) for k in children(link) if _is_objr(k)}


def _move_into(first: Dictionary, second: Dictionary, tree: _Tree) -> None:
    """Append *second*'s annotations and content to *first* (pointing the ParentTree
    at *first*)."""
    page = second.get("/Pg")
    own = first.get("/Pg")
    objrs = [k for k in children(first) if _is_objr(k)]
    content = [k for k in children(first) if not _is_objr(k)]
    for kid in children(second):
        if _is_objr(kid):
            objrs.append(kid)
            tree.point_annotation(kid.Obj, first)
        elif isinstance(kid, int):
            content.append(_mcr(kid, page, own))
            if isinstance(page, Dictionary):
                tree.point_mcid(page, kid, first)
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
            where = kid.get("/Pg", page)
            content.append(_mcr(int(kid.MCID), where, own))
            if isinstance(where, Dictionary):
                tree.point_mcid(where, int(kid.MCID), first)
    first.K = Array([*objrs, *content])
