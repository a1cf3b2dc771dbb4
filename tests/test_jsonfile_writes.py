"""Writing a store file, in process: what a killed writer left is cleared under the lock, whatever hex digits its
name has, and nothing else is."""

from __future__ import annotations

import pytest

from facts_cli.jsonfile import locked

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
