"""Terminal renderers: tables, a fact's detail, the article with its spans, in logical or visual order.

Store text enters Rich only as sanitised `Text`, never as markup; in visual mode, right-to-left text is wrapped,
shaped and reordered by `BidiText` (cli/visual.py) at the width its cell really has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from .model import Record, field_value
from .sanitize import sanitize
from .terminal import Terminal
from .vocabulary import FACT_TYPES, ROLES, STATUSES
from .writers import text_cell


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Rich exits 1 when the reader goes away; `facts` exits 0 (1 means nothing found): let it handle that."""
        raise BrokenPipeError


def make_console(terminal: Terminal) -> Console:
    """A Console that parses no markup, highlights nothing, colours only when the terminal says so, and wraps at
    the width, piped or not (text for people stays text for people in a pager; `plain` is for unwrapped lines)."""
    return _Console(
        width=terminal.width,
        force_terminal=terminal.is_tty or terminal.color,
        no_color=not terminal.color,
        color_system=None if not terminal.color else "standard" if terminal.forced_color else "auto",
        highlight=False,
        markup=False,
        emoji=False,
    )


def store_text(value: Any) -> Text:
    """Any value from a store as an inert `Text`: controls escaped, markup never parsed."""
    return Text(sanitize("" if value is None else str(value)))


def cell(text: Text, visual: bool) -> RenderableType:
    """Store text as a cell: in visual mode, right-to-left text becomes `BidiText`; anything else stays `Text`.

    .visual (and with it the bidi and shaping libraries) is imported for visual mode only.
    """
    if not visual:
        return text
    from .bidi import has_rtl
    from .visual import BidiText

    return BidiText(text) if has_rtl(text.plain) else text


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
    visual: bool = False,
    section: Callable[[Record], Any] | None = None,
    caption: str | None = None,
) -> None:
    """Records as a table of the chosen fields; long text columns wrap; a new section where `section` changes."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in fields:
        wide = name in _WIDE
        table.add_column(
            _HEADERS.get(name, name.upper()),
            ratio=1 if wide else None,
            overflow="fold",
        )
    previous: Any = None
    for index, record in enumerate(records):
        if section is not None:
            current = section(record)
            if index and current != previous:
                table.add_section()
            previous = current
        table.add_row(*(cell(store_text(cell_text(record, name)), visual) for name in fields))
    console.print(table)
    if caption:  # below the table, not Table's caption, which is not folded to a narrow terminal
        console.print(Text(caption, style="table.caption"), overflow="fold")


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


def render_fact_detail(fact: Record, entities: dict[str, Record], console: Console, *, visual: bool = False) -> None:
    """One fact in full, a labelled line per field, references shown with their names."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()

    def row(label: str, value: Text) -> None:
        grid.add_row(label, cell(value, visual))

    row("id", store_text(fact.get("id")))
    row("type", _term_label(FACT_TYPES, fact.get("type")))
    row("claim", store_text(fact.get("claim")))
    row("claim_en", store_text(fact.get("claim_en")))
    for index, participant in enumerate(fact.get("participants") or []):
        involved = _entity_label(participant.get("entity"), entities).append("  as ", "dim")
        involved.append_text(_term_label(ROLES, participant.get("role")))
        row("participants" if index == 0 else "", involved)
    attributed = fact.get("attributed_to")
    if isinstance(attributed, dict):
        said = (
            _entity_label(attributed.get("entity"), entities)
            .append("  cue: ")
            .append_text(store_text(attributed.get("cue")))
        )
    else:
        said = Text("the article itself", "dim")
    row("attributed_to", said)
    row("status", _term_label(STATUSES, fact.get("status")))
    time = fact.get("time")
    if isinstance(time, dict):
        when = store_text(f"{time.get('value')} ({time.get('precision')})")
        if time.get("text"):
            when.append("  ").append_text(store_text(time["text"]))
        if time.get("inferred"):
            when.append("  inferred", "yellow")
    else:
        when = Text("not given by the text", "dim")
    row("time", when)
    place = fact.get("place")
    if isinstance(place, dict):
        where = _entity_label(place.get("entity"), entities)
        if place.get("inferred"):
            where = Text("≈", "yellow").append_text(where).append("  inferred", "yellow")
    else:
        where = Text("not given", "dim")
    row("place", where)
    row("quote", store_text(fact.get("quote")))
    span = fact.get("span") or {}
    row("span", store_text(f"{span.get('start')}:{span.get('end')}"))
    row("source", store_text(fact.get("source")))
    console.print(grid)


def render_source(source: Record, facts: Iterable[Record], console: Console, *, visual: bool = False) -> None:
    """The text of a source, line by line, with what the facts quote of it underlined."""
    raw = source.get("text") if isinstance(source.get("text"), str) else ""
    text = Text(sanitize(raw, keep_newlines=True))
    if len(text.plain) == len(raw):
        for fact in facts:
            span = fact.get("span") or {}
            if fact.get("source") == source.get("id") and isinstance(span.get("start"), int):
                text.stylize("underline cyan", span["start"], span.get("end", span["start"]))
    for line in text.split("\n", allow_blank=True):
        console.print(cell(line, visual))
