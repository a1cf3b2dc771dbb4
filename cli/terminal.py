"""The one place that looks at the environment for output: terminal or not, width, colour, and bidi mode."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import NamedTuple, TextIO

# Wider than any screen: a larger COLUMNS would only pad right-aligned lines with megabytes of spaces.
MAX_WIDTH = 1000

# Terminals that reorder right-to-left text themselves, and the variables that give them away (no terminal can be
# asked). VTE (GNOME Terminal, Tilix...) and mintty also take ECMA-48's BDSM: `CSI 8 l` asks them for explicit
# mode, in which they show what they are sent, in the order sent.
_REORDERING_VARIABLES = ("VTE_VERSION", "KONSOLE_VERSION", "MLTERM")
_REORDERING_PROGRAMS = ("Apple_Terminal", "mintty")
EXPLICIT_MODE, IMPLICIT_MODE = "\x1b[8l", "\x1b[8h"


def terminal_reorders(environ: Mapping[str, str]) -> bool:
    """Whether the environment names a terminal that applies the bidi algorithm itself."""
    return any(environ.get(name) for name in _REORDERING_VARIABLES) or (
        environ.get("TERM_PROGRAM") in _REORDERING_PROGRAMS
    )


def _takes_explicit_mode(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("VTE_VERSION")) or environ.get("TERM_PROGRAM") == "mintty"


class Terminal(NamedTuple):
    """What output may assume about where it goes.

    `visual` says whether text for people is sent in visual order (shaped, reordered, right-aligned), for a
    terminal that does not reorder; `explicit` whether to ask the terminal for explicit mode around it.
    """

    is_tty: bool
    width: int
    color: bool
    visual: bool = False
    explicit: bool = False
    forced_color: bool = False
    """Colour by FORCE_COLOR where there would be none (a pipe, TERM=dumb): the 16 colours anything takes."""

    @classmethod
    def detect(
        cls, stream: TextIO | None = None, environ: Mapping[str, str] | None = None, bidi: str = "auto"
    ) -> Terminal:
        """Read the stream and the environment: `COLUMNS`, `NO_COLOR`, `FORCE_COLOR`, `TERM=dumb`, the terminal.

        `bidi` is `visual`, `logical` or `auto`: logical when stdout is not a terminal (nothing piped is ever
        reordered or reshaped unless asked) or is one that reorders itself, visual otherwise.
        """
        stream = stream if stream is not None else sys.stdout
        environ = environ if environ is not None else os.environ
        try:
            is_tty = stream.isatty()
        except (AttributeError, ValueError):
            is_tty = False
        columns = environ.get("COLUMNS", "")
        width = int(columns) if columns.isascii() and columns.isdigit() and int(columns) > 0 else 0
        width = min(width or shutil.get_terminal_size().columns, MAX_WIDTH)
        natural = is_tty and environ.get("TERM") != "dumb"
        if environ.get("NO_COLOR"):
            color = False
        elif environ.get("FORCE_COLOR"):
            color = True
        else:
            color = natural
        reorders = terminal_reorders(environ)
        visual = bidi == "visual" or (bidi == "auto" and is_tty and not reorders)
        explicit = visual and is_tty and _takes_explicit_mode(environ)
        return cls(is_tty, width, color, visual, explicit, forced_color=color and not natural)

    @contextmanager
    def output_mode(self, stream: TextIO | None = None) -> Iterator[None]:
        """Around output for people: explicit mode on a terminal that would otherwise reorder it a second time."""
        stream = stream if stream is not None else sys.stdout
        if not self.explicit:
            yield
            return
        stream.write(EXPLICIT_MODE)
        try:
            yield
        finally:
            stream.write(IMPLICIT_MODE)
            stream.flush()
