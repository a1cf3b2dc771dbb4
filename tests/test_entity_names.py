"""How a name given on the command line (--entity, --by) is taken for entities: exactly, else for the one closest
misspelt spelling; and what is suggested when it names nothing, at the edges of those rules."""

from __future__ import annotations

import pytest

from facts_cli.query import EntityIndex, similarity


def entity(entity_id: str, name: str, *aliases: str) -> dict:
    return {"id": entity_id, "kind": "country", "name": {"en": name}, "aliases": {"en": list(aliases)}}


def test_a_name_that_matches_exactly_is_not_also_taken_for_a_close_one():
    index = EntityIndex([entity("e1", "Zarovia"), entity("e2", "Zarovian")])
    assert index.resolve("Zarovia") == {"e1"}
    assert index.resolve("Zarovian") == {"e2"}


def test_a_misspelt_name_is_taken_for_one_entity_the_first_of_the_closest():
    index = EntityIndex([entity("e2", "Zarovib"), entity("e1", "Zarovia")])
    assert index.resolve("Zarovic") == {"e1"}  # one edit from both: the first in alphabetical order


def test_suggestions_are_made_for_a_name_of_up_to_200_characters():
    index = EntityIndex([entity("e1", "a" * 199 + "b")])
    assert index.suggestions("a" * 200) == ["e1"]
    assert index.suggestions("a" * 201) == []


@pytest.mark.parametrize(("typed", "suggested"), [("abcxy", ["e1"]), ("abxyz", [])])
def test_a_spelling_is_suggested_from_a_similarity_of_six_tenths(typed, suggested):
    index = EntityIndex([entity("e1", "abcde")])
    assert similarity(typed, "abcde") in (0.6, 0.4)
    assert index.suggestions(typed) == suggested


def test_a_long_spelling_is_compared_whole():
    # difflib's autojunk would take each character of more than 1% of a text of 200 or more for junk: nothing
    # would match, and a long name with two letters more would be nothing like it
    assert similarity("xy" + "ab" * 150, "ab" * 150) > 0.99
