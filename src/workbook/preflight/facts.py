"""What a finished PDF contains, read back from the file alone.

Page boxes, the outline, named destinations and links come from pypdf; the
position of every word from poppler's ``pdftotext -bbox`` (installed by
setup.sh); images and painting from the content streams (pikepdf,
:mod:`workbook.pdfcontent`). Positions are points from the MediaBox's top-left
corner with y growing downwards, as on a page image.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from ..errors import WorkbookError
from ..pdfcontent import painted as painted_pdf

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 from the top-left, y down
_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    """A word and its box."""

    text: str
    rect: Rect


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

    @property
    def chapter_pages(self) -> list[tuple[int, str]]:
        """(page, title) of each top-level bookmark but the contents itself."""
        return [
            (entry.page, entry.title)
            for entry in self.outline
            if entry.level == 1 and entry.page is not None and entry.title != "Sisällys"
        ]


def normalise(text: str) -> str:
    """Text with soft hyphens removed and runs of spaces (any kind) as one space."""
    return " ".join(text.replace("\u00ad", "").split())


def read_facts(path: Path) -> PdfFacts:
    """Read *path* back: pages with words and images, outline, destinations, links."""
    try:
        data = path.read_bytes()
    except OSError:
        raise WorkbookError(
            "PDF to check not found", path=path, hint="run invoke build first"
        ) from None
    words_reading = _start_words(path)  # pdftotext runs while the content is walked here
    try:
        reader = PdfReader(BytesIO(data))
        read = painted_pdf(data)
    except BaseException:
        words_reading.kill()
        words_reading.communicate()
        raise
    words = _words(path, words_reading)
    pages = []
    images: dict[int, list[Image]] = {}
    for draw in read.draws:
        media = [float(v) for v in read.pdf.pages[draw.page - 1].MediaBox]
        images.setdefault(draw.page, []).append(Image(_flip(draw.bbox, media), draw.ppi))
    for number, page in enumerate(reader.pages, start=1):
        media = tuple(float(v) for v in page.mediabox)
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
    dests = {
        name: reader.get_destination_page_number(dest) + 1
        for name, dest in reader.named_destinations.items()
    }
    return PdfFacts(path, data, pages, _outline(reader), dests, _links(reader, dests))


def _flip(rect: Rect, media: list[float]) -> Rect:
    """PDF coordinates (y up) to top-left coordinates (y down) of that MediaBox."""
    x0, x1 = sorted((rect[0], rect[2]))
    y0, y1 = sorted((rect[1], rect[3]))
    return (x0 - media[0], media[3] - y1, x1 - media[0], media[3] - y0)


def _box(page, name: str, media: tuple[float, ...]) -> Rect | None:
    if name not in page:
        return None
    box = [float(v) for v in page[name]]
    return _flip((box[0], box[1], box[2], box[3]), list(media))


def _start_words(path: Path) -> subprocess.Popen[bytes]:
    """Start pdftotext on *path*: word boxes as XHTML on its standard output."""
    try:
        return subprocess.Popen(
            ["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError:
        raise WorkbookError(
            "pdftotext (poppler-utils) is not installed",
            hint="run ./setup.sh, which installs it",
        ) from None


def _words(path: Path, process: subprocess.Popen[bytes]) -> dict[int, list[Word]]:
    """The words of each page from the pdftotext started by :func:`_start_words`."""
    try:
        stdout, stderr = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise WorkbookError(
            "pdftotext took more than 5 minutes", path=path, hint="build the PDF again"
        ) from None
    if process.returncode != 0:
        raise WorkbookError(
            f"pdftotext could not read the PDF: {stderr.decode(errors='replace').strip()}",
            path=path,
            hint="the file may be damaged; build it again",
        )
    text = re.sub(rb"<meta[^>]*>", b"", stdout)  # metadata values may hold anything
    root = etree.fromstring(text)
    found: dict[int, list[Word]] = {}
    for number, page in enumerate(root.iter(f"{_XHTML}page"), start=1):
        found[number] = [
            Word(
                word.text or "",
                (
                    float(word.get("xMin", 0)),
                    float(word.get("yMin", 0)),
                    float(word.get("xMax", 0)),
                    float(word.get("yMax", 0)),
                ),
            )
            for word in page.iter(f"{_XHTML}word")
        ]
    return found


def _outline(reader: PdfReader) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item) + 1
            except (KeyError, ValueError, AttributeError):
                page = None
            entries.append(OutlineEntry(normalise(str(item.title)), level, page))

    walk(reader.outline, 1)
    return entries


def _links(reader: PdfReader, dests: dict[str, int]) -> list[Link]:
    links = []
    for number, page in enumerate(reader.pages, start=1):
        media = [float(v) for v in page.mediabox]
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
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
