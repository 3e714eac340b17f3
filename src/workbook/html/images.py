"""Stage 5a: prepare each illustration for an edition, cached by content hash.

Press: cropped to its box when it bleeds, downsampled only above
``press_max_ppi``, converted from its embedded profile (sRGB when none) to the
output profile's CMYK with LittleCMS, ink-limited, written as CMYK JPEG
(WeasyPrint neither converts RGB nor reads CMYK TIFF). SVG line art gets its
colours rewritten as ``device-cmyk()``.

Screen: sRGB, resampled to ``screen_ppi`` at the placed size, written as JPEG
at a chosen quality (WeasyPrint's own ``dpi`` option would re-encode at 75), or
PNG for line art; SVG stays vector. No profile is embedded: WeasyPrint writes
DeviceRGB anyway, and LittleCMS's built-in sRGB profile carries a timestamp.

Results live in ``build/cache/images/`` under a name derived from the source
bytes and every setting that shapes the output, so an unchanged illustration is
never converted twice. The name ends in a digest of the file's own bytes: a
cached file that was damaged no longer matches it and is made again (a cache
is a hint, docs/errors.md). A delivery that cannot be converted (a profile
that does not fit its pixels, an unreadable file) is one line naming its
manifest entry.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from workbook.config.editions import Variant
from workbook.config.palette import ColourSpace, Palette
from workbook.config.publication import Images
from workbook.errors import WorkbookError
from workbook.html.charts import Colours, render_chart
from workbook.html.colour import BUNDLED_PROFILE, OutputProfile, srgb_profile
from workbook.intake.illustrations import Illustration, Placed, place, type_area
from workbook.model import Book
from workbook.pipeline.outputs import temp_folder

CACHE_VERSION = "2"  # bump when the processing code changes its output
_HEX_COLOUR_RE = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
_NAMED = {"black": "#000000", "white": "#ffffff"}
_SVG_ROOT_RE = re.compile(r"<svg\b[^>]*>")
_PAINT_ATTR_RE = re.compile(r'\b(fill|stroke|stop-color|color)="(black|white)"')


@dataclass(frozen=True)
class Prepared:
    """An illustration ready for one edition."""

    id: str
    path: Path
    converted: bool  # False when it came from the cache
    pixels: tuple[int, int] | None
    ppi: float | None


@dataclass(frozen=True)
class Settings:
    """Everything that decides how an edition's image is made."""

    colour_space: ColourSpace
    images: Images
    profile: OutputProfile | None  # press only

    def key(self) -> str:
        """Stable text of the settings for the cache key."""
        data = {
            "v": CACHE_VERSION,
            "space": self.colour_space,
            "images": self.images.model_dump(mode="json", exclude={"manifest"}),
            "profile": self.profile.digest if self.profile else None,
        }
        return json.dumps(data, sort_keys=True)


def prepare(item: Illustration, placed: Placed, settings: Settings, cache: Path) -> Prepared:
    """The edition's file for *item* drawn at *placed*, from the cache when it is there."""
    source = item.path.read_bytes()
    h = hashlib.sha256(source)
    h.update(settings.key().encode())
    shape = [placed.width, placed.height, placed.box.fit, item.entry.line_art]
    h.update(json.dumps(shape).encode())
    digest = h.hexdigest()[:20]
    suffix = _suffix(item, settings)
    stem = f"{item.id}-{settings.colour_space}-{digest}"
    found = cached(cache, stem, suffix)
    if found is not None:
        pixels = _pixels(found) if not item.vector else None
        if item.vector or pixels is not None:
            return Prepared(item.id, found, False, pixels, placed.ppi(pixels) if pixels else None)
    try:
        if item.vector:
            data = _svg(source.decode("utf-8"), settings)
            pixels = None
        else:
            data, pixels = _raster(item, source, placed, settings)
    except (OSError, ValueError, SyntaxError, ImageCms.PyCMSError, UnicodeDecodeError) as exc:
        raise WorkbookError(
            f"illustration '{item.id}' ({item.path.name}) cannot be prepared for print: "
            f"{type(exc).__name__}: {exc}",
            path=item.manifest,
            line=item.line,
            hint="save it again as RGB or CMYK (8 bits per channel) JPEG, PNG or TIFF",
        ) from None
    target = store(cache, stem, suffix, data)
    return Prepared(item.id, target, True, pixels, placed.ppi(pixels) if pixels else None)


def cached(cache: Path, stem: str, suffix: str) -> Path | None:
    """The cached file *stem*-<digest of its bytes><suffix>, if one is there whole;
    a damaged one is removed."""
    for path in sorted(cache.glob(f"{stem}-*{suffix}")):
        check = path.name[len(stem) + 1 : -len(suffix) or None]
        try:
            whole = hashlib.sha256(path.read_bytes()).hexdigest()[:12] == check
        except OSError:
            whole = False
        if whole:
            return path
        path.unlink(missing_ok=True)
    return None


