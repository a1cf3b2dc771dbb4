"""A dry run refuses as the write would (docs/GUIDE.md): every problem the write reports, the lone surrogates of a
store no validated write made too, in the same lines, with the same exit code; and it touches nothing."""

from __future__ import annotations

import json

import pytest
from conftest import NEW_FACT

FACT = json.dumps({**NEW_FACT, "id": "a-new-fact"})


@pytest.mark.parametrize("command", [["add"], ["import"], ["remove", "rt-byline"]], ids=["add", "import", "remove"])
def test_a_dry_run_reports_every_problem_the_write_would(run, store, command):
    text = store.read_text(encoding="utf-8")
    text = text.replace('"type": "agreement"', '"type": "rumour"', 1)  # a value the schema refuses
    text = text.replace('"claim_en": "', '"claim_en": "\\ud800', 1)  # a lone surrogate: no UTF-8 has it
    store.write_text(text, encoding="utf-8")
    before = store.read_bytes()
    tried = run(*command, "--dry-run", "--db", str(store), input=FACT)
    written = run(*command, "--db", str(store), input=FACT)
    assert written.returncode == 4 and "U+D800" in written.stderr and "rumour" in written.stderr, written.stderr
    assert (tried.returncode, tried.stdout, tried.stderr) == (written.returncode, written.stdout, written.stderr)
    assert store.read_bytes() == before
