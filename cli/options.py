"""The options the commands share, declared once: output (format, fields, bidi mode, store, pager) and fact
selection (filters, order, limit, language); the value types that check them while the command line is parsed,
before any store is opened; and `Run`, what a command runs with.
"""

from __future__ import annotations

import copy
import functools
import inspect
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, NamedTuple, get_args

import typer
from typer._click.globals import get_current_context
from typer._types import TyperChoice  # the choice type of Typer 0.26 to 0.28 (Click's, adapted)

from . import complete
from .errors import UsageProblem
from .printers import formats_for
from .query import ARTICLE, FactSelection, Period
from .storage import Store
from .store import ENV_VAR, open_store, resolve_store_path, writable_store_path
from .streams import BIDI_MODES, Streams
from .vocabulary import FACT_TYPES, STATUSES


class Run:
    """What a command runs with: the streams, and the store and output its options (or the global ones) name."""

    def __init__(self, streams: Streams) -> None:
        self.streams = streams
        self.db: Path | None = None
        self.format: str | None = None
        self.fields: list[str] | None = None

    def store(self, *, whole: bool = False) -> Store:
        """The store to read: `--db`, else `$FACTS_DB`, else the bundled one; `whole`, as `validate` reads it."""
        return open_store(resolve_store_path(self.db), whole=whole)

    def writable_path(self) -> Path:
        """The store to write: `--db` or `$FACTS_DB`, never the bundled one."""
        return writable_store_path(self.db)


def current_run() -> Run:
    """The Run of the command being invoked (made by `facts_cli.app.main`, or here when a test runs the app)."""
    context = get_current_context().find_root()
    if not isinstance(context.obj, Run):
        context.obj = Run(Streams.system())
    return context.obj


class Vocabulary(TyperChoice):
    """A value of a closed vocabulary: anything else is refused with the nearest value suggested, or the list."""

    def __init__(self, choices: Sequence[str], plural: str) -> None:
        super().__init__(choices, case_sensitive=False)
        self.plural = plural

    def get_invalid_choice_message(self, value: Any, ctx: Any) -> str:
        import difflib

        names = [str(choice) for choice in self.choices]
        wanted = str(value).casefold()
        close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6) if len(wanted) <= 200 else []
        if close:
            return f"{value!r} is not one of the {self.plural}; did you mean {close[0]!r}?"
        return f"{value!r} is not one of: {', '.join(names)}"


def _date(value: str | None) -> str | None:
    """A date option's value, checked (Period.parse reads it again where it is used)."""
    try:
        return value if value is None else Period.parse(value) and value
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _positive(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not a count of facts: use 1 or more")
    return value


def _list(values: Sequence[str]) -> str:
    return ", ".join(values)


def _store_path(value: str | None) -> Path | None:
    if value is None:
        return None
    return store_path(value)


def store_path(value: str) -> Path:
    """A store's path as given on the command line, or a usage error: an empty one names nothing, and one that ends
    with `/` names a directory (POSIX), which a path would forget (`Path("s.json/")` is `s.json`)."""
    if not value:
        raise typer.BadParameter("an empty path names no store")
    if value.endswith("/") and not os.path.isdir(value):
        raise typer.BadParameter(f"{value}: Not a directory (a path that ends with / names one)")
    return Path(value)


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="PATH",
        callback=_store_path,
        help=f"The store file. Default: ${ENV_VAR}, else the bundled store.",
        show_default=False,
    ),
]


def _bidi_option() -> Any:
    return Annotated[
        str | None,
        typer.Option(
            "--bidi",
            metavar="MODE",
            click_type=Vocabulary(BIDI_MODES, "bidi modes"),
            help="Right-to-left text for people: visual (shaped and reordered here, for terminals that do not), "
            "logical (as stored, for terminals that do), auto (visual on a terminal not known to reorder). Default: "
            "$FACTS_BIDI, else auto. Machine formats are never changed.",
            show_default=False,
        ),
    ]


BidiOption = _bidi_option()
BIDI_VARIABLE = "FACTS_BIDI"


def bidi_from(environ: Mapping[str, str]) -> str | None:
    """The bidi mode `$FACTS_BIDI` asks for (any case), or None; UsageProblem for one that is not a mode."""
    value = environ.get(BIDI_VARIABLE)
    if not value:
        return None
    if value.casefold() not in BIDI_MODES:
        problem = Vocabulary(BIDI_MODES, "bidi modes").get_invalid_choice_message(value, None)
        raise UsageProblem(f"{BIDI_VARIABLE}: {problem}")
    return value.casefold()


NoPagerOption = Annotated[
    bool, typer.Option("--no-pager", help="Never send the output through a pager.", show_default=False)
]


def _format_option(kind: str) -> Any:
    names = formats_for(kind)
    default = f"{names[0]} on a terminal, plain when piped" if names[0] != "plain" and "plain" in names else names[0]
    return Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            click_type=Vocabulary(names, "formats"),
            help=f"One of {_list(names)}. Default: {default}.",
            show_default=False,
        ),
    ]


def _fields_option(valid: Sequence[str]) -> Any:
    def parse(value: str | None) -> list[str] | None:
        if value is None:
            return None
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in valid]
        if unknown or not names:
            what = f"unknown field {unknown[0]!r}" if unknown else "no field given"
            raise typer.BadParameter(f"{what}; valid fields: {_list(valid)}")
        return names

    return Annotated[
        str | None,
        typer.Option(
            "--fields",
            metavar="FIELD,...",
            callback=parse,
            autocompletion=complete.field_names(list(valid)),
            help=f"Fields to print, comma-separated{_nested(valid)}. --fields nope lists them.",
            show_default=False,
        ),
    ]


