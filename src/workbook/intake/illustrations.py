"""Stage 2b: the illustration manifest, the delivered files, and where they are placed.

``illustrations.toml`` has one table per illustration, named by its id::

    [kohtaaminen]
    file = "kohtaaminen.jpg"
    placement = "full-page"        # inline | half-page | full-page | opener
    alt = "Kirjastonhoitaja tervehtii asiakasta palvelutiskillä."

Everything is checked before rendering: the file exists, opens, is not a
decompression bomb, and has enough pixels for the press edition at its placed
size (300 ppi by default; raster line art 600 ppi; SVG is vector).
"""

from __future__ import annotations

import contextlib
import re
import warnings
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import PIL
from PIL import Image, ImageFile, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, Field

from workbook.config.files import check_inside, regular_file
from workbook.config.publication import PageFormat, Project, toml_key_line
from workbook.errors import Collector, WorkbookError
from workbook.intake.manifests import RawManifest, Registry, read_manifest, validate_entry

if TYPE_CHECKING:
    from workbook.pipeline.freshness import KeptFacts

MM_PER_INCH = 25.4
OPENER_HEIGHT = 0.42  # visible height of a chapter-opener band, share of the trim height
INLINE_MAX_HEIGHT = 0.55  # of the type area height
HALF_PAGE_HEIGHT = 0.45  # of the type area height
RASTER_FORMATS = {"PNG", "JPEG", "TIFF"}
_SVG_NS = "{http://www.w3.org/2000/svg}"
_SVG_FORBIDDEN = {
    "image": "an embedded raster image",
    "script": "a script",
    "foreignObject": "foreign content",
    "text": "text",
    "style": "a <style> block",
}


_PAINT_ATTRS = {"fill", "stroke", "stop-color", "color", "flood-color"}
_PAINT_OK_RE = re.compile(
    r"^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}|none|black|white|currentColor|inherit|url\(#[^)]+\))$"
)


def _style_paints(value: str, attr: str) -> list[str]:
    """Paint values inside a ``style="fill: ...; stroke: ..."`` attribute."""
    if attr != "style":
        return []
    paints = []
    for declaration in value.split(";"):
        name, _, paint = declaration.partition(":")
        if name.strip() in _PAINT_ATTRS:
            paints.append(paint)
    return paints


class Placement(StrEnum):
    """Where an illustration sits on the page."""

    INLINE = "inline"  # in the text column, `width` of the column
    HALF_PAGE = "half-page"  # column wide, up to about half the type area high
    FULL_PAGE = "full-page"  # a page of its own, printed to the bleed
    OPENER = "opener"  # a band across the top of a chapter's first page, to the bleed


class Entry(BaseModel):
    """One illustration as the manifest declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    file: str = Field(min_length=1)
    placement: Placement = Placement.INLINE
    alt: str = ""
    caption: str = ""
    credit: str | None = None  # default: "Piirros: <illustrator>" from publication.toml
    decorative: bool = False
    width: float = Field(default=1.0, ge=0.2, le=1.0)  # inline: share of the column width
    line_art: bool = False  # raster line art, judged at images.line_art_min_ppi


@dataclass(frozen=True)
class Box:
    """The area an illustration is fitted into, in mm."""

    width: float
    height: float
    fit: Literal["contain", "cover"]


@dataclass(frozen=True)
class Placed:
    """An illustration's drawn size in one edition (mm), and the box it came from."""

    width: float
    height: float
    box: Box

    def ppi(self, pixels: tuple[int, int]) -> float:
        """Effective resolution of an image of *pixels* drawn at this size (cover crops)."""
        return min(pixels[0] / (self.width / MM_PER_INCH), pixels[1] / (self.height / MM_PER_INCH))

    def pixels_for(self, ppi: float) -> tuple[int, int]:
        """Pixel size needed for *ppi* at this size."""
        return (
            round(self.width / MM_PER_INCH * ppi + 0.499),
            round(self.height / MM_PER_INCH * ppi + 0.499),
        )


