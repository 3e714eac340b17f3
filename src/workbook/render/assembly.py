"""A book assembled from the chapters an edit changed, laid out alone.

Chapters open on a recto, so a chapter's pages depend on the rest of the book
only through its first page and the pages it prints of targets elsewhere
(:mod:`workbook.render.chapters`). When only some chapters of a book's HTML
differ from a layout of the whole book at hand, each is laid out alone,
numbered from its first page, and its pages take the place of its old ones in
that layout: WeasyPrint writes a document of pages from several layouts
(``Document.copy``) with its links, bookmarks, anchors and, in the tagged
edition, its structure tree and form fields built from all of them.

Pages are put in place only when that gives the pages a whole layout would:

- the chapter fills as many pages as before, or one fewer where its last page
  was the blank verso before the next chapter (that page is kept);
- every target of the chapter that the rest of the book links to or prints
  the page of (the contents, the list of figures, "s. N") is on the same page;
- a chapter last in the body has nothing after it.

Otherwise :func:`assemble` returns None and the whole book is laid out.

The page make-up's rounds (:mod:`workbook.render.makeup`) assemble the book
after a round that changed a few chapters, and ``invoke watch`` keeps the last
laid-out book of its edition (:func:`keep`) so that the next save lays out only
the saved chapters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from workbook.render import pagemap
from workbook.render.chapters import chapter_spans, chapters_document, outside_targets


@dataclass
class Laid:
    """A whole book laid out: the HTML it was laid out from (paragraphs numbered,
    the make-up plan applied, page numbers not yet printed), the document, and the
    page of every anchor. *fonts* are the font configurations of the layouts its
    pages come from, each with the ids of its pages (a layout's fonts go when its
    configuration goes)."""

    text: str
    document: object  # weasyprint.Document
    landed: dict[str, int]
    fonts: list[tuple[object, set[int]]] = field(default_factory=list)

    @classmethod
    def of(cls, text: str, document) -> Laid:
        """A layout of the whole book *text*."""
        own = {id(page) for page in document.pages}
        return cls(text, document, pagemap.anchor_pages(document), [(document.font_config, own)])


def _blank(page) -> bool:
    return bool(page._page_box.page_type.blank)


def assemble(
    laid: Laid,
    text: str,
    chapter_ids: Sequence[str],
    lay_out: Callable[[str, int], object],
) -> Laid | None:
    """*text* laid out: *laid* with the pages of *chapter_ids* laid out again alone.

    *text* must differ from ``laid.text`` only inside those chapters.
    ``lay_out(html, first_page)`` lays out one chapter's document. None when the
    pages would not be those of a whole layout (see the module's docstring).
    """
    spans = chapter_spans(text)
    order = list(spans)
    pages = list(laid.document.pages)
    fonts = list(laid.fonts)
    body_end = text.rfind("</body>")
    for name in sorted(chapter_ids, key=order.index):
        first = laid.landed.get(name)
        following = order[order.index(name) + 1] if name != order[-1] else None
        if first is None or first < 1:
            return None
        if following is None:
            if text[spans[name][1] : body_end].strip():
                return None  # something after the last chapter would move with it
            end = len(pages) + 1
        elif (end := laid.landed.get(following, 0)) <= first:
            return None
        linked_out, linked_in = outside_targets(text, name)
        if not linked_out <= laid.landed.keys():
            return None  # a page it prints is not known
        html = chapters_document(text, [name], first, laid.landed, keep_links=True)
        alone = lay_out(html, first)
        count, span = len(alone.pages), end - first  # type: ignore[attr-defined]
        if count != span and not (count == span - 1 and _blank(pages[end - 2])):
            return None
        found = pagemap.anchor_pages(alone, first)
        if any(found.get(target) != laid.landed.get(target) for target in linked_in):
            return None
        pages[first - 1 : first - 1 + count] = alone.pages  # type: ignore[attr-defined]
        fonts.append((alone.font_config, {id(page) for page in alone.pages}))  # type: ignore[attr-defined]
    document = laid.document.copy(pages)  # type: ignore[attr-defined]
    used = {id(page) for page in pages}
    fonts = [(config, own) for config, own in fonts if own & used]  # the rest may go
    return Laid(text, document, pagemap.anchor_pages(document), fonts)


_kept: dict[str, Laid] = {}
_keeping = False


def keep_layouts(on: bool = True) -> None:
    """Keep each edition's last whole layout in this process (``invoke watch``:
    a warm process whose next build changes only the saved chapters)."""
    global _keeping
    _keeping = on
    if not on:
        _kept.clear()


def forget() -> None:
    """Let the kept layouts go (an input other than chapters changed)."""
    _kept.clear()


def kept(edition: str) -> Laid | None:
    """The last whole layout of *edition* kept in this process, if layouts are kept."""
    return _kept.get(edition) if _keeping else None


def keep(edition: str, laid: Laid) -> None:
    """Keep *laid* as *edition*'s last whole layout, if layouts are kept."""
    if _keeping:
        _kept[edition] = laid
