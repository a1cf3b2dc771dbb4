"""A query copied from the tool's visual output with words that are no letters among the Arabic (a number, a dash)
is put back in logical order whole."""

from __future__ import annotations

import pytest

from facts_cli.arabic import tokenize, word_order
from facts_cli.bidi import display, shape
from facts_cli.errors import UsageProblem
from facts_cli.query import read_query


@pytest.mark.parametrize("typed", ["تسليم 5 منظومات", "منظومات إس - 300 مجانا", "الاجتماع 69 الدوري"])
def test_a_copied_query_with_a_number_or_a_sign_standing_alone_is_read_back_whole(typed):
    drawn, _ = display(typed, True)
    assert any(not any(c.isalpha() for c in piece) for piece in drawn.split(" "))
    query, notes = read_query(drawn.split(" "))
    assert tokenize(query) == tokenize(typed)
    assert len(notes) == 1 and notes[0].startswith("the query was Arabic in visual order")


@pytest.mark.parametrize("typed", ["\ufeffتسليم", "كازاخستان\ufeff", "\ufeffKazakhstan", "تسل\ufeffيم"])
def test_a_byte_order_mark_in_a_query_is_no_sign_of_visual_order(typed):
    """U+FEFF ends the block of Arabic presentation forms but is none: a query pasted from a file that begins with
    one is read as typed, and searched for without it."""
    assert read_query([typed]) == (typed, [])
    assert tokenize(typed) == tokenize(typed.replace("\ufeff", ""))


def test_a_copied_word_with_a_byte_order_mark_inside_is_read_back():
    """The mark joins nothing, but is no letter that joins nothing: `ﻦﻣ` (من drawn) is in visual order with it."""
    drawn, _ = display("من", True)
    pasted = drawn[0] + "\ufeff" + drawn[1:]
    assert word_order(pasted) == word_order(drawn) == "visual"
    query, notes = read_query([pasted])
    assert tokenize(query) == ["من"]
    assert len(notes) == 1


VISUAL = display("تسليم", True)[0]  # as the visual mode draws it: presentation forms, right to left
LOGICAL = shape("منظومات")  # presentation forms in logical order, as some PDFs hold them
UNDECIDED = "ﺭﺍﺩ"  # دار drawn: letters that join nothing say neither order


def test_a_word_in_visual_order_is_put_back_beside_one_in_logical_order():
    assert read_query([VISUAL, LOGICAL])[0] == f"تسليم {LOGICAL}"


def test_a_word_that_says_no_order_goes_with_visual_order_when_the_orders_are_even():
    assert read_query([VISUAL, LOGICAL, UNDECIDED])[0] == f"تسليم {LOGICAL} دار"
    assert read_query([LOGICAL, UNDECIDED])[0] == f"{LOGICAL} {UNDECIDED}"  # as it is: nothing says visual


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        (["12", "34", LOGICAL, VISUAL], f"12 34 {LOGICAL} تسليم"),  # before any word in visual order
        ([VISUAL, LOGICAL, "12", "34", LOGICAL], f"تسليم {LOGICAL} 12 34 {LOGICAL}"),  # after one, apart from it
    ],
)
def test_numbers_between_words_in_logical_order_stay_as_typed(pieces, expected):
    assert read_query(pieces)[0] == expected


@pytest.mark.parametrize(("count", "shown"), [(12, 12), (13, 12)])
def test_the_note_echoes_twelve_words_of_the_query_at_most(count, shown):
    """docs/SEARCH.md: stderr says what was searched for, twelve words at most, in one line."""
    typed = "منظومات الدفاع الجوي الروسية تسلم إلى بيلاروس وكازاخستان وأرمينيا مجانا في إطار الاتفاق الموحد"
    words = typed.split(" ")[:count]
    query, notes = read_query(display(" ".join(words), True)[0].split(" "))
    assert query == " ".join(words)
    more = f" … ({count} words)" if count > shown else ""
    assert notes == [
        f"the query was Arabic in visual order, as copied from a screen: searched for {' '.join(words[:shown])}{more}"
    ]


@pytest.mark.parametrize(
    ("query", "shown"),
    [("\udc80", "byte 0x80"), ("\udcff", "byte 0xff"), ("\udc7f", "U+DC7F"), ("\udd00", "U+DD00")],
)
def test_a_query_that_is_not_text_names_the_byte_that_made_it(query, shown):
    """A byte that is not UTF-8 reaches Python's arguments as U+DC80 to U+DCFF (surrogateescape); any other lone
    surrogate is named as a code point."""
    with pytest.raises(UsageProblem) as raised:
        read_query([f"تسليم{query}"])
    assert str(raised.value) == f"QUERY: not UTF-8 text ({shown}); type it in a UTF-8 locale"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], ("", [])),  # nothing typed: nothing to read
        (["\ufb4f"], ("\ufb4f", [])),  # Hebrew, the code point before the Arabic presentation forms
        (
            ["\ufb50"],
            ("\u0671", ["the query was Arabic in visual order, as copied from a screen: searched for \u0671"]),
        ),
    ],
)
def test_a_query_is_read_for_presentation_forms_from_the_first_of_them(words, expected):
    """U+FB50 (alef wasla, isolated) is the first: a word of it alone says no order, and goes as visual."""
    assert read_query(words) == expected
