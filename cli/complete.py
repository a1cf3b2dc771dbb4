"""Shell completion of values from the store named on the command line: fact ids, entity ids and names, source ids.

Typer calls these with the command line parsed so far (`ctx`) and the word being completed (`incomplete`). The
store is the one `--db` names on the line (before or after the command), else `$FACTS_DB`, else the bundled one;
one that cannot be read completes nothing. Names with spaces are left out: a shell would split them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _store(ctx: Any) -> Any:
    from .storage import StoreError
    from .store import open_store, resolve_store_path

    db = None
    while ctx is not None and db is None:
        db = ctx.params.get("db")
        ctx = ctx.parent
    try:
        return open_store(resolve_store_path(Path(db) if db else None))
    except (StoreError, OSError, ValueError):
        return None


def _printable(value: Any) -> bool:
    """Whether a value can go on a command line as it is (a shell would run what a control character does)."""
    from .sanitize import sanitize

    return isinstance(value, str) and bool(value) and sanitize(value) == value


def _ids(records: list[dict[str, Any]], incomplete: str) -> list[str]:
    return [r["id"] for r in records if _printable(r.get("id")) and r["id"].startswith(incomplete)]


def fact_ids(ctx: Any, incomplete: str) -> list[str]:
    """The ids of the store's facts that start with what is typed."""
    store = _store(ctx)
    return _ids(store.facts, incomplete) if store else []


def record_ids(ctx: Any, incomplete: str) -> list[str]:
    """The ids of the records `facts remove` would remove: facts, or the entities or sources `--kind` says."""
    store = _store(ctx)
    table = {"entity": "entities", "source": "sources"}.get(str(ctx.params.get("kind")), "facts")
    return _ids(getattr(store, table), incomplete) if store else []


def source_ids(ctx: Any, incomplete: str) -> list[str]:
    store = _store(ctx)
    return _ids(store.sources, incomplete) if store else []


def source_or_fact_ids(ctx: Any, incomplete: str) -> list[str]:
    """`facts source ID` takes either."""
    store = _store(ctx)
    return [*_ids(store.sources, incomplete), *_ids(store.facts, incomplete)] if store else []


def entity_names(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Entity ids, names and aliases (either script, any case; spelled as stored) that start with what is typed,
    each with the entity's English name as its description."""
    from .arabic import normalize
    from .query import spellings

    store = _store(ctx)
    if store is None:
        return []
    wanted = normalize(incomplete)
    found: dict[str, str] = {}
    for entity in store.entities:
        if not isinstance(entity.get("id"), str):
            continue
        try:
            label, names = str(entity["name"].get("en") or entity["id"]), spellings(entity)
        except (AttributeError, TypeError, KeyError):  # a record of the wrong shape: complete the others
            continue
        for spelling in names:
            whole = _printable(spelling) and not any(c.isspace() for c in spelling)
            if whole and normalize(spelling).startswith(wanted):
                found.setdefault(spelling, label)
    return sorted(found.items())


def speaker_names(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """As entity names, and `article` for what the article asserts itself."""
    from .query import ARTICLE

    article = [(ARTICLE, "the article itself")] if ARTICLE.startswith(incomplete) else []
    return article + entity_names(ctx, incomplete)


def command_names(ctx: Any, incomplete: str) -> list[str]:
    """The commands `facts help` can tell about."""
    root = ctx.find_root()
    return [name for name in root.command.list_commands(root) if name.startswith(incomplete)]


def field_names(valid: list[str]) -> Any:
    """A completion of `--fields A,B,...`: the next of `valid` after the last comma, not one already given."""

    def complete(incomplete: str) -> list[str]:
        given, _, last = incomplete.rpartition(",")
        chosen = set(given.split(","))
        lead = f"{given}," if given else ""
        return [lead + name for name in valid if name.startswith(last) and name not in chosen]

    return complete
