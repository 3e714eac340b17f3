"""The EPUB 3 package: documents, navigation, metadata, and a reproducible zip.

The package document carries the bibliographic metadata (the EPUB's own ISBN
as its identifier, the printed book's as ``dc:source``, the source of the page
list) and the accessibility metadata of EPUB Accessibility 1.1: access modes,
features, hazards, a summary in the book's language, and the conformance claim
``EPUB Accessibility 1.1 - WCAG 2.1 Level AA``. The navigation document is
also the contents page: the contents, the landmarks and the page list.

The same inputs give the same bytes: the zip's entries are in a fixed order
(``mimetype`` first and stored, then the rest by name), with the publication
day as every entry's time and fixed permissions; ``dcterms:modified`` is the
publication day too.
"""

from __future__ import annotations

import datetime
import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from markupsafe import Markup

from workbook.ebook.assets import Assets
from workbook.ebook.content import FRONT, Converted, inner, serialise
from workbook.html.book import Resources, environment
from workbook.model import Book

MEDIA_TYPES = {
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
}
STORED = {".jpg", ".png", ".gif", ".woff2"}  # compressed already
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
FEATURES = (
    "alternativeText",
    "displayTransformability",
    "pageBreakMarkers",
    "pageNavigation",
    "readingOrder",
    "structuralNavigation",
    "tableOfContents",
)
SUMMARY = (
    "Mukautuva EPUB 3 -julkaisu, joka noudattaa EPUB Accessibility 1.1 -ohjetta ja WCAG 2.1 "
    "AA -tasoa. Julkaisussa on rakenteiset otsikot, sisällysluettelo ja linkitetty "
    "hakemisto painetun kirjan sivuihin. Kaikilla informatiivisilla kuvilla on "
    "tekstivastine, ja koristekuvat on merkitty. Kuvioiden luvut ovat myös taulukoina. "
    "Alaviitteet ovat linkkejä molempiin suuntiin. Tehtävät ovat luettavina teksteinä; "
    "täytettävät versiot ovat saavutettavassa PDF-tiedostossa ja työpajamonisteessa. "
    "Julkaisussa ei ole ääntä, videota eikä vilkkuvaa sisältöä."
)


@dataclass(frozen=True)
class EpubFacts:
    """What the download page says about an EPUB."""

    identifier: str
    isbn: str
    pages: int  # printed pages in its page list
    documents: int


def identifier(book: Book) -> tuple[str, bool]:
    """The EPUB's identifier (its ISBN as a URN, else a UUID from the slug) and whether
    it is an ISBN."""
    config = book.project.config
    if config.isbn.epub:
        return f"urn:isbn:{config.isbn.epub.replace('-', '')}", True
    slug = config.publication.slug
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'workbook:{slug}:epub')}", False


def package(
    book: Book, converted: Converted, assets: Assets, resources: Resources
) -> tuple[dict[str, bytes], EpubFacts]:
    """Every file of the EPUB by its path in the zip."""
    config = book.project.config
    pub = config.publication
    env = environment(resources)
    files: dict[str, bytes] = {}
    svg_docs = set()
    for document in converted.documents:
        if document.kind == "contents":
            continue
        body = serialise(document.section, converted, web=False)
        if "<svg" in body:
            svg_docs.add(document.name)
        files[f"EPUB/{document.name}.xhtml"] = _render(
            env,
            "ebook/document.xhtml.j2",
            lang=pub.language,
            title=f"{document.title} – {pub.title}",
            body=Markup(body),
            body_type="bodymatter" if document.chapter is not None else "frontmatter",
        )
    contents = converted.document(FRONT["contents"])
    files[f"EPUB/{contents.name}.xhtml"] = _render(
        env,
        "ebook/nav.xhtml.j2",
        lang=pub.language,
        title=f"Sisällys – {pub.title}",
        head=Markup(inner(serialise(contents.section, converted, web=False))),
        toc=toc_tree(book, converted),
        landmarks=landmarks(book, converted),
        pages=page_list(converted),
    )
    files["EPUB/css/ebook.css"] = assets.css.encode("utf-8")
    for name, path in assets.fonts.items():
        files[f"EPUB/fonts/{name}"] = path.read_bytes()
    for ident, path in assets.images.items():
        files[f"EPUB/images/{assets.image_name(ident)}"] = path.read_bytes()
    ident, is_isbn = identifier(book)
    items = []
    for path in sorted(p for p in files if p.startswith("EPUB/")):
        href = path.removeprefix("EPUB/")
        stem = href.rsplit(".", 1)[0]
        properties = []
        if stem == contents.name:
            properties.append("nav")
        if stem in svg_docs:
            properties.append("svg")
        items.append(
            {
                "id": _item_id(href),
                "href": href,
                "media_type": MEDIA_TYPES[Path(href).suffix],
                "properties": " ".join(properties),
            }
        )
    spine = [_item_id(f"{d.name}.xhtml") for d in converted.documents]
    modified = (pub.date or datetime.date(pub.year, 1, 1)).isoformat()
    files["EPUB/package.opf"] = _render(
        env,
        "ebook/package.opf.j2",
        pub=pub,
        book=book,
        identifier=ident,
        source=f"urn:isbn:{config.isbn.print.replace('-', '')}",
        modified=f"{modified}T00:00:00Z",
        items=items,
        spine=spine,
        features=FEATURES,
        summary=SUMMARY,
        conforms_to=CONFORMS_TO,
        certified_by=pub.publisher,
        date=modified,
    )
    files["META-INF/container.xml"] = _render(env, "ebook/container.xml.j2")
    files["mimetype"] = b"application/epub+zip"
    facts = EpubFacts(ident, config.isbn.epub if is_isbn else "", converted.page_count, len(spine))
    return files, facts


