"""The store layer: which file is opened, how a broken file is refused, and that reading never writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import BUNDLED, write_store

from facts_cli import jsonfile as store_module
from facts_cli.jsonfile import locked, write_atomically
from facts_cli.storage import CACHE_DIR_VAR, NO_CACHE_VAR, InvalidWrite, StoreError, cached
from facts_cli.store import (
    ENV_VAR,
    bundled_store_path,
    open_store,
    resolve_store_path,
    storage_for,
    writable_store_path,
)


def test_db_beats_environment_beats_bundled(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.json"))
    assert resolve_store_path(tmp_path / "flag.json") == tmp_path / "flag.json"
    assert resolve_store_path(None) == tmp_path / "env.json"
    monkeypatch.setenv(ENV_VAR, "")
    assert resolve_store_path(None) == bundled_store_path()
    monkeypatch.delenv(ENV_VAR)
    assert resolve_store_path(None) == bundled_store_path()


def test_bundled_store_is_the_repository_store():
    assert json.loads(bundled_store_path().read_text(encoding="utf-8")) == json.loads(BUNDLED.read_text("utf-8"))


def test_open_reads_the_three_tables():
    store = open_store(BUNDLED)
    assert [len(store.sources), len(store.entities), len(store.facts)] == [1, 29, 28]
    assert store.find("facts", "rt-byline")["quote"] == "RT"
    assert store.find("facts", "no-such-fact") is None
    assert store.entity_names()["shoigu"]["name"]["en"] == "Sergei Shoigu"


def test_missing_tables_read_as_empty(tmp_path):
    store = open_store(write_store(tmp_path / "s.json", {"sources": {}}))
    assert (store.sources, store.entities, store.facts) == ([], [], [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty, not a facts store"),
        (b'{"facts": {"1": {"id": "a"}', "not valid JSON at line 1, column 28: Expecting ',' delimiter"),
        (b'{\n  "facts": [\n]}', "not a facts store: table 'facts' is not an object of records"),
        (b"[]", "not a facts store: the top level is a JSON list, not an object of tables"),
        (b'{"facts": {"x": {}}}', "not a facts store: table 'facts' has a record under 'x', not a TinyDB document id"),
        (b'{"facts": {"1": "a"}}', "not a facts store: record 1 of table 'facts' is not an object"),
        ('{"facts": {}}'.encode("utf-16"), "not UTF-8 text"),
    ],
)
def test_broken_files_are_refused_with_one_line_naming_the_path(tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(StoreError) as raised:
        open_store(path)
    assert str(raised.value) == f"{path}: {message}"
    assert path.read_bytes() == content


def test_missing_file_is_refused_and_not_created(tmp_path):
    path = tmp_path / "nowhere" / "facts.json"
    with pytest.raises(StoreError, match="no such store file"):
        open_store(path)
    assert not path.parent.exists()


def test_directory_is_refused(tmp_path):
    with pytest.raises(StoreError, match="not a file"):
        open_store(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_refused(tmp_path):
    path = write_store(tmp_path / "secret.json", {})
    path.chmod(0)
    with pytest.raises(StoreError, match="cannot open: Permission denied"):
        open_store(path)


def test_reading_never_writes(tmp_path):
    path = tmp_path / "copy.json"
    path.write_bytes(BUNDLED.read_bytes())
    path.chmod(0o444)
    before = path.read_bytes(), path.stat().st_mtime_ns
    store = open_store(path)
    assert store.facts
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == ["copy.json"]


def test_write_atomically_replaces_the_file_and_keeps_its_mode(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o600)
    write_atomically(path, "new ي\n".encode())
    assert path.read_text(encoding="utf-8") == "new ي\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    path.write_text("old", encoding="utf-8")

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StoreError, match="cannot write: No space left on device"):
        write_atomically(path, b"new")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_the_lock_clears_temporaries_of_killed_writers(tmp_path):
    path = tmp_path / "s.json"
    stale = tmp_path / ".s.json.abc123.tmp"
    stale.write_text("half a store", encoding="utf-8")
    other = tmp_path / ".other.json.abc123.tmp"
    other.write_text("not ours", encoding="utf-8")
    with locked(path):
        assert not stale.exists()
    assert other.exists()


def test_transaction_writes_only_a_valid_store(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(BUNDLED.read_bytes())
    before = path.read_bytes()

    def break_it(draft):
        broken = {**draft.records("facts")["1"], "type": "rumour"}
        draft.remove("facts", ["1"])
        return draft.insert("facts", [broken])

    with pytest.raises(InvalidWrite) as raised:
        storage_for(path).apply(break_it)
    assert str(raised.value.problems[0]).startswith("facts/ru-am-caucasus-air-defence: type: 'rumour'")
    assert path.read_bytes() == before
    assert storage_for(path).apply(lambda draft: draft.remove("facts", ["28"])) is None
    assert len(open_store(path).facts) == 27


def test_writable_store_path_never_names_the_bundled_store(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(StoreError, match="read-only"):
        writable_store_path(None)
    with pytest.raises(StoreError, match="read-only"):
        writable_store_path(bundled_store_path())
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "mine.json"))
    assert writable_store_path(None) == tmp_path / "mine.json"


@pytest.fixture
def settled(monkeypatch, tmp_path):
    """Files count as settled at once (not two seconds after their last change), and caches go to tmp_path."""
    monkeypatch.setattr(store_module, "SETTLED_NS", 0)
    monkeypatch.setenv(CACHE_DIR_VAR, str(tmp_path / "cache"))
    monkeypatch.delenv(NO_CACHE_VAR, raising=False)
    return tmp_path / "cache"


class Builds:
    """A builder that counts its calls and returns what it is told."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, value):
        def build():
            self.calls += 1
            return value

        return build


