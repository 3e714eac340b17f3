"""The characters of a font read from its raw cmap table, as fontTools lists them."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from conftest import REPO
from workbook.intake.fonts import mapped_codepoints

FONTS = REPO / "styles" / "fonts"
BOOK_FONTS = sorted([*FONTS.rglob("*.ttf"), *FONTS.rglob("*.otf")])
SYSTEM_FONTS = sorted(Path("/usr/share/fonts/truetype").rglob("*.ttf"))[:12]


@pytest.mark.parametrize("path", BOOK_FONTS + SYSTEM_FONTS, ids=lambda path: path.name)
def test_the_same_characters_as_fonttools(path):
    with TTFont(path, lazy=True) as font:
        raw = font.reader["cmap"]
        expected = frozenset(font.getBestCmap())
    assert mapped_codepoints(raw) == expected


def _cmap(*subtables: tuple[int, int, bytes]) -> bytes:
    """A cmap table of (platform, encoding, subtable) records."""
    head = struct.pack(">HH", 0, len(subtables))
    offset = 4 + 8 * len(subtables)
    records, body = b"", b""
    for platform, encoding, data in subtables:
        records += struct.pack(">HHI", platform, encoding, offset + len(body))
        body += data
    return head + records + body


def _format_4(segments: list[tuple[int, int, int, int]], glyphs: list[int]) -> bytes:
    """Format 4 from (start, end, delta, range offset) segments, U+FFFF added last."""
    segments = [*segments, (0xFFFF, 0xFFFF, 1, 0)]
    double = 2 * len(segments)
    arrays = b"".join(
        struct.pack(f">{len(segments)}H", *(s[n] & 0xFFFF for s in segments)) for n in (1,)
    )
    arrays += b"\0\0" + b"".join(
        struct.pack(f">{len(segments)}H", *(s[n] & 0xFFFF for s in segments)) for n in (0, 2, 3)
    )
    data = arrays + struct.pack(f">{len(glyphs)}H", *glyphs)
    return struct.pack(">HHHHHHH", 4, 14 + len(data), 0, double, 0, 0, 0) + data


def test_format_4_leaves_out_characters_without_a_glyph():
    # A..C by delta (A itself maps to glyph 0), a..c through the glyph array
    # (b has no glyph).
    table = _format_4(
        [(0x41, 0x43, -0x41, 0), (0x61, 0x63, 0, 4)],
        glyphs=[5, 0, 7],
    )
    assert mapped_codepoints(_cmap((3, 1, table))) == {0x42, 0x43, 0x61, 0x63}


def test_format_12_preferred_and_glyph_0_left_out():
    bmp = _format_4([(0x41, 0x41, 1, 0)], glyphs=[])
    groups = [(0x41, 0x42, 0), (0x1F600, 0x1F601, 9)]  # U+0041 maps to glyph 0
    full = struct.pack(">HHIII", 12, 0, 16 + 12 * len(groups), 0, len(groups))
    full += b"".join(struct.pack(">III", *group) for group in groups)
    assert mapped_codepoints(_cmap((3, 1, bmp), (3, 10, full))) == {0x42, 0x1F600, 0x1F601}


def test_other_tables_are_left_to_fonttools():
    assert mapped_codepoints(_cmap((1, 0, struct.pack(">HHH", 0, 262, 0)))) is None
    assert mapped_codepoints(_cmap((3, 1, struct.pack(">HHH", 6, 10, 0)))) is None  # format 6
    assert mapped_codepoints(b"\0\0\0\1") is None  # cut short
