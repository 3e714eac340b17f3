"""Small readers of a PDF structure tree, shared by the post-processing stages."""

from __future__ import annotations

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
