"""The `facts` commands: each declares its options and returns a view, or makes a write; the group prints the views
and turns every error into one line and an exit code."""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.core import Context
from typer._click.exceptions import ClickException  # Click as Typer 0.26 to 0.28 vendor it
from typer.core import TyperGroup
from typer.main import get_command

from . import __version__, complete
from .errors import ExitCode, InvalidStore, NotFound, UsageProblem
from .group import APP_SETTINGS, FactsCommand, drop_stdout, show_text
from .model import SINGULAR, TABLES, record_fields
from .options import (
    BidiOption,
    DbOption,
    NoPagerOption,
    Run,
    Vocabulary,
    bidi_from,
    current_run,
    store_path,
    with_fact_selection,
    with_output,
)
from .printers import CITATION, DETAIL, EXPORT, GRAPH, LISTING, SOURCE
from .query import (
    EntityIndex,
    FactSelection,
    SearchIndex,
    not_found,
    read_query,
    resolve_fact_ids,
    run_search,
    select_facts,
)
from .store import ENV_VAR
from .streams import Streams
from .views import (
    CitationView,
    DetailView,
    ExportView,
    GraphView,
    SourceView,
    View,
    entities_view,
    facts_view,
    graph_view,
    search_view,
    stats_view,
    timeline_view,
    types_view,
)
from .vocabulary import ENTITY_KINDS


def _count(number: int, plural: str) -> str:
    return f"{number} {plural if number != 1 else SINGULAR.get(plural, plural.removesuffix('s'))}"


app = typer.Typer(**APP_SETTINGS)


