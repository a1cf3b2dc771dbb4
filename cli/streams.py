"""The streams of one run: stdin, stdout and stderr, whether each is a terminal, width, height, colour, bidi mode
and pager. The one place that looks at the environment for output.

A run makes one `Streams` (`Streams.system()`), the global and command options configure it, and it is passed
down: nothing else probes the environment or writes to `sys.stdout`. Tests make their own over `StringIO`.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any, TextIO

from .sanitize import sanitize

# Wider than any screen: a larger COLUMNS would only pad right-aligned lines with megabytes of spaces.
MAX_WIDTH = 1000

# Terminals that reorder right-to-left text themselves, and the variables that give them away (no terminal can be
# asked). VTE (GNOME Terminal, Tilix...) and mintty also take ECMA-48's BDSM: `CSI 8 l` asks them for explicit
# mode, in which they show what they are sent, in the order sent.
_REORDERING_VARIABLES = ("VTE_VERSION", "KONSOLE_VERSION", "MLTERM")
_REORDERING_PROGRAMS = ("Apple_Terminal", "mintty")
EXPLICIT_MODE, IMPLICIT_MODE = "\x1b[8l", "\x1b[8h"
BIDI_MODES = ("auto", "visual", "logical")

PAGER_VARIABLES = ("FACTS_PAGER", "PAGER")
DEFAULT_PAGER = "less"
# As git sets them when they are unset: less quits when the text fits on one screen (F), passes colours (R) and
# does not clear the screen (X); lv passes colours (-c).
PAGER_ENVIRONMENT = {"LESS": "FRX", "LV": "-c"}
_SHELL_SYNTAX = set("|&;<>()$`\\\"'*?[#~=%")


def terminal_reorders(environ: Mapping[str, str]) -> bool:
    """Whether the environment names a terminal that applies the bidi algorithm itself."""
    return any(environ.get(name) for name in _REORDERING_VARIABLES) or (
        environ.get("TERM_PROGRAM") in _REORDERING_PROGRAMS
    )


def _takes_explicit_mode(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("VTE_VERSION")) or environ.get("TERM_PROGRAM") == "mintty"


def _isatty(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False


def _size_from(environ: Mapping[str, str], name: str) -> int:
    value = environ.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else 0


def pager_command(environ: Mapping[str, str]) -> str | None:
    """The pager `$FACTS_PAGER`, else `$PAGER`, else `less` names; None when it is set empty (or to `cat`), and
    by default on a dumb terminal."""
    for name in PAGER_VARIABLES:
        if name in environ:
            command = environ[name].strip()
            return command if command and command != "cat" else None
    return None if environ.get("TERM") == "dumb" else DEFAULT_PAGER  # less cannot work a dumb terminal


class Streams:
    """What output may assume about where it goes, and the streams themselves.

    `visual` says whether text for people is sent in visual order (shaped, reordered, right-aligned), for a
    terminal that does not reorder; `explicit` whether to ask the terminal for explicit mode around it; `pager`
    the command that output taller than the screen goes through on a terminal, or None.
    """

    __slots__ = (
        "bidi",
        "color",
        "environ",
        "forced_color",
        "height",
        "is_tty",
        "pager",
        "stderr",
        "stdin",
        "stdin_tty",
        "stdout",
        "width",
    )

    def __init__(
        self,
        stdin: TextIO | None,
        stdout: TextIO,
        stderr: TextIO,
        environ: Mapping[str, str],
        *,
        bidi: str = "auto",
        paging: bool = True,
    ) -> None:
        """Read the streams and the environment: `COLUMNS`, `LINES`, `NO_COLOR`, `FORCE_COLOR`, `TERM=dumb`, the
        terminal, the pager. `bidi` is `visual`, `logical` or `auto`: logical when stdout is not a terminal
        (nothing piped is ever reordered or reshaped unless asked) or is one that reorders itself, visual
        otherwise."""
        self.stdin, self.stdout, self.stderr, self.environ = stdin, stdout, stderr, environ
        self.is_tty = _isatty(stdout)
        self.stdin_tty = _isatty(stdin)
        width, height = _size_from(environ, "COLUMNS"), _size_from(environ, "LINES")
        if not (width and height):
            size = shutil.get_terminal_size()
            width, height = width or size.columns, height or size.lines
        self.width, self.height = min(width, MAX_WIDTH), height
        natural = self.is_tty and environ.get("TERM") != "dumb"
        if environ.get("NO_COLOR"):
            self.color = False
        elif environ.get("FORCE_COLOR"):
            self.color = True
        else:
            self.color = natural
        self.forced_color = self.color and not natural
        """Colour by FORCE_COLOR where there would be none (a pipe, TERM=dumb): the 16 colours anything takes."""
        self.bidi = bidi
        self.pager = pager_command(environ) if paging else None

    @classmethod
    def system(cls) -> Streams:
        """The process's own streams and environment."""
        return cls(sys.stdin, sys.stdout, sys.stderr, os.environ)

    def configure(self, *, bidi: str | None = None, paging: bool | None = None) -> None:
        """Apply the options of a run: the bidi mode, and `--no-pager` (paging False)."""
        if bidi is not None:
            self.bidi = bidi
        if paging is False:
            self.pager = None

    @property
    def visual(self) -> bool:
        return self.bidi == "visual" or (self.bidi == "auto" and self.is_tty and not terminal_reorders(self.environ))

    @property
    def explicit(self) -> bool:
        return self.visual and self.is_tty and _takes_explicit_mode(self.environ)

    def message(self, text: str) -> None:
        """One line for the user on stderr, `facts: ` first, sanitised: it may quote anything a user or store gave."""
        self.stderr.write(sanitize(f"facts: {text}") + "\n")
        with suppress(OSError, ValueError):
            self.stderr.flush()

    def lines(self, lines: list[str]) -> None:
        """Lines on stderr as they are, each sanitised (problems, previews)."""
        for line in lines:
            self.stderr.write(sanitize(line) + "\n")

    @contextmanager
    def output(self, *, human: bool) -> Iterator[TextIO]:
        """Where a command writes its output: stdout, or on a terminal with a pager a stream that holds it until it
        is taller than the screen and then sends it, and all that follows, to the pager as it comes (rendered as
        the terminal gets it, visual order included); what never got that tall is written to stdout at the end.

        `human` output has the spaces at the ends of its lines taken off (what a table pads them with), and is
        wrapped in explicit mode on a terminal that would otherwise reorder it a second time; the mode is set on
        the terminal itself, not sent through the pager.

        Other output (machine formats, what a write prints) bound for a terminal is sanitised here, the one place
        it passes: controls, bidi overrides and isolates become visible escapes (tabs and newlines stay), so that
        nothing from a store can drive the terminal; piped, it keeps its exact values. (Text for people is
        sanitised as it enters Rich, which writes escape sequences of its own.)"""
        explicit = human and self.explicit
        if explicit:
            self.stdout.write(EXPLICIT_MODE)
        paged = _Paged(self) if self.is_tty and self.pager else None
        stream: TextIO = paged if paged is not None else self.stdout  # type: ignore[assignment]
        wrapped: io.TextIOBase | None = _Trimmed(stream) if human else _Sanitised(stream) if self.is_tty else None
        try:
            yield wrapped if wrapped is not None else stream  # type: ignore[misc]
            if wrapped is not None:
                wrapped.close()
        finally:
            if paged is not None:
                paged.finish()
            if explicit:
                self.stdout.write(IMPLICIT_MODE)
            self.stdout.flush()


