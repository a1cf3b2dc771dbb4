"""What can go wrong, as typed errors that carry their exit code, and the exit codes themselves.

Commands and the layers below raise these; one place (the command group in cli/app.py) turns them into lines on
stderr and the exit code. Nothing here imports Typer or Rich.
"""

from __future__ import annotations

from enum import IntEnum

from . import INTERNAL_ERROR


class ExitCode(IntEnum):
    """What `facts` exits with; documented in docs/GUIDE.md and `facts --help`."""

    OK = 0
    NOT_FOUND = 1
    USAGE = 2
    STORE = 3
    INVALID = 4
    OUTPUT = 5
    INTERNAL = INTERNAL_ERROR
    INTERRUPTED = 130


class FactsError(Exception):
    """An error a user can cause: told in one line (or a few, see `lines`), with its own exit code."""

    exit_code = ExitCode.INTERNAL

    def lines(self) -> list[str]:
        """The lines to print on stderr, without the `facts: ` prefix of the last one."""
        return [str(self)]


class NotFound(FactsError):
    """Nothing matched, or an id or name names nothing."""

    exit_code = ExitCode.NOT_FOUND


class UsageProblem(FactsError):
    """Options that cannot be used as given, found after parsing (an ambiguous id, a confirmation not given)."""

    exit_code = ExitCode.USAGE


class InvalidStore(FactsError):
    """The store holds invalid data: `facts validate` found problems (they are on stdout), or a fact to cite or
    annotate cannot be located in its source."""

    exit_code = ExitCode.INVALID


class MissingProgram(FactsError):
    """A program a format is made with (Graphviz's `dot`, for svg and png) is not installed, or cannot be run."""

    exit_code = ExitCode.STORE


class ProgramFailed(FactsError):
    """A program a format is made with ran and failed."""

    exit_code = ExitCode.STORE


class Unwritable(FactsError):
    """The format asked for cannot carry the text to write (a control character in Markdown): nothing is written."""

    exit_code = ExitCode.OUTPUT
