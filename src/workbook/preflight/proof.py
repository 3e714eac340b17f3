"""Proof sheets: a built PDF's pages side by side as spreads in one PNG, to look at."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from workbook.errors import WorkbookError


def render_pages(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    """Render every page of *pdf* to PNG files in *folder* with pdftoppm."""
    if shutil.which("pdftoppm") is None:
        raise WorkbookError("pdftoppm not found", hint="run ./setup.sh (installs poppler-utils)")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
        check=True,
        capture_output=True,
    )
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def contact_sheet(pdf: Path, target: Path, *, dpi: int = 40, spreads_per_row: int = 3) -> Path:
    """Write a PNG of all pages laid out as book spreads (page 1 alone on the right)."""
    if not pdf.is_file():
        raise WorkbookError("PDF not found", path=pdf, hint="run invoke build first")
    with tempfile.TemporaryDirectory() as temp:
        pages = [Image.open(p).convert("RGB") for p in render_pages(pdf, Path(temp), dpi)]
    width, height = pages[0].size
    slots: list[Image.Image | None] = [None, *pages]  # recto pages sit on the right
    if len(slots) % 2:
        slots.append(None)
    spreads = [slots[i : i + 2] for i in range(0, len(slots), 2)]
    gap = 12
    rows = (len(spreads) + spreads_per_row - 1) // spreads_per_row
    sheet = Image.new(
        "RGB",
        (spreads_per_row * (2 * width + gap) + gap, rows * (height + gap) + gap),
        (128, 128, 128),
    )
    for index, spread in enumerate(spreads):
        x = gap + (index % spreads_per_row) * (2 * width + gap)
        y = gap + (index // spreads_per_row) * (height + gap)
        for side, page in enumerate(spread):
            if page is not None:
                sheet.paste(page, (x + side * width, y))
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(target)
    return target