def _nested(fields: Sequence[str]) -> str:
    """How the help of `--fields` names a command's nested fields, if it has any (`; nested ones dotted
    (time.value)`)."""
    dotted = min((name for name in fields if "." in name), key=len, default=None)
    return f"; nested ones dotted ({dotted})" if dotted else ""


class OutputChoice(NamedTuple):
    """What `--format`, `--fields`, `--bidi`, `--db` and `--no-pager` say on a command."""

    output_format: str | None = None
    fields: list[str] | None = None
    bidi: str | None = None
    db: Path | None = None
    no_pager: bool = False


def _inject(
    command: Callable[..., Any], options: dict[str, Any], pack: Callable[..., Any], name: str
) -> Callable[..., Any]:
    """`command` with `options` (name: annotated type) as keyword-only parameters, handed to it packed by `pack`
    (a NamedTuple, whose defaults are the options') as the one argument `name`."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for key, p in signature.parameters.items() if key != name]
    defaults = getattr(pack, "_field_defaults", {})
    added = [
        inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=defaults.get(key), annotation=annotation)
        for key, annotation in options.items()
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        packed = pack(**{key: kwargs.pop(key) for key in options})
        return command(**kwargs, **{name: packed})

    wrapper.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*own, *added]}
    return wrapper


def with_output(
    kind: str | None,
    fields: Sequence[str] | None = None,
    *,
    store: bool = True,
    bidi: bool = True,
    pager: bool = True,
) -> Callable[[Callable[..., Any]], Any]:
    """Give a command the options of what it reads and writes (`--format` if it prints a `kind` of view,
    `--fields` if it has `fields`, `--db` if it reads a `store`, `--bidi` if it draws text for people, `--no-pager`
    if its output may be long), applied to the Run, which it gets as its `run` argument."""
    options: dict[str, Any] = {}
    if kind is not None:
        options["output_format"] = _format_option(kind)
    if fields is not None:
        options["fields"] = _fields_option(fields)
    if bidi:
        options["bidi"] = BidiOption
    if store:
        options["db"] = DbOption
    if pager:
        options["no_pager"] = NoPagerOption

    def configure(**values: Any) -> Run:
        chosen = OutputChoice(**values)
        run = current_run()
        run.streams.configure(bidi=chosen.bidi, paging=False if chosen.no_pager else None)
        run.db = chosen.db if chosen.db is not None else run.db
        run.format, run.fields = chosen.output_format, chosen.fields
        return run

    return lambda command: _inject(command, options, configure, "run")


SORT_KEYS = ("store", "id", "time", "type", "status")
LANGS = ("ar", "en")
SELECTION_OPTIONS: dict[str, Any] = {
    "types": Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            metavar="TYPE",
            click_type=Vocabulary(list(FACT_TYPES), "types"),
            help=f"Only facts of this type (repeatable: any of them): {_list(FACT_TYPES)}. `facts types` gives "
            "their labels.",
            show_default=False,
        ),
    ],
    "statuses": Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            click_type=Vocabulary(list(STATUSES), "statuses"),
            help=f"Only facts with this status (repeatable: any of them): {_list(STATUSES)}.",
            show_default=False,
        ),
    ],
    "entities": Annotated[
        list[str] | None,
        typer.Option(
            "--entity",
            metavar="NAME",
            autocompletion=complete.entity_names,
            help="Only facts involving this entity, named by id, name or alias in either script (repeatable: all).",
            show_default=False,
        ),
    ],
    "speakers": Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="NAME",
            autocompletion=complete.speaker_names,
            help=f"Only facts attributed to this speaker; {ARTICLE}: what the article asserts itself (repeatable).",
            show_default=False,
        ),
    ],
    "since": Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            callback=_date,
            help="Only facts certainly on or after DATE: YYYY, YYYY-MM or YYYY-MM-DD.",
            show_default=False,
        ),
    ],
    "until": Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="DATE",
            callback=_date,
            help="Only facts certainly on or before DATE.",
            show_default=False,
        ),
    ],
    "sources": Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="ID",
            autocompletion=complete.source_ids,
            help="Only facts from this source (repeatable).",
            show_default=False,
        ),
    ],
    "sort": Annotated[
        str | None,
        typer.Option(
            "--sort",
            metavar="KEY",
            click_type=Vocabulary(SORT_KEYS, "sort keys"),
            help=f"Order by {_list(SORT_KEYS)} (store: as stored; time: earliest first, undated last).",
            show_default=False,
        ),
    ],
    "limit": Annotated[
        int | None,
        typer.Option(
            "--limit",
            metavar="N",
            callback=_positive,
            help="At most N facts.",
            show_default=False,
        ),
    ],
    "lang": Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="LANG",
            click_type=Vocabulary(LANGS, "languages"),
            help="The language shown, ar (the default) or en: of the claim in tables and plain lines.",
            show_default=False,
        ),
    ],
}


def with_fact_selection(
    *, without: Sequence[str] = (), helps: Mapping[str, str] | None = None
) -> Callable[[Callable[..., Any]], Any]:
    """Give a command the options of SELECTION_OPTIONS (but those named in `without`), as its `selection`; `helps`
    words an option's help for this command (`--limit` of stats limits the rows of a group, not facts)."""
    options = {name: annotation for name, annotation in SELECTION_OPTIONS.items() if name not in without}
    for name, text in (helps or {}).items():
        kind, info = get_args(options[name])
        info = copy.copy(info)
        info.help = text
        options[name] = Annotated[kind, info]
    return lambda command: _inject(command, options, FactSelection, "selection")
