"""Finnish hyphenation: real break points, compound boundaries first-class."""

from __future__ import annotations

import pytest

from workbook.markup.hyphenation import SOFT_HYPHEN, hyphenator_for


@pytest.fixture(scope="module")
def fi():
    return hyphenator_for("fi")


def breaks(hyphenator, word: str) -> str:
    return hyphenator.hyphenate_word(word).replace(SOFT_HYPHEN, "-")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # compounds: the boundary is a break point, and no break crosses it wrongly
        ("kirjastoauto", "kir-jas-to-auto"),
        ("asiakaspalvelu", "asia-kas-pal-ve-lu"),
        ("kehittämisasia", "ke-hit-tä-mis-asia"),
        ("henkilöstökysely", "hen-ki-lös-tö-ky-se-ly"),
        ("palautusautomaatti", "pa-lau-tus-au-to-maat-ti"),
        ("asiakasymmärrystyöpajat", "asia-kas-ym-mär-rys-työ-pajat"),
        # plain words: syllable rule, consonant before vowel starts a syllable
        ("kirjasto", "kir-jas-to"),
        ("aineisto", "ai-neis-to"),
        ("Pirkanmaan", "Pir-kan-maan"),
    ],
)
def test_finnish_break_points(fi, word, expected):
    assert breaks(fi, word) == expected


def test_compound_boundary_not_split_wrongly(fi):
    # the syllable rule alone would give "ke-hit-tä-mi-sa-si-a"
    assert "mi-sa" not in breaks(fi, "kehittämisasia")
    assert "kehittämis" in breaks(fi, "kehittämisasia").replace("-", "", 3)


@pytest.mark.parametrize("word", ["asia", "kirja", "WCAG", "iPad", "e-kirja"])
def test_short_acronym_and_hyphenated_words_untouched(fi, word):
    assert fi.hyphenate_word(word) == word or SOFT_HYPHEN not in fi.hyphenate_word(word)[:2]


def test_no_break_leaves_fewer_than_minimum(fi):
    for word in ["asiakaspalvelu", "kirjastoauto", "kehittämisasia"]:
        parts = fi.hyphenate_word(word).split(SOFT_HYPHEN)
        assert len(parts[0]) >= 2 and len(parts[-1]) >= 2


def test_text_keeps_punctuation_and_numbers(fi):
    text = "Kirjastoauto, 2018 ja asiakaspalvelu!"
    out = fi.hyphenate_text(text)
    assert out.replace(SOFT_HYPHEN, "") == text
    assert out.count(SOFT_HYPHEN) >= 5
