"""The `facts` commands (Typer): parse options, read the store, query it, hand records to a writer or a renderer."""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
import unicodedata
from collections.abc import Callable
from enum import Enum, IntEnum
from pathlib import Path
from typing import Annotated, Any, NamedTuple, NoReturn

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # Click as Typer 0.26 to 0.28 vendor it
from typer.core import TyperGroup

from . import INTERNAL_ERROR, __version__
from .arabic import tokenize
from .model import ARTICLE, SINGULAR, TABLES, Period, Record
from .query import EntityIndex, Filters, SearchIndex, search, sort_facts
from .storage import InputError, InvalidWrite, Store, StoreError, UnknownRecord
from .store import ENV_VAR, open_store, resolve_store_path, writable_store_path
from .terminal import Terminal
from .views import View, entities_view, facts_view, search_view, stats_view, timeline_view, types_view
from .vocabulary import ENTITY_KINDS, FACT_TYPES, STATUSES
from .writers import write_json, write_plain_record, write_records


class ExitCode(IntEnum):
    """What `facts` exits with; documented in the README."""

    OK = 0
    NOT_FOUND = 1
    USAGE = 2
    STORE = 3
    INVALID = 4
    OUTPUT = 5
    INTERNAL = INTERNAL_ERROR
    INTERRUPTED = 130


class OutputFormat(str, Enum):
    table = "table"
    plain = "plain"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"


class RecordFormat(str, Enum):
    text = "text"
    plain = "plain"
    json = "json"


class SourceFormat(str, Enum):
    text = "text"
    plain = "plain"
    json = "json"


class BidiMode(str, Enum):
    auto = "auto"
    visual = "visual"
    logical = "logical"


class Lang(str, Enum):
    ar = "ar"
    en = "en"


class SortKey(str, Enum):
    store = "store"
    id = "id"
    time = "time"
    type = "type"
    status = "status"


FactType = Enum("FactType", {key: key for key in FACT_TYPES}, type=str)  # type: ignore[misc]
Status = Enum("Status", {key: key for key in STATUSES}, type=str)  # type: ignore[misc]
EntityKind = Enum("EntityKind", {key: key for key in ENTITY_KINDS}, type=str)  # type: ignore[misc]


def fail(message: str, code: ExitCode) -> NoReturn:
    """Say what went wrong on stderr, one line, and exit with `code`."""
    print(f"facts: {message}", file=sys.stderr)
    raise typer.Exit(code)


def usage_error(error: UsageError) -> NoReturn:
    """A usage error in one line, with where to get help: `facts list: No such option: --nope (try 'facts list -h')`.

    Sanitised: the value quoted may be anything a user typed, escape characters included."""
    from .sanitize import sanitize

    where = error.ctx.command_path if error.ctx is not None else "facts"
    print(sanitize(f"{where}: {error.format_message().rstrip('.')} (try '{where} -h')"), file=sys.stderr)
    raise typer.Exit(ExitCode.USAGE)


