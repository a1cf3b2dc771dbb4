"""Hostile paths, files and stores, end to end: symlinks, the bundled store, FIFOs, names that are glob patterns,
directories, JSON that is not a store, input without end or bottom, a lock another writer holds, an output that cannot
be written, a user whom file modes stop. Each gets one line and its documented exit code, and nothing that is not
ours is touched."""

from __future__ import annotations

import fcntl
import json
import os
import select
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FACTS_BIN, NEW_FACT

from facts_cli.store import bundled_store_path


def one_line(result: subprocess.CompletedProcess, code: int, *words: str) -> None:
    """The command exited `code` with one line on stderr, `facts: ` first, holding each of `words`."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stderr.startswith("facts") and result.stderr.count("\n") == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in ("cache", "elsewhere"))


# 1. A store named through a symlink is the file the link names: written there, locked there, the link kept.


def test_a_write_through_a_symlink_writes_the_store_it_names_and_keeps_the_link(run, store, tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(store.name)
    added = run("add", "--db", str(link), input=json.dumps({**NEW_FACT, "id": "through-the-link"}))
    assert added.returncode == 0, added.stderr
    assert link.is_symlink() and os.readlink(link) == store.name
    assert "through-the-link" in store.read_text(encoding="utf-8")
    removed = run("remove", "--db", str(link), "through-the-link")
    assert removed.returncode == 0 and "through-the-link" not in store.read_text(encoding="utf-8")
    imported = run("import", "--db", str(link), input=json.dumps([{**NEW_FACT, "id": "imported"}]))
    assert imported.returncode == 0 and link.is_symlink() and "imported" in store.read_text(encoding="utf-8")
    assert run("init", "--force", "--empty", str(link)).returncode == 0
    assert link.is_symlink() and json.loads(store.read_text(encoding="utf-8"))["facts"] == {}
    assert names(tmp_path) == ["link.json", "mine.json"]


def test_writers_through_a_link_and_through_the_name_queue_on_one_lock(run, store, tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(store)
    with held_lock(store):
        writer = start("add", "--db", str(link), input=json.dumps({**NEW_FACT, "id": "queued"}), tmp_path=tmp_path)
        assert waits(writer), "a writer through a link did not wait for the lock of the store it names"
    assert writer.wait(timeout=60) == 0
    assert "queued" in store.read_text(encoding="utf-8")


def test_init_through_a_dangling_symlink_is_refused(run, tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "nowhere.json")
    one_line(run("init", str(link)), 3, "symlink")
    assert names(tmp_path) == ["link.json"] and link.is_symlink()


# 2. The bundled store is read-only for init too, by any name.


@pytest.mark.parametrize("options", [["--force"], ["--force", "--empty"], ["--force", "--dry-run"], []])
def test_init_never_overwrites_the_bundled_store(run, tmp_path, options):
    bundled = bundled_store_path()
    before = bundled.read_bytes()
    link = tmp_path / "bundled.json"
    link.symlink_to(bundled)
    try:
        for name in (str(bundled), str(link)):
            one_line(run("init", *options, name), 3, "bundled store", "read-only")
        assert bundled.read_bytes() == before
        assert not bundled.with_name(bundled.name + ".lock").exists()
        assert run("list", "--format", "json").returncode == 0
    finally:  # a regression would otherwise leave the installed package without its store for every later test
        if bundled.read_bytes() != before:
            bundled.write_bytes(before)
        bundled.with_name(bundled.name + ".lock").unlink(missing_ok=True)


# A device, a FIFO, a socket: never replaced by a store, and never waited on.


def test_a_file_that_is_not_a_regular_file_is_never_written_or_waited_on(run, tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for command in (["init", "--force", str(fifo)], ["add", "--db", str(fifo)], ["remove", "--db", str(fifo), "x"]):
        one_line(run(*command, input=json.dumps(NEW_FACT)), 3, "not a regular file")
    one_line(run("list", "--db", str(fifo)), 3, "not a regular file")
    assert fifo.is_fifo() and names(tmp_path) == ["fifo.json"]


# 3. A writer removes only the temporary files of killed writers of its own store: the exact names it makes.


@pytest.mark.parametrize("store_name", ["s", "*", "data[1].json", "?.json", "s.json.abcdefgh"])
def test_a_write_deletes_no_file_that_is_not_its_own_temporary(run, tmp_path, store_name):
    others = [
        ".s.json.abcdefgh.tmp",  # a concurrent writer of s.json, mid-write
        ".s.json.0123456789abcdef.tmp",
        ".important.notes.tmp",
        ".data1.json.XYZ.tmp",
        ".x.json.tmp",
    ]
    for name in others:
        (tmp_path / name).write_text("not yours", encoding="utf-8")
    path = tmp_path / store_name
    assert run("init", str(path)).returncode == 0
    assert run("add", "--db", str(path), input=json.dumps(NEW_FACT)).returncode == 0
    assert run("init", "--force", str(path)).returncode == 0
    for name in others:
        assert (tmp_path / name).read_text(encoding="utf-8") == "not yours", name
    assert names(tmp_path) == sorted([*others, store_name])


# 4. Input that is not a fact, or has no end or no bottom: exit 4 (2 when it cannot be read), never 70.


@pytest.mark.parametrize(
    "given",
    [
        {**NEW_FACT, "source": []},
        {**NEW_FACT, "source": {}},
        {**NEW_FACT, "source": ["rt-ar-2015-12-23"]},
        {**NEW_FACT, "id": ["x"]},
        {**NEW_FACT, "id": {"x": 1}},
        {**NEW_FACT, "attributed_to": [], "place": "x", "time": [], "span": [], "quote": ["x"], "claim": {}},
    ],
)
def test_input_of_the_wrong_shape_is_refused_and_validate_reads_it(run, store, tmp_path, given):
    before = store.read_bytes()
    for command in ("add", "import"):
        result = run(command, "--db", str(store), input=json.dumps(given))
        assert result.returncode == 4, (command, result.stderr)
        assert "internal error" not in result.stderr and result.stderr.rstrip().endswith(("problems", "problem"))
    assert store.read_bytes() == before
    document = json.loads(store.read_text(encoding="utf-8"))
    document["facts"]["99"] = given
    (tmp_path / "broken.json").write_text(json.dumps(document), encoding="utf-8")
    result = run("validate", "--db", str(tmp_path / "broken.json"))
    assert result.returncode == 4 and "internal error" not in result.stderr and result.stdout


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("[" * 100_000, ["nested too deeply"]),
        ('{"a": ' * 100_000, ["nested too deeply"]),
        ('{"id": ' + "1" * 5000 + "}", ["a number of over 4,300 digits"]),
        ("[" + "1" * 5000 + "]", ["a number of over 4,300 digits"]),
        ("\0\0\0", ["not JSON"]),
    ],
)
def test_input_too_deep_or_too_long_a_number_is_refused_in_one_line(run, store, given, words):
    before = store.read_bytes()
    for command in ("add", "import"):
        one_line(run(command, "--db", str(store), input=given), 4, *words)
    assert store.read_bytes() == before


def test_an_input_without_end_is_refused_without_reading_it_all(run, store):
    one_line(run("add", "--db", str(store), "/dev/zero"), 4, "not JSON")
    one_line(run("import", "--db", str(store), "/dev/zero"), 4, "not JSON")


def test_input_past_the_limit_is_refused(store, monkeypatch):
    """An input that never ends (`yes 1, | facts import`) is refused once it passes INPUT_LIMIT bytes."""
    import io

    from facts_cli import app as app_module
    from facts_cli.streams import Streams

    monkeypatch.setattr(app_module, "INPUT_LIMIT", 100_000)

    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            buffer[:] = b"1," * (len(buffer) // 2) + b"1" * (len(buffer) % 2)
            return len(buffer)

    stdin = io.TextIOWrapper(io.BufferedReader(Endless()))
    err = io.StringIO()
    code = app_module.main(["import", "--db", str(store)], Streams(stdin, io.StringIO(), err, {}))
    assert code == 4 and "larger than" in err.getvalue() and err.getvalue().count("\n") == 1


@pytest.mark.parametrize("db", ["", ".", "/", "..", "./"])
@pytest.mark.parametrize("command", [["add"], ["import"], ["remove", "x"]])
def test_a_write_to_a_directory_or_no_path_is_refused_in_one_line(run, tmp_path, db, command):
    result = run(*command, "--db", db, input=json.dumps(NEW_FACT))
    assert result.returncode in (2, 3), result.stderr
    assert result.stderr.count("\n") == 1 and "internal error" not in result.stderr
    assert names(tmp_path) == names(tmp_path / "elsewhere") == []
    assert not Path("/.lock").exists() and not Path("/..lock").exists()


@pytest.mark.parametrize("path", [".", "/", "..", ""])
def test_init_of_a_directory_is_refused(run, path):
    result = run("init", path)
    assert result.returncode in (2, 3) and result.stderr.count("\n") == 1 and "internal error" not in result.stderr


def test_a_write_with_standard_input_closed_is_a_usage_error(store):
    for command in (["add"], ["import"]):
        result = subprocess.run(
            [str(FACTS_BIN), *command, "--db", str(store)], stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
        assert result.returncode == 4  # empty input: not JSON
        closed = subprocess.run(
            f'"{FACTS_BIN}" {command[0]} --db "{store}" <&-', shell=True, capture_output=True, text=True
        )
        one_line(closed, 2, "standard input is closed")


# 4. A search-index cache entry that is damaged is rebuilt, as the README promises.


@pytest.fixture
def large_store(run, tmp_path, bundled_document) -> Path:
    """A store large enough for a search to keep its index in the cache, and still for long enough that it does."""
    document = json.loads(json.dumps(bundled_document))
    facts = list(document["facts"].values())
    document["facts"] = {
        str(n + 1): {**facts[n % len(facts)], "id": f"{facts[n % len(facts)]['id']}-{n}"} for n in range(1200)
    }
    path = tmp_path / "large.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    time.sleep(2.1)  # a file changed in the last two seconds (its ctime) may change again unseen: nothing is kept
    return path


def _damage(entry: Path, how: str) -> None:
    import marshal

    with entry.open("rb") as handle:
        header = marshal.load(handle)
        parts = [marshal.load(handle) for _ in range(header[4])] if header[4] is not None else [marshal.load(handle)]
    if how == "truncated":
        entry.write_bytes(entry.read_bytes()[: len(marshal.dumps(header)) + 4000])
        return
    if how == "wrong types":
        parts = [(key, 7) for key, _ in parts]
    elif how == "missing parts":
        parts = parts[:1]
    elif how == "positions out of range":
        parts = [
            (key, {name: {w: b"\xff\xff\xff\x7f" for w in table} for name, table in value.items()})
            if key != "involved"
            else (key, {w: b"\xff\xff\xff\x7f" for w in value})
            for key, value in parts
        ]
    elif how == "odd lengths":
        parts = [(key, {w: b"\x01" for w in value}) if key == "involved" else (key, value) for key, value in parts]
    with entry.open("wb") as handle:
        marshal.dump((*header[:4], len(parts)), handle)
        for part in parts:
            marshal.dump(part, handle)


def test_a_damaged_search_index_is_rebuilt(run, tmp_path, large_store):
    """An entry of the right code and store version whose data is damaged: rebuilt, never read (every way)."""
    first = run("search", "--db", str(large_store), "كازاخستان", "-f", "json")
    assert first.returncode == 0
    (entry,) = (tmp_path / "cache").glob("search-index-*.marshal")
    for how in ("truncated", "wrong types", "missing parts", "positions out of range", "odd lengths"):
        _damage(entry, how)
        again = run("search", "--db", str(large_store), "كازاخستان", "-f", "json")
        assert (again.returncode, again.stderr, again.stdout) == (0, "", first.stdout), how
        assert run("search", "--db", str(large_store), "كازاخستان", "-f", "json").stdout == first.stdout


# 7 and 12. Permissions, as a user file modes apply to (as root, `nobody`, by setpriv): never skipped.


def test_a_store_its_user_cannot_read_exits_3(unprivileged):
    store = unprivileged.init("s.json")
    store.chmod(0)
    one_line(unprivileged.run("list", "--db", "s.json"), 3, "s.json: cannot open: Permission denied")
    one_line(unprivileged.run("validate", "--db", "s.json"), 3, "cannot open: Permission denied")
    one_line(unprivileged.run("add", "--db", "s.json", input=json.dumps(NEW_FACT)), 3, "Permission denied")
    assert names(unprivileged.home) == ["s.json"]


def test_a_store_in_a_directory_without_search_permission_exits_3(unprivileged):
    unprivileged.mkdir("closed")
    store = unprivileged.init("closed/s.json")
    before = store.read_bytes()
    (unprivileged.home / "closed").chmod(0o600)
    for command in (["list"], ["validate"], ["search", "روسيا"], ["show", "rt-byline"], ["add"], ["remove", "x"]):
        result = unprivileged.run(*command, "--db", "closed/s.json", input=json.dumps(NEW_FACT))
        one_line(result, 3, "closed/s.json", "Permission denied")
    one_line(unprivileged.run("init", "closed/t.json"), 3, "Permission denied")
    (unprivileged.home / "closed").chmod(0o700)
    assert store.read_bytes() == before and names(unprivileged.home / "closed") == ["s.json"]


def test_a_store_in_a_directory_its_user_cannot_write_exits_3(unprivileged):
    unprivileged.mkdir("readonly")
    store = unprivileged.init("readonly/s.json")
    before = store.read_bytes()
    (unprivileged.home / "readonly").chmod(0o500)
    one_line(unprivileged.run("add", "--db", "readonly/s.json", input=json.dumps(NEW_FACT)), 3, "Permission denied")
    one_line(unprivileged.run("init", "--force", "readonly/s.json"), 3, "Permission denied")
    (unprivileged.home / "readonly").chmod(0o700)
    assert store.read_bytes() == before and names(unprivileged.home / "readonly") == ["s.json"]


# 8. A writer that waits for the lock says so after a second, and gives up after FACTS_LOCK_TIMEOUT seconds.


class held_lock:
    """The write lock of a store, held by this process (as another writer would hold it)."""

    def __init__(self, store: Path) -> None:
        self.path = store.with_name(store.name + ".lock")

    def __enter__(self) -> held_lock:
        self.handle = open(self.path, "a")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def start(*args: str, input: str, tmp_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if k != "FACTS_DB"}
    environ.update({"FACTS_CACHE_DIR": str(tmp_path / "cache"), **(env or {})})
    process = subprocess.Popen(
        [str(FACTS_BIN), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ
    )
    process.stdin.write(input.encode())
    process.stdin.close()
    return process


def waits(process: subprocess.Popen, within: float = 10) -> bool:
    """Whether the process says on stderr that it waits for another writer, within `within` seconds."""
    ready, _, _ = select.select([process.stderr], [], [], within)
    return bool(ready) and b"waiting for another writer" in process.stderr.readline()


def test_a_writer_says_it_waits_for_the_lock_and_goes_on_when_it_is_free(store, tmp_path):
    with held_lock(store):
        began = time.monotonic()
        writer = start("add", "--db", str(store), input=json.dumps(NEW_FACT), tmp_path=tmp_path)
        assert waits(writer)
        assert time.monotonic() - began >= 0.9
        assert writer.poll() is None
    assert writer.wait(timeout=60) == 0
    assert writer.stdout.read().decode().strip() in store.read_text(encoding="utf-8")


def test_a_writer_gives_up_after_the_lock_timeout_with_exit_3(store, tmp_path):
    before = store.read_bytes()
    with held_lock(store):
        writer = start(
            "add", "--db", str(store), input=json.dumps(NEW_FACT), tmp_path=tmp_path, env={"FACTS_LOCK_TIMEOUT": "1.5"}
        )
        assert writer.wait(timeout=30) == 3
        stderr = writer.stderr.read().decode()
        assert "waiting for another writer" in stderr and "FACTS_LOCK_TIMEOUT" in stderr.splitlines()[-1]
        assert "nothing written" in stderr.splitlines()[-1]
        quick = start("add", "--db", str(store), input="{}", tmp_path=tmp_path, env={"FACTS_LOCK_TIMEOUT": "0"})
        assert quick.wait(timeout=30) == 3 and b"waiting" not in quick.stderr.read()
    assert store.read_bytes() == before


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "1e999"])
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
@pytest.mark.parametrize("command", ["add", "init"])
def test_a_lock_timeout_that_is_not_a_number_of_seconds_is_a_usage_error(run, store, value, dry_run, command):
    """Refused by every write, and by its dry run, which takes no lock but follows the write's rules."""
    before = store.read_bytes()
    args = ["add", "--db", str(store)] if command == "add" else ["init", "--force", str(store)]
    environ = {"FACTS_LOCK_TIMEOUT": value}
    one_line(run(*args, *dry_run, input=json.dumps(NEW_FACT), env=environ), 2, "FACTS_LOCK_TIMEOUT")
    assert store.read_bytes() == before


