"""Colour conversion, ink limits, image preparation and its cache."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from PIL import Image, ImageCms

from conftest import illustrated
from workbook.config.publication import Images, load_config
from workbook.errors import WorkbookError
from workbook.html.colour import limit_ink, load_output_profile, max_ink_percent, srgb_profile
from workbook.html.images import Settings, prepare
from workbook.intake.illustrations import load_manifest, place


@pytest.fixture
def project(tmp_path):
    return load_config(illustrated(tmp_path))


@pytest.fixture
def profile(project):
    return load_output_profile(project)


def lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    transform = ImageCms.buildTransformFromOpenProfiles(
        srgb_profile(), ImageCms.createProfile("LAB"), "RGB", "LAB"
    )
    pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), transform).getpixel((0, 0))
    return pixel[0] * 100 / 255, pixel[1] - 128, pixel[2] - 128


def delta_e(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def test_bundled_profile_is_cmyk(profile):
    assert profile.description == "Artifex CMYK SWOP Profile"
    assert profile.condition == profile.description
    assert profile.profile.profile.xcolor_space.strip() == "CMYK"


def test_configured_profile_must_be_cmyk(tmp_path):
    config = illustrated(tmp_path)
    srgb = tmp_path / "srgb.icc"
    srgb.write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    text = config.read_text() + '\n[colour]\noutput_profile = "srgb.icc"\n'
    config.write_text(text)
    with pytest.raises(WorkbookError, match=r"output profile srgb\.icc is RGB, not CMYK"):
        load_output_profile(load_config(config))


def test_missing_profile_is_named(tmp_path):
    config = illustrated(tmp_path)
    config.write_text(config.read_text() + '\n[colour]\noutput_profile = "PSOcoated_v3.icc"\n')
    with pytest.raises(WorkbookError, match=r"output profile 'PSOcoated_v3\.icc' not found"):
        load_output_profile(load_config(config))


@pytest.mark.parametrize(
    ("srgb", "expected"),
    [
        ((255, 255, 255), (0.0, 0.0, 0.0, 0.0)),  # paper: no ink at all
        ((255, 255, 0), (0.0, 0.0, 1.0, 0.0)),  # yellow: yellow ink alone (within 10 %)
        ((0, 160, 225), (0.85, 0.2, 0.0, 0.0)),  # a process-cyan blue
    ],
)
def test_known_srgb_colours_land_near_expected_cmyk(profile, srgb, expected):
    pixel = profile.to_cmyk(Image.new("RGB", (1, 1), srgb), None).getpixel((0, 0))
    cmyk = [v / 255 for v in pixel]
    assert cmyk == pytest.approx(expected, abs=0.12)


def test_conversion_round_trip_keeps_the_colour(profile):
    """sRGB -> CMYK -> sRGB through the output profile stays within Delta E 5 (in gamut)."""
    back = ImageCms.buildTransform(profile.profile, srgb_profile(), "CMYK", "RGB")
    for colour in [(13, 107, 99), (200, 120, 60), (120, 120, 160), (230, 200, 170)]:
        cmyk = profile.to_cmyk(Image.new("RGB", (1, 1), colour), None)
        again = ImageCms.applyTransform(cmyk, back).getpixel((0, 0))
        assert delta_e(lab(colour), lab(again)) < 5, (colour, again)


def test_neutral_greys_print_on_black_ink_only(profile):
    assert profile.cmyk_of_hex("#000000") == (0.0, 0.0, 0.0, 1.0)
    assert profile.cmyk_of_hex("#808080") == (0.0, 0.0, 0.0, 0.498)
    c, m, y, _ = profile.cmyk_of_hex("#0d6b63")
    assert c > 0.7 and y > 0.4 and m < 0.5


def test_ink_limit():
    heavy = Image.new("CMYK", (2, 1), (255, 255, 255, 255))
    heavy.putpixel((1, 0), (40, 30, 30, 0))
    limited = limit_ink(heavy, 300)
    assert max_ink_percent(limited) <= 300
    assert limited.getpixel((0, 0)) == (170, 170, 170, 255)  # C, M, Y scaled; K kept
    assert limited.getpixel((1, 0)) == (40, 30, 30, 0)  # light colours untouched


def test_converted_images_stay_within_ink_limit(profile):
    dark = Image.new("RGB", (4, 4), (5, 5, 20))
    assert max_ink_percent(profile.to_cmyk(dark, None)) <= profile.max_ink


def settings_for(project, profile, space):
    return Settings(space, project.config.images, profile if space == "cmyk" else None)


def test_prepare_press_and_screen(project, profile, tmp_path):
    manifest = load_manifest(project)
    fmt = project.config.format
    item = manifest["koko-sivu"]
    cache = tmp_path / "cache"
    press = prepare(item, place(item, fmt, 3.0), settings_for(project, profile, "cmyk"), cache)
    with Image.open(press.path) as image:
        assert image.format == "JPEG" and image.mode == "CMYK"
        assert image.size == (2079, 2906)
        assert max_ink_percent(image) <= 301
    screen = prepare(item, place(item, fmt, 0.0), settings_for(project, profile, "srgb"), cache)
    with Image.open(screen.path) as image:
        assert image.mode == "RGB"
        # 175 ppi over the 170 x 240 mm trim (the bleed is cropped off).
        assert image.size == (1172, 1654)
    assert screen.ppi == pytest.approx(175, abs=0.5)


def test_cover_crops_to_the_box(project, profile, tmp_path):
    item = load_manifest(project)["avaus"]  # 2100 x 1240 px into 176 x 103.8 mm
    placed = place(item, project.config.format, 3.0)
    result = prepare(item, placed, settings_for(project, profile, "cmyk"), tmp_path)
    width, height = result.pixels
    assert width / height == pytest.approx(placed.width / placed.height, abs=0.002)


def test_cache_hits_and_misses(project, profile, tmp_path):
    item = load_manifest(project)["tiski"]
    placed = place(item, project.config.format, 3.0)
    settings = settings_for(project, profile, "cmyk")
    first = prepare(item, placed, settings, tmp_path)
    again = prepare(item, placed, settings, tmp_path)
    assert first.converted and not again.converted
    assert again.path == first.path
    other = replace(settings, images=Images(press_jpeg_quality=80))
    assert prepare(item, placed, other, tmp_path).converted  # settings are part of the key
    item.path.write_bytes(item.path.read_bytes() + b"\0")  # a changed delivery
    assert prepare(item, placed, settings, tmp_path).converted
    assert len(list(tmp_path.glob("tiski-cmyk-*.jpg"))) == 3


def test_line_art_gets_cmyk_colours_for_press(project, profile, tmp_path):
    item = load_manifest(project)["viiva"]
    placed = place(item, project.config.format, 3.0)
    press = prepare(item, placed, settings_for(project, profile, "cmyk"), tmp_path)
    svg = press.path.read_text()
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b|\"black\"", svg)
    assert 'stroke="device-cmyk(0 0 0 0.829)"' in svg  # #2b2b33 is near-neutral: K only
    assert 'stroke="device-cmyk(0 0 0 1)"' in svg  # "black"
    assert "fill: device-cmyk(0 0 0 0.498)" in svg  # grey in a style attribute
    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100" fill="' in svg
    screen = prepare(item, placed, settings_for(project, profile, "srgb"), tmp_path)
    assert screen.path.read_bytes() == item.path.read_bytes()


def delivery(project, tmp_path, name: str, image: Image.Image, **options):
    """A manifest item for *image*, saved under illustrations/ as *name*, placed inline."""
    manifest = load_manifest(project)
    item = manifest["tiski"]
    path = item.path.parent / name
    image.save(path, **options)
    return replace(item, path=path, pixels=image.size, aspect=image.width / image.height)


def test_greyscale_prints_on_black_ink_only(project, profile, tmp_path):
    item = delivery(project, tmp_path, "harmaa.png", Image.linear_gradient("L").resize((800, 600)))
    placed = place(item, project.config.format, 3.0)
    result = prepare(item, placed, settings_for(project, profile, "cmyk"), tmp_path / "c")
    with Image.open(result.path) as image:
        assert image.mode == "CMYK"
        c, m, y, k = (band.getextrema() for band in image.split())
        assert max(c[1], m[1], y[1]) <= 2 and k[1] >= 250


def test_transparent_png_is_flattened_on_paper(project, profile, tmp_path):
    image = Image.new("RGBA", (800, 600), (200, 30, 30, 0))
    item = delivery(project, tmp_path, "lapinakyva.png", image)
    placed = place(item, project.config.format, 0.0)
    result = prepare(item, placed, settings_for(project, profile, "srgb"), tmp_path / "c")
    with Image.open(result.path) as prepared:
        assert prepared.mode == "RGB"
        assert all(v >= 250 for v in prepared.getpixel((10, 10)))  # white paper, not red


def test_cmyk_delivery_is_kept_for_press_and_converted_for_screen(project, profile, tmp_path):
    image = Image.new("CMYK", (800, 600), (0, 200, 200, 0))
    item = delivery(project, tmp_path, "cmyk.jpg", image, quality=95)
    fmt = project.config.format
    press = prepare(item, place(item, fmt, 3.0), settings_for(project, profile, "cmyk"), tmp_path)
    with Image.open(press.path) as prepared:
        assert prepared.mode == "CMYK"
        assert prepared.getpixel((5, 5)) == pytest.approx((0, 200, 200, 0), abs=4)
    screen = prepare(item, place(item, fmt, 0.0), settings_for(project, profile, "srgb"), tmp_path)
    with Image.open(screen.path) as prepared:
        r, g, b = prepared.getpixel((5, 5))
        assert prepared.mode == "RGB" and r > 200 and g < 120 and b < 120  # a red
