"""Checking a store: the JSON Schema, references between records, spans against the source text, ids, dates."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .model import validation_schema
from .sanitize import sanitize
from .store import TABLES, Record


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one field of one record."""

    table: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        """One line, safe for a terminal: ids and keys from the store may hold control characters."""
        where = f"{self.table}/{self.record}" if self.record else self.table
        return sanitize(f"{where}: {self.field}: {self.message}")


def _record_label(document: dict[str, Any], table: str, doc_id: str) -> str:
    """A record's own `id` when it has a usable one, else `#` and its TinyDB document id."""
    record = document.get(table, {}).get(doc_id)
    record_id = record.get("id") if isinstance(record, dict) else None
    return record_id if isinstance(record_id, str) and record_id else f"#{doc_id}"


def _schema_message(error: Any) -> str:
    """A short message for a jsonschema error: vocabularies listed, patterns described in words."""
    if error.validator == "enum":
        return f"{error.instance!r} is not one of: {', '.join(error.validator_value)}"
    if error.validator == "pattern" and "description" in error.schema:
        return f"{error.instance!r} is not {error.schema['description']}"
    return error.message


def _schema_problems(document: dict[str, Any]) -> Iterator[Problem]:
    from jsonschema import Draft202012Validator

    for error in Draft202012Validator(validation_schema()).iter_errors(document):
        path = [str(part) for part in error.absolute_path]
        if len(path) < 2:
            yield Problem(
                path[0] if path else "store", "", "(table)" if path else "(top level)", _schema_message(error)
            )
            continue
        table, doc_id, *rest = path
        yield Problem(
            table, _record_label(document, table, doc_id), "/".join(rest) or "(record)", _schema_message(error)
        )


def _duplicate_ids(document: dict[str, Any]) -> Iterator[Problem]:
    for table in TABLES:
        seen: dict[str, str] = {}
        for doc_id, record in document.get(table, {}).items():
            record_id = record.get("id")
            if not isinstance(record_id, str):
                continue
            if record_id in seen:
                yield Problem(table, record_id, "id", f"duplicate id: records #{seen[record_id]} and #{doc_id}")
            else:
                seen[record_id] = doc_id


def _ids(document: dict[str, Any], table: str) -> set[str]:
    return {r["id"] for r in document.get(table, {}).values() if isinstance(r.get("id"), str)}


def _entity_references(fact: Record) -> Iterator[tuple[str, Any]]:
    """(field, entity id) for every entity a fact refers to."""
    participants = fact.get("participants")
    for index, participant in enumerate(participants if isinstance(participants, list) else []):
        if isinstance(participant, dict) and "entity" in participant:
            yield f"participants/{index}/entity", participant["entity"]
    attributed = fact.get("attributed_to")
    if isinstance(attributed, dict) and "entity" in attributed:
        yield "attributed_to/entity", attributed["entity"]
    place = fact.get("place")
    if isinstance(place, dict) and "entity" in place:
        yield "place/entity", place["entity"]


def _span_problem(fact: Record, texts: dict[str, str]) -> str | None:
    """What is wrong with a fact's span, or None (also None when the schema or references already say it)."""
    span, quote, text = fact.get("span"), fact.get("quote"), texts.get(fact.get("source"))
    if not (isinstance(span, dict) and isinstance(quote, str) and isinstance(text, str)):
        return None
    start, end = span.get("start"), span.get("end")
    if not (isinstance(start, int) and isinstance(end, int)):
        return None
    if not 0 <= start < end <= len(text):
        return f"{start}:{end} is not a span inside the source text of {len(text)} code points"
    if text[start:end] == quote:
        return None
    found = text.find(quote)
    hint = f"; the quote stands at {found}:{found + len(quote)}" if found >= 0 else "; the quote is not in the text"
    return f"text[{start}:{end}] is {text[start:end]!r}, not the quote {quote!r}{hint}"


def _date_problem(time: Any) -> str | None:
    """Why a time's value is not a real calendar date, or None."""
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


def _reference_problems(document: dict[str, Any]) -> Iterator[Problem]:
    entities, sources = _ids(document, "entities"), _ids(document, "sources")
    texts = {r.get("id"): r.get("text") for r in document.get("sources", {}).values()}
    for doc_id, fact in document.get("facts", {}).items():
        label = _record_label(document, "facts", doc_id)
        for field_name, entity in _entity_references(fact):
            if isinstance(entity, str) and entity not in entities:
                yield Problem("facts", label, field_name, f"unknown entity {entity!r}")
        source = fact.get("source")
        if isinstance(source, str) and source not in sources:
            yield Problem("facts", label, "source", f"unknown source {source!r}")
        span = _span_problem(fact, texts)
        if span:
            yield Problem("facts", label, "span", span)
        date = _date_problem(fact.get("time"))
        if date:
            yield Problem("facts", label, "time/value", date)
    for doc_id, source_record in document.get("sources", {}).items():
        date = _date_problem(source_record.get("published"))
        if date:
            yield Problem("sources", _record_label(document, "sources", doc_id), "published/value", date)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, string) for every key and string value in a record."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield path, key
            yield from _strings(child, f"{path}/{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, f"{path}/{index}" if path else str(index))


def _surrogate_problems(document: dict[str, Any]) -> Iterator[Problem]:
    """A lone surrogate (`\\ud800` in the JSON) is no character: it cannot be written as UTF-8 or shown."""
    import json

    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
        return  # the common case, checked at C speed
    except UnicodeEncodeError:
        pass
    for table in TABLES:
        for doc_id, record in document.get(table, {}).items():
            for path, text in _strings(record, ""):
                lone = next((c for c in text if "\ud800" <= c <= "\udfff"), None)
                if lone is not None:
                    label = _record_label(document, table, doc_id)
                    yield Problem(
                        table, label, path or "(record)", f"lone surrogate U+{ord(lone):04X} is not a character"
                    )


def validate_document(document: dict[str, Any]) -> list[Problem]:
    """Every problem of a store's document, one per field, in a stable order.

    The document must already be shaped as a store (an object of tables of objects), as `open_store` ensures.
    """
    problems = {
        *_schema_problems(document),
        *_duplicate_ids(document),
        *_reference_problems(document),
        *_surrogate_problems(document),
    }
    return sorted(problems, key=lambda p: (TABLES.index(p.table) if p.table in TABLES else -1, p))
