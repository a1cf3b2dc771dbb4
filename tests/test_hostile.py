"""Hostile input, generated: any Unicode (controls, bidi marks and overrides, astral characters, lone surrogates,
combining marks, huge strings) through the store, search and every renderer. Nothing crashes, nothing escapes
onto the terminal, and what is drawn for people stays within the width it is given.

The commands run in-process (Click's test runner), so that hypothesis can try many stores; the end-to-end tests
run the installed command on a few hand-made ones.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import BUNDLED, offline_loader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld
from rich.cells import cell_len
from typer.testing import CliRunner

from facts_cli.app import app
from facts_cli.errors import ExitCode
from facts_cli.query import EntityIndex, Period, SearchIndex, search
from facts_cli.store import open_store

STORE = open_store(BUNDLED)
INDEX = EntityIndex(STORE.entities)
SEARCH_INDEX = SearchIndex(STORE.facts, INDEX)

# Characters that have broken terminals and text layout: C0 and C1 controls, ESC, DEL, bidi embeddings,
# overrides, isolates and marks, line and paragraph separators, zero-width joiners, combining marks, wide CJK,
# emoji (astral), lone surrogates, tatweel and harakat, lam-alef, and plain Arabic and Latin.
NASTY = (
    "\x00\x07\x08\t\n\r\x1b\x7f\x85\x9b\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\ufffd\u0300\u0651\u064e\u0640"
    "\ud800\udfff\U0001f600\U0001f1f8\U00010000\u4e2d\uff21 ()[]<>{}\"'\\/"
    "لاأإآ روسيا شويغو كازاخستان abc Russia 2015 ١٢٣"
)
TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(NASTY), max_size=60),
    st.text(max_size=40),
    st.builds(
        lambda piece, times: piece * times,
        st.text(alphabet=st.sampled_from(NASTY), min_size=1, max_size=3),
        st.integers(1_000, 5_000),
    ),
)
EXIT_CODES = {ExitCode.OK, ExitCode.NOT_FOUND, ExitCode.OUTPUT}
runner = CliRunner()


def write(path: Path, document: dict[str, Any]) -> Path:
    """Escaped JSON, which (unlike UTF-8 text) can hold lone surrogates, as a hand-edited store might."""
    path.write_text(json.dumps(document, ensure_ascii=True), encoding="utf-8")
    return path


def hostile_document(texts: list[str]) -> dict[str, Any]:
    """The bundled store, with the text fields of a fact, an entity and the source replaced by `texts`."""
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    fact, entity = document["facts"]["1"], document["entities"]["1"]
    source = document["sources"]["1"]
    fact["claim"], fact["claim_en"], fact["quote"], fact["id"] = texts[0], texts[1], texts[2], texts[3] or "x"
    fact["time"]["text"], fact["attributed_to"] = texts[4], {"entity": entity["id"], "cue": texts[5]}
    entity["name"] = {"ar": texts[6], "en": texts[7]}
    entity["aliases"] = {"ar": [texts[8]], "en": [texts[0]]}
    entity["description"] = {"ar": texts[1], "en": texts[2]}
    source["text"] = texts[9] + source["text"]
    return document


COMMANDS = [
    ["list"],
    ["list", "--lang", "en"],
    ["search", "روسيا"],
    ["timeline"],
    ["stats"],
    ["entities"],
    ["types"],
]
FORMATS = ["table", "plain", "json", "jsonl", "csv", "tsv"]


def invoke(args: list[str], width: int) -> Any:
    result = runner.invoke(app, args, env={"COLUMNS": str(width), "NO_COLOR": "1", "FACTS_NO_CACHE": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in EXIT_CODES, (args, result.output)
    return result


def assert_drawn_within(output: str, width: int) -> None:
    for line in output.splitlines():
        assert cell_len(line) <= width, (width, line)
    assert "\x1b" not in output, "an escape character from the store reached the terminal"
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", output), "a bidi control from the store reached the terminal"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(TEXT, min_size=10, max_size=10),
    width=st.integers(1, 160),
    command=st.sampled_from(COMMANDS),
    fmt=st.sampled_from(FORMATS),
    bidi=st.sampled_from(["visual", "logical"]),
)
def test_every_listing_in_every_format_survives_a_hostile_store(tmp_path, texts, width, command, fmt, bidi):
    path = write(tmp_path / "hostile.json", hostile_document(texts))
    result = invoke([*command, "--db", str(path), "--format", fmt, "--bidi", bidi], width)
    if fmt == "table":
        assert_drawn_within(result.stdout, width)
    elif fmt in ("json", "jsonl") and result.exit_code == ExitCode.OK:
        for document in result.stdout.split("\n")[:-1] if fmt == "jsonl" else [result.stdout]:
            json.loads(document)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(TEXT, min_size=10, max_size=10),
    width=st.integers(1, 160),
    show=st.booleans(),
    fmt=st.sampled_from(["text", "plain", "json"]),
    bidi=st.sampled_from(["visual", "logical"]),
)
def test_a_fact_and_the_article_survive_a_hostile_store(tmp_path, texts, width, show, fmt, bidi):
    path = write(tmp_path / "hostile.json", hostile_document(texts))
    options = ["--db", str(path), "--format", fmt, "--bidi", bidi]
    args = ["show", *options, "--", texts[3] or "x"] if show else ["source", *options]
    result = invoke(args, width)
    if fmt == "text":
        assert_drawn_within(result.stdout, width)
    elif fmt == "json" and result.exit_code == ExitCode.OK:
        json.loads(result.stdout)


def anchored_hostile_document(texts: list[str]) -> dict[str, Any]:
    """A hostile store whose spans still hold their quotes: the source text wrapped in hostile text, every span
    moved with it, and a fact quoting the hostile end (when there is one), with hostile claims and names."""
    document = hostile_document(texts)
    source = document["sources"]["1"]
    original = json.loads(BUNDLED.read_text(encoding="utf-8"))["sources"]["1"]["text"]
    source["text"] = texts[9] + original + texts[2]
    for fact in document["facts"].values():
        fact["span"] = {key: value + len(texts[9]) for key, value in fact["span"].items()}
        fact["quote"] = source["text"][fact["span"]["start"] : fact["span"]["end"]]
    if texts[2]:
        document["facts"]["1"]["span"] = {"start": len(source["text"]) - len(texts[2]), "end": len(source["text"])}
        document["facts"]["1"]["quote"] = texts[2]
    return document


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(TEXT, min_size=10, max_size=10),
    args=st.sampled_from(
        [["cite", *options] for options in (["-f", "plain"], ["-f", "markdown"], ["-f", "csl-json"])]
        + [["export", *options] for options in (["-f", "json"], ["-f", "annotations"], ["-f", "jsonld"])]
    ),
)
def test_citations_and_exports_survive_a_hostile_store(tmp_path, texts, args):
    document = anchored_hostile_document(texts)
    path = write(tmp_path / "hostile.json", document)
    result = invoke([*args, "--db", str(path)], 80)
    if args[-1] in ("plain", "markdown"):  # text: a lone surrogate cannot be written (exit 5); JSON escapes it
        return
    assert result.exit_code == ExitCode.OK, result.output
    output = json.loads(result.stdout)
    if args[-1] in ("annotations", "jsonld"):
        loader = {"documentLoader": offline_loader, "base": "https://example.org/hostile.jsonld"}
        assert jsonld.expand(output, loader)
    if args[-1] == "annotations":
        text = document["sources"]["1"]["text"]
        for item in output["first"]["items"]:
            position, quote = item["target"]["selector"]
            assert text[position["start"] : position["end"]] == quote["exact"]
            assert text[: position["start"]].endswith(quote["prefix"]) and text[position["end"] :].startswith(
                quote["suffix"]
            )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, min_size=10, max_size=10))
def test_validate_reports_a_hostile_store_in_inert_lines(tmp_path, texts):
    path = write(tmp_path / "hostile.json", hostile_document(texts))
    result = runner.invoke(app, ["validate", "--db", str(path)], env={"FACTS_NO_CACHE": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in {ExitCode.OK, ExitCode.INVALID}
    assert "\x1b" not in result.stdout


@settings(max_examples=300, deadline=None)
@given(query=TEXT)
def test_any_query_is_answered(query):
    hits = search(STORE.facts, INDEX, query, SEARCH_INDEX)
    assert all(hit.score > 0 and hit.reasons for hit in hits)
    INDEX.resolve(query)
    INDEX.suggestions(query)


@settings(max_examples=200, deadline=None)
@given(value=TEXT)
def test_any_date_is_parsed_or_refused(value):
    with contextlib.suppress(ValueError):
        Period.parse(value)


@pytest.mark.parametrize("option", ["--entity", "--by", "--since", "--until", "--source", "--fields", "--type"])
@settings(max_examples=15, deadline=None)
@given(value=TEXT.filter(lambda v: "\x00" not in v and not v.startswith("-")))
def test_any_option_value_is_a_result_or_a_usage_error(option, value):
    result = runner.invoke(app, ["list", option, value], env={"FACTS_NO_CACHE": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in {ExitCode.OK, ExitCode.NOT_FOUND, ExitCode.USAGE, ExitCode.OUTPUT}