def store(cache: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Keep *data* in *cache* as *stem*-<digest of data><suffix>; return its path."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / f"{stem}-{hashlib.sha256(data).hexdigest()[:12]}{suffix}"
    _write(target, data)
    return target


def _suffix(item: Illustration, settings: Settings) -> str:
    if item.vector:
        return ".svg"
    if settings.colour_space == "srgb" and item.entry.line_art:
        return ".png"
    return ".jpg"


def _pixels(path: Path) -> tuple[int, int] | None:
    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, SyntaxError, ValueError):
        return None


def _write(target: Path, data: bytes) -> None:
    """Atomic: a crash never leaves a half-written file under a valid cache name."""
    temp = temp_folder(target) / f".{target.name}.{os.getpid()}.tmp"
    temp.write_bytes(data)
    os.replace(temp, target)


def _raster(
    item: Illustration, source: bytes, placed: Placed, settings: Settings
) -> tuple[bytes, tuple[int, int]]:
    images = settings.images
    with Image.open(io.BytesIO(source)) as opened:
        opened.load()
        icc = opened.info.get("icc_profile")
        image = ImageOps.exif_transpose(opened)
    profile = _fitting(_source_profile(icc), image.mode)
    image, profile, mode = _normalise(image, profile, settings)
    if placed.box.fit == "cover":
        image = _crop_to(image, placed.width / placed.height)
    ppi = placed.ppi(image.size)
    target_ppi = images.press_max_ppi if settings.colour_space == "cmyk" else images.screen_ppi
    if ppi > target_ppi * 1.02:
        image = image.resize(
            placed.pixels_for(target_ppi), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
    out = io.BytesIO()
    if settings.colour_space == "cmyk":
        assert settings.profile is not None
        if mode == "CMYK-native":
            cmyk = image  # delivered in CMYK for this output condition
        elif image.mode == "L":
            cmyk = _grey_to_k(image)
        else:
            cmyk = settings.profile.to_cmyk(image, profile)
        cmyk.save(out, "JPEG", quality=images.press_jpeg_quality, subsampling=0, dpi=(300, 300))
    else:
        if mode == "CMYK-native":
            image = _to_srgb(image, profile)
        elif image.mode == "RGB" and profile is not None:
            image = ImageCms.applyTransform(image, _rgb_to_srgb(profile))
        if item.entry.line_art:
            image.save(out, "PNG", optimize=True, dpi=(images.screen_ppi,) * 2)
        else:
            image.save(
                out,
                "JPEG",
                quality=images.screen_jpeg_quality,
                subsampling=0,
                optimize=True,
                dpi=(images.screen_ppi,) * 2,
            )
    return out.getvalue(), image.size


@lru_cache(maxsize=16)
def _rgb_to_srgb(profile: ImageCms.ImageCmsProfile) -> ImageCms.ImageCmsTransform:
    """RGB in *profile* to sRGB, built once per profile (LittleCMS takes milliseconds)."""
    return ImageCms.buildTransform(
        profile, srgb_profile(), "RGB", "RGB", ImageCms.Intent.PERCEPTUAL
    )


@lru_cache(maxsize=16)
def _source_profile(icc: bytes | None) -> ImageCms.ImageCmsProfile | None:
    """The embedded profile, one object per profile: illustrations that embed the
    same profile share it, and so share the CMYK transform built from it."""
    if not icc:
        return None
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (OSError, ImageCms.PyCMSError):
        return None  # a broken embedded profile: treat the pixels as sRGB


_SPACES = {"CMYK": "CMYK", "RGB": "RGB", "RGBA": "RGB", "P": "RGB", "L": "GRAY", "LA": "GRAY"}


def _fitting(
    profile: ImageCms.ImageCmsProfile | None, mode: str
) -> ImageCms.ImageCmsProfile | None:
    """*profile* if it describes pixels of *mode*; else None (an RGB profile embedded
    in a CMYK file, say, is a mistake of the program that saved it: the pixels are
    read as untagged)."""
    if profile is None:
        return None
    space = profile.profile.xcolor_space.strip()
    return profile if _SPACES.get(mode, space) == space else None


def _normalise(
    image: Image.Image, profile: ImageCms.ImageCmsProfile | None, settings: Settings
) -> tuple[Image.Image, ImageCms.ImageCmsProfile | None, str]:
    """Bring a delivery to RGB, L (greyscale) or CMYK, with transparency flattened on paper.

    The third value says what follows: ``"RGB"`` and ``"L"`` are converted for
    the edition; ``"CMYK-native"`` is a CMYK delivery kept as it is for press
    (no profile, or the output profile itself) or converted to sRGB for screen.
    """
    if image.mode == "CMYK":
        matches = profile is None or (
            settings.profile is not None and profile.tobytes() == settings.profile.data
        )
        if settings.colour_space == "cmyk" and not matches:
            return _to_srgb(image, profile), None, "RGB"  # another CMYK: via sRGB
        return image, profile, "CMYK-native"
    if image.mode in ("1", "L", "LA", "I", "I;16"):
        grey = image.convert("LA")
        return _flatten(grey.convert("RGBA")).convert("L"), None, "L"
    if image.mode != "RGB":
        return _flatten(image.convert("RGBA")), profile, "RGB"
    return image, profile, "RGB"


def _flatten(image: Image.Image) -> Image.Image:
    paper = Image.new("RGB", image.size, (255, 255, 255))
    paper.paste(image, mask=image.getchannel("A"))
    return paper


def _to_srgb(image: Image.Image, profile: ImageCms.ImageCmsProfile | None) -> Image.Image:
    source = profile or ImageCms.ImageCmsProfile(str(BUNDLED_PROFILE))
    transform = ImageCms.buildTransform(
        source, srgb_profile(), "CMYK", "RGB", ImageCms.Intent.PERCEPTUAL
    )
    return ImageCms.applyTransform(image, transform)


def _grey_to_k(image: Image.Image) -> Image.Image:
    """Greyscale on black ink only: K = 1 - lightness, C = M = Y = 0."""
    k = ImageOps.invert(image.convert("L"))
    zero = Image.new("L", image.size, 0)
    return Image.merge("CMYK", (zero, zero, zero, k))


def _crop_to(image: Image.Image, aspect: float) -> Image.Image:
    """Centre crop to width / height = *aspect*."""
    width, height = image.size
    if width / height > aspect:
        new_w = round(height * aspect)
        left = (width - new_w) // 2
        return image.crop((left, 0, left + new_w, height))
    new_h = round(width / aspect)
    top = (height - new_h) // 2
    return image.crop((0, top, width, top + new_h))


def _svg(text: str, settings: Settings) -> bytes:
    """Press: every colour as ``device-cmyk()``; screen: the SVG as delivered."""
    if settings.colour_space != "cmyk" or settings.profile is None:
        return text.encode("utf-8")
    profile = settings.profile

    def cmyk(hex_colour: str) -> str:
        if len(hex_colour) == 4:
            hex_colour = "#" + "".join(c * 2 for c in hex_colour[1:])
        values = profile.cmyk_of_hex(hex_colour)
        return "device-cmyk({})".format(" ".join(f"{v:g}" for v in values))

    text = _PAINT_ATTR_RE.sub(lambda m: f'{m[1]}="{_NAMED[m[2]]}"', text)
    # SVG paints unfilled shapes black: make that black ink, not RGB black.
    text = _SVG_ROOT_RE.sub(_default_fill, text, count=1)
    return _HEX_COLOUR_RE.sub(lambda m: cmyk(m[0]), text).encode("utf-8")


def _default_fill(match: re.Match[str]) -> str:
    tag = match[0]
    return tag if " fill=" in tag else tag[:-1] + ' fill="#000000">'


def prepare_book(
    book: Book, variant: Variant, profile: OutputProfile | None, cache: Path
) -> dict[str, Prepared]:
    """Every illustration the book places, prepared for *variant*."""
    config = book.project.config
    bleed = config.format.bleed if variant.bleed else 0.0
    cmyk = variant.colour_space == "cmyk"
    settings = Settings(variant.colour_space, config.images, profile if cmyk else None)
    prepared: dict[str, Prepared] = {}
    for ident in book.illustrations:
        item = book.manifest[ident]
        prepared[ident] = prepare(item, place(item, config.format, bleed), settings, cache)
    return prepared


def prepare_charts(book: Book, variant: Variant, palette: Palette, cache: Path) -> dict[str, Path]:
    """Every chart the book places, drawn in *variant*'s colours, as SVG files."""
    width = type_area(book.project.config.format)[0] * 72 / 25.4
    colours = Colours.from_palette(palette, variant.colour_space)
    charts: dict[str, Path] = {}
    for ident in book.charts:
        svg = render_chart(book.surveys[ident], width, colours).svg.encode("utf-8")
        stem = f"{ident}-{variant.colour_space}"
        charts[ident] = _chart_file(cache, stem, svg)
    return charts


def _chart_file(cache: Path, stem: str, svg: bytes) -> Path:
    """The chart's file in the cache (named by its content, so it is whole when it is there)."""
    target = cache / f"{stem}-{hashlib.sha256(svg).hexdigest()[:20]}.svg"
    try:
        if target.read_bytes() == svg:
            return target
    except OSError:
        pass
    cache.mkdir(parents=True, exist_ok=True)
    _write(target, svg)
    return target
