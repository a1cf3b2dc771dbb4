"""Where a store and its cache land, and with what mode: a new store under the user's umask, the cache directory
under each environment, a write made durable (its directory synced after the rename)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import FACTS_BIN, NEW_FACT

from facts_cli import jsonfile
from facts_cli.storage import cache_directory

CACHE_VARIABLES = ("FACTS_NO_CACHE", "FACTS_CACHE_DIR", "XDG_CACHE_HOME")


def facts(
    *args: str, cwd: Path, env: dict[str, str], umask: int = 0o022, input: str = ""
) -> subprocess.CompletedProcess:
    """The installed `facts`, run under `umask`, with `env` for what says where stores and caches go."""
    kept = {name: value for name, value in os.environ.items() if name not in (*CACHE_VARIABLES, "HOME", "FACTS_DB")}
    return subprocess.run(
        [str(FACTS_BIN), *args],
        cwd=cwd,
        env={**kept, **env},
        umask=umask,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664), (0o000, 0o666)])
@pytest.mark.parametrize("empty", [False, True])
def test_a_new_store_has_the_mode_the_umask_gives_a_new_file(tmp_path, umask, mode, empty):
    """Read and write for whoever the umask lets have them, never execute, setuid, setgid or sticky."""
    path = tmp_path / "mine.json"
    result = facts(
        "init", *(["--empty"] if empty else []), str(path), cwd=tmp_path, env={"FACTS_NO_CACHE": "1"}, umask=umask
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_store_made_in_process_follows_the_umask_and_a_rewrite_keeps_its_mode(tmp_path):
    path = tmp_path / "s.json"
    previous = os.umask(0o027)
    try:
        jsonfile.write_atomically(path, [b"{}\n"])
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    path.chmod(0o604)
    jsonfile.write_atomically(path, [b"[]\n"])
    assert (stat.S_IMODE(path.stat().st_mode), path.read_bytes()) == (0o604, b"[]\n")


def test_the_rename_is_made_durable_by_syncing_the_directory_after_it(tmp_path, monkeypatch):
    """A crash after `write_atomically` returns must find the new file: the directory entry the rename made is
    synced, after the rename (syncing the file alone does not make the rename durable)."""
    path = tmp_path / "s.json"
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync directory" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(source, destination) -> None:
        events.append("rename")
        real_replace(source, destination)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    jsonfile.write_atomically(path, [b"{}\n"])
    assert events == ["fsync file", "rename", "fsync directory"]


# The cache directory


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "HOME/.cache/facts"),
        ({"XDG_CACHE_HOME": "XDG"}, "XDG/facts"),
        ({"XDG_CACHE_HOME": ""}, "HOME/.cache/facts"),
        ({"FACTS_CACHE_DIR": "MINE"}, "MINE"),
        ({"FACTS_CACHE_DIR": "MINE", "XDG_CACHE_HOME": "XDG"}, "MINE"),
        ({"FACTS_CACHE_DIR": "", "XDG_CACHE_HOME": "XDG"}, "XDG/facts"),
        ({"FACTS_NO_CACHE": "1", "FACTS_CACHE_DIR": "MINE", "XDG_CACHE_HOME": "XDG"}, None),
        ({"FACTS_NO_CACHE": "", "FACTS_CACHE_DIR": "MINE"}, "MINE"),
    ],
)
def test_the_cache_directory_under_each_environment(tmp_path, monkeypatch, environ, expected):
    for name in CACHE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    places = {"HOME": tmp_path / "home", "XDG": tmp_path / "xdg", "MINE": tmp_path / "mine"}
    for name, value in environ.items():
        monkeypatch.setenv(name, str(places[value]) if value in places else value)
    if expected is None:
        assert cache_directory() is None
    else:
        first, _, rest = expected.partition("/")
        assert cache_directory() == places[first].joinpath(*rest.split("/") if rest else ())


@pytest.mark.parametrize(
    ("environ", "where"),
    [
        ({}, "home/.cache/facts"),
        ({"XDG_CACHE_HOME": "{tmp}/xdg"}, "xdg/facts"),
        ({"FACTS_CACHE_DIR": "{tmp}/mine", "XDG_CACHE_HOME": "{tmp}/xdg"}, "mine"),
    ],
)
def test_a_write_keeps_its_cache_entry_where_the_environment_says_and_nowhere_else(tmp_path, environ, where):
    """The cache of the real command: under the home directory by default, never in the working directory."""
    work = tmp_path / "work"
    work.mkdir()
    env = {"HOME": str(tmp_path / "home"), **{k: v.format(tmp=tmp_path) for k, v in environ.items()}}
    store = tmp_path / "stores" / "mine.json"
    store.parent.mkdir()
    assert facts("init", str(store), cwd=work, env=env).returncode == 0
    added = facts("add", "--db", str(store), cwd=work, env=env, input=json.dumps(NEW_FACT, ensure_ascii=False))
    assert added.returncode == 0, added.stderr
    entries = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.marshal"))
    assert len(entries) == 1 and entries[0].startswith(where + "/validated-"), entries
    assert list(work.iterdir()) == []
