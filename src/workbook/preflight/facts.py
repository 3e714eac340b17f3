"""What a finished PDF contains, read back from the file alone.

Page boxes, the outline, named destinations, links and what the content
streams paint come from pikepdf (:mod:`workbook.preflight.pdfcontent`), which reads the
file once for all of them; the position of every word from poppler's
``pdftotext -bbox`` (installed by setup.sh, :mod:`.words`). Positions are
points from the MediaBox's top-left corner with y growing downwards, as on a
page image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from workbook.errors import WorkbookError
from workbook.pipeline.freshness import state_file
from workbook.preflight.pageimages import PageDigests
from workbook.preflight.pdfcontent import painted as painted_pdf
from workbook.preflight.words import Rect, Word, WordReader, text_maps

__all__ = ["Image", "Link", "OutlineEntry", "PageFacts", "PdfFacts", "Rect", "Word", "read_facts"]


@dataclass(frozen=True)
class Image:
    """An image drawn on a page: its box and effective resolution."""

    rect: Rect
    ppi: float


@dataclass(frozen=True)
class PageFacts:
    """One page."""

    number: int  # 1-based
    media: Rect  # PDF coordinates (y up)
    trim: Rect | None  # from the top-left, like the words
    bleed: Rect | None
    words: tuple[Word, ...]
    images: tuple[Image, ...]
    paints: bool  # anything at all is painted

    @property
    def size(self) -> tuple[float, float]:
        """Width and height of the MediaBox, pt."""
        return self.media[2] - self.media[0], self.media[3] - self.media[1]

    @property
    def blank(self) -> bool:
        """Nothing is painted on the page."""
        return not self.paints

    @property
    def text(self) -> str:
        """The page's words joined by spaces."""
        return " ".join(w.text for w in self.words)

    @property
    def recto(self) -> bool:
        """A right-hand page (odd page number)."""
        return self.number % 2 == 1


@dataclass(frozen=True)
class OutlineEntry:
    """A bookmark."""

    title: str
    level: int
    page: int | None


@dataclass(frozen=True)
class Link:
    """An internal link annotation."""

    page: int
    rect: Rect
    dest: str
    dest_page: int | None
    contents: str


@dataclass
class PdfFacts:
    """Everything the checks read from one PDF."""

    path: Path
    data: bytes
    pages: list[PageFacts]
    outline: list[OutlineEntry]
    dests: dict[str, int]
    links: list[Link] = field(default_factory=list)
    page_digests: list[str] = field(default_factory=list)  # see preflight.pageimages

    @property
    def chapter_pages(self) -> list[tuple[int, str]]:
        """(page, title) of each top-level bookmark after the contents' own (the
        title page's and the contents' are front matter), or of each but the
        contents' when there is none."""
        top = [e for e in self.outline if e.level == 1]
        contents = next((i for i, e in enumerate(top) if e.title == "Sisällys"), None)
        after = top[contents + 1 :] if contents is not None else top
        return [(entry.page, entry.title) for entry in after if entry.page is not None]


def normalise(text: str) -> str:
    """Text with soft hyphens removed and runs of spaces (any kind) as one space."""
    return " ".join(text.replace("\u00ad", "").split())


def cache_paths(out_dir: Path, pdf_name: str) -> tuple[Path, Path, Path, Path]:
    """Where the reading of the PDF *pdf_name* built into *out_dir* is kept between
    builds (``build/.state/``): its page words, its page summaries, its lines of
    type (:func:`workbook.preflight.textlines.read_pages`) and its runs of text
    with their inks (:func:`workbook.preflight.inks.text_runs`)."""
    return (
        state_file(out_dir, pdf_name, "words", ".marshal"),
        state_file(out_dir, pdf_name, "paint"),
        state_file(out_dir, pdf_name, "lines", ".marshal"),
        state_file(out_dir, pdf_name, "inks", ".marshal"),
    )


