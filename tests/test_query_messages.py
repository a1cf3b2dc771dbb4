"""What query.py tells a user about ids and counts: a prefix of several ids lists ten of them and says how many more;
an id of none is given the three closest (none for an id too long to compare); counts come most frequent first."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from facts_cli.errors import NotFound, UsageProblem
from facts_cli.query import count_by, not_found, resolve_fact_ids


def store_of(*ids: str) -> SimpleNamespace:
    return SimpleNamespace(facts=[{"id": fact_id} for fact_id in ids])


@pytest.mark.parametrize(("count", "more"), [(10, ""), (11, " and 1 more"), (13, " and 3 more")])
def test_a_prefix_of_several_ids_lists_ten_and_says_how_many_more(count, more):
    ids = [f"fact-{n:02d}" for n in range(count)]
    with pytest.raises(UsageProblem) as raised:
        resolve_fact_ids(store_of(*ids), ["fact"])
    assert str(raised.value) == f"'fact' is the start of {count} fact ids: {', '.join(ids[:10])}{more}"


def test_an_id_of_no_fact_is_given_the_three_closest():
    with pytest.raises(NotFound) as raised:
        resolve_fact_ids(store_of("delivery-a", "delivery-b", "delivery-c", "delivery-d", "meeting"), ["delivery-x"])
    message, _, hint = str(raised.value).partition("; did you mean ")
    assert message == "no fact with id 'delivery-x'" and hint.endswith("?")
    close = hint[:-1].split(", ")
    assert len(close) == 3 and set(close) < {"delivery-a", "delivery-b", "delivery-c", "delivery-d"}


@pytest.mark.parametrize(("length", "hinted"), [(200, True), (201, False)])
def test_an_id_longer_than_200_characters_is_not_compared(length, hinted):
    record_id = "x" * length
    with pytest.raises(NotFound) as raised:
        not_found("fact", record_id, ["x" * (length - 1)])
    assert str(raised.value).endswith("?" if hinted else "`facts list` shows them")


def test_counts_come_most_frequent_first_then_by_key():
    assert list(count_by(["b", "c", "a", "c", "b", "c"], str).items()) == [("c", 3), ("b", 2), ("a", 1)]
