"""`export` with any filter or a limit exports the facts chosen, as `list` chooses them (and what they refer to), not
the whole store."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    "selection",
    [
        ["--type", "meeting"],
        ["--status", "planned"],
        ["--entity", "kazakhstan"],
        ["--by", "shoigu"],
        ["--since", "2015-12"],
        ["--until", "2015"],
        ["--limit", "3"],
    ],
)
def test_export_with_a_filter_or_a_limit_exports_the_facts_list_chooses(run, selection):
    listed = json.loads(run("list", "--format", "json", *selection).stdout)
    exported = json.loads(run("export", *selection).stdout)
    assert 0 < len(listed) < 28
    assert [fact["id"] for fact in exported["facts"]] == [fact["id"] for fact in listed]
