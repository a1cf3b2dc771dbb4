"""The common words of Arabic and English, normalised: a word of the language is no misspelling of another. Made
from pyspellchecker's word-frequency lists once, when the wheel is built (hatch_build.py), and read as text."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .arabic import normalize

LANGUAGES = ("ar", "en")
"""pyspellchecker's lists read: every word of each (a word seen at least 50 times in its corpus of subtitles)."""

GENERATED = "_common_words.txt"
"""The list as the wheel holds it: a line per normalised word, sorted, between newlines."""


def build() -> str:
    """The common words of LANGUAGES, normalised (`الأعداء` is `الاعداء`), one a line, sorted, the text beginning
    and ending with a newline (so that `\\nword\\n` is found only whole)."""
    from spellchecker import SpellChecker

    words: set[str] = set()
    for language in LANGUAGES:
        words.update(normalize(word) for word in SpellChecker(language=language, distance=1).word_frequency)
    return "\n" + "\n".join(sorted(word for word in words if word and "\n" not in word)) + "\n"


@cache
def _words() -> str:
    """The list: generated into the package when the wheel was built (hatch_build.py); else, run from a checkout
    where pyspellchecker is installed (it is needed to build, not to run), made now, in a second or so."""
    try:
        return (Path(__file__).parent / GENERATED).read_text(encoding="utf-8")
    except OSError:
        return build()


def is_common(word: str) -> bool:
    """Whether a normalised word is a word of Arabic or English: read (3 MB, 5 to 10 ms) only when first asked, and
    searched as text (a set of its 280,000 words would take 30 ms to make)."""
    return bool(word) and f"\n{word}\n" in _words()
