"""Shell completion of values from the store named on the command line: fact ids, entity ids and names, source ids.

Typer calls these with the command line parsed so far (`ctx`) and the word being completed (`incomplete`). The
store is the one `--db` names on the line (before or after the command), else `$FACTS_DB`, else the bundled one;
one that cannot be read completes nothing. Names with spaces are left out: a shell would split them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _store(ctx: Any) -> Any:
    from .store import StoreError, open_store, resolve_store_path

    db = None
    while ctx is not None and db is None:
        db = ctx.params.get("db")
        ctx = ctx.parent
    try:
        return open_store(resolve_store_path(Path(db) if db else None))
    except (StoreError, OSError, ValueError):
        return None


def _ids(records: list[dict[str, Any]], incomplete: str) -> list[str]:
    return [r["id"] for r in records if isinstance(r.get("id"), str) and r["id"].startswith(incomplete)]


def fact_ids(ctx: Any, incomplete: str) -> list[str]:
    """The ids of the store's facts that start with what is typed."""
    store = _store(ctx)
    return _ids(store.facts, incomplete) if store else []


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
            whole = isinstance(spelling, str) and spelling and not any(c.isspace() for c in spelling)
            if whole and normalize(spelling).startswith(wanted):
                found.setdefault(spelling, label)
    return sorted(found.items())


def speaker_names(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """As entity names, and `article` for what the article asserts itself."""
    from .query import ARTICLE

    article = [(ARTICLE, "the article itself")] if ARTICLE.startswith(incomplete) else []
    return article + entity_names(ctx, incomplete)