def examples(*lines: str) -> str:
    """A command's examples, as its help ends with them (`\\b` keeps Click from joining the lines)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def _version(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        streams = current_run().streams
        streams.stdout.write(f"facts {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    db: DbOption = None,
    bidi: BidiOption = None,
    no_pager: NoPagerOption = False,
) -> None:
    """Look up the claims of an Arabic news article: bilingual, attributed, source-anchored facts.

    --db, --bidi and --no-pager may come before the command or after it. `facts help COMMAND` (or
    `facts COMMAND -h`) shows a command's options and examples.

    Exit codes: 0 results, 1 nothing matched or found, 2 usage error, 3 store cannot be read or written,
    4 invalid data (validate found problems, a write was refused and nothing written, or a fact to cite cannot be
    found in its source), 5 output cannot be written, 70 internal error (FACTS_DEBUG=1 shows the traceback),
    130 interrupted.
    """
    run = current_run()
    run.streams.configure(bidi=bidi or bidi_from(run.streams.environ), paging=False if no_pager else None)
    run.db = db


def _limited(records: list[Any], selection: FactSelection) -> list[Any]:
    return records[: selection.limit] if selection.limit else records


FACT_FIELDS = record_fields("fact")


def _valid_fields(leaves: tuple[str, ...]) -> list[str]:
    """Every name `--fields` accepts: the leaf fields and the objects that hold them (`time`, `span`)."""
    return View("", [], leaves, ()).valid_fields()


@app.command(
    "list",
    cls=FactsCommand,
    short_help="List facts, filtered and sorted as asked.",
    epilog=examples(
        "facts list --entity Kazakhstan --lang en",
        "facts list --type agreement --status done --sort time",
        "facts list --by Shoigu --format json | jq -r '.[].claim_en'",
    ),
)
@with_output(LISTING, _valid_fields(FACT_FIELDS))
@with_fact_selection()
def list_facts(run: Run, selection: FactSelection) -> View:
    """List facts, filtered and sorted as asked: a table on a terminal (a block per fact on a narrow one), one
    tab-separated line per fact when piped."""
    facts = select_facts(run.store(), selection)
    return facts_view(_limited(facts, selection), selection.lang)


@app.command(
    "search",
    cls=FactsCommand,
    short_help="Search the facts in Arabic or English, best first.",
    epilog=examples(
        "facts search كازاخستان",
        "facts search Kazakhstan S-300",
        "facts search --exact شوبغو    # no misspelling corrected: nothing, and a suggestion",
        "facts search 'تسليم إس-300' --format json | jq -r '.[] | \"\\(.id) \\(.matched)\"'",
    ),
)
@with_output(LISTING, _valid_fields((*FACT_FIELDS, "score", "matched")))
@with_fact_selection(
    helps={
        "sort": "Order by store, id, time, type, status instead of best first (store: as stored; time: earliest "
        "first, undated last).",
    }
)
def search_facts(
    words: Annotated[
        list[str], typer.Argument(metavar="QUERY...", help="Words in Arabic or English, names in any spelling.")
    ],
    run: Run,
    selection: FactSelection,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact", help="Match words exactly or by stem only: no misspelling is corrected.", show_default=False
        ),
    ] = False,
) -> View:
    """Search claims, quotes and entity names, best first, saying why each fact matched. The words after `search`
    are one query (quotes are not needed); every word must match. A misspelt word that matches nothing is taken for
    the closest words of the store that begin with the same letter, and stderr says so; --exact turns that off.
    Arabic copied from the visual output is put back in logical order first."""
    query, notes = read_query(words)
    from .arabic import tokenize

    if not tokenize(query):
        raise typer.BadParameter("the query has no words", param_hint="QUERY")
    store = run.store()
    index = EntityIndex(store.entities)
    facts = select_facts(store, selection, index)
    searched = run_search(
        facts, index, query, SearchIndex.of_store(store, index), ranked=selection.sort is None, fuzzy=not exact
    )
    for note in [*notes, *searched.notes()]:
        run.streams.message(note)
    hint = searched.hint()
    view = search_view(_limited(searched.hits, selection), selection.lang)
    return view._replace(footer=(hint,)) if hint else view


def _undated_command(selection: FactSelection, db: Path | None) -> str:
    """The `facts list` that shows the facts a timeline was asked for, the undated ones last."""
    import shlex

    options = {
        "--db": [str(db)] if db is not None else [],
        "--type": selection.types,
        "--status": selection.statuses,
        "--entity": selection.entities,
        "--by": selection.speakers,
        "--since": [selection.since] if selection.since else [],
        "--until": [selection.until] if selection.until else [],
        "--source": selection.sources,
        "--lang": [selection.lang] if selection.lang != "ar" else [],
    }
    words = [f"{name} {shlex.quote(value)}" for name, values in options.items() for value in values or []]
    return " ".join(["facts list", *words, "--sort time"])


@app.command(
    "timeline",
    cls=FactsCommand,
    short_help="List the dated facts in date order, by year.",
    epilog=examples(
        "facts timeline",
        "facts timeline --entity Armenia --lang en",
        "facts timeline --format csv --fields time.value,id",
    ),
)
@with_fact_selection(without=("sort",))
@with_output(LISTING, _valid_fields(FACT_FIELDS))
def timeline(run: Run, selection: FactSelection) -> View:
    """Dated facts in date order, under a heading for each year, with each date's precision; ≈ marks an inferred
    date. How many facts have no date is said below, with the command that lists them."""
    facts = select_facts(run.store(), selection)
    view = timeline_view(facts, selection.lang, _undated_command(selection, run.db))
    return view._replace(records=_limited(view.records, selection))


@app.command(
    "stats",
    cls=FactsCommand,
    short_help="Count facts by type, entity, speaker and year.",
    epilog=examples(
        "facts stats",
        "facts stats --entity Kazakhstan --lang en",
        "facts stats --format tsv | awk -F'\\t' '$1 == \"speaker\"'",
    ),
)
@with_fact_selection(
    without=("sort",),
    helps={"limit": "At most N rows a group.", "lang": "The language of the labels, ar (the default) or en."},
)
@with_output(LISTING, _valid_fields(("dimension", "key", "label", "count")))
def stats(run: Run, selection: FactSelection) -> View:
    """Counts of the facts (filtered as asked) by type, entity involved, speaker and year, most first; labels in
    the language of --lang."""
    store = run.store()
    facts = select_facts(store, selection)
    return stats_view(facts, store, selection.lang, selection.limit)


@app.command(
    "graph",
    cls=FactsCommand,
    short_help="Draw who did what with whom, as a graph.",
    epilog=examples(
        "facts graph --entity Kazakhstan --lang en",
        "facts graph --format svg > article.svg",
        "facts graph --type agreement --format mermaid",
        "facts graph --format json | jq '.links | length'",
    ),
)
@with_output(GRAPH)
@with_fact_selection(
    without=("sort", "limit"), helps={"lang": "The language of the names and labels, ar (the default) or en."}
)
def graph(run: Run, selection: FactSelection) -> GraphView:
    """Draw who did what with whom: a node for each fact (filtered as asked) and each entity it involves, linked
    with the entity's roles in it (participant roles, speaker, place). On a terminal, an outline entity by entity;
    piped, a line per link; dot, mermaid and json (node-link) for other tools; svg and png drawn by Graphviz."""
    if run.format in ("svg", "png"):
        from .graph import require_dot

        require_dot()
    if run.format == "png" and run.streams.is_tty:
        raise UsageProblem("png is binary: redirect it to a file (facts graph --format png > graph.png)")
    store = run.store()
    if not selection.entities:
        return graph_view(select_facts(store, selection), store, selection.lang)
    index = EntityIndex(store.entities)
    facts = select_facts(store, selection, index)
    focus = {entity: None for name in selection.entities for entity in sorted(index.resolve(name))}
    return graph_view(facts, store, selection.lang, list(focus))


ENTITY_FIELDS = (*record_fields("entity"), "fact_count")


@app.command(
    "entities",
    cls=FactsCommand,
    short_help="List the entities, with how many facts involve each.",
    epilog=examples("facts entities --kind person", "facts entities --format json | jq -r '.[].aliases.en[]'"),
)
@with_output(LISTING, _valid_fields(ENTITY_FIELDS))
def entities(
    run: Run,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            click_type=Vocabulary(list(ENTITY_KINDS), "entity kinds"),
            help=f"Only entities of this kind (repeatable: any of them): {', '.join(ENTITY_KINDS)}.",
            show_default=False,
        ),
    ] = None,
) -> View:
    """People, countries, organisations, places, systems and documents, with how many facts involve each."""
    return entities_view(run.store(), kinds or [])


@app.command(
    "types",
    cls=FactsCommand,
    short_help="List the fact types, with labels and counts.",
    epilog=examples("facts types", "facts list --type delivery"),
)
@with_output(LISTING, _valid_fields(("id", "ar", "en", "meaning", "cameo", "fact_count")))
def types(run: Run) -> View:
    """The fact types: the closed vocabulary, with Arabic and English labels, what each means, and how many
    facts have each."""
    return types_view(run.store().facts)


@app.command(
    "show",
    cls=FactsCommand,
    short_help="Show facts in full, by id or unique prefix.",
    epilog=examples(
        "facts show ru-kz-s300-free",
        "facts show ru-am ru-kz-s300-free    # ru-am: an error listing the ids it starts",
        "facts show rt-byline --format json | jq .quote",
    ),
)
@with_output(DETAIL)
def show_fact(
    fact_ids: Annotated[
        list[str],
        typer.Argument(metavar="ID...", help="Fact ids, or any unique start of one.", autocompletion=complete.fact_ids),
    ],
    run: Run,
) -> DetailView:
    """Show facts in full: claims, participants, attribution, time, place, quote and span. An id may be cut to
    any start that no other id shares. With --format json, one id prints the record, several an array."""
    store = run.store()
    return DetailView(resolve_fact_ids(store, fact_ids), store.entity_names(), single=len(fact_ids) == 1)


@app.command(
    "source",
    cls=FactsCommand,
    short_help="Print the article, or the paragraph of a fact's quote.",
    epilog=examples(
        "facts source",
        "facts source s300-growing-importance",
        "facts source --spans",
        "facts source --format json | jq -r '.[0].published.value'",
    ),
)
@with_output(SOURCE)
def show_source(
    run: Run,
    record_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="A source id; or a fact id (or a unique start of one): the paragraph its quote stands in.",
            autocompletion=complete.source_or_fact_ids,
        ),
    ] = None,
    spans: Annotated[
        bool, typer.Option("--spans", help="Underline what the facts quote (text format).", show_default=False)
    ] = False,
) -> SourceView:
    """Print the article: whole, as stored; or, for a fact, the paragraph its quote stands in, the quote marked.
    --spans underlines everything the facts quote. With --format json, the source records."""
    if spans and (run.format or ("text" if run.streams.is_tty else "plain")) != "text":
        raise UsageProblem("--spans marks the article for people: it takes --format text (the default on a terminal)")
    store = run.store()
    if not store.sources:
        raise NotFound(f"{store.path}: the store holds no sources")
    if record_id is None:
        return SourceView(store.sources, store.facts, spans=spans)
    source = store.find("sources", record_id)
    if source is not None:
        return SourceView([source], store.facts, spans=spans)
    try:
        (fact,) = resolve_fact_ids(store, [record_id])
    except NotFound:
        known = [r["id"] for r in (*store.sources, *store.facts) if isinstance(r.get("id"), str)]
        listed = "`facts source --format json` shows the sources, `facts list` the facts"
        not_found("source or fact", record_id, known, listed)
    if spans:
        raise UsageProblem("--spans marks the whole article; the paragraph of a fact has its quote marked anyway")
    source = store.find("sources", fact.get("source"))
    span = fact.get("span") if isinstance(fact.get("span"), dict) else {}
    text = source.get("text") if source else None
    start, end = span.get("start"), span.get("end")
    if not (
        isinstance(text, str) and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    ):
        raise NotFound(f"fact {fact.get('id')!r} has no quote in a source of this store: `facts validate` says why")
    return SourceView([source], store.facts, focus=fact)


@app.command(
    "cite",
    cls=FactsCommand,
    short_help="Cite facts: the quote, the claim, who said it and where.",
    epilog=examples(
        "facts cite ru-kz-s300-free",
        "facts cite ru-kz-s300-fr rt-by --format markdown",
        "facts cite --by Shoigu --format csl-json > shoigu.json",
    ),
)
@with_output(CITATION, bidi=False)
@with_fact_selection(without=("lang",))
def cite(
    run: Run,
    selection: FactSelection,
    fact_ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...",
            help="Fact ids, or any unique start of one; without them, the facts the filters select.",
            autocompletion=complete.fact_ids,
            show_default=False,
        ),
    ] = None,
) -> CitationView:
    """Cite facts, for a person to paste: the quote verbatim, the English claim, who said it (with the Arabic cue
    word) or the article itself, the source (publisher, language, date, ≈ when inferred), and where the quote
    stands: its line, and its code points (end exclusive). Filters keep those of the facts named that pass them.

    --format markdown: the same in Markdown, rendering as exactly the stored text in CommonMark and in Pandoc's
    Markdown (a text with a control character is refused, exit 5); --format csl-json: the sources, for reference
    managers and Pandoc, each with the line (the locator) and the quote of every fact cited in it.
    """
    store = run.store()
    if fact_ids:
        store = store._replace(facts=resolve_fact_ids(store, fact_ids))
    facts = _limited(select_facts(store, selection), selection)
    sources = {record["id"]: record for record in store.sources if isinstance(record.get("id"), str)}
    return CitationView(facts, sources, store.entity_names())


@app.command(
    "validate",
    cls=FactsCommand,
    short_help="Check the store; one line per problem.",
    epilog=examples("facts validate", "facts validate --db mine.json && facts list --db mine.json"),
)
@with_output(None, bidi=False)
def validate(run: Run) -> None:
    """Check the store: schema, references, spans, duplicate ids, dates. One line per problem on stdout and exit
    4 when there are any; a summary on stderr."""
    from .validate import validate_document

    store = run.store(whole=True)
    problems = validate_document(store.document, duplicates=store.duplicates)
    streams = run.streams
    try:
        with streams.output(human=False) as out:
            for problem in problems:
                out.write(f"{problem}\n")
    except BrokenPipeError:  # `facts validate | head`: the reader has gone, the verdict (exit 4) stands
        drop_stdout(streams)
    if problems:
        raise InvalidStore(f"{store.path}: {_count(len(problems), 'problems')}")
    counts = ", ".join(_count(len(getattr(store, table)), table) for table in TABLES)
    streams.message(f"{store.path}: valid: {counts}")


InputArgument = Annotated[
    str,
    typer.Argument(
        metavar="[FILE|-]", help="Where to read the JSON from; - (the default) is standard input.", show_default=False
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", "-n", help="Say what would change, and change nothing (exit 0).", show_default=False),
]


# The most a write reads as its input: an export of 100,000 facts is about 120 MB. Input that does not end
# (`facts import /dev/zero`, `yes | facts add`) is refused once past it, not held in memory without limit.
INPUT_LIMIT = 512 << 20
_CHUNK = 1 << 20


def _read_input(source: str, streams: Streams) -> str:
    """The JSON text a write reads: from standard input (`-`) or a file, as UTF-8 (RFC 8259), at most INPUT_LIMIT
    bytes; refused at its first NUL byte, which no JSON text holds (`/dev/zero`)."""
    if source == "-":
        if streams.stdin is None:
            raise UsageProblem("standard input is closed: give a FILE, or the JSON on standard input")
        if streams.stdin_tty:
            streams.message("reading JSON from standard input (end with Ctrl-D)")
        return _bounded(streams.stdin.buffer, "standard input")
    try:
        with open(source, "rb") as handle:
            return _bounded(handle, source)
    except OSError as error:
        raise typer.BadParameter(f"cannot read {source}: {error.strerror or error}") from None


def _bounded(handle: Any, what: str) -> str:
    import stat

    from .storage import InputError

    with suppress(OSError, ValueError, AttributeError):  # a stream that is no file (a test's) is read as it comes
        status = os.fstat(handle.fileno())
        if stat.S_ISREG(status.st_mode) and status.st_size > INPUT_LIMIT:  # refused before a byte is read
            raise InputError(f"{what} is larger than {INPUT_LIMIT >> 20} MiB, more than any store holds")
    chunks, size = [], 0
    while chunk := handle.read(_CHUNK):
        nul = chunk.find(b"\0")
        if nul >= 0:
            raise InputError(f"the input is not JSON: {what} holds a NUL byte (byte {size + nul})")
        size += len(chunk)
        if size > INPUT_LIMIT:
            raise InputError(f"{what} is larger than {INPUT_LIMIT >> 20} MiB, more than any store holds")
        chunks.append(chunk)
    try:
        return b"".join(chunks).decode("utf-8").removeprefix("\ufeff")  # a byte order mark, as a store's
    except UnicodeDecodeError as error:
        raise InputError(f"{what} is not UTF-8 (byte {error.start})") from None


def _print_written(streams: Streams, path: Path, lines: list[str], *, changed: bool) -> None:
    """What a write prints on stdout (`add` the new id, `remove` what went). Once the store has `changed`, output
    that cannot be written is a warning, not an error (exit 0): a script that read the exit code as a failure and
    ran the write again would make it twice."""
    try:
        with streams.output(human=False) as out:
            out.write("".join(lines))
        streams.stdout.flush()
    except BrokenPipeError:
        if not changed:
            raise
        drop_stdout(streams)  # the reader has gone: not an error, as elsewhere
    except (OSError, ValueError, UnicodeEncodeError) as error:
        if not changed:
            raise
        drop_stdout(streams)
        reason = getattr(error, "strerror", None) or error
        streams.message(f"{path}: the store was changed, but cannot write the output: {reason}")


def _dry_run_note(streams: Streams, path: Path, what: str) -> None:
    streams.message(f"dry run: {path}: would {what}; nothing written")


@app.command(
    "init",
    cls=FactsCommand,
    short_help="Make a new writable store.",
    epilog=examples("facts init mine.json", "facts init --empty other.json && export FACTS_DB=other.json"),
)
@with_output(None, store=False, bidi=False, pager=False)
def init(
    run: Run,
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The new store file.", parser=store_path)],
    empty: Annotated[
        bool, typer.Option("--empty", help="A store with no records, not a copy of the bundled one.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
    dry_run: DryRunOption = False,
) -> None:
    """Make a new writable store: a copy of the bundled store, or an empty one."""
    from .curate import init_store

    if run.db is not None:
        raise UsageProblem(f"init writes PATH ({path}); --db names a store to read, and init reads none")

    facts = init_store(path, empty=empty, force=force, dry_run=dry_run, notify=run.streams.message)
    if dry_run:
        _dry_run_note(run.streams, path, f"write a store of {_count(facts, 'facts')}")
        return
    import shlex

    named = shlex.quote(str(path))
    run.streams.message(f"wrote {path} ({_count(facts, 'facts')}); use it with --db {named} or {ENV_VAR}={named}")


@app.command(
    "add",
    cls=FactsCommand,
    short_help="Add one fact from JSON; print its id.",
    epilog=examples(
        "facts add --db mine.json fact.json",
        "facts show ru-kz-s300-free -f json | jq 'del(.id)' | facts add --db mine.json --dry-run",
    ),
)
@with_output(None, bidi=False, pager=False)
def add(run: Run, source: InputArgument = "-", dry_run: DryRunOption = False) -> None:
    """Add one fact from a JSON object (as `facts show ID --format json` prints it); print its id.

    An id is made from the English claim when the object has none; a span is found from the quote when the object
    has none and the quote stands once in the source. The store must validate afterwards, or nothing is written.
    """
    from .curate import add_fact, parse_json

    path = run.writable_path()
    fact = parse_json(_read_input(source, run.streams), "the input")
    fact_id = add_fact(path, fact, dry_run=dry_run, notify=run.streams.message)
    _print_written(run.streams, path, [f"{fact_id}\n"], changed=not dry_run)
    if dry_run:
        _dry_run_note(run.streams, path, f"add fact {fact_id}")


@app.command(
    "import",
    cls=FactsCommand,
    short_help="Add records from an export, a JSON array or JSON Lines.",
    epilog=examples("facts import --db mine.json colleague.json", "facts export | facts import --db mine.json -n"),
)
@with_output(None, bidi=False, pager=False)
def import_(run: Run, source: InputArgument = "-", dry_run: DryRunOption = False) -> None:
    """Add the records of an export document, a JSON array of facts or JSON Lines of facts: all, or none.

    Records identical to stored ones are skipped; a different record under a stored id refuses the import.
    """
    from .curate import import_records, parse_import

    path = run.writable_path()
    incoming = parse_import(_read_input(source, run.streams))
    added = import_records(path, incoming, dry_run=dry_run, notify=run.streams.message)
    counts = ", ".join(_count(added[table], table) for table in TABLES)
    if dry_run:
        _dry_run_note(run.streams, path, f"add {counts}")
    else:
        run.streams.message(f"{path}: added {counts}")


def _absolute_iri(value: str | None) -> str | None:
    """An absolute IRI (RFC 3987), or a usage error."""
    from .jsonld import iri_problem

    problem = iri_problem(value) if value is not None else None
    if problem:
        raise typer.BadParameter(problem)
    return value


LINKED_DATA = ("annotations", "jsonld")


@app.command(
    "export",
    cls=FactsCommand,
    short_help="Print the store, or the facts asked for, as JSON or JSON-LD.",
    epilog=examples(
        "facts export > backup.json",
        "facts init --empty kz.json && facts export --entity Kazakhstan | facts import --db kz.json",
        "facts export --format annotations --base https://example.org/rt-2015.jsonld",
        "facts export --format jsonld --by Shoigu | jq '.[\"@graph\"] | length'",
    ),
)
@with_output(EXPORT, bidi=False)
@with_fact_selection(without=("sort", "lang"))
def export(
    run: Run,
    selection: FactSelection,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="IRI",
            callback=_absolute_iri,
            help="Where the export will be published (an absolute IRI, RFC 3987): the ids of annotations and jsonld "
            "are made absolute against it (they are relative to the document without it).",
            show_default=False,
        ),
    ] = None,
) -> ExportView:
    """Print the whole store as one JSON document, {"sources": [...], "entities": [...], "facts": [...]}, which
    `facts import` reads; with filters, the facts they select and the sources and entities those refer to.

    --format annotations: a W3C Web Annotation collection, one annotation per fact anchoring it in its source;
    --format jsonld: schema.org Claims, with the articles and entities they name (docs/EXPORT.md). Both can be
    published inside an HTML <script> element (<, > and & are escaped).
    """
    if base is not None and run.format not in LINKED_DATA:
        raise typer.BadParameter(
            "it makes the ids of JSON-LD absolute, so it takes --format annotations or jsonld", param_hint="'--base'"
        )
    store = run.store()
    return ExportView(store, _limited(select_facts(store, selection), selection), selection.narrows, base)


RECORD_KINDS = {"fact": "facts", "entity": "entities", "source": "sources"}


def _confirm(streams: Streams, path: Path, removing: dict[str, list[str]], yes: bool) -> bool:
    """Whether to go ahead with a cascading removal: shown on stderr and asked on a terminal, unless `yes`."""
    if yes:
        return True
    if not streams.stdin_tty:
        raise UsageProblem("remove --cascade asks before it removes, and there is no terminal to ask: add --yes")
    counts = " and ".join(_count(len(ids), table) for table, ids in removing.items() if ids)
    streams.message(f"{path}: --cascade removes {counts}:")
    streams.lines([f"  {SINGULAR[table]} {record_id}" for table, ids in removing.items() for record_id in ids])
    streams.stderr.write("Remove them? [y/N] ")
    streams.stderr.flush()
    try:
        answer = streams.stdin.readline() if streams.stdin is not None else ""
    except KeyboardInterrupt:
        streams.stderr.write("\n")  # the shell's prompt on a line of its own
        raise
    return answer.strip().lower() in ("y", "yes")


@app.command(
    "remove",
    cls=FactsCommand,
    short_help="Remove facts, entities or sources by id.",
    epilog=examples(
        "facts remove --db mine.json rt-byline",
        "facts remove --db mine.json --kind entity kazakhstan --cascade --dry-run",
    ),
)
@with_output(None, bidi=False)
def remove(
    run: Run,
    ids: Annotated[
        list[str],
        typer.Argument(metavar="ID...", help="Ids of the records to remove.", autocompletion=complete.record_ids),
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
            click_type=Vocabulary(list(RECORD_KINDS), "record kinds"),
            help="What the ids name: fact (the default), entity or source.",
            show_default=False,
        ),
    ] = "fact",
    cascade: Annotated[
        bool,
        typer.Option(
            "--cascade",
            help="Also remove the facts that refer to a removed entity or source; shows them and asks first.",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask (needed for --cascade without a terminal).")
    ] = False,
    dry_run: DryRunOption = False,
) -> None:
    """Remove facts (or entities or sources, with --kind): all the ids, or none; print what was removed.

    An entity or source that facts still refer to is kept, unless --cascade removes those facts too: it shows
    them and asks on a terminal, and elsewhere needs --yes.
    """
    from .curate import remove_records

    if cascade and kind == "fact":
        raise UsageProblem("--cascade removes the facts that refer to an entity or a source: add --kind")
    if yes and not cascade:
        raise UsageProblem("--yes answers the question --cascade asks; without --cascade there is none")
    path = run.writable_path()
    table = RECORD_KINDS[kind]
    expected = None
    if cascade and not dry_run:
        expected = remove_records(path, table, ids, cascade=True, dry_run=True)
        if not _confirm(run.streams, path, expected, yes):
            run.streams.message("nothing removed")
            return
    removed = remove_records(
        path, table, ids, cascade=cascade, dry_run=dry_run, expected=expected, notify=run.streams.message
    )
    lines = [f"{SINGULAR[name]}\t{removed_id}\n" for name, removed_ids in removed.items() for removed_id in removed_ids]
    _print_written(run.streams, path, lines, changed=not dry_run)
    if dry_run:
        _dry_run_note(run.streams, path, "remove the records above")


@app.command(
    "help",
    cls=FactsCommand,
    short_help="Show the help of facts, or of a command.",
    epilog=examples("facts help", "facts help search"),
)
def help_(
    ctx: typer.Context,
    command: Annotated[
        str | None,
        typer.Argument(
            metavar="[COMMAND]", help="The command to show the help of.", autocompletion=complete.command_names
        ),
    ] = None,
) -> None:
    """Show the help of facts, or of a command (the same as `facts COMMAND --help`)."""
    root = ctx.find_root()
    group = root.command
    if command is None:
        text = group.get_help(root)
    else:
        found = group.get_command(root, command) if isinstance(group, TyperGroup) else None
        if found is None:
            import difflib

            names = group.list_commands(root) if isinstance(group, TyperGroup) else []
            close = difflib.get_close_matches(command, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f": the commands are {', '.join(names)}"
            raise UsageProblem(f"no command {command!r}{hint}")
        with Context(found, info_name=command, parent=root) as context:
            text = found.get_help(context)
    show_text(text, ctx)


# The group's options that may come before a command (those that take a value, with it).
_GLOBAL_VALUES, _GLOBAL_FLAGS = ("--db", "--bidi"), ("--no-pager",)


def command_name(args: list[str]) -> str | None:
    """The command `facts ARGS` runs: the first word after the global options; None when another option comes
    first (`--help`, `--version`, a mistake), which the whole app must answer."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _GLOBAL_VALUES:
            skip = True
        elif arg in _GLOBAL_FLAGS or arg.startswith(tuple(f"{name}=" for name in _GLOBAL_VALUES)):
            continue
        elif arg.startswith("-"):
            return None
        else:
            return arg
    return None


