"""Which stores keep their search index in the cache between runs: those of 1,000 facts or more (docs/STORE.md),
once they have stood still for two seconds."""

from __future__ import annotations

import json
import sys
import time
from array import array

import pytest
from test_jsonfile_trust import changed_source

from facts_cli import query
from facts_cli.storage import kept
from facts_cli.store import open_store


def test_a_search_index_is_kept_for_a_store_of_1000_facts_and_not_of_999(tmp_path, monkeypatch, bundled_document):
    monkeypatch.setenv("FACTS_CACHE_DIR", str(tmp_path / "cache"))
    facts = list(bundled_document["facts"].values())
    paths = {}
    for count in (999, 1000):
        grown = {str(n + 1): {**facts[n % len(facts)], "id": f"fact-{n}"} for n in range(count)}
        paths[count] = tmp_path / f"{count}.json"
        paths[count].write_text(json.dumps({**bundled_document, "facts": grown}, ensure_ascii=False), encoding="utf-8")
    time.sleep(2.1)  # a file changed in the last two seconds (its ctime) may change again unseen: nothing is kept
    found = {}
    for count, path in paths.items():
        store = open_store(path)
        query.SearchIndex.of_store(store, query.EntityIndex(store.entities))
        version = query._code_version()
        found[count] = kept(path, query.SEARCH_INDEX, version, store.stamp, store.checksum) is not None
    assert found == {999: False, 1000: True}


def test_a_write_that_leaves_a_store_of_1000_facts_keeps_the_index_it_had(tmp_path, monkeypatch, bundled_document):
    """A write carries the index kept for the version before it to the version it makes, as a search would keep."""
    from facts_cli.curate import remove_records

    monkeypatch.setenv("FACTS_CACHE_DIR", str(tmp_path / "cache"))
    facts = list(bundled_document["facts"].values())
    grown = {str(n + 1): {**facts[n % len(facts)], "id": f"fact-{n}"} for n in range(1001)}
    path = tmp_path / "store.json"
    path.write_text(json.dumps({**bundled_document, "facts": grown}, ensure_ascii=False), encoding="utf-8")
    time.sleep(2.1)
    store = open_store(path)
    query.SearchIndex.of_store(store, query.EntityIndex(store.entities))
    remove_records(path, "facts", ["fact-1000"], cascade=False)
    store = open_store(path)
    assert len(store.facts) == 1000
    assert kept(path, query.SEARCH_INDEX, query._code_version(), store.stamp, store.checksum) is not None


@pytest.mark.parametrize("module", ["query", "arabic"])
def test_a_change_to_the_code_that_made_an_index_is_a_new_version_of_it(tmp_path, monkeypatch, module):
    version = query._code_version()
    changed_source(module, tmp_path, monkeypatch)
    assert query._code_version() != version


def test_an_index_is_of_the_python_that_wrote_it_to_its_minor_version(monkeypatch):
    version = query._code_version()
    major, minor, micro = sys.version_info[:3]
    monkeypatch.setattr(sys, "version_info", (major, minor, micro + 1, "final", 0))
    assert query._code_version() == version
    monkeypatch.setattr(sys, "version_info", (major, minor + 1, micro, "final", 0))
    assert query._code_version() != version


@pytest.mark.parametrize(("positions", "facts"), [([0, 5], 5), ([5], 5), ([], 5)])
def test_postings_past_the_facts_or_empty_are_no_index(positions, facts):
    with pytest.raises(ValueError, match="not postings"):
        query._unpack({"word": array("I", positions).tobytes()}, facts)
    assert list(query._unpack({"word": array("I", [0, 4]).tobytes()}, 5)["word"]) == [0, 4]
