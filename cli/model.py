"""What a store holds: its tables and record types, field access, the fields that refer to entities, dates, and
the JSON Schema shipped in the package with the field names it gives each kind of record. No I/O but the schema."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

SCHEMA_FILE = "facts.schema.json"

Record = dict[str, Any]
"""A record as stored: a source, an entity or a fact (the schema's `$defs` say which fields each has)."""

TABLES = ("sources", "entities", "facts")
"""The tables of a store, in the order they are read, written and reported."""

SINGULAR = {"sources": "source", "entities": "entity", "facts": "fact"}
"""The record type of each table (a `$defs` name of the schema)."""

ARTICLE = "article"
"""The speaker of a fact the article asserts itself (no `attributed_to`)."""


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: what a read takes from a field a store may hold wrong."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """`value` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


class _NotANumber(ValueError):
    """NaN, Infinity, -Infinity or a number past a double's range (1e999): Python's json reads them, but they are
    not JSON (RFC 8259) and no JSON tool can read them back."""

    def __init__(self, message: str, literal: str) -> None:
        super().__init__(message)
        self.literal = literal


def _refuse_constant(literal: str) -> Any:
    raise _NotANumber(f"{literal} is not a JSON number", literal)


def _finite(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise _NotANumber(f"{literal} is past the range of a number (a double)", literal)
    return value


def json_text(text: str, *, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """JSON text as RFC 8259 has it, parsed by Python's json: NaN, Infinity and numbers past a double's range (which
    json takes and writes back as no JSON) raise ValueError, naming the line and column when orjson, which refuses
    them with a position, stops there (the hooks run only for such literals and for numbers with a fraction or
    exponent, which a store hardly holds: no cost to a read)."""
    try:
        return json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite, object_pairs_hook=object_pairs_hook
        )
    except _NotANumber as error:
        import orjson

        try:
            orjson.loads(text)
        except orjson.JSONDecodeError as located:
            at, size = located.pos, len(error.literal)
            if error.literal.lstrip("-") in located.doc[max(0, at - size) : at + size]:  # it stopped at this one
                raise json.JSONDecodeError(str(error), located.doc, at) from None
        raise ValueError(str(error)) from None


def json_kind(value: Any) -> str:
    """What a parsed JSON value is, in JSON's words (`null`, `a string`, `an array`), for a message: never Python's
    type names (`NoneType`, `str`, `list`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def as_text(value: Any) -> str:
    """A value as one line of text: a string as it is, null as nothing, anything else as compact JSON (what a
    count, a label or a cell shows of a field a store holds wrong, and what the flat formats write of arrays)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def field_value(record: Record, dotted: str) -> Any:
    """The value at a dotted path (`time.value`) of a record; None where any step is missing or null."""
    value: Any = record
    for key in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def whole_number(value: Any) -> int | None:
    """A number that is whole, as an int (a span's start or end: JSON Schema counts 5.0 an integer too), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None


def entity_references(fact: Record) -> Iterator[tuple[str, Any]]:
    """(field, entity id) for every field of a fact that refers to an entity: each participant, who the fact is
    attributed to, its place (`place.entity`). The ids are as stored, whatever their type (validation says when one
    is not an id)."""
    for index, participant in enumerate(as_list(fact.get("participants"))):
        if isinstance(participant, dict) and "entity" in participant:
            yield f"participants/{index}/entity", participant["entity"]
    attributed = fact.get("attributed_to")
    if isinstance(attributed, dict) and "entity" in attributed:
        yield "attributed_to/entity", attributed["entity"]
    place = fact.get("place")
    if isinstance(place, dict) and "entity" in place:
        yield "place/entity", place["entity"]


def fact_entities(fact: Record) -> set[str]:
    """Every entity a fact involves: participants, who it is attributed to, and its place."""
    return {entity for _, entity in entity_references(fact) if isinstance(entity, str)}


def fact_speaker(fact: Record) -> str:
    """Who a fact is attributed to: an entity id (as text, whatever the store holds), or ARTICLE when the article
    asserts it itself."""
    attributed = fact.get("attributed_to")
    return as_text(attributed.get("entity")) if isinstance(attributed, dict) else ARTICLE


class Period(NamedTuple):
    """The days a partial ISO date covers: `2015` is 2015-01-01 to 2015-12-31."""

    first: datetime.date
    last: datetime.date

    @classmethod
    def parse(cls, value: str) -> Period:
        """`YYYY`, `YYYY-MM` or `YYYY-MM-DD`; ValueError for anything else or an impossible date."""
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
        if not match:
            raise ValueError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        try:
            first = datetime.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
        if day:
            return cls(first, first)
        if month:
            next_month = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return cls(first, next_month - datetime.timedelta(days=1))
        return cls(first, first.replace(month=12, day=31))


def fact_period(fact: Record) -> Period | None:
    """The days a fact's time covers, at its precision; None for an undated fact."""
    time = fact.get("time")
    if not isinstance(time, dict) or not isinstance(time.get("value"), str):
        return None
    try:
        return Period.parse(time["value"])
    except ValueError:
        return None


def date_problem(time: Any) -> str | None:
    """Why a time's value (a fact's `time`, a source's `published`) is not a real calendar date, or None (also
    None when it is not digits and hyphens at all, which the schema says)."""
    if not isinstance(time, dict) or not isinstance(time.get("value"), str):
        return None
    value = time["value"]
    parts = value.split("-")
    if not all(part.isascii() and part.isdigit() for part in parts) or len(parts) > 3:
        return None
    padded = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        datetime.date(*padded)
    except ValueError:
        return f"{value!r} is not a calendar date"
    return None


@cache
def load_schema() -> dict[str, Any]:
    """The JSON Schema shipped in the package (`cli/schema/facts.schema.json`)."""
    return json.loads((Path(__file__).parent / "schema" / SCHEMA_FILE).read_text(encoding="utf-8"))


@cache
def validation_schema() -> dict[str, Any]:
    """The schema with each `$ref` replaced by what it names (with its sibling keywords, `allOf` the two, as
    draft 2020-12 reads them): jsonschema resolves a `$ref` on every use, which was 45% of the time of validating
    a store. A `$ref` met again within itself is kept, with `$defs`, so the result is finite whatever the schema."""
    schema = load_schema()
    definitions = schema.get("$defs", {})

    def inline(node: Any, within: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(child, within) for child in node]
        if not isinstance(node, dict):
            return node
        reference = node.get("$ref")
        name = reference.removeprefix("#/$defs/") if isinstance(reference, str) else None
        if name is None or name not in definitions or name in within:
            return {key: inline(child, within) for key, child in node.items()}
        target = inline(definitions[name], (*within, name))
        siblings = {key: inline(child, within) for key, child in node.items() if key != "$ref"}
        return {"allOf": [target], **siblings} if siblings else target

    return {key: inline(child, ()) if key != "$defs" else child for key, child in schema.items()}


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node and "properties" not in node:
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def _leaves(schema: dict[str, Any], node: dict[str, Any], prefix: str) -> list[str]:
    node = _resolve(schema, node)
    properties = node.get("properties")
    if not properties or node.get("type") == "array":
        return [prefix]
    names: list[str] = []
    for name, child in properties.items():
        names += _leaves(schema, child, f"{prefix}.{name}" if prefix else name)
    return names


@cache
def record_fields(kind: str) -> tuple[str, ...]:
    """The dotted leaf fields of a record kind (`fact`, `entity`, `source`) in schema order: `time.value`, ...

    Arrays (participants, aliases) are one field each: their JSON text in flat formats.
    """
    schema = load_schema()
    return tuple(_leaves(schema, schema["$defs"][kind], ""))


@cache
def schema_digest() -> str:
    """A digest of the schema as validation reads it (inlined): which schema a compiled validator was made from."""
    import hashlib

    return hashlib.sha256(json.dumps(validation_schema(), sort_keys=True).encode("utf-8")).hexdigest()
