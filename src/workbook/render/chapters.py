"""Chapters cut out of an edition's HTML, to be laid out alone.

Chapters open on a recto, so a chapter's pages depend on the rest of the book
only through its first page number and the page numbers it prints of other
chapters' targets. The chapter preview (:mod:`workbook.pipeline.preview`)
lays one chapter out alone; :mod:`workbook.render.assembly` lays out only the
parts of a book that changed (:func:`parts`) and puts their pages in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import tinycss2

from workbook.render import pagemap

_SECTION_RE = re.compile(r"<(/?)section\b[^>]*>")
# A chapter's opening tag (its id is the group ``chapter``).
CHAPTER_RE = re.compile(r'<section class="chapter\b[^"]*" id="(?P<chapter>[^"]+)"')
_ID_RE = re.compile(r'\bid="([^"]+)"')
_LINK_RE = re.compile(r'<a ([^>]*?)href="#([^"]+)"([^>]*)>')
_BODY_RE = re.compile(r"<body\b[^>]*>")
_SHEET_RE = re.compile(r'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"')
_STYLE_RE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)


def _section_end(html: str, start: int, chapter_id: str) -> int:
    depth = 0
    for match in _SECTION_RE.finditer(html, start):
        depth += -1 if match[1] else 1
        if depth == 0:
            return match.end()
    raise ValueError(f"the section of chapter '{chapter_id}' is not closed")


def chapter_spans(html: str) -> dict[str, tuple[int, int]]:
    """Every chapter's section span in *html*, in document order."""
    spans: dict[str, tuple[int, int]] = {}
    for opening in CHAPTER_RE.finditer(html):
        spans[opening[1]] = (opening.start(), _section_end(html, opening.start(), opening[1]))
    return spans


def changed_chapters(old: str, new: str) -> set[str] | None:
    """The chapters whose sections differ between two versions of an edition's HTML,
    or None when anything outside the chapters differs (or the chapters do)."""
    before, after = chapter_spans(old), chapter_spans(new)
    if list(before) != list(after):
        return None
    changed: set[str] = set()
    old_rest, new_rest, old_at, new_at = [], [], 0, 0
    for name, (start, end) in before.items():
        new_start, new_end = after[name]
        if old[start:end] != new[new_start:new_end]:
            changed.add(name)
        old_rest.append(old[old_at:start])
        new_rest.append(new[new_at:new_start])
        old_at, new_at = end, new_end
    if [*old_rest, old[old_at:]] != [*new_rest, new[new_at:]]:
        return None
    return changed


def chapters_document(
    html: str,
    chapter_ids: Sequence[str],
    first_page: int,
    pages: Mapping[str, int] | None = None,
    *,
    keep_links: bool = False,
    tail: str = "",
) -> str:
    """*html* (a whole edition) with only the chapters *chapter_ids* in its body (in
    the book's order), numbered from *first_page*; links to targets outside them
    print their page from *pages*. They lose their link (a preview), or with
    *keep_links* keep it, for pages that go into the whole book's document
    (:mod:`workbook.render.assembly`). *tail* follows the chapters."""
    spans = chapter_spans(html)
    missing = [name for name in chapter_ids if name not in spans]
    if missing:
        raise ValueError(f"no chapter section '{missing[0]}' in the HTML")
    body_open = _BODY_RE.search(html)
    body_close = html.rfind("</body>")
    if body_open is None or body_close < 0:
        raise ValueError("no <body> in the HTML")
    reset = f"<style>@page :first {{ counter-reset: page {first_page} }}</style>\n"
    head = html[: body_open.start()].replace("</head>", reset + "</head>", 1)
    wanted = [name for name in spans if name in set(chapter_ids)]
    sections = "\n".join(html[spans[name][0] : spans[name][1]] for name in wanted)
    if keep_links:
        sections = _outside_pages(sections, pages or {})
    else:
        sections = outside_links(sections, pages or {})
    return head + body_open[0] + "\n" + sections + tail + "\n" + html[body_close:]


def outside_links(sections: str, pages: Mapping[str, int]) -> str:
    """*sections* with their links to targets elsewhere unlinked, their page printed
    from *pages* ("?" for a target the map does not know yet)."""
    inside = ids_in(sections)

    def unlink(match: re.Match[str]) -> str:
        before, target, after = match[1], match[2], match[3]
        if target in inside:
            return match[0]
        attributes = re.sub(r'\s*data-page="[^"]*"', "", before + after).strip()
        page = pages.get(target, "?")
        return f'<a {attributes} data-page="{page}" data-target="{target}">'.replace("<a  ", "<a ")

    return _LINK_RE.sub(unlink, sections)


FRONT = "#front"
"""The name of the part before the first chapter (title, contents, lists; never an id)."""


