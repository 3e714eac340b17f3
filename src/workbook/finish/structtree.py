"""Small readers of a PDF structure tree, shared by the post-processing stages and
the preflight."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name


def children(element: Dictionary) -> list:
    """An element's ``/K`` as a list (it may be absent, one object, or an array)."""
    kids = element.get("/K")
    return list(kids) if isinstance(kids, Array) else [] if kids is None else [kids]


def is_element(obj: object) -> bool:
    """Whether *obj* is a structure element (not an MCID, MCR or OBJR)."""
    return (
        isinstance(obj, Dictionary)
        and "/S" in obj
        and obj.get("/Type") not in (Name.OBJR, Name.MCR)
    )


@dataclass(frozen=True)
class Structure:
    """A structure tree walked once, as the preflight's checks read it."""

    reachable: frozenset[tuple[int, int]]  # ids of the elements reachable from the root
    figures: tuple[Dictionary, ...]  # the Figure elements among them
    elements: tuple[tuple[str, frozenset[str]], ...]  # (tag, tags below it), reading order


def all_elements(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    """Every structure element reachable from the root, each once, in reading order."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    seen: set[tuple[int, int]] = set()
    stack = list(reversed(children(root)))
    while stack:
        element = stack.pop()
        if not is_element(element):
            continue
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        yield element
        stack.extend(reversed(children(element)))


def read_structure(root: object) -> Structure:
    """One walk of the tree under *root* (a ``/StructTreeRoot``; None: no tree).

    Elements are reached through ``/K`` (marked-content and object references
    are leaves), each indirect one once; the tags are listed in reading order.
    """
    reachable: set[tuple[int, int]] = set()
    figures: list[Dictionary] = []
    elements: list[tuple[str, frozenset[str]]] = []

    def walk(element: Dictionary) -> frozenset[str]:
        """Visit *element*; the tags of the elements below it."""
        tag = str(element.get("/S", ""))
        if tag == "/Figure":
            figures.append(element)
        index = len(elements)
        if tag:
            elements.append((tag, frozenset()))
        below: set[str] = set()
        for kid in children(element):
            if not isinstance(kid, Dictionary) or kid.get("/Type") in (Name.OBJR, Name.MCR):
                continue
            if kid.is_indirect:
                if kid.objgen in reachable:
                    continue
                reachable.add(kid.objgen)
            if kid_tag := str(kid.get("/S", "")):
                below.add(kid_tag)
            below |= walk(kid)
        if tag:
            elements[index] = (tag, frozenset(below))
        return frozenset(below)

    if isinstance(root, Dictionary):
        if root.is_indirect:
            reachable.add(root.objgen)
        walk(root)
    return Structure(frozenset(reachable), tuple(figures), tuple(elements))
