"""Terminal renderers: listings (a table, or stacked blocks where a table would squeeze the text), the detail of
facts, the text of a source, the outline of a graph; in logical or visual order.

Store text enters Rich only as sanitised `Text`, never as markup; in visual mode, right-to-left text is wrapped,
shaped and reordered by `BidiText` (cli/visual.py) at the width its cell really has. An id is never wrapped,
folded or cut: a listing whose table cannot give its text columns a readable width is drawn as stacked blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import DEFAULT_JUSTIFY, DEFAULT_OVERFLOW, Text

from .model import Record, as_dict, as_text, field_value
from .sanitize import sanitize
from .streams import Streams
from .views import DetailView, GraphView, SourceView, View
from .vocabulary import ENTITY_KINDS, FACT_TYPES, ROLES, STATUSES
from .writers import text_cell


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Rich exits 1 when the reader goes away; `facts` exits 0 (1 means nothing found): let it handle that."""
        raise BrokenPipeError


def make_console(streams: Streams, file: TextIO) -> Console:
    """A Console that writes to `file`, parses no markup, highlights nothing, colours only when the streams say
    so, and wraps at their width, piped or not (text for people stays text for people in a pager; `plain` is for
    unwrapped lines)."""
    return _Console(
        file=file,
        width=streams.width,
        force_terminal=streams.is_tty or streams.color,
        no_color=not streams.color,
        color_system=None if not streams.color else "standard" if streams.forced_color else "auto",
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )


