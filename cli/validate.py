"""Checking a store: the JSON Schema, references between records, spans against the source text, ids, dates; the
whole store, or what one change added and removed.

The schema is checked by a compiled validator (fastjsonschema), made when the package is built from the very schema
shipped with it; jsonschema is imported only to word what the compiled one refuses, every problem of it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from .model import TABLES, Record, date_problem, entity_references, schema_digest, validation_schema, whole_number
from .sanitize import sanitize
from .storage import Changes

Scope = dict[str, list[str]]
"""The keys of the records to check, by table; None for every record."""


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


@cache
def compiled_schema() -> Callable[[Any], Any]:
    """The schema as a compiled check (raises fastjsonschema's JsonSchemaValueException at the first problem).

    Made from the inlined schema (`validation_schema`), as fastjsonschema follows draft 7, where keywords beside a
    `$ref` are ignored. The package is built with it compiled (`facts_cli/_schema_validator.py`, by
    hatch_build.py), about 8 ms to load against about 40 ms to compile in each process; it is used only when it
    was made from the schema and inlining of this very package (its digest), and compiled here otherwise.
    """
    try:
        from . import _schema_validator as generated
    except ImportError:
        generated = None
    if generated is not None and getattr(generated, "SCHEMA_DIGEST", None) == schema_digest():
        return generated.validate
    import fastjsonschema

    return fastjsonschema.compile(validation_schema())


def _passes(check: Callable[[Any], Any], document: Any) -> bool:
    from fastjsonschema import JsonSchemaValueException

    try:
        check(document)
    except JsonSchemaValueException:
        return False
    return True


def _failing(document: dict[str, Any], scope: Scope | None) -> dict[str, Any] | None:
    """The part of the document the compiled schema refuses: its top level, with each table holding only the
    records (in scope) that fail; None when nothing fails."""
    check = compiled_schema()
    tables = [table for table in TABLES if isinstance(document.get(table), dict)]
    if scope is None:
        if _passes(check, document):
            return None
        chosen = {table: list(document[table]) for table in tables}
    else:
        chosen = {table: scope.get(table, []) for table in tables}
    skeleton: dict[str, Any] = {key: {} if key in tables else value for key, value in document.items()}
    empty: dict[str, Any] = {table: {} for table in TABLES}
    failed = not _passes(check, skeleton) if scope is None else False
    for table in tables:
        for key in chosen[table]:
            record = document[table][key]
            if not _passes(check, {**empty, table: {key: record}}):
                skeleton[table][key] = record
                failed = True
    return skeleton if failed else None


def _schema_problems(document: dict[str, Any], scope: Scope | None) -> Iterator[Problem]:
    """The schema's problems, worded by jsonschema (every one, not only the first) for what the compiled check
    refuses: the same problems as jsonschema over the whole document, for the cost of the compiled check."""
    failing = _failing(document, scope)
    if failing is None:
        return
    from jsonschema import Draft202012Validator

    for error in Draft202012Validator(validation_schema()).iter_errors(failing):
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


def _duplicate_ids(document: dict[str, Any], scope: Scope | None) -> Iterator[Problem]:
    for table in TABLES:
        records = document.get(table, {})
        wanted = None if scope is None else {_id(records[key]) for key in scope.get(table, []) if key in records}
        seen: dict[str, str] = {}
        for doc_id, record in records.items():
            record_id = record.get("id")
            if not isinstance(record_id, str) or (wanted is not None and record_id not in wanted):
                continue
            if record_id in seen:
                yield Problem(table, record_id, "id", f"duplicate id: records #{seen[record_id]} and #{doc_id}")
            else:
                seen[record_id] = doc_id


def _text(value: Any) -> str | None:
    """`value` when it is text (an id, a reference), else None: what a set of ids can hold."""
    return value if isinstance(value, str) else None


def _id(record: Record) -> str | None:
    return _text(record.get("id"))


def _ids(document: dict[str, Any], table: str) -> set[str]:
    return {r["id"] for r in document.get(table, {}).values() if isinstance(r.get("id"), str)}


def _span_problem(fact: Record, texts: dict[str, str]) -> str | None:
    """What is wrong with a fact's span, or None (also None when the schema or references already say it)."""
    span, quote, source = fact.get("span"), fact.get("quote"), fact.get("source")
    text = texts.get(source) if isinstance(source, str) else None
    if not (isinstance(span, dict) and isinstance(quote, str) and isinstance(text, str)):
        return None
    start, end = whole_number(span.get("start")), whole_number(span.get("end"))
    if start is None or end is None:
        return None
    if not 0 <= start < end <= len(text):
        return f"{span['start']}:{span['end']} is not a span inside the source text of {len(text)} code points"
    if text[start:end] == quote:
        return None
    found = text.find(quote)
    hint = f"; the quote stands at {found}:{found + len(quote)}" if found >= 0 else "; the quote is not in the text"
    return f"text[{span['start']}:{span['end']}] is {text[start:end]!r}, not the quote {quote!r}{hint}"


def _facts_to_check(document: dict[str, Any], scope: Scope | None, changes: Changes | None) -> Iterable[str]:
    """The facts whose references to check: all; or those a change added, and those that refer to an entity it
    removed or to a source it added or removed (a source added under a stored id changes which text spans are of)."""
    facts = document.get("facts", {})
    if scope is None or changes is None:
        return facts
    sources = document.get("sources", {})
    gone = {_id(r) for r in changes.removed.get("entities", {}).values()}
    touched = {_id(r) for r in changes.removed.get("sources", {}).values()}
    touched |= {_id(sources[key]) for key in scope.get("sources", []) if key in sources}
    chosen = dict.fromkeys(key for key in scope.get("facts", []) if key in facts)
    if gone or touched:
        for key, fact in facts.items():
            entities = {entity for _, entity in entity_references(fact) if isinstance(entity, str)}
            if entities & gone or _text(fact.get("source")) in touched:
                chosen[key] = None
    return chosen


def _reference_problems(document: dict[str, Any], scope: Scope | None, changes: Changes | None) -> Iterator[Problem]:
    entities, sources = _ids(document, "entities"), _ids(document, "sources")
    all_sources = document.get("sources", {})
    texts = {_id(r): r.get("text") for r in all_sources.values()}
    facts = document.get("facts", {})
    for doc_id in _facts_to_check(document, scope, changes):
        fact = facts[doc_id]
        label = _record_label(document, "facts", doc_id)
        for field_name, entity in entity_references(fact):
            if isinstance(entity, str) and entity not in entities:
                yield Problem("facts", label, field_name, f"unknown entity {entity!r}")
        source = fact.get("source")
        if isinstance(source, str) and source not in sources:
            yield Problem("facts", label, "source", f"unknown source {source!r}")
        span = _span_problem(fact, texts)
        if span:
            yield Problem("facts", label, "span", span)
        date = date_problem(fact.get("time"))
        if date:
            yield Problem("facts", label, "time/value", date)
    for doc_id in all_sources if scope is None else [k for k in scope.get("sources", []) if k in all_sources]:
        date = date_problem(all_sources[doc_id].get("published"))
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


def surrogate_problems(document: dict[str, Any], changes: Changes | None = None) -> list[Problem]:
    """A lone surrogate (`\\ud800` in the JSON) is no character: it cannot be written as UTF-8 or shown. In the
    whole document, or in the records a change added. (A write finds them as it encodes the store.)"""
    import orjson

    scope = _scope(changes)
    tables = {table: document.get(table, {}) for table in TABLES}
    if scope is not None:
        tables = {table: {k: rows[k] for k in scope.get(table, []) if k in rows} for table, rows in tables.items()}
    try:
        orjson.dumps(tables)
        return []  # the common case, checked at C speed: orjson refuses a string that has no UTF-8
    except TypeError:  # a lone surrogate, or what orjson does not take (integers past 64 bits, deep nesting)
        import json

        try:
            json.dumps(tables, ensure_ascii=False).encode("utf-8")
            return []
        except UnicodeEncodeError:
            pass
    problems = []
    for table, records in tables.items():
        for doc_id, record in records.items():
            for path, text in _strings(record, ""):
                lone = next((c for c in text if "\ud800" <= c <= "\udfff"), None)
                if lone is not None:
                    label = _record_label(document, table, doc_id)
                    message = f"lone surrogate U+{ord(lone):04X} is not a character"
                    problems.append(Problem(table, label, path or "(record)", message))
    return problems


# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the Trojan Source characters: they make
# text show in an order other than the one stored. Marks (U+200E, U+200F, U+061C) are not among them.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_CONTROL_UTF8 = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
# The article's own words, kept as the article has them: a quote must be the very text of its source.
_VERBATIM = {("sources", "text"), ("facts", "quote")}


def _bidi_problems(document: dict[str, Any], scope: Scope | None) -> Iterator[Problem]:
    """A bidi embedding, override or isolate in any text of a record but the article's own words (a source's
    text, a fact's quote): claims, names, aliases, descriptions, cues are written in logical order, which the
    terminal, or `--bidi visual`, puts in display order; such a character would show them in another."""
    import orjson

    tables = {table: document.get(table, {}) for table in TABLES}
    if scope is not None:
        tables = {table: {k: rows[k] for k in scope.get(table, []) if k in rows} for table, rows in tables.items()}
    try:
        if not _BIDI_CONTROL_UTF8.search(orjson.dumps(tables)):
            return  # the common case, at C speed
    except TypeError:  # what orjson does not take (a lone surrogate, an integer past 64 bits): look at each text
        pass
    for table, records in tables.items():
        for doc_id, record in records.items():
            for path, text in _strings(record, ""):
                found = _BIDI_CONTROL.search(text) if (table, path) not in _VERBATIM else None
                if found:
                    char = found[0]
                    name = unicodedata.name(char, "a bidi control")
                    message = (
                        f"U+{ord(char):04X} {name} at {found.start()}: a bidi control shows text in an order other "
                        "than the stored one (Trojan Source); write it without"
                    )
                    yield Problem(table, _record_label(document, table, doc_id), path or "(record)", message)


def _objects(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(path, object) for a record and every object in it."""
    if isinstance(value, dict):
        yield path, value
        for key, child in value.items():
            yield from _objects(child, f"{path}/{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _objects(child, f"{path}/{index}" if path else str(index))


def _duplicate_key_problems(
    document: dict[str, Any], duplicates: Iterable[tuple[dict[str, Any], str]]
) -> Iterator[Problem]:
    """A key that one object of the file holds twice: JSON keeps the last value, so the other is unseen by every
    command, and a write would drop it from the file. Each is named by where the object is."""
    duplicates = list(duplicates)
    if not duplicates:
        return
    wanted = {id(found) for found, _ in duplicates}
    where: dict[int, tuple[str, str, str]] = {id(document): ("store", "", "(top level)")}
    for table in TABLES:
        records = document.get(table)
        if not isinstance(records, dict):
            continue
        where[id(records)] = (table, "", "(table)")
        for key, record in records.items():
            for path, found in _objects(record, ""):
                if id(found) in wanted:
                    where[id(found)] = (table, _record_label(document, table, key), path or "(record)")
    lost = "only the last is read, and a write would drop the other"
    for found, key in duplicates:
        table, label, field = where.get(id(found), ("store", "", "(somewhere)"))
        if field == "(top level)":
            yield Problem(key if key in TABLES else table, "", "(table)", f"table {key!r} stands twice: {lost}")
        elif field == "(table)":
            yield Problem(table, f"#{key}", "(record)", f"two records under key {key!r}: {lost}")
        else:
            yield Problem(table, label, f"{field}/{key}" if field != "(record)" else key, f"key stands twice: {lost}")


def _scope(changes: Changes | None) -> Scope | None:
    return None if changes is None else {table: list(keys) for table, keys in changes.inserted.items()}


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    """Problems once each, by table (in the store's order), record, field and message."""
    return sorted(set(problems), key=lambda p: (TABLES.index(p.table) if p.table in TABLES else -1, p))


def validate_document(
    document: dict[str, Any],
    changes: Changes | None = None,
    *,
    surrogates: bool = True,
    duplicates: Iterable[tuple[dict[str, Any], str]] = (),
) -> list[Problem]:
    """Every problem of a store's document, one per field, in a stable order.

    With `changes`, the document is taken for one that validated before them, and only what they can have broken
    is checked: the records they added, in full (schema, references, spans, dates, ids against every other), and
    the facts that refer to what they removed; the problems are the same as those of the whole document. Without
    `surrogates`, lone surrogates are not looked for (a write finds them as it encodes). `duplicates` are the keys
    an object of the file held twice (`Store.duplicates`), which the document cannot show.

    The document must already be shaped as a store (an object of tables of objects), as `open_store` ensures.
    """
    scope = _scope(changes)
    problems = [
        *_schema_problems(document, scope),
        *_duplicate_ids(document, scope),
        *_reference_problems(document, scope, changes),
        *_bidi_problems(document, scope),
        *_duplicate_key_problems(document, duplicates),
    ]
    if surrogates:
        problems += surrogate_problems(document, changes)
    return ordered(problems)
