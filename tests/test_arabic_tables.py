"""The character tables of Arabic normalisation, code point by code point with the neighbours that must not be in
them, and the proclitic readings at the lengths where a rule starts to apply."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from facts_cli.arabic import (
    bare,
    light10,
    normalize,
    plural_number,
    stem,
    tokenize,
    typed_words,
    with_proclitic,
    without_proclitic,
    word_order,
)


def _points(*spans: tuple[int, int]) -> list[str]:
    return [chr(point) for first, last in spans for point in range(first, last + 1)]


# What normalisation removes as harakat: the Arabic marks U+064B-U+065F, the superscript alef U+0670, the tatweel
# U+0640, and the Quranic annotation signs U+06D6-U+06ED (as Lucene's ArabicNormalizer, and beyond it the Quranic
# signs, which text copied from religious sources carries).
HARAKAT = _points((0x064B, 0x065F), (0x0670, 0x0670), (0x0640, 0x0640), (0x06D6, 0x06ED))
# Their neighbours, letters and digits that stay: yeh, Arabic-Indic zero, dotless qaf, alef wasla, feh, Farsi yeh
# with three dots, ae, dal with inverted V.
NOT_HARAKAT = ["\u064a", "\u0660", "\u066f", "\u0671", "\u0641", "\u063f", "\u06d5", "\u06ee"]


@pytest.mark.parametrize("mark", HARAKAT, ids=lambda c: f"U+{ord(c):04X}")
def test_each_haraka_is_removed(mark):
    assert normalize(f"ب{mark}ب") == "بب"


@pytest.mark.parametrize("char", NOT_HARAKAT, ids=lambda c: f"U+{ord(c):04X}")
def test_the_neighbours_of_the_harakat_stay(char):
    assert len(normalize(f"ب{char}ب")) == 3


# Invisible characters removed from inside a word (a sample, which needs no file): soft hyphen, combining grapheme
# joiner, Arabic letter mark, Mongolian vowel separator, zero-width space/non-joiner/joiner, LRM, RLM, the
# embeddings and overrides, word joiner and invisible operators, the isolates, the deprecated swapping, shaping and
# digit-shape controls, the first and last variation selectors, zero-width no-break space (the byte order mark), a
# language tag.
FORMAT = _points(
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFE00, 0xFE00),
    (0xFE0F, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xE0001, 0xE0001),
)
# Neighbours of theirs, none a letter or a digit, each of which splits a word: not sign, registered sign, Arabic
# semicolon, hair space, hyphen, paragraph separator, narrow no-break space, medium mathematical space (the three
# spaces are spaces after NFKC, before the table is looked at), U+FEFE (unassigned).
SPLITS = ["\u00ac", "\u00ae", "\u061b", "\u200a", "\u2010", "\u2029", "\u202f", "\u205f", "\ufefe"]


@pytest.mark.parametrize("char", FORMAT, ids=lambda c: f"U+{ord(c):04X}")
def test_each_format_character_inside_a_word_is_removed(char):
    assert unicodedata.category(char) in ("Cf", "Mn")
    assert tokenize(f"تسل{char}يم Kazakh{char}stan") == ["تسليم", "kazakhstan"]


@pytest.mark.parametrize("char", SPLITS, ids=lambda c: f"U+{ord(c):04X}")
def test_the_neighbours_of_the_format_characters_split_a_word(char):
    assert tokenize(f"تسل{char}يم") == ["تسل", "يم"]


# Unicode's list of the default-ignorable code points, from Debian's unicode-data (which .ci/run installs).
DERIVED = Path("/usr/share/unicode/DerivedCoreProperties.txt")


def _ignorable() -> set[int]:
    points = set()
    for line in DERIVED.read_text(encoding="utf-8").splitlines():
        fields = [field.strip() for field in line.split("#")[0].split(";")]
        if len(fields) == 2 and fields[1] == "Default_Ignorable_Code_Point":
            first, _, last = fields[0].partition("..")
            points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


@pytest.mark.skipif(not DERIVED.exists(), reason="Debian's unicode-data (DerivedCoreProperties.txt) is not installed")
def test_every_default_ignorable_code_point_and_only_those_are_removed_from_inside_a_word():
    """Each of them (4,174 in Unicode 15) is removed, from the word, from the word as typed and from a word copied
    from visual output (whose joining forms tell its order: `ﺐ` then `ﺑ` is `بب` drawn); none of the code points
    next to their ranges is."""
    ignorable = _ignorable()
    assert len(ignorable) > 4000
    kept = [f"U+{point:04X}" for point in sorted(ignorable) if tokenize(f"تسل{chr(point)}يم") != ["تسليم"]]
    assert kept == []
    # and from the word as typed, which a message shows (read before NFKC: U+3164 is no U+1160 there)
    shown = [f"U+{point:04X}" for point in sorted(ignorable) if typed_words(f"تسل{chr(point)}يم") != {"تسليم": "تسليم"}]
    assert shown == []
    drawn = [f"U+{point:04X}" for point in sorted(ignorable) if word_order(f"\ufe90{chr(point)}\ufe91") != "visual"]
    assert drawn == []
    neighbours = {point + step for point in ignorable for step in (-1, 1)} - ignorable
    removed = [
        f"U+{point:04X}"
        for point in sorted(neighbours)
        if tokenize(f"تسل{chr(point)}يم") == ["تسليم"]
        or "تسليم" in typed_words(f"تسل{chr(point)}يم").values()
        or word_order(f"\ufe90{chr(point)}\ufe91") is not None
    ]
    assert removed == []
    # a neighbour that is a word character (U+FF9F, a halfwidth katakana mark, which NFKC makes a combining mark)
    # ends the word as typed, and stays in it: only the word's normalised form drops it
    ends = [point for point in sorted(neighbours) if re.match(r"\w", chr(point))]
    assert len(ends) > 5
    dropped_at_end = [f"U+{point:04X}" for point in ends if typed_words(f"تسليم{chr(point)}").get("تسليم") == "تسليم"]
    assert dropped_at_end == []


@pytest.mark.parametrize("char", FORMAT, ids=lambda c: f"U+{ord(c):04X}")
def test_a_word_as_typed_is_shown_without_its_format_characters(char):
    """U+2070, the neighbour of the last range, is a superscript zero: a word's `0` after NFKC, shown as typed."""
    typed = typed_words(f"Kazakh{char}stan Kazakh\u2070stan")
    assert typed == {"kazakhstan": "Kazakhstan", "kazakh0stan": "Kazakh\u2070stan"}