def read_facts(
    path: Path, words_cache: Path | None = None, paint_cache: Path | None = None
) -> PdfFacts:
    """Read *path* back: pages with words and images, outline, destinations, links.

    *words_cache* keeps each page's words by page content between builds
    (:mod:`workbook.preflight.words`), *paint_cache* what each page paints
    (:func:`workbook.preflight.pdfcontent.painted`).
    """
    try:
        data = path.read_bytes()
    except OSError:
        raise WorkbookError(
            "PDF to check not found", path=path, hint="run invoke build first"
        ) from None
    words_reading = WordReader(path, words_cache)  # pdftotext may run while this reads
    try:
        digest = PageDigests()  # one per file: shared fonts and states digested once
        read = painted_pdf(data, key=digest, cache=paint_cache)
        digests = read.keys or [digest(page) for page in read.pdf.pages]
        maps = text_maps(read.pdf)
    except BaseException:
        words_reading.cancel()
        raise
    words = words_reading.words(digests, maps)
    pages = []
    images: dict[int, list[Image]] = {}
    for draw in read.draws:
        media = [float(v) for v in read.pdf.pages[draw.page - 1].MediaBox]
        images.setdefault(draw.page, []).append(Image(_flip(draw.bbox, media), draw.ppi))
    pdf = read.pdf
    numbers = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
    for number, page in enumerate(pdf.pages, start=1):
        media = tuple(float(v) for v in page.MediaBox)
        pages.append(
            PageFacts(
                number=number,
                media=media,  # type: ignore[arg-type]
                trim=_box(page, "/TrimBox", media),
                bleed=_box(page, "/BleedBox", media),
                words=tuple(words.get(number, ())),
                images=tuple(images.get(number, ())),
                paints=number in read.pages_painted,
            )
        )
    dests = _named_destinations(pdf, numbers)
    outline = _outline(pdf, numbers, dests)
    return PdfFacts(path, data, pages, outline, dests, _links(pdf, dests), digests)


def _flip(rect: Rect, media: list[float]) -> Rect:
    """PDF coordinates (y up) to top-left coordinates (y down) of that MediaBox."""
    x0, x1 = sorted((rect[0], rect[2]))
    y0, y1 = sorted((rect[1], rect[3]))
    return (x0 - media[0], media[3] - y1, x1 - media[0], media[3] - y0)


def _box(page: pikepdf.Page, name: str, media: tuple[float, ...]) -> Rect | None:
    if name not in page.obj:
        return None
    box = [float(v) for v in page.obj[name]]
    return _flip((box[0], box[1], box[2], box[3]), list(media))


def _page_of(dest: object, numbers: dict[tuple[int, int], int]) -> int | None:
    """The page number an explicit destination (``[page /XYZ ...]``) points to."""
    if isinstance(dest, pikepdf.Dictionary):  # {/D [...]}, as in a name tree
        dest = dest.get("/D")
    if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
        return numbers.get(dest[0].objgen)
    return None


def _named_destinations(pdf: pikepdf.Pdf, numbers: dict[tuple[int, int], int]) -> dict[str, int]:
    """Destination name -> page number, from the /Dests name tree (and an old /Dests dict)."""
    found: dict[str, int] = {}
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
        for name, dest in pikepdf.NameTree(names.Dests).items():
            if (page := _page_of(dest, numbers)) is not None:
                found[str(name)] = page
    old = pdf.Root.get("/Dests")
    if isinstance(old, pikepdf.Dictionary):
        for key, dest in old.items():
            if (page := _page_of(dest, numbers)) is not None:
                found.setdefault(key.lstrip("/"), page)
    return found


def _target(dest: object, numbers: dict[tuple[int, int], int], dests: dict[str, int]) -> int | None:
    """The page of a destination given by name or explicitly."""
    if isinstance(dest, pikepdf.String | pikepdf.Name):
        return dests.get(str(dest).lstrip("/"))
    return _page_of(dest, numbers)


def _outline(
    pdf: pikepdf.Pdf, numbers: dict[tuple[int, int], int], dests: dict[str, int]
) -> list[OutlineEntry]:
    """The bookmarks in order, with their level (1 = top) and target page."""
    entries: list[OutlineEntry] = []
    outlines = pdf.Root.get("/Outlines")
    if not isinstance(outlines, pikepdf.Dictionary):
        return entries
    seen: set[tuple[int, int]] = set()

    def walk(item: object, level: int) -> None:
        while isinstance(item, pikepdf.Dictionary) and item.objgen not in seen:
            seen.add(item.objgen)
            dest = item.get("/Dest")
            action = item.get("/A")
            if dest is None and isinstance(action, pikepdf.Dictionary):
                dest = action.get("/D")
            page = _target(dest, numbers, dests)
            entries.append(OutlineEntry(normalise(str(item.get("/Title", ""))), level, page))
            walk(item.get("/First"), level + 1)
            item = item.get("/Next")

    walk(outlines.get("/First"), 1)
    return entries


def _links(pdf: pikepdf.Pdf, dests: dict[str, int]) -> list[Link]:
    links = []
    for number, page in enumerate(pdf.pages, start=1):
        media = [float(v) for v in page.MediaBox]
        for annot in page.obj.get("/Annots") or []:
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            name = str(dest).lstrip("/") if dest is not None else ""
            if not name:
                continue
            rect = [float(v) for v in annot["/Rect"]]
            links.append(
                Link(
                    page=number,
                    rect=_flip((rect[0], rect[1], rect[2], rect[3]), media),
                    dest=name,
                    dest_page=dests.get(name),
                    contents=str(annot.get("/Contents", "")),
                )
            )
    return links
