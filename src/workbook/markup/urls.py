"""Web and e-mail addresses in running text: links that never break with a hyphen.

A bare address (``https://…``, ``www.…``, ``nimi@kirjasto.fi``) becomes a
link, and so does Markdown's ``<https://…>``. The address is printed as
written: no Finnish typography (``--`` stays two hyphens), no soft hyphens.
It may break at a line end only after a ``/`` or a ``.``: a zero-width space
after each is the break opportunity, and a piece with a hyphen in it is kept
whole (``white-space: nowrap``), so no line ends in a hyphen and a copied
address is the address.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.inlinepatterns import InlineProcessor

_TAIL = r"[^\s<>\"'’”()\[\]{}.,;:!?]"
URL_RE = (
    r"(?<![\w/@.])(?:(?:https?://|www\.)[^\s<>\"'’”]*" + _TAIL + r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
)
BREAK = "\u200b"  # zero-width space: a break opportunity that prints nothing
_PIECE_RE = re.compile(r"[^/.]*[/.]+|[^/.]+$")


class UrlPattern(InlineProcessor):
    """A bare address in the text -> an ``<a class="url">`` link (not inside a link)."""

    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(self, m: re.Match[str], data: str):
        text = m[0]
        if "@" in text and "://" not in text and not text.startswith("www."):
            href = f"mailto:{text}"
        elif text.startswith("www."):
            href = f"https://{text}"
        else:
            href = text
        link = etree.Element("a", {"href": href})
        link.text = text
        mark_address(link)
        return link, m.start(0), m.end(0)


def mark_address(link: etree.Element) -> None:
    """If *link* shows its own address (``<a href="x">x</a>``), set it as an address:
    class ``url``, pieces kept whole, breaks only after ``/`` and ``.``."""
    text = link.text or ""
    href = link.get("href", "")
    if len(link) or not text or text not in (href, href.removeprefix("mailto:"), _www(href)):
        return
    link.set("class", " ".join([*link.get("class", "").split(), "url"]))
    pieces = _pieces(text)
    link.text = None
    last: etree.Element | None = None

    def add(words: str) -> None:
        if last is None:
            link.text = (link.text or "") + words
        else:
            last.tail = (last.tail or "") + words

    for index, piece in enumerate(pieces):
        if "-" in piece:  # a hyphen is a break opportunity: the piece is kept whole
            last = etree.SubElement(link, "span", {"style": "white-space: nowrap"})
            last.text = piece
        else:
            add(piece)
        if index < len(pieces) - 1 and piece[-1] in "/.":
            add(BREAK)


def _www(href: str) -> str:
    return href.removeprefix("https://") if href.startswith("https://www.") else href


def _pieces(text: str) -> list[str]:
    """``https://a.fi/b-c/`` -> ``["https://", "a.", "fi/", "b-c/"]``: the scheme stays
    whole, every other piece ends after its ``/`` or ``.``."""
    scheme, sep, rest = text.partition("://")
    head = [scheme + sep] if sep else []
    body = rest if sep else text
    return head + [m[0] for m in _PIECE_RE.finditer(body) if m[0]]
