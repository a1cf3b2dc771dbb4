"""cli/signals.py on its own: a signal ends the block at once, or at the end of a part held; the first one counts;
the caller's handlers are theirs again afterwards, and run once; none escapes as a traceback, however it comes as
the handlers are set or put back."""

from __future__ import annotations

import signal

import pytest

from facts_cli.signals import ending_on_signals

NUMBERS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def _handlers() -> dict[int, object]:
    return {number: signal.getsignal(number) for number in NUMBERS}


def test_a_signal_ends_the_block_at_once_then_reaches_the_callers_handler_once(callers):
    theirs, reached = _handlers(), []
    with pytest.raises(SystemExit) as ended, ending_on_signals():
        signal.raise_signal(signal.SIGTERM)
        reached.append("after the signal")
    assert (ended.value.code, callers, reached) == (128 + signal.SIGTERM, [signal.SIGTERM], [])
    assert _handlers() == theirs


def test_in_a_held_part_a_signal_waits_for_its_end(callers):
    reached = []
    with pytest.raises(SystemExit) as ended, ending_on_signals() as ending:
        with ending.held():
            signal.raise_signal(signal.SIGHUP)
            reached.append("the held part goes on")
        reached.append("after the held part")
    assert (ended.value.code, callers, reached) == (128 + signal.SIGHUP, [signal.SIGHUP], ["the held part goes on"])


def test_only_the_first_signal_counts(callers):
    undone = []
    with pytest.raises(SystemExit) as ended, ending_on_signals():
        try:
            signal.raise_signal(signal.SIGHUP)
        finally:
            signal.raise_signal(signal.SIGTERM)  # as the block is undone: let pass
            undone.append("undone")
    assert (ended.value.code, callers, undone) == (128 + signal.SIGHUP, [signal.SIGHUP], ["undone"])


def test_a_block_no_signal_comes_to_is_left_as_it_ends(callers):
    theirs = _handlers()
    with ending_on_signals():
        assert all(handler != theirs[number] for number, handler in _handlers().items())
    with pytest.raises(LookupError), ending_on_signals():
        raise LookupError("the block's own")
    assert (_handlers(), callers) == (theirs, [])


def test_an_ignored_signal_stays_ignored(callers):
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with ending_on_signals():
            signal.raise_signal(signal.SIGHUP)
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert callers == []


@pytest.mark.parametrize(("when", "sent"), [("set", signal.SIGTERM), ("put back", signal.SIGHUP)])
def test_a_signal_as_a_handler_is_set_or_put_back_escapes_nowhere(callers, monkeypatch, when, sent):
    """CPython runs a handler as the call that set one returns, before what it returned (the caller's handler, to be
    put back) is kept. As SIGTERM's handler is set, SIGTERM comes (its new handler runs); as it is put back, SIGHUP
    comes (whose handler is still the block's)."""
    theirs, real_signal, done = _handlers(), signal.signal, []

    def setting(number, handler):
        previous = real_signal(number, handler)
        if number == signal.SIGTERM and (handler is theirs[number]) == (when == "put back") and not done:
            done.append(number)
            signal.raise_signal(sent)
        return previous

    monkeypatch.setattr(signal, "signal", setting)
    with pytest.raises(SystemExit) as ended, ending_on_signals():
        pass
    monkeypatch.undo()
    assert (ended.value.code, callers) == (128 + sent, [sent])
    assert _handlers() == theirs
