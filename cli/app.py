"""The `facts` commands (Typer): parse options, read the store, hand records to a writer or a renderer."""

from __future__ import annotations

import os
import sys
from enum import Enum, IntEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from typer.core import TyperGroup

from cli import __version__
from cli.store import ENV_VAR, TABLES, Store, StoreError, open_store, resolve_store_path
from cli.terminal import Terminal
from cli.writers import write_json, write_plain, write_plain_record


class ExitCode(IntEnum):
    """What `facts` exits with; documented in the README."""

    OK = 0
    NOT_FOUND = 1
    USAGE = 2
    STORE = 3
    INVALID = 4


class ListFormat(str, Enum):
    table = "table"
    plain = "plain"
    json = "json"


class RecordFormat(str, Enum):
    text = "text"
    plain = "plain"
    json = "json"


class SourceFormat(str, Enum):
    text = "text"
    json = "json"


PLAIN_FIELDS = ("id", "type", "status", "time.value", "claim")


def fail(message: str, code: ExitCode) -> NoReturn:
    """Say what went wrong on stderr, one line, and exit with `code`."""
    print(f"facts: {message}", file=sys.stderr)
    raise typer.Exit(code)


class FactsGroup(TyperGroup):
    """Maps the errors every command can meet to exit codes, so no user ever sees a traceback."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreError as error:
            fail(str(error), ExitCode.STORE)
        except BrokenPipeError:
            # The reader went away (`facts list | head`): not an error. Point stdout at /dev/null so that the
            # interpreter's final flush does not complain.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(ExitCode.OK) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None


app = typer.Typer(
    name="facts",
    cls=FactsGroup,
    help="Look up the claims of an Arabic news article: bilingual, attributed, source-anchored facts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    Optional[Path],  # noqa: UP045 (Typer reads the annotation at run time, on Python 3.10 too)
    typer.Option("--db", metavar="PATH", help=f"Store file to read. Default: ${ENV_VAR}, else the bundled store."),
]


_SINGULAR = {"sources": "source", "entities": "entity", "facts": "fact", "problems": "problem"}


def _count(number: int, plural: str) -> str:
    return f"{number} {plural if number != 1 else _SINGULAR[plural]}"


def _open(db: Path | None) -> Store:
    return open_store(resolve_store_path(db))


def _not_found(what: str, record_id: str, known: list[str]) -> NoReturn:
    import difflib

    close = difflib.get_close_matches(record_id, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; `facts list` shows the {what} ids"
    fail(f"no {what} with id {record_id!r}{hint}", ExitCode.NOT_FOUND)


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

    Exit codes: 0 success, 1 nothing found, 2 usage error, 3 store cannot be read, 4 store invalid.
    """


@app.command("list")
def list_facts(
    output_format: Annotated[
        Optional[ListFormat],  # noqa: UP045
        typer.Option("--format", "-f", help="table (default on a terminal), plain (default when piped), json."),
    ] = None,
    db: DbOption = None,
) -> None:
    """List every fact: a table on a terminal, tab-separated lines when piped, or a JSON array."""
    store = _open(db)
    terminal = Terminal.detect()
    chosen = output_format or (ListFormat.table if terminal.is_tty else ListFormat.plain)
    if chosen is ListFormat.json:
        write_json(store.facts, sys.stdout)
    elif chosen is ListFormat.plain:
        write_plain(store.facts, PLAIN_FIELDS, sys.stdout)
    elif store.facts:
        from cli.render import make_console, render_fact_table

        render_fact_table(store.facts, make_console(terminal))
    if not store.facts:
        fail(f"{store.path}: the store holds no facts", ExitCode.NOT_FOUND)


@app.command("show")
def show_fact(
    fact_id: Annotated[str, typer.Argument(metavar="ID", help="The fact's id, as `facts list` shows it.")],
    output_format: Annotated[
        Optional[RecordFormat],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            help="text (labelled, default on a terminal), plain (field<TAB>value lines, default when piped), json.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Show one fact in full: claims, participants, attribution, time, place, quote and span."""
    store = _open(db)
    fact = store.find("facts", fact_id)
    if fact is None:
        _not_found("fact", fact_id, [f["id"] for f in store.facts])
    terminal = Terminal.detect()
    chosen = output_format or (RecordFormat.text if terminal.is_tty else RecordFormat.plain)
    if chosen is RecordFormat.json:
        write_json(fact, sys.stdout)
    elif chosen is RecordFormat.plain:
        write_plain_record(fact, sys.stdout)
    else:
        from cli.render import make_console, render_fact_detail

        render_fact_detail(fact, store.entity_names(), make_console(terminal))


@app.command("source")
def show_source(
    source_id: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(metavar="[ID]", help="A source id; default: every source."),
    ] = None,
    output_format: Annotated[
        SourceFormat, typer.Option("--format", "-f", help="text (the article) or json (the source records).")
    ] = SourceFormat.text,
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
    if output_format is SourceFormat.json:
        write_json(sources, sys.stdout)
    else:
        from cli.sanitize import sanitize

        terminal = Terminal.detect()
        for index, source in enumerate(sources):
            text = source.get("text", "")
            text = sanitize(text, keep_newlines=True) if terminal.is_tty else text
            sys.stdout.write(("\n" if index else "") + text + ("" if text.endswith("\n") else "\n"))
    if not sources:
        fail(f"{store.path}: the store holds no sources", ExitCode.NOT_FOUND)


@app.command("validate")
def validate(db: DbOption = None) -> None:
    """Check the store: schema, references, spans, duplicate ids, dates. One line per problem on stdout."""
    from cli.validate import validate_document

    store = _open(db)
    problems = validate_document(store.document)
    for problem in problems:
        print(problem)
    if problems:
        fail(f"{store.path}: {_count(len(problems), 'problems')}", ExitCode.INVALID)
    counts = ", ".join(_count(len(getattr(store, table)), table) for table in TABLES)
    print(f"facts: {store.path}: valid: {counts}", file=sys.stderr)


def main() -> None:
    """The console script `facts` and `python -m cli`."""
    app(prog_name="facts")
