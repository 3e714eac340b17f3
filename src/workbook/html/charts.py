"""Charts from survey data: vector SVG with text as text, in the book's font and palette.

- Likert data: a 100 % stacked bar per statement, scale steps from the most
  positive (left) to the most negative (right), each segment labelled with its
  percentage where it fits, and a legend.
- Choice data: a horizontal bar per option on a 0-100 % scale, the value at
  the bar's end; with groups, one bar per group and a legend.

Series differ in lightness as well as hue and carry direct labels, so they
stay apart in greyscale and for colour-blind readers. Text on a bar is ink or
white, whichever has the higher WCAG contrast on that bar's screen colour.
Geometry is the same in both editions; only the colour values differ
(``device-cmyk()`` for press, ``#rrggbb`` for screen).

Coordinates are points (1/72 in); the SVG's width and height say ``pt``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from PIL import ImageFont

from workbook.config.palette import Palette, contrast_ratio
from workbook.intake.survey import Dataset, Kind
from workbook.markup.numbers import NBSP, fi_int, fi_percent, percent_value
from workbook.paths import STYLES

FONT_DIR = STYLES / "fonts" / "inter"
FAMILY = "Workbook Inter"
LABEL_SIZE = 7.5
VALUE_SIZE = 7.0
LINE = 9.5  # label line height
BAR = 12.0  # Likert bar height
CHOICE_BAR = 9.0
GAP = 7.0  # between rows
LEGEND_BOX = 7.0
LIKERT_ROLES = ("chart-1", "chart-2", "chart-3", "chart-4", "chart-5")
GROUP_ROLES = ("chart-1", "chart-4", "chart-2", "chart-5")
MIN_LABELLED = 15.0  # pt: narrower segments carry no number


@lru_cache(maxsize=4)
def _font(weight: str, size: float) -> ImageFont.FreeTypeFont:
    name = {"regular": "Inter-Regular.otf", "semibold": "Inter-SemiBold.otf"}[weight]
    return ImageFont.truetype(str(FONT_DIR / name), size=int(size * 100))


def text_width(text: str, size: float = LABEL_SIZE, weight: str = "regular") -> float:
    """Advance width of *text* in the chart font, in points."""
    return _font(weight, size).getlength(text) / 100


def wrap(text: str, width: float, size: float = LABEL_SIZE) -> list[str]:
    """Greedy line breaking of *text* at spaces to fit *width* points."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and text_width(trial, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


@dataclass(frozen=True)
class Colours:
    """Chart colours of one edition: CSS values to paint, sRGB to judge contrast."""

    paint: Mapping[str, str]
    srgb: Mapping[str, str]

    @classmethod
    def from_palette(cls, palette: Palette, space: str) -> Colours:
        """The palette's colours for *space* (``cmyk`` or ``srgb``)."""
        return cls(
            {c.name: c.css(space) for c in palette.colours},  # type: ignore[arg-type]
            {c.name: c.srgb for c in palette.colours},
        )

    @classmethod
    def neutral(cls) -> Colours:
        """Black on white for every role: for measuring a chart, not for printing it."""
        paint = _AnyRole("#000000")
        return cls(paint, _AnyRole("#000000", paper="#ffffff"))

    def on(self, role: str) -> str:
        """Ink or paper, whichever reads better on *role* (WCAG contrast, sRGB)."""
        background = self.srgb[role]
        ink = contrast_ratio(self.srgb["ink"], background)
        paper = contrast_ratio(self.srgb["paper"], background)
        return "ink" if ink >= paper else "paper"


class _AnyRole(dict):
    """A mapping that has a value for every role name."""

    def __init__(self, default: str, **named: str) -> None:
        super().__init__(named)
        self.default = default

    def __missing__(self, key: str) -> str:
        return self.default


@dataclass(frozen=True)
class Chart:
    """A chart as SVG text with its size in points."""

    svg: str
    width: float
    height: float


class _Canvas:
    def __init__(self, width: float, colours: Colours) -> None:
        self.width = width
        self.colours = colours
        self.items: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, role: str, cls: str = "") -> None:
        attr = f' class="{cls}"' if cls else ""
        self.items.append(
            f'<rect{attr} x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" '
            f'fill="{self.colours.paint[role]}"/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, role: str, width: float) -> None:
        self.items.append(
            f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" '
            f'fill="none" stroke="{self.colours.paint[role]}" stroke-width="{width:g}"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        content: str,
        role: str = "ink",
        size: float = LABEL_SIZE,
        weight: str = "regular",
        anchor: str = "start",
    ) -> None:
        font_weight = 600 if weight == "semibold" else 400
        self.items.append(
            f'<text x="{x:.2f}" y="{y:.2f}" font-family="{FAMILY}" font-size="{size:g}" '
            f'font-weight="{font_weight}" text-anchor="{anchor}" '
            f'fill="{self.colours.paint[role]}">{escape(content)}</text>'
        )

    def svg(self, height: float) -> Chart:
        body = "\n".join(self.items)
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.2f}pt" '
            f'height="{height:.2f}pt" viewBox="0 0 {self.width:.2f} {height:.2f}">\n'
            f"{body}\n</svg>\n"
        )
        return Chart(svg, round(self.width, 2), round(height, 2))


def _legend(canvas: _Canvas, labels: list[tuple[str, str]], y: float) -> float:
    """Legend items (role, label) flowing in lines; returns the y below it."""
    x = 0.0
    baseline = y + LEGEND_BOX - 0.8
    for role, label in labels:
        item = LEGEND_BOX + 3 + text_width(label) + 10
        if x and x + item > canvas.width:
            x = 0.0
            baseline += LINE + 2
        canvas.rect(x, baseline - LEGEND_BOX + 0.8, LEGEND_BOX, LEGEND_BOX, role, "legend")
        canvas.text(x + LEGEND_BOX + 3, baseline, label)
        x += item
    return baseline + 8


