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
from itertools import pairwise

from arabic_reshaper import ArabicReshaper
from arabic_reshaper.arabic_reshaper import HARAKAT_RE
from arabic_reshaper.reshaper_config import default_config
from bidi import get_base_level, get_display
from bidi.mirror import MIRRORED

# arabic-reshaper joins the letters; the ligatures are made here, from its joined forms (see _LAM_ALEF). Its own
# (3.1.0) are found in the text with the zero-width joiners it leaves out of its forms still in: a ZWJ before a
# lam-alef made it raise IndexError, or put the ligature in the place of the letter after it.
_SETTINGS = {"delete_harakat": True, "support_ligatures": False}
_RESHAPER = ArabicReshaper(configuration=_SETTINGS)
_ZWJ = "\u200d"
# What rule X9 removes and the sanitiser leaves (it escapes the embeddings and overrides): the boundary neutrals (BN:
# ZWJ, ZWNJ, zero-width space, soft hyphen, word joiner, byte order mark, ...), but the tags. Never drawn, so never
# measured: Rich takes a ZWJ to join the next character to the one before (`a\u200db` one cell), which a terminal
# draws as two.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xad\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f\ufeff"
    r"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001]"
)
# What is drawn with the character before it besides the combining marks (bidi class NSM): the skin-tone modifiers
# of an emoji (Emoji_Modifier, class ON) and the tags that make a flag of a region (🏴 and the tags of `gbeng`,
# class BN, which a terminal draws as England's flag). Each is one picture with its base, and measured so (Rich: a
# modifier or a tag alone is no cell): drawn apart, a modifier is a swatch of two cells.
_ATTACHED = re.compile(r"[\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")


def _attaches(char: str) -> bool:
    """Whether `char` is drawn with the character before it (a combining mark, an emoji modifier, a tag)."""
    return unicodedata.bidirectional(char) == "NSM" or bool(_ATTACHED.match(char))


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


# The lam-alef ligatures, as FriBidi makes them, and no others (not "Allah", which arabic-reshaper would make): a lam
# joined on its left (initial, medial) and an alef right after it (final) become one character (isolated, final).
_LAM_ALEF = {
    (unicodedata.lookup(f"ARABIC LETTER LAM {lam} FORM"), unicodedata.lookup(f"ARABIC LETTER {alef} FINAL FORM")): (
        unicodedata.lookup(f"ARABIC LIGATURE LAM WITH {alef} {ligature} FORM")
    )
    for lam, ligature in (("INITIAL", "ISOLATED"), ("MEDIAL", "FINAL"))
    for alef in ("ALEF WITH MADDA ABOVE", "ALEF WITH HAMZA ABOVE", "ALEF WITH HAMZA BELOW", "ALEF")
}


@lru_cache(maxsize=4096)
def _shaped(text: str) -> tuple[str, tuple[int, ...]]:
    """`shape(text)`, and for each of its characters the index of the character of `text` it comes from.

    arabic-reshaper gives one character for each of `text`'s but the harakat and the ZWJs (which it leaves out once
    they have joined the letters beside them); a lam and the alef right after it, harakat between them but no ZWJ
    (which asks for the two joined, not for the ligature), are then made one (FriBidi, which keeps the harakat, makes
    none across them). The characters rule X9 removes (`_INVISIBLE`) are left out too, once they have done their
    work (a ZWNJ keeps two letters unjoined): what is shaped is what a terminal is sent, and measured as such."""
    if not has_rtl(text):
        if not _INVISIBLE.search(text):
            return text, tuple(range(len(text)))
        kept = [index for index, char in enumerate(text) if not _INVISIBLE.match(char)]
        return "".join(text[index] for index in kept), tuple(kept)
    forms = _RESHAPER.reshape(text).replace("\ufe80", "\u0621")
    letters = [index for index, char in enumerate(text) if char != _ZWJ and not HARAKAT_RE.match(char)]
    shaped: list[str] = []
    origins: list[int] = []
    for form, origin in zip(forms, letters, strict=True):
        if _INVISIBLE.match(text[origin]):  # a ZWNJ has kept the letters beside it apart: it is drawn no more
            continue
        ligature = _LAM_ALEF.get((shaped[-1], form)) if shaped and _ZWJ not in text[origins[-1] : origin] else None
        if ligature:
            shaped[-1] = ligature
        else:
            shaped.append(form)
            origins.append(origin)
    return "".join(shaped), tuple(origins)


