"""`validate_document` and `facts validate`: each kind of breakage is reported once, naming record and field."""

from __future__ import annotations

import copy
import json
from typing import Any

import fastjsonschema
import pytest
from conftest import write_store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from facts_cli import _schema_validator
from facts_cli.model import TABLES, load_schema, schema_digest, validation_schema
from facts_cli.storage import Changes
from facts_cli.validate import Problem, compiled_schema, validate_document
from facts_cli.vocabulary import ENTITY_KINDS, FACT_TYPES, PRECISIONS, ROLES, STATUSES


def fact(document: dict[str, Any], fact_id: str) -> dict[str, Any]:
    return next(f for f in document["facts"].values() if f["id"] == fact_id)


def lines(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def test_unknown_participant_entity(document):
    fact(document, "ru-kz-s300-free")["participants"][1]["entity"] = "kazakstan"
    assert lines(validate_document(document)) == [
        "facts/ru-kz-s300-free: participants/1/entity: unknown entity 'kazakstan'"
    ]


def test_unknown_place_speaker_and_source(document):
    record = fact(document, "ru-kz-s300-delivered")
    record["place"] = {"entity": "astana", "inferred": False}
    record["attributed_to"]["entity"] = "shoygu"
    record["source"] = "tass-2015"
    assert lines(validate_document(document)) == [
        "facts/ru-kz-s300-delivered: attributed_to/entity: unknown entity 'shoygu'",
        "facts/ru-kz-s300-delivered: place/entity: unknown entity 'astana'",
        "facts/ru-kz-s300-delivered: source: unknown source 'tass-2015'",
    ]


def test_a_place_says_whether_the_text_gives_it(document):
    record = fact(document, "cis-69th-meeting")
    record["place"] = "moscow"  # the shape before places could be inferred
    assert lines(validate_document(document)) == [
        "facts/cis-69th-meeting: place: 'moscow' is not of type 'object', 'null'"
    ]
    record["place"] = {"entity": "moscow"}
    assert lines(validate_document(document)) == ["facts/cis-69th-meeting: place: 'inferred' is a required property"]


def test_wrong_span_names_where_the_quote_really_is(document):
    record = fact(document, "rt-byline")
    start, end = record["span"]["start"], record["span"]["end"]
    record["span"] = {"start": start - 1, "end": end - 1}
    assert lines(validate_document(document)) == [
        f"facts/rt-byline: span: text[{start - 1}:{end - 1}] is '\\nR', not the quote 'RT'; "
        f"the quote stands at {start}:{end}"
    ]


def test_span_outside_the_text(document):
    fact(document, "rt-byline")["span"] = {"start": 2330, "end": 2400}
    assert lines(validate_document(document)) == [
        "facts/rt-byline: span: 2330:2400 is not a span inside the source text of 2333 code points"
    ]


def test_quote_not_in_the_text(document):
    fact(document, "rt-byline")["quote"] = "TASS"
    (problem,) = validate_document(document)
    assert (problem.record, problem.field) == ("rt-byline", "span")
    assert problem.message.endswith("not the quote 'TASS'; the quote is not in the text")


def test_unknown_type_lists_the_vocabulary(document):
    fact(document, "rt-byline")["type"] = "rumour"
    assert lines(validate_document(document)) == [
        f"facts/rt-byline: type: 'rumour' is not one of: {', '.join(FACT_TYPES)}"
    ]


def test_duplicate_fact_id(document):
    fact(document, "ru-tj-air-defence")["id"] = "ru-kg-air-defence"
    doc_ids = [k for k, f in document["facts"].items() if f["id"] == "ru-kg-air-defence"]
    assert lines(validate_document(document)) == [
        f"facts/ru-kg-air-defence: id: duplicate id: records #{doc_ids[0]} and #{doc_ids[1]}"
    ]


def test_duplicate_entity_id(document):
    entities = document["entities"]
    entities[str(len(entities) + 1)] = dict(next(iter(entities.values())))
    assert lines(validate_document(document)) == [f"entities/shoigu: id: duplicate id: records #1 and #{len(entities)}"]


def test_missing_field_and_bad_slug(document):
    record = fact(document, "rt-byline")
    del record["status"]
    record["id"] = "RT Byline"
    assert lines(validate_document(document)) == [
        "facts/RT Byline: (record): 'status' is a required property",
        "facts/RT Byline: id: 'RT Byline' is not a slug: lowercase ASCII letters and digits in words joined by "
        "single hyphens",
    ]


def test_precision_must_match_the_value(document):
    fact(document, "ru-kz-air-defence-2013")["time"]["precision"] = "day"
    assert lines(validate_document(document)) == [
        "facts/ru-kz-air-defence-2013: time/value: '2013' is not a date of day precision: YYYY-MM-DD"
    ]


def test_impossible_calendar_date(document):
    fact(document, "rt-byline")["time"]["value"] = "2015-02-30"
    assert lines(validate_document(document)) == ["facts/rt-byline: time/value: '2015-02-30' is not a calendar date"]


def test_control_characters_are_refused_in_one_line_fields(document):
    fact(document, "rt-byline")["claim_en"] = "RT published\x1b[2J this report."
    (problem,) = validate_document(document)
    assert (problem.record, problem.field) == ("rt-byline", "claim_en")
    assert "no control characters" in problem.message


def test_problems_are_one_inert_line_even_for_hostile_ids(document):
    fact(document, "rt-byline")["id"] = "x\x1b[2J\ny"
    (problem,) = validate_document(document)
    assert str(problem).startswith("facts/x^[[2J^Jy: id: ")
    assert "\x1b" not in str(problem) and "\n" not in str(problem)


def test_a_lone_surrogate_is_a_problem_where_it_stands(document):
    fact(document, "rt-byline")["participants"][0]["role"] = "x\udc80"
    fact(document, "rt-byline")["time"]["text"] = "\ud800"
    problems = lines(validate_document(document))
    assert "facts/rt-byline: time/text: lone surrogate U+D800 is not a character" in problems
    assert "facts/rt-byline: participants/0/role: lone surrogate U+DC80 is not a character" in problems


def test_unknown_top_level_table(document):
    document["_default"] = {}
    assert lines(validate_document(document)) == [
        "store: (top level): Additional properties are not allowed ('_default' was unexpected)"
    ]


def test_every_problem_is_reported_not_just_the_first(document):
    fact(document, "rt-byline")["type"] = "rumour"
    fact(document, "ru-kz-s300-free")["participants"][0]["entity"] = "moscovy"
    fact(document, "ru-tj-air-defence")["status"] = "maybe"
    assert [(p.record, p.field) for p in validate_document(document)] == [
        ("rt-byline", "type"),
        ("ru-kz-s300-free", "participants/0/entity"),
        ("ru-tj-air-defence", "status"),
    ]


@pytest.mark.parametrize(
    ("pointer", "vocabulary"),
    [
        (("$defs", "fact", "properties", "type"), FACT_TYPES),
        (("$defs", "entity", "properties", "kind"), ENTITY_KINDS),
        (("$defs", "fact", "properties", "participants", "items", "properties", "role"), ROLES),
        (("$defs", "fact", "properties", "status"), STATUSES),
        (("$defs", "precision"), PRECISIONS),
    ],
)
def test_schema_enums_are_the_vocabularies(pointer, vocabulary):
    node = load_schema()
    for key in pointer:
        node = node[key]
    assert node["enum"] == list(vocabulary)


def test_facts_validate_reports_each_problem_on_a_line(run, document, tmp_path):
    fact(document, "ru-kz-s300-free")["participants"][1]["entity"] = "kazakstan"
    fact(document, "rt-byline")["type"] = "rumour"
    broken = write_store(tmp_path / "broken.json", document)
    result = run("validate", "--db", str(broken))
    assert result.returncode == 4
    assert result.stdout.splitlines() == [
        f"facts/rt-byline: type: 'rumour' is not one of: {', '.join(FACT_TYPES)}",
        "facts/ru-kz-s300-free: participants/1/entity: unknown entity 'kazakstan'",
    ]
    assert result.stderr == f"facts: {broken}: 2 problems\n"


def test_facts_validate_passes_on_the_bundled_store(run):
    result = run("validate")
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""
    assert "valid: 1 source, 29 entities, 28 facts" in result.stderr


def test_facts_validate_does_not_touch_the_file(run, document, tmp_path):
    fact(document, "rt-byline")["type"] = "rumour"
    broken = write_store(tmp_path / "broken.json", document)
    before = broken.read_bytes(), broken.stat().st_mtime_ns
    run("validate", "--db", str(broken))
    assert (broken.read_bytes(), broken.stat().st_mtime_ns) == before
    assert json.loads(before[0])["facts"]


MUTATIONS = [
    (("facts", "1", "span", "start"), "zero"),
    (("facts", "1", "span", "start"), 1.5),
    (("facts", "1", "span", "end"), True),
    (("facts", "1", "time", "precision"), "week"),
    (("facts", "1", "time", "value"), "2015-1"),
    (("facts", "1", "time", "value"), "2015-12"),
    (("facts", "1", "time", "inferred"), "yes"),
    (("facts", "1", "participants", 0, "role"), 7),
    (("facts", "1", "participants", 0, "role"), "hero"),
    (("facts", "1", "participants"), []),
    (("facts", "1", "attributed_to"), {"entity": "shoigu"}),
    (("facts", "1", "place"), "moscow"),
    (("facts", "1", "place"), {"entity": "moscow"}),
    (("facts", "1", "place", "inferred"), "yes"),
    (("facts", "1", "type"), "rumour"),
    (("facts", "1", "status"), None),
    (("facts", "1", "extra"), "field"),
    (("facts", "1", "quote"), ""),
    (("entities", "1", "aliases", "ar"), "not a list"),
    (("entities", "1", "aliases", "ar"), ["x", "x"]),
    (("entities", "1", "id"), "Not A Slug"),
    (("entities", "1", "id"), "a" * 65),
    (("entities", "1", "name"), {"ar": "روسيا"}),
    (("entities", "1", "kind"), "planet"),
    (("sources", "1", "published", "value"), None),
    (("sources", "1", "published", "value"), "2015-02-30"),
    (("facts", "1", "time", "value"), "2015-02-30"),
    (("sources", "1", "language"), "Arabic"),
    (("facts", "1", "claim"), "two\nlines"),
    (("facts", "1", "claim"), "   "),
    (("facts", "1", "claim_en"), "a bell\x07"),
]


def mutated(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


def rejects(check: Any, document: Any) -> bool:
    try:
        check(document)
    except fastjsonschema.JsonSchemaValueException:
        return True
    return False


VALIDATORS = {
    "generated at build": _schema_validator.validate,
    "compiled now": fastjsonschema.compile(validation_schema()),
}


def test_the_compiled_check_in_the_package_is_made_from_its_schema():
    assert schema_digest() == _schema_validator.SCHEMA_DIGEST
    assert compiled_schema() is _schema_validator.validate


@pytest.mark.parametrize("name", VALIDATORS)
@pytest.mark.parametrize(("path", "value"), MUTATIONS)
def test_the_compiled_check_rejects_what_jsonschema_rejects(document, name, path, value):
    """fastjsonschema follows draft 7, which ignores keywords beside a `$ref`: compiled from the schema file it
    passed broken records; compiled from the inlined schema it refuses what jsonschema refuses."""
    whole = Draft202012Validator(load_schema())
    assert whole.is_valid(document) and not rejects(VALIDATORS[name], document)
    broken = mutated(document, path, value)
    assert rejects(VALIDATORS[name], broken) is not whole.is_valid(broken)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3000) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_compiled_check_agrees_with_jsonschema_on_any_change_to_a_record(bundled_document, data):
    document = copy.deepcopy(bundled_document)
    table = data.draw(st.sampled_from(TABLES))
    key = data.draw(st.sampled_from(sorted(document[table])))
    node, path = document[table][key], []
    while isinstance(node, dict | list) and node and data.draw(st.booleans()):
        step = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        node, path = node[step], [*path, step]
    if isinstance(node, dict) and data.draw(st.booleans()):
        path.append(data.draw(st.sampled_from(["id", "x", "entity", "value", "ar", *sorted(node)])))
    if not path:
        return
    mutated(document, (table, key, *path), data.draw(JSON))
    valid = Draft202012Validator(load_schema()).is_valid(document)
    for check in VALIDATORS.values():
        assert rejects(check, document) is not valid


@pytest.mark.parametrize(("path", "value"), MUTATIONS)
def test_a_change_is_checked_as_the_whole_store_would_be(document, path, value):
    """A record added broken is reported by the check of what changed exactly as by the check of the whole store."""
    table, key = path[0], path[1]
    record = mutated(copy.deepcopy(document), path, value)[table][key]
    record = {**record, "id": "new-record"} if "id" not in path else record
    added = str(max(map(int, document[table])) + 1)
    document[table][added] = record
    changes = Changes({t: [added] if t == table else [] for t in TABLES}, {t: {} for t in TABLES})
    assert lines(validate_document(document, changes)) == lines(validate_document(document)) != []


def test_removing_what_facts_refer_to_is_checked_as_the_whole_store_would_be(document):
    entity_key = next(k for k, e in document["entities"].items() if e["id"] == "kazakhstan")
    source_key = "1"
    removed = {"entities": {entity_key: document["entities"].pop(entity_key)}, "sources": {}, "facts": {}}
    removed["sources"][source_key] = document["sources"].pop(source_key)
    changes = Changes({t: [] for t in TABLES}, removed)
    found = lines(validate_document(document, changes))
    assert found == lines(validate_document(document))
    assert any("unknown entity 'kazakhstan'" in line for line in found)
    assert sum("unknown source 'rt-ar-2015-12-23'" in line for line in found) == len(document["facts"])


def test_a_source_added_under_a_stored_id_is_checked_as_the_whole_store_would_be(document):
    """Spans are read against the last source of an id: adding one under a stored id moves every span."""
    source = {**document["sources"]["1"], "text": "another text altogether"}
    document["sources"]["2"] = source
    changes = Changes({"sources": ["2"], "entities": [], "facts": []}, {t: {} for t in TABLES})
    found = lines(validate_document(document, changes))
    assert found == lines(validate_document(document))
    assert found[0] == "sources/rt-ar-2015-12-23: id: duplicate id: records #1 and #2"
    assert len(found) == 1 + len(document["facts"])


def test_a_span_written_with_fractions_is_checked_against_the_text(document):
    record = fact(document, "rt-byline")
    start, end = record["span"]["start"], record["span"]["end"]
    record["span"] = {"start": float(start), "end": float(end)}
    assert validate_document(document) == []
    record["span"] = {"start": float(start - 1), "end": float(end - 1)}
    assert lines(validate_document(document))[0].startswith(f"facts/rt-byline: span: text[{start - 1}.0:{end - 1}.0]")
    record["span"] = {"start": 0.0, "end": 1e16}
    assert lines(validate_document(document)) == [
        "facts/rt-byline: span: 0.0:1e+16 is not a span inside the source text of 2333 code points"
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("facts", "1", "span", "start"), "zero"),
        (("facts", "1", "time", "precision"), "week"),
        (("facts", "1", "time", "value"), "2015-1"),
        (("facts", "1", "participants", 0, "role"), 7),
        (("entities", "1", "aliases", "ar"), "not a list"),
        (("entities", "1", "id"), "Not A Slug"),
        (("sources", "1", "published", "value"), None),
        (("facts", "1", "claim"), "two\nlines"),
    ],
)
def test_the_inlined_schema_finds_what_the_schema_finds(document, path, value):
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    def found(schema):
        errors = Draft202012Validator(schema).iter_errors(document)
        return sorted((list(e.absolute_path), e.message) for e in errors)

    assert found(validation_schema()) == found(load_schema()) != []
    assert "$ref" not in json.dumps({k: v for k, v in validation_schema().items() if k != "$defs"})
