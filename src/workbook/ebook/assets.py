"""What the EPUB and the web edition share besides the text: fonts, pictures, charts, CSS.

- **Fonts**: every face ``styles/book.css`` declares (the form-field face
  aside), subset to Latin-1, Latin Extended-A, the usual punctuation and every
  character of the book, as WOFF2. A subset depends only on the font file and
  that character set, so it is made once and kept in ``build/cache/ebook-fonts/``
  (subsetting the nine faces takes seconds; a rebuild takes none).
- **Illustrations**: the e-version's prepared files (:mod:`workbook.html.images`:
  sRGB, resampled to ``images.screen_ppi`` at their placed size, so a page-wide
  picture is about 1,200 pixels wide), from the same cache.
- **Charts**: the e-version's SVG (:mod:`workbook.html.charts`), set inline in
  the text so that they use the book's fonts.
- **Stylesheet**: ``styles/ebook.css`` with the palette's sRGB colours written
  in (older reading systems know no custom properties) and the ``@font-face``
  rules of the subsets.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbook.config.editions import SCREEN
from workbook.config.palette import Palette
from workbook.model import Book

FONT_CACHE_VERSION = "1"
SKIPPED_FAMILIES = {"Workbook Fields"}  # the PDF form fields' face: no forms here
_FONT_FACE_RE = re.compile(r"@font-face\s*\{([^}]*)\}")
_DESCRIPTOR_RE = re.compile(r"([a-z-]+)\s*:\s*([^;]+);")
_URL_RE = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
_VAR_RE = re.compile(r"var\(--([a-z0-9-]+)\)")
_SVG_SIZE_RE = re.compile(r'\s(?:width|height)="[^"]*"')

# Always in the subsets: Basic Latin, Latin-1, Latin Extended-A, dashes,
# quotes, ellipsis, bullets, per mille, guillemets, euro, arrows, minus, circle.
BASE_CODEPOINTS = frozenset(
    [
        *range(0x20, 0x7F),
        *range(0xA0, 0x180),
        *range(0x2010, 0x2027),
        0x2030,
        0x2039,
        0x203A,
        0x20AC,
        *range(0x2190, 0x219A),
        0x2212,
        0x25CB,
    ]
)


@dataclass(frozen=True)
class Face:
    """One ``@font-face`` of the book."""

    family: str
    weight: str
    style: str
    source: Path

    @property
    def file_name(self) -> str:
        """The subset's file name in the ``fonts/`` folder."""
        return f"{self.source.stem}.woff2"


@dataclass
class Assets:
    """Files and text ready to be placed in the EPUB and the web edition."""

    fonts: dict[str, Path] = field(default_factory=dict)  # name in fonts/ -> cached file
    licences: dict[str, Path] = field(default_factory=dict)  # name in fonts/ -> licence
    images: dict[str, Path] = field(default_factory=dict)  # illustration id -> file
    pixels: dict[str, tuple[int, int]] = field(default_factory=dict)  # raster sizes
    charts: dict[str, str] = field(default_factory=dict)  # chart id -> SVG text
    css: str = ""  # the stylesheet, fonts and colours resolved
    web_css: str = ""  # the web edition's page frame, colours resolved

    def image_name(self, ident: str) -> str:
        """The illustration's file name in the ``images/`` folder."""
        return f"{ident}{self.images[ident].suffix}"


def book_faces(stylesheet: Path) -> list[Face]:
    """The faces ``book.css`` declares, in its order (without the form-field face)."""
    faces = []
    text = stylesheet.read_text(encoding="utf-8")
    for block in _FONT_FACE_RE.findall(text):
        descriptors = dict(_DESCRIPTOR_RE.findall(block))
        family = descriptors.get("font-family", "").strip().strip("\"'")
        url = _URL_RE.search(descriptors.get("src", ""))
        if not family or url is None or family in SKIPPED_FAMILIES:
            continue
        faces.append(
            Face(
                family=family,
                weight=descriptors.get("font-weight", "400").strip(),
                style=descriptors.get("font-style", "normal").strip(),
                source=(stylesheet.parent / url[1]).resolve(),
            )
        )
    return faces


