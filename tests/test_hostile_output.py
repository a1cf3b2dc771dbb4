"""Hostile text on its way out: what a store holds (escape sequences, C1 controls, bidi overrides) never drives the
terminal, in any format or message, while piped output keeps its exact values; `validate` flags the bidi controls
of Trojan Source; and a huge cell or query costs time in proportion to its size."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import BUNDLED, FACTS_BIN, clean_environment, in_pty
from rich.console import Console, Group
from rich.text import Text

from facts_cli import query
from facts_cli.query import EntityIndex, SearchIndex, search
from facts_cli.render import store_text
from facts_cli.store import open_store
from facts_cli.validate import validate_document
from facts_cli.writers import plain_cell

OSC_52 = "\x1b]52;c;aGVsbG8=\x07"  # writes the clipboard
CSI_CLEAR = "\x1b[2J"
OSC_8 = "\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\"
C1_CSI = "\x9b2J"
RLO = "\u202e"
HOSTILE = f"{OSC_52}{CSI_CLEAR}{OSC_8}{C1_CSI}{RLO}"


def hostile_store(path: Path, *, in_id: bool = False) -> dict[str, Any]:
    """The bundled store with every control above in a claim and at the end of the article; with `in_id`, in the
    id of a fact about Armenia instead (which `remove --kind entity armenia --cascade` removes, leaving a valid
    store)."""
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    fact = document["facts"]["1"]  # ru-am-caucasus-air-defence, which involves Armenia
    if in_id:
        fact["id"] = f"x{HOSTILE}"
    else:
        fact["claim"] = fact["claim_en"] = f"روسيا {HOSTILE} Russia"
        document["sources"]["1"]["text"] += f"\n{HOSTILE}"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return document


def on_terminal(*args: str) -> str:
    """What `facts ARGS` writes to a terminal (no pager), decoded."""
    environ = clean_environment(FACTS_PAGER="", COLUMNS="200", NO_COLOR="1", TERM="xterm")
    return in_pty([str(FACTS_BIN), *args], environ).decode("utf-8", "replace")


def inert(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output and "\x9b" not in output and RLO not in output, output


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--format", "plain"],
        ["list", "--format", "tsv"],
        ["list", "--format", "csv"],
        ["list", "--format", "jsonl"],
        ["list", "--format", "json"],
        ["search", "Russia", "--format", "plain"],
        ["show", "ru-am-caucasus-air-defence", "--format", "plain"],
        ["show", "ru-am-caucasus-air-defence", "--format", "csv"],
        ["show", "ru-am-caucasus-air-defence", "--format", "json"],
        ["export"],
        ["source", "--format", "plain"],
        ["source", "--format", "json"],
        ["source", "--format", "text"],
        ["list", "--format", "table"],
        ["show", "ru-am-caucasus-air-defence", "--format", "text"],
    ],
)
def test_no_format_lets_a_store_drive_the_terminal(tmp_path, args):
    path = tmp_path / "hostile.json"
    hostile_store(path)
    output = on_terminal(*args, "--db", str(path))
    inert(output)
    assert "ru-am-caucasus-air-defence" in output or args[0] == "source"
    assert "^[" in output or "\\u001b" in output  # shown, not dropped


def test_remove_cascade_prints_the_ids_it_removed_inert_on_a_terminal(tmp_path):
    path = tmp_path / "hostile.json"
    hostile_store(path, in_id=True)
    output = on_terminal("remove", "--db", str(path), "--kind", "entity", "armenia", "--cascade", "--yes")
    inert(output)
    assert "fact\tx^[]52;c;aGVsbG8=^G^[[2J" in output.replace("\r\n", "\n")
    assert '"id": "armenia"' not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["plain", "tsv", "csv"])
def test_piped_machine_formats_keep_the_exact_values(run, tmp_path, fmt):
    path = tmp_path / "hostile.json"
    hostile_store(path)
    result = run("list", "--db", str(path), "--format", fmt)
    assert result.returncode == 0 and (HOSTILE if fmt == "csv" else plain_cell(HOSTILE)) in result.stdout


@pytest.mark.parametrize(
    "args", [["list", "-f", "json"], ["list", "-f", "jsonl"], ["show", "ru-am-caucasus-air-defence", "-f", "json"]]
)
def test_json_escapes_c1_controls_and_bidi_overrides_and_keeps_their_values(run, tmp_path, args):
    path = tmp_path / "hostile.json"
    document = hostile_store(path)
    result = run(*args, "--db", str(path))
    assert result.returncode == 0
    inert(result.stdout)
    assert "\\u009b" in result.stdout and "\\u202e" in result.stdout and "\\u001b" in result.stdout
    lines = result.stdout.splitlines() if "jsonl" in args else [result.stdout]
    records = [json.loads(line) for line in lines]
    first = records[0][0] if isinstance(records[0], list) else records[0]
    assert first == document["facts"]["1"]


def test_export_escapes_them_too_and_imports_back_the_same(run, tmp_path):
    path = tmp_path / "hostile.json"
    document = hostile_store(path)
    result = run("export", "--db", str(path))
    inert(result.stdout)
    assert json.loads(result.stdout)["facts"][0] == document["facts"]["1"]


def test_a_store_path_with_controls_is_shown_inert_in_messages(run, tmp_path):
    name = str(tmp_path / f"x{OSC_52}{CSI_CLEAR}.json")
    for args in (["list", "--db", name], ["add", "--db", name], ["init", name, "--dry-run", "--empty"]):
        result = run(*args, input="{}")
        inert(result.stderr)
        assert "^[]52" in result.stderr


# validate and the bidi controls of Trojan Source


def test_validate_flags_bidi_controls_in_claims_names_and_aliases(run, tmp_path, document):
    document["facts"]["2"]["claim"] = f"أجرى {RLO}وزير الدفاع"
    document["facts"]["3"]["claim_en"] = "The plan \u2066was\u2069 signed."
    document["entities"]["1"]["name"]["en"] = f"Russia{RLO}"
    document["entities"]["2"]["aliases"]["ar"].append("\u202bأرمينيا\u202c")
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = run("validate", "--db", str(path))
    assert result.returncode == 4
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all("Trojan Source" in line for line in lines), lines
    assert any(line.startswith("facts/ru-am-moscow-meeting: claim: U+202E RIGHT-TO-LEFT OVERRIDE") for line in lines)
    assert any("entities/" in line and "aliases/ar/" in line and "U+202B" in line for line in lines)
    inert(result.stdout)


def test_the_article_s_own_words_keep_what_the_article_has(document):
    """A quote is the very text of its source: an override the article holds is kept there, not flagged."""
    source = document["sources"]["1"]
    source["text"] += f"\n{RLO}نص"
    fact = document["facts"]["1"]
    fact["quote"] = f"{RLO}نص"
    fact["span"] = {"start": len(source["text"]) - 3, "end": len(source["text"])}
    assert validate_document(document) == []


def test_a_write_of_a_claim_with_a_bidi_override_is_refused(run, tmp_path):
    path = tmp_path / "s.json"
    assert run("init", str(path)).returncode == 0
    fact = json.loads(run("show", "rt-byline", "-f", "json").stdout)
    fact.update(id="new", claim=f"{RLO}نشرت آر تي (RT) هذا الخبر.")
    result = run("add", "--db", str(path), input=json.dumps(fact))
    assert result.returncode == 4 and "facts/new: claim: U+202E" in result.stderr


# 6. Time in proportion to size: a long cell, a long query


def test_a_long_cell_is_drawn_a_line_at_a_time():
    """Rich draws a Text as one segment of all its lines and splits it one line at a time, copying the rest each
    time (quadratic: a 10 MB claim took 260 s as a table). Store text is drawn a line at a time, the same lines."""
    words = " ".join(f"w{n}" for n in range(3000))
    drawn = Console(width=37, file=io.StringIO(), color_system=None)
    segments = list(drawn.render(store_text(words)))
    assert all(segment.text == "\n" or "\n" not in segment.text for segment in segments)
    assert sum(segment.text == "\n" for segment in segments) > 300
    plain, ours = (Console(width=37, file=io.StringIO(), color_system=None) for _ in range(2))
    plain.print(Group(Text(words)))
    ours.print(Group(store_text(words)))  # in a view (print would join a Text given alone into a plain one)
    assert ours.file.getvalue() == plain.file.getvalue()


@pytest.fixture
def edits(monkeypatch) -> list[int]:
    """Counts the edit distances a search works out (the cost of fuzzy matching)."""
    calls = [0]
    real = query.edit_distance

    def counted(*args: Any) -> int:
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(query, "edit_distance", counted)
    return calls


STORE = open_store(BUNDLED)
INDEX = EntityIndex(STORE.entities)


def test_a_misspelt_word_said_thousands_of_times_is_matched_once(edits):
    once = search(STORE.facts, INDEX, "كازاخستن", SearchIndex(STORE.facts, INDEX))
    cost = edits[0]
    assert once and cost
    hits = search(STORE.facts, INDEX, " ".join(["كازاخستن"] * 5000), SearchIndex(STORE.facts, INDEX))
    assert [hit.fact["id"] for hit in hits] == [hit.fact["id"] for hit in once]
    assert edits[0] == 2 * cost


def test_a_query_of_thousands_of_words_that_match_nothing_costs_what_a_few_of_them_cost(edits):
    """Once no fact can match every word so far, a word is only looked up, and close words are suggested for
    three words that match nothing (docs/SEARCH.md): no edit distances to every word of the store for each of the
    rest."""
    rng = random.Random(13)
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(6, 9))) for _ in range(5000)]
    index = SearchIndex(STORE.facts, INDEX)
    assert search(STORE.facts, INDEX, " ".join(words[:3]), index) == []
    cost = edits[0]
    searched = query.run_search(STORE.facts, INDEX, " ".join(words), index)
    assert searched.hits == [] and list(searched.unmatched) == words[:3]
    assert edits[0] == 2 * cost


def test_the_words_of_a_query_that_match_apart_but_not_together_are_matched_once(edits):
    """Each word matches some fact (fuzzily), no fact matches both: said 2,500 times each, matched once each."""
    index = SearchIndex(STORE.facts, INDEX)
    assert search(STORE.facts, INDEX, "بالخاشي طاجيكستن", index) == []
    cost = edits[0]
    assert search(STORE.facts, INDEX, " ".join(["بالخاشي", "طاجيكستن"] * 2500), index) == []
    assert edits[0] == 2 * cost
