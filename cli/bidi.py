"""Right-to-left text for terminals that do not reorder it: direction, shaping, wrapping, reordering, mirroring.

The Unicode Bidirectional Algorithm's levels come from python-bidi (the Rust `unicode-bidi` crate, conformant
with BidiCharacterTest.txt); this module applies the line rules itself (L1 whitespace, L2 reversal, L4 mirroring,
which python-bidi leaves out), so that styles can follow each character to its visual place. Arabic letters are
shaped into their joined presentation forms (arabic-reshaper) before reordering, as FriBidi does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from arabic_reshaper import ArabicReshaper
from arabic_reshaper.arabic_reshaper import HARAKAT_RE
from arabic_reshaper.reshaper_config import default_config
from bidi import get_base_level, get_display
from bidi.mirror import MIRRORED

# The lam-alef ligatures, as FriBidi makes them, and no others (arabic-reshaper would also join "Allah").
_SETTINGS = {"delete_harakat": True, "support_ligatures": True, "arabic ligature allah": False}
_RESHAPER = ArabicReshaper(configuration=_SETTINGS)


class _Settings(dict):
    """arabic-reshaper's settings as a dict: `reshape` looks five of them up in a ConfigParser on every call,
    which was most of the time a table of Arabic claims took to draw. Keys are lower case, as ConfigParser's."""

    def getboolean(self, key: str) -> bool:
        return self[key.lower()]


_RESHAPER.configuration = _Settings({key.lower(): value for key, value in {**default_config, **_SETTINGS}.items()})

_LEVELS = re.compile(r"levels: \[(.*?)\]", re.DOTALL)
_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")
_REMOVED = {"RLE", "LRE", "RLO", "LRO", "PDF", "BN"}  # rule X9: not displayed, no level
_TRAILING = {"WS", "LRI", "RLI", "FSI", "PDI"}  # rule L1: back to the paragraph level at the end of a line
_SEPARATORS = {"S", "B"}
# A right-to-left line of right-to-left letters, their marks and neutrals, with no left-to-right letter, number or
# explicit formatting character, is all at the paragraph's level 1 (rules W1-W7, N1, N2 and L1 leave nothing else),
# which is known without running the algorithm: an outline of Arabic names is mostly such lines.
_ONLY_RTL = frozenset({"R", "AL", "NSM", "WS", "ON", "CS", "ES", "ET"})
_STRONG_RTL = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")


def has_rtl(text: str) -> bool:
    """Whether any character of `text` is written right to left (Hebrew, Arabic and their presentation forms)."""
    return bool(_STRONG_RTL.search(text))


def is_rtl(text: str) -> bool:
    """The paragraph direction of `text` (rules P2, P3): its first strong character's; left to right if none."""
    return get_base_level(text) == 1


def embedding_levels(text: str, rtl: bool) -> list[int]:
    """The resolved level of each code point of one line, with the given paragraph direction (before rule L1)."""
    debug = get_display(text, base_dir="R" if rtl else "L", debug=True)
    found = _LEVELS.search(str(debug))
    if not found:
        raise RuntimeError("python-bidi gave no levels: an unsupported version?")
    per_byte = [int(level) for level in _LEVEL.findall(found.group(1))]
    levels, offset = [], 0
    for char in text:
        levels.append(per_byte[offset])
        offset += len(char.encode("utf-8"))
    if offset != len(per_byte):
        raise RuntimeError("python-bidi's levels do not match the text: an unsupported version?")
    return levels


def line_levels(text: str, rtl: bool) -> list[int | None]:
    """Levels after rule L1, None for the characters rule X9 removes."""
    base = 1 if rtl else 0
    classes = [unicodedata.bidirectional(char) for char in text]
    if rtl and _ONLY_RTL.issuperset(classes):
        return [1] * len(text)
    levels: list[int | None] = list(embedding_levels(text, rtl)) if text else []
    trailing = True
    for index in range(len(text) - 1, -1, -1):
        kind = classes[index]
        if kind in _REMOVED:
            levels[index] = None
            continue
        if kind in _SEPARATORS:
            levels[index] = base
            trailing = True
        elif kind in _TRAILING and trailing:
            levels[index] = base
        else:
            trailing = False
    return levels


def visual_order(levels: Sequence[int | None]) -> list[int]:
    """Rule L2: the logical indices in visual order, left to right (removed characters left out)."""
    order = [index for index, level in enumerate(levels) if level is not None]
    ranks = [levels[index] for index in order]
    if not ranks:
        return order
    odd = [level for level in ranks if level is not None and level % 2]
    highest = max(level for level in ranks if level is not None)
    for level in range(highest, min(odd, default=highest + 1) - 1, -1):
        start = 0
        while start < len(order):
            if ranks[start] is not None and ranks[start] >= level:
                end = start
                while end < len(order) and ranks[end] is not None and ranks[end] >= level:
                    end += 1
                order[start:end] = order[start:end][::-1]
                ranks[start:end] = ranks[start:end][::-1]
                start = end
            else:
                start += 1
    return order