def book_codepoints(book: Book) -> frozenset[int]:
    """Every character the e-book may set: the base set and the book's own text."""
    pub = book.project.config.publication
    texts = [pub.title, pub.subtitle, pub.publisher, *pub.authors, pub.illustrator]
    texts += [chapter.html for chapter in book.chapters]
    texts += [chapter.title for chapter in book.chapters]
    found = {ord(c) for text in texts for c in text if ord(c) >= 0x20}
    return BASE_CODEPOINTS | frozenset(found)


def subset_fonts(faces: list[Face], codepoints: frozenset[int], cache: Path) -> dict[str, Path]:
    """Each face subset to *codepoints* as WOFF2, made once per font file and character set."""
    import fontTools

    key = f"{FONT_CACHE_VERSION} {fontTools.version} " + ",".join(map(str, sorted(codepoints)))
    made: dict[str, Path] = {}
    for face in faces:
        data = face.source.read_bytes()
        digest = hashlib.sha256(data + key.encode()).hexdigest()[:20]
        target = cache / f"{face.source.stem}-{digest}.woff2"
        if not target.exists():
            cache.mkdir(parents=True, exist_ok=True)
            _subset(face.source, codepoints, target)
        made[face.file_name] = target
    return made


def _subset(source: Path, codepoints: frozenset[int], target: Path) -> None:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # kerning, ligatures, figures: as in print
    options.name_IDs = ["*"]  # the copyright and licence names stay
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["Silf", "Silt", "Sill", "Glat", "Gloc", "Feat"]  # Graphite
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "... pruned" notes
    font = subset.load_font(str(source), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codepoints))
        subsetter.subset(font)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        subset.save_font(font, str(temp), options)
        os.replace(temp, target)
    finally:
        font.close()


def font_css(faces: list[Face]) -> str:
    """``@font-face`` rules for the subsets, from a stylesheet in ``css/``."""
    return "".join(
        f'@font-face {{ font-family: "{face.family}"; src: url(../fonts/{face.file_name})'
        f' format("woff2"); font-weight: {face.weight}; font-style: {face.style};'
        " font-display: swap; }\n"
        for face in faces
    )


def stylesheet(source: Path, palette: Palette) -> str:
    """A stylesheet with the palette's sRGB colours in place of ``var(--name)``."""
    text = source.read_text(encoding="utf-8")

    def colour(match: re.Match[str]) -> str:
        try:
            return palette[match[1]].srgb
        except KeyError:
            return match[0]

    return _VAR_RE.sub(colour, text)


def chart_svg(svg: str, alt: str) -> str:
    """A chart's SVG to set inline: scalable (no fixed size), one image with *alt* as
    its name (its labels are not read out one by one)."""
    from markupsafe import escape

    head, _, rest = svg.partition(">")
    head = _SVG_SIZE_RE.sub("", head)
    return f'{head} role="img" aria-label="{escape(alt)}" class="chart-svg">{rest}'


def fonts(book: Book, styles: Path, cache: Path) -> dict[str, Path]:
    """The book's faces subset for the e-book (the slow part: run beside the render)."""
    faces = book_faces(styles / "book.css")
    return subset_fonts(faces, book_codepoints(book), cache / "ebook-fonts")


def prepare_assets(
    book: Book,
    styles: Path,
    palette: Palette,
    cache: Path,
    subsets: dict[str, Path] | None = None,
) -> Assets:
    """Everything but the text: fonts (*subsets* when already made), illustrations,
    charts, stylesheet; cached files are reused."""
    from workbook.html.images import prepare_book, prepare_charts

    faces = book_faces(styles / "book.css")
    assets = Assets()
    assets.fonts = subsets or subset_fonts(faces, book_codepoints(book), cache / "ebook-fonts")
    for face in faces:
        licence = face.source.parent / "LICENSE.txt"
        if licence.is_file():
            assets.licences[f"{face.source.parent.name}-LICENSE.txt"] = licence
    for ident, prepared in prepare_book(book, SCREEN, None, cache / "images").items():
        assets.images[ident] = prepared.path
        if prepared.pixels:
            assets.pixels[ident] = prepared.pixels
    for ident, path in prepare_charts(book, SCREEN, palette, cache / "charts").items():
        assets.charts[ident] = path.read_text(encoding="utf-8")
    assets.css = font_css(faces) + stylesheet(styles / "ebook.css", palette)
    assets.web_css = stylesheet(styles / "web.css", palette)
    return assets
