"""A query copied from the tool's visual output with words that are no letters among the Arabic (a number, a dash)
is put back in logical order whole."""

from __future__ import annotations

import pytest

from facts_cli.arabic import tokenize, word_order
from facts_cli.bidi import display
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
