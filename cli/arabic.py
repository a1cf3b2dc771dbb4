"""Arabic-aware text matching: normalisation, tokens, light stemming (Lucene's), and proclitics. No I/O."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_HARAKAT = [*range(0x064B, 0x0660), 0x0670, 0x0640, *range(0x06D6, 0x06EE)]
_FOLDS = {
    "آ": "ا",
    "أ": "ا",
    "إ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ک": "ك",
    "ی": "ي",
    # Beyond Lucene: hamza on waw and yeh, which people drop or write either way (مسؤول, مسئول).
    "ؤ": "و",
    "ئ": "ي",
}
_FOLDED = {**dict.fromkeys(map(chr, _HARAKAT), ""), **_FOLDS}
# A regex and a dict, not str.translate: translate looks every character up, three times slower on Arabic text.
_TO_FOLD = re.compile("[" + "".join(map(re.escape, _FOLDED)) + "]")
_WORD = re.compile(r"\w+")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")

# Lucene's ArabicStemmer (Larkey's light10): the first prefix that fits, then every suffix that fits, in order.
_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
# Single-letter proclitics Lucene leaves alone (conjunction and prepositions), and the article.
_PROCLITICS = ("و", "ف", "ب", "ل", "ك")


# Decimal digits of every script but ASCII's (Arabic-Indic ٠-٩, Persian ۰-۹, Devanagari, ...).
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _digit_to_ascii(match: re.Match[str]) -> str:
    return str(unicodedata.decimal(match[0]))


def _fold(match: re.Match[str]) -> str:
    return _FOLDED[match[0]]


def normalize(text: str) -> str:
    """NFKC, case-folded, digits of every script as ASCII, harakat and tatweel removed, letter variants folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _TO_FOLD.sub(_fold, _OTHER_DIGIT.sub(_digit_to_ascii, text))


def tokenize(text: str) -> list[str]:
    """The normalised words of `text` (a hyphen splits: `إس-300` is `اس`, `300`)."""
    return _WORD.findall(normalize(text))


def is_arabic(token: str) -> bool:
    return bool(_ARABIC_LETTER.search(token))


def stem_arabic(token: str) -> str:
    """Lucene's ArabicStemmer on a normalised token."""
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) >= (4 if len(prefix) == 1 else len(prefix) + 2):
            token = token[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) >= len(suffix) + 2:
            token = token[: -len(suffix)]
    return token


# American spellings of words the store writes in British English.
_BRITISH = {"defense": "defence", "defenses": "defences", "organization": "organisation", "center": "centre"}


def stem_english(token: str) -> str:
    """Harman's S-stemmer (plural -ies, -es and -s to the singular), after American spellings to British."""
    token = _BRITISH.get(token, token)
    if len(token) > 3 and token.endswith("ies") and not token.endswith(("eies", "aies")):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("es") and not token.endswith(("aes", "ees", "oes")):
        return token[:-1]
    if len(token) > 2 and token.endswith("s") and not token.endswith(("us", "ss")):
        return token[:-1]
    return token


@lru_cache(maxsize=8192)
def stem(token: str) -> str:
    """The stem of a normalised token: Arabic light stemming, English plural folding; numbers as they are."""
    if token.isdigit():
        return token
    return stem_arabic(token) if is_arabic(token) else stem_english(token)


def analyze(text: str) -> list[str]:
    """The stems of `text`: what the index holds and what a query is compared with."""
    return [stem(token) for token in tokenize(text)]


def without_proclitic(token: str) -> list[str]:
    """The readings of a normalised token with one attached conjunction or preposition (and `ال`) taken off.

    `بموسكو` gives `موسكو`; `والقوقاز` gives `القوقاز` and `قوقاز`. For matching names, whose own first letters a
    stemmer would eat (`بالخاش` is not `بال` + `خاش`): a reading counts only when it is a known name.
    """
    readings = []
    if is_arabic(token) and len(token) > 3 and token[0] in _PROCLITICS:
        readings.append(token[1:])
    for reading in [token, *readings]:
        if reading.startswith("ال") and len(reading) > 4:
            readings.append(reading[2:])
    return readings
