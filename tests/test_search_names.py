"""Searching for an entity whose name is several words: the words must stand together, in order, as the name (the
first one perhaps with an attached proclitic); the same words apart in a fact are no mention of it."""

from __future__ import annotations

import pytest

from facts_cli.query import EntityIndex, run_search

ENTITIES = [
    {
        "id": "cis",
        "kind": "organization",
        "name": {"ar": "رابطة الدول المستقلة", "en": "Commonwealth of Independent States"},
        "aliases": {"en": ["CIS"]},
    },
    {"id": "moscow", "kind": "place", "name": {"ar": "موسكو", "en": "Moscow"}, "aliases": {}},
]


def fact(fact_id: str, claim: str, claim_en: str = "", quote: str = "") -> dict:
    return {"id": fact_id, "claim": claim, "claim_en": claim_en, "quote": quote, "participants": []}


FACTS = [
    fact("together", "اجتمعت رابطة الدول المستقلة في موسكو"),
    fact("apart", "الدول المستقلة عن موسكو لا رابطة بينها"),
    fact("reversed", "المستقلة الدول رابطة"),
    fact("with-proclitic", "قال إن لرابطة الدول المستقلة قمة"),
    fact("two-of-three", "رابطة الدول قائمة ومستقلة"),
    fact("english-together", "", "The Commonwealth of Independent States met in Moscow"),
    fact("english-apart", "", "States that are independent of the Commonwealth"),
    fact("alias", "", "CIS leaders met"),
    fact("in-the-quote", "", "", "وفود رابطة الدول المستقلة"),
]
INDEX = EntityIndex(ENTITIES)


def found(query: str) -> list[str]:
    return [hit.fact["id"] for hit in run_search(FACTS, INDEX, query, ranked=False).hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("رابطة الدول المستقلة", ["together", "with-proclitic", "alias", "in-the-quote"]),
        ("Commonwealth of Independent States", ["english-together", "alias"]),
        ("commonwealth  of independent STATES", ["english-together", "alias"]),
        ("CIS", ["alias"]),
    ],
)
def test_a_name_of_several_words_is_found_where_its_words_stand_together_and_nowhere_else(query, expected):
    """As typed, or as any one-word spelling of the entity (CIS)."""
    assert found(query) == expected


def test_the_hits_say_the_name_was_found_in_a_field():
    hits = {hit.fact["id"]: hit.reasons for hit in run_search(FACTS, INDEX, "رابطة الدول المستقلة").hits}
    assert hits["together"] == ("رابطه الدول المستقله in claim",)
    assert hits["in-the-quote"] == ("رابطه الدول المستقله in quote",)
    assert hits["alias"] == ("رابطه الدول المستقله as cis in claim_en",)


def test_the_words_of_a_name_apart_are_words_like_any_other():
    """Words that are no name are matched each on its own, wherever they stand."""
    assert found("الدول رابطة") == ["together", "apart", "reversed", "with-proclitic", "two-of-three", "in-the-quote"]
