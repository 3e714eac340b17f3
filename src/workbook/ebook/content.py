"""The book as reflowable documents: one per chapter, plus title page, colophon, contents.

Each chapter's HTML from the book model is parsed into a tree, page-break
markers are put where the printed pages begin (:mod:`.pagebreaks`), and then the
print-only parts are turned into what a reflowing reader needs:

- illustrations point at their screen files and are sized as a share of the
  text width; a decorative one is an ``<img alt="" role="presentation">``;
- charts become inline SVG named by their alt text (the data table the PDFs
  print stays where it is);
- footnotes become EPUB footnotes (``epub:type="footnote"``,
  ``role="doc-footnote"``) at the end of the chapter, each with a link back;
- page references ("s. 14") print the print edition's page and link to their
  target in whichever document it is;
- exercises become static content (:mod:`.exercises`);
- every table can scroll sideways on its own on a narrow screen.

The trees are serialised twice: as XHTML for the EPUB (:func:`xhtml`) and as
HTML for the web edition (:func:`html`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from lxml.etree import SubElement
from lxml.html import Element, HtmlElement
from markupsafe import escape

from workbook.ebook.assets import Assets, chart_svg
from workbook.ebook.exercises import static_exercises
from workbook.ebook.pagebreaks import Placed, place_markers
from workbook.errors import WorkbookError
from workbook.intake.illustrations import type_area
from workbook.model import Book, Chapter

FRONT = {"title-page": "nimio", "colophon": "julkaisutiedot", "contents": "sisallys"}
RESERVED = {*FRONT.values(), "index", "nav", "saavutettavuus"}
_MM_WIDTH_RE = re.compile(r"width:\s*([\d.]+)mm")
_URL_RE = re.compile(r"url\(([^)]+)\)")
_SVG_PLACEHOLDER_RE = re.compile(r'<wb-svg data-ref="([^"]+)"\s*(?:/>|></wb-svg>)')
_EPUB_TYPE_RE = re.compile(r' data-epub-type="')
_DATA_EPUB_TYPE_RE = re.compile(r' data-epub-type="[^"]*"')
_XHTML_HREF_RE = re.compile(r'(href="[^"/:#]+)\.xhtml([#"])')


@dataclass
class Document:
    """One document of the e-book: a chapter, or a part of the front matter."""

    name: str  # file name without extension
    title: str
    kind: str  # "title-page", "colophon", "contents" or "chapter"
    section: HtmlElement
    chapter: Chapter | None = None


@dataclass
class Converted:
    """The book's documents, and where the printed pages begin in them."""

    documents: list[Document]
    pages: Placed
    page_count: int
    anchors: dict[str, str] = field(default_factory=dict)  # id -> document name
    svgs: dict[str, str] = field(default_factory=dict)  # chart id -> inline SVG

    def href(self, ident: str) -> str:
        """A link to *ident* from any document (``johdanto.xhtml#kirjan-rakenne``)."""
        return f"{self.anchors[ident]}.xhtml#{ident}"

    def document(self, name: str) -> Document:
        """The document called *name*."""
        return next(d for d in self.documents if d.name == name)


def chapter_names(book: Book) -> dict[str, str]:
    """Each chapter's document name: its id, unless the front matter needs that name."""
    return {c.id: (f"luku-{c.id}" if c.id in RESERVED else c.id) for c in book.chapters}


