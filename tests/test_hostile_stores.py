"""Hostile stores and files, end to end, after the attack review of issues 12 and 13: keys TinyDB would merge,
keys held twice, a file that is not the writer's to replace, closed streams, damaged cache entries, sparse files,
numbers JSON has not, signals in the middle of a write. Each gets one line and its documented exit code, and the
store is left byte for byte as it was."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FACTS_BIN, NEW_FACT, in_the_foreground
from test_hostile_files import one_line

FACT = json.dumps({**NEW_FACT, "id": "a-new-fact"})


def _edit(store: Path, change) -> bytes:
    """The store's text changed by `change` (text to text); returns the new bytes."""
    text = change(store.read_text(encoding="utf-8"))
    store.write_text(text, encoding="utf-8")
    return store.read_bytes()


def _refused_writes(run, store: Path, code: int, *words: str) -> None:
    """Every write to `store` refused with `code`, naming `words`, the file left as it was."""
    before = store.read_bytes()
    for command in (["add"], ["import"], ["remove", "rt-byline"], ["add", "--dry-run"]):
        result = run(*command, "--db", str(store), input=FACT)
        assert result.returncode == code, (command, result.stderr)
        assert "internal error" not in result.stderr
        for word in words:
            assert word in result.stderr, (command, word, result.stderr)
        assert store.read_bytes() == before, command


# 1. Keys TinyDB reads as one integer ("03" beside "3"): a write would merge two records into one, and lose one.


def test_a_write_to_a_store_whose_keys_tinydb_would_merge_is_refused(run, store):
    document = json.loads(store.read_text(encoding="utf-8"))
    kept_id = document["facts"]["3"]["id"]
    document["facts"]["03"] = {**document["facts"]["3"], "id": "copy-of-3"}
    store.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    validated = run("validate", "--db", str(store))
    assert validated.returncode == 4 and "'03' is not a TinyDB document id" in validated.stdout
    _refused_writes(run, store, 4, "'03' is not a TinyDB document id", "nothing written")
    for fact_id in (kept_id, "copy-of-3"):
        assert run("show", "--db", str(store), fact_id).returncode == 0, fact_id


# 2. A key held twice in one object: JSON keeps the last; validate says so, and a write refuses (it would drop one).


def _twice_in_facts(text: str) -> str:
    start = text.index('\n    "3": {', text.index('"facts": {'))
    end = text.index('\n    "4": {', start)
    record = text[start:end]
    return text[:end] + record.replace('"id": "', '"id": "twin-of-', 1) + text[end:]


def _table_twice(text: str) -> str:
    return text.replace('{\n  "sources": ', '{\n  "facts": {},\n  "sources": ', 1)


def _field_twice(text: str) -> str:
    at = text.index('"claim_en": ', text.index('"facts": {'))
    return text[:at] + '"claim_en": "an earlier English claim",\n      ' + text[at:]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_twice_in_facts, ["facts/#3: (record): two records under key '3'"]),
        (_table_twice, ["table 'facts' stands twice"]),
        (_field_twice, ["claim_en: key stands twice"]),
    ],
)
def test_a_key_held_twice_is_reported_by_validate_and_refused_by_a_write(run, store, change, words):
    assert run("add", "--db", str(store), input=FACT).returncode == 0  # the next write trusts this file...
    _edit(store, change)  # ...until it is edited by hand
    validated = run("validate", "--db", str(store))
    assert validated.returncode == 4, validated.stderr
    assert validated.stdout.count("\n") == len(words), validated.stdout  # that key only, once
    for word in words:
        assert word in validated.stdout, (word, validated.stdout)
    _refused_writes(run, store, 4, *words)


def test_a_store_without_keys_held_twice_still_validates(run, store):
    result = run("validate", "--db", str(store))
    assert result.returncode == 0 and "valid" in result.stderr and result.stdout == ""


# 3. A file that is not the writer's to replace: not writable by them, or with other names (hard links).