@dataclass(frozen=True)
class Illustration:
    """A validated illustration: its manifest entry and what the delivered file is."""

    id: str
    entry: Entry
    path: Path
    manifest: Path
    line: int | None  # of the entry's [id] header in the manifest
    format: str  # PNG, JPEG, TIFF or SVG
    pixels: tuple[int, int] | None  # None for vector art
    aspect: float  # width / height
    credit: str

    @property
    def vector(self) -> bool:
        """Whether the file is vector art (SVG)."""
        return self.pixels is None

    @property
    def placement(self) -> Placement:
        """Where the illustration is placed."""
        return self.entry.placement


Manifest = Registry[Illustration]
"""All illustrations of the publication, by id."""

EMPTY_MANIFEST: Manifest = Registry(None, {})


def type_area(fmt: PageFormat) -> tuple[float, float]:
    """Width and height of the text block, mm."""
    m = fmt.margins
    return fmt.trim[0] - m.inner - m.outer, fmt.trim[1] - m.top - m.bottom


def opener_height(fmt: PageFormat) -> float:
    """Visible height of a chapter-opener band (below the trim edge), mm."""
    return round(fmt.trim[1] * OPENER_HEIGHT, 1)


def box_for(item: Illustration, fmt: PageFormat, bleed: float) -> Box:
    """The box an illustration is fitted into; *bleed* is 0 for the screen edition."""
    type_w, type_h = type_area(fmt)
    trim_w, trim_h = fmt.trim
    match item.placement:
        case Placement.INLINE:
            return Box(type_w * item.entry.width, type_h * INLINE_MAX_HEIGHT, "contain")
        case Placement.HALF_PAGE:
            return Box(type_w, type_h * HALF_PAGE_HEIGHT, "contain")
        case Placement.FULL_PAGE:
            return Box(trim_w + 2 * bleed, trim_h + 2 * bleed, "cover")
        case Placement.OPENER:
            return Box(trim_w + 2 * bleed, opener_height(fmt) + bleed, "cover")
    raise AssertionError(item.placement)


def place(item: Illustration, fmt: PageFormat, bleed: float) -> Placed:
    """The drawn size of *item* in an edition with *bleed* mm of bleed."""
    box = box_for(item, fmt, bleed)
    if box.fit == "cover":
        return Placed(box.width, box.height, box)
    width = min(box.width, box.height * item.aspect)
    return Placed(round(width, 2), round(width / item.aspect, 2), box)


def required_ppi(item: Illustration, project: Project) -> float | None:
    """Minimum press resolution for *item*: None for vector art."""
    images = project.config.images
    if item.vector:
        return None
    return images.line_art_min_ppi if item.entry.line_art else images.press_min_ppi


def check_resolution(item: Illustration, project: Project) -> None:
    """Raise when *item* has too few pixels for the press edition at its placed size."""
    need = required_ppi(item, project)
    if need is None or item.pixels is None:
        return
    fmt = project.config.format
    placed = place(item, fmt, fmt.bleed)
    ppi = placed.ppi(item.pixels)
    if ppi + 0.05 >= need:
        return
    want = placed.pixels_for(need)
    rule = "line art" if item.entry.line_art else "press"
    raise WorkbookError(
        f"illustration '{item.id}' ({item.path.name}) is {ppi:.0f} ppi at its placed size "
        f"{placed.width:.0f} x {placed.height:.0f} mm; {rule} needs {need} ppi: "
        f"{want[0]} x {want[1]} px, the file has {item.pixels[0]} x {item.pixels[1]} px",
        path=item.manifest,
        line=item.line,
        hint="ask the illustrator for a larger file, or place it smaller (placement, width)",
    )


def load_manifest(
    project: Project, kept: KeptFacts | None = None, errors: Collector | None = None
) -> Manifest:
    """Read and validate the illustration manifest and every file it names.

    *kept* remembers which raster files decoded whole, by their content, so an
    unchanged file is not decoded again in the next build. With *errors*, a bad
    entry is kept there and left out, so the others are still checked.
    """
    path = project.manifest_path
    if path is None:
        return EMPTY_MANIFEST
    manifest = read_manifest(
        path,
        "illustration manifest",
        "images.manifest",
        "each illustration is a table: [id] followed by file = ..., alt = ...",
        project.allowed,
    )
    pub = project.config.publication
    default_credit = f"Piirros: {pub.illustrator}" if pub.illustrator else ""
    items: dict[str, Illustration] = {}
    for ident, raw, line in manifest.entries("illustration"):
        with errors.attempt() if errors is not None else contextlib.nullcontext():
            entry = _entry(ident, raw, manifest)
            items[ident] = _inspect(
                ident, entry, path, line, manifest.text, project, default_credit, kept
            )
    return Manifest(path, items)


