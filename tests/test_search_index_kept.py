"""Which stores keep their search index in the cache between runs: those of 1,000 facts or more (docs/STORE.md),
once they have stood still for two seconds."""

from __future__ import annotations

import sys
import time
from array import array
from pathlib import Path

import pytest
from test_jsonfile_trust import changed_source
from test_query import grown_document

from facts_cli import query
from facts_cli.jsonfile import encode_document
from facts_cli.storage import Store, keep, kept
from facts_cli.store import open_store


def store_of(tmp_path: Path, size: int) -> Path:
    """A store file of the bundled store's facts copied to `size` facts."""
    path = tmp_path / f"{size}.json"
    path.write_bytes(encode_document(grown_document(size)))
    return path


def index_entry(store: Store) -> tuple:
    """Where the cache keeps the search index of this version of the store: what `keep` and `kept` take."""
    return store.path, query.SEARCH_INDEX, query._code_version(), store.stamp, store.checksum


def test_a_search_index_is_kept_for_a_store_of_1000_facts_and_not_of_999(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTS_CACHE_DIR", str(tmp_path / "cache"))
    paths = {size: store_of(tmp_path, size) for size in (999, 1000)}
    time.sleep(2.1)  # a file changed in the last two seconds (its ctime) may change again unseen: nothing is kept
    found = {}
    for size, path in paths.items():
        store = open_store(path)
        query.SearchIndex.of_store(store, query.EntityIndex(store.entities))
        found[size] = kept(*index_entry(store)) is not None
    assert found == {999: False, 1000: True}


def test_a_write_that_leaves_a_store_of_1000_facts_keeps_the_index_it_had(tmp_path, monkeypatch):
    """A write carries the index kept for the version before it to the version it makes, as a search would keep."""
    from facts_cli.curate import remove_records

    monkeypatch.setenv("FACTS_CACHE_DIR", str(tmp_path / "cache"))
    path = store_of(tmp_path, 1001)
    time.sleep(2.1)
    store = open_store(path)
    query.SearchIndex.of_store(store, query.EntityIndex(store.entities))
    remove_records(path, "facts", [store.facts[-1]["id"]], cascade=False)
    store = open_store(path)
    assert len(store.facts) == 1000
    assert kept(*index_entry(store)) is not None


def test_an_index_rebuilt_for_a_store_changed_in_the_last_two_seconds_is_not_kept(tmp_path, monkeypatch):
    """A whole entry that is no index is rebuilt; kept anew only for a store that has stood still (as `cached`)."""
    monkeypatch.setenv("FACTS_CACHE_DIR", str(tmp_path / "cache"))
    store = open_store(store_of(tmp_path, query.CACHED_FROM))
    assert store.stamp is not None and not store.settled
    keep(*index_entry(store), {"garbage": 1})
    entities = query.EntityIndex(store.entities)
    index = query.SearchIndex.of_store(store, entities)
    assert query.search(store.facts, entities, "كازاخستان", index) and kept(*index_entry(store)) == {"garbage": 1}


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