class FactsGroup(TyperGroup):
    """Maps the errors every command can meet to exit codes and one line each, so no user ever sees a traceback."""

    def make_context(self, *args: Any, **kwargs: Any) -> typer.Context:
        try:
            return super().make_context(*args, **kwargs)
        except NoArgsIsHelpError:  # `facts` alone: the help, on stderr, exit 2
            raise
        except UsageError as error:  # the group's own options: `facts --nope`
            usage_error(error)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # here, so that a failed write is handled below, not at exit
            return result
        except UsageError as error:  # a command's options and arguments, an unknown command
            usage_error(error)
        except typer.Exit:  # with a code of its own: keep it, even if the reader has gone
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                _drop_stdout()
            raise
        except StoreError as error:
            fail(str(error), ExitCode.STORE)
        except InvalidWrite as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            fail(f"nothing written: {_count(len(error.problems), 'problems')}", ExitCode.INVALID)
        except InputError as error:
            fail(f"nothing written: {error}", ExitCode.INVALID)
        except UnknownRecord as error:
            fail(f"nothing written: {error}", ExitCode.NOT_FOUND)
        except BrokenPipeError:
            # The reader went away (`facts list | head`): not an error.
            _drop_stdout()
            raise typer.Exit(ExitCode.OK) from None
        except UnicodeEncodeError as error:
            _drop_stdout()
            char = error.object[error.start]
            fail(
                f"standard output ({error.encoding}) cannot take U+{ord(char):04X} "
                f"{unicodedata.name(char, 'a character')}: use a UTF-8 locale or PYTHONIOENCODING=utf-8, "
                "or --format json, which escapes what it cannot write",
                ExitCode.OUTPUT,
            )
        except OSError as error:
            if error.filename is not None:
                raise
            _drop_stdout()
            fail(f"cannot write the output: {error.strerror or error}", ExitCode.OUTPUT)
        except KeyboardInterrupt:
            raise typer.Exit(ExitCode.INTERRUPTED) from None


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush of what could not be written is silent."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


APP_SETTINGS: dict[str, Any] = {
    "name": "facts",
    "cls": FactsGroup,
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**APP_SETTINGS)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", metavar="PATH", help=f"Store file to read. Default: ${ENV_VAR}, else the bundled store."),
]
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format", "-f", help="table (default on a terminal), plain (default when piped), json, jsonl, csv, tsv."
    ),
]
BidiOption = Annotated[
    BidiMode,
    typer.Option(
        "--bidi",
        envvar="FACTS_BIDI",
        help="Right-to-left text for people: visual (shaped and reordered here, for terminals that do not), "
        "logical (as stored, for terminals that reorder), auto (visual on a terminal not known to reorder). "
        "Machine formats are never changed.",
    ),
]
FieldsOption = Annotated[
    str | None,
    typer.Option("--fields", metavar="A,B.C", help="Fields to print, comma-separated; nested ones dotted: time.value."),
]


def _count(number: int, plural: str) -> str:
    return f"{number} {plural if number != 1 else SINGULAR.get(plural, plural.removesuffix('s'))}"


def _open(db: Path | None) -> Store:
    return open_store(resolve_store_path(db))


def _not_found(what: str, record_id: str, known: list[str]) -> NoReturn:
    import difflib

    close = difflib.get_close_matches(record_id, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; `facts list` shows the {what} ids"
    fail(f"no {what} with id {record_id!r}{hint}", ExitCode.NOT_FOUND)


SELECTION_OPTIONS: dict[str, Any] = {
    "types": Annotated[
        list[FactType] | None, typer.Option("--type", help="Only facts of this type (repeatable: any of them).")
    ],
    "statuses": Annotated[
        list[Status] | None, typer.Option("--status", help="Only facts with this status (repeatable: any of them).")
    ],
    "entities": Annotated[
        list[str] | None,
        typer.Option(
            "--entity",
            metavar="NAME",
            help="Only facts involving this entity, named by id, name or alias in either script (repeatable: all).",
        ),
    ],
    "speakers": Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="NAME",
            help=f"Only facts attributed to this speaker; {ARTICLE!r}: what the article itself asserts (repeatable).",
        ),
    ],
    "since": Annotated[
        str | None,
        typer.Option(
            "--since", metavar="DATE", help="Only facts certainly on or after DATE: YYYY, YYYY-MM or YYYY-MM-DD."
        ),
    ],
    "until": Annotated[
        str | None, typer.Option("--until", metavar="DATE", help="Only facts certainly on or before DATE.")
    ],
    "sources": Annotated[
        list[str] | None, typer.Option("--source", metavar="ID", help="Only facts from this source (repeatable).")
    ],
    "sort": Annotated[
        SortKey | None,
        typer.Option("--sort", help="Order: store order (search: best first), id, time, type, status."),
    ],
    "limit": Annotated[int | None, typer.Option("--limit", metavar="N", min=1, help="At most N facts.")],
    "lang": Annotated[Lang, typer.Option("--lang", help="Which claim tables and plain lines show: ar or en.")],
}


