"""What `show` and `source` write for programs: the `field<TAB>value` lines of several facts, a blank line between
them; the paragraph of a fact as JSON, naming the source, the fact and the span it comes from."""

from __future__ import annotations

import json

import pytest

from facts_cli.writers import flatten


def test_the_plain_lines_of_several_facts_are_separated_by_a_blank_line(run, bundled_document):
    chosen = list(bundled_document["facts"].values())[:3]
    shown = run("show", *(fact["id"] for fact in chosen))
    assert shown.returncode == 0, shown.stderr
    blocks = shown.stdout.removesuffix("\n").split("\n\n")
    assert [block.split("\n")[0] for block in blocks] == [f"id\t{fact['id']}" for fact in chosen]
    for block, fact in zip(blocks, chosen, strict=True):
        assert [line.split("\t", 1)[0] for line in block.split("\n")] == list(flatten(fact))


@pytest.mark.parametrize("index", [0, 5, -1])
def test_the_paragraph_of_a_fact_as_json_names_its_source_fact_and_span(run, bundled_document, index):
    fact = list(bundled_document["facts"].values())[index]
    text = next(source for source in bundled_document["sources"].values() if source["id"] == fact["source"])["text"]
    shown = run("source", fact["id"], "--format", "json")
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert set(document) == {"source", "fact", "span", "paragraph"}
    assert (document["source"], document["fact"], document["span"]) == (fact["source"], fact["id"], fact["span"])
    start, end = document["paragraph"]["start"], document["paragraph"]["end"]
    assert document["paragraph"]["text"] == text[start:end]
    assert start <= fact["span"]["start"] < fact["span"]["end"] <= end
    assert start == 0 or text[start - 1] == "\n"
    assert end == len(text) or text[end] == "\n"
    assert "\n" not in text[start : fact["span"]["start"]] + text[fact["span"]["end"] : end]