def render_chart(dataset: Dataset, width: float, colours: Colours) -> Chart:
    """The chart of *dataset*, *width* points wide."""
    if dataset.kind is Kind.LIKERT:
        return _likert(dataset, width, colours)
    return _choice(dataset, width, colours)


def _likert(dataset: Dataset, width: float, colours: Colours) -> Chart:
    canvas = _Canvas(width, colours)
    roles = _likert_roles(len(dataset.scale))
    y = _legend(canvas, list(zip(roles, dataset.scale, strict=True)), 0)
    show_n = len({row.n for row in dataset.rows}) > 1
    for row in dataset.rows:
        label = row.label + (f" ({row.group})" if row.group else "")
        if show_n:
            label += f" (n{NBSP}={NBSP}{fi_int(row.n)})"
        for line in wrap(label, width):
            y += LINE
            canvas.text(0, y - 2.2, line)
        y += 1.5
        x = 0.0
        for index, role in enumerate(roles):
            share = row.share(index)
            w = float(share) * width
            if w <= 0:
                continue
            canvas.rect(x, y, w, BAR, role, "bar")
            shown = str(percent_value(share))
            if w >= MIN_LABELLED and shown != "0":
                canvas.text(
                    x + w / 2,
                    y + BAR / 2 + VALUE_SIZE * 0.36,
                    shown,
                    role=colours.on(role),
                    size=VALUE_SIZE,
                    weight="semibold",
                    anchor="middle",
                )
            x += w
        y += BAR + GAP
    return canvas.svg(y - GAP + 2)


def _likert_roles(steps: int) -> tuple[str, ...]:
    """Palette roles for *steps* scale steps: dark positive ... neutral ... negative."""
    if steps == 5:
        return LIKERT_ROLES
    if steps == 4:
        return ("chart-1", "chart-2", "chart-4", "chart-5")
    if steps == 3:
        return ("chart-1", "chart-3", "chart-5")
    if steps == 2:
        return ("chart-1", "chart-5")
    return tuple(LIKERT_ROLES[min(i, 4)] for i in range(steps))


def _choice(dataset: Dataset, width: float, colours: Colours) -> Chart:
    canvas = _Canvas(width, colours)
    groups = dataset.groups or ("",)
    roles = {group: GROUP_ROLES[i % len(GROUP_ROLES)] for i, group in enumerate(groups)}
    y = 0.0
    if dataset.groups:
        y = _legend(canvas, [(roles[g], g) for g in groups], 0)
    label_width = width * 0.38
    value_room = 30.0
    x0 = label_width + 6
    scale = width - x0 - value_room
    axis_top = y
    for key in dataset.row_keys():
        rows = [dataset.row(key, group) for group in groups]
        present = [r for r in rows if r is not None]
        lines = wrap(present[0].label, label_width)
        block = max(len(lines) * LINE, len(present) * (CHOICE_BAR + 1.5))
        top = y + 2
        bar_y = top + 1.5
        first_baseline = bar_y + CHOICE_BAR / 2 + LABEL_SIZE * 0.36  # level with the bar
        for i, line in enumerate(lines):
            canvas.text(0, first_baseline + i * LINE, line)
        block = max(block, first_baseline - top + (len(lines) - 1) * LINE + 2.5)
        for group, row in zip(groups, rows, strict=True):
            if row is None:
                continue
            share = row.share()
            w = float(share) * scale
            canvas.rect(x0, bar_y, max(w, 0.0), CHOICE_BAR, roles[group], "bar")
            canvas.text(
                x0 + w + 3,
                bar_y + CHOICE_BAR / 2 + VALUE_SIZE * 0.36,
                fi_percent(share),
                size=VALUE_SIZE,
                weight="semibold",
            )
            bar_y += CHOICE_BAR + 1.5
        y = top + block + GAP
    canvas.line(x0, axis_top, x0, y - GAP + 2, "rule", 0.6)
    return canvas.svg(y - GAP + 4)


def describe(dataset: Dataset) -> str:
    """Alt text from the data: what the chart shows and its main finding, in Finnish."""
    n = fi_int(dataset.n)
    if dataset.kind is Kind.LIKERT:
        ranked = sorted(dataset.rows, key=dataset.agree_share, reverse=True)
        top, bottom = ranked[0], ranked[-1]
        label = dataset.entry.agree_label
        return (
            f"Pinottu pylväskuvio: {dataset.entry.title} (n = {n}). "
            f"Vastauksia ”{label}” oli eniten kohdassa ”{top.label}” "
            f"({fi_percent(dataset.agree_share(top))}) ja vähiten kohdassa "
            f"”{bottom.label}” ({fi_percent(dataset.agree_share(bottom))})."
        ).replace(NBSP, " ")
    if dataset.groups:
        parts = []
        for group in dataset.groups:
            rows = [r for r in dataset.rows if r.group == group]
            best = max(rows, key=lambda r: r.share())
            parts.append(f"{group}: yleisin ”{best.label}” ({fi_percent(best.share())})")
        return (f"Vaakapylväskuvio: {dataset.entry.title}. " + "; ".join(parts) + ".").replace(
            NBSP, " "
        )
    ranked = sorted(dataset.rows, key=lambda r: r.share(), reverse=True)
    tail = " ja ".join(f"”{r.label}” ({fi_percent(r.share())})" for r in ranked[1:3])
    return (
        f"Vaakapylväskuvio: {dataset.entry.title} (n = {n}). "
        f"Yleisin vastaus oli ”{ranked[0].label}” ({fi_percent(ranked[0].share())})"
        + (f", seuraavina {tail}." if tail else ".")
    ).replace(NBSP, " ")