class FactSelection(NamedTuple):
    """The fact filters and ordering a command was given (the options of SELECTION_OPTIONS, same names)."""

    types: list[FactType] | None = None
    statuses: list[Status] | None = None
    entities: list[str] | None = None
    speakers: list[str] | None = None
    since: str | None = None
    until: str | None = None
    sources: list[str] | None = None
    sort: SortKey | None = None
    limit: int | None = None
    lang: Lang = Lang.ar


def with_fact_selection(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the options of SELECTION_OPTIONS, handed to it as one `selection` argument."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "selection"]
    added = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=FactSelection._field_defaults.get(name),
            annotation=annotation,
        )
        for name, annotation in SELECTION_OPTIONS.items()
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        selection = FactSelection(**{name: kwargs.pop(name) for name in SELECTION_OPTIONS})
        command(**kwargs, selection=selection)

    wrapper.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*own, *added]}
    return wrapper


def _entity_ids(name: str, index: EntityIndex, option: str) -> frozenset[str]:
    """The entities `name` names; exit 1 with suggestions when it names none."""
    found = index.resolve(name)
    if not found:
        close = index.suggestions(name)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `facts entities` lists them"
        fail(f"{option}: no entity named {name!r}{hint}", ExitCode.NOT_FOUND)
    return frozenset(found)


