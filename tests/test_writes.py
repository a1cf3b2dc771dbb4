"""Reading and writing the JSON file, at its edges: the garbage collector given back as it was, line endings read as
a text file reads them, one change that adds and removes the same record, the version of a file told from another."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from conftest import BUNDLED

from facts_cli.storage import StoreError
from facts_cli.store import open_store, storage_for


def fact_ids(path: Path) -> list[str]:
    return [fact["id"] for fact in open_store(path).facts]


def adding(fact_id: str):
    def change(draft):
        template = next(f for f in draft.records("facts").values() if f["id"] == "ru-kz-s300-free")
        return draft.insert("facts", [{**template, "id": fact_id}])

    return change


@pytest.mark.parametrize("collecting", [True, False])
def test_reading_and_writing_leave_the_garbage_collector_as_they_found_it(writable, collecting):
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        open_store(writable)
        assert gc.isenabled() == collecting
        storage_for(writable).apply(adding("first"))  # reads the file it trusts a few records at a time
        storage_for(writable).apply(adding("second"))
        assert gc.isenabled() == collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert fact_ids(writable)[-2:] == ["first", "second"]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_a_store_with_other_line_endings_is_read_as_text_and_its_errors_placed_by_line(tmp_path, newline):
    good = tmp_path / "good.json"
    good.write_bytes(BUNDLED.read_text(encoding="utf-8").replace("\n", newline).encode())
    assert fact_ids(good) == fact_ids(BUNDLED)
    bad = tmp_path / "bad.json"
    bad.write_bytes(newline.join(["{", '  "facts": {', '    "1": {"id": "a",}', "  }", "}"]).encode())
    with pytest.raises(StoreError) as raised:
        open_store(bad)
    assert "at line 3, column" in str(raised.value)


def test_one_change_that_adds_a_record_and_removes_it_stores_neither(writable):
    storage = storage_for(writable)
    storage.apply(adding("first"))  # the file is now one a validated write made: the next checks only its change

    def add_and_take_back(draft):
        keys = adding("fleeting")(draft)
        draft.remove("facts", keys)
        return keys

    storage.apply(add_and_take_back)
    assert "fleeting" not in fact_ids(writable)
    assert fact_ids(writable)[-1] == "first"
    storage.apply(adding("second"))
    assert fact_ids(writable)[-2:] == ["first", "second"]


def test_removing_a_record_stored_before_keeps_it_in_what_the_change_removed(writable):
    storage = storage_for(writable)
    storage.apply(adding("first"))
    seen = {}

    def remove_first(draft):
        key = next(k for k, f in draft.records("facts").items() if f["id"] == "first")
        draft.remove("facts", [key, key, "no-such-key"])
        seen.update(inserted=list(draft.changes.inserted["facts"]), removed=dict(draft.changes.removed["facts"]))

    storage.apply(remove_first)
    assert seen["inserted"] == [] and [f["id"] for f in seen["removed"].values()] == ["first"]
    assert "first" not in fact_ids(writable)
    assert json.loads(writable.read_text(encoding="utf-8"))["facts"]


def test_a_file_is_settled_once_its_last_change_is_more_than_two_seconds_old(tmp_path, monkeypatch):
    """Within the kernel's clock tick a file may change again unseen: a version read sooner is not cached."""
    import time

    path = tmp_path / "s.json"
    path.write_bytes(BUNDLED.read_bytes())
    changed = path.stat().st_ctime_ns
    for age, settled in [(0, False), (2_000_000_000, False), (2_000_000_001, True), (60_000_000_000, True)]:
        monkeypatch.setattr(time, "time_ns", lambda age=age: changed + age)
        assert open_store(path).settled is settled, age


def test_a_file_that_changes_while_it_is_read_has_no_version(tmp_path, monkeypatch):
    import os

    path = tmp_path / "s.json"
    path.write_bytes(BUNDLED.read_bytes())
    assert open_store(path).stamp is not None
    real_fstat, calls = os.fstat, []

    def changing_fstat(fd):
        """The file's status, as if another process appended to it between the first look and the second."""
        status = real_fstat(fd)
        calls.append(fd)
        if len(calls) % 2 == 0:
            fields = list(status)
            fields[6] += 1  # st_size
            return os.stat_result(fields)
        return status

    monkeypatch.setattr(os, "fstat", changing_fstat)
    store = open_store(path)
    assert (store.stamp, store.settled) == (None, False)
    assert [f["id"] for f in store.facts] == fact_ids(BUNDLED)
