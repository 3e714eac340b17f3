"""A book assembled from the parts an edit changed, laid out alone.

Chapters open on a recto, so a chapter's pages depend on the rest of the book
only through its first page and the pages it prints of targets elsewhere
(:mod:`workbook.render.chapters`); so do the front matter's (the title, the
contents and the lists, before the first chapter). When only some chapters of
a book's HTML differ from a layout of the whole book at hand, each is laid out
alone, numbered from its first page, and its pages take the place of its old
ones in that layout: WeasyPrint writes a document of pages from several
layouts (``Document.copy``) with its links, bookmarks, anchors and, in the
tagged edition, its structure tree and form fields built from all of them.

Pages are put in place only when that gives the pages a whole layout would:

- a part fills as many pages as before. It is laid out with an empty copy of
  the next part's opening element after it (:data:`~workbook.render.chapters.PAD`),
  so it ends as in the whole book: with the blank verso before the next
  chapter where its text now ends on a recto. The copy's page is dropped. A
  chapter last in the body ends with its text; one page fewer is taken there
  where its last page was a blank verso (that page is kept);
- a part that prints the page of a target that moved (the contents, the list
  of figures, an "s. N" in another chapter) is laid out again alone too, with
  the new number;
- a chapter last in the body has nothing after it.

Otherwise :func:`assemble` returns None and the whole book is laid out.

The page make-up's rounds (:mod:`workbook.render.makeup`) assemble the book
after a round that changed some chapters, and ``invoke watch`` keeps the last
laid-out book of its edition (:func:`keep`) so that the next save lays out only
the saved chapters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from workbook.render import pagemap
from workbook.render.chapters import FRONT, PAD, ids_in, link_targets, part_document, parts


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


@dataclass
class Part:
    """One part laid out alone: what made it (a document, a render), the book's
    pages it fills (from *first*, *count* of them: the made pages after those are
    the stand-in's) and the pages of its anchors."""

    name: str
    first: int
    made: object
    count: int
    found: dict[str, int]


# lay_out(html, first page) -> (what made it, its pages, its anchors' pages, its blank pages)
PartLayout = Callable[[str, int], tuple[object, int, dict[str, int], set[int]]]


def fit(
    text: str,
    landed: Mapping[str, int],
    chapter_ids: Sequence[str],
    total: int,
    blank: Callable[[int], bool],
    lay_out: PartLayout,
    *,
    keep_links: bool = True,
    stand_ins: bool = False,
) -> tuple[list[Part], dict[str, int]] | None:
    """The parts to lay out alone so that *text* has a whole layout's pages: the
    chapters *chapter_ids*, then the parts that print the page of a target that
    moved; with the anchors' pages after them. None when that does not hold (see
    the module's docstring).

    *landed* are the anchors' pages in the book at hand (*total* pages; *blank*
    tells whether one of its pages is blank). A part laid out again appears again,
    later in the list. Without *keep_links* a part's links to targets elsewhere go;
    with *stand_ins* they point to stand-ins on the page that is dropped, so a
    part written alone keeps them, and a last part with such links is refused
    (:func:`~workbook.render.chapters.part_document`).
    """
    spans = parts(text)
    order = list(spans)
    firsts = {name: 1 if name == FRONT else landed.get(name, 0) for name in order}
    if any(first < 1 for first in firsts.values()):
        return None
    landed = dict(landed)
    blanks: dict[int, bool] = {}  # the pages of parts laid out alone
    placed: list[Part] = []
    # The changed chapters first (the likeliest not to fit), then the parts that
    # print a page that moved.
    todo = sorted(set(chapter_ids), key=order.index)
    printing: list[str] = []
    for _ in range(2 * len(order)):  # a part may be laid out again once a page it prints moved
        if not todo and not printing:
            break
        name = todo.pop(0) if todo else printing.pop(0)
        index = order.index(name)
        start, end = spans[name]
        first = firsts[name]
        if index + 1 < len(order):
            following = firsts[order[index + 1]]
        elif text[end : text.rfind("</body>")].strip():
            return None  # something after the last chapter would move with it
        else:
            following = total + 1
        part = text[start:end]
        if not link_targets(part) - ids_in(part) <= landed.keys():
            return None  # a page it prints is not known
        padded = index + 1 < len(order)
        if stand_ins and not padded and link_targets(part) - ids_in(part):
            return None  # no page to put the stand-ins on
        document = part_document(
            text, name, first, landed, pad=padded, keep_links=keep_links, stand_ins=stand_ins
        )
        made, count, found, own_blanks = lay_out(document, first)
        if padded:  # the next part's stand-in, alone on the last page, is not the part's
            if found.pop(PAD, None) != first + count - 1:
                return None
            count -= 1
            found = {k: v for k, v in found.items() if v < first + count}
        span = following - first
        last_blank = blanks.get(following - 1, blank(following - 1))
        if count != span and not (count == span - 1 and last_blank):
            return None
        moved = {target for target in ids_in(part) if found.get(target) != landed.get(target)}
        landed = {k: v for k, v in landed.items() if k not in moved} | found
        blanks.update({page: page in own_blanks for page in range(first, first + count)})
        placed.append(Part(name, first, made, count, found))
        dependent = [
            other
            for other in order
            if other != name and other not in todo
            and moved & pagemap.printed_targets(text[slice(*spans[other])])
        ]  # fmt: skip
        printing = sorted({*printing, *dependent}, key=order.index)
    if todo or printing:
        return None
    return placed, landed


def assemble(
    laid: Laid,
    text: str,
    chapter_ids: Sequence[str],
    lay_out: Callable[[str, int], object],
) -> Laid | None:
    """*text* laid out: *laid* with the pages of *chapter_ids* laid out again alone,
    and of the parts that print the page of a target that moved.

    *text* must differ from ``laid.text`` only inside those chapters.
    ``lay_out(html, first_page)`` lays out one part's document. None when the
    pages would not be those of a whole layout (see the module's docstring).
    """
    pages = list(laid.document.pages)

    def alone(html: str, first: int) -> tuple[object, int, dict[str, int], set[int]]:
        document = lay_out(html, first)
        own = document.pages  # type: ignore[attr-defined]
        blanks = {number for number, page in enumerate(own, start=first) if _blank(page)}
        return document, len(own), pagemap.anchor_pages(document, first), blanks

    fitted = fit(text, laid.landed, chapter_ids, len(pages), lambda n: _blank(pages[n - 1]), alone)
    if fitted is None:
        return None
    fonts = list(laid.fonts)
    for part in fitted[0]:  # in the order laid out: a part laid out again comes later
        own = list(part.made.pages)[: part.count]  # type: ignore[attr-defined]
        pages[part.first - 1 : part.first - 1 + part.count] = own
        fonts.append((part.made.font_config, {id(page) for page in own}))  # type: ignore[attr-defined]
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
