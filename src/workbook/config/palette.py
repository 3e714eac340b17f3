"""The book's colour palette: one declaration, CMYK for press, sRGB for screen.

The press rule for type: small text misregisters in four colours, so a text
colour (``text = true``) is pure K or at most two inks, and so is a colour dark
enough to carry white text (the charts label such bars in paper white).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbook.errors import WorkbookError

ColourSpace = Literal["cmyk", "srgb"]
_HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Colour:
    """One named colour in both colour spaces."""

    name: str
    cmyk: tuple[float, float, float, float]
    srgb: str
    text: bool = False

    @property
    def inks(self) -> int:
        """How many of C, M, Y and K the press colour uses."""
        return sum(1 for v in self.cmyk if v > 0)

    def css(self, space: ColourSpace) -> str:
        """CSS value of this colour for *space*."""
        if space == "cmyk":
            return "device-cmyk({})".format(" ".join(f"{v:g}" for v in self.cmyk))
        return self.srgb


@dataclass(frozen=True)
class Palette:
    """All named colours of the book."""

    colours: tuple[Colour, ...]

    def css(self, space: ColourSpace) -> str:
        """CSS custom properties (``--accent`` ...) for *space*."""
        lines = [f"  --{c.name}: {c.css(space)};" for c in self.colours]
        return ":root {\n" + "\n".join(lines) + "\n}\n"

    def __getitem__(self, name: str) -> Colour:
        for colour in self.colours:
            if colour.name == name:
                return colour
        raise KeyError(name)


def load_palette(path: Path) -> Palette:
    """Read ``palette.toml``; every colour needs a 4-part CMYK and a #rrggbb sRGB value."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise WorkbookError(f"cannot read palette: {exc}", path=path) from None
    colours = []
    for name, entry in data.items():
        cmyk = entry.get("cmyk") if isinstance(entry, dict) else None
        srgb = entry.get("srgb") if isinstance(entry, dict) else None
        if (
            not isinstance(cmyk, list)
            or len(cmyk) != 4
            or not all(isinstance(v, int | float) and 0 <= v <= 1 for v in cmyk)
        ):
            raise WorkbookError(
                f"colour '{name}' needs cmyk = [c, m, y, k] with values 0-1", path=path
            )
        if not isinstance(srgb, str) or not _HEX_RE.match(srgb):
            raise WorkbookError(f"colour '{name}' needs srgb = \"#rrggbb\"", path=path)
        colour = Colour(name, tuple(float(v) for v in cmyk), srgb, bool(entry.get("text")))
        _check_press_rule(colour, path)
        colours.append(colour)
    return Palette(tuple(colours))


def _check_press_rule(colour: Colour, path: Path) -> None:
    """Text colours and colours that carry white text have at most two inks."""
    if colour.inks <= 2:
        return
    if colour.text:
        role = "a text colour"
    elif contrast_ratio("#ffffff", colour.srgb) > contrast_ratio("#000000", colour.srgb):
        role = "dark enough to carry white text"
    else:
        return
    raise WorkbookError(
        f"colour '{colour.name}' is {role} but prints in {colour.inks} inks "
        f"(cmyk = {list(colour.cmyk)})",
        path=path,
        hint="small type misregisters in four colours: use pure K or at most two inks "
        "(e.g. C + K for a dark teal)",
    )


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