def _entry(ident: str, raw: dict, manifest: RawManifest) -> Entry:
    entry = validate_entry(
        Entry,
        manifest,
        ident,
        raw,
        "illustration",
        hints={
            "placement": "allowed: " + ", ".join(p.value for p in Placement),
            "width": "a share of the column width between 0.2 and 1.0",
        },
        missing_hint='add file = "..." (the delivered file, relative to the manifest)',
    )
    path, text = manifest.path, manifest.text
    key_line = toml_key_line(text, [ident]) or None
    if not entry.decorative and not entry.alt:
        raise WorkbookError(
            f"illustration '{ident}' has no alt text",
            path=path,
            line=key_line,
            hint='describe what it shows for readers who cannot see it (alt = "..."), '
            "or mark it decorative = true",
        )
    if entry.decorative and entry.caption:
        raise WorkbookError(
            f"illustration '{ident}' is decorative but has a caption",
            path=path,
            line=toml_key_line(text, [ident, "caption"]),
            hint="a decorative image says nothing; drop the caption or decorative = true",
        )
    if entry.caption and entry.placement in (Placement.FULL_PAGE, Placement.OPENER):
        raise WorkbookError(
            f"a {entry.placement.value} illustration has no room for a caption ('{ident}')",
            path=path,
            line=toml_key_line(text, [ident, "caption"]),
            hint="put what the caption says in the alt text or the chapter, "
            "or place it as half-page",
        )
    if entry.width != 1.0 and entry.placement is not Placement.INLINE:
        raise WorkbookError(
            f"width only applies to inline illustrations ('{ident}')",
            path=path,
            line=toml_key_line(text, [ident, "width"]),
            hint='remove width, or use placement = "inline"',
        )
    return entry


def _inspect(
    ident: str,
    entry: Entry,
    manifest: Path,
    line: int | None,
    text: str,
    project: Project,
    default_credit: str,
    kept: KeptFacts | None = None,
) -> Illustration:
    file_line = toml_key_line(text, [ident, "file"])
    what = f"file '{entry.file}' of illustration '{ident}'"
    named = manifest.parent / entry.file
    check_inside(named, project.allowed, what=what, where=manifest, line=file_line)
    try:
        file = regular_file(named, what=what, roots=project.allowed, where=manifest, line=file_line)
    except FileNotFoundError:
        raise WorkbookError(
            f"{what} not found",
            path=manifest,
            line=file_line,
            hint=f"put the delivered file in {manifest.parent.name}/ or fix the name",
        ) from None
    credit = entry.credit if entry.credit is not None else default_credit
    if file.suffix.lower() == ".svg":
        aspect = _inspect_svg(file, ident, manifest, file_line)
        item = Illustration(ident, entry, file, manifest, line, "SVG", None, aspect, credit)
    else:
        fmt, pixels = _inspect_raster(file, ident, manifest, file_line, project, kept)
        aspect = pixels[0] / pixels[1]
        item = Illustration(ident, entry, file, manifest, line, fmt, pixels, aspect, credit)
    check_resolution(item, project)
    return item