def test_a_store_its_user_may_not_write_is_not_replaced(run, unprivileged):
    own = unprivileged.init("own.json")
    own.chmod(0o444)
    others = unprivileged.home / "root.json"
    shutil.copyfile(own, others)
    others.chmod(0o644)  # the test runner's: as root, a file `nobody` may read and not write
    for path in (own, others):
        before, status = path.read_bytes(), path.stat()
        for command in (["add"], ["import"], ["remove", "rt-byline"], ["add", "--dry-run"]):
            result = unprivileged.run(*command, "--db", path.name, input=FACT)
            if path == others and unprivileged.owner is None:
                continue  # not root: this file is the user's own, which they may write
            one_line(result, 3, f"{path.name}: cannot write: Permission denied")
        one_line(unprivileged.run("init", "--force", path.name), 3, "Permission denied")
        after = path.stat()
        assert path.read_bytes() == before and (after.st_ino, after.st_uid, after.st_mode) == (
            status.st_ino,
            status.st_uid,
            status.st_mode,
        )
    assert sorted(p.name for p in unprivileged.home.iterdir() if p.name != ".cache") == ["own.json", "root.json"]


def test_a_write_keeps_the_owner_group_and_mode_of_the_store(run, unprivileged, tmp_path):
    """Root writing a user's store leaves it theirs; a member of a store's group writing it leaves it the group's."""
    if unprivileged.owner is None:
        pytest.fail("run the suite as root (CI does): a store of another user's is needed")
    import grp
    import pwd

    shared = grp.getgrnam("users").gr_gid
    store = unprivileged.init("s.json")
    os.chown(store, *unprivileged.owner)
    store.chmod(0o640)
    assert run("add", "--db", str(store), input=FACT).returncode == 0
    status = store.stat()
    assert (status.st_uid, status.st_gid, status.st_mode & 0o7777) == (*unprivileged.owner, 0o640)
    os.chown(store, 0, shared)  # root's, shared with the group `users`, which `nobody` joins below
    store.chmod(0o664)
    user = pwd.getpwnam("nobody")
    member = [shutil.which("setpriv"), f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", f"--groups={shared}", "--"]
    environ = {**os.environ, "HOME": str(unprivileged.home), "FACTS_CACHE_DIR": str(unprivileged.home / "cache")}
    result = subprocess.run(
        [*member, str(FACTS_BIN), "remove", "--db", "s.json", "a-new-fact"],
        cwd=unprivileged.home,
        env=environ,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    status = store.stat()
    assert (status.st_gid, status.st_mode & 0o7777) == (shared, 0o664)


def test_a_store_with_other_names_is_not_replaced(run, store, tmp_path):
    other = tmp_path / "other-name.json"
    os.link(store, other)
    before = store.read_bytes()
    for command in (["add"], ["import"], ["remove", "rt-byline"], ["add", "--dry-run"]):
        one_line(run(*command, "--db", str(store), input=FACT), 3, "1 other name (hard links)")
    one_line(run("init", "--force", str(other)), 3, "hard links")
    assert store.read_bytes() == other.read_bytes() == before and store.stat().st_nlink == 2
    os.link(store, tmp_path / "third-name.json")
    one_line(run("add", "--db", str(store), input=FACT), 3, "has 2 other names (hard links)")


# 4. Standard error (or input) closed: the command's own exit code, and nothing on stdout that is not data.


def _shell(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)


def test_with_stderr_closed_a_command_keeps_its_exit_code_and_stdout_its_data(store, tmp_path):
    missing = _shell(f'"{FACTS_BIN}" list --db "{tmp_path}/missing.json" 2>&-')
    assert (missing.returncode, missing.stdout) == (3, "")
    listed = _shell(f'"{FACTS_BIN}" list --db "{store}" --format jsonl 2>&-')
    assert listed.returncode == 0 and all(json.loads(line)["id"] for line in listed.stdout.splitlines())
    closed_input = _shell(f'"{FACTS_BIN}" add --db "{store}" <&- 2>&-')
    assert (closed_input.returncode, closed_input.stdout) == (2, "")
    (tmp_path / "fact.json").write_text(FACT, encoding="utf-8")
    committed = _shell(f'"{FACTS_BIN}" add --db "{store}" "{tmp_path}/fact.json" >/dev/full 2>&-')
    assert committed.returncode == 0  # the store changed: a script must not add the fact again
    again = _shell(f'"{FACTS_BIN}" add --db "{store}" "{tmp_path}/fact.json" <&- >&- 2>&-')
    assert again.returncode == 4  # the id is taken now: refused, and said nowhere
    assert store.read_text(encoding="utf-8").count('"a-new-fact"') == 1


# 5. A search-index entry whose bytes are whole (its CRC-32 matches) but that is not an index: rebuilt, never read.


@pytest.fixture
def searched_store(tmp_path, bundled_document) -> Path:
    """A store large enough for a search to keep its index in the cache, and still for long enough that it does."""
    facts = list(bundled_document["facts"].values())
    grown = {str(n + 1): {**facts[n % len(facts)], "id": f"{facts[n % len(facts)]['id']}-{n}"} for n in range(1200)}
    path = tmp_path / "large.json"
    path.write_text(json.dumps({**bundled_document, "facts": grown}, ensure_ascii=False, indent=2), encoding="utf-8")
    time.sleep(2.1)  # a file changed in the last two seconds (its ctime) may change again unseen: nothing is kept
    return path


def _read_entry(entry: Path) -> tuple[tuple, list]:
    """A cache entry's header and parts."""
    with entry.open("rb") as handle:
        header = marshal.load(handle)
        return header, [marshal.load(handle) for _ in range(header[4])]


def _rewrite_whole(entry: Path, change) -> None:
    """The cache entry's parts changed by `change`, written back with the CRC-32 of its new bytes (as `keep`
    writes one), so that only its shape is wrong."""
    import zlib

    header, parts = _read_entry(entry)
    parts = change(parts)
    data = b"".join(marshal.dumps(part) for part in [(*header[:4], len(parts)), *parts])
    entry.write_bytes(data + zlib.crc32(data).to_bytes(4, "little"))


@pytest.mark.parametrize(
    "change",
    [
        lambda parts: [("garbage", 12345)] * len(parts),
        lambda parts: [(key, {"x": value}) for key, value in parts],
        lambda parts: [(key, 7) for key, _ in parts],
        lambda parts: [
            (key, {w: b"\xff\xff\xff\x7f" for w in value}) if key == "involved" else (key, value)
            for key, value in parts
        ],
        lambda parts: [(key, {w: b"" for w in value}) if key == "involved" else (key, value) for key, value in parts],
    ],
    ids=["garbage", "nested", "wrong types", "positions out of range", "empty postings"],
)
def test_a_whole_search_index_entry_of_the_wrong_shape_is_rebuilt(run, tmp_path, searched_store, change):
    search = ("search", "--db", str(searched_store), "كازاخستان", "-f", "json")
    first = run(*search)
    assert first.returncode == 0
    (entry,) = (tmp_path / "cache").glob("search-index-*.marshal")
    index = _read_entry(entry)
    _rewrite_whole(entry, change)
    for _ in range(2):  # rebuilt and kept anew, then read from the entry kept
        again = run(*search)
        assert (again.returncode, again.stderr, again.stdout) == (0, "", first.stdout)
        assert _read_entry(entry) == index
    assert run("add", "--db", str(searched_store), input=FACT).returncode == 0
    _rewrite_whole(entry, change)
    assert run("remove", "--db", str(searched_store), "a-new-fact").returncode == 0  # carries no index it cannot read
    assert run(*search).stdout == first.stdout


# 6. A sparse file: its holes read as NUL bytes, found before the file is read; and a size no store may have.


def test_a_file_that_is_all_hole_is_refused_at_its_first_byte(run, tmp_path):
    path = tmp_path / "sparse.json"
    with path.open("wb") as handle:
        handle.truncate(900 << 20)
    one_line(run("list", "--db", str(path)), 3, "not a facts store: a NUL byte at byte 0 (a hole of a sparse file)")


@pytest.mark.parametrize("command", [["list"], ["validate"], ["add"]])
def test_a_sparse_file_with_a_valid_start_is_refused_before_it_is_read(run, tmp_path, command):
    path = tmp_path / "sparse.json"
    with path.open("wb") as handle:
        handle.write(b'{"facts": {' + b" " * 70000)  # past the 64 KiB looked at first
        handle.truncate(900 << 20)
    one_line(run(*command, "--db", str(path), input=FACT), 3, "not a facts store", "a hole of a sparse file")
    with path.open("r+b") as handle:
        handle.truncate(1 << 30)  # as large as a store may be: refused for its hole, not its size
    one_line(run(*command, "--db", str(path), input=FACT), 3, "not a facts store: a NUL byte at byte", "sparse")
    with path.open("r+b") as handle:
        handle.truncate(2 << 30)
    one_line(
        run(*command, "--db", str(path), input=FACT), 3, "not a facts store: 2.0 GiB, more than a store may be (1 GiB)"
    )


def test_a_write_that_would_make_a_store_past_the_limit_is_refused(store, tmp_path, monkeypatch):
    from facts_cli import jsonfile
    from facts_cli.curate import add_fact
    from facts_cli.storage import StoreError

    before = store.read_bytes()
    monkeypatch.setattr(jsonfile, "STORE_LIMIT", len(before) + 100)
    monkeypatch.setenv("FACTS_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(StoreError, match="would be larger than 1 GiB"):
        add_fact(store, json.loads(FACT))
    assert store.read_bytes() == before
    assert sorted(p.name for p in store.parent.iterdir() if p.name not in ("elsewhere", "cache")) == [store.name]


def test_a_write_that_makes_a_store_exactly_as_large_as_the_limit_is_taken(store, tmp_path, monkeypatch):
    from facts_cli import jsonfile
    from facts_cli.curate import add_fact
    from facts_cli.storage import StoreError

    monkeypatch.setenv("FACTS_CACHE_DIR", str(tmp_path / "cache"))
    before = store.read_bytes()
    add_fact(store, json.loads(FACT))
    size = store.stat().st_size
    store.write_bytes(before)
    monkeypatch.setattr(jsonfile, "STORE_LIMIT", size - 1)
    with pytest.raises(StoreError, match="would be larger than 1 GiB"):
        add_fact(store, json.loads(FACT))
    monkeypatch.setattr(jsonfile, "STORE_LIMIT", size)
    add_fact(store, json.loads(FACT))
    assert store.stat().st_size == size


# 7. NaN, Infinity and numbers past a double's range: Python's json reads them, and would print them as no JSON.


@pytest.mark.parametrize(("literal", "column"), [("NaN", 18), ("-Infinity", 19), ("1e999", 18)])
def test_a_number_json_has_not_is_refused_where_it_stands(run, store, tmp_path, literal, column):
    text = store.read_text(encoding="utf-8")
    at = text.index('"start": ')
    line = text.count("\n", 0, at) + 1
    end = text.index(",", at)
    broken = tmp_path / "broken.json"
    broken.write_text(text[:at] + f'"start": {literal}' + text[end:], encoding="utf-8")
    for command in (["list", "-f", "json"], ["export"], ["validate"], ["show", "rt-byline", "-f", "jsonl"]):
        result = run(*command, "--db", str(broken))
        one_line(result, 3, f"not valid JSON at line {line}, column {column}: {literal} is")
        assert result.stdout == ""
    one_line(run("add", "--db", str(store), input=f'{{"id": {literal}}}'), 4, "the input is not JSON", literal)
    one_line(run("import", "--db", str(store), input=f"[{literal}]"), 4, "the input is not JSON", literal)


# 8. An input file larger than any store: refused from its size, before it is read.


def test_an_input_file_past_the_limit_is_refused_from_its_size(run, store, tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.write(b"[" + b" " * (1 << 20))  # a first megabyte that could start JSON: read, it would be taken
        handle.truncate(600 << 20)
    before = store.read_bytes()
    for command in ("add", "import"):
        one_line(run(command, "--db", str(store), str(big)), 4, f"{big} is larger than 512 MiB")
        redirected = _shell(f'"{FACTS_BIN}" {command} --db "{store}" < "{big}"')
        one_line(redirected, 4, "standard input is larger than 512 MiB")
    assert store.read_bytes() == before


# 9. SIGTERM and SIGHUP in the middle of a write: what it made is removed, then the signal ends it (143, 129 in a
# shell), as Ctrl-C ends it with 130.


@pytest.mark.parametrize(
    ("number", "code"), [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGHUP, -signal.SIGHUP), (signal.SIGINT, 130)]
)
def test_a_write_ended_by_a_signal_leaves_nothing_behind(tmp_path, bundled_document, number, code):
    facts = list(bundled_document["facts"].values())
    grown = {str(n + 1): {**facts[n % len(facts)], "id": f"{facts[n % len(facts)]['id']}-{n}"} for n in range(40_000)}
    store = tmp_path / "s.json"
    store.write_text(json.dumps({**bundled_document, "facts": grown}, ensure_ascii=False, indent=2), encoding="utf-8")
    before = store.read_bytes()
    environ = {**os.environ, "FACTS_CACHE_DIR": str(tmp_path / "cache")}
    with subprocess.Popen(
        [str(FACTS_BIN), "add", "--db", str(store)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ,
        preexec_fn=in_the_foreground,
    ) as writer:
        writer.stdin.write(FACT.encode())
        writer.stdin.close()
        deadline = time.monotonic() + 60
        while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):  # the write has begun: its temporary file
            assert writer.poll() is None and time.monotonic() < deadline, "the write ended before it was signalled"
            time.sleep(0.002)
        writer.send_signal(number)
        assert writer.wait(timeout=60) == code, writer.stderr.read()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["s.json"]
    assert store.read_bytes() == before


# 10. Messages that say what is wrong, in JSON's words and the user's.


def test_a_lone_surrogate_in_a_store_is_said_to_be_the_stores(run, store):
    _edit(store, lambda text: text.replace('"claim_en": "', '"claim_en": "\\ud800', 1))
    result = run("list", "--db", str(store), "--lang", "en")  # piped, in a UTF-8 locale
    one_line(result, 5, "the store holds a lone surrogate, U+D800", "facts validate")
    assert "locale" not in result.stderr
    assert run("list", "--db", str(store), "--lang", "en", "-f", "json").returncode == 0  # escaped: \ud800


@pytest.mark.parametrize("padding", [0, 70_000])
def test_a_byte_order_mark_is_taken_in_a_store_and_in_input(run, store, padding):
    text = store.read_text(encoding="utf-8")
    store.write_bytes(b"\xef\xbb\xbf" + (text.rstrip("\n") + " " * padding + "\n").encode())
    listed = run("list", "--db", str(store), "-f", "jsonl")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == text.count('"claim_en"'), listed.stderr
    assert run("validate", "--db", str(store)).returncode == 0
    added = run("add", "--db", str(store), input="\ufeff" + FACT)
    assert added.returncode == 0 and added.stdout == "a-new-fact\n", added.stderr
    assert not store.read_bytes().startswith(b"\xef\xbb\xbf")  # written as facts writes a store
    imported = run("import", "--db", str(store), input="\ufeff" + json.dumps([{**json.loads(FACT), "id": "another"}]))
    assert imported.returncode == 0, imported.stderr


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("null", "a fact is a JSON object, not null"),
        ('"x"', "a fact is a JSON object, not a string"),
        ("7", "a fact is a JSON object, not a number"),
        ("true", "a fact is a JSON object, not a boolean"),
    ],
)
def test_json_values_are_named_in_jsons_words(run, store, tmp_path, given, words):
    one_line(run("add", "--db", str(store), input=given), 4, words)
    one_line(
        run("import", "--db", str(store), input=given),
        4,
        words.replace("a fact is a JSON object", "expected facts or an export document"),
    )
    path = tmp_path / "value.json"
    path.write_text(given, encoding="utf-8")
    top = words.split("not ")[-1]
    one_line(run("list", "--db", str(path)), 3, f"the top level is {top}, not an object of tables")


def test_a_store_given_to_import_is_said_to_be_a_store(run, store, tmp_path):
    other = tmp_path / "other.json"
    assert run("init", "--empty", str(other)).returncode == 0
    one_line(run("import", "--db", str(other), str(store)), 4, "the input is a facts store", "facts export --db")


def test_a_directory_its_user_cannot_write_is_said_to_be_that(unprivileged):
    unprivileged.mkdir("readonly")
    store = unprivileged.init("readonly/s.json")
    (unprivileged.home / "readonly").chmod(0o500)
    result = unprivileged.run("add", "--db", "readonly/s.json", input=FACT)
    one_line(result, 3, "the directory readonly is not writable (Permission denied)")
    assert "write lock" not in result.stderr
    (unprivileged.home / "readonly").chmod(0o700)
    assert sorted(p.name for p in store.parent.iterdir()) == ["s.json"]


# 11. A write that changes nothing leaves the file as it is: no new inode, no new mtime.


def test_an_import_that_adds_nothing_leaves_the_file_untouched(run, store):
    exported = run("export", "--db", str(store)).stdout
    for given in ("{}", "[]", exported):
        before = store.stat()
        result = run("import", "--db", str(store), input=given)
        assert result.returncode == 0 and "added 0 sources, 0 entities, 0 facts" in result.stderr, result.stderr
        after = store.stat()
        assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (
            before.st_ino,
            before.st_mtime_ns,
            before.st_ctime_ns,
        )
    broken = _edit(store, lambda text: text.replace('"type": "agreement"', '"type": "rumour"', 1))
    refused = run("import", "--db", str(store), input="[]")
    assert refused.returncode == 4 and "rumour" in refused.stderr  # the same refusals as any write
    assert store.read_bytes() == broken


# 12. Paths and values as a shell user gives them.


def test_init_suggests_the_path_quoted_for_the_shell(run, tmp_path):
    result = run("init", str(tmp_path / "my store.json"))
    assert result.returncode == 0
    assert f"--db '{tmp_path}/my store.json' or FACTS_DB='{tmp_path}/my store.json'" in result.stderr


@pytest.mark.parametrize("name", ["", "new.json/", "mine.json/"])
def test_an_empty_path_or_a_file_named_as_a_directory_is_a_usage_error(run, store, tmp_path, name):
    given = f"{tmp_path}/{name}" if name else ""
    before = sorted(p.name for p in tmp_path.iterdir())
    one_line(run("init", given), 2, "Invalid value for 'PATH'")
    one_line(run("init", "--force", given), 2, "Invalid value for 'PATH'")
    for command in (["list"], ["add"], ["validate"]):
        one_line(run(*command, "--db", given, input=FACT), 2, "Invalid value for '--db'")
    if name:
        assert "Not a directory" in run("list", "--db", given).stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("value", ["1_0", "1e3", "٣", "+1", "0x10"])
def test_a_lock_timeout_is_digits_and_one_dot(run, store, value):
    one_line(run("add", "--db", str(store), input=FACT, env={"FACTS_LOCK_TIMEOUT": value}), 2, "FACTS_LOCK_TIMEOUT")
    assert run("add", "--db", str(store), "-n", input=FACT, env={"FACTS_LOCK_TIMEOUT": "2.5"}).returncode == 0