@lru_cache(maxsize=4096)
def shape(text: str) -> str:
    """Arabic letters in their joined presentation forms, lam-alef as one ligature, harakat dropped.

    The hamza, which never joins, stays U+0621 (arabic-reshaper writes its isolated form U+FE80; FriBidi and
    fonts treat the two alike).
    """
    return _RESHAPER.reshape(text).replace("\ufe80", "\u0621") if has_rtl(text) else text


def shape_with_origins(text: str) -> tuple[str, list[int]]:
    """The shaped text, and for each of its characters the index of the character of `text` it comes from: a
    lam-alef ligature comes from its lam (and stands for the alef after it), dropped harakat leave no character.

    Shaping is done word by word (spaces do not join)."""
    shaped, origins = [], []
    for match in re.finditer(r"\s+|\S+", text):
        piece, start = shape(match.group()), match.start()
        shaped.append(piece)
        origins += [start + origin for origin in _origins(match.group(), piece)]
    return "".join(shaped), origins


_LAM_ALEF = frozenset(map(chr, range(0xFEF5, 0xFEFD)))


def _origins(word: str, shaped: str) -> list[int]:
    """For each character of `shaped` (the reshaper's `word`), the index in `word` of the letter it comes from: the
    reshaper drops harakat and makes one character of a lam and the alef after it, and changes nothing else."""
    if shaped == word:
        return list(range(len(word)))
    letters = [index for index, char in enumerate(word) if not HARAKAT_RE.match(char)]
    origins, at = [], 0
    for char in shaped:
        origins.append(letters[min(at, len(letters) - 1)])
        at += 2 if char in _LAM_ALEF else 1
    if at != len(letters):  # not what this knows the reshaper to do: each character placed in proportion
        return [(k * len(word)) // max(len(shaped), 1) for k in range(len(shaped))]
    return origins


def display(text: str, rtl: bool) -> tuple[str, list[int]]:
    """One logical line as it must be sent to a terminal that does not reorder: shaped, reordered (each line
    on its own, with the paragraph direction given), paired brackets mirrored where they run right to left.
    Also returns, for each displayed character, the index of the logical character it comes from."""
    shaped, origins = shape_with_origins(text)
    levels = line_levels(shaped, rtl)
    order = visual_order(levels)
    chars = []
    for index in order:
        char, level = shaped[index], levels[index]
        chars.append(
            MIRRORED.get(char, char) if level is not None and level % 2 and unicodedata.mirrored(char) else char
        )
    return "".join(chars), [origins[index] for index in order]


def logical_from_visual(text: str) -> str:
    """A line of Arabic as `display` draws it (shaped, in visual order), put back: reordered, mirrored brackets
    mirrored back, presentation forms and the lam-alef ligature to base letters (NFKC).

    The reordering of rule L2 undoes itself on such a line: the visual line is reordered as a right-to-left
    paragraph, which an Arabic line copied from the screen is. Reordering comes before NFKC, as a ligature, one
    character on the screen, stands for two letters already in logical order.
    """
    levels = line_levels(text, True)
    chars = []
    for index in visual_order(levels):
        char, level = text[index], levels[index]
        chars.append(
            MIRRORED.get(char, char) if level is not None and level % 2 and unicodedata.mirrored(char) else char
        )
    return unicodedata.normalize("NFKC", "".join(chars))


def wrap(text: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """Greedy word wrap of one logical paragraph to `width` cells, as measured by `measure` on the shaped line.

    Lines break at spaces, which are dropped at the break; a word wider than a line is cut.
    """
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if measure(word) > width:
            *pieces, word = _cut(word, width, measure)
            lines += pieces
        current = word
    lines.append(current)
    return lines


def _cut(word: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """A word wider than `width` cut into pieces that fit, in one pass over it: the word is shaped once, and
    each shaped character (a lam-alef ligature is one) goes to the piece of the logical letters it comes from."""
    shaped, origins = shape_with_origins(word)
    starts, used = [0], 0
    for char, origin in zip(shaped, origins, strict=True):
        cells = measure(char)
        if used + cells > width and used and origin > starts[-1]:
            starts.append(origin)
            used = 0
        used += cells
    return [word[start:end] for start, end in zip(starts, [*starts[1:], len(word)], strict=True)]


def longest_word(text: str, measure: Callable[[str], int]) -> int:
    """The width of the widest word of `text`: the least width it can be wrapped to without cutting words."""
    return max((measure(word) for word in re.split(r"\s+", text) if word), default=0)
