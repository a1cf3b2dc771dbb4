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
    one line (the traceback too with FACTS_DEBUG=1), exit 70. Ctrl-C exits 130, even while modules load.
    """
    if sys.stdout is None:  # started with stdout closed (`facts list >&-`): writing to it is an error, told once
        sys.stdout = _ClosedOutput()
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


class _ClosedOutput(io.TextIOBase):
    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")
