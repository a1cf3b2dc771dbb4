"""Terminal renderers: facts as a Rich table or a detail view. Store text enters Rich only as sanitised `Text`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli.sanitize import sanitize
from cli.store import Record
from cli.terminal import Terminal
from cli.vocabulary import FACT_TYPES, ROLES, STATUSES
from cli.writers import field_value, text_cell


def make_console(terminal: Terminal) -> Console:
    """A Console that parses no markup, highlights nothing, and colours only when the terminal says so."""
    return Console(
        width=terminal.width,
        force_terminal=terminal.is_tty,
        no_color=not terminal.color,
        color_system="auto" if terminal.color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=not terminal.is_tty,
    )


def store_text(value: Any) -> Text:
    """Any value from a store as an inert `Text`: controls escaped, markup never parsed."""
    return Text(sanitize("" if value is None else str(value)))


def time_label(time: dict[str, Any] | None) -> str:
    """`2015-12-23`, with `≈` in front when any part of the date is inferred; empty when there is no time."""
    if not isinstance(time, dict):
        return ""
    return ("≈" if time.get("inferred") else "") + str(time.get("value", ""))


_HEADERS = {"time.value": "TIME", "fact_count": "FACTS", "claim_en": "CLAIM", "name.en": "NAME", "name.ar": "NAME (AR)"}
_WIDE = {"claim", "claim_en", "quote", "matched", "meaning", "description.ar", "description.en", "label"}


def cell_text(record: Record, name: str) -> str:
    """How a field of a listed record reads in a table: `time.value` marked `≈` when the date is inferred."""
    if name == "time.value":
        return time_label(record.get("time"))
    return text_cell(field_value(record, name))


def render_table(
    records: Iterable[Record],
    fields: Sequence[str],
    console: Console,
    *,
    section: Callable[[Record], Any] | None = None,
    caption: str | None = None,
) -> None:
    """Records as a table of the chosen fields; long text columns wrap; a new section where `section` changes."""
    table = Table(box=None, header_style="bold", pad_edge=False, caption=caption, caption_justify="left")
    for name in fields:
        wide = name in _WIDE
        table.add_column(_HEADERS.get(name, name.upper()), ratio=1 if wide else None, no_wrap=not wide)
    previous: Any = None
    for index, record in enumerate(records):
        if section is not None:
            current = section(record)
            if index and current != previous:
                table.add_section()
            previous = current
        table.add_row(*(store_text(cell_text(record, name)) for name in fields))
    console.print(table)


def _entity_label(entity_id: Any, entities: dict[str, Record]) -> Text:
    entity = entities.get(entity_id) if isinstance(entity_id, str) else None
    if entity is None:
        return store_text(entity_id)
    name = entity.get("name", {})
    return store_text(f"{name.get('en', '')} · {name.get('ar', '')}").append(f"  ({sanitize(entity_id)})", "dim")


def _term_label(vocabulary: dict[str, Any], key: Any) -> Text:
    term = vocabulary.get(key) if isinstance(key, str) else None
    label = store_text(key)
    return label.append(f" · {term.ar}", "dim") if term else label


def render_fact_detail(fact: Record, entities: dict[str, Record], console: Console) -> None:
    """One fact in full, a labelled line per field, references shown with their names."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("id", store_text(fact.get("id")))
    grid.add_row("type", _term_label(FACT_TYPES, fact.get("type")))
    grid.add_row("claim", store_text(fact.get("claim")))
    grid.add_row("claim_en", store_text(fact.get("claim_en")))
    for index, participant in enumerate(fact.get("participants") or []):
        row = _entity_label(participant.get("entity"), entities).append("  as ", "dim")
        row.append_text(_term_label(ROLES, participant.get("role")))
        grid.add_row("participants" if index == 0 else "", row)
    attributed = fact.get("attributed_to")
    if isinstance(attributed, dict):
        said = (
            _entity_label(attributed.get("entity"), entities)
            .append("  cue: ")
            .append_text(store_text(attributed.get("cue")))
        )
    else:
        said = Text("the article itself", "dim")
    grid.add_row("attributed_to", said)
    grid.add_row("status", _term_label(STATUSES, fact.get("status")))
    time = fact.get("time")
    if isinstance(time, dict):
        when = store_text(f"{time.get('value')} ({time.get('precision')})")
        if time.get("text"):
            when.append("  ").append_text(store_text(time["text"]))
        if time.get("inferred"):
            when.append("  inferred", "yellow")
    else:
        when = Text("not given by the text", "dim")
    grid.add_row("time", when)
    place = fact.get("place")
    grid.add_row("place", _entity_label(place, entities) if place else Text("not given", "dim"))
    grid.add_row("quote", store_text(fact.get("quote")))
    span = fact.get("span") or {}
    grid.add_row("span", store_text(f"{span.get('start')}:{span.get('end')}"))
    grid.add_row("source", store_text(fact.get("source")))
    console.print(grid)
