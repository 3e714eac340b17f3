"""Stage 5: the book model to one HTML document per edition (Jinja2, strict, autoescaped)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from markupsafe import Markup

from .config import PageFormat
from .errors import WorkbookError
from .model import Book
from .palette import Palette
from .variants import Variant

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = REPO_ROOT / "templates"
STYLES_DIR = REPO_ROOT / "styles"
BOOK_TEMPLATE = "book.html.j2"


@dataclass(frozen=True)
class Resources:
    """Where the edition-independent templates and styles are."""

    templates: Path = TEMPLATES_DIR
    styles: Path = STYLES_DIR


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


def render_html(book: Book, variant: Variant, palette: Palette, resources: Resources) -> str:
    """The complete HTML document of one edition."""
    config = book.project.config
    stylesheets = [(resources.styles / name).as_uri() for name in variant.stylesheets]
    inline_css = palette.css(variant.colour_space) + page_css(config.format, variant)
    try:
        template = environment(resources).get_template(BOOK_TEMPLATE)
        return template.render(
            book=book,
            pub=config.publication,
            isbn=config.isbn,
            variant=variant,
            stylesheets=stylesheets,
            inline_css=Markup(inline_css),
            chapters=[(c, Markup(c.html)) for c in book.chapters],
        )
    except TemplateError as exc:
        path = resources.templates / (getattr(exc, "name", None) or BOOK_TEMPLATE)
        raise WorkbookError(
            f"template error: {exc.message}",
            path=path,
            line=getattr(exc, "lineno", None),
            hint="check the names used in the template against workbook.htmlbook",
        ) from None


DEFAULT_RESOURCES = Resources()
