"""Terminal renderers: tables, a fact's detail, the article with its spans, in logical or visual order.

Store text enters Rich only as sanitised `Text`, never as markup; in visual mode, right-to-left text is wrapped,
shaped and reordered by `BidiText` at the width its cell really has.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from cli.bidi import display, has_rtl, is_rtl, longest_word, shape, wrap
from cli.sanitize import sanitize
from cli.store import Record
from cli.terminal import Terminal
from cli.vocabulary import FACT_TYPES, ROLES, STATUSES
from cli.writers import field_value, text_cell


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


_PIECES = re.compile(r"\s+|\S+")


@lru_cache(maxsize=8192)
def _piece_width(piece: str) -> int:
    return cell_len(shape(piece))


def shaped_width(text: str) -> int:
    """Cells a logical line takes once shaped (a lam-alef ligature is one cell for two letters).

    Words are shaped one by one, as `display` does, so a word is shaped once however many lines are tried.
    """
    return sum(_piece_width(piece) for piece in _PIECES.findall(text))


class BidiText:
    """Text for a terminal that does not reorder: wrapped in logical order to the width its cell has, then each
    line shaped and reordered with the paragraph direction of the whole text, and right-aligned when that
    direction is right to left. Styles follow their characters."""

    def __init__(self, text: Text) -> None:
        self.text = text
        self.rtl = is_rtl(text.plain)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        widest = max((shaped_width(paragraph) for paragraph in plain.split("\n")), default=0)
        return Measurement(min(longest_word(plain, shaped_width), options.max_width), min(widest, options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        plain = self.text.plain
        styles = [self.text.get_style_at_offset(console, offset) for offset in range(len(plain))]
        offset = 0
        for paragraph in plain.split("\n"):
            cursor = 0
            for line in wrap(paragraph, width, shaped_width):
                start = paragraph.find(line, cursor) if line else cursor
                cursor = start + len(line)
                visual, origins = display(line, self.rtl)
                padding = Segment(" " * max(width - cell_len(visual), 0))
                if self.rtl:
                    yield padding
                yield from _styled(visual, [styles[offset + start + origin] for origin in origins])
                if not self.rtl:
                    yield padding
                yield Segment.line()
            offset += len(paragraph) + 1


def _styled(chars: str, styles: Sequence[Style]) -> Iterable[Segment]:
    """Segments of `chars`, one per run of the same style."""
    start = 0
    for index in range(1, len(chars) + 1):
        if index == len(chars) or styles[index] != styles[start]:
            yield Segment(chars[start:index], styles[start])
            start = index


def cell(text: Text, visual: bool) -> RenderableType:
    """Store text as a cell: in visual mode, right-to-left text becomes `BidiText`; anything else stays `Text`."""
    return BidiText(text) if visual and has_rtl(text.plain) else text


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
    row("place", _entity_label(place, entities) if place else Text("not given", "dim"))
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
