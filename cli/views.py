"""What each command shows, as views for the printers: listings (records, the fields a user may ask for, the default
columns, grouping), the detail of facts, the text of a source, and the graph of facts and entities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from .model import Record, as_dict, as_text, field_value, record_fields
from .query import Hit, count_by, fact_period, fact_speaker, involvement_counts, sort_facts
from .storage import Store
from .vocabulary import FACT_TYPES

if TYPE_CHECKING:
    from .graph import Graph


class View(NamedTuple):
    """Records ready for a writer or a renderer, with the fields that describe them.

    `fields` are the leaf fields, in order: the columns of csv and tsv by default; `columns` are the default
    fields of table and plain; `section` names the group of a record, shown as a heading above its group in a
    table, which then leaves out the column `section_column` the heading stands for; `caption` and `footer` are
    lines for people below the table (what a mark means; what was left out and how to see it, which a "nothing
    matched" also says).
    """

    noun: str
    records: list[Record]
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    section: Callable[[Record], str] | None = None
    section_column: str | None = None
    caption: str | None = None
    footer: tuple[str, ...] = ()
    kind = "listing"

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


def timeline_view(facts: Sequence[Record], lang: str, undated_command: str) -> View:
    """Dated facts, earliest first (a year before the months and days within it), grouped by year; the table says
    how many were left out for want of a date, and `undated_command` lists them."""
    dated = sort_facts([f for f in facts if fact_period(f)], "time")
    undated = len(facts) - len(dated)
    footer = (
        (
            f"{undated} {'fact has' if undated == 1 else 'facts have'} no date and {'is' if undated == 1 else 'are'} "
            f"not shown; {'it comes' if undated == 1 else 'they come'} last in:",
            f"  {undated_command}",
        )
        if undated
        else ()
    )
    return View(
        "dated facts",
        dated,
        record_fields("fact"),
        ("time.value", "time.precision", "id", "type", _claim(lang)),
        section=lambda fact: fact["time"]["value"][:4],
        caption="≈ date inferred",
        footer=footer,
    )


def entities_view(store: Store, kinds: Sequence[str]) -> View:
    counts = involvement_counts(store.facts)
    records = [
        {**e, "fact_count": counts.get(as_text(e.get("id")), 0)}
        for e in store.entities
        if not kinds or as_text(e.get("kind")) in kinds
    ]
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
    value = field_value(fact, "time.value")
    return value[:4] if isinstance(value, str) else "undated"


_ARTICLE_ITSELF = {"ar": "المقال نفسه", "en": "the article itself"}


def stats_view(facts: Sequence[Record], store: Store, lang: str, limit: int | None = None) -> View:
    """Counts of facts by type, entity involved, speaker (`article` when unattributed) and year, the `limit` most
    counted of each; labels (type and entity names) in `lang`."""
    names = {key: as_text(as_dict(e.get("name")).get(lang)) for key, e in store.entity_names().items()}
    labels: dict[str, Callable[[str], str]] = {
        "type": lambda key: getattr(FACT_TYPES[key], lang) if key in FACT_TYPES else "",
        "entity": lambda key: names.get(key, ""),
        "speaker": lambda key: names.get(key, _ARTICLE_ITSELF[lang]),
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
        for key, count in list(table.items())[:limit]
    ]
    return View(
        "facts",
        records,
        ("dimension", "key", "label", "count"),
        ("dimension", "key", "label", "count"),
        section=lambda record: f"By {record['dimension']}",
        section_column="dimension",
    )


class DetailView(NamedTuple):
    """Facts in full, for `show`: one record when `single` (one id asked), else a list; entities by id, for names."""

    facts: list[Record]
    entities: dict[str, Record]
    single: bool
    noun = "facts"
    kind = "detail"


class SourceView(NamedTuple):
    """The text of sources, for `source`: whole, with the spans of `facts` marked when `spans`; or, with a
    `focus` fact, the paragraph (the lines) its quote stands in, with the quote marked."""

    sources: list[Record]
    facts: list[Record]
    spans: bool = False
    focus: Record | None = None
    noun = "sources"
    kind = "source"

    def paragraph(self) -> tuple[int, int]:
        """Where the lines holding the focus fact's quote start and end in its source text (code points)."""
        text = self.sources[0].get("text") or ""
        span = (self.focus or {}).get("span") or {}
        start, end = span.get("start", 0), span.get("end", 0)
        first = text.rfind("\n", 0, start) + 1
        last = text.find("\n", max(end - 1, start))
        return first, len(text) if last < 0 else last


class CitationView(NamedTuple):
    """Facts to cite, for `cite`, with the store's sources and entities by id (where each quote stands, who said it)."""

    facts: list[Record]
    sources: dict[str, Record]
    entities: dict[str, Record]
    noun = "facts"
    kind = "citation"


class ExportView(NamedTuple):
    """What `export` prints: the facts chosen, with the store they come from. `narrowed` when a filter or a limit
    may have left facts out (the store document is then a store of its own: those facts and what they refer to;
    else the whole store); `base`, the IRI the ids of a JSON-LD export are made absolute against (None: relative)."""

    store: Store
    facts: list[Record]
    narrowed: bool
    base: str | None = None
    noun = "facts"
    kind = "export"


class GraphView(NamedTuple):
    """Facts and the entities they involve, for `graph`: `facts` are the facts drawn (what "nothing matched"
    counts), `graph` their graph (cli/graph.py), `focus` the ids of the entities `--entity` names (in the order
    given), whose sections the outline puts first."""

    facts: list[Record]
    graph: Graph
    focus: tuple[str, ...] = ()
    noun = "facts"
    kind = "graph"


def graph_view(facts: Sequence[Record], store: Store, lang: str, focus: Sequence[str] = ()) -> GraphView:
    """The graph of the facts and every entity they involve, labels in `lang`; `focus`, the entities asked for."""
    from .graph import build_graph

    return GraphView(list(facts), build_graph(facts, store.entities, lang), tuple(focus))
