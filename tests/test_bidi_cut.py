"""Words cut to a column, the widest word, and shaping against GNU FriBidi on words it draws in its own way."""

from __future__ import annotations

from itertools import pairwise

import pytest
from conftest import FRIBIDI, fribidi

from facts_cli.bidi import display, longest_word, shape, wrap
from facts_cli.visual import shaped_width


@pytest.mark.parametrize(
    ("word", "width", "lines"),
    [
        ("abcdefgh", 2, ["ab", "cd", "ef", "gh"]),
        ("abcdefgh", 3, ["abc", "def", "gh"]),
        ("abcdefgh", 5, ["abcde", "fgh"]),
        ("abcdefgh", 7, ["abcdefgh"[:7], "h"]),
        ("x abcdefg y", 3, ["x", "abc", "def", "g y"]),
    ],
)
def test_a_word_wider_than_its_column_is_cut_into_full_pieces(word, width, lines):
    """Greedy: every piece but the last fills the column."""
    assert wrap(word, width, shaped_width) == lines


@pytest.mark.parametrize("width", [2, 3, 4, 5, 7])
def test_an_arabic_word_is_cut_into_full_pieces_a_lam_alef_kept_whole(width):
    word = "استخلاصالسلاحالمتكامل"  # three lam-alefs, each one cell drawn for two letters
    lines = wrap(word, width, shaped_width)
    assert "".join(lines) == word
    assert all(shaped_width(line) == width for line in lines[:-1]), lines
    assert 0 < shaped_width(lines[-1]) <= width
    assert not any(line.endswith("ل") and following.startswith("ا") for line, following in pairwise(lines))


@pytest.mark.parametrize(
    ("text", "widest"),
    [("a bbb cc", 3), ("bbb a", 3), ("a  bbbb\tcc", 4), ("", 0), ("   ", 0), ("عبد الله", 4), ("لا", 1)],
)
def test_the_widest_word_is_the_least_width_that_cuts_no_word(text, widest):
    assert longest_word(text, shaped_width) == widest


@pytest.mark.skipif(FRIBIDI is None, reason="GNU FriBidi (fribidi) is not installed")
@pytest.mark.parametrize("text", ["الله", "لله", "عبد الله", "والله", "بسم الله الرحمن الرحيم", "لا إله إلا الله"])
def test_allah_is_drawn_as_fribidi_draws_it_letter_by_letter_with_lam_alef_joined(text):
    """FriBidi joins lam-alef and nothing else: `الله` is three letters, not the one ligature U+FDF2."""
    assert display(text, True)[0] == fribidi([text])[0]
    assert "\ufdf2" not in shape(text)


@pytest.mark.parametrize(("marked", "bare"), [("كَتَبَ", "كتب"), ("مُحَمَّدٌ", "محمد"), ("اللّٰه", "الله")])
def test_harakat_are_dropped_when_shaping_as_a_terminal_cannot_stack_them(marked, bare):
    """A terminal would draw each mark in a cell of its own, after its letter: the shaped word is the bare word's."""
    assert shape(marked) == shape(bare)
    assert display(marked, True)[0] == display(bare, True)[0]
