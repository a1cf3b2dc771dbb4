"""The store layer: which file is opened, how a broken file is refused, and that reading never writes."""

from __future__ import annotations

import json
import marshal
import os
from pathlib import Path

import pytest
from conftest import BUNDLED, write_store
from hypothesis import given, settings
from hypothesis import strategies as st

from facts_cli import jsonfile
from facts_cli import jsonfile as store_module
from facts_cli import storage as storage_module
from facts_cli.jsonfile import (
    VALIDATED,
    _temporary_name,
    _validation_version,
    encode_document,
    encoded,
    locked,
    write_atomically,
)
from facts_cli.storage import CACHE_DIR_VAR, NO_CACHE_VAR, InvalidWrite, StoreError, cached, keep, kept
from facts_cli.store import (
    ENV_VAR,
    bundled_store_path,
    open_store,
    resolve_store_path,
    storage_for,
    writable_store_path,
)
from facts_cli.vocabulary import FACT_TYPES


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
        (b"[]", "not a facts store: the top level is an array, not an object of tables"),
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


def test_a_file_that_cannot_be_opened_or_read_is_refused_in_one_line(tmp_path, monkeypatch):
    """The errors themselves, from open and from read, made up (a user whom file modes stop gets the first for real:
    tests/test_hostile_files.py runs as one; a disk that fails gives the second)."""
    path = write_store(tmp_path / "s.json", {"facts": {}})
    real_open, real_fdopen = os.open, os.fdopen

    def denied(name, *args, **kwargs):
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(StoreError) as raised:
        open_store(path)
    assert str(raised.value) == f"{path}: cannot open: Permission denied"
    monkeypatch.setattr(os, "open", real_open)

    class Failing:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def fileno(self):
            return self.file.fileno()

        def read(self, *size):
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fdopen", lambda *args, **kwargs: Failing(real_fdopen(*args, **kwargs)))
    with pytest.raises(StoreError) as raised:
        open_store(path)
    assert str(raised.value) == f"{path}: cannot read: Input/output error"


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
    write_atomically(path, [b"new ", "ي\n".encode()])
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
        write_atomically(path, [b"new"])
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_the_lock_clears_temporaries_of_killed_writers_and_nothing_else(tmp_path):
    path = tmp_path / "s.json"
    stale = tmp_path / _temporary_name(path)  # what a writer of s.json killed mid-write leaves
    stale.write_text("half a store", encoding="utf-8")
    others = [".other.json.abc123.tmp", _temporary_name(tmp_path / "s"), _temporary_name(tmp_path / "s.json.x")]
    others += [".s.json.abc123.tmp", ".s.json." + "A" * 16 + ".tmp", ".s.json." + "0" * 17 + ".tmp"]
    for name in others:
        (tmp_path / name).write_text("not ours", encoding="utf-8")
    (tmp_path / _temporary_name(path)).mkdir()
    with locked(path):
        assert not stale.exists()
        assert (tmp_path / "s.json.lock").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted(others)
    assert len(list(tmp_path.iterdir())) == len(others) + 1


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


# writes: the bytes written, and which file a write trusts


JSON_TEXT = st.text(max_size=30) | st.text(alphabet=st.sampled_from('\x00\x1f\x7f\x85\u2028\u2029\ufeff\\"/ي😀'))
DOCUMENT = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.integers(-(10**6), 10**6).map(float) | JSON_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(JSON_TEXT, children, max_size=4),
    max_leaves=20,
)


def standard_bytes(document) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(DOCUMENT | st.dictionaries(JSON_TEXT, st.dictionaries(JSON_TEXT, DOCUMENT)), st.sampled_from([1, 2, 1000]))
def test_a_store_is_encoded_as_the_standard_encoder_encodes_it(document, at_once):
    original = jsonfile.RECORDS_AT_ONCE
    jsonfile.RECORDS_AT_ONCE = at_once
    try:
        assert encode_document(document) == standard_bytes(document)
    finally:
        jsonfile.RECORDS_AT_ONCE = original


def test_the_bundled_store_is_encoded_byte_for_byte():
    assert encode_document(json.loads(BUNDLED.read_bytes())) == BUNDLED.read_bytes()


