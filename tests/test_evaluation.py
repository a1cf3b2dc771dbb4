"""The search on its evaluation set (tests/data/search-eval.tsv): recall stays at the target, and what the article
does not mention finds nothing. benchmarks/evaluate.py prints the whole comparison."""

from __future__ import annotations

from conftest import BUNDLED
from evaluation import Case, load_cases, score

from facts_cli.query import EntityIndex, SearchIndex, read_query, search
from facts_cli.store import open_store

STORE = open_store(BUNDLED)
CASES = load_cases()
CATEGORIES = {
    "name-ar",
    "name-en",
    "egyptian-jim",
    "harakat",
    "hamza",
    "hamza-seat",
    "accusative",
    "clitic",
    "plural",
    "word-ar",
    "digits",
    "word-en",
    "possessive",
    "multi-word",
    "misspelling",
    "first-letter",
    "present-tense",
    "invisible",
    "presentation",
    "negative",
    "near-miss",
}


ENTITIES = EntityIndex(STORE.entities)
INDEX = SearchIndex(STORE.facts, ENTITIES)


def find(query: str) -> list[str]:
    """What `facts search` finds: the query read as the command reads it, then searched."""
    typed, _ = read_query(query.split(" "))
    return [hit.fact["id"] for hit in search(STORE.facts, ENTITIES, typed, INDEX)]


def test_the_set_is_what_the_issue_asks_for():
    assert len(CASES) >= 150
    assert sum(case.negative for case in CASES) >= 40
    assert {case.category for case in CASES} == CATEGORIES
    assert all(case.negative == (case.category in {"negative", "near-miss"}) for case in CASES)
    assert sum(case.category == "near-miss" for case in CASES) >= 40
    assert len({case.query for case in CASES}) == len(CASES)


def test_every_fact_the_set_names_is_in_the_store():
    ids = {fact["id"] for fact in STORE.facts}
    for case in CASES:
        assert case.must <= ids and case.may <= ids, case.query
        assert not case.must & case.may, case.query


def test_recall_and_the_negatives_do_not_slip():
    scores = score(find, CASES)
    assert scores.recall >= 0.98, scores.missed
    assert scores.negatives_hit == 0, scores.wrong
    assert scores.precision >= 0.98, scores.wrong
    assert scores.mrr >= 0.95


def test_the_scores_count_what_they_say():
    cases = [
        Case("word-ar", "a", frozenset({"x", "y"}), frozenset({"m"})),
        Case("word-ar", "b", frozenset({"z"}), frozenset()),
        Case("negative", "c", frozenset(), frozenset()),
    ]
    results = {"a": ["m", "w", "y"], "b": [], "c": ["x"]}
    scores = score(lambda query: results[query], cases)
    assert scores.recall == 1 / 3  # y of x, y, z
    assert scores.precision == 1 / 2  # of w and y (m may be found)
    assert scores.mrr == (1 / 2 + 0) / 2  # y is second once m is left out; b finds nothing
    assert (scores.negatives_hit, scores.negatives) == (1, 1)
    assert scores.missed == {"a": ["x"], "b": ["z"]}
    assert scores.wrong == {"a": ["w"], "c": ["x"]}