class LineText(Text):
    """A `Text` drawn a line at a time. Rich draws a Text as one segment holding all its lines, which it then cuts
    into lines one `partition` at a time, copying what is left each time: quadratic in the length of a cell (a
    claim of 10 MB took 260 s to draw). Each line drawn as segments of its own, the cost is linear."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        lines = self.wrap(
            console,
            options.max_width,
            justify=self.justify or options.justify or DEFAULT_JUSTIFY,
            overflow=self.overflow or options.overflow or DEFAULT_OVERFLOW,
            tab_size=(console.tab_size if self.tab_size is None else self.tab_size) or 8,
            no_wrap=bool(options.no_wrap) if self.no_wrap is None else self.no_wrap,
        )
        for number, line in enumerate(lines, 1):
            yield from line.render(console, end=self.end if number == len(lines) else "\n")


def store_text(value: Any, style: str = "") -> Text:
    """Any value from a store as an inert `Text`: controls escaped, markup never parsed, drawn in linear time."""
    return LineText(sanitize(as_text(value)), style=style)


def cell(text: Text, visual: bool, rtl: bool | None = None) -> RenderableType:
    """Store text as a cell: in visual mode, text with right-to-left letters becomes `BidiText` (its paragraph
    direction `rtl`, or its first strong letter's); anything else stays `Text`.

    .visual (and with it the bidi and shaping libraries) is imported for visual mode only.
    """
    if not visual:
        return text
    from .bidi import has_rtl
    from .visual import BidiText

    return BidiText(text, rtl) if has_rtl(text.plain) else text


# Fields whose text runs left to right whatever letters come first: the reasons of a match are English sentences
# that quote the query (`كازاخستان = entity kazakhstan; تسليم in claim`).
_LEFT_TO_RIGHT = {"matched"}


def _direction(name: str) -> bool | None:
    return False if name in _LEFT_TO_RIGHT else None


def time_label(time: dict[str, Any] | None) -> str:
    """`2015-12-23`, with `≈` in front when any part of the date is inferred; empty when there is no time."""
    if not isinstance(time, dict):
        return ""
    return ("≈" if time.get("inferred") else "") + str(time.get("value", ""))


_HEADERS = {
    "time.value": "TIME",
    "time.precision": "PRECISION",
    "fact_count": "FACTS",
    "claim_en": "CLAIM",
    "name.en": "NAME",
    "name.ar": "NAME (AR)",
}
# Text columns, which wrap, and the least width each must get for a table to be drawn; other columns (ids, types,
# dates, counts) never wrap. Measured on the bundled store: a claim at 40 cells is five to seven words a line.
TEXT_WIDTHS = {
    "claim": 40,
    "claim_en": 40,
    "quote": 40,
    "matched": 30,
    "meaning": 30,
    "description.ar": 30,
    "description.en": 30,
    "label": 20,
    "name.en": 20,
    "name.ar": 20,
}
_NUMBERS = {"fact_count", "count", "score"}
_ROWS_AT_ONCE = 32
_STATUS_STYLES = {"done": "green", "ongoing": "yellow", "planned": "cyan"}
_SECONDARY = {"time.precision", "matched", "score"}
GAP = 2
INDENT = 4


def cell_text(record: Record, name: str) -> str:
    """How a field of a listed record reads for people: `time.value` marked `≈` when the date is inferred."""
    if name == "time.value":
        return time_label(record.get("time"))
    return text_cell(field_value(record, name))


def _styled(record: Record, name: str) -> Text:
    value = cell_text(record, name)
    if name == "status":
        return store_text(value, _STATUS_STYLES.get(value, ""))
    return store_text(value, "dim" if name in _SECONDARY else "")


def table_fits(view: View, fields: Sequence[str], width: int) -> bool:
    """Whether a table of these fields gives each text column a readable width (TEXT_WIDTHS, or all it needs,
    if less) at `width`, with every other column whole on one line."""
    columns = [name for name in fields if name != view.section_column]
    natural = _natural_widths(view.records, columns)
    return _fixed_width(columns, natural) + sum(_least_width(name, natural) for name in _texts(columns)) <= width


def _texts(columns: Sequence[str]) -> list[str]:
    return [name for name in columns if name in TEXT_WIDTHS]


def _least_width(name: str, natural: dict[str, int]) -> int:
    return min(TEXT_WIDTHS[name], natural[name])


def _fixed_width(columns: Sequence[str], natural: dict[str, int]) -> int:
    """The cells the columns that never wrap take, with the gaps between all columns."""
    return sum(natural[name] for name in columns if name not in TEXT_WIDTHS) + GAP * (len(columns) - 1)


def _natural_widths(records: Sequence[Record], fields: Sequence[str]) -> dict[str, int]:
    widths = {name: cell_len(_header(name)) for name in fields}
    for record in records:
        for name in fields:
            widths[name] = max(widths[name], cell_len(sanitize(cell_text(record, name))))
    return widths


def _table_widths(columns: Sequence[str], natural: dict[str, int], width: int) -> dict[str, int]:
    """Every column's width in a table: natural for those that never wrap; text columns share the rest, each
    getting at least its least width and at most its natural one, the room over the least shared by need."""
    widths = dict(natural)
    texts = _texts(columns)
    room = width - _fixed_width(columns, natural)
    if sum(natural[name] for name in texts) <= room:
        return widths
    least = {name: _least_width(name, natural) for name in texts}
    spare, need = room - sum(least.values()), sum(natural[name] - least[name] for name in texts)
    for name in texts:
        widths[name] = least[name] + (spare * (natural[name] - least[name])) // max(need, 1)
    return widths


def _sections(records: Sequence[Record], section: Callable[[Record], str] | None) -> list[tuple[str, list[Record]]]:
    if section is None:
        return [("", list(records))]
    groups: list[tuple[str, list[Record]]] = []
    for record in records:
        name = section(record)
        if not groups or groups[-1][0] != name:
            groups.append((name, []))
        groups[-1][1].append(record)
    return groups


def render_listing(view: View, fields: Sequence[str], console: Console, *, visual: bool = False) -> None:
    """A listing for people: a table when it fits the width (see `table_fits`), else one block per record: its
    short fields on one line, id first, then each text field below it over the whole width. The header comes
    first; groups (`section`) get a heading; the caption (when a record shows what it explains) and the footer
    follow. Printed a piece at a time, so that a long listing starts to show (in the pager) at once."""
    columns = [name for name in fields if name != view.section_column]
    natural = _natural_widths(view.records, columns)
    layout: _Table | _Stacked
    if table_fits(view, fields, console.width):
        layout = _Table(columns, _table_widths(columns, natural, console.width), visual)
    else:
        layout = _Stacked(columns, natural, console.width, visual)
    for part in layout.header():
        console.print(part, overflow="fold")
    for heading, records in _sections(view.records, view.section):
        if heading or isinstance(layout, _Stacked):
            console.print()
        if heading:
            console.print(Text(sanitize(heading), style="bold underline"), overflow="fold")
        for part in layout.rows(records):
            console.print(part, overflow="fold")
    if view.caption and "time.value" in columns and any(cell_text(r, "time.value")[:1] == "≈" for r in view.records):
        console.print()
        console.print(Text(view.caption, style="dim"), overflow="fold")
    for line in view.footer:
        console.print(store_text(line), overflow="fold")


def _header(name: str) -> str:
    return _HEADERS.get(name, name.upper())


class _Table:
    """Rows under column headers; every column of a fixed width, so that the tables of all groups line up."""

    def __init__(self, columns: Sequence[str], widths: dict[str, int], visual: bool) -> None:
        self.columns, self.widths, self.visual = columns, widths, visual

    def _table(self, header: bool) -> Table:
        table = Table(box=None, header_style="bold", pad_edge=False, show_header=header, padding=(0, GAP // 2))
        for name in self.columns:
            table.add_column(
                _header(name),
                no_wrap=name not in TEXT_WIDTHS,
                overflow="fold",
                width=self.widths[name],
                justify="right" if name in _NUMBERS else "left",
            )
        return table

    def header(self) -> Iterator[RenderableType]:
        yield self._table(header=True)

    def rows(self, records: Sequence[Record]) -> Iterator[RenderableType]:
        """Tables of a few rows each: the columns have fixed widths, so they line up as one."""
        for start in range(0, len(records), _ROWS_AT_ONCE):
            table = self._table(header=False)
            for record in records[start : start + _ROWS_AT_ONCE]:
                table.add_row(
                    *(cell(_styled(record, name), self.visual, rtl=_direction(name)) for name in self.columns)
                )
            yield table


class _Stacked:
    """A block per record: the short fields on one line (aligned in columns when they fit the width), then each
    text field, indented, over the rest of the width; a blank line between blocks."""

    def __init__(self, columns: Sequence[str], natural: dict[str, int], width: int, visual: bool) -> None:
        self.short = [name for name in columns if name not in TEXT_WIDTHS]
        self.texts = _texts(columns)
        self.natural, self.visual = natural, visual
        self.aligned = sum(natural[name] for name in self.short) + GAP * (len(self.short) - 1) <= width

    def _line(self, values: list[Text]) -> Text:
        joined = Text()
        for index, (name, value) in enumerate(zip(self.short, values, strict=True)):
            if index:
                joined.append(" " * GAP)
            if self.aligned and (index < len(self.short) - 1 or name in _NUMBERS):
                padding = " " * (self.natural[name] - value.cell_len)
                value = Text.assemble(padding, value) if name in _NUMBERS else Text.assemble(value, padding)
            joined.append_text(value)
        joined.rstrip()
        return joined

    def header(self) -> Iterator[RenderableType]:
        yield self._line([Text(_header(name), style="bold") for name in self.short])
        if self.texts:
            yield Text(" " * INDENT + "  ·  ".join(_header(name) for name in self.texts), style="bold")

    def rows(self, records: Sequence[Record]) -> Iterator[RenderableType]:
        for index, record in enumerate(records):
            values = [_styled(record, name) for name in self.short]
            first = self._line(values)
            if values:
                first.stylize("bold", 0, len(values[0].plain))
            parts: list[RenderableType] = [Text(""), first] if index else [first]
            for name in self.texts:
                value = _styled(record, name)
                if value.plain:
                    parts.append(_Indented(cell(value, self.visual, rtl=_direction(name)), INDENT))
            yield Group(*parts)


class _Indented:
    """A renderable drawn `indent` cells in, in the width left, with no spaces after the end of its lines (Rich's
    Padding pads each line to the width of the longest)."""

    def __init__(self, renderable: RenderableType, indent: int) -> None:
        self.renderable, self.indent = renderable, indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        width = max(options.max_width - self.indent, 1)
        for line in console.render_lines(self.renderable, options.update_width(width), pad=False):
            while line and not line[-1].text.strip():
                line.pop()
            if line:
                last = line[-1]
                line[-1] = Segment(last.text.rstrip(), last.style, last.control)
            yield Segment(" " * self.indent)
            yield from line
            yield Segment.line()


def _entity_label(entity_id: Any, entities: dict[str, Record]) -> Text:
    entity = entities.get(entity_id) if isinstance(entity_id, str) else None
    if entity is None:
        return store_text(entity_id)
    name = as_dict(entity.get("name"))
    label = f"{as_text(name.get('en'))} · {as_text(name.get('ar'))}"
    return store_text(label).append(f"  ({sanitize(entity_id)})", "dim")


def _term_label(vocabulary: dict[str, Any], key: Any, style: str = "") -> Text:
    term = vocabulary.get(key) if isinstance(key, str) else None
    label = store_text(key, style)
    return label.append(f" · {term.ar}", "dim") if term else label


def _fact_rows(fact: Record, entities: dict[str, Record]) -> list[tuple[str, Text]]:
    """One fact in full, a labelled value per field, references shown with their names."""
    rows: list[tuple[str, Text]] = []

    def row(label: str, value: Text) -> None:
        rows.append((label, value))

    row("id", store_text(fact.get("id"), "bold"))
    row("type", _term_label(FACT_TYPES, fact.get("type")))
    row("claim", store_text(fact.get("claim")))
    row("claim_en", store_text(fact.get("claim_en")))
    participants = fact.get("participants")
    for index, participant in enumerate(participants if isinstance(participants, list) else []):
        participant = participant if isinstance(participant, dict) else {}
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
    row("status", _term_label(STATUSES, fact.get("status"), _STATUS_STYLES.get(str(fact.get("status")), "")))
    time = fact.get("time")
    if isinstance(time, dict):
        when = store_text(f"{time_label(time)} ({time.get('precision')})")
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
    span = fact.get("span") if isinstance(fact.get("span"), dict) else {}
    row("span", store_text(f"{span.get('start')}:{span.get('end')}"))
    row("source", store_text(fact.get("source")))
    return rows


def render_details(view: DetailView, console: Console, *, visual: bool = False) -> None:
    """Facts in full, one after the other, a blank line between them: a label and its value on each line, or,
    where the values would not have room for their longest word (an id), each label above its value."""
    facts = [_fact_rows(fact, view.entities) for fact in view.facts]
    labels = max((cell_len(label) for rows in facts for label, _ in rows), default=0)
    longest = max((cell_len(word) for rows in facts for _, value in rows for word in value.plain.split()), default=0)
    beside = console.width - labels - GAP >= longest
    for index, rows in enumerate(facts):
        if index:
            console.print()
        if beside:
            grid = Table.grid(padding=(0, GAP))
            grid.add_column(style="bold", no_wrap=True)
            grid.add_column()
            for label, value in rows:
                grid.add_row(label, cell(value, visual))
            console.print(grid)
            continue
        for label, value in rows:
            if label:
                console.print(Text(label, style="bold"))
            console.print(_Indented(cell(value, visual), GAP))


def _source_lines(text: Text, visual: bool) -> Iterable[RenderableType]:
    for line in text.split("\n", allow_blank=True):
        yield cell(LineText(line.plain, style=line.style, spans=line.spans), visual)


def _offsets(start: Any, end: Any, length: int) -> bool:
    """Whether a span's start and end are offsets of a text of `length` code points, in order."""
    offsets = (start, end)
    return all(isinstance(n, int) and not isinstance(n, bool) for n in offsets) and 0 <= start <= end <= length


def render_source(view: SourceView, console: Console, *, visual: bool = False) -> None:
    """The text of sources, line by line: with the quoted spans underlined when asked (`spans`); or the lines a
    focus fact's quote stands in, the quote marked, under a line saying where they are."""
    parts: list[RenderableType] = []
    if view.focus is not None:
        source, fact = view.sources[0], view.focus
        start, end = view.paragraph()
        raw = source.get("text") or ""
        span = fact.get("span") or {}
        line_number = raw.count("\n", 0, start) + 1
        parts.append(
            store_text(
                f"{source.get('id')}, line {line_number}, quote of {fact.get('id')} at {span.get('start')}:"
                f"{span.get('end')}",
                "dim",
            )
        )
        text = Text(sanitize(raw[start:end], keep_newlines=True))
        if len(text.plain) == end - start:
            text.stylize("bold underline cyan", span["start"] - start, span["end"] - start)
        parts += _source_lines(text, visual)
    else:
        for index, source in enumerate(view.sources):
            if index:
                parts.append(Text(""))
            raw = source.get("text") if isinstance(source.get("text"), str) else ""
            text = Text(sanitize(raw, keep_newlines=True))
            if view.spans and len(text.plain) == len(raw):
                for fact in view.facts:
                    start, end = (field_value(fact, f"span.{end}") for end in ("start", "end"))
                    if fact.get("source") == source.get("id") and _offsets(start, end, len(raw)):
                        text.stylize("underline cyan", start, end)
            parts += _source_lines(text, visual)
    console.print(Group(*parts))


def render_graph(view: GraphView, console: Console, *, visual: bool = False) -> None:
    """A graph as an outline for people: entity by entity, most facts first, the facts that involve it (id, type,
    its roles in it) and, below each, the others the fact ties it to, with their roles. Printed an entity at a
    time, so that a long outline starts to show (in the pager) at once."""
    from .graph import roles_label, term_label, tied_label

    graph = view.graph
    nodes = {node.id: node for node in graph.nodes}
    of_entity: dict[str, list[Any]] = {node.id: [] for node in graph.entities()}
    of_fact: dict[str, list[Any]] = {node.id: [] for node in graph.facts()}
    for link in graph.links:
        of_entity[link.target].append(link)
        of_fact[link.source].append(link)
    first = {record: place for place, record in enumerate(view.focus)}  # --entity's, in the order given
    entities = sorted(
        graph.entities(), key=lambda node: (first.get(node.record, len(first)), -len(of_entity[node.id]), node.record)
    )
    facts, count = len(of_fact), len(entities)
    console.print(
        Text(
            f"{facts} {'fact ties' if facts == 1 else 'facts tie'} {count} {'entity' if count == 1 else 'entities'}"
        ).append(
            f". Under each entity, {'those asked for first, then ' if view.focus else ''}most facts first: its facts "
            "(type · its roles), and below each, the others it ties it to (their roles).",
            "dim",
        ),
        overflow="fold",
    )
    outline = _Outline(console, visual)
    for entity in entities:
        links = of_entity[entity.id]
        kind = term_label(ENTITY_KINDS, entity.kind, graph.lang) if entity.kind else "?"
        heading = store_text(entity.record, "bold")
        heading.append(f"  {len(links)} {'fact' if len(links) == 1 else 'facts'}  ", "dim")
        heading.append_text(store_text(entity.label)).append_text(store_text(f" ({kind})", "dim"))
        outline.add(Text(""), 0)
        outline.add(heading, 0)
        for link in links:
            fact = nodes[link.source]
            line = store_text(fact.record, "bold").append("  ").append_text(store_text(fact.label))
            roles = roles_label(link.roles, graph.lang)
            if roles:  # a participant without a role has no label
                line.append(" · ", "dim").append_text(store_text(roles, "dim"))
            outline.add(line, GAP)
            others = [other for other in of_fact[link.source] if other.target != entity.id]
            if others:
                tied = " · ".join(tied_label(nodes[o.target].label, roles_label(o.roles, graph.lang)) for o in others)
                outline.add(store_text(tied), GAP + INDENT)
        outline.print()


class _Outline:
    """Lines of an outline, each indented, wrapped to the width left and printed at once: logical text is wrapped
    here (a print and a renderable a line cost twice as much as drawing them); visual text is `BidiText`'s to wrap."""

    def __init__(self, console: Console, visual: bool) -> None:
        self.console, self.visual = console, visual
        self.width = console.width  # Rich works it out anew, from the environment, each time it is asked
        self.parts: list[RenderableType] = []
        self.lines: list[Text] = []

    def add(self, text: Text, indent: int) -> None:
        indent = min(indent, self.width // 4)  # on a very narrow screen, the text keeps the width
        drawn = cell(text, self.visual)
        if isinstance(drawn, Text):
            width = max(self.width - indent, 1)
            lines = [drawn] if drawn.cell_len <= width else drawn.wrap(self.console, width, overflow="fold")
            self.lines += [Text(" " * indent).append_text(line) if indent else line for line in lines]
            return
        self._flush_lines()
        self.parts.append(_Indented(drawn, indent))

    def _flush_lines(self) -> None:
        if self.lines:
            self.parts.append(Text("\n").join(self.lines))
            self.lines = []

    def print(self) -> None:
        self._flush_lines()
        self.console.print(Group(*self.parts), soft_wrap=True)
        self.parts = []