def _item_id(href: str) -> str:
    """A manifest id from a file name: letters, digits, hyphens, not starting with a digit."""
    cleaned = "".join(c if c.isalnum() else "-" for c in href)
    return f"f-{cleaned}"


def _render(env, template: str, **context) -> bytes:
    text = env.get_template(template).render(**context)
    data = text.encode("utf-8")
    if template.endswith(("xhtml.j2", ".opf.j2", ".xml.j2")):
        try:
            etree.fromstring(data)
        except etree.XMLSyntaxError as exc:  # our templates or converter: a bug
            raise RuntimeError(f"{template} made XML that is not well-formed: {exc}") from None
    return data


def toc_tree(book: Book, converted: Converted) -> list[dict]:
    """The contents as nested entries (``label``, ``title``, ``href``, ``children``)."""
    root: list[dict] = []
    stack: list[tuple[int, list[dict]]] = [(0, root)]
    for entry in book.toc:
        while stack[-1][0] >= entry.level:
            stack.pop()
        item = {
            "label": entry.label,
            "title": entry.title,
            "href": converted.href(entry.id),
            "children": [],
        }
        stack[-1][1].append(item)
        stack.append((entry.level, item["children"]))
    return root


def landmarks(book: Book, converted: Converted) -> list[dict]:
    """The landmarks: title page, contents, where the text begins, the bibliography."""
    marks = [
        {"type": "titlepage", "href": f"{FRONT['title-page']}.xhtml", "title": "Nimiösivu"},
        {"type": "toc", "href": f"{FRONT['contents']}.xhtml#toc", "title": "Sisällys"},
    ]
    chapters = [d for d in converted.documents if d.chapter is not None]
    if chapters:
        first = next((d for d in chapters if d.chapter.number is not None), chapters[0])
        marks.append({"type": "bodymatter", "href": f"{first.name}.xhtml", "title": "Teksti"})
    for document in chapters:
        if document.chapter.layout == "references":
            marks.append(
                {"type": "bibliography", "href": f"{document.name}.xhtml", "title": document.title}
            )
    return marks


def page_list(converted: Converted) -> list[dict]:
    """The page list: each printed page and its marker."""
    names = {(d.kind if d.chapter is None else d.chapter.id): d.name for d in converted.documents}
    return [
        {"page": page, "href": f"{names[section]}.xhtml#{ident}"}
        for page, (section, ident) in sorted(converted.pages.targets.items())
    ]


def zip_bytes(files: dict[str, bytes], day: datetime.date) -> bytes:
    """A reproducible EPUB zip: ``mimetype`` first and stored, the rest by name."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    buffer = io.BytesIO()
    order = ["mimetype", *sorted(n for n in files if n != "mimetype")]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = name == "mimetype" or Path(name).suffix in STORED
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=None if stored else 9)
    return buffer.getvalue()


def epub_name(slug: str) -> str:
    """The EPUB's file name, beside the PDFs: ``<slug>.epub``."""
    return f"{slug}.epub"


def check_isbn(book: Book) -> list[str]:
    """Warnings about the EPUB's identifier (a missing ``isbn.epub`` is allowed)."""
    if book.project.config.isbn.epub:
        return []
    return [
        f"{book.project.config_path.name}: no isbn.epub; the EPUB is identified by a UUID "
        '(add [isbn] epub = "978-..." before publishing it)'
    ]
