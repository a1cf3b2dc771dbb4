"""A store holding an integer longer than Python converts (int_max_str_digits, 4,300 digits by default): refused
as not a facts store, by every command that reads it, in one line that says so, never as JSON that is broken."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import NEW_FACT
from test_hostile_files import one_line

LIMIT = sys.get_int_max_str_digits()


@pytest.mark.parametrize(
    "command", [["list", "-f", "json"], ["validate"], ["export"], ["add"]], ids=["list", "validate", "export", "add"]
)
def test_a_store_holding_a_number_past_pythons_digits_is_refused_in_one_line(run, store, command):
    text = store.read_text(encoding="utf-8")
    at = text.index('"start": ')
    end = text.index(",", at)
    store.write_text(text[:at] + '"start": ' + "9" * (LIMIT + 1) + text[end:], encoding="utf-8")
    before = store.read_bytes()
    result = run(*command, "--db", str(store), input=json.dumps({**NEW_FACT, "id": "a-new-fact"}))
    one_line(result, 3, f"{store}: not a facts store: a number of over 4,300 digits")
    assert result.stdout == "" and store.read_bytes() == before