def test_what_orjson_refuses_is_encoded_by_the_standard_encoder():
    deep: list = []
    for _ in range(300):
        deep = [deep]
    for refused in ({"n": 2**70}, {"deep": deep}):
        assert encode_document(refused) == standard_bytes(refused)
    with pytest.raises(UnicodeEncodeError):
        encode_document({"text": "half a pair \ud83d"})


KEY = st.text(alphabet=st.sampled_from('ab1"\\: \n}{,'), max_size=6)
STORE_LIKE = st.dictionaries(KEY, st.dictionaries(KEY, DOCUMENT, max_size=4), max_size=4)


@settings(max_examples=200, deadline=None)
@given(STORE_LIKE, st.sampled_from([1, 3, 7, 1 << 22]))
def test_a_store_file_a_write_made_is_read_back_a_record_at_a_time(tmp_path_factory, document, chunk):
    """A write reads the file the last write made record by record (a whole parse held the file and orjson's
    tree of it besides the document); whatever the keys and strings, it reads what one parse reads."""
    path = tmp_path_factory.mktemp("ours") / "s.json"
    stamp, checksum = write_atomically(path, encoded(document))
    original = jsonfile._Chunks.SIZE
    jsonfile._Chunks.SIZE = chunk
    try:
        assert jsonfile._read_ours(path, stamp, checksum) == json.loads(path.read_bytes())
        assert jsonfile._read_ours(path, stamp, checksum ^ 1) is None
    finally:
        jsonfile._Chunks.SIZE = original


def test_a_file_laid_out_otherwise_is_not_read_as_one_a_write_made(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"facts": {"1": {"id": "a"}}}, indent=4), encoding="utf-8")
    store = open_store(path)
    assert jsonfile._read_ours(path, store.stamp, store.checksum) is None


def adding(fact_id: str):
    """A change that adds a valid fact (a copy of ru-kz-s300-free) under a new id."""

    def change(draft):
        template = next(f for f in draft.records("facts").values() if f["id"] == "ru-kz-s300-free")
        return draft.insert("facts", [{**template, "id": fact_id}])

    return change


def break_by_hand(path: Path) -> bytes:
    """Edit the file in place as a person might (same size): a fact's type no longer in the vocabulary."""
    text = path.read_bytes()
    broken = text.replace(b'"type": "publication"', b'"type": "publicatiom"', 1)
    assert broken != text and len(broken) == len(text)
    with open(path, "r+b") as handle:
        handle.write(broken)
    return broken


def trust(path: Path, stamp, checksum) -> None:
    """Say, in the cache, that the last validated write made the file with this stamp and CRC-32."""
    keep(path, VALIDATED, _validation_version(), stamp, checksum, True)


def test_a_write_trusts_the_file_it_made_and_no_other(writable):
    storage = storage_for(writable)
    storage.apply(adding("first"))
    store = open_store(writable)
    assert kept(writable, VALIDATED, _validation_version(), store.stamp, store.checksum) is True
    broken = break_by_hand(writable)
    with pytest.raises(InvalidWrite) as raised:
        storage.apply(adding("second"))
    assert [str(p) for p in raised.value.problems] == [
        f"facts/rt-byline: type: 'publicatiom' is not one of: {', '.join(FACT_TYPES)}"
    ]
    assert writable.read_bytes() == broken


def test_the_stamp_is_trusted_only_when_stamp_and_checksum_both_match(writable):
    storage = storage_for(writable)
    storage.apply(adding("first"))
    before = open_store(writable)
    break_by_hand(writable)
    after = open_store(writable)
    trust(writable, after.stamp, before.checksum)  # a same-tick edit: the stamp would not show it; the CRC-32 does
    with pytest.raises(InvalidWrite):
        storage.apply(adding("second"))
    trust(writable, before.stamp, after.checksum)
    with pytest.raises(InvalidWrite):
        storage.apply(adding("second"))
    trust(writable, after.stamp, after.checksum)  # what a write trusts, it does not check again: only the change
    storage.apply(adding("second"))
    assert [f["id"] for f in open_store(writable).facts][-2:] == ["first", "second"]


def test_no_file_is_trusted_without_a_cache(writable, monkeypatch):
    storage_for(writable).apply(adding("first"))
    break_by_hand(writable)
    store = open_store(writable)
    trust(writable, store.stamp, store.checksum)
    monkeypatch.setenv(NO_CACHE_VAR, "1")
    with pytest.raises(InvalidWrite):
        storage_for(writable).apply(adding("second"))


