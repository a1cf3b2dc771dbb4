"""The signals that stop `facts` (SIGTERM, SIGHUP, SIGINT) while it does something that must be undone first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any


class Ended(BaseException):
    """SIGTERM, SIGHUP or SIGINT arrived in an `ending_on_signals` block: raised there, so that the block undoes what
    it made on the way out (its `finally` and `except BaseException` clauses)."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


class Ending:
    """The first of the signals that came in an `ending_on_signals` block, if any; and whether one that comes now
    waits (`holding`) rather than ending the block at once.

    CPython runs a signal's handler between two instructions: as a call returns, before what it returned is kept, or
    as a `finally` clause begins. What must not be cut short there (keeping a descriptor, letting a lock go, stopping
    a child) sets `holding` as its first instruction, an assignment, during which no handler runs, and `release()`s
    after."""

    def __init__(self) -> None:
        self.first: int | None = None
        self.holding = False

    def _arrived(self, number: int, frame: Any) -> None:
        if self.first is None:
            self.first = number
            if not self.holding:
                raise Ended(number)

    def release(self) -> None:
        """Let a signal end the block again: at once, when one came while holding."""
        self.holding = False
        if self.first is not None:
            raise Ended(self.first)

    @contextmanager
    def held(self) -> Iterator[None]:
        """A signal that comes in this block ends it at its end (`Popen`, cut short, would leave the child it started
        with no one to know it). When the block raises, `holding` stays set for the clause that undoes it."""
        self.holding = True
        yield
        self.release()


@contextmanager
def ending_on_signals() -> Iterator[Ending]:
    """SIGTERM, SIGHUP and SIGINT end the block (`Ended`, raised where it is), which undoes what it made on the way
    out; then `facts` ends as the signal says: by default killed by it (143 and 129 in a shell; Ctrl-C, 130), and a
    handler of its caller's (`main` run in-process) runs once, with the exit 128 + the signal if it lets it pass.

    Only the first signal counts: one that comes while the block is undone (systemd's SIGHUP after its SIGTERM,
    Ctrl-C as a terminal closes) is let pass. A signal ignored (nohup's SIGHUP) stays ignored. Outside the main
    thread, where no handler can be set, they are left as they are. Elsewhere they end `facts` at once, as they end
    any command: nothing is left to undo."""
    import signal

    ending = Ending()
    ending.holding = True  # one that comes as the handlers are set waits until all of them are
    previous: dict[int, Any] = {}
    try:
        with suppress(ValueError):  # not the main thread
            for name in ("SIGTERM", "SIGHUP", "SIGINT"):
                number = getattr(signal, name)
                if signal.getsignal(number) is not signal.SIG_IGN:
                    previous[number] = signal.signal(number, ending._arrived)
        ending.release()
        yield ending
    except BaseException:
        if ending.first is None:
            raise  # an error of the block's own, no signal having come
    finally:
        ending.holding = True  # one that comes as the handlers are put back is only taken note of
        for number, handler in previous.items():
            signal.signal(number, handler)
    if ending.first is not None:
        signal.raise_signal(ending.first)  # to its own handler: the default ends facts; Python's for SIGINT raises
        raise SystemExit(128 + ending.first)  # a handler that let it pass: the code a shell would show
