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


def test_export_of_one_source_exports_its_facts_not_the_whole_store(run, store):
    """With two sources in the store, `--source` chooses the facts of one, and the export holds that source only."""
    published = {"value": "2016-01-12", "precision": "day", "text": None, "inferred": False}
    text = "سلمت روسيا أرمينيا منظومات دفاع جوي جديدة."
    source = {"id": "tass-2016-01-12", "publisher": "TASS", "language": "ar", "published": published, "text": text}
    fact = {
        "type": "statement",
        "claim": text,
        "claim_en": "Russia delivered new air-defence systems to Armenia.",
        "participants": [{"entity": "russia", "role": "supplier"}],
        "attributed_to": None,
        "status": "done",
        "time": None,
        "place": None,
        "quote": text,
        "source": "tass-2016-01-12",
    }
    env = {"FACTS_DB": str(store)}
    assert run("import", input=json.dumps({"sources": [source]}), env=env).returncode == 0
    added = run("add", input=json.dumps(fact), env=env)
    assert added.returncode == 0, added.stderr
    whole = json.loads(run("export", env=env).stdout)
    assert len(whole["sources"]) == 2 and len(whole["facts"]) == 29
    for source_id, count in [("tass-2016-01-12", 1), ("rt-ar-2015-12-23", 28)]:
        exported = json.loads(run("export", "--source", source_id, env=env).stdout)
        assert [s["id"] for s in exported["sources"]] == [source_id]
        assert len(exported["facts"]) == count
        assert {f["source"] for f in exported["facts"]} == {source_id}
