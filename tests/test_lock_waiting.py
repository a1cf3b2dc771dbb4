"""A writer that waits for the write lock: it says so once, however long it waits; and, run in-process (`main` or
`locked` in a program that goes on), it leaves no descriptor open whatever the wait comes to: the lock given up,
the lock file not a file, or the lock file removed by the writer before as it finished."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path

import pytest
from conftest import NEW_FACT
from test_hostile_files import held_lock, start

from facts_cli import jsonfile
from facts_cli.jsonfile import locked
from facts_cli.storage import StoreError


def test_a_writer_says_once_that_it_waits_for_the_lock(store, tmp_path):
    with held_lock(store):
        writer = start(
            "add", "--db", str(store), input=json.dumps(NEW_FACT), tmp_path=tmp_path, env={"FACTS_LOCK_TIMEOUT": "1.5"}
        )
        assert writer.wait(timeout=30) == 3
    lines = writer.stderr.read().decode().splitlines()
    assert len(lines) == 2, lines
    assert "waiting for another writer" in lines[0] and "held the lock" in lines[1]


def _lock_descriptors(store: Path) -> list[str]:
    """The descriptors of this process open on a lock file of `store` (removed or not)."""
    lock = str(store.with_name(store.name + ".lock"))
    found = []
    for descriptor in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the listing's own, closed by now
            if os.readlink(f"/proc/self/fd/{descriptor}").removesuffix(" (deleted)") == lock:
                found.append(descriptor)
    return found


def test_a_lock_given_up_leaves_no_descriptor_open(writable, monkeypatch):
    monkeypatch.setenv("FACTS_LOCK_TIMEOUT", "0")
    with held_lock(writable) as other:
        with pytest.raises(StoreError, match="another writer has held the lock"), locked(writable):
            pytest.fail("the lock was taken while another writer held it")
        assert _lock_descriptors(writable) == [str(other.handle.fileno())]


def test_a_lock_file_that_is_not_a_file_leaves_no_descriptor_open(writable):
    os.mkfifo(writable.with_name("s.json.lock"))
    with pytest.raises(StoreError, match="is not a regular file"), locked(writable):
        pytest.fail("a FIFO was taken for the lock")
    assert _lock_descriptors(writable) == []
    assert writable.with_name("s.json.lock").is_fifo()  # not ours to remove


def test_a_lock_file_removed_while_waited_for_leaves_no_descriptor_open(writable, monkeypatch):
    """The writer before removes its lock file as it finishes, then lets the lock go: the one waiting gets the lock of
    a file no longer there, and takes the new one. Here the writer before finishes as the other first waits."""
    other = held_lock(writable).__enter__()
    real_sleep = time.sleep

    def finishing(seconds: float) -> None:
        if not other.handle.closed:
            os.unlink(other.path)
            fcntl.flock(other.handle, fcntl.LOCK_UN)
            other.handle.close()
        real_sleep(seconds)

    monkeypatch.setattr(jsonfile.time, "sleep", finishing)
    with locked(writable):
        assert other.handle.closed, "the lock was taken while another writer held it"
        assert len(_lock_descriptors(writable)) == 1  # the new lock file's, not the removed one's besides
    monkeypatch.undo()
    assert _lock_descriptors(writable) == []


def test_a_writer_waiting_for_the_lock_tries_it_again_every_20_ms(writable, monkeypatch):
    """docs/DESIGN.md: the lock is tried every 20 ms, not blocked on, so that the wait can be told and given up."""
    monkeypatch.delenv("FACTS_LOCK_TIMEOUT", raising=False)
    other = held_lock(writable).__enter__()
    slept: list[float] = []

    def noted(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            fcntl.flock(other.handle, fcntl.LOCK_UN)
            other.handle.close()

    monkeypatch.setattr(jsonfile.time, "sleep", noted)
    with locked(writable):
        assert slept == [pytest.approx(0.02)] * 3


@pytest.mark.parametrize("umask", [0o000, 0o002, 0o022])
def test_a_lock_file_is_made_as_any_file_is_so_that_the_stores_writers_can_take_it(writable, umask):
    """0o666 less the umask, as `facts init` makes a store: a group that may write the store may take its lock."""
    before = os.umask(umask)
    try:
        with locked(writable):
            mode = writable.with_name(writable.name + ".lock").stat().st_mode & 0o777
    finally:
        os.umask(before)
    assert mode == 0o666 & ~umask
