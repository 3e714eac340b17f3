"""Colour management: the press edition's CMYK output profile and conversions to it.

The output profile (ICC, 4 components) becomes the PDF/X-4 output intent and
the target of every RGB -> CMYK conversion (LittleCMS through Pillow's
ImageCms), so what the print house's RIP assumes and what the images contain
agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache, cached_property
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from workbook.config.publication import Project, RenderingIntent
from workbook.errors import WorkbookError
from workbook.paths import STYLES

BUNDLED_PROFILE = STYLES / "icc" / "default-cmyk.icc"

NEUTRAL_CHROMA = 8.0
_INTENTS = {
    RenderingIntent.PERCEPTUAL: ImageCms.Intent.PERCEPTUAL,
    RenderingIntent.RELATIVE: ImageCms.Intent.RELATIVE_COLORIMETRIC,
}


@cache
def srgb_profile() -> ImageCms.ImageCmsProfile:
    """LittleCMS's built-in sRGB profile (one object, so transforms from it can be reused)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@cache
def _lab_transform() -> ImageCms.ImageCmsTransform:
    """sRGB -> CIELAB, built once: LittleCMS takes milliseconds to build a transform."""
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
    return ImageCms.buildTransformFromOpenProfiles(srgb_profile(), lab, "RGB", "LAB")


@dataclass(frozen=True)
class OutputProfile:
    """The press edition's CMYK output condition."""

    path: Path
    data: bytes
    description: str
    condition: str
    intent: RenderingIntent
    max_ink: int  # total area coverage limit, %
    # Built transforms by (source profile, mode) and converted colours: a press
    # build converts each palette and chart colour once, not once per use.
    _transforms: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _colours: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def profile(self) -> ImageCms.ImageCmsProfile:
        """The profile opened by LittleCMS."""
        return ImageCms.ImageCmsProfile(BytesIO(self.data))

    @cached_property
    def digest(self) -> str:
        """Content hash (with intent and ink limit): part of every image cache key."""
        h = hashlib.sha256(self.data)
        h.update(f"{self.intent.value}/{self.max_ink}".encode())
        return h.hexdigest()[:16]

    def transform(self, source: ImageCms.ImageCmsProfile, mode: str) -> ImageCms.ImageCmsTransform:
        """A transform from *source* (in image *mode*) to this CMYK profile (built once)."""
        key = (id(source), mode)
        if key not in self._transforms:
            built = ImageCms.buildTransform(
                source,
                self.profile,
                mode,
                "CMYK",
                renderingIntent=_INTENTS[self.intent],
                flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
            )
            self._transforms[key] = (source, built)  # the source is kept, so its id stays valid
        return self._transforms[key][1]

    def to_cmyk(self, image: Image.Image, source: ImageCms.ImageCmsProfile | None) -> Image.Image:
        """Convert an RGB image (profile *source*, sRGB when None) to CMYK, ink-limited."""
        converted = ImageCms.applyTransform(image, self.transform(source or srgb_profile(), "RGB"))
        return limit_ink(converted, self.max_ink)

    def cmyk_of_hex(self, colour: str) -> tuple[float, float, float, float]:
        """CMYK fractions for an sRGB ``#rrggbb``; near-neutral colours print on black only.

        Thin lines in four-colour grey or black blur on press (misregistration),
        so a colour with almost no chroma (C* below 8 in CIELAB, e.g. an ink
        colour like #2b2b33) maps to K alone, as a prepress operator would set it.
        """
        key = colour.lower()
        if key not in self._colours:
            self._colours[key] = self._cmyk_of_rgb(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))
        return self._colours[key]

    def _cmyk_of_rgb(self, r: int, g: int, b: int) -> tuple[float, float, float, float]:
        if chroma((r, g, b)) < NEUTRAL_CHROMA:
            grey = 0.2126 * r + 0.7152 * g + 0.0722 * b
            return (0.0, 0.0, 0.0, round(1 - grey / 255, 3))
        pixel = self.to_cmyk(Image.new("RGB", (1, 1), (r, g, b)), None).getpixel((0, 0))
        return tuple(round(v / 255, 3) for v in pixel)  # type: ignore[return-value]


def chroma(rgb: tuple[int, int, int]) -> float:
    """CIELAB chroma C* of an sRGB colour (0 for greys)."""
    pixel = Image.new("RGB", (1, 1), rgb)
    _, a, b = ImageCms.applyTransform(pixel, _lab_transform()).getpixel((0, 0))
    return float(((a - 128) ** 2 + (b - 128) ** 2) ** 0.5)


def limit_ink(image: Image.Image, max_ink: int) -> Image.Image:
    """Scale C, M and Y down where C+M+Y+K exceeds *max_ink* percent; K is kept.

    Only the pixels over the limit are converted to floats and scaled (on the
    sample's largest picture 0.05 s instead of 0.4 s for the whole image).
    """
    pixels = np.asarray(image)  # uint8, no copy
    limit = max_ink / 100 * 255
    total = pixels[..., 0].astype(np.uint16)
    for plane in range(1, 4):
        total += pixels[..., plane]
    over = total > limit + 0.5
    if not over.any():
        return image
    heavy = pixels[over].astype(np.float32)
    k = heavy[:, 3]
    cmy = heavy[:, :3].sum(axis=-1)
    heavy[:, :3] *= np.clip((limit - k) / np.maximum(cmy, 1e-6), 0, 1)[:, None]
    limited = pixels.copy()
    limited[over] = np.clip(np.floor(heavy), 0, 255).astype(np.uint8)
    return Image.fromarray(limited, "CMYK")


def max_ink_percent(image: Image.Image) -> float:
    """The highest total area coverage of a CMYK image, in percent."""
    pixels = np.asarray(image)  # uint8, no copy; planes added in place (4x faster)
    total = pixels[..., 0].astype(np.uint16)
    for plane in range(1, pixels.shape[-1]):
        total += pixels[..., plane]
    return float(total.max()) / 255 * 100


def load_output_profile(project: Project) -> OutputProfile:
    """The configured CMYK output profile, checked to be a readable 4-component ICC."""
    colour = project.config.colour
    path = (project.root / colour.output_profile).resolve() if colour.output_profile else None
    source = path or BUNDLED_PROFILE
    where = project.config_path
    try:
        data = source.read_bytes()
    except OSError:
        raise WorkbookError(
            f"output profile '{colour.output_profile}' not found",
            path=where,
            hint="colour.output_profile is relative to publication.toml; "
            "use the .icc file your print house supplied",
        ) from None
    try:
        profile = ImageCms.ImageCmsProfile(BytesIO(data))
    except (OSError, ImageCms.PyCMSError):
        raise WorkbookError(
            f"output profile {source.name} is not a readable ICC profile",
            path=where,
            hint="ask the print house for their ICC profile (e.g. PSO Coated v3)",
        ) from None
    if profile.profile.xcolor_space.strip() != "CMYK":
        raise WorkbookError(
            f"output profile {source.name} is {profile.profile.xcolor_space.strip()}, not CMYK",
            path=where,
            hint="PDF/X-4 press output needs a CMYK output profile",
        )
    description = ImageCms.getProfileDescription(profile).strip() or source.stem
    return OutputProfile(
        path=source,
        data=data,
        description=description,
        condition=colour.output_condition or description,
        intent=colour.rendering_intent,
        max_ink=colour.max_ink,
    )