def app_for(args: list[str]) -> typer.Typer:
    """The app to run `facts ARGS` with: when ARGS name a command, an app of that command alone.

    Typer turns every command into a Click command before it runs one; building one instead of all of them
    saves a third of the start-up that `facts` adds to importing Typer (benchmarks/startup.py). The group's
    options, help and errors are the same. `help` needs every command, to show their help.
    """
    name = command_name(args)
    wanted = [info for info in app.registered_commands if name != "help" and info.name == name]
    if not wanted:
        return app
    single = typer.Typer(**APP_SETTINGS)
    single.registered_callback = app.registered_callback
    single.registered_commands = wanted
    return single


def _completion_args(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """The words of the command line being completed (bash gives COMP_WORDS, zsh and fish _TYPER_COMPLETE_ARGS)."""
    import shlex

    words = environ.get("COMP_WORDS") or environ.get("_TYPER_COMPLETE_ARGS") or ""
    try:
        return shlex.split(words)[1:]
    except ValueError:
        return words.split()[1:]


def main(args: list[str] | None = None, streams: Streams | None = None) -> int:
    """Run `facts ARGS` (sys.argv by default) with the given streams (the process's own by default), and return
    the exit code. Tests call it in-process with streams of their own."""
    args = sys.argv[1:] if args is None else args
    streams = streams or Streams.system()
    completing = "_FACTS_COMPLETE" in os.environ
    command = get_command(app_for(_completion_args(os.environ) if completing else args))
    unreadable = (ValueError, LookupError) if completing else ()
    try:
        code = command.main(args, prog_name="facts", standalone_mode=False, obj=Run(streams))
    except unreadable as error:  # a shell's completion request that cannot be read (COMP_CWORD not a number)
        streams.message(f"completion: {error}")
        return ExitCode.USAGE
    except ClickException as error:  # `facts` alone: the help, on stderr
        error.show(file=streams.stderr)
        return error.exit_code
    except typer.Exit as done:
        return done.exit_code
    return code if isinstance(code, int) else ExitCode.OK
