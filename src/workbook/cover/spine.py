"""The spine's width from the page count and the paper, and how it was reached.

A perfect-bound book's spine is its leaves (pages / 2) times the paper's
caliper, or its pages divided by the paper's pages per inch, plus what the
cover board adds (``print.cover_allowance``). A saddle-stitched book has no
spine. The formula and its inputs are printed on the spec sheet and checked
against the press PDF's page count by the cover's preflight.

Imports nothing heavy: the preflight and the spec sheet use it on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbook.config.publication import Binding, Project, toml_key_line
from workbook.errors import WorkbookError

MM_PER_INCH = 25.4


def fi_number(value: float, decimals: int = 2) -> str:
    """A number the Finnish way: decimal comma, e.g. ``6,36``."""
    return f"{value:.{decimals}f}".replace(".", ",")


@dataclass(frozen=True)
class Spine:
    """The spine of a book of *pages* pages (after padding)."""

    pages: int
    binding: Binding
    caliper: float | None  # µm per leaf
    pages_per_inch: int | None
    allowance: float  # mm
    width: float  # mm; 0 for saddle stitch

    def formula(self) -> str:
        """The calculation in Finnish, e.g. ``64 s. / 2 × 0,180 mm + 0,6 mm = 6,36 mm``."""
        if self.binding is Binding.SADDLE_STITCH:
            return "satulanidonta (stiftaus): ei selkää, leveys 0 mm"
        plus = f" + {fi_number(self.allowance, 1)} mm (kansikartonki)"
        if self.caliper is not None:
            body = f"{self.pages} s. / 2 × {fi_number(self.caliper / 1000, 3)} mm"
        else:
            body = f"{self.pages} s. / {self.pages_per_inch} s. tuumalla × 25,4 mm"
        return f"{body}{plus} = {fi_number(self.width)} mm"

    def inputs(self) -> dict[str, object]:
        """The formula's inputs for the spec sheet's JSON."""
        return {
            "pages": self.pages,
            "binding": self.binding.value,
            "caliper_um": self.caliper,
            "pages_per_inch": self.pages_per_inch,
            "cover_allowance_mm": self.allowance,
            "width_mm": round(self.width, 3),
        }


def spine_for(project: Project, pages: int) -> Spine:
    """The spine of the publication at *project* with *pages* pages.

    A perfect-bound book without ``print.caliper`` or ``print.pages_per_inch``
    is an error naming the config file and the key.
    """
    config = project.config
    job, binding = config.print, config.format.binding
    if binding is Binding.SADDLE_STITCH:
        return Spine(pages, binding, job.caliper, job.pages_per_inch, 0.0, 0.0)
    if job.caliper is not None:
        width = pages / 2 * job.caliper / 1000 + job.cover_allowance
    elif job.pages_per_inch is not None:
        width = pages / job.pages_per_inch * MM_PER_INCH + job.cover_allowance
    else:
        text = project.config_path.read_text(encoding="utf-8")
        raise WorkbookError(
            "missing 'print.caliper' (or 'print.pages_per_inch'): a perfect-bound cover's "
            "spine width needs the paper's thickness",
            path=project.config_path,
            line=toml_key_line(text, ["print", "caliper"]),
            hint="add caliper = <µm per leaf> under [print], from the paper's data sheet "
            "or the print house (e.g. 100 for 80 g/m2 offset)",
        )
    return Spine(pages, binding, job.caliper, job.pages_per_inch, job.cover_allowance, width)