def test_light10_takes_each_suffix_once_in_turn():
    # Lucene's ArabicStemmer goes through its suffixes in order, each taken off once when it fits: يه, then ي.
    assert light10("ساهدييه") == "ساهد"


@pytest.mark.parametrize(
    ("word", "readings"),
    [
        ("وبلد", ["بلد"]),  # بلد keeps its ب: three letters are no word with a preposition before it
        ("وبلدي", ["بلدي", "لدي"]),
        ("للجو", ["لجو"]),  # لل + two letters reads as no article
        ("للجوي", ["لجوي", "الجوي", "جوي"]),
        ("الجو", []),  # the article needs three letters after it
        ("الجوي", ["جوي"]),
    ],
)
def test_proclitic_readings_at_the_lengths_where_a_rule_starts(word, readings):
    assert without_proclitic(word) == readings


def test_a_word_of_three_letters_takes_proclitics():
    assert {"وبلد", "البلد", "للبلد", "وللبلد", "فبلد"} <= set(with_proclitic("بلد"))


def test_a_word_with_the_article_and_three_letters_after_it_takes_lam_lam():
    assert {"للجوي", "وللجوي", "بالجوي"} <= set(with_proclitic("الجوي"))
    assert "للجو" not in with_proclitic("الجو")


@pytest.mark.parametrize("number", ["1", "7", "30", "300", "1990"])
def test_the_english_plural_of_a_number_of_any_length_is_the_number(number):
    assert plural_number(number + "s") == number
    assert stem(number + "s") == number


def test_bare_leaves_two_letters_after_the_article():
    assert bare("الجو") == "جو"
    assert bare("وبالجو") == "جو"
