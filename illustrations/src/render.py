"""Illustrator's delivery tool (Veera Koski) – NOT part of the book build.

Rasterises the drawn SVG originals in this folder to the delivered image files
in illustrations/ at their exact print sizes; the build reads only those
deliverables (and the two line-art SVGs polku.svg and koriste.svg, which are
delivered as vector files and are not touched here).

    python illustrations/src/render.py            # from the repository root
    python illustrations/src/render.py automaatti # just one

Route: WeasyPrint renders an HTML page holding the SVG as <img> at the exact
page size (pixels / 300 in) to PDF; pdftoppm (poppler-utils) rasterises it at
300 ppi; Pillow fixes the size to the exact pixels, embeds the ICC profile and
saves in the delivery format.  The SVG originals are written by draw.py.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import weasyprint
from PIL import Image, ImageCms

SRC = Path(__file__).resolve().parent
OUT = SRC.parent
PPI = 300
ADOBE_RGB = Path("/tmp/icc/x/usr/share/color/icc/compatibleWithAdobeRGB1998.icc")

# name: (width px, height px, file name, format)
JOBS = {
    "kohtaaminen": (2079, 2906, "kohtaaminen.jpg", "JPEG"),
    "hyllyjen-valissa": (2079, 1300, "hyllyjen-valissa.png", "PNG"),
    "automaatti": (1100, 1000, "automaatti.png", "PNG"),
    "neuvonta": (1600, 1100, "neuvonta.tif", "TIFF"),
    "tyopaja": (1300, 900, "tyopaja.png", "PNG"),
}


def srgb_bytes() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def rasterise(svg: Path, width: int, height: int) -> Image.Image:
    """The SVG at exactly width x height pixels, RGB, sRGB values."""
    # a hair under the exact size, because pdftoppm rounds the page size up
    w_in, h_in = (width - 0.02) / PPI, (height - 0.02) / PPI
    html = (
        "<!doctype html><html><head><style>"
        f"@page {{ size: {w_in:.6f}in {h_in:.6f}in; margin: 0 }}"
        "html, body { margin: 0; padding: 0 }"
        f"img {{ display: block; width: {w_in:.6f}in; height: {h_in:.6f}in }}"
        f"</style></head><body><img src=\"{svg.as_uri()}\" alt=\"\"></body></html>"
    )
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "page.pdf"
        weasyprint.HTML(string=html, base_url=str(SRC)).write_pdf(pdf)
        subprocess.run(["pdftoppm", "-r", str(PPI), "-png", "-singlefile", str(pdf),
                        str(Path(tmp) / "page")], check=True)
        with Image.open(Path(tmp) / "page.png") as im:
            im = im.convert("RGB")
            im.load()
    if im.size != (width, height):
        # should not happen; pad or crop a pixel rather than rescale
        fixed = Image.new("RGB", (width, height), im.getpixel((im.width - 1, im.height - 1)))
        fixed.paste(im.crop((0, 0, min(width, im.width), min(height, im.height))), (0, 0))
        im = fixed
    return im


def deliver(name: str) -> Path:
    width, height, filename, fmt = JOBS[name]
    im = rasterise(SRC / f"{name}.svg", width, height)
    target = OUT / filename
    dpi = (PPI, PPI)
    if fmt == "JPEG":
        im.save(target, "JPEG", quality=88, optimize=True, dpi=dpi, icc_profile=srgb_bytes())
    elif fmt == "PNG":
        im.save(target, "PNG", optimize=True, dpi=dpi, icc_profile=srgb_bytes())
    elif fmt == "TIFF":
        if not ADOBE_RGB.is_file():
            raise SystemExit(f"{ADOBE_RGB} is missing: unpack the Adobe RGB (1998)-compatible "
                             "profile from the icc-profiles-free package (zlib licence) there")
        adobe = ImageCms.getOpenProfile(str(ADOBE_RGB))
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        im = ImageCms.profileToProfile(im, srgb, adobe,
                                       renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                       outputMode="RGB")
        im.save(target, "TIFF", compression="tiff_lzw", dpi=dpi,
                icc_profile=ADOBE_RGB.read_bytes())
    else:
        raise ValueError(fmt)
    with Image.open(target) as check:
        assert check.size == (width, height) and check.mode == "RGB", (target, check.size)
    return target


def main(names: list[str]) -> None:
    for name in names or list(JOBS):
        target = deliver(name)
        print(f"{target.relative_to(OUT.parent)}: {JOBS[name][0]} x {JOBS[name][1]} px, "
              f"{target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