def parts(html: str) -> dict[str, tuple[int, int]]:
    """The book's parts that open on a recto, in order: what comes before the first
    chapter (:data:`FRONT`, when anything does) and every chapter's section."""
    spans = chapter_spans(html)
    body = _BODY_RE.search(html)
    if not spans or body is None:
        return spans
    start = next(iter(spans.values()))[0]
    front = {FRONT: (body.end(), start)} if html[body.end() : start].strip() else {}
    return {**front, **spans}


PAD = "workbook-next-part"
"""The id of the empty stand-in for the next part that :func:`part_document` adds."""

_OPENING_RE = re.compile(r"<(\w+)\b([^>]*)>")


def part_document(
    html: str,
    name: str,
    first_page: int,
    pages: Mapping[str, int],
    *,
    pad: bool = False,
    keep_links: bool = True,
    stand_ins: bool = False,
) -> str:
    """The part *name* of *html* alone (:func:`parts`), numbered from *first_page*, the
    pages of targets elsewhere printed from *pages*; its links to them kept (for
    pages that go into a document with those targets), or without *keep_links*
    unlinked (:func:`outside_links`: for pages written alone).

    With *pad*, an empty copy of the next part's opening element (id :data:`PAD`)
    follows it: the part then ends as in the whole book, with the blank verso
    before a recto where one is needed, and the copy alone on the last page. With
    *stand_ins* that copy holds an empty element for each target elsewhere that
    the part links to, so that a PDF of the part alone keeps those links.
    """
    spans = parts(html) if pad or name == FRONT else {}
    tail = ""
    if pad:
        order = list(spans)
        following = spans[order[order.index(name) + 1]][0]
        tag, attributes = _OPENING_RE.match(html, following).groups()  # type: ignore[union-attr]
        attributes = _ID_RE.sub("", attributes).rstrip()
        part = html[slice(*spans[name])]
        inner = (
            "".join(f'<div id="{t}"></div>' for t in sorted(link_targets(part) - ids_in(part)))
            if stand_ins
            else ""
        )
        tail = f'\n<{tag}{attributes} id="{PAD}" aria-hidden="true">{inner}</{tag}>'
    if name != FRONT:
        return chapters_document(html, [name], first_page, pages, keep_links=keep_links, tail=tail)
    start, end = spans[FRONT]
    outside = _outside_pages if keep_links else outside_links
    return html[:start] + outside(html[start:end], pages) + tail + html[html.rfind("</body>") :]


def _outside_pages(sections: str, pages: Mapping[str, int]) -> str:
    """*sections* printing the pages of targets outside them from *pages*, links kept
    (the numbers of targets inside are left to the layout's own check)."""
    inside = ids_in(sections)
    return pagemap.with_pages(sections, {k: v for k, v in pages.items() if k not in inside})[0]


def ids_in(html: str) -> set[str]:
    """The ids of the elements in *html*."""
    return set(_ID_RE.findall(html))


def link_targets(html: str) -> set[str]:
    """The targets of the internal links in *html*."""
    return {match[2] for match in _LINK_RE.finditer(html)}


def styles_first_page(html: str) -> bool:
    """Whether the styles of *html* (its ``<style>`` elements and the local stylesheets
    it links, with their ``@import``s) have ``@page`` rules for ``:first``.

    Such a rule styles the book's first page; in a chapter laid out alone it would
    style the chapter's first page instead. A book with one is not assembled from
    chapters, and its chapter previews say so.
    """
    head = html[: m.start()] if (m := _BODY_RE.search(html)) else html
    sheets = [(text, None) for text in _STYLE_RE.findall(head)]
    sheets += [(None, url) for url in _SHEET_RE.findall(head)]
    return any(_first_page_rule(text, url, set()) for text, url in sheets)


def _first_page_rule(text: str | None, url: str | None, seen: set[str]) -> bool:
    if text is None:
        if url is None or url in seen or urlparse(url).scheme != "file":
            return False
        seen.add(url)
        try:
            text = Path(unquote(urlparse(url).path)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False  # the renderer reports a stylesheet it cannot read
    for rule in _rules(text):
        prelude = tinycss2.serialize(rule.prelude or [])
        if rule.lower_at_keyword == "page" and ":first" in prelude.lower():
            return True
        if rule.lower_at_keyword == "import" and url is not None:
            target = next((t.value for t in rule.prelude if t.type in ("string", "url")), None)
            if target and _first_page_rule(None, urljoin(url, target), seen):
                return True
    return False


def _rules(text: str) -> Iterator[tinycss2.ast.AtRule]:
    """The at-rules of a stylesheet, also inside ``@media`` blocks."""
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule":
            continue
        if rule.lower_at_keyword == "media" and rule.content is not None:
            yield from _rules(tinycss2.serialize(rule.content))
        else:
            yield rule