def _inspect_raster(
    file: Path,
    ident: str,
    manifest: Path,
    line: int | None,
    project: Project,
    kept: KeptFacts | None = None,
) -> tuple[str, tuple[int, int]]:
    limit = project.config.images.max_pixels

    def bad(message: str, hint: str) -> WorkbookError:
        return WorkbookError(
            f"{message} ({file.name}, illustration '{ident}')", path=manifest, line=line, hint=hint
        )

    def judge(fmt: str, size: tuple[int, int]) -> None:
        if size[0] * size[1] > limit:
            raise Image.DecompressionBombError
        if fmt not in RASTER_FORMATS:
            raise bad(
                f"unsupported image format {fmt}",
                "deliver PNG, JPEG or TIFF (or SVG for line art)",
            )

    bomb = bad(
        f"image has more pixels than the limit of {limit:,} (possible decompression bomb)",
        "check the file; raise images.max_pixels in publication.toml only for a real image",
    )
    known = kept.get(_DECODED, file) if kept is not None else None
    if isinstance(known, list) and len(known) == 3:  # decoded whole in an earlier build
        fmt, size = str(known[0]), (int(known[1]), int(known[2]))
        try:
            judge(fmt, size)
        except Image.DecompressionBombError:
            raise bomb from None
        return fmt, size
    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES on import, which would let a
    # cut-off file through with grey pixels; intake wants to know.
    truncated_ok = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                fmt, size = image.format or "", upright_size(image)
                judge(fmt, size)
                image.load()  # decodes every pixel: catches truncated and corrupt files
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except UnidentifiedImageError:
        raise bad("not an image file or an unknown format", "deliver PNG, JPEG or TIFF") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise bad(f"unreadable or corrupt image: {exc}", "ask for the file again") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
    if kept is not None:
        kept.put(_DECODED, file, [fmt, *size])
    return fmt, size


_DECODED = f"decoded upright Pillow {PIL.__version__}"
_ORIENTATION = 0x0112  # EXIF: how the stored pixels are turned for viewing
_TURNED = {5, 6, 7, 8}  # a quarter turn: width and height swap


def upright_size(image: Image.Image) -> tuple[int, int]:
    """Width and height of *image* as it is viewed: a camera's portrait photo is
    stored landscape with an EXIF orientation tag, which the preparation honours
    (``ImageOps.exif_transpose``), so its placed box must too."""
    try:
        orientation = image.getexif().get(_ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError):  # an unreadable EXIF block: as stored
        orientation = 1
    width, height = image.size
    return (height, width) if orientation in _TURNED else (width, height)


def _inspect_svg(file: Path, ident: str, manifest: Path, line: int | None) -> float:
    def bad(message: str, hint: str) -> WorkbookError:
        return WorkbookError(
            f"{message} ({file.name}, illustration '{ident}')", path=manifest, line=line, hint=hint
        )

    try:
        root = etree.parse(file).getroot()
    except (etree.ParseError, OSError) as exc:
        raise bad(f"unreadable SVG: {exc}", "open and save the file again in the editor") from None
    if root.tag != f"{_SVG_NS}svg":
        raise bad("not an SVG drawing", "the root element must be <svg> in the SVG namespace")
    for element in root.iter():
        name = str(element.tag).removeprefix(_SVG_NS)
        if name in _SVG_FORBIDDEN:
            raise bad(
                f"line art contains {_SVG_FORBIDDEN[name]}",
                "line art must be plain vector shapes; convert text to paths "
                "and deliver raster images as PNG, JPEG or TIFF",
            )
        for attr, value in element.attrib.items():
            if attr.endswith("href") and not value.startswith("#"):
                raise bad("SVG refers to an outside file", "embed the shapes in the SVG itself")
            paints = [value] if attr in _PAINT_ATTRS else _style_paints(value, attr)
            for paint in paints:
                if not _PAINT_OK_RE.match(paint.strip()):
                    raise bad(
                        f"SVG colour '{paint.strip()}' cannot be converted for print",
                        "write colours as #rrggbb (or none, black, white)",
                    )
    box = root.get("viewBox")
    try:
        if box:
            _, _, width, height = (float(v) for v in re.split(r"[\s,]+", box.strip()))
        else:
            width, height = (_svg_number(root.get(k, "")) for k in ("width", "height"))
    except ValueError:
        raise bad("SVG has no usable viewBox or width/height", 'add viewBox="0 0 w h"') from None
    if width <= 0 or height <= 0:
        raise bad("SVG has an empty viewBox", 'add viewBox="0 0 w h"')
    return width / height


def _svg_number(value: str) -> float:
    """``"120mm"`` -> 120.0 (the unit does not matter for the aspect ratio)."""
    return float(re.sub(r"[a-z%]+$", "", value.strip()))
