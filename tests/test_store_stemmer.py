"""The stems a store's words are matched by, at the lengths where a rule of the store's stemmer starts to apply:
a proclitic taken off only when a word of three letters or more remains, two only when two remain after them, and
an English verb in -en taken for its noun of five letters or more."""

from __future__ import annotations

import pytest

from facts_cli.arabic import stem
from facts_cli.query import EntityIndex, Stemmer


def stemmer(arabic: tuple[str, ...] = (), english: tuple[str, ...] = ()) -> Stemmer:
    return Stemmer({stem(word) for word in arabic}, EntityIndex([]), lambda: {stem(word) for word in english})


@pytest.mark.parametrize(("word", "rest"), [("بقطر", "قطر"), ("وبقطر", "قطر"), ("فلقطر", "قطر")])
def test_proclitics_come_off_when_a_word_of_the_store_of_three_letters_remains(word, rest):
    assert stemmer(arabic=(rest,))(word) == stem(rest)


@pytest.mark.parametrize("word", ["بقط", "وبقط", "فلقط"])
def test_proclitics_stay_on_when_two_letters_would_remain(word):
    assert stemmer(arabic=("قط",))(word) == stem(word) != stem("قط")


def test_a_verb_in_en_is_its_noun_of_five_letters():
    assert stemmer(english=("heart",))("heartening") == stem("heart")
    assert stemmer(english=("heart",))("hearten") == stem("heart")


def test_a_verb_in_en_is_not_its_noun_of_four_letters():
    assert stemmer(english=("soft",))("softening") == stem("softening") != stem("soft")
