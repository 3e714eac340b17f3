"""Stage 5: the book model to one HTML document per edition (Jinja2, strict, autoescaped)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from markupsafe import Markup, escape

from workbook.config.editions import Variant
from workbook.config.palette import Palette
from workbook.config.publication import PageFormat
from workbook.errors import WorkbookError
from workbook.intake.illustrations import opener_height
from workbook.markup.exercises import BOX_MM, LINE_SPACING_MM
from workbook.model import Book
from workbook.paths import REPO

if TYPE_CHECKING:
    from workbook.html.colour import OutputProfile

REPO_ROOT = REPO
TEMPLATES_DIR = REPO_ROOT / "templates"
STYLES_DIR = REPO_ROOT / "styles"


@dataclass(frozen=True)
class Resources:
    """Where the edition-independent templates and styles are."""

    templates: Path = TEMPLATES_DIR
    styles: Path = STYLES_DIR

    @property
    def book_css(self) -> Path:
        """The stylesheet every edition uses (its ``@font-face`` rules name the fonts)."""
        return self.styles / "book.css"


def page_css(fmt: PageFormat, variant: Variant) -> str:
    """``@page`` rules from the config: trim size, bleed (press only) and margins."""
    width, height = fmt.trim
    m = fmt.margins
    bleed = f"bleed: {fmt.bleed:g}mm;" if variant.bleed else ""
    return (
        f"@page {{ size: {width:g}mm {height:g}mm; {bleed}"
        f" margin: {m.top:g}mm {m.outer:g}mm {m.bottom:g}mm {m.inner:g}mm; }}\n"
        f"@page :left {{ margin-left: {m.outer:g}mm; margin-right: {m.inner:g}mm; }}\n"
        f"@page :right {{ margin-left: {m.inner:g}mm; margin-right: {m.outer:g}mm; }}\n"
    )


def illustration_css(fmt: PageFormat, variant: Variant) -> str:
    """Geometry of full-page and chapter-opener illustrations, which reach into the bleed."""
    bleed = fmt.bleed if variant.bleed else 0.0
    width, height = fmt.trim
    m = fmt.margins
    band = opener_height(fmt)

    def mm(value: float) -> str:
        return f"{value + 0.0:g}mm"  # + 0.0: no "-0mm"

    return (
        f".placement-full-page {{ width: {width:g}mm; height: {height - 1:g}mm; }}\n"
        f".placement-full-page > img, .placement-full-page > .picture {{"
        f" top: {mm(-bleed)}; left: {mm(-bleed)};"
        f" width: {width + 2 * bleed:g}mm; height: {height + 2 * bleed:g}mm; }}\n"
        f".placement-opener > img, .placement-opener > .picture {{"
        f" top: {-(m.top + bleed):g}mm; left: {-(m.inner + bleed):g}mm;"
        f" width: {width + 2 * bleed:g}mm; height: {band + bleed:g}mm; }}\n"
        f"section.has-opener > h1.chapter-title {{ margin-top: {band - m.top + 10:g}mm; }}\n"
    )


def exercise_css() -> str:
    """Sizes of the exercises' ruled lines and boxes, from :mod:`workbook.markup.exercises`."""
    return f":root {{ --wb-line: {LINE_SPACING_MM:g}mm; --wb-box: {BOX_MM:g}mm; }}\n"


def colour_profile_css(profile: OutputProfile | None) -> str:
    """The ``@color-profile device-cmyk`` rule that makes WeasyPrint write a PDF/X output intent."""
    if profile is None:
        return ""
    return (
        f"@color-profile device-cmyk {{ src: url({profile.path.as_uri()});"
        " components: c, m, y, k; }\n"
    )


def environment(resources: Resources) -> Environment:
    """A Jinja2 environment that fails on undefined names and escapes HTML."""
    return Environment(
        loader=FileSystemLoader(resources.templates),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_PAGEREF_RE = re.compile(r'<a class="pageref" href="#([^"]+)">s\.\xa0</a>')


def chapter_refs(html: str, book: Book) -> str:
    """Page references as chapter references ("luku 6"): a handout has no book pages."""

    def chapter(match: re.Match[str]) -> str:
        target = book.targets[match[1]].chapter
        return f"luku\xa0{target.label}" if target.label else escape(target.title)

    return _PAGEREF_RE.sub(chapter, html)


def render_html(
    book: Book,
    variant: Variant,
    palette: Palette,
    resources: Resources,
    profile: OutputProfile | None = None,
) -> str:
    """The complete HTML document of one edition.

    Illustrations stay ``illustration:<id>`` URLs, answered at render time with
    the edition's prepared files; *profile* is the press edition's CMYK output
    profile (PDF/X output intent).
    """
    config = book.project.config
    stylesheets = [(resources.styles / name).as_uri() for name in variant.stylesheets]
    inline_css = (
        colour_profile_css(profile)
        + palette.css(variant.colour_space)
        + page_css(variant.page_format(config.format), variant)
        + illustration_css(config.format, variant)
        + exercise_css()
    )
    if variant.kind == "handout":
        chapters = [(c, Markup(chapter_refs(c.html, book))) for c in book.chapters if c.exercises]
    else:
        chapters = [(c, Markup(c.html)) for c in book.chapters]
    try:
        template = environment(resources).get_template(variant.template)
        return template.render(
            book=book,
            pub=config.publication,
            isbn=config.isbn,
            variant=variant,
            stylesheets=stylesheets,
            inline_css=Markup(inline_css),
            chapters=chapters,
        )
    except TemplateError as exc:
        path = resources.templates / (getattr(exc, "name", None) or variant.template)
        raise WorkbookError(
            f"template error: {exc.message}",
            path=path,
            line=getattr(exc, "lineno", None),
            hint="check the names used in the template against workbook.html.book",
        ) from None


DEFAULT_RESOURCES = Resources()
