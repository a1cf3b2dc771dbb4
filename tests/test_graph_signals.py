"""Signals that stop `facts` while Graphviz's `dot` draws, beyond tests/test_graph.py's one signal to the command:
two at once, a program that runs `facts` in its own process with handlers of its own, a signal as `dot` starts.
`dot` is stopped first, nothing is said, and `facts` ends as the first signal says."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FACTS_BIN, clean_environment, in_the_foreground
from test_graph import fake_dot, running
from test_write_signals import PAIRS, _deliver, _embedded, _ended_by, _stop

from facts_cli.graph import build_graph, draw


def _drawing(tmp_path: Path, command: list[str]) -> tuple[subprocess.Popen, int]:
    """`command` run to draw the bundled store's graph with a `dot` that never ends, and that `dot`'s pid."""
    pid = tmp_path / "pid"
    fake_dot(tmp_path, f"echo $$ > {pid}.tmp && mv {pid}.tmp {pid}\nexec sleep 30")
    environ = {**clean_environment(), "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    facts = subprocess.Popen(
        [*command, "graph", "--format", "svg"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=in_the_foreground,
    )
    deadline = time.monotonic() + 30
    while not pid.exists():
        assert facts.poll() is None and time.monotonic() < deadline, "dot was not started"
        time.sleep(0.01)
    return facts, int(pid.read_text())


@pytest.mark.parametrize("numbers", PAIRS.values(), ids=PAIRS.keys())
def test_two_signals_at_once_stop_dot_and_end_facts_as_the_first(tmp_path, numbers):
    facts, dot = _drawing(tmp_path, [str(FACTS_BIN)])
    _stop(facts)
    _deliver(facts, numbers)
    stdout, stderr = facts.communicate(timeout=30)
    assert facts.returncode == _ended_by(numbers[0]), stderr
    assert (stdout, stderr) == (b"", b"")
    assert not running(dot)


@pytest.mark.parametrize(
    "numbers", [(signal.SIGTERM,), (signal.SIGHUP,), PAIRS["HUP+TERM"]], ids=["TERM", "HUP", "HUP+TERM"]
)
def test_facts_in_process_stops_dot_and_calls_the_callers_handler_once(tmp_path, numbers):
    """`facts` run in-process by a program whose own handler lets a signal pass: `dot` is stopped all the same,
    that handler is called once, for the first signal, and the exit code is the one a shell shows for it."""
    command, seen = _embedded(tmp_path)
    facts, dot = _drawing(tmp_path, command)
    _stop(facts)
    _deliver(facts, numbers)
    stdout, stderr = facts.communicate(timeout=30)
    assert json.loads(seen.read_text()) == [numbers[0]]
    assert facts.returncode == 128 + numbers[0], stderr
    assert (stdout, stderr) == (b"", b"")
    assert not running(dot)


def test_a_signal_as_dot_starts_stops_it(tmp_path, monkeypatch, callers):
    """CPython runs a signal's handler as soon as a call returns, before what it returned is kept: a SIGTERM that
    comes as `Popen` returns must not lose the `dot` it started, which would draw on with no one to read it. Sent
    here where CPython would run its handler; this process's own handler lets it pass, called once."""
    pid = tmp_path / "pid"
    fake_dot(tmp_path, f"echo $$ > {pid}.tmp && mv {pid}.tmp {pid}\nexec sleep 30")
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    started = []
    real_popen = subprocess.Popen

    def interrupted(*args, **kwargs):
        process = real_popen(*args, **kwargs)
        started.append(process)
        signal.raise_signal(signal.SIGTERM)
        return process

    monkeypatch.setattr(subprocess, "Popen", interrupted)
    with pytest.raises(SystemExit) as ended:
        draw(build_graph([], [], "en"), "svg")
    assert (ended.value.code, callers) == (128 + signal.SIGTERM, [signal.SIGTERM])
    (process,) = started
    assert process.poll() is not None