# the cache: one entry per store and name, bounded in all


def test_entries_of_stores_that_are_gone_are_pruned(settled, tmp_path, document):
    first, second = write_store(tmp_path / "a.json", document), write_store(tmp_path / "b.json", document)
    cached(open_store(first), "x", "v", lambda: "a")
    cached(open_store(second), "x", "v", lambda: "b")
    assert len(list(settled.glob("*.marshal"))) == 2
    second.unlink()
    third = write_store(tmp_path / "c.json", document)
    cached(open_store(third), "x", "v", lambda: "c")
    cached(open_store(third), "x", "v2", lambda: "c again")
    assert sorted(kept_value(settled) for settled in settled.glob("*.marshal")) == ["a", "c again"]


def kept_value(entry: Path):
    with open(entry, "rb") as handle:
        marshal.load(handle)
        return marshal.load(handle)


def test_the_cache_is_bounded_in_all_and_drops_what_was_made_longest_ago(settled, monkeypatch, tmp_path, document):
    paths = [write_store(tmp_path / f"{name}.json", document) for name in "abcd"]
    for age, path in enumerate(paths):
        cached(open_store(path), "x", "v", lambda path=path: path.stem * 1000)
        entry = next(e for e in settled.glob("*.marshal") if kept_value(e) == path.stem * 1000)
        os.utime(entry, ns=(0, (age + 1) * 1_000_000_000))
    monkeypatch.setattr(storage_module, "CACHE_LIMIT", 2500)
    last = write_store(tmp_path / "e.json", document)
    cached(open_store(last), "x", "v", lambda: "e" * 1000)
    assert sorted(kept_value(e)[0] for e in settled.glob("*.marshal")) == ["d", "e"]


def test_temporaries_of_killed_cache_writers_are_removed_once_old(settled, tmp_path, document):
    settled.mkdir()
    old, fresh = settled / f".x-{'1' * 24}.marshal.abc.tmp", settled / f".x-{'2' * 24}.marshal.def.tmp"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    os.utime(old, ns=(0, 0))
    cached(open_store(write_store(tmp_path / "s.json", document)), "x", "v", lambda: 1)
    assert not old.exists() and fresh.exists()


def test_the_cache_touches_nothing_that_is_not_its_own(settled, tmp_path, document):
    """The cache directory may be shared (FACTS_CACHE_DIR=~/.cache): only regular files named as entries are read
    or removed; a FIFO or a symlink named like an entry is neither read (a FIFO would hang) nor followed."""
    path = write_store(tmp_path / "s.json", document)
    store = open_store(path)
    cached(store, "x", "v", lambda: "built")
    (entry,) = settled.glob("x-*.marshal")
    foreign = [settled / "notes.marshal", settled / "other.txt", settled / ".other.marshal.abc.tmp"]
    for other in foreign:
        other.write_bytes(b"not ours")
        os.utime(other, ns=(0, 0))
    target = tmp_path / "target"
    target.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(target)
    assert cached(store, "x", "v", lambda: "rebuilt") == "rebuilt"  # not read through the link
    assert target.read_bytes() and all(other.exists() for other in foreign)
    entry.unlink()
    os.mkfifo(entry)
    assert cached(store, "x", "v", lambda: "again") == "again"  # a FIFO is not waited on
    assert all(other.exists() for other in foreign)


def test_the_file_storage_takes_the_defaults_its_interface_documents(monkeypatch, tmp_path):
    """A caller that leaves them out gets what `Storage` says: `load` looks for keys held twice only when asked
    (`whole`), and `create` and `apply` write unless asked for a dry run."""
    monkeypatch.setenv(CACHE_DIR_VAR, str(tmp_path / "cache"))
    path = tmp_path / "s.json"
    storage = storage_for(path)
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    storage.create(document, replace=False)
    assert json.loads(path.read_text(encoding="utf-8")) == document
    storage.apply(lambda draft: draft.remove("facts", [next(iter(draft.records("facts")))]))
    assert len(json.loads(path.read_text(encoding="utf-8"))["facts"]) == len(document["facts"]) - 1
    path.write_text('{"sources": {}, "entities": {}, "facts": {}, "facts": {}}', encoding="utf-8")
    assert storage.load().duplicates == ()
    assert [key for _, key in storage.load(whole=True).duplicates] == ["facts"]
