"""Validation at its edges: where a quote stands at the very start of its text, a change that removes an entity
alone, lone surrogates at either end of their range in what a change added."""

from __future__ import annotations

import unicodedata

import pytest

from facts_cli.model import TABLES
from facts_cli.storage import Changes
from facts_cli.validate import surrogate_problems, validate_document


@pytest.mark.parametrize("length", [1, 2, 7])
def test_a_quote_at_the_start_of_the_text_is_said_to_stand_at_zero(document, length):
    source = next(iter(document["sources"].values()))
    text = source["text"]
    fact = next(f for f in document["facts"].values() if f["source"] == source["id"])
    quote = text[:length]
    start = next(at for at in range(1, len(text) - length) if text[at : at + length] != quote)
    fact["quote"], fact["span"] = quote, {"start": start, "end": start + length}
    (problem,) = validate_document(document)
    assert (problem.record, problem.field) == (fact["id"], "span")
    assert problem.message == (
        f"text[{start}:{start + length}] is {text[start : start + length]!r}, not the quote {quote!r}; "
        f"the quote stands at 0:{length}"
    )


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (0, 0), (5, 4)])
def test_a_span_that_begins_before_the_text_or_is_empty_is_no_span_of_it(document, start, end):
    """Said as such, beside the schema's own word on a negative start, not as a slice that Python would read from
    the end of the text."""
    source = next(iter(document["sources"].values()))
    fact = next(f for f in document["facts"].values() if f["source"] == source["id"])
    fact["span"] = {"start": start, "end": end}
    spans = [problem.message for problem in validate_document(document) if problem.field == "span"]
    assert spans == [f"{start}:{end} is not a span inside the source text of {len(source['text'])} code points"]


def test_removing_an_entity_alone_checks_the_facts_that_refer_to_it(document):
    """A change that removes an entity (and no source) has every fact naming it checked, as the whole store's check
    would: they now name an unknown entity."""
    key = next(k for k, e in document["entities"].items() if e["id"] == "kazakhstan")
    removed = {"entities": {key: document["entities"].pop(key)}, "sources": {}, "facts": {}}
    changes = Changes({t: [] for t in TABLES}, removed)
    found = [str(problem) for problem in validate_document(document, changes)]
    assert found == [str(problem) for problem in validate_document(document)]
    assert any("unknown entity 'kazakhstan'" in line for line in found)


@pytest.mark.parametrize("lone", ["\ud800", "\udbff", "\udc00", "\udfff"])
def test_a_lone_surrogate_in_an_added_record_is_found_at_either_end_of_the_range(document, lone):
    """What a dry run checks: the records a change added, each lone surrogate (U+D800 to U+DFFF) a problem."""
    record = {**next(iter(document["entities"].values())), "id": "added", "name": f"a{lone}b"}
    added = str(max(map(int, document["entities"])) + 1)
    document["entities"][added] = record
    changes = Changes({"entities": [added], "sources": [], "facts": []}, {t: {} for t in TABLES})
    (problem,) = surrogate_problems(document, changes)
    assert (problem.table, problem.record, problem.field) == ("entities", "added", "name")
    assert problem.message == f"lone surrogate U+{ord(lone):04X} is not a character"
    assert surrogate_problems(document, Changes({t: [] for t in TABLES}, {t: {} for t in TABLES})) == []


@pytest.mark.parametrize("control", ["\u202a", "\u202e", "\u2066", "\u2069"])
def test_a_bidi_control_in_an_added_record_is_found_by_the_check_of_the_change(document, control):
    """A write checks only what it added: a Trojan Source character there is found as the whole store's check
    finds it."""
    record = {**next(iter(document["entities"].values())), "id": "added", "name": f"a{control}b"}
    added = str(max(map(int, document["entities"])) + 1)
    document["entities"][added] = record
    changes = Changes({"entities": [added], "sources": [], "facts": []}, {t: {} for t in TABLES})
    found = [str(problem) for problem in validate_document(document, changes)]
    assert found == [str(problem) for problem in validate_document(document)]
    assert [line for line in found if "Trojan Source" in line] == [
        f"entities/added: name: U+{ord(control):04X} {unicodedata.name(control)} at 1: a bidi control shows text in "
        "an order other than the stored one (Trojan Source); write it without"
    ]


def test_a_key_held_twice_is_named_by_where_its_object_stands_in_the_record(document):
    """The objects of a file that held a key twice (as `Store.duplicates` gives them) are found wherever they stand
    in a record: the record itself, an object in it, an object in a list in it."""
    fact = next(f for f in document["facts"].values() if f.get("participants") and isinstance(f.get("time"), dict))
    duplicates = [(fact, "claim"), (fact["time"], "value"), (fact["participants"][0], "role")]
    found = [str(problem) for problem in validate_document(document, duplicates=duplicates)]
    lost = "key stands twice: only the last is read, and a write would drop the other"
    assert found == [
        f"facts/{fact['id']}: claim: {lost}",
        f"facts/{fact['id']}: participants/0/role: {lost}",
        f"facts/{fact['id']}: time/value: {lost}",
    ]


def test_a_key_held_twice_by_the_top_level_or_a_table_is_named_so(document):
    """A table held twice, a name held twice at the top level that is no table, two records under one key, and an
    object found nowhere in the document (which a caller could pass): each said once, by where it stands, what is
    of no table first, then by table in the store's order."""
    lost = "only the last is read, and a write would drop the other"
    duplicates = [(document, "facts"), (document, "extra"), (document["entities"], "3"), ({"a": 1}, "a")]
    duplicates.append((document["sources"], "1"))
    found = [str(problem) for problem in validate_document(document, duplicates=duplicates)]
    assert found == [
        f"store: (somewhere)/a: key stands twice: {lost}",
        f"store: (table): table 'extra' stands twice: {lost}",
        f"sources/#1: (record): two records under key '1': {lost}",
        f"entities/#3: (record): two records under key '3': {lost}",
        f"facts: (table): table 'facts' stands twice: {lost}",
    ]
