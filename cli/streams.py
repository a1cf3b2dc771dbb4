"""The streams of one run: stdin, stdout and stderr, whether each is a terminal, width, height, colour, bidi mode
and pager. The one place that looks at the environment for output.

A run makes one `Streams` (`Streams.system()`), the global and command options configure it, and it is passed
down: nothing else probes the environment or writes to `sys.stdout`. Tests make their own over `StringIO`.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import TextIO

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
    """The pager `$FACTS_PAGER`, else `$PAGER`, else `less` names; None when it is set empty (or to `cat`)."""
    for name in PAGER_VARIABLES:
        if name in environ:
            command = environ[name].strip()
            return command if command and command != "cat" else None
    return DEFAULT_PAGER


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
        """Where a command writes its output: stdout, or on a terminal with a pager a buffer that goes to the pager
        when it is taller than the screen (rendered as the terminal gets it, visual order included).

        `human` output is wrapped in explicit mode on a terminal that would otherwise reorder it a second time;
        the mode is set on the terminal itself, not sent through the pager."""
        explicit = human and self.explicit
        if explicit:
            self.stdout.write(EXPLICIT_MODE)
        try:
            if not (self.is_tty and self.pager):
                yield self.stdout
                return
            buffer = io.StringIO()
            try:
                yield buffer
            except BaseException:
                self.stdout.write(buffer.getvalue())
                raise
            text = buffer.getvalue()
            if text.count("\n") < self.height or not self._page(text):
                self.stdout.write(text)
        finally:
            if explicit:
                self.stdout.write(IMPLICIT_MODE)
            self.stdout.flush()

    def _page(self, text: str) -> bool:
        """Show `text` through the pager; False when the pager cannot be started, or the shell could not find or
        run it (126, 127), so that the text was not shown.

        Ctrl-C belongs to the pager while it runs (less uses it to stop a search), as git does; the exit code
        stays the command's, whatever the pager exits with."""
        import shlex
        import signal
        import subprocess

        assert self.pager is not None
        command = ["/bin/sh", "-c", self.pager] if _SHELL_SYNTAX & set(self.pager) else shlex.split(self.pager)
        environ = {**PAGER_ENVIRONMENT, **self.environ}
        self.stdout.flush()
        data = text.encode(self.stdout.encoding or "utf-8")  # what cannot be encoded fails as a direct write would
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, env=environ)
        except (OSError, ValueError):
            return False
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            assert process.stdin is not None
            with suppress(BrokenPipeError):  # the user quit before the end: not an error
                process.stdin.write(data)
            with suppress(BrokenPipeError):
                process.stdin.close()
            status = process.wait()
        finally:
            signal.signal(signal.SIGINT, previous)
        return status not in (126, 127)
