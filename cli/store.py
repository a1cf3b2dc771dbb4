"""The fact store: which file to open, and reading its three tables without ever writing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import JSONStorage

ENV_VAR = "FACTS_DB"
TABLES = ("sources", "entities", "facts")

Record = dict[str, Any]


class StoreError(Exception):
    """The store cannot be opened or read: missing, unreadable, not JSON, or not shaped as a store."""


def bundled_store_path() -> Path:
    """The store shipped with the package (`cli/facts.json` in a wheel, `facts.json` beside `cli/` in a checkout)."""
    package_dir = Path(__file__).resolve().parent
    shipped = package_dir / "facts.json"
    return shipped if shipped.is_file() else package_dir.parent / "facts.json"


def resolve_store_path(db: Path | None) -> Path:
    """`--db PATH`, else `$FACTS_DB`, else the bundled store."""
    if db is not None:
        return db
    from_env = os.environ.get(ENV_VAR)
    return Path(from_env) if from_env else bundled_store_path()


@dataclass(frozen=True)
class Store:
    """The records of one store file, as read; `document` is the file's whole JSON, TinyDB document ids included."""

    path: Path
    document: dict[str, Any]
    sources: list[Record] = field(default_factory=list)
    entities: list[Record] = field(default_factory=list)
    facts: list[Record] = field(default_factory=list)

    def find(self, table: str, record_id: str) -> Record | None:
        """The record of `table` whose `id` is `record_id`, or None."""
        return next((r for r in getattr(self, table) if r.get("id") == record_id), None)

    def entity_names(self) -> dict[str, Record]:
        """Entities by id, for turning references into names."""
        return {e["id"]: e for e in self.entities if isinstance(e.get("id"), str)}


def _check_shape(document: Any) -> str | None:
    """Why `document` is not shaped as a store, or None when it is."""
    if not isinstance(document, dict):
        return f"the top level is a JSON {type(document).__name__}, not an object of tables"
    for name in TABLES:
        table = document.get(name, {})
        if not isinstance(table, dict):
            return f"table {name!r} is not an object of records"
        for doc_id, record in table.items():
            if not (doc_id.isascii() and doc_id.isdigit()):
                return f"table {name!r} has a record under {doc_id!r}, not a TinyDB document id"
            if not isinstance(record, dict):
                return f"record {doc_id} of table {name!r} is not an object"
    return None


def open_store(path: Path) -> Store:
    """Read the store at `path` (read-only: the file is never created, touched or written)."""
    if not path.is_file():
        raise StoreError(f"{path}: no such store file" if not path.exists() else f"{path}: not a file")
    try:
        db = TinyDB(path, storage=CachingMiddleware(JSONStorage), access_mode="r", encoding="utf-8")
    except OSError as error:
        raise StoreError(f"{path}: cannot open: {error.strerror}") from None
    try:
        document = db.storage.read()
        if document is None:
            raise StoreError(f"{path}: the file is empty, not a facts store")
        problem = _check_shape(document)
        if problem:
            raise StoreError(f"{path}: not a facts store: {problem}")
        tables = {name: list(db.table(name).all()) for name in TABLES}
    except json.JSONDecodeError as error:
        raise StoreError(f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise StoreError(f"{path}: cannot read: {error.strerror}") from None
    finally:
        db.close()
    return Store(path=path, document=document, **tables)