_SGR = re.compile(r"\x1b\[[0-9;]*m")
_TRAILING_SPACES = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")
# What a pager took when the pager then failed (a pager run by the shell that exits 2 or more: a syntax error, a
# command not found) is written again directly: so much of it is kept.
_KEPT = 1 << 20


def _trim(line: str) -> str:
    """A line without the spaces at its end (before the colour codes that end it, if any)."""
    return _TRAILING_SPACES.sub(r"\1", line) if "\x1b" in line else line.rstrip(" ")


class _Trimmed(io.TextIOBase):
    """Text for people with the spaces that pad the ends of its lines taken off (colour codes after them kept)."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.partial = out, ""

    def write(self, text: str) -> int:
        *lines, self.partial = (self.partial + text).split("\n")
        if lines:
            self.out.write("".join(_trim(line) + "\n" for line in lines))
        return len(text)

    def close(self) -> None:
        if self.partial:
            self.out.write(_trim(self.partial))
            self.partial = ""

    def flush(self) -> None:
        self.out.flush()


class _Sanitised(io.TextIOBase):
    """Machine output on its way to a terminal, made inert: controls and bidi overrides as visible escapes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        self.out.write(sanitize(text, keep_tabs=True))
        return len(text)

    def close(self) -> None:
        """Nothing to finish (the stream it writes to is not its own)."""

    def flush(self) -> None:
        self.out.flush()


