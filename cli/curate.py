"""Curating a store: init, add, import, export and remove, each a validated all-or-nothing write."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .model import SINGULAR, TABLES, Record, as_text, fact_entities, json_kind, json_text
from .storage import Draft, InputError, Store, StoreError, UnknownRecord
from .store import bundled_store_path, new_store_path, open_store, storage_for

EMPTY_STORE: dict[str, dict[str, Any]] = {table: {} for table in TABLES}


Notify = Callable[[str], None] | None
"""Told what a user should know while a write waits (for another writer)."""


def init_store(path: Path, *, empty: bool, force: bool, dry_run: bool = False, notify: Notify = None) -> int:
    """Write a new store at `path` (never over the bundled one): a copy of the bundled one, or an empty one.
    Returns how many facts it holds. A `dry_run` checks that it could, and writes nothing."""
    storage = storage_for(new_store_path(path), notify)
    document = EMPTY_STORE if empty else open_store(bundled_store_path()).document
    storage.create(document, replace=force, dry_run=dry_run)
    return len(document.get("facts", {}))


def parse_json(text: str, what: str) -> Any:
    """JSON text (RFC 8259: not NaN or Infinity), or InputError naming the line and column (or what else is wrong:
    nested past Python's recursion limit, an integer past the 4,300 digits Python converts)."""
    try:
        return json_text(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{what} is not JSON: line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise InputError(f"{what} is nested too deeply to be a fact") from None
    except ValueError as error:  # int_max_str_digits: "Exceeds the limit (4300 digits) for integer string ..."
        if "digits" in str(error):
            raise InputError(f"{what} holds a number of over 4,300 digits, more than any store holds") from None
        raise InputError(f"{what} is not JSON: {error}") from None


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.casefold())
    slug = "-".join(words[:6])[:48].strip("-")
    return slug or "fact"


def new_fact_id(fact: Record, taken: Iterable[str]) -> str:
    """An id for a fact that has none: the first words of its English claim, made unique with `-2`, `-3`..."""
    taken = set(taken)
    base = _slug(str(fact.get("claim_en") or ""))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def locate_span(fact: Record, sources: Iterable[Record]) -> None:
    """Give a fact without a span the span of its quote, when the quote stands exactly once in its source."""
    if "span" in fact or not isinstance(fact.get("quote"), str) or not fact["quote"]:
        return
    source = next((s for s in sources if s.get("id") == fact.get("source")), None)
    text = source.get("text") if source else None
    if isinstance(text, str) and text.count(fact["quote"]) == 1:
        start = text.index(fact["quote"])
        fact["span"] = {"start": start, "end": start + len(fact["quote"])}


def _insert_facts(draft: Draft, facts: list[Record]) -> list[str]:
    """Insert facts, each given an id from its English claim when it has none, and the span of its quote when it
    has none and the quote stands once in its source. Returns their ids."""
    taken = {as_text(f.get("id")) for f in draft.records("facts").values()}
    sources = draft.records("sources").values()
    prepared = []
    for incoming in facts:
        fact = dict(incoming)
        if "id" not in fact:
            fact["id"] = new_fact_id(fact, taken)
        taken.add(as_text(fact["id"]))
        locate_span(fact, sources)
        prepared.append(fact)
    draft.insert("facts", prepared)
    return [as_text(fact["id"]) for fact in prepared]


def add_fact(path: Path, fact: Any, *, dry_run: bool = False, notify: Notify = None) -> str:
    """Add one fact (as `facts show ID --format json` prints it); returns its id, generated when absent."""
    if not isinstance(fact, dict):
        raise InputError(f"a fact is a JSON object, not {json_kind(fact)}")
    return storage_for(path, notify).apply(lambda draft: _insert_facts(draft, [fact])[0], dry_run=dry_run)


def export_document(store: Store, facts: list[Record] | None = None) -> dict[str, list[Record]]:
    """The whole store as one JSON document: the records of each table, in order, without TinyDB's ids.

    With `facts`, those facts and the sources and entities they refer to (in store order): a store of its own,
    which `facts import` takes into an empty store, or back into the one it came from (adding nothing)."""
    if facts is None:
        return {table: [dict(record) for record in getattr(store, table)] for table in TABLES}
    sources = {fact["source"] for fact in facts if isinstance(fact.get("source"), str)}
    entities = set().union(*map(fact_entities, facts))

    def referred(records: list[Record], ids: set[str]) -> list[Record]:
        return [dict(record) for record in records if isinstance(record.get("id"), str) and record["id"] in ids]

    return {
        "sources": referred(store.sources, sources),
        "entities": referred(store.entities, entities),
        "facts": [dict(f) for f in facts],
    }


def parse_import(text: str) -> dict[str, list[Record]]:
    """What `facts import` reads: an export document, a JSON array of facts, JSON Lines of facts, or one fact."""
    stripped = text.strip()
    if not stripped:
        raise InputError("the input is empty")
    try:
        data = parse_json(stripped, "the input")
    except InputError:
        if "\n" not in stripped:
            raise
        lines = [(number, line) for number, line in enumerate(stripped.splitlines(), 1) if line.strip()]
        data = [parse_json(line, f"line {number} of the JSON Lines input") for number, line in lines]
    tables = data.values() if isinstance(data, dict) and set(data) <= set(TABLES) else []
    if tables and all(isinstance(t, dict) for t in tables) and any(key.isdigit() for t in tables for key in t):
        raise InputError(
            "the input is a facts store (tables of records under TinyDB ids), not an export: "
            "`facts export --db FILE` prints one that import takes"
        )
    if isinstance(data, dict) and not set(data) <= set(TABLES):
        data = [data]
    if isinstance(data, list):
        data = {"facts": data}
    if not isinstance(data, dict):
        raise InputError(f"expected facts or an export document, not {json_kind(data)}")
    document = {table: data.get(table, []) for table in TABLES}
    for table, records in document.items():
        if not isinstance(records, list):
            raise InputError(f"{table!r} of an export document is a list of records")
        for index, record in enumerate(records, 1):
            if not isinstance(record, dict):
                raise InputError(f"{SINGULAR[table]} {index} of the input is not a JSON object")
    return document


def import_records(
    path: Path, incoming: dict[str, list[Record]], *, dry_run: bool = False, notify: Notify = None
) -> dict[str, int]:
    """Add every record, or none: sources, then entities, then facts (prepared as `add` does). A record identical
    to one already stored (same id, same content) is skipped; a different record under a stored id is a duplicate,
    and refuses the whole import. Returns how many records of each table were added."""

    def change(draft: Draft) -> dict[str, int]:
        added = {}
        for table in TABLES:
            stored = {as_text(r.get("id")): r for r in draft.records(table).values()}
            new = [r for r in incoming[table] if "id" not in r or stored.get(as_text(r["id"])) != r]
            if table == "facts":
                _insert_facts(draft, new)
            else:
                draft.insert(table, new)
            added[table] = len(new)
        return added

    return storage_for(path, notify).apply(change, dry_run=dry_run)


def remove_records(
    path: Path,
    table: str,
    ids: list[str],
    *,
    cascade: bool,
    dry_run: bool = False,
    expected: dict[str, list[str]] | None = None,
    notify: Notify = None,
) -> dict[str, list[str]]:
    """Remove records of a table by id, all or none. An entity or source that facts still refer to is removed
    only with `cascade`, which removes those facts too. Returns the ids removed, by table.

    With `expected` (what a dry run said it would remove, as shown to the user), nothing is removed unless it is
    exactly that: the store may have changed meanwhile."""

    def change(draft: Draft) -> dict[str, list[str]]:
        keys = {r["id"]: key for key, r in draft.records(table).items() if isinstance(r.get("id"), str)}
        missing = [record_id for record_id in ids if record_id not in keys]
        if missing:
            raise UnknownRecord(f"no {SINGULAR[table]} with id {missing[0]!r}")
        removed: dict[str, list[str]] = {table: list(dict.fromkeys(ids))}
        if table != "facts":
            wanted = set(ids)
            refer = {
                key: f
                for key, f in draft.records("facts").items()
                if (fact_entities(f) if table == "entities" else {as_text(f.get("source"))}) & wanted
            }
            if refer and not cascade:
                shown = [str(f.get("id")) for f in list(refer.values())[:5]]
                referring = ", ".join(shown) + (" ..." if len(refer) > 5 else "")
                facts = f"{len(refer)} fact refers" if len(refer) == 1 else f"{len(refer)} facts refer"
                raise InputError(f"{facts} to {', '.join(ids)} ({referring}); --cascade removes them too")
            removed["facts"] = [str(f.get("id")) for f in refer.values()]
            draft.remove("facts", refer)
        if expected is not None and removed != expected:
            raise StoreError(f"{path}: the store changed since it was read; nothing removed: run the command again")
        draft.remove(table, [keys[record_id] for record_id in removed[table]])
        return removed

    return storage_for(path, notify).apply(change, dry_run=dry_run)