def test_a_cache_entry_is_used_for_the_same_file_and_code_only(settled, tmp_path, document):
    path = write_store(tmp_path / "s.json", document)
    builds = Builds()
    assert cached(open_store(path), "x", "v1", builds({"a": b"1"})) == {"a": b"1"}
    assert cached(open_store(path), "x", "v1", builds({"a": b"2"})) == {"a": b"1"}
    assert builds.calls == 1
    assert cached(open_store(path), "x", "v2", builds("new code")) == "new code"
    assert builds.calls == 2
    assert len(list(settled.iterdir())) == 1


def test_any_change_to_the_file_invalidates_its_cache_entry(settled, tmp_path, document):
    path = write_store(tmp_path / "s.json", document)
    builds = Builds()
    cached(open_store(path), "x", "v", builds("before"))
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    changed = text.replace('"status": "done"', '"status": "dome"', 1)
    assert len(changed.encode()) == len(text.encode())
    with open(path, "r+", encoding="utf-8") as handle:  # in place: same inode, same size, same mtime below
        handle.write(changed)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert cached(open_store(path), "x", "v", builds("after")) == "after"
    write_store(path, document)  # replaced
    assert cached(open_store(path), "x", "v", builds("replaced")) == "replaced"
    assert builds.calls == 3


def test_nothing_is_cached_for_a_file_that_just_changed(monkeypatch, tmp_path, document):
    monkeypatch.setenv(CACHE_DIR_VAR, str(tmp_path / "cache"))
    path = write_store(tmp_path / "s.json", document)
    store = open_store(path)
    assert store.stamp is not None and not store.settled
    builds = Builds()
    cached(store, "x", "v", builds(1))
    cached(store, "x", "v", builds(2))
    assert builds.calls == 2
    assert not (tmp_path / "cache").exists()


def test_a_broken_or_unwritable_cache_is_rebuilt_or_skipped(settled, monkeypatch, tmp_path, document):
    path = write_store(tmp_path / "s.json", document)
    builds = Builds()
    cached(open_store(path), "x", "v", builds("first"))
    for entry in settled.iterdir():
        entry.write_bytes(b"\x00garbage")
    assert cached(open_store(path), "x", "v", builds("second")) == "second"
    assert cached(open_store(path), "x", "v", builds("third")) == "second"
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv(CACHE_DIR_VAR, str(blocked / "cache"))
    assert cached(open_store(path), "x", "v", builds("fourth")) == "fourth"
    assert cached(open_store(path), "x", "v", builds("fifth")) == "fifth"


def test_no_cache_when_asked(settled, monkeypatch, tmp_path, document):
    monkeypatch.setenv(NO_CACHE_VAR, "1")
    path = write_store(tmp_path / "s.json", document)
    builds = Builds()
    cached(open_store(path), "x", "v", builds(1))
    cached(open_store(path), "x", "v", builds(2))
    assert builds.calls == 2
    assert not settled.exists()
