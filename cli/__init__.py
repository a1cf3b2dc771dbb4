"""facts: a command-line lookup of the bilingual, source-anchored claims of an Arabic news article."""

import errno
import io
import os
import sys

__version__ = "0.1.0"

INTERNAL_ERROR = 70
"""The exit code of an unexpected error, a bug (EX_SOFTWARE in sysexits.h)."""

DEBUG_VAR = "FACTS_DEBUG"


def main() -> None:
    """The console script `facts` and `python -m facts_cli`, with the last line of defence: no user sees a traceback.

    The commands map every error a user can cause to a message and an exit code; what is left is a bug, told in
    one line (the traceback too with FACTS_DEBUG=1), exit 70. Ctrl-C exits 130 from here on, even while the
    commands' modules load (before, it is the interpreter's and the console script's: docs/DESIGN.md).
    """
    _plug_closed_descriptors()
    if sys.stdout is None:  # started with stdout closed (`facts list >&-`): writing to it is an error, told once
        sys.stdout = _ClosedOutput()
    if sys.stderr is None:  # started with stderr closed (`2>&-`): messages go nowhere, and the exit code stays
        sys.stderr = _Discarded()
    try:
        from .app import main as run

        code = run()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        if os.environ.get(DEBUG_VAR):
            import traceback

            traceback.print_exc()
        from .sanitize import sanitize

        detail = sanitize(f"{type(error).__name__}: {error}")
        hint = "" if os.environ.get(DEBUG_VAR) else f"; {DEBUG_VAR}=1 shows the traceback"
        print(f"facts: internal error (a bug): {detail}{hint}", file=sys.stderr)
        sys.exit(INTERNAL_ERROR)
    sys.exit(code)


def _plug_closed_descriptors() -> None:
    """Open /dev/null on each of descriptors 0, 1 and 2 that the process was started without, so that no file it
    opens takes their number: a store opened as descriptor 2 would get what a program it runs writes to stderr.
    (sys.stdin, sys.stdout and sys.stderr stay None, as Python made them: a closed stream is still told apart.)"""
    for descriptor in (0, 1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            try:
                plug = os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one, as those below are open
            except OSError:
                return
            if plug != descriptor:
                os.close(plug)
                return
            os.set_inheritable(plug, True)


class _Discarded(io.TextIOBase):
    """Standard error when the process was started without one: what is written goes nowhere."""

    def write(self, text: str) -> int:
        return len(text)


class _ClosedOutput(io.TextIOBase):
    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")
