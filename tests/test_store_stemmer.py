"""The stems a store's words are matched by, at the lengths where a rule of the store's stemmer starts to apply:
a proclitic taken off only when a word of three letters or more remains, two only when two remain after them, an
English verb in -en taken for its noun of five letters or more, and a verb in the present tense taken for the
store's word of three letters or more; and the English stemmer loaded only for an English word."""

from __future__ import annotations

import subprocess
import sys

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


@pytest.mark.parametrize("english", [("heart",), ("fright", "frighten")])
def test_a_verb_in_en_is_itself_unless_only_its_noun_is_a_word_of_the_store(english):
    assert stemmer(english=english)("frighten") == stem("frighten") != stem("fright")


@pytest.mark.parametrize(("word", "known"), [("يعمل", "عمل"), ("يتفق", "اتفق"), ("تعمل", "عمل")])
def test_a_verb_in_the_present_is_the_word_of_the_store_it_is_made_from(word, known):
    assert stemmer(arabic=(known,))(word) == known


@pytest.mark.parametrize(("word", "known"), [("يعم", "عم"), ("يعم", "اعم"), ("تعم", "عم"), ("معمل", "عمل")])
def test_a_word_of_three_letters_or_not_in_the_present_is_its_own_word(word, known):
    """`معمل` (a laboratory) begins with a letter that is not a prefix of the present tense: it is not `عمل`."""
    assert stemmer(arabic=(known,))(word) == stem(word) != known


def test_after_ya_a_word_of_the_store_is_taken_for_the_one_without_it():
    """`يعمل` (he works) is `عمل` (work) even where the store holds `يعمل` too."""
    assert stemmer(arabic=("يعمل", "عمل"))("يعمل") == "عمل"


@pytest.mark.parametrize(("word", "store"), [("يعمل", "تعمل"), ("يستخدم", "تستخدم"), ("تعمل", "يعمل")])
def test_a_verb_in_the_present_is_its_other_person_that_the_store_has(word, store):
    assert stemmer(arabic=(store, "عمل"))(word) == stemmer(arabic=(store, "عمل"))(store)


def test_he_works_is_she_works_of_the_store_before_work():
    """`يعمل` (he works) is `تعمل` (she works) where the store has only that, not `عمل` (work, of `عمليا`)."""
    assert stemmer(arabic=("تعمل", "عمل"))("يعمل") == "تعمل"


def test_a_verb_in_the_present_with_ta_the_store_has_is_itself_even_where_it_has_the_other_person():
    """The store's `تعمل` (she works) is not taken for `عمل` (work, as `عمليا`, practically, stems) through the
    store's `يعمل` (he works): `عمليا` would find it."""
    known = ("يعمل", "تعمل", "عمليا")
    assert stemmer(arabic=known)("تعمل") == "تعمل" != stemmer(arabic=known)("عمليا")


def test_after_ta_a_word_of_the_store_stays_itself():
    """`تعمل` is a word of its own when the store holds it (`تعمل`, she works, is not `عملي`, practical)."""
    assert stemmer(arabic=("تعمل", "عمل"))("تعمل") == "تعمل"


PROBE = """
import sys
sys.argv = ["facts", *sys.argv[1:]]
from facts_cli import main
try:
    main()
except SystemExit:
    pass
print("Stemmer" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("query", "loaded"),
    [(["روسيا"], "False"), (["تسليم", "منظومات"], "False"), (["2015"], "False"), (["threat"], "True")],
)
def test_the_english_stemmer_is_loaded_for_an_english_word_only(query, loaded, tmp_path):
    """The bundled store holds English words (claim_en): an Arabic query or a number leaves them unstemmed, and
    PyStemmer unloaded (0.5 ms and 0.8 MB of start-up); an English word stems them all."""
    args = ["search", *query, "--format", "jsonl"]
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout
    assert result.stderr.splitlines()[-1] == loaded


def test_a_number_is_no_english_noun_of_a_verb_in_en():
    """`20150en` is not taken for 20150: the English words whose nouns are looked for are words of letters."""
    from facts_cli.query import run_search

    fact = {"id": "f", "claim": "", "claim_en": "delivered 20150 systems", "quote": "", "participants": []}
    assert run_search([fact], EntityIndex([]), "20150en").hits == []
