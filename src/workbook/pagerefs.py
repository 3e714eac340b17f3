"""Page references made once per page list, not once per use (pydyf 0.13).

WeasyPrint 70 asks pydyf for ``PDF.page_references`` (every page's ``N 0 R``)
each time it points at one page: for every structure element it tags and
every link destination it writes. pydyf builds the whole tuple anew on each
call, so tagging the sample's e-version built it 4,700 times over 64 pages
(0.06 s of a render). :func:`install` keeps the tuple with the list of page
object numbers it was made from and builds it again only when that list has
changed; the references are the same strings as pydyf's.

Installed only for the pydyf version this was written for.
"""

from __future__ import annotations

import pydyf

_installed = False
_stock = pydyf.PDF.page_references


def page_references(self: pydyf.PDF) -> tuple[bytes, ...]:
    """pydyf 0.13's ``PDF.page_references``, kept while the page list is unchanged."""
    numbers = tuple(self.pages["Kids"][::3])
    kept = self.__dict__.get("_workbook_page_references")
    if kept is not None and kept[0] == numbers:
        return kept[1]
    references = tuple(f"{number} 0 R".encode("ascii") for number in numbers)
    self.__dict__["_workbook_page_references"] = (numbers, references)
    return references


def install() -> None:
    """Keep pydyf's page references between uses (once, on pydyf 0.13 only)."""
    global _installed
    if _installed or pydyf.__version__ != "0.13.0":
        return
    pydyf.PDF.page_references = property(page_references)  # type: ignore[assignment]
    _installed = True
