"""A query copied from the tool's visual output with words that are no letters among the Arabic (a number, a dash)
is put back in logical order whole."""

from __future__ import annotations

import pytest

from facts_cli.arabic import tokenize
from facts_cli.bidi import display
from facts_cli.query import read_query


@pytest.mark.parametrize("typed", ["تسليم 5 منظومات", "منظومات إس - 300 مجانا", "الاجتماع 69 الدوري"])
def test_a_copied_query_with_a_number_or_a_sign_standing_alone_is_read_back_whole(typed):
    drawn, _ = display(typed, True)
    assert any(not any(c.isalpha() for c in piece) for piece in drawn.split(" "))
    query, notes = read_query(drawn.split(" "))
    assert tokenize(query) == tokenize(typed)
    assert len(notes) == 1 and notes[0].startswith("the query was Arabic in visual order")
