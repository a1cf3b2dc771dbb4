"""Writing a store file, in process: what a killed writer left is cleared under the lock, whatever hex digits its
name has, and nothing else is; a rewrite keeps the store's mode, bit for bit; the temporary file is the owner's
alone until it takes that mode; the process's umask is left as it was; an error leaves nothing behind."""

from __future__ import annotations

import os
import stat

import pytest

from facts_cli.jsonfile import locked, write_atomically

HEX = "0123456789abcdef"


@pytest.mark.parametrize("digit", HEX)
def test_a_killed_writers_temporary_with_any_hex_digit_is_cleared_and_one_with_another_is_kept(tmp_path, digit):
    path = tmp_path / "s.json"
    stale = tmp_path / f".s.json.{HEX.replace(digit, '')}{digit}.tmp"  # 16 hex digits, ending in `digit`
    near = tmp_path / f".s.json.{HEX.replace(digit, '')}{'g' if digit.isalpha() else 'G'}.tmp"
    for name in (stale, near):
        name.write_text("half a store", encoding="utf-8")
    with locked(path):
        assert not stale.exists()
        assert near.exists()


def test_a_link_named_as_a_killed_writers_temporary_is_kept(tmp_path):
    """Only regular files are cleared: a symbolic link named like one (to a file or a directory) is not ours."""
    path = tmp_path / "s.json"
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    link = tmp_path / f".s.json.{HEX}.tmp"
    link.symlink_to(target)
    with locked(path):
        assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("mode", [0o777, 0o755, 0o640, 0o604, 0o600, 0o400])
def test_a_rewrite_keeps_the_stores_mode_bit_for_bit(tmp_path, mode):
    path = tmp_path / "s.json"
    path.write_bytes(b"{}\n")
    path.chmod(mode)
    write_atomically(path, [b"[]\n"])
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_new_store_leaves_the_processs_umask_as_it_was(tmp_path):
    previous = os.umask(0o027)
    try:
        write_atomically(tmp_path / "s.json", [b"{}\n"])
        assert os.umask(0o027) == 0o027
    finally:
        os.umask(previous)


@pytest.mark.parametrize("mode", [0o644, 0o666, 0o600])
def test_while_a_write_is_made_its_temporary_file_is_the_owners_alone(tmp_path, mode):
    """Others cannot read a store's next version before it takes the store's mode, nor write to it."""
    path = tmp_path / "s.json"
    path.write_bytes(b"{}\n")
    path.chmod(mode)
    seen = []

    def chunks():
        yield b"["
        (temporary,) = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        seen.append(stat.S_IMODE(temporary.lstat().st_mode))
        yield b"]\n"

    write_atomically(path, chunks())
    assert seen == [0o600]
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("error", [ValueError("a lone surrogate"), KeyboardInterrupt()])
def test_an_error_while_the_bytes_are_made_leaves_the_store_as_it_was_and_nothing_else(tmp_path, error):
    path = tmp_path / "s.json"
    path.write_bytes(b"{}\n")

    def chunks():
        yield b"["
        raise error

    with pytest.raises(type(error)):
        write_atomically(path, chunks())
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]
    assert path.read_bytes() == b"{}\n"


def test_writes_leave_no_descriptor_open(tmp_path):
    path = tmp_path / "s.json"
    write_atomically(path, [b"{}\n"])
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        write_atomically(path, [b"[]\n"])
    assert len(os.listdir("/proc/self/fd")) == before
