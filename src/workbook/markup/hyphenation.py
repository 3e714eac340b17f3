"""Hyphenation as soft hyphens (U+00AD), inserted into text before rendering.

WeasyPrint hyphenates through pyphen, which has no Finnish dictionary. Finnish
is handled with Voikko (libvoikko + voikko-fi), which knows compound words
(``kehittämis-asia``, not ``kehittämi-sasia``) and is told to skip "ugly" breaks
such as a lone first vowel (``a-siakas``). The stylesheet then uses
``hyphens: manual``.

A typographer's limits, not only valid break points:

- at least *min_left* letters before a break and *min_right* after it
  (``[typography]`` in publication.toml: 2 each, 3 where the house style asks);
- words shorter than *min_word* letters are never broken;
- a compound breaks at its boundaries (``rakennus-alan``, not ``raken-nusalan``):
  a syllable break is offered only when it leaves at least
  :data:`COMPOUND_SLACK` letters to the nearest boundary on both sides.

The page make-up (:mod:`workbook.render.makeup`) then takes the break points
out of words that end up hyphenated too often in a row, at a page's foot, or
leave a fragment at a paragraph's end.
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
COMPOUND_SLACK = 4  # letters between a syllable break and a compound boundary

_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

Breaker = Callable[[str], list[int]]
Bounds = Callable[[str], list[int]]


class Hyphenator:
    """Insert soft hyphens into running text of one language."""

    def __init__(
        self,
        language: str,
        breaker: Breaker,
        bounds: Bounds | None = None,
        *,
        min_left: int = MIN_LEFT,
        min_right: int = MIN_RIGHT,
        min_word: int = MIN_WORD,
    ) -> None:
        self.language = language
        self.min_left, self.min_right, self.min_word = min_left, min_right, min_word
        self._breaker = lru_cache(maxsize=65536)(breaker)
        self._bounds = lru_cache(maxsize=65536)(bounds or (lambda word: []))

    def positions(self, word: str) -> list[int]:
        """Indexes in *word* before which a soft hyphen may go."""
        if len(word) < self.min_word or word.isupper() or any(c.isupper() for c in word[1:]):
            return []
        cuts = [
            i
            for i in self._breaker(word)
            if self.min_left <= i <= len(word) - self.min_right
            and word[i - 1] != "-"
            and word[i] != "-"
        ]
        bounds = set(self._bounds(word))
        if not bounds:
            return cuts
        edges = sorted(bounds | {0, len(word)})
        return [
            i for i in cuts if i in bounds or min(abs(i - edge) for edge in edges) >= COMPOUND_SLACK
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


def _voikko_breaker() -> tuple[Breaker, Bounds]:
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
    voikko.setMinHyphenatedWordLength(4)

    def breaker(word: str) -> list[int]:
        pattern = voikko.getHyphenationPattern(word)
        return [i for i, mark in enumerate(pattern) if mark == "-"]

    def bounds(word: str) -> list[int]:
        """Where the parts of a compound meet, from Voikko's analysis (``=ppp=pppp``)."""
        analyses = voikko.analyze(word)
        if not analyses:
            return []
        found, letters = [], 0
        for mark in analyses[0].get("STRUCTURE", ""):
            if mark == "=":
                if 0 < letters < len(word) and word[letters - 1] != "-":
                    found.append(letters)
            else:
                letters += 1
        return found

    return breaker, bounds


def _pyphen_breaker(language: str) -> Breaker | None:
    import pyphen

    if not pyphen.language_fallback(language):
        return None
    dic = pyphen.Pyphen(lang=language)
    return lambda word: list(dic.positions(word))


@lru_cache(maxsize=8)
def hyphenator_for(
    language: str, min_left: int = MIN_LEFT, min_right: int = MIN_RIGHT, min_word: int = MIN_WORD
) -> Hyphenator:
    """The hyphenator for a language code (``fi`` uses Voikko) with the given limits."""
    limits = {"min_left": min_left, "min_right": min_right, "min_word": min_word}
    base = language.split("-")[0].lower()
    if base == "fi":
        breaker, bounds = _voikko_breaker()
        return Hyphenator(language, breaker, bounds, **limits)
    breaker = _pyphen_breaker(language)
    if breaker is None:
        raise WorkbookError(
            f"no hyphenation dictionary for language '{language}'",
            hint="use a language pyphen knows, or add a breaker in workbook.markup.hyphenation",
        )
    return Hyphenator(language, breaker, **limits)
