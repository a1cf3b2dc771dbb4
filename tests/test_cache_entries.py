"""A cache entry is read back whole at any size: its CRC-32 checked whichever reads its bytes and its last four bytes
(the CRC-32 itself) fall in, and any byte of it changed makes it no entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from facts_cli.storage import CACHE_DIR_VAR, NO_CACHE_VAR, entry, keep

MIB = 1024 * 1024


@pytest.fixture
def store(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv(CACHE_DIR_VAR, str(tmp_path / "cache"))
    monkeypatch.delenv(NO_CACHE_VAR, raising=False)
    path = tmp_path / "s.json"
    path.write_text("{}", encoding="utf-8")
    return path


def kept_of_size(store: Path, size: int) -> tuple[Path, str]:
    """An entry of exactly `size` bytes (a text of x's as its data), and the data."""
    keep(store, "x", "v", (1,), 0, "x" * 1000)
    (made,) = store.parent.glob("cache/x-*.marshal")
    data = "x" * (size - made.stat().st_size + 1000)
    keep(store, "x", "v", (1,), 0, data)
    assert made.stat().st_size == size
    return made, data


# The entry is read in chunks of a megabyte: these sizes put a chunk's end before, at, inside and after the CRC-32.
SIZES = [400, MIB - 1, MIB, MIB + 1, MIB + 2, MIB + 3, MIB + 4, MIB + 5, 3 * MIB + 2]


@pytest.mark.parametrize("size", SIZES)
def test_an_entry_of_any_size_is_read_back_whole(store, size):
    _, data = kept_of_size(store, size)
    assert entry(store, "x", "v") == ((1,), 0, data)


@pytest.mark.parametrize("size", [400, MIB + 2])
def test_an_entry_with_any_byte_changed_is_no_entry(store, size):
    made, _ = kept_of_size(store, size)
    original = made.read_bytes()
    for at in sorted({size // 2, size - 5, size - 4, size - 3, size - 1}):
        changed = bytearray(original)
        changed[at] ^= 0x01
        made.write_bytes(bytes(changed))
        assert entry(store, "x", "v") is None, at
    made.write_bytes(original + b"more")
    assert entry(store, "x", "v") is None
    made.write_bytes(original[:-1])
    assert entry(store, "x", "v") is None
