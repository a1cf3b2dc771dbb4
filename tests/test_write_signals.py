"""Signals that end a write: SIGTERM, SIGHUP and SIGINT sent to a real writer stopped in the middle of its write (or
while it waits for the lock), alone or two at once; and a program that runs `facts` in its own process with signal
handlers of its own; a signal as the temporary file is made. The store is left as it was, nothing is left beside
it, nothing is said, and the writer ends as the first signal says."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BUNDLED, FACTS_BIN, NEW_FACT, in_the_foreground
from test_hostile_files import held_lock, waits

from facts_cli import jsonfile

FACT = json.dumps({**NEW_FACT, "id": "a-new-fact"})

# `facts` run in-process by a program with handlers of its own for SIGTERM and SIGHUP, which note each signal they
# are called for (in the file named by argv[1]) and let it pass. With AFTER set, it sends itself both once `main`
# has returned.
EMBEDDING = """
import json
import os
import signal
import sys

from facts_cli.app import main

seen = []
for number in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(number, lambda number, frame: seen.append(number))
try:
    code = main(sys.argv[2:])
    if os.environ.get("AFTER"):
        for number in (signal.SIGTERM, signal.SIGHUP):
            signal.raise_signal(number)
finally:
    with open(sys.argv[1], "w") as out:
        json.dump(seen, out)
