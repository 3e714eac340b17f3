"""Hyphenation as soft hyphens (U+00AD), inserted into text before rendering.

WeasyPrint hyphenates through pyphen, which has no Finnish dictionary. Finnish
is handled with Voikko (libvoikko + voikko-fi), which knows compound words
(``kehittämis-asia``, not ``kehittämi-sasia``) and is told to skip "ugly" breaks
such as a lone first vowel (``a-siakas``). The stylesheet then uses
``hyphens: manual``. Other languages use pyphen's patterns when it has them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from workbook.errors import WorkbookError

SOFT_HYPHEN = "\u00ad"
MIN_WORD = 6  # shorter words are never broken
MIN_LEFT = 2  # letters kept before a break
MIN_RIGHT = 2  # letters carried to the next line (Finnish never carries one alone)

_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

Breaker = Callable[[str], list[int]]


class Hyphenator:
    """Insert soft hyphens into running text of one language."""

    def __init__(self, language: str, breaker: Breaker) -> None:
        self.language = language
        self._breaker = lru_cache(maxsize=65536)(breaker)

    def positions(self, word: str) -> list[int]:
        """Indexes in *word* before which a soft hyphen may go."""
        if len(word) < MIN_WORD or word.isupper() or any(c.isupper() for c in word[1:]):
            return []
        return [
            i
            for i in self._breaker(word)
            if MIN_LEFT <= i <= len(word) - MIN_RIGHT and word[i - 1] != "-" and word[i] != "-"
        ]

    def hyphenate_word(self, word: str) -> str:
        """Return *word* with soft hyphens at its break points."""
        cuts = self.positions(word)
        if not cuts:
            return word
        parts, last = [], 0
        for cut in cuts:
            parts.append(word[last:cut])
            last = cut
        parts.append(word[last:])
        return SOFT_HYPHEN.join(parts)

    def hyphenate_text(self, text: str) -> str:
        """Hyphenate every word of *text*, leaving everything else as it is."""
        return _WORD_RE.sub(lambda m: self.hyphenate_word(m[0]), text)


def _voikko_breaker() -> Breaker:
    try:
        import libvoikko
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise WorkbookError(
            "the Python package libvoikko is missing", hint="run ./setup.sh"
        ) from exc
    try:
        voikko = libvoikko.Voikko("fi")
    except (OSError, libvoikko.VoikkoException) as exc:
        raise WorkbookError(
            f"Finnish hyphenation is not available ({exc})",
            hint="run ./setup.sh, which installs the system packages libvoikko1 and voikko-fi",
        ) from None
    voikko.setNoUglyHyphenation(True)
    voikko.setHyphenateUnknownWords(True)
    voikko.setMinHyphenatedWordLength(MIN_WORD)

    def breaker(word: str) -> list[int]:
        pattern = voikko.getHyphenationPattern(word)
        return [i for i, mark in enumerate(pattern) if mark == "-"]

    return breaker


def _pyphen_breaker(language: str) -> Breaker | None:
    import pyphen

    if not pyphen.language_fallback(language):
        return None
    dic = pyphen.Pyphen(lang=language)
    return lambda word: list(dic.positions(word))


@lru_cache(maxsize=8)
def hyphenator_for(language: str) -> Hyphenator:
    """The hyphenator for a language code (``fi`` uses Voikko)."""
    base = language.split("-")[0].lower()
    if base == "fi":
        return Hyphenator(language, _voikko_breaker())
    breaker = _pyphen_breaker(language)
    if breaker is None:
        raise WorkbookError(
            f"no hyphenation dictionary for language '{language}'",
            hint="use a language pyphen knows, or add a breaker in workbook.markup.hyphenation",
        )
    return Hyphenator(language, breaker)