def convert(
    book: Book, assets: Assets, starts: list[dict], anchor_pages: Mapping[str, int]
) -> Converted:
    """Every document of the e-book, with the printed pages' markers in place."""
    names = chapter_names(book)
    documents = [
        Document(FRONT["title-page"], "Nimiösivu", "title-page", _title_page(book)),
        Document(FRONT["colophon"], "Julkaisutiedot", "colophon", _colophon(book)),
        Document(FRONT["contents"], "Sisällys", "contents", _contents_head()),
    ]
    for chapter in book.chapters:
        title = f"{chapter.label} {chapter.title}" if chapter.label else chapter.title
        section = _parse_chapter(chapter)
        documents.append(Document(names[chapter.id], title, "chapter", section, chapter))
    sections = {d.kind if d.chapter is None else d.chapter.id: d.section for d in documents}
    taken = set(book.targets)
    placed = place_markers(
        sections,
        starts,
        front=set(FRONT),
        ident=lambda page: f"sivu-{page}" if f"sivu-{page}" not in taken else f"s-{page}-painettu",
    )
    converted = Converted(documents, placed, len(starts))
    for document in documents:
        for element in document.section.iter():
            if isinstance(element.tag, str) and (ident := element.get("id")):
                converted.anchors.setdefault(ident, document.name)
    width = type_area(book.project.config.format)[0]
    for document in documents:
        if document.chapter is None:
            continue
        section = document.section
        _links(section, document.name, converted, anchor_pages, book)
        _illustrations(section, assets, width)
        _charts(section, assets, converted)
        _footnotes(section)
        static_exercises(section)
        _tables(section)
        _tidy(section, document.chapter)
    return converted


def _parse_chapter(chapter: Chapter) -> HtmlElement:
    """The chapter as the PDFs' template sets it: a section with its title, then its HTML."""
    number = (
        f'<span class="chapter-number">{escape(chapter.label)}\u00a0</span>'
        if chapter.number is not None
        else ""
    )
    markup = (
        f'<section class="chapter layout-{escape(chapter.layout)}" id="{escape(chapter.id)}">'
        f'<h1 class="chapter-title">{number}{escape(chapter.title)}</h1>\n'
        f"{chapter.html}</section>"
    )
    try:
        return lxml.html.fragment_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:  # the model's HTML is ours: a bug
        raise WorkbookError(
            f"chapter HTML could not be read for the e-book: {exc}", path=chapter.source.path
        ) from None


def _title_page(book: Book) -> HtmlElement:
    pub = book.project.config.publication
    section = Element("section")
    section.set("class", "title-page")
    section.set("data-epub-type", "titlepage")
    _p(section, "title-publisher", pub.publisher)
    heading = SubElement(section, "h1")
    heading.set("class", "title-main")
    heading.text = pub.title
    if pub.subtitle:
        _p(section, "title-sub", pub.subtitle)
    _p(section, "title-authors", " · ".join(pub.authors))
    if pub.illustrator:
        _p(section, "title-illustrator", f"Kuvitus {pub.illustrator}")
    return section


def _colophon(book: Book) -> HtmlElement:
    config = book.project.config
    pub, isbn = config.publication, config.isbn
    section = Element("section")
    section.set("class", "colophon")
    section.set("data-epub-type", "copyright-page")
    heading = SubElement(section, "h1")
    heading.set("class", "colophon-title")
    heading.text = "Julkaisutiedot"
    title = f"{pub.title} – {pub.subtitle}" if pub.subtitle else pub.title
    strong = SubElement(_p(section, "", ""), "strong")
    strong.text = title
    _p(section, "", f"Teksti: {', '.join(pub.authors)}", extra=_illustrator(pub.illustrator))
    rights = f"© Tekijät ja {pub.publisher} {pub.year}"
    extra = [f"Kuvitus © {pub.illustrator} {pub.year}"] if pub.illustrator else []
    _p(section, "", rights, extra=extra)
    _p(section, "", f"Julkaisija: {pub.publisher}", extra=[f"{pub.edition}, {pub.year}"])
    numbers = [f"ISBN {isbn.print} (painettu)", f"ISBN {isbn.pdf} (PDF)"]
    if isbn.epub:
        numbers.append(f"ISBN {isbn.epub} (EPUB)")
    _p(section, "", numbers[0], extra=numbers[1:])
    _p(
        section,
        "",
        "Tämä on julkaisun saavutettava EPUB-versio. Teksti mukautuu näytön kokoon; "
        "sivunumerot viittaavat painettuun kirjaan, ja sivuviittaukset ovat linkkejä.",
    )
    return section


