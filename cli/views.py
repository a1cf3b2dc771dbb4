"""What each listing command shows: its records, the fields a user may ask for, the default columns, grouping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .model import Record, record_fields
from .query import Hit, count_by, fact_period, fact_speaker, involvement_counts, sort_facts
from .storage import Store
from .vocabulary import FACT_TYPES


class View(NamedTuple):
    """Records ready for a writer or a renderer, with the fields that describe them.

    `fields` are the leaf fields, in order: the columns of csv and tsv by default; `columns` are the default
    fields of table and plain; `section` groups table rows.
    """

    noun: str
    records: list[Record]
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    section: Callable[[Record], Any] | None = None
    caption: str | None = None

    def valid_fields(self) -> list[str]:
        """Every name `--fields` accepts: the leaf fields and the objects that hold them (`time`, `span`)."""
        names = dict.fromkeys(self.fields)
        for leaf in self.fields:
            parts = leaf.split(".")
            names.update(dict.fromkeys(".".join(parts[:i]) for i in range(1, len(parts))))
        return list(names)


def _claim(lang: str) -> str:
    return "claim_en" if lang == "en" else "claim"


def facts_view(facts: Sequence[Record], lang: str) -> View:
    return View(
        "facts",
        list(facts),
        record_fields("fact"),
        ("id", "type", "status", "time.value", _claim(lang)),
        caption="≈ date inferred",
    )


def search_view(hits: Sequence[Hit], lang: str) -> View:
    records = [{**hit.fact, "score": round(hit.score, 2), "matched": "; ".join(hit.reasons)} for hit in hits]
    return View(
        "facts",
        records,
        (*record_fields("fact"), "score", "matched"),
        ("id", "score", _claim(lang), "matched"),
    )


def timeline_view(facts: Sequence[Record], lang: str) -> View:
    """Dated facts, earliest first (a year before the months and days within it), grouped by year."""
    dated = sort_facts([f for f in facts if fact_period(f)], "time")
    return View(
        "dated facts",
        dated,
        record_fields("fact"),
        ("time.value", "time.precision", "id", "type", _claim(lang)),
        section=lambda fact: fact["time"]["value"][:4],
        caption="≈ date inferred",
    )


def entities_view(store: Store, kinds: Sequence[str]) -> View:
    counts = involvement_counts(store.facts)
    records = [{**e, "fact_count": counts.get(e["id"], 0)} for e in store.entities if not kinds or e["kind"] in kinds]
    return View(
        "entities",
        records,
        (*record_fields("entity"), "fact_count"),
        ("id", "kind", "name.en", "name.ar", "fact_count"),
    )


def types_view(facts: Sequence[Record]) -> View:
    counts = count_by(facts, lambda fact: fact.get("type"))
    records = [
        {"id": key, "ar": t.ar, "en": t.en, "meaning": t.meaning, "cameo": t.cameo, "fact_count": counts.get(key, 0)}
        for key, t in FACT_TYPES.items()
    ]
    return View(
        "types", records, ("id", "ar", "en", "meaning", "cameo", "fact_count"), ("id", "en", "ar", "fact_count")
    )


def _year(fact: Record) -> str:
    value = (fact.get("time") or {}).get("value")
    return value[:4] if isinstance(value, str) else "undated"


def stats_view(facts: Sequence[Record], store: Store) -> View:
    """Counts of facts by type, entity involved, speaker (`article` when unattributed) and year."""
    names = {e["id"]: e["name"]["en"] for e in store.entities}
    labels: dict[str, Callable[[str], str]] = {
        "type": lambda key: FACT_TYPES[key].en if key in FACT_TYPES else "",
        "entity": lambda key: names.get(key, ""),
        "speaker": lambda key: names.get(key, "the article itself"),
        "year": lambda key: "",
    }
    counts = {
        "type": count_by(facts, lambda fact: fact.get("type")),
        "entity": involvement_counts(facts),
        "speaker": count_by(facts, fact_speaker),
        "year": dict(sorted(count_by(facts, _year).items())),
    }
    records = [
        {"dimension": dimension, "key": key, "label": labels[dimension](key), "count": count}
        for dimension, table in counts.items()
        for key, count in table.items()
    ]
    return View(
        "facts",
        records,
        ("dimension", "key", "label", "count"),
        ("dimension", "key", "label", "count"),
        section=lambda record: record["dimension"],
    )
