"""Writes the file system refuses, each in one line, exit 3, nothing touched: a store on a read-only file system (a
real one: the test's directory bind-mounted read-only in a mount namespace of its own, which nothing else sees); a
directory where the write lock cannot be made, for each reason the kernel gives (EACCES, EPERM, EROFS), told apart
from a lock file that is there but cannot be opened and from any other error; a store whose name leaves no room for
its lock's."""

from __future__ import annotations

import errno
import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUNDLED, FACTS_BIN, NEW_FACT, run_facts
from test_hostile_files import one_line

from facts_cli import jsonfile
from facts_cli.jsonfile import locked
from facts_cli.storage import StoreError

FACT = json.dumps({**NEW_FACT, "id": "a-new-fact"})

# `sh -c SCRIPT DIRECTORY COMMAND...`: DIRECTORY made read-only for COMMAND, and for nothing else.
READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def _read_only(directory: Path) -> list[str]:
    """A command prefix that runs what follows with `directory` on a read-only file system: bind-mounted on itself,
    read-only, in a mount namespace of its own (and, when not root, a user namespace of its own, which lets a user
    mount there). Fails, never skips, when namespaces cannot be had."""
    namespace = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--mount"]
    prefix = [*namespace, "sh", "-c", READ_ONLY, str(directory)]
    check = subprocess.run([*prefix, "true"], capture_output=True, text=True)
    if check.returncode != 0:
        pytest.fail(f"a read-only bind mount in a mount namespace of its own (util-linux unshare): {check.stderr}")
    return prefix


def test_a_store_on_a_read_only_file_system_is_refused_as_such_and_still_read(run, tmp_path):
    directory = tmp_path / "ro"
    directory.mkdir()
    store = directory / "s.json"
    assert run("init", str(store)).returncode == 0
    before, status = store.read_bytes(), store.stat()
    prefix = _read_only(directory)
    environ = {"FACTS_CACHE_DIR": str(tmp_path / "cache")}

    def facts(*args: str) -> subprocess.CompletedProcess:
        return run_facts([*prefix, str(FACTS_BIN), *args], tmp_path, environ, FACT)

    for command in (["add"], ["import"], ["remove", "rt-byline"], ["add", "--dry-run"]):
        one_line(facts(*command, "--db", str(store)), 3, f"{store}: cannot write: {os.strerror(errno.EROFS)}")
    one_line(facts("init", "--force", str(store)), 3, f"{store}: cannot write: {os.strerror(errno.EROFS)}")
    new = directory / "new.json"
    one_line(facts("init", str(new)), 3, f"the directory {directory} is not writable ({os.strerror(errno.EROFS)})")
    listed = facts("list", "--db", str(store), "-f", "jsonl")
    assert listed.returncode == 0 and listed.stdout.count("\n") == len(json.loads(BUNDLED.read_bytes())["facts"])
    after = store.stat()
    assert store.read_bytes() == before and (after.st_ino, after.st_mtime_ns) == (status.st_ino, status.st_mtime_ns)
    assert sorted(p.name for p in directory.iterdir()) == ["s.json"]


# What opening the lock file meets, whether a lock file is there, and what is said. Simulated (an os.open that fails
# so for the lock file), as only root can make a directory immutable (chattr +i: there even root meets EPERM) and no
# test fills a disk; EACCES is met for real by a user without write permission on the directory
# (tests/test_hostile_stores.py), EROFS by the test above.
DIRECTORY = (
    "cannot write: the directory {directory} is not writable ({reason}), and a write makes its lock and its new file "
    "there"
)
LOCK_FAILURES = [
    (errno.EACCES, False, DIRECTORY),
    (errno.EPERM, False, DIRECTORY),
    (errno.EROFS, False, DIRECTORY),
    (errno.EACCES, True, "cannot take the write lock {lock}: {reason}"),
    (errno.EPERM, True, "cannot take the write lock {lock}: {reason}"),
    (errno.ENOSPC, False, "cannot take the write lock {lock}: {reason}"),
]