sys.exit(code)
"""


@pytest.fixture(scope="module")
def large_document() -> str:
    """A store of the bundled facts replicated to 10,000: its write lasts long enough to be stopped in the middle."""
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    facts = list(document["facts"].values())
    document["facts"] = {
        str(i + 1): {**facts[i % len(facts)], "id": f"{facts[i % len(facts)]['id']}-{i}"} for i in range(10_000)
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


@pytest.fixture
def large_store(tmp_path: Path, large_document: str) -> Path:
    directory = tmp_path / "store"
    directory.mkdir()
    path = directory / "s.json"
    path.write_text(large_document, encoding="utf-8")
    return path


def _start(command: list[str], store: Path, tmp_path: Path) -> subprocess.Popen:
    """`facts add` of one fact to `store`, started as a shell starts a command in the foreground (SIGINT not
    ignored)."""
    fact = tmp_path / "fact.json"
    fact.write_text(FACT, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k != "FACTS_DB"} | {"FACTS_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.Popen(
        [*command, "add", "--db", str(store), str(fact)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ,
        preexec_fn=in_the_foreground,
    )


def _stop(process: subprocess.Popen) -> None:
    """Stop `process` (SIGSTOP), and wait until it is stopped."""
    process.send_signal(signal.SIGSTOP)
    stat = Path(f"/proc/{process.pid}/stat")
    while (state := stat.read_text().rsplit(")", 1)[1].split()[0]) not in ("T", "t"):
        assert state != "Z", "the process ended before it could be stopped"
        time.sleep(0.001)


def _temporaries(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]


def _stop_mid_write(process: subprocess.Popen, directory: Path) -> None:
    """Stop `process` at a moment when its temporary file is there: it has begun its write and not replaced the
    store (the rename takes the temporary's name away)."""
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None and time.monotonic() < deadline, "the write ended before it could be stopped"
        if _temporaries(directory):
            _stop(process)
            if _temporaries(directory):
                return
            process.send_signal(signal.SIGCONT)
        time.sleep(0.001)


def _deliver(process: subprocess.Popen, numbers: tuple[int, ...]) -> None:
    """Send `numbers` to the stopped `process`, then let it go on: it meets them all at once."""
    for number in numbers:
        process.send_signal(number)
    process.send_signal(signal.SIGCONT)


def _ended_by(number: int) -> int:
    """The exit code of `facts` ended by signal `number` with the default handlers: killed by it, but Ctrl-C's
    KeyboardInterrupt, which exits 130."""
    return 130 if number == signal.SIGINT else -number


# Two signals are sent lowest number first: the first sent is then the first whose handler runs, whether they come
# one after the other or together (CPython runs the handlers of signals caught together lowest number first).
PAIRS = {
    "HUP+TERM": (signal.SIGHUP, signal.SIGTERM),
    "INT+TERM": (signal.SIGINT, signal.SIGTERM),
    "HUP+INT": (signal.SIGHUP, signal.SIGINT),
}


@pytest.mark.parametrize("numbers", PAIRS.values(), ids=PAIRS.keys())
def test_two_signals_at_once_end_a_write_as_the_first_and_leave_nothing_behind(large_store, tmp_path, numbers):
    """systemd's SendSIGHUP= follows SIGTERM with SIGHUP; Ctrl-C may come as a terminal closes: the second signal
    comes while the write is cleaned up after, and must not cut that short (a temporary file or the lock left),
    take the first's place, or be said (a traceback)."""
    before = large_store.read_bytes()
    writer = _start([str(FACTS_BIN)], large_store, tmp_path)
    _stop_mid_write(writer, large_store.parent)
    _deliver(writer, numbers)
    _, stderr = writer.communicate(timeout=60)
    assert writer.returncode == _ended_by(numbers[0]), stderr
    assert stderr == b""
    assert sorted(p.name for p in large_store.parent.iterdir()) == ["s.json"]
    assert large_store.read_bytes() == before


def _embedded(tmp_path: Path) -> tuple[list[str], Path]:
    """The command that runs EMBEDDING, and the file where it notes the signals its handlers were called for."""
    (tmp_path / "embedding.py").write_text(EMBEDDING, encoding="utf-8")
    return [sys.executable, str(tmp_path / "embedding.py"), str(tmp_path / "seen.json")], tmp_path / "seen.json"


@pytest.mark.parametrize(
    ("numbers", "waiting"),
    [
        ((signal.SIGTERM,), False),
        ((signal.SIGHUP,), False),
        (PAIRS["HUP+TERM"], False),
        (PAIRS["HUP+TERM"], True),
    ],
    ids=["TERM", "HUP", "HUP+TERM", "HUP+TERM-waiting-for-the-lock"],
)
def test_a_write_in_process_calls_the_callers_handler_once_and_returns_the_shells_code(
    large_store, tmp_path, numbers, waiting
):
    """`facts` run in-process (`facts_cli.app.main`) by a program whose own handler lets a signal pass: the write
    is ended and cleaned up after all the same, that handler is called once, for the first signal, and the exit
    code is the one a shell shows for that signal (128 + its number)."""
    before = large_store.read_bytes()
    command, seen = _embedded(tmp_path)
    if waiting:
        with held_lock(large_store):
            writer = _start(command, large_store, tmp_path)
            assert waits(writer), "the writer did not wait for the lock another writer holds"
            _stop(writer)
            _deliver(writer, numbers)
            stdout, stderr = writer.communicate(timeout=60)
        (large_store.parent / "s.json.lock").unlink()  # as the other writer removes it as it finishes
    else:
        writer = _start(command, large_store, tmp_path)
        _stop_mid_write(writer, large_store.parent)
        _deliver(writer, numbers)
        stdout, stderr = writer.communicate(timeout=60)
    assert json.loads(seen.read_text()) == [numbers[0]]
    assert writer.returncode == 128 + numbers[0], stderr
    assert (stdout, stderr) == (b"", b"")
    assert sorted(p.name for p in large_store.parent.iterdir()) == ["s.json"]
    assert large_store.read_bytes() == before


def test_after_a_write_in_process_the_callers_handlers_are_its_own_again(run, store, tmp_path):
    """A signal that comes once the write is made, and `main` has returned, is the caller's to handle."""
    command, seen = _embedded(tmp_path)
    fact = tmp_path / "fact.json"
    fact.write_text(FACT, encoding="utf-8")
    environ = {"FACTS_CACHE_DIR": str(tmp_path / "cache"), "AFTER": "1"}
    result = subprocess.run(
        [*command, "add", "--db", str(store), str(fact)],
        env={k: v for k, v in os.environ.items() if k != "FACTS_DB"} | environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (0, "a-new-fact\n"), result.stderr
    assert json.loads(seen.read_text()) == [signal.SIGTERM, signal.SIGHUP]
    assert run("show", "a-new-fact", "--db", str(store)).returncode == 0


@pytest.mark.parametrize("made", [True, False], ids=["made", "interrupted-before-it-was-made"])
def test_a_signal_as_the_temporary_file_is_made_takes_it_too(tmp_path, monkeypatch, made):
    """CPython runs a signal's handler as soon as a call returns, before what it returned is kept: Ctrl-C (or a
    SIGTERM, which a write turns into an exception) can come just after `open` made the temporary file, and before
    its descriptor is held; or in an `open` interrupted before it made it (EINTR, on NFS or FUSE). Raised here where
    CPython would raise it: the file goes all the same, and the signal's exception is the one that ends the write."""
    store = tmp_path / "s.json"
    store.write_bytes(BUNDLED.read_bytes())
    real_open = os.open

    def interrupted(name, flags, *args, **kwargs):
        if not str(name).endswith(".tmp"):
            return real_open(name, flags, *args, **kwargs)
        if made:
            os.close(real_open(name, flags, *args, **kwargs))  # the descriptor is lost with the interrupted call
        raise KeyboardInterrupt

    monkeypatch.setattr(jsonfile.os, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        jsonfile.write_atomically(store, [b"{}\n"])
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
    assert store.read_bytes() == BUNDLED.read_bytes()


def _signalled_after(call):
    """`call`, after which SIGTERM comes the first time, as it returns (where CPython runs the handler)."""
    calls = []

    def signalled(*args, **kwargs):
        result = call(*args, **kwargs)
        calls.append(args)
        if len(calls) == 1:
            signal.raise_signal(signal.SIGTERM)
        return result

    return signalled


@pytest.mark.parametrize("where", ["as the lock file is opened", "as flock returns"])
def test_a_signal_as_the_lock_is_taken_leaves_no_lock_file(tmp_path, monkeypatch, callers, where):
    """The lock file is removed on the way out whenever the signal comes: even between the call that made or locked
    it and the line that keeps its descriptor (15 in 150 real runs left it before)."""
    import fcntl

    store = tmp_path / "s.json"
    store.write_bytes(BUNDLED.read_bytes())
    if where == "as flock returns":
        monkeypatch.setattr(fcntl, "flock", _signalled_after(fcntl.flock))
    else:
        real_open = os.open
        signalled = _signalled_after(real_open)
        monkeypatch.setattr(
            jsonfile.os,
            "open",
            lambda name, *a, **k: (signalled if str(name).endswith(".lock") else real_open)(name, *a, **k),
        )
    with pytest.raises(SystemExit) as ended, jsonfile.locked(store):
        pytest.fail("the write went on after the signal")
    monkeypatch.undo()
    assert (ended.value.code, callers) == (128 + signal.SIGTERM, [signal.SIGTERM])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
    assert store.read_bytes() == BUNDLED.read_bytes()


def test_a_signal_as_the_handlers_are_set_ends_the_write_as_any_other(tmp_path, monkeypatch, callers):
    """SIGTERM between the setting of one handler and the next (forced here) was raised out of the setting, a
    traceback, and the handlers were left as they were: it now waits until all are set, then ends the write."""
    store = tmp_path / "s.json"
    store.write_bytes(BUNDLED.read_bytes())
    real_getsignal = signal.getsignal
    sent = []

    def getsignal(number):
        if number == signal.SIGHUP and not sent:  # SIGTERM's handler is set, SIGHUP's is next
            sent.append(number)
            signal.raise_signal(signal.SIGTERM)
        return real_getsignal(number)

    monkeypatch.setattr(signal, "getsignal", getsignal)
    theirs = {number: real_getsignal(number) for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    with pytest.raises(SystemExit) as ended, jsonfile.locked(store):
        pytest.fail("the write went on after the signal")
    monkeypatch.undo()
    assert (ended.value.code, callers) == (128 + signal.SIGTERM, [signal.SIGTERM])
    assert {number: signal.getsignal(number) for number in theirs} == theirs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_a_signal_as_the_lock_is_let_go_of_waits_until_its_file_is_removed(tmp_path, monkeypatch, callers):
    store = tmp_path / "s.json"
    store.write_bytes(BUNDLED.read_bytes())
    real_let_go = jsonfile._let_go

    def signalled(handle, lock_path):
        signal.raise_signal(signal.SIGTERM)
        real_let_go(handle, lock_path)

    monkeypatch.setattr(jsonfile, "_let_go", signalled)
    with pytest.raises(SystemExit) as ended, jsonfile.locked(store):
        pass
    assert (ended.value.code, callers) == (128 + signal.SIGTERM, [signal.SIGTERM])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


@pytest.mark.parametrize("kind", ["holds something", "has another name"])
def test_a_file_at_the_lock_path_that_no_writer_made_is_left_there(run, store, tmp_path, kind):
    """A writer's lock file is empty, with one name: any other file there is used as the lock, never removed."""
    lock = store.with_name(store.name + ".lock")
    if kind == "holds something":
        lock.write_text("their data\n", encoding="utf-8")
    else:
        lock.touch()
        os.link(lock, tmp_path / "their-file")
    fact = tmp_path / "fact.json"
    fact.write_text(FACT, encoding="utf-8")
    assert run("add", "--db", str(store), str(fact)).returncode == 0
    assert lock.exists() and (kind != "holds something" or lock.read_text(encoding="utf-8") == "their data\n")


@pytest.mark.parametrize("there", ["another writer's lock file", "a symlink to the file held"])
def test_a_lock_file_is_removed_only_when_its_name_is_seen_to_be_the_one_held(tmp_path, monkeypatch, there):
    """The file held may be moved away (by hand) as a writer lets go, and something else come in at its name just
    after the name was looked up: what is there is not the file held (a symlink to it is not), and is left."""
    lock = tmp_path / "s.json.lock"
    handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    moved = tmp_path / "moved"
    lock.rename(moved)
    real_stat = os.stat
    looked: list[Path] = []

    def gone_then_another(path, *args, **kwargs):
        if Path(path) == lock and not looked:
            looked.append(lock)
            if there == "a symlink to the file held":
                lock.symlink_to(moved)
                return real_stat(path, *args, **kwargs)
            lock.touch()
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", gone_then_another)
    jsonfile._let_go(handle, lock)
    monkeypatch.undo()
    assert os.path.lexists(lock) and moved.exists()


def test_a_signal_while_waiting_again_for_a_lock_file_made_anew_ends_the_wait(writable, monkeypatch, callers):
    """The writer before removed its lock file as it finished, and a third took the new one: the second waits
    again, and a signal then ends that wait at once, as it ends the first."""
    import fcntl

    lock = writable.with_name(writable.name + ".lock")
    before = held_lock(writable).__enter__()
    third: list = []
    waits = []

    def waiting(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 1:  # the writer before finishes, and a third writer takes the new lock file at once
            os.unlink(lock)
            third.append(held_lock(writable).__enter__())
            fcntl.flock(before.handle, fcntl.LOCK_UN)
            before.handle.close()
        elif len(waits) == 2:
            signal.raise_signal(signal.SIGTERM)
        elif len(waits) == 10:  # not ended: let it through, to see that it wrote
            fcntl.flock(third[0].handle, fcntl.LOCK_UN)

    monkeypatch.setattr(jsonfile.time, "sleep", waiting)
    entered = []
    with pytest.raises(SystemExit) as ended, jsonfile.locked(writable):
        entered.append(True)
    third[0].handle.close()
    assert (ended.value.code, callers, entered, len(waits)) == (128 + signal.SIGTERM, [signal.SIGTERM], [], 2)