def _illustrator(name: str) -> list[str]:
    return [f"Piirroskuvitus: {name}"] if name else []


def _p(parent: HtmlElement, cls: str, text: str, extra: list[str] | None = None) -> HtmlElement:
    """A paragraph of *text*, with each of *extra* after a line break."""
    paragraph = SubElement(parent, "p")
    if cls:
        paragraph.set("class", cls)
    paragraph.text = text or None
    for line in extra or []:
        SubElement(paragraph, "br").tail = line
    return paragraph


def _contents_head() -> HtmlElement:
    section = Element("section")
    section.set("class", "contents")
    heading = SubElement(section, "h1")
    heading.set("class", "contents-title")
    heading.set("id", "sisallys-otsikko")
    heading.text = "Sisällys"
    return section


def _classes(element: HtmlElement) -> list[str]:
    return (element.get("class") or "").split()


def _links(
    section: HtmlElement,
    name: str,
    converted: Converted,
    pages: Mapping[str, int],
    book: Book,
) -> None:
    """Links to other documents, and page references with the printed page."""
    for link in section.iter("a"):
        href = link.get("href") or ""
        if not href.startswith("#"):
            continue
        ident = href[1:]
        if converted.anchors.get(ident, name) != name:
            link.set("href", converted.href(ident))
        if "pageref" in _classes(link):
            page = pages.get(ident)
            if page is not None:
                number = f"{page}"
            else:  # no page known: the chapter, as the handouts say it
                target = book.targets[ident].chapter
                number = f"luku\u00a0{target.label}" if target.label else target.title
                if link.text and link.text.startswith("s."):
                    link.text = link.text[2:].lstrip("\u00a0 ")
            if len(link):
                link[-1].tail = (link[-1].tail or "") + number
            else:
                link.text = (link.text or "") + number


def _illustrations(section: HtmlElement, assets: Assets, text_width: float) -> None:
    for image in list(section.iter("img")):
        source = image.get("src") or ""
        if not source.startswith("illustration:"):
            continue
        ident = source.split(":", 1)[1]
        _point_at(image, ident, assets, _share(image.get("style"), text_width))
    for picture in [e for e in section.iter("div") if "picture" in _classes(e)]:
        match = _URL_RE.search(picture.get("style") or "")
        if match is None or not match[1].startswith("illustration:"):
            continue
        ident = match[1].split(":", 1)[1]
        image = Element("img")
        image.set("alt", "")
        image.set("role", "presentation")
        _point_at(image, ident, assets, _share(picture.get("style"), text_width))
        image.tail = picture.tail
        picture.getparent().replace(picture, image)


def _share(style: str | None, text_width: float) -> int | None:
    """The placed width as a percentage of the text width (None: the full width)."""
    match = _MM_WIDTH_RE.search(style or "")
    if match is None:
        return None
    share = round(100 * float(match[1]) / text_width)
    return share if share < 95 else None


def _point_at(image: HtmlElement, ident: str, assets: Assets, share: int | None) -> None:
    image.set("src", f"images/{assets.image_name(ident)}")
    image.attrib.pop("style", None)
    if ident in assets.pixels:
        width, height = assets.pixels[ident]
        image.set("width", str(width))
        image.set("height", str(height))
    if share is not None:
        image.set("style", f"width: {share}%")


def _charts(section: HtmlElement, assets: Assets, converted: Converted) -> None:
    for image in list(section.iter("img")):
        source = image.get("src") or ""
        if not source.startswith("chart:"):
            continue
        ident = source.split(":", 1)[1]
        converted.svgs[ident] = chart_svg(assets.charts[ident], image.get("alt") or "")
        placeholder = Element("wb-svg")
        placeholder.set("data-ref", ident)
        placeholder.tail = image.tail
        image.getparent().replace(image, placeholder)