class _Paged(io.TextIOBase):
    """Output for a terminal with a pager: held while it fits on the screen; once it is taller, the pager is
    started and gets what was held and everything after, as it comes (a long listing shows its first screen at
    once). Written to stdout at the end if it never got that tall, or if the pager cannot be started.

    Ctrl-C belongs to the pager while it runs (less uses it to stop a search), as git does; the exit code stays
    the command's, whatever the pager exits with."""

    def __init__(self, streams: Streams) -> None:
        self.streams = streams
        self.held: list[str] = []
        self.rows, self.column = 0, 0
        self.process: Any = None
        self.kept, self.kept_size, self.broken = [], 0, False
        self.previous_handler: Any = None

    def write(self, text: str) -> int:
        if self.process is not None:
            self._send(text)
        elif self.held is None:
            self.streams.stdout.write(text)
        else:
            self.held.append(text)
            self._count(text)
            if self.rows >= self.streams.height:
                self._start()
        return len(text)

    def flush(self) -> None:
        if self.process is None and self.held is None:
            self.streams.stdout.flush()

    def _count(self, text: str) -> None:
        """Screen rows the text takes at the width (a long line wraps), counted as it comes."""
        width = max(self.streams.width, 1)
        *lines, last = _SGR.sub("", text).split("\n")
        for line in lines:
            self.rows += max(1, -(-(self.column + len(line)) // width))
            self.column = 0
        self.column += len(last)

    def _command(self) -> list[str] | None:
        import shlex

        pager = self.streams.pager or ""
        if _SHELL_SYNTAX & set(pager):
            return ["/bin/sh", "-c", pager]
        words = shlex.split(pager)
        return words if words and shutil.which(words[0]) else None

    def _start(self) -> None:
        import signal
        import subprocess

        held, self.held = "".join(self.held), None  # type: ignore[assignment]
        data = held.encode(self.streams.stdout.encoding or "utf-8")  # fails here as a direct write would
        command = self._command()
        try:
            if command is None:
                raise FileNotFoundError(self.streams.pager)
            self.streams.stdout.flush()
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, env={**PAGER_ENVIRONMENT, **self.streams.environ}
            )
        except (OSError, ValueError):
            self.streams.stdout.write(held)
            return
        self.previous_handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        self._send(held, data)

    def _send(self, text: str, data: bytes | None = None) -> None:
        if self.kept_size < _KEPT:
            self.kept.append(text)
            self.kept_size += len(text)
        if self.broken:
            return
        data = data if data is not None else text.encode(self.streams.stdout.encoding or "utf-8")
        try:
            self.process.stdin.write(data)
        except BrokenPipeError:  # the user quit before the end: not an error, nothing more to show
            self.broken = True

    def finish(self) -> None:
        """Wait for the pager; or write what was held, if it never started."""
        if self.process is None:
            if self.held is not None:
                self.streams.stdout.write("".join(self.held))
            return
        import signal

        try:
            with suppress(BrokenPipeError):
                self.process.stdin.close()
            status = self.process.wait()
        finally:
            signal.signal(signal.SIGINT, self.previous_handler)
        shell = self.process.args[0] == "/bin/sh"
        if (status >= 2 if shell else status in (126, 127)) and self.kept_size < _KEPT:  # the shell could not run it
            self.streams.stdout.write("".join(self.kept))
