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


# ---- which faces set text, and the glyphs the book's own CSS asks for ----

STYLES = REPO / "styles"
# What a list-style keyword draws (CSS Lists 3), and what WeasyPrint's own
# stylesheet gives a nested list when the book's says nothing.
MARKER_GLYPHS = {"disc": "•", "circle": "◦", "square": "▪", "disclosure-open": "▾"}


def text_faces_of_the_book():
    from workbook.intake.fonts import book_fonts, text_faces

    return text_faces(book_fonts(FONTS), STYLES / "book.css")


def test_form_field_face_does_not_judge_the_text():
    faces = text_faces_of_the_book()
    assert {face.path.parent.name for face in faces} == {"charis", "inter"}
    assert len(faces) == len(BOOK_FONTS) - 1  # not "Workbook Fields", the form fields' face


def test_characters_the_typography_inserts_are_in_every_text_face():
    from workbook.intake.fonts import missing_glyph
    from workbook.markup import typography

    inserted = "".join(r for _, r in typography._RULES if isinstance(r, str) and "\\" not in r)
    inserted += typography.NBSP + typography.NARROW_NBSP + typography.EN_DASH + "…”’"
    assert missing_glyph(inserted, text_faces_of_the_book()) is None
    # "1 200 asiakasta": the typography's narrow no-break space, as a chapter's text
    assert (
        missing_glyph(typography.finnish_text("1 200 asiakasta"), text_faces_of_the_book()) is None
    )


def css_glyphs(stylesheet: Path) -> dict[str, str]:
    """Every character the stylesheet draws itself: content strings and list markers."""
    import tinycss2

    found: dict[str, str] = {}
    rules = tinycss2.parse_stylesheet(stylesheet.read_text("utf-8"), True, True)
    stack = list(rules)
    while stack:
        rule = stack.pop()
        if rule.type == "at-rule" and rule.content is not None:
            stack.extend(tinycss2.parse_blocks_contents(rule.content, True, True))
            continue
        if rule.type not in ("qualified-rule", "declaration") or rule.type == "declaration":
            declarations = [rule] if rule.type == "declaration" else []
        else:
            declarations = tinycss2.parse_declaration_list(rule.content, True, True)
        for declaration in declarations:
            if declaration.type != "declaration":
                continue
            name = declaration.lower_name
            if name not in ("content", "list-style-type", "list-style"):
                continue
            for token in declaration.value:
                if token.type == "string":
                    found.update({c: f"{name}: {token.value!r}" for c in token.value})
                elif token.type == "ident" and token.lower_value in MARKER_GLYPHS:
                    found[MARKER_GLYPHS[token.lower_value]] = f"{name}: {token.value}"
    return found


@pytest.mark.parametrize("sheet", sorted(STYLES.glob("*.css")), ids=lambda p: p.name)
def test_the_css_only_draws_glyphs_the_book_fonts_have(sheet):
    from workbook.intake.fonts import missing_glyph

    faces = text_faces_of_the_book()
    for char, where in css_glyphs(sheet).items():
        if char in "\n\r\t " or ord(char) < 0x20:
            continue
        assert missing_glyph(char, faces) is None, f"{sheet.name}: {where} draws U+{ord(char):04X}"


def test_nested_lists_get_a_marker_the_fonts_have():
    """WeasyPrint's defaults for nested lists (◦, ▪) are not in Charis: the book's CSS
    must give them one of its own."""
    assert "ul ul" in (STYLES / "book.css").read_text("utf-8")
    assert "–" in css_glyphs(STYLES / "book.css")


def test_a_file_that_is_not_a_font_is_one_line(tmp_path):
    from workbook.errors import WorkbookError
    from workbook.intake.fonts import book_fonts

    (tmp_path / "Bad.otf").write_bytes(b"<html>404</html>")
    with pytest.raises(WorkbookError, match="not a font file"):
        book_fonts(tmp_path)