def _footnotes(section: HtmlElement) -> None:
    """Footnotes to the end of the chapter, each linked both ways, numbered as in print."""
    notes = [e for e in section.iter("span") if "footnote" in _classes(e)]
    if not notes:
        return
    container = SubElement(section, "div")
    container.set("class", "footnotes")
    for number, note in enumerate(notes, start=1):
        aside = SubElement(container, "aside")
        aside.set("id", f"alaviite-{number}")
        aside.set("class", "footnote")
        aside.set("data-epub-type", "footnote")
        aside.set("role", "doc-footnote")
        paragraph = SubElement(aside, "p")
        back = SubElement(paragraph, "a")
        back.set("href", f"#viite-{number}")
        back.set("class", "backlink")
        back.set("role", "doc-backlink")
        back.text = f"{number}."
        back.tail = " " + (note.text or "")
        for child in list(note):
            paragraph.append(child)
        call = Element("a")
        call.set("href", f"#alaviite-{number}")
        call.set("id", f"viite-{number}")
        call.set("class", "noteref")
        call.set("data-epub-type", "noteref")
        call.set("role", "doc-noteref")
        call.text = str(number)
        sup = Element("sup")
        sup.append(call)
        sup.tail = note.tail
        note.getparent().replace(note, sup)


def _tables(section: HtmlElement) -> None:
    """Every table in a box of its own that scrolls sideways when the screen is narrow."""
    for table in list(section.iter("table")):
        parent = table.getparent()
        caption = table.find("caption")
        name = caption.text_content().strip() if caption is not None else _table_name(table)
        if parent is not None and "data-table" in _classes(parent):
            box = parent
        else:
            box = Element("div")
            box.set("class", "table-scroll")
            table.addprevious(box)
            box.append(table)  # the table's tail moves with it: put it back after the box
            box.tail, table.tail = table.tail, None
        box.set("role", "region")
        box.set("tabindex", "0")
        box.set("aria-label", re.sub(r"\s+", " ", name.replace("\u00ad", "")))


def _table_name(table: HtmlElement) -> str:
    exercise = next((a for a in table.iterancestors("div") if "exercise" in _classes(a)), None)
    if exercise is not None:
        title = exercise.find(".//*[@class='exercise-title']")
        if title is not None:
            return title.text_content().strip()
    header = table.find(".//th")
    return f"Taulukko: {header.text_content().strip()}" if header is not None else "Taulukko"


def _tidy(section: HtmlElement, chapter: Chapter) -> None:
    """Drop what only the PDFs read; name the section's role."""
    for element in section.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("data-running-head", "data-bookmark", "data-id", "data-page"):
            element.attrib.pop(attribute, None)
        if element.get("style") and element.tag not in ("img",):
            element.attrib.pop("style")
    if chapter.layout == "references":
        section.set("data-epub-type", "bibliography")
        section.set("role", "doc-bibliography")
    else:
        section.set("data-epub-type", "chapter")
        section.set("role", "doc-chapter")
    section.set("aria-labelledby", f"{chapter.id}-otsikko")
    heading = section.find("h1")
    if heading is not None:
        heading.set("id", f"{chapter.id}-otsikko")


def serialise(section: HtmlElement, converted: Converted, *, web: bool) -> str:
    """*section* as XHTML for the EPUB, or as HTML for the web edition (*web*)."""
    if web:
        text = lxml.html.tostring(section, encoding="unicode")
        text = _DATA_EPUB_TYPE_RE.sub("", text)
        text = _XHTML_HREF_RE.sub(r"\1.html\2", text)
    else:
        text = etree.tostring(section, encoding="unicode", method="xml")
        text = _EPUB_TYPE_RE.sub(' epub:type="', text)
    return _SVG_PLACEHOLDER_RE.sub(lambda m: converted.svgs[m[1]], text)


def inner(serialised: str) -> str:
    """The content of a serialised element, without its own start and end tags."""
    return serialised[serialised.index(">") + 1 : serialised.rindex("</")]
