"""query.edit_distance to its contract: the optimal string alignment distance (a swap of neighbours is one edit), or
`limit + 1` as soon as it is certainly over `limit`, whether the lengths already say so or a row of the table does."""

from __future__ import annotations

import pytest

from facts_cli.query import edit_distance


@pytest.mark.parametrize(
    ("a", "b", "limit", "distance"),
    [
        ("ab", "abcdef", 1, 2),  # the lengths differ by more than the limit
        ("abcdef", "ab", 3, 4),
        ("abcd", "abcd", 0, 0),
        ("abcd", "abce", 0, 1),
        ("abcd", "abdc", 1, 1),  # a swap of neighbours
        ("ab", "ba", 1, 1),  # a swap at the start
        ("abc", "ca", 3, 3),
        ("a", "", 2, 1),
        ("", "abc", 5, 3),
        ("kazakhstan", "kazahkstan", 2, 1),
        ("abcdef", "uvwxyz", 2, 3),  # a row over the limit
        ("abcdef", "uvwxyz", 6, 6),
        ("bbbbb", "bb", 6, 3),  # no swap is read before the second letter of either
    ],
)
def test_edit_distance_is_the_distance_or_one_past_the_limit(a, b, limit, distance):
    assert edit_distance(a, b, limit) == min(distance, limit + 1)
