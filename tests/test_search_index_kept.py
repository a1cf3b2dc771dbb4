"""Which stores keep their search index in the cache between runs: those of 1,000 facts or more (docs/STORE.md),
once they have stood still for two seconds."""

from __future__ import annotations

import json
import time

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
