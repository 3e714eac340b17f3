"""The print ISBN as an EAN-13 barcode: SVG vectors in 100 % K on white.

The bar pattern comes from ``python-barcode`` (its EAN-13 encoder); the drawing
is ours, so the bars are ``device-cmyk(0 0 0 1)`` rectangles, the guard bars run
longer, the human-readable ISBN stands above the symbol and the thirteen digits
below it, and the quiet zones (11 modules left, 7 right) are part of the white
box. Sizes follow GS1's EAN-13: a module of 0.33 mm, bars 22.85 mm high, the
symbol 37.29 x 25.93 mm at 100 %; ``cover.barcode_scale`` scales it (80-200 %).

python-barcode quietly replaces a wrong check digit with the right one, so the
ISBN is validated here first: a wrong check digit is an error, never a
different barcode.
"""

from __future__ import annotations

from dataclasses import dataclass

from barcode import EAN13

from workbook.config.values import isbn13_problem

MODULE_MM = 0.33
BAR_MM = 22.85  # the ordinary bars
GUARD_EXTRA_MODULES = 5  # guard bars run this far into the digits
QUIET_LEFT, QUIET_RIGHT = 11, 7  # modules
SYMBOL_MODULES = 95
DIGITS_MM = 2.75  # height of the human-readable digits at 100 %
ISBN_LINE_MM = 4.2  # the "ISBN ..." line above the bars, at 100 %
MIN_SCALE = 0.8
BLACK = "device-cmyk(0 0 0 1)"
WHITE = "device-cmyk(0 0 0 0)"
FAMILY = "Workbook Inter"
_GUARDS = {0, 1, 2, 45, 46, 47, 48, 49, 92, 93, 94}


@dataclass(frozen=True)
class Barcode:
    """An EAN-13 drawn for one ISBN at one scale, sizes in mm."""

    isbn: str  # as written, with hyphens
    digits: str  # the 13 digits
    modules: str  # 95 characters, "1" for a dark module
    scale: float

    @property
    def module(self) -> float:
        """Width of one module, mm."""
        return MODULE_MM * self.scale

    @property
    def width(self) -> float:
        """The whole box with its quiet zones, mm (37.29 at 100 %)."""
        return (QUIET_LEFT + SYMBOL_MODULES + QUIET_RIGHT) * self.module

    @property
    def height(self) -> float:
        """The ISBN line, the bars and the digits, mm."""
        return (ISBN_LINE_MM + BAR_MM + GUARD_EXTRA_MODULES * MODULE_MM + DIGITS_MM) * self.scale

    def bars(self) -> list[tuple[float, float, bool]]:
        """Each bar as (x, width, guard) in mm from the box's left edge."""
        found: list[tuple[float, float, bool]] = []
        start = None
        for index, module in enumerate(self.modules + "0"):
            if module == "1" and start is None:
                start = index
            elif module != "1" and start is not None:
                x = (QUIET_LEFT + start) * self.module
                found.append((x, (index - start) * self.module, start in _GUARDS))
                start = None
        return found

    def svg(self) -> str:
        """The barcode as an SVG element sized in mm, white box and all."""
        s, m = self.scale, self.module
        top = ISBN_LINE_MM * s  # the bars start below the ISBN line
        bar, guard = BAR_MM * s, BAR_MM * s + GUARD_EXTRA_MODULES * m
        size = DIGITS_MM * s
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="isbn-barcode" '
            f'width="{self.width:.3f}mm" height="{self.height:.3f}mm" '
            f'viewBox="0 0 {self.width:.3f} {self.height:.3f}">',
            f'<rect x="0" y="0" width="{self.width:.3f}" height="{self.height:.3f}" '
            f'fill="{WHITE}"/>',
            _text(self.width / 2, top - 1.1 * s, f"ISBN {self.isbn}", 2.6 * s, "middle"),
        ]
        for x, width, is_guard in self.bars():
            height = guard if is_guard else bar
            parts.append(
                f'<rect x="{x:.4f}" y="{top:.4f}" width="{width:.4f}" height="{height:.4f}" '
                f'fill="{BLACK}"/>'
            )
        baseline = top + bar + size * 0.95
        parts.append(_text((QUIET_LEFT - 1.5) * m, baseline, self.digits[0], size, "end"))
        for i, digit in enumerate(self.digits[1:7]):
            parts.append(_text((QUIET_LEFT + 3 + 7 * i + 3.5) * m, baseline, digit, size))
        for i, digit in enumerate(self.digits[7:]):
            parts.append(_text((QUIET_LEFT + 50 + 7 * i + 3.5) * m, baseline, digit, size))
        parts.append("</svg>")
        return "\n".join(parts)


def _text(x: float, y: float, text: str, size: float, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.3f}" y="{y:.3f}" font-family="{FAMILY}" font-size="{size:.3f}" '
        f'text-anchor="{anchor}" fill="{BLACK}">{text}</text>'
    )


def ean13(isbn: str, scale: float = 1.0) -> Barcode:
    """The EAN-13 of *isbn*; ValueError for an invalid ISBN-13 or a scale below 80 %."""
    if problem := isbn13_problem(isbn):
        raise ValueError(problem)
    if scale < MIN_SCALE:
        raise ValueError(f"scale {scale:g} is below the least 80 % of the nominal size")
    digits = isbn.replace("-", "").replace(" ", "")
    code = EAN13(digits[:12])
    if code.get_fullcode() != digits:  # python-barcode computes the check digit itself
        raise ValueError(f"python-barcode encoded {code.get_fullcode()} for {digits}")
    (modules,) = code.build()
    if len(modules) != SYMBOL_MODULES:
        raise ValueError(f"an EAN-13 has 95 modules, python-barcode gave {len(modules)}")
    return Barcode(isbn, digits, modules, scale)
