"""The weight of each way a word matches a fact, as docs/SEARCH.md gives them: an entity involved 3; a name in a
field, an exact word in a claim 2, in the quote 1.5; a word of an entity's names 1.5; a stem in a claim 1, in the
quote 0.8; a fuzzy match 0.5. And the names of entities in a query, found longest first from the left."""

from __future__ import annotations

import pytest

from facts_cli.arabic import tokenize
from facts_cli.query import EntityIndex, run_search

ENTITIES = [
    {"id": "belarus", "kind": "place", "name": {"ar": "روسيا البيضاء", "en": "Belarus"}, "aliases": {}},
    {"id": "russia", "kind": "place", "name": {"ar": "روسيا", "en": "Russia"}, "aliases": {}},
    {"id": "hague", "kind": "place", "name": {"ar": "لاهاي", "en": "The Hague"}, "aliases": {}},
    {"id": "kremlin", "kind": "organization", "name": {"ar": "الكرملين", "en": "Kremlin Press Office"}, "aliases": {}},
]
INDEX = EntityIndex(ENTITIES)


def fact(fact_id: str, claim: str = "", claim_en: str = "", quote: str = "", *entities: str) -> dict:
    participants = [{"entity": entity, "role": "party"} for entity in entities]
    return {"id": fact_id, "claim": claim, "claim_en": claim_en, "quote": quote, "participants": participants}


@pytest.mark.parametrize(
    ("query", "one", "weight"),
    [
        ("روسيا", fact("f", "", "", "", "russia"), 3.0),  # an entity the fact involves
        ("روسيا البيضاء", fact("f", "زار روسيا البيضاء"), 2.0),  # a name in a field
        ("منظومات", fact("f", "تسليم منظومات"), 2.0),  # an exact word in the claim
        ("systems", fact("f", "", "delivered systems"), 2.0),  # in the English claim
        ("منظومات", fact("f", "", "", "تسليم منظومات"), 1.5),  # in the quote
        ("press", fact("f", "", "", "", "kremlin"), 1.5),  # a word of an entity's names
        ("تسليم", fact("f", "بالتسليم"), 1.0),  # a stem in the claim
        ("delivering", fact("f", "", "delivered"), 1.0),  # in the English claim
        ("تسليم", fact("f", "", "", "بالتسليم"), 0.8),  # in the quote
        ("كازاخستن", fact("f", "زار كازاخستان"), 0.5),  # a fuzzy match
    ],
)
def test_each_way_a_word_matches_weighs_as_documented(query, one, weight):
    (hit,) = run_search([one], INDEX, query).hits
    assert hit.score == pytest.approx(weight), hit.reasons


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("منظومات روسيا البيضاء", [(1, 3, {"belarus"})]),  # the longest name first
        ("روسيا و روسيا البيضاء روسيا", [(0, 1, {"russia"}), (2, 4, {"belarus"}), (4, 5, {"russia"})]),
        ("in the hague", [(1, 3, {"hague"})]),  # a name that begins with a stop word
        ("kremlin press office today", [(0, 3, {"kremlin"})]),
    ],
)
def test_names_in_a_query_are_found_longest_first_from_the_left(query, mentions):
    assert INDEX.mentions(tokenize(query)) == mentions


def test_a_name_of_two_words_apart_in_a_field_is_no_name_there():
    together = fact("together", "زار روسيا البيضاء")
    apart = fact("apart", "البيضاء قالت روسيا")
    only_first = fact("only-first", "زار روسيا")
    hits = {
        hit.fact["id"]: hit.reasons for hit in run_search([together, apart, only_first], INDEX, "روسيا البيضاء").hits
    }
    assert hits == {"together": ("روسيا البيضاء in claim",)}
    assert run_search([only_first], INDEX, "روسيا البيضاء").hits == []  # its second word in no fact


def test_a_word_that_matches_nothing_is_given_three_suggestions_at_most_the_closest_first():
    """docs/SEARCH.md: `did you mean belarus for Velarus?`, up to three words for each."""
    facts = [fact(str(n), "", word) for n, word in enumerate(["kazakhstan", "kazakhstab", "kazakhstar", "kazakhstam"])]
    searched = run_search(facts, EntityIndex([]), "xazakhstan")
    assert searched.hint() == "did you mean kazakhstan or kazakhstab or kazakhstam for xazakhstan?"  # then A to Z
