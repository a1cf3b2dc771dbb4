"""The printers: one registry of output formats, each writing a view (a listing, the detail of facts, a source) to
a stream, and the one `--format` vocabulary that chooses among them.

Human formats (`table`, `text`) draw with Rich, imported only when one is used; machine formats (`plain`, `json`,
`jsonl`, `csv`, `tsv`, and the graph's `dot` and `mermaid`) write the text exactly as stored (cli/writers.py,
cli/graph.py), never reordered, reshaped or coloured; `svg` and `png` are pictures Graphviz's `dot` draws.
Citations (`plain`, `markdown`, `csl-json`: cli/cite.py) and exports to other tools' standards (`json`,
`annotations`, `jsonld`: cli/jsonld.py) are text in logical order too, for people and pipes alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TextIO

from .errors import NotFound, UsageProblem
from .model import record_fields
from .streams import Streams
from .views import CitationView, DetailView, ExportView, GraphView, SourceView, View
from .writers import write_json, write_plain_record, write_records

Fields = Sequence[str] | None


class Printer(NamedTuple):
    """An output format: the kinds of view it prints, whether it is for people, and how; whether it escapes what
    standard output cannot encode (JSON does: `\\uXXXX`)."""

    kinds: frozenset[str]
    human: bool
    write: Callable[[Any, TextIO, Streams, Fields], None]
    help: str
    escapes: bool = False


def _table(view: View, out: TextIO, streams: Streams, fields: Fields) -> None:
    from .render import make_console, render_listing

    render_listing(view, fields or view.columns, make_console(streams, out), visual=streams.visual)


def _text(view: DetailView | SourceView | GraphView, out: TextIO, streams: Streams, fields: Fields) -> None:
    from .render import make_console, render_details, render_graph, render_source

    console = make_console(streams, out)
    if isinstance(view, GraphView):
        render_graph(view, console, visual=streams.visual)
    elif isinstance(view, DetailView):
        render_details(view, console, visual=streams.visual)
    else:
        render_source(view, console, visual=streams.visual)


def _records(view: View | DetailView, fields: Fields, machine_default: bool) -> tuple[list[Any], Fields]:
    """The records of a listing or of facts shown, and the fields to write (None: whole records)."""
    if isinstance(view, DetailView):
        return view.facts, fields or (record_fields("fact") if machine_default else None)
    return view.records, fields or (view.fields if machine_default else None)


def _citations(view: CitationView, out: TextIO, streams: Streams, markdown: bool) -> None:
    """Citations, exactly as stored when piped; sanitised on a terminal, never reordered (they are for pasting)."""
    from .cite import write_citations

    write_citations(view.facts, view.sources, view.entities, out, markdown=markdown, terminal=streams.is_tty)


def _plain(view: AnyView, out: TextIO, streams: Streams, fields: Fields) -> None:
    if isinstance(view, CitationView):
        _citations(view, out, streams, markdown=False)
    elif isinstance(view, GraphView):
        from .graph import write_plain

        write_plain(view.graph, out)
    elif isinstance(view, SourceView):
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


def _json(view: AnyView, out: TextIO, streams: Streams, fields: Fields) -> None:
    if isinstance(view, ExportView):
        from .curate import export_document

        write_json(export_document(view.store, view.facts if view.narrowed else None), out)
    elif isinstance(view, GraphView):
        from .graph import write_node_link

        write_node_link(view.graph, out)
    elif isinstance(view, SourceView):
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


def _markdown(view: CitationView, out: TextIO, streams: Streams, fields: Fields) -> None:
    _citations(view, out, streams, markdown=True)


def _csl_json(view: CitationView, out: TextIO, streams: Streams, fields: Fields) -> None:
    from .cite import csl_items

    write_json(csl_items(view.facts, view.sources, view.entities), out)


def _annotations(view: ExportView, out: TextIO, streams: Streams, fields: Fields) -> None:
    from .jsonld import annotation_collection

    write_json(annotation_collection(view.facts, view.store.sources, view.base), out, html_safe=True)


def _schema_org(view: ExportView, out: TextIO, streams: Streams, fields: Fields) -> None:
    from .jsonld import schema_org_graph

    write_json(schema_org_graph(view.facts, view.store.sources, view.store.entities, view.base), out, html_safe=True)


def _graph_source(name: str) -> Callable[[GraphView, TextIO, Streams, Fields], None]:
    def write(view: GraphView, out: TextIO, streams: Streams, fields: Fields) -> None:
        from .graph import write_dot, write_mermaid

        (write_dot if name == "dot" else write_mermaid)(view.graph, out)

    return write


def _picture(name: str) -> Callable[[GraphView, TextIO, Streams, Fields], None]:
    def write(view: GraphView, out: TextIO, streams: Streams, fields: Fields) -> None:
        from .graph import draw

        data = draw(view.graph, name)
        buffer = getattr(out, "buffer", None)
        if buffer is not None:  # the bytes `dot` wrote (UTF-8 XML for svg), whatever the locale
            out.flush()
            buffer.write(data)
        elif name == "svg":  # through the pager
            out.write(data.decode("utf-8"))
        else:
            raise UsageProblem("png is binary and this output takes text: redirect it to a file")

    return write


LISTING, DETAIL, SOURCE = "listing", "detail", "source"
CITATION, EXPORT, GRAPH = "citation", "export", "graph"
PRINTERS: dict[str, Printer] = {
    "table": Printer(frozenset({LISTING}), True, _table, "a table for people (stacked blocks when narrow)"),
    "text": Printer(frozenset({DETAIL, SOURCE, GRAPH}), True, _text, "labelled text for people"),
    "plain": Printer(
        frozenset({LISTING, DETAIL, SOURCE, CITATION, GRAPH}), False, _plain, "tab-separated lines, no header"
    ),
    "json": Printer(frozenset({LISTING, DETAIL, SOURCE, EXPORT, GRAPH}), False, _json, "JSON", escapes=True),
    "jsonl": Printer(frozenset({LISTING, DETAIL}), False, _lines_format("jsonl"), "JSON Lines", escapes=True),
    "csv": Printer(frozenset({LISTING, DETAIL}), False, _lines_format("csv"), "CSV with a header"),
    "tsv": Printer(frozenset({LISTING, DETAIL}), False, _lines_format("tsv"), "TSV with a header"),
    "markdown": Printer(frozenset({CITATION}), False, _markdown, "Markdown, for documents"),
    "csl-json": Printer(
        frozenset({CITATION}), False, _csl_json, "CSL-JSON, for reference managers and Pandoc", escapes=True
    ),
    "annotations": Printer(
        frozenset({EXPORT}), False, _annotations, "a W3C Web Annotation collection (JSON-LD)", escapes=True
    ),
    "jsonld": Printer(frozenset({EXPORT}), False, _schema_org, "schema.org Claims (JSON-LD)", escapes=True),
    "dot": Printer(frozenset({GRAPH}), False, _graph_source("dot"), "Graphviz's DOT language"),
    "mermaid": Printer(frozenset({GRAPH}), False, _graph_source("mermaid"), "a Mermaid flowchart"),
    "svg": Printer(frozenset({GRAPH}), False, _picture("svg"), "an SVG picture, drawn by Graphviz's dot"),
    "png": Printer(frozenset({GRAPH}), False, _picture("png"), "a PNG picture, drawn by Graphviz's dot"),
}


def formats_for(kind: str) -> list[str]:
    """The formats that print a kind of view, the human one first."""
    return [name for name, printer in PRINTERS.items() if kind in printer.kinds]


def escaping_format(kind: str) -> str | None:
    """The first format for a kind of view that escapes what standard output cannot encode, if it has one."""
    return next((name for name in formats_for(kind) if PRINTERS[name].escapes), None)


def default_format(kind: str, is_tty: bool) -> str:
    """For people on a terminal, `plain` when piped (the first format, where a kind of view has no `plain`)."""
    names = formats_for(kind)
    return names[0] if is_tty or "plain" not in names else "plain"


AnyView = View | DetailView | SourceView | CitationView | ExportView | GraphView


def print_view(view: AnyView, streams: Streams, chosen: str | None, fields: Fields) -> None:
    """Write a view in the chosen format (for people on a terminal, `plain` when piped); NotFound when it is empty
    (unless it is an export of a whole store, which may be empty)."""
    printer = PRINTERS[chosen or default_format(view.kind, streams.is_tty)]
    records = view.sources if isinstance(view, SourceView) else view.records if isinstance(view, View) else view.facts
    if records or not printer.human:
        with streams.output(human=printer.human) as out:
            printer.write(view, out, streams, fields)
    if not records and getattr(view, "narrowed", True):
        footer = " ".join(line.strip() for line in getattr(view, "footer", ()))
        raise NotFound(f"no {view.noun} matched" + (f"; {footer}" if footer else ""))
