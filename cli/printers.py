"""The printers: one registry of output formats, each writing a view (a listing, the detail of facts, a source) to
a stream, and the one `--format` vocabulary that chooses among them.

Human formats (`table`, `text`) draw with Rich, imported only when one is used; machine formats (`plain`, `json`,
`jsonl`, `csv`, `tsv`) write the text exactly as stored (cli/writers.py), never reordered, reshaped or coloured.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TextIO

from .errors import NotFound
from .model import record_fields
from .streams import Streams
from .views import DetailView, SourceView, View
from .writers import write_json, write_plain_record, write_records

Fields = Sequence[str] | None


class Printer(NamedTuple):
    """An output format: the kinds of view it prints, whether it is for people, and how."""

    kinds: frozenset[str]
    human: bool
    write: Callable[[Any, TextIO, Streams, Fields], None]
    help: str


def _table(view: View, out: TextIO, streams: Streams, fields: Fields) -> None:
    from .render import make_console, render_listing

    render_listing(view, fields or view.columns, make_console(streams, out), visual=streams.visual)


def _text(view: DetailView | SourceView, out: TextIO, streams: Streams, fields: Fields) -> None:
    from .render import make_console, render_details, render_source

    console = make_console(streams, out)
    if isinstance(view, DetailView):
        render_details(view, console, visual=streams.visual)
    else:
        render_source(view, console, visual=streams.visual)


def _records(view: View | DetailView, fields: Fields, machine_default: bool) -> tuple[list[Any], Fields]:
    """The records of a listing or of facts shown, and the fields to write (None: whole records)."""
    if isinstance(view, DetailView):
        return view.facts, fields or (record_fields("fact") if machine_default else None)
    return view.records, fields or (view.fields if machine_default else None)


def _plain(view: View | DetailView | SourceView, out: TextIO, streams: Streams, fields: Fields) -> None:
    if isinstance(view, SourceView):
        if view.focus is not None:
            start, end = view.paragraph()
            out.write(view.sources[0]["text"][start:end] + "\n")
            return
        for index, source in enumerate(view.sources):
            text = source.get("text") if isinstance(source.get("text"), str) else ""
            out.write(("\n" if index else "") + text + ("" if text.endswith("\n") else "\n"))
    elif isinstance(view, DetailView) and fields is None:
        for index, fact in enumerate(view.facts):
            if index:
                out.write("\n")
            write_plain_record(fact, out)
    else:
        records = view.facts if isinstance(view, DetailView) else view.records
        write_records(records, "plain", fields or view.columns, out)  # type: ignore[union-attr]


def _json(view: View | DetailView | SourceView, out: TextIO, streams: Streams, fields: Fields) -> None:
    if isinstance(view, SourceView):
        if view.focus is None:
            write_json(view.sources, out)
            return
        start, end = view.paragraph()
        source, fact = view.sources[0], view.focus
        paragraph = {"start": start, "end": end, "text": source["text"][start:end]}
        write_json(
            {"source": source.get("id"), "fact": fact.get("id"), "span": fact.get("span"), "paragraph": paragraph}, out
        )
    elif isinstance(view, DetailView) and view.single and fields is None:
        write_json(view.facts[0], out)
    else:
        records, chosen = _records(view, fields, machine_default=False)
        write_records(records, "json", chosen, out)


def _lines_format(name: str) -> Callable[[Any, TextIO, Streams, Fields], None]:
    def write(view: View | DetailView, out: TextIO, streams: Streams, fields: Fields) -> None:
        records, chosen = _records(view, fields, machine_default=name != "jsonl")
        write_records(records, name, chosen, out)

    return write


LISTING, DETAIL, SOURCE = "listing", "detail", "source"
PRINTERS: dict[str, Printer] = {
    "table": Printer(frozenset({LISTING}), True, _table, "a table for people (stacked blocks when narrow)"),
    "text": Printer(frozenset({DETAIL, SOURCE}), True, _text, "labelled text for people"),
    "plain": Printer(frozenset({LISTING, DETAIL, SOURCE}), False, _plain, "tab-separated lines, no header"),
    "json": Printer(frozenset({LISTING, DETAIL, SOURCE}), False, _json, "JSON"),
    "jsonl": Printer(frozenset({LISTING, DETAIL}), False, _lines_format("jsonl"), "JSON Lines"),
    "csv": Printer(frozenset({LISTING, DETAIL}), False, _lines_format("csv"), "CSV with a header"),
    "tsv": Printer(frozenset({LISTING, DETAIL}), False, _lines_format("tsv"), "TSV with a header"),
}


def formats_for(kind: str) -> list[str]:
    """The formats that print a kind of view, the human one first."""
    return [name for name, printer in PRINTERS.items() if kind in printer.kinds]


def default_format(kind: str, is_tty: bool) -> str:
    """For people on a terminal, `plain` when piped."""
    return formats_for(kind)[0] if is_tty else "plain"


def print_view(view: View | DetailView | SourceView, streams: Streams, chosen: str | None, fields: Fields) -> None:
    """Write a view in the chosen format (for people on a terminal, `plain` when piped); NotFound when it is empty."""
    printer = PRINTERS[chosen or default_format(view.kind, streams.is_tty)]
    records = (
        view.sources if isinstance(view, SourceView) else view.facts if isinstance(view, DetailView) else view.records
    )
    if records or not printer.human:
        with streams.output(human=printer.human) as out:
            printer.write(view, out, streams, fields)
    if not records:
        footer = " ".join(line.strip() for line in getattr(view, "footer", ()))
        raise NotFound(f"no {view.noun} matched" + (f"; {footer}" if footer else ""))