def _period(value: str | None, option: str) -> Period | None:
    if value is None:
        return None
    try:
        return Period.parse(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None


def select_facts(store: Store, selection: FactSelection, index: EntityIndex | None = None) -> list[Record]:
    """The store's facts that pass the selection's filters, in its order (store order unless --sort); the store's
    own list when nothing is filtered or sorted, which a search then knows to cover the whole store.

    Names in --entity and --by are looked up in `index`, made from the store's entities when not given.
    """
    if index is None and (selection.entities or selection.speakers):
        index = EntityIndex(store.entities)
    speakers: set[str] = set()
    for name in selection.speakers or []:
        speakers |= {ARTICLE} if name == ARTICLE else _entity_ids(name, index, "--by")
    filters = Filters(
        types=frozenset(t.value for t in selection.types or []),
        statuses=frozenset(s.value for s in selection.statuses or []),
        entities=tuple(_entity_ids(name, index, "--entity") for name in selection.entities or []),
        speakers=frozenset(speakers),
        since=_period(selection.since, "--since"),
        until=_period(selection.until, "--until"),
        sources=frozenset(selection.sources or []),
    )
    facts = [fact for fact in store.facts if filters.admits(fact)] if any(filters) else store.facts
    return sort_facts(facts, selection.sort.value) if selection.sort else facts


def _limited(records: list[Any], selection: FactSelection) -> list[Any]:
    return records[: selection.limit] if selection.limit else records


def _fields(view: View, option: str | None) -> list[str] | None:
    if option is None:
        return None
    names = [name.strip() for name in option.split(",") if name.strip()]
    valid = view.valid_fields()
    unknown = [name for name in names if name not in valid]
    if unknown or not names:
        what = f"unknown field {unknown[0]!r}" if unknown else "no field given"
        raise typer.BadParameter(f"{what}; valid fields: {', '.join(valid)}", param_hint="--fields")
    return names


def emit(view: View, output_format: OutputFormat | None, fields_option: str | None, bidi: BidiMode) -> None:
    """Write a view in the chosen format (table on a terminal, plain when piped); exit 1 when it is empty."""
    fields = _fields(view, fields_option)
    terminal = Terminal.detect(bidi=bidi.value)
    chosen = output_format or (OutputFormat.table if terminal.is_tty else OutputFormat.plain)
    if chosen is OutputFormat.table:
        if view.records:
            from .render import make_console, render_table

            with terminal.output_mode():
                render_table(
                    view.records,
                    fields or view.columns,
                    make_console(terminal),
                    visual=terminal.visual,
                    section=view.section if fields is None else None,
                    caption=view.caption if fields is None or "time.value" in fields else None,
                )
    else:
        whole = chosen in (OutputFormat.json, OutputFormat.jsonl) and fields is None
        default = view.columns if chosen is OutputFormat.plain else view.fields
        write_records(view.records, chosen.value, None if whole else (fields or default), sys.stdout)
    if not view.records:
        fail(f"no {view.noun} matched", ExitCode.NOT_FOUND)


def _version(value: bool) -> None:
    if value:
        print(f"facts {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Look up the claims of an Arabic news article: bilingual, attributed, source-anchored facts.

    Exit codes: 0 results, 1 nothing matched or found, 2 usage error, 3 store cannot be read or written,
    4 invalid data (validate found problems, or a write was refused and nothing written), 5 output cannot be
    written, 70 internal error (FACTS_DEBUG=1 shows the traceback), 130 interrupted.
    """


@app.command("list")
@with_fact_selection
def list_facts(
    output_format: FormatOption = None,
    fields: FieldsOption = None,
    bidi: BidiOption = BidiMode.auto,
    db: DbOption = None,
    *,
    selection: FactSelection,
) -> None:
    """List facts, filtered and sorted as asked: a table on a terminal, tab-separated lines when piped."""
    store = _open(db)
    facts = select_facts(store, selection)
    emit(facts_view(_limited(facts, selection), selection.lang.value), output_format, fields, bidi)


@app.command("search")
@with_fact_selection
def search_facts(
    query: Annotated[str, typer.Argument(help="Words in Arabic or English, names in any spelling; all must match.")],
    output_format: FormatOption = None,
    fields: FieldsOption = None,
    bidi: BidiOption = BidiMode.auto,
    db: DbOption = None,
    *,
    selection: FactSelection,
) -> None:
    """Search claims, quotes and entity names, best first, saying why each fact matched."""
    if not tokenize(query):
        raise typer.BadParameter("the query has no words", param_hint="QUERY")
    store = _open(db)
    index = EntityIndex(store.entities)
    facts = select_facts(store, selection, index)
    hits = search(facts, index, query, SearchIndex.of_store(store, index), ranked=selection.sort is None)
    emit(search_view(_limited(hits, selection), selection.lang.value), output_format, fields, bidi)


@app.command("timeline")
@with_fact_selection
def timeline(
    output_format: FormatOption = None,
    fields: FieldsOption = None,
    bidi: BidiOption = BidiMode.auto,
    db: DbOption = None,
    *,
    selection: FactSelection,
) -> None:
    """Dated facts in date order, grouped by year, with each date's precision; ≈ marks an inferred date."""
    store = _open(db)
    facts = select_facts(store, selection)
    view = timeline_view(facts, selection.lang.value)
    emit(view._replace(records=_limited(view.records, selection)), output_format, fields, bidi)


@app.command("stats")
@with_fact_selection
def stats(
    output_format: FormatOption = None,
    fields: FieldsOption = None,
    bidi: BidiOption = BidiMode.auto,
    db: DbOption = None,
    *,
    selection: FactSelection,
) -> None:
    """Counts of the (filtered) facts by type, entity, speaker and year."""
    store = _open(db)
    facts = select_facts(store, selection)
    emit(stats_view(_limited(facts, selection), store), output_format, fields, bidi)


@app.command("entities")
def entities(
    kinds: Annotated[
        list[EntityKind] | None,
        typer.Option("--kind", help="Only entities of this kind (repeatable: any of them)."),
    ] = None,
    output_format: FormatOption = None,
    fields: FieldsOption = None,
    bidi: BidiOption = BidiMode.auto,
    db: DbOption = None,
) -> None:
    """People, countries, organisations, places, systems and documents, with how many facts involve each."""
    store = _open(db)
    emit(entities_view(store, [k.value for k in kinds or []]), output_format, fields, bidi)


@app.command("types")
def types(
    output_format: FormatOption = None,
    fields: FieldsOption = None,
    bidi: BidiOption = BidiMode.auto,
    db: DbOption = None,
) -> None:
    """The fact types: the closed vocabulary with Arabic and English labels, and how many facts have each."""
    emit(types_view(_open(db).facts), output_format, fields, bidi)


@app.command("show")
def show_fact(
    fact_id: Annotated[str, typer.Argument(metavar="ID", help="The fact's id, as `facts list` shows it.")],
    output_format: Annotated[
        RecordFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text (labelled, default on a terminal), plain (field<TAB>value lines, default when piped), json.",
        ),
    ] = None,
    bidi: BidiOption = BidiMode.auto,
    db: DbOption = None,
) -> None:
    """Show one fact in full: claims, participants, attribution, time, place, quote and span."""
    store = _open(db)
    fact = store.find("facts", fact_id)
    if fact is None:
        _not_found("fact", fact_id, [f["id"] for f in store.facts])
    terminal = Terminal.detect(bidi=bidi.value)
    chosen = output_format or (RecordFormat.text if terminal.is_tty else RecordFormat.plain)
    if chosen is RecordFormat.json:
        write_json(fact, sys.stdout)
    elif chosen is RecordFormat.plain:
        write_plain_record(fact, sys.stdout)
    else:
        from .render import make_console, render_fact_detail

        with terminal.output_mode():
            render_fact_detail(fact, store.entity_names(), make_console(terminal), visual=terminal.visual)


@app.command("source")
def show_source(
    source_id: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help="A source id; default: every source."),
    ] = None,
    output_format: Annotated[
        SourceFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="text (the article with what facts quote underlined; default on a terminal), "
            "plain (the text exactly as stored; default when piped), json (the source records).",
        ),
    ] = None,
    bidi: BidiOption = BidiMode.auto,
    db: DbOption = None,
) -> None:
    """Print the article text, or with --format json the source records, text included."""
    store = _open(db)
    sources = store.sources
    if source_id is not None:
        found = store.find("sources", source_id)
        if found is None:
            _not_found("source", source_id, [s["id"] for s in sources])
        sources = [found]
    terminal = Terminal.detect(bidi=bidi.value)
    chosen = output_format or (SourceFormat.text if terminal.is_tty else SourceFormat.plain)
    if chosen is SourceFormat.json:
        write_json(sources, sys.stdout)
    elif chosen is SourceFormat.plain:
        for index, source in enumerate(sources):
            text = source.get("text", "")
            sys.stdout.write(("\n" if index else "") + text + ("" if text.endswith("\n") else "\n"))
    else:
        from .render import make_console, render_source

        console = make_console(terminal)
        with terminal.output_mode():
            for index, source in enumerate(sources):
                if index:
                    console.print()
                render_source(source, store.facts, console, visual=terminal.visual)
    if not sources:
        fail(f"{store.path}: the store holds no sources", ExitCode.NOT_FOUND)


