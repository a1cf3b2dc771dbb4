"""The command group of `facts`: it prints the view a command returns, and maps every error a command can meet
to its exit code and one line (or the lines it has to say), so that no user ever sees a traceback."""

from __future__ import annotations

import contextlib
import os
import unicodedata
from typing import Any, NoReturn

import typer
from typer._click.core import Context
from typer._click.exceptions import NoArgsIsHelpError, NoSuchOption, UsageError  # Click as Typer 0.26 to 0.28 vendor it
from typer.core import TyperCommand, TyperGroup

from .errors import ExitCode, FactsError
from .options import Run, current_run
from .printers import escaping_format, print_view
from .sanitize import sanitize
from .streams import Streams
from .views import CitationView, DetailView, ExportView, GraphView, SourceView, View


def drop_stdout(streams: Streams) -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush of what could not be written is silent."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), streams.stdout.fileno())


def _usage_error(error: UsageError, streams: Streams, where: str = "facts") -> NoReturn:
    """A usage error in one line, with where to get help: `facts list: No such option: --nope (try 'facts list -h')`.
    `where` is the command being run, for an error that does not say (a missing option value, from the parser).

    Sanitised: the value quoted may be anything a user typed, escape characters included."""
    where = error.ctx.command_path if error.ctx is not None else where
    hint = f"try '{where} -h'"
    if isinstance(error, NoSuchOption) and where.endswith(" search"):  # `facts search إس -300`: a word of the query
        hint = f"a word of the query that begins with '-': quote the query, or put -- before it; {hint}"
    streams.stderr.write(sanitize(f"{where}: {error.format_message().rstrip('.')} ({hint})") + "\n")
    raise typer.Exit(ExitCode.USAGE)


def show_text(text: str, ctx: Context) -> None:
    """Text for the user on stdout, through the pager when it is taller than the screen (the help)."""
    with _streams_of(ctx.find_root().obj).output(human=False) as out:
        out.write(text + "\n")


def _show_help(ctx: Context, param: Any, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        show_text(ctx.get_help(), ctx)
        ctx.exit()


class _PagedHelp:
    """`--help` through the pager, as `facts help` (Click prints it directly)."""

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.callback = _show_help
        return option


class FactsCommand(_PagedHelp, TyperCommand):
    """A command of `facts`: its `--help` is paged."""


class FactsGroup(_PagedHelp, TyperGroup):
    """Prints what a command returns, and maps every error a command can meet to its exit code and one line (or
    the lines it has to say), so that no user ever sees a traceback."""

    def make_context(self, *args: Any, **kwargs: Any) -> Context:
        try:
            return super().make_context(*args, **kwargs)
        except NoArgsIsHelpError:  # `facts` alone: the help, on stderr, exit 2
            raise
        except UsageError as error:  # the group's own options: `facts --nope`
            _usage_error(error, _streams_of(kwargs.get("obj")))

    def invoke(self, ctx: Context) -> Any:
        streams = _streams_of(ctx.obj)
        view: Any = None
        try:
            result = super().invoke(ctx)
            if isinstance(result, View | DetailView | SourceView | CitationView | ExportView | GraphView):
                view = result
                run = current_run()
                print_view(result, streams, run.format, run.fields)
            streams.stdout.flush()  # here, so that a failed write is handled below, not at exit
            return None
        except UsageError as error:  # a command's options and arguments, an unknown command
            _usage_error(error, streams, " ".join(filter(None, [ctx.command_path, ctx.invoked_subcommand])))
        except typer.Exit:  # with a code of its own: keep it, even if the reader has gone
            try:
                streams.stdout.flush()
            except BrokenPipeError:
                drop_stdout(streams)
            raise
        except FactsError as error:
            *lines, last = error.lines()
            streams.lines(lines)
            streams.message(last)
            raise typer.Exit(error.exit_code) from None
        except BrokenPipeError:
            # The reader went away (`facts list | head`): not an error.
            drop_stdout(streams)
            raise typer.Exit(ExitCode.OK) from None
        except UnicodeEncodeError as error:
            drop_stdout(streams)
            char = error.object[error.start]
            escaping = escaping_format(view.kind) if view is not None else None  # one the command has, if any
            if "\ud800" <= char <= "\udfff":  # no encoding takes it: the store is wrong, not the locale
                streams.message(
                    f"the store holds a lone surrogate, U+{ord(char):04X}, which is no character and cannot be "
                    "written: `facts validate` says where" + (f"; --format {escaping} escapes it" if escaping else "")
                )
                raise typer.Exit(ExitCode.OUTPUT) from None
            streams.message(
                f"standard output ({error.encoding}) cannot take U+{ord(char):04X} "
                f"{unicodedata.name(char, 'a character')}: use a UTF-8 locale or PYTHONIOENCODING=utf-8"
                + (f", or --format {escaping}, which escapes what it cannot write" if escaping else "")
            )
            raise typer.Exit(ExitCode.OUTPUT) from None
        except OSError as error:
            if error.filename is not None:
                raise
            drop_stdout(streams)
            streams.message(f"cannot write the output: {error.strerror or error}")
            raise typer.Exit(ExitCode.OUTPUT) from None
        except KeyboardInterrupt:
            raise typer.Exit(ExitCode.INTERRUPTED) from None


def _streams_of(obj: Any) -> Streams:
    return obj.streams if isinstance(obj, Run) else Streams.system()


APP_SETTINGS: dict[str, Any] = {
    "name": "facts",
    "cls": FactsGroup,
    "no_args_is_help": True,
    "add_completion": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
