"""The web edition: the e-book's documents as static HTML pages in ``build/web/``.

One page per chapter and a contents page (title, contents, colophon), each
with a skip link, the book's language on ``<html>``, the publication's
navigation, links to the previous and next chapter, and a footer link to the
accessibility statement. The text is the EPUB's (:mod:`.content`), serialised
as HTML; it uses the book's fonts as WOFF2 subsets and needs no JavaScript.
``styles/web.css`` adds the page frame: the width of a line, focus outlines,
and a layout that reflows down to 320 CSS pixels. The download page
(``index.html``) is :mod:`.download`'s.
"""

from __future__ import annotations

from markupsafe import Markup

from workbook.config.publication import Project
from workbook.ebook.assets import Assets
from workbook.ebook.content import FRONT, Converted, serialise
from workbook.ebook.epub import toc_tree
from workbook.ebook.exercises import FORMATS_TEXT
from workbook.html.book import Resources, environment
from workbook.model import Book

CONTENTS_PAGE = f"{FRONT['contents']}.html"
DOWNLOADS_LINK = ' <a href="index.html#lataukset">Lataa tiedostot</a>.'


def page(
    project: Project,
    resources: Resources,
    *,
    kind: str,
    title: str,
    body: str,
    pager: dict | None = None,
) -> bytes:
    """One page of the web edition around *body* (HTML)."""
    pub = project.config.publication
    text = (
        environment(resources)
        .get_template("ebook/web-page.html.j2")
        .render(
            lang=pub.language,
            title=title,
            description=pub.description,
            kind=kind,
            book_title=f"{pub.title} – {pub.subtitle}" if pub.subtitle else pub.title,
            body=Markup(body),
            pager=pager,
            footer=f"© Tekijät ja {pub.publisher} {pub.year}",
        )
    )
    return text.encode("utf-8")


def _web_links(html: str) -> str:
    """Links that only the web edition has: the exercises' files on the download page."""
    return html.replace(f"{FORMATS_TEXT}</p>", f"{FORMATS_TEXT}{DOWNLOADS_LINK}</p>")


def _demote(html: str, cls: str) -> str:
    """An ``h1`` of the front matter as an ``h2`` under the page's own title."""
    start = f'<h1 class="{cls}"'
    if start not in html:
        return html
    head, _, rest = html.partition(start)
    heading, _, tail = rest.partition("</h1>")
    return f'{head}<h2 class="{cls}"{heading}</h2>{tail}'


def pages(
    book: Book, converted: Converted, assets: Assets, resources: Resources
) -> dict[str, bytes]:
    """Every file of the web edition but the download page, by its path in ``web/``."""
    pub = book.project.config.publication
    files: dict[str, bytes] = {}
    files["css/ebook.css"] = assets.css.encode("utf-8")
    files["css/web.css"] = assets.web_css.encode("utf-8")
    for name, path in assets.fonts.items():
        files[f"fonts/{name}"] = path.read_bytes()
    for name, path in assets.licences.items():
        files[f"fonts/{name}"] = path.read_bytes()
    for ident, path in assets.images.items():
        files[f"images/{assets.image_name(ident)}"] = path.read_bytes()

    def section(kind: str) -> str:
        document = next(d for d in converted.documents if d.kind == kind)
        return serialise(document.section, converted, web=True)

    contents_head = section("contents")
    head = contents_head[contents_head.index(">") + 1 : contents_head.rindex("</section>")]
    toc = toc_tree(book, converted)
    _web_hrefs(toc)
    body = (
        environment(resources)
        .get_template("ebook/web-contents.html.j2")
        .render(
            title_page=Markup(section("title-page")),
            head=Markup(_demote(head, "contents-title")),
            toc=toc,
            colophon=Markup(_demote(section("colophon"), "colophon-title")),
        )
    )
    chapters = [d for d in converted.documents if d.chapter is not None]
    first = {"href": f"{chapters[0].name}.html", "title": chapters[0].title} if chapters else None
    files[CONTENTS_PAGE] = page(
        book.project,
        resources,
        kind="contents",
        title=f"Sisällys – {pub.title}",
        body=body,
        pager={"previous": None, "next": first},
    )
    for index, document in enumerate(chapters):
        before = chapters[index - 1] if index else None
        after = chapters[index + 1] if index + 1 < len(chapters) else None
        pager = {
            "previous": {"href": f"{before.name}.html", "title": before.title}
            if before
            else {"href": CONTENTS_PAGE, "title": "Sisällys"},
            "next": {"href": f"{after.name}.html", "title": after.title} if after else None,
        }
        files[f"{document.name}.html"] = page(
            book.project,
            resources,
            kind="chapter",
            title=f"{document.title} – {pub.title}",
            body=_web_links(serialise(document.section, converted, web=True)),
            pager=pager,
        )
    return files


def _web_hrefs(entries: list[dict]) -> None:
    for entry in entries:
        entry["href"] = entry["href"].replace(".xhtml", ".html", 1)
        _web_hrefs(entry["children"])