@pytest.mark.parametrize(
    ("number", "there", "said"),
    LOCK_FAILURES,
    ids=["EACCES", "EPERM", "EROFS", "EACCES-lock-there", "EPERM-lock-there", "ENOSPC"],
)
def test_a_lock_that_cannot_be_made_is_said_to_be_the_directorys_and_one_there_the_locks(
    tmp_path, monkeypatch, number, there, said
):
    """A directory that refuses a new file is what the user must change (and the new store file would be made
    there too); a lock file that is there but cannot be opened, or any other error, is the lock's."""
    store = tmp_path / "s.json"
    store.write_bytes(BUNDLED.read_bytes())
    lock = tmp_path / "s.json.lock"
    if there:
        lock.touch()
    real_open = os.open

    def refused(name, flags, *args, **kwargs):
        if Path(name) == lock:
            raise OSError(number, os.strerror(number), str(name))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(jsonfile.os, "open", refused)
    with pytest.raises(StoreError) as refusal, locked(store):
        pytest.fail("the lock was taken")
    monkeypatch.undo()
    reason = os.strerror(number)
    assert str(refusal.value) == f"{store}: " + said.format(directory=tmp_path, lock=lock, reason=reason)
    assert store.read_bytes() == BUNDLED.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json", *(["s.json.lock"] if there else [])]


def test_a_store_whose_name_leaves_no_room_for_its_locks_is_not_written(run, tmp_path):
    """The lock is NAME.lock beside the store: a name of 251 bytes or more has none (255 is the most a file system
    takes). Said as the lock's, not as the directory's."""
    store = tmp_path / ("x" * 246 + ".json")
    assert len(store.name) == 251
    lock = store.with_name(store.name + ".lock")
    one_line(run("init", str(store)), 3, f"cannot take the write lock {lock}: {os.strerror(errno.ENAMETOOLONG)}")
    assert not store.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a process a real user id unlike its effective one")
def test_whether_a_store_may_be_written_is_asked_with_the_effective_ids_as_open_asks(run, tmp_path):
    """A program whose real user is not its effective one (setuid) writes as the effective user, as open() does:
    `facts` run with real user `nobody` and effective user root writes a root's store in a root's directory, which
    the real user could not even reach. CI runs as root; no other user can make the two ids differ."""
    store = tmp_path / "s.json"
    assert run("init", str(store)).returncode == 0
    nobody = pwd.getpwnam("nobody").pw_uid
    prefix = [shutil.which("setpriv") or "setpriv", f"--ruid={nobody}", "--euid=0", "--"]
    as_real = "import os, sys; print(os.access(sys.argv[1], os.W_OK))"  # access(2) asks with the real ids
    asked = subprocess.run([*prefix, sys.executable, "-c", as_real, str(store)], capture_output=True, text=True)
    assert asked.stdout == "False\n"  # the real user may not write it
    added = run_facts([*prefix, str(FACTS_BIN), "add", "--db", str(store)], tmp_path, {}, FACT)
    assert (added.returncode, added.stderr) == (0, "")
    assert "a-new-fact" in store.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["add"], ["add", "--dry-run"], ["import"], ["remove", "rt-byline"]])
def test_a_write_to_a_store_that_is_not_there_says_so_and_makes_nothing(run, tmp_path, command):
    """Only `init` makes a store: a write to a missing one is refused as missing, whether its directory is missing
    too or a symlink names it, and neither a lock nor a directory is made."""
    directory = tmp_path / "stores"
    directory.mkdir()
    (directory / "link.json").symlink_to(directory / "gone.json")
    for named, missing in [("nowhere/s.json", "nowhere/s.json"), ("link.json", "gone.json")]:
        result = run(*command, "--db", str(directory / named), input=FACT)
        one_line(result, 3, f"{directory / missing}: no such store file")
        assert [p.name for p in directory.iterdir()] == ["link.json"]