def shape(text: str) -> str:
    """Arabic letters in their joined presentation forms, lam-alef as one ligature, harakat dropped.

    The hamza, which never joins, stays U+0621 (arabic-reshaper writes its isolated form U+FE80; FriBidi and
    fonts treat the two alike).
    """
    return _shaped(text)[0]


def shape_with_origins(text: str) -> tuple[str, list[int]]:
    """The shaped text, and for each of its characters the index of the character of `text` it comes from: a
    lam-alef ligature comes from its lam (and stands for the alef after it), dropped harakat leave no character.

    Shaping is done word by word (spaces do not join)."""
    shaped, origins = [], []
    for match in re.finditer(r"\s+|\S+", text):
        piece, piece_origins = _shaped(match.group())
        shaped.append(piece)
        origins += [match.start() + origin for origin in piece_origins]
    return "".join(shaped), origins


def display(text: str, rtl: bool) -> tuple[str, list[int]]:
    """One logical line as it must be sent to a terminal that does not reorder: shaped, reordered (each line
    on its own, with the paragraph direction given), paired brackets mirrored where they run right to left.
    Also returns, for each displayed character, the index of the logical character it comes from."""
    shaped, origins = shape_with_origins(text)
    levels = line_levels(shaped, rtl)
    order = _marks_after_bases(shaped, levels)
    chars = []
    for index in order:
        char, level = shaped[index], levels[index]
        chars.append(
            MIRRORED.get(char, char) if level is not None and level % 2 and unicodedata.mirrored(char) else char
        )
    return "".join(chars), [origins[index] for index in order]


def _marks_after_bases(text: str, levels: Sequence[int | None]) -> list[int]:
    """Rules L2 and L3: the logical indices in visual order, each combining mark (a Hebrew point, an accent, a
    variation selector), emoji modifier or tag right after its base, where it is drawn, whichever way their run goes
    (as FriBidi's REORDER_NSM): reversed with it, a mark would come before its base, on the letter before, and a
    variation selector that makes its base a wide picture would be measured with one character and drawn with
    another. Marks that begin the line, with no base, begin the drawn line: after a base, a variation selector would
    make it wide."""
    units: dict[int, list[int]] = {}
    bases = list(levels)
    base = None
    leading: list[int] = []
    for index, char in enumerate(text):
        if _attaches(char) and (base is None or levels[index] in (None, levels[base])):
            (leading if base is None else units[base]).append(index)  # a tag too, which rule X9 removes
            bases[index] = None
        elif levels[index] is not None:
            base = index
            units[base] = [base]
    return [*leading, *(index for base in visual_order(bases) for index in units[base])]


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
    each shaped character (a lam-alef ligature is one), with what is drawn with it (combining marks, emoji
    modifiers, tags: ❤ is one cell, ❤ and VS16 two), goes to the piece of the logical letters it comes from (the
    origins of the shaped characters rise, so no piece is empty)."""
    shaped, origins = shape_with_origins(word)
    starts, used = [0], 0
    clusters = [0, *(index for index in range(1, len(shaped)) if not _attaches(shaped[index]))]
    for start, end in pairwise([*clusters, len(shaped)]):
        cells = measure(shaped[start:end])
        if used + cells > width and used:
            starts.append(origins[start])
            used = 0
        used += cells
    return [word[start:end] for start, end in pairwise([*starts, len(word)])]


def longest_word(text: str, measure: Callable[[str], int]) -> int:
    """The width of the widest word of `text`: the least width it can be wrapped to without cutting words."""
    return max((measure(word) for word in re.split(r"\s+", text) if word), default=0)