# 9. A write leaves nothing behind but the store: no lock, no temporary file, whatever its outcome.


def test_no_write_leaves_a_lock_or_anything_else(run, store, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    attempts = [
        ["add", "--db", str(tmp_path / "missing.json")],
        ["add", "--db", str(fifo)],
        ["add", "--db", str(store)],  # a valid fact
        ["add", "--db", str(store), "--dry-run"],
        ["import", "--db", str(store)],
        ["remove", "--db", str(store), "no-such-fact"],
        ["remove", "--db", str(store), "rt-byline"],
        ["init", str(store)],  # exists already
        ["init", "--force", str(store)],
        ["init", str(tmp_path / "no-such-directory" / "s.json")],
    ]
    for args in attempts:
        run(*args, input=json.dumps({**NEW_FACT, "type": "rumour"} if args[0] == "import" else NEW_FACT))
        assert names(tmp_path) == ["fifo", "mine.json"], args
    assert run("init", str(tmp_path / "new.json")).returncode == 0
    assert names(tmp_path) == ["fifo", "mine.json", "new.json"]


# 10. A write that changed the store exits 0, even when its output cannot be written (a script must not retry).


@pytest.mark.parametrize("redirect", [">&-", ">/dev/full"])
def test_a_committed_write_with_an_unwritable_stdout_exits_0_and_warns(store, redirect):
    (store.parent / "fact.json").write_text(json.dumps({**NEW_FACT, "id": "committed"}), encoding="utf-8")
    commands = {
        "add": f'"{FACTS_BIN}" add --db "{store}" "{store.parent}/fact.json"',
        "remove": f'"{FACTS_BIN}" remove --db "{store}" committed',
        "cascade": f'"{FACTS_BIN}" remove --db "{store}" --kind entity armenia --cascade --yes',
    }
    for name, command in commands.items():
        result = subprocess.run(f"{command} {redirect}", shell=True, capture_output=True, text=True)
        assert result.returncode == 0, (name, result.stderr)
        assert "cannot write the output" in result.stderr and "the store was changed" in result.stderr, name
        assert result.stderr.count("\n") == 1, result.stderr
    text = store.read_text(encoding="utf-8")
    assert '"committed"' not in text and '"armenia"' not in text


def test_a_write_that_changed_nothing_keeps_its_output_error(store):
    command = f'"{FACTS_BIN}" remove --db "{store}" rt-byline --dry-run >/dev/full'
    result = subprocess.run(command, shell=True, capture_output=True, text=True)
    assert result.returncode == 5 and "cannot write the output" in result.stderr


# 11. JSON that is not a store is refused, naming the file: it is not an empty store.


@pytest.mark.parametrize(
    "content",
    [
        '{"name": "x", "version": "1.0.0"}',
        "{}",
        '{"facts": {}, "dependencies": {}}',
        '{"_default": {"1": {"id": "x"}}}',
    ],
)
def test_json_that_is_not_a_store_exits_3_naming_the_file(run, tmp_path, content):
    path = tmp_path / "package.json"
    path.write_text(content, encoding="utf-8")
    for command in (["list"], ["validate"], ["add"]):
        one_line(run(*command, "--db", str(path), input=json.dumps(NEW_FACT)), 3, str(path), "not a facts store")
    assert path.read_text(encoding="utf-8") == content


def test_a_huge_file_that_cannot_be_a_store_is_refused_at_once(run, tmp_path):
    """A sparse file of 64 GiB (a NUL at every byte): refused from its first bytes, not read whole."""
    path = tmp_path / "sparse.json"
    with path.open("wb") as handle:
        handle.truncate(64 << 30)
    one_line(run("list", "--db", str(path)), 3, "not a facts store", "more than a store may be (1 GiB)")
    one_line(run("add", "--db", str(path), input=json.dumps(NEW_FACT)), 3, "not a facts store")
    with path.open("r+b") as handle:
        handle.write(b'{"facts": {')
        handle.truncate(512 << 20)
    one_line(run("list", "--db", str(path)), 3, "NUL")