@app.command("validate")
def validate(db: DbOption = None) -> None:
    """Check the store: schema, references, spans, duplicate ids, dates. One line per problem on stdout."""
    from .validate import validate_document

    store = _open(db)
    problems = validate_document(store.document)
    try:
        for problem in problems:
            print(problem)
    except BrokenPipeError:  # `facts validate | head`: the reader has gone, the verdict (exit 4) stands
        _drop_stdout()
    if problems:
        fail(f"{store.path}: {_count(len(problems), 'problems')}", ExitCode.INVALID)
    counts = ", ".join(_count(len(getattr(store, table)), table) for table in TABLES)
    print(f"facts: {store.path}: valid: {counts}", file=sys.stderr)


InputArgument = Annotated[
    str, typer.Argument(metavar="[FILE|-]", help="Where to read the JSON from; - (the default) is standard input.")
]


def _read_input(source: str) -> str:
    if source == "-":
        if sys.stdin.isatty():
            print("facts: reading JSON from standard input (end with Ctrl-D)", file=sys.stderr)
        try:
            return sys.stdin.buffer.read().decode("utf-8")  # JSON is UTF-8 (RFC 8259), whatever the locale says
        except UnicodeDecodeError as error:
            raise InputError(f"standard input is not UTF-8 (byte {error.start})") from None
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(f"cannot read {source}: {getattr(error, 'strerror', None) or error}") from None


