"""Raw HTML in a chapter, judged by an allowlist before anything is converted.

An editor may write the little HTML a book needs (``<sub>``, ``<sup>``,
``<abbr title>``, ``<span lang>``, ``<br>``, ``<div markdown="1">``, plain
tables). Everything else could break a promise of the book: a ``style`` puts
RGB colour on the press, an ``<img>`` bypasses the illustration manifest, an
``<input>`` makes a form field on paper, a ``<script>`` has no place in a PDF.
Each tag of the chapter's raw HTML goes through the maintained sanitizer
``nh3`` (ammonia) with the allowlist below; a tag or attribute it would drop,
a link with another scheme than http, https or mailto, and a tag left open
(an unclosed ``<table>`` swallows the rest of the chapter) are refused, one
line each, naming the chapter line. Nothing is silently cleaned: the editor
learns what was refused and where.

The scan reads the chapter as written, skipping code (fenced blocks and
inline code spans), Markdown's escapes (``\\<``) and autolinks (``<https://…>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

TAGS = frozenset(
    {
        # text
        "a", "abbr", "b", "br", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd",
        "q", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var", "wbr",
        # blocks
        "blockquote", "dd", "div", "dl", "dt", "hr", "li", "ol", "p", "pre", "ul",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
GENERIC_ATTRIBUTES = frozenset({"class", "lang", "title", "markdown"})
ATTRIBUTES = {
    "*": set(GENERIC_ATTRIBUTES),
    "a": {"href"},
    "ol": {"start", "reversed"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
VOID = frozenset({"br", "wbr", "hr", "img", "input", "col", "area", "embed", "link", "meta",
                  "param", "source", "track", "base"})  # fmt: skip
OPTIONAL_END = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot",
                          "caption", "option", "colgroup"})  # fmt: skip
_TABLE_PARTS = {"td": "<table><tr>{}</tr></table>", "th": "<table><tr>{}</tr></table>",
                "tr": "<table>{}</table>", "thead": "<table>{}</table>",
                "tbody": "<table>{}</table>", "tfoot": "<table>{}</table>",
                "caption": "<table>{}</table>"}  # fmt: skip
_TAG_NAME_RE = re.compile(r"^[a-z][a-z0-9]*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1")
_ESCAPED_RE = re.compile(r"\\[<&]")
_AUTOLINK_RE = re.compile(r"<(?:[a-z][a-z0-9+.-]*:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)
HINT = (
    "a chapter may use the HTML docs/editing.md lists: <sub>, <sup>, <abbr>, <span>, <br>, "
    '<div markdown="1">, lists and tables, with class, lang and title'
)


@dataclass(frozen=True)
class Refusal:
    """What was refused, on which line of the chapter body (1-based)."""

    line: int
    message: str
    hint: str


def blank_code(body: str) -> str:
    """*body* with code, escapes and autolinks blanked out (lines and columns kept)."""
    lines = []
    fenced = False
    for line in body.split("\n"):
        if _FENCE_RE.match(line):
            fenced = not fenced
            lines.append("")
            continue
        if fenced:
            lines.append("")
            continue
        line = _CODE_SPAN_RE.sub(lambda m: " " * len(m[0]), line)
        line = _ESCAPED_RE.sub("  ", line)
        lines.append(_AUTOLINK_RE.sub(lambda m: " " * len(m[0]), line))
    return "\n".join(lines)


class _Scanner(HTMLParser):
    """The start and end tags of raw HTML, with their lines, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, str, int, list[tuple[str, str | None]], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool = False) -> None:
        if _TAG_NAME_RE.match(tag):
            kind = "void" if closed else "start"
            self.tags.append((kind, tag, self.getpos()[0], attrs, self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        if _TAG_NAME_RE.match(tag):
            self.tags.append(("end", tag, self.getpos()[0], [], ""))


def check_chapter(body: str, nesting: int) -> list[Refusal]:
    """Every refusal of the raw HTML in a chapter *body* (lines count from the body)."""
    scanner = _Scanner()
    scanner.feed(blank_code(body))
    scanner.close()
    refused: list[Refusal] = []
    stack: list[tuple[str, int]] = []
    deep = False
    for kind, tag, line, attrs, raw in scanner.tags:
        if kind == "end":
            refused += _close(stack, tag, line)
            continue
        refused += judge(tag, attrs, raw, line)
        if kind == "start" and tag not in VOID:
            stack.append((tag, line))
            if len(stack) > nesting and not deep:
                deep = True
                refused.append(
                    Refusal(
                        line,
                        f"raw HTML is nested {len(stack)} deep, more than {nesting}",
                        "raise limits.nesting in publication.toml only if the book needs it",
                    )
                )
    for tag, line in stack:
        if tag not in OPTIONAL_END:
            refused.append(
                Refusal(line, f"'<{tag}>' is not closed", f"add '</{tag}>' where it ends")
            )
    return refused


def _close(stack: list[tuple[str, int]], tag: str, line: int) -> list[Refusal]:
    """Pop *tag* off *stack*; what it leaves open or closes wrongly is refused."""
    if not any(open_tag == tag for open_tag, _ in stack):
        if tag in VOID:
            return []
        return [Refusal(line, f"'</{tag}>' closes no open tag", f"remove it, or open <{tag}>")]
    refused = []
    while stack:
        open_tag, opened = stack.pop()
        if open_tag == tag:
            break
        if open_tag not in OPTIONAL_END:
            refused.append(
                Refusal(
                    opened,
                    f"'<{open_tag}>' is not closed before '</{tag}>' (line {line})",
                    f"add '</{open_tag}>' before '</{tag}>'",
                )
            )
    return refused


def judge(tag: str, attrs: list[tuple[str, str | None]], raw: str, line: int) -> list[Refusal]:
    """What the allowlist refuses of one start tag: the tag, or some of its attributes."""
    closing = "" if tag in VOID else f"</{tag}>"
    fragment = _TABLE_PARTS.get(tag, "{}").format(raw + closing)
    cleaned = nh3.clean(
        fragment,
        tags=set(TAGS),
        attributes={key: set(value) for key, value in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    kept = _first(cleaned, tag)
    if kept is None:
        return [Refusal(line, f"raw HTML '<{tag}>' is not allowed in a chapter", HINT)]
    refused = []
    for name, value in attrs:
        if name in kept:
            continue
        if name == "href" and value is not None and _SCHEME_RE.match(value):
            scheme = _SCHEME_RE.match(value)[1].lower()  # type: ignore[index]
            message = f"link to '{scheme}:' is not allowed"
            hint = "links may go to http:, https: or mailto: addresses, or to #ids of the book"
        else:
            message = f"attribute '{name}' of <{tag}> is not allowed"
            hint = (
                "colours, sizes and fonts come from the book's styles; "
                "use Markdown or the allowed attributes (class, lang, title)"
            )
        refused.append(Refusal(line, message, hint))
    return refused


class _FirstTag(HTMLParser):
    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.attributes: set[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag and self.attributes is None:
            self.attributes = {name for name, _ in attrs}

    handle_startendtag = handle_starttag


def _first(html: str, tag: str) -> set[str] | None:
    """The attribute names of the first *tag* in *html*, or None when there is none."""
    parser = _FirstTag(tag)
    parser.feed(html)
    parser.close()
    return parser.attributes


def link_refusal(href: str) -> tuple[str, str] | None:
    """Why a Markdown link to *href* is refused (message, hint), or None."""
    match = _SCHEME_RE.match(href)
    if match is None or match[1].lower() in URL_SCHEMES:
        return None
    return (
        f"link to '{match[1].lower()}:' is not allowed",
        "links may go to http:, https: or mailto: addresses, or to #ids of the book",
    )


def attribute_refusal(tag: str, name: str) -> tuple[str, str] | None:
    """Why an attribute written with ``{: name=value}`` is refused, or None."""
    if name in ("id", "class") or name in GENERIC_ATTRIBUTES or name in ATTRIBUTES.get(tag, ()):
        return None
    return (
        f"attribute '{name}' is not allowed in '{{: ...}}'",
        "give an element an {#id} or a {.class}; colours and sizes come from the book's styles",
    )
