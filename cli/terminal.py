"""The one place that looks at the environment for output: is stdout a terminal, how wide, whether to colour."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Terminal:
    """What output may assume about where it goes."""

    is_tty: bool
    width: int
    color: bool

    @classmethod
    def detect(cls, stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> Terminal:
        """Read the stream and the environment: `COLUMNS`, `NO_COLOR`, `FORCE_COLOR`, `TERM=dumb`."""
        stream = stream if stream is not None else sys.stdout
        environ = environ if environ is not None else os.environ
        try:
            is_tty = stream.isatty()
        except (AttributeError, ValueError):
            is_tty = False
        columns = environ.get("COLUMNS", "")
        width = int(columns) if columns.isascii() and columns.isdigit() and int(columns) > 0 else 0
        width = width or shutil.get_terminal_size().columns
        if environ.get("NO_COLOR"):
            color = False
        elif environ.get("FORCE_COLOR"):
            color = True
        else:
            color = is_tty and environ.get("TERM") != "dumb"
        return cls(is_tty=is_tty, width=width, color=color)