class RecordKind(str, Enum):
    fact = "fact"
    entity = "entity"
    source = "source"


@app.command("init")
def init(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The new store file.")],
    empty: Annotated[
        bool, typer.Option("--empty", help="A store with no records, not a copy of the bundled one.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Make a new writable store: a copy of the bundled store, or an empty one."""
    from .curate import init_store

    facts = init_store(path, empty=empty, force=force)
    print(
        f"facts: wrote {path} ({_count(facts, 'facts')}); use it with --db {path} or {ENV_VAR}={path}", file=sys.stderr
    )


@app.command("add")
def add(source: InputArgument = "-", db: DbOption = None) -> None:
    """Add one fact from a JSON object (as `facts show ID --format json` prints it); print its id.

    An id is made from the English claim when the object has none; a span is found from the quote when the object
    has none and the quote stands once in the source. The store must validate afterwards, or nothing is written.
    """
    from .curate import add_fact, parse_json

    path = writable_store_path(db)
    print(add_fact(path, parse_json(_read_input(source), "the input")))


@app.command("import")
def import_(source: InputArgument = "-", db: DbOption = None) -> None:
    """Add the records of an export document, a JSON array of facts or JSON Lines of facts: all, or none.

    Records identical to stored ones are skipped; a different record under a stored id refuses the import.
    """
    from .curate import import_records, parse_import

    path = writable_store_path(db)
    added = import_records(path, parse_import(_read_input(source)))
    print(f"facts: {path}: added {', '.join(_count(added[table], table) for table in TABLES)}", file=sys.stderr)


@app.command("export")
def export(db: DbOption = None) -> None:
    """Print the whole store as one JSON document: {"sources": [...], "entities": [...], "facts": [...]}."""
    from .curate import export_document

    write_json(export_document(_open(db)), sys.stdout)


@app.command("remove")
def remove(
    ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Ids of the records to remove.")],
    kind: Annotated[RecordKind, typer.Option("--kind", help="What the ids name.")] = RecordKind.fact,
    cascade: Annotated[
        bool, typer.Option("--cascade", help="Also remove the facts that refer to a removed entity or source.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Remove facts (or entities or sources, with --kind): all the ids, or none.

    An entity or source that facts still refer to is kept, unless --cascade removes those facts too.
    """
    from .curate import remove_records

    path = writable_store_path(db)
    table = {"fact": "facts", "entity": "entities", "source": "sources"}[kind.value]
    removed = remove_records(path, table, ids, cascade=cascade)
    for table_name, removed_ids in removed.items():
        for removed_id in removed_ids:
            print(f"{SINGULAR[table_name]}\t{removed_id}")


def app_for(args: list[str]) -> typer.Typer:
    """The app to run `facts ARGS` with: when ARGS start with a command's name, an app of that command alone.

    Typer turns every command into a Click command before it runs one; building one instead of all of them
    saves a third of the start-up that `facts` adds to importing Typer (benchmarks/startup.py). The group's
    options, help and errors are the same, as they only come into play when ARGS do not start with a command.
    """
    wanted = [info for info in app.registered_commands if args and info.name == args[0]]
    if not wanted:
        return app
    single = typer.Typer(**APP_SETTINGS)
    single.registered_callback = app.registered_callback
    single.registered_commands = wanted
    return single


def main() -> None:
    """Run the command that `sys.argv` names (the console script goes through `facts_cli.main`)."""
    app_for(sys.argv[1:])(prog_name="facts")
