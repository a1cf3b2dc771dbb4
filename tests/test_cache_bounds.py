"""The cache's bounds to the byte and the nanosecond: 512 MiB in all (past it the oldest entries go), and a killed
writer's temporary file removed once it is more than an hour old."""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path

import pytest

from facts_cli.storage import CACHE_DIR_VAR, NO_CACHE_VAR, keep, prune

MIB = 1024 * 1024
HOUR_NS = 3600 * 1_000_000_000


@pytest.fixture
def cache(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv(CACHE_DIR_VAR, str(tmp_path / "cache"))
    monkeypatch.delenv(NO_CACHE_VAR, raising=False)
    return tmp_path / "cache"


def entries(cache: Path) -> dict[str, Path]:
    """The cache's entries named `x`, by the name of the store each was made for."""
    found = {}
    for entry in cache.glob("x-*.marshal"):
        with open(entry, "rb") as handle:
            found[Path(marshal.load(handle)[1]).stem] = entry
    return found


def test_the_cache_holds_512_mib_in_all_and_past_that_drops_what_was_made_longest_ago(cache, tmp_path):
    stores = {name: tmp_path / f"{name}.json" for name in ("oldest", "older", "newest")}
    for path in stores.values():
        path.write_text("{}", encoding="utf-8")
        keep(path, "x", "v", (1,), 0, "data")
    made = entries(cache)
    newest = made["newest"]
    # entries are read a header at a time: the rest of a file may be a hole (sparse), as large as needed
    os.truncate(made["oldest"], 200 * MIB)
    os.truncate(made["older"], 512 * MIB - 200 * MIB - newest.stat().st_size)
    os.utime(made["oldest"], ns=(0, 1_000_000_000))
    os.utime(made["older"], ns=(0, 2_000_000_000))
    prune(cache, keep=newest)
    assert sorted(entries(cache)) == ["newest", "older", "oldest"]  # 512 MiB exactly: all kept
    os.truncate(made["older"], made["older"].stat().st_size + 1)
    os.utime(made["older"], ns=(0, 2_000_000_000))
    prune(cache, keep=newest)
    assert sorted(entries(cache)) == ["newest", "older"]  # a byte more: the oldest goes, and only it


def test_a_killed_writers_temporary_file_goes_once_it_is_more_than_an_hour_old(cache, tmp_path, monkeypatch):
    store = tmp_path / "s.json"
    store.write_text("{}", encoding="utf-8")
    keep(store, "x", "v", (1,), 0, "data")
    (kept,) = cache.glob("*.marshal")
    now = 1_700_000_000 * 1_000_000_000
    monkeypatch.setattr(time, "time_ns", lambda: now)
    ages = {"hour": HOUR_NS, "hour-and-a-nanosecond": HOUR_NS + 1, "minute": 60 * 1_000_000_000}
    temporaries = {}
    for number, (name, age) in enumerate(ages.items()):
        temporary = cache / f".x-{str(number) * 24}.marshal.{name}.tmp"
        temporary.write_bytes(b"half")
        os.utime(temporary, ns=(now - age, now - age))
        temporaries[name] = temporary
    prune(cache, keep=kept)
    assert {name for name, path in temporaries.items() if path.exists()} == {"hour", "minute"}


# A cache that cannot be read or written is rebuilt or skipped, never an error; it leaves nothing behind.

STORE_TEXT = '{"sources": {}, "entities": {}, "facts": {}}'


def a_store(tmp_path: Path) -> Path:
    path = tmp_path / "s.json"
    path.write_text(STORE_TEXT, encoding="utf-8")
    return path


def damaged_entries(cache: Path, store: Path) -> dict[str, Path]:
    """Files named as entries of `store` would be, each damaged in its own way."""
    keep(store, "x", "v", (1,), 0, "data")
    (good,) = cache.glob("x-*.marshal")
    key = good.name.split("-", 1)[1]
    contents = {
        "empty": b"",  # EOFError
        "garbage": b"\xff\xfe not marshal",  # ValueError
        "an-int": marshal.dumps(5),  # TypeError: not a tuple
        "an-empty-tuple": marshal.dumps(()),  # IndexError (the store's path) or ValueError (unpacking)
        "three-items": marshal.dumps(("v", str(store), (1,))),  # ValueError: too few to unpack
        "a-number-for-a-stamp": marshal.dumps(("v", str(store), 7, 0, None)),  # TypeError: tuple(7)
    }
    made = {}
    for name, data in contents.items():
        (cache / f"{name}-{key}").write_bytes(data)
        made[name] = cache / f"{name}-{key}"
    return made


def test_a_damaged_entry_is_no_entry_and_is_rebuilt(cache, tmp_path):
    from facts_cli.storage import entry

    store = a_store(tmp_path)
    for name, damaged in damaged_entries(cache, store).items():
        assert entry(store, name, "v") is None, name
        keep(store, name, "v", (2,), 3, {"rebuilt": name})
        assert entry(store, name, "v") == ((2,), 3, {"rebuilt": name}), name
        assert damaged.exists()  # replaced by the entry kept, under its name


def test_pruning_removes_entries_that_do_not_say_which_store_they_are_of(cache, tmp_path):
    """An entry that names its store (even if damaged past that) stays until it is rebuilt; one that does not
    goes."""
    store = a_store(tmp_path)
    damaged = damaged_entries(cache, store)
    other = tmp_path / "other.json"
    other.write_text(STORE_TEXT, encoding="utf-8")
    keep(other, "x", "v", (1,), 0, "other")  # prunes
    left = {name for name, path in damaged.items() if path.exists()}
    assert left == {"three-items", "a-number-for-a-stamp"}
    assert sorted(entries(cache)) == ["other", "s"]


def test_a_cache_that_cannot_be_written_is_skipped_and_leaves_no_temporary(cache, tmp_path, monkeypatch):
    store = a_store(tmp_path)
    keep(store, "x", "v", (1,), 0, {"data": object()})  # not plain data: marshal refuses it (ValueError)
    assert list(cache.iterdir()) == []

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    keep(store, "x", "v", (1,), 0, "data")
    assert list(cache.iterdir()) == []


def test_the_cache_directory_is_made_with_its_parents_and_holds_several_entries(tmp_path, monkeypatch):
    cache = tmp_path / "not" / "yet" / "there"
    monkeypatch.setenv(CACHE_DIR_VAR, str(cache))
    monkeypatch.delenv(NO_CACHE_VAR, raising=False)
    store = a_store(tmp_path)
    keep(store, "first", "v", (1,), 0, "one")
    keep(store, "second", "v", (1,), 0, "two")
    assert sorted(p.name.split("-")[0] for p in cache.glob("*.marshal")) == ["first", "second"]


def test_reading_an_entry_that_is_not_a_file_leaves_no_descriptor_open(cache, tmp_path):
    from facts_cli.storage import entry

    store = a_store(tmp_path)
    keep(store, "x", "v", (1,), 0, "data")
    (made,) = cache.glob("x-*.marshal")
    made.unlink()
    os.mkfifo(made)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        assert entry(store, "x", "v") is None
    assert len(os.listdir("/proc/self/fd")) == before


def test_two_processes_pruning_at_once_never_fail(cache, tmp_path, monkeypatch):
    """What one prune removes between another's listing and its own removal is gone already: not an error."""
    stores = []
    for name in ("gone", "old", "new"):
        path = tmp_path / f"{name}.json"
        path.write_text(STORE_TEXT, encoding="utf-8")
        keep(path, "x", "v", (1,), 0, name)
        stores.append(path)
    stale = cache / f".x-{'1' * 24}.marshal.abc.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, ns=(0, 0))
    stores[0].unlink()  # its entry goes at the next prune
    made = entries(cache)
    os.truncate(made["old"], 600 * MIB)  # past the limit: the oldest goes
    os.utime(made["old"], ns=(0, 1))
    real_lstat = Path.lstat

    def racing_lstat(self):
        """Another process removes each file just after this one looked at it."""
        info = real_lstat(self)
        if self != made["new"]:
            self.unlink(missing_ok=True)
        return info

    monkeypatch.setattr(Path, "lstat", racing_lstat)
    prune(cache, keep=made["new"])
    assert list(cache.iterdir()) == [made["new"]]


def test_a_store_not_known_to_have_settled_keeps_nothing_in_the_cache(cache, tmp_path):
    """A version of a store read while it may still change within its clock tick is never cached: a Store says it
    has settled only when its reader says so."""
    from facts_cli.storage import Store, cached

    store = Store(a_store(tmp_path), {}, [], [], [], stamp=(1, 2, 3, 4, 5), checksum=0)
    assert cached(store, "x", "v", lambda: "built") == "built"
    assert not cache.exists() or list(cache.iterdir()) == []
    assert cached(store._replace(settled=True), "x", "v", lambda: "built") == "built"
    assert len(list(cache.glob("x-*.marshal"))) == 1


def test_a_refused_write_says_how_many_problems_it_had():
    from facts_cli.storage import InvalidWrite

    refused = InvalidWrite(["facts/a: claim: too short", "facts/b: source: unknown"])
    assert str(refused) == "2 problems"
    assert refused.lines() == ["facts/a: claim: too short", "facts/b: source: unknown", "nothing written: 2 problems"]
    assert InvalidWrite(["one"]).lines()[-1] == "nothing written: 1 problem"
