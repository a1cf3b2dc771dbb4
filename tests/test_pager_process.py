"""The pager as a process: when output is sent to it (once it takes the screen's rows), what it is given (every
byte, in the terminal's encoding; its arguments; the environment, LESS and LV defaulted), what happens when it cannot
start or fails (the output written directly, up to 1 MiB of it), and Ctrl-C while it runs.

A fake pager, a shell script that records its arguments, environment and input in files, is named
by FACTS_PAGER for `Streams` over a stream that says it is a terminal (the real `less` in tmux: tests/test_shell.py).
"""

from __future__ import annotations

import io
import os
import signal
from pathlib import Path

import pytest
from conftest import FACTS_BIN, TTYStream, clean_environment, in_pty

from facts_cli.streams import EXPLICIT_MODE, IMPLICIT_MODE, Streams

FAKE_PAGER = """#!/bin/sh
here=$(dirname "$0")
printf '%s\\n' "$@" > "$here/argv"
env > "$here/environment"
cat > "$here/input"
[ -z "$FAKE_PAGER_CTRL_C" ] || kill -INT $PPID
exit "${FAKE_PAGER_STATUS:-0}"
"""


@pytest.fixture
def pager(tmp_path: Path) -> Path:
    """The fake pager, in a directory of its own (where it writes what it recorded)."""
    directory = tmp_path / "pager"
    directory.mkdir()
    script = directory / "pager"
    script.write_text(FAKE_PAGER, encoding="utf-8")
    script.chmod(0o755)
    return script


class TerminalBytes(io.BytesIO):
    """The bytes a terminal gets."""

    def isatty(self) -> bool:
        return True


def show(
    pieces: list[str], pager: str, *, columns: int = 10, lines: int = 4, human: bool = False, **environ: str
) -> str:
    """What a terminal of `columns` x `lines` gets directly of output written in `pieces`, with `pager`."""
    out = TTYStream(True)
    variables = {"PATH": os.environ["PATH"], "COLUMNS": str(columns), "LINES": str(lines), "FACTS_PAGER": pager}
    streams = Streams(None, out, io.StringIO(), {**variables, **environ})
    with streams.output(human=human) as stream:
        for piece in pieces:
            stream.write(piece)
    return out.getvalue()


def paged(script: Path) -> bytes | None:
    """What the fake pager was given, or None if it never ran."""
    given = script.parent / "input"
    return given.read_bytes() if given.exists() else None


@pytest.mark.parametrize(
    ("pieces", "columns", "human", "is_paged"),
    [
        (["a\n"] * 3, 10, False, False),
        (["a\n"] * 4, 10, False, True),  # as many rows as the screen has: the prompt would push the first off
        (["a\n" * 4], 10, False, True),
        (["a\n"] * 7, 10, False, True),  # what comes after the pager started goes to it too
        (["\n"] * 4, 10, False, True),  # an empty line takes a row
        (["x" * 10 + "\n"] * 3, 10, False, False),  # a line as wide as the screen takes one row
        (["x" * 11 + "\n", "a\n"], 10, False, False),  # one wider wraps: two rows
        (["x" * 11 + "\n", "a\n", "a\n"], 10, False, True),
        (["a\n", "x" * 11 + "\n", "a\n"], 10, False, True),  # each line starts at the left edge
        (["x" * 21 + "\n", "a\n"], 10, False, True),
        (["x" * 6, "x" * 6 + "\n", "a\n"], 10, False, False),  # a line written in pieces: 12 wide, two rows
        (["x" * 6, "x" * 6 + "\n", "a\n", "a\n"], 10, False, True),
        (["ab\n", "a\n"], 1, False, False),  # at one column, two letters take two rows
        (["ab\n", "a\n", "a\n"], 1, False, True),
        (["\x1b[1m" + "x" * 10 + "\x1b[0m\n"] * 3, 10, True, False),  # colour codes take no room
    ],
)
def test_output_goes_to_the_pager_once_it_takes_the_screens_rows(pager, pieces, columns, human, is_paged):
    direct = show(pieces, str(pager), columns=columns, human=human)
    text = "".join(pieces)
    if is_paged:
        assert (direct, paged(pager)) == ("", text.encode())
    else:
        assert (direct, paged(pager)) == (text, None)


def test_the_pager_gets_its_arguments_and_the_environment_with_less_and_lv_defaulted(pager):
    show(["a\n"] * 5, f"{pager} -R --quit-if-one-screen", FAKE_MARK="mine")
    assert (pager.parent / "argv").read_text().splitlines() == ["-R", "--quit-if-one-screen"]
    environment = dict(line.split("=", 1) for line in (pager.parent / "environment").read_text().splitlines())
    assert (environment["LESS"], environment["LV"], environment["FAKE_MARK"]) == ("FRX", "-c", "mine")
    show(["a\n"] * 5, str(pager), LESS="S", LV="-d")
    environment = dict(line.split("=", 1) for line in (pager.parent / "environment").read_text().splitlines())
    assert (environment["LESS"], environment["LV"]) == ("S", "-d")


def test_a_pager_with_shell_syntax_is_run_by_the_shell(pager, tmp_path):
    kept = tmp_path / "kept"
    assert show(["a\n"] * 5, f"cat > {kept} && echo done >> {kept}") == ""
    assert kept.read_text() == "a\n" * 5 + "done\n"


@pytest.mark.parametrize(
    "pager_named", ["/no/such/pager", "no-such-pager-anywhere --flag", "{directory}", "{directory}/not-executable"]
)
def test_a_pager_that_cannot_start_leaves_the_output_direct_all_of_it(tmp_path, pager_named):
    (tmp_path / "not-executable").write_text("#!/bin/sh\ncat\n", encoding="utf-8")
    pieces = [f"line {number}\n" for number in range(12)]
    assert show(pieces, pager_named.format(directory=tmp_path)) == "".join(pieces)


def test_the_pager_gets_the_text_in_the_terminals_encoding(pager):
    """A terminal whose encoding is not UTF-8 (a Latin-1 locale) gets the same bytes through the pager."""
    terminal = TerminalBytes()
    stdout = io.TextIOWrapper(terminal, encoding="latin-1")
    environ = {"PATH": os.environ["PATH"], "COLUMNS": "10", "LINES": "4", "FACTS_PAGER": str(pager)}
    streams = Streams(None, stdout, io.StringIO(), environ)
    with streams.output(human=False) as stream:
        for _ in range(6):
            stream.write("café\n")
    assert paged(pager) == "café\n".encode("latin-1") * 6


SHELL, DIRECT = "shell", "direct"


@pytest.mark.parametrize(
    ("how", "status", "written_again"),
    [
        (SHELL, 0, False),
        (SHELL, 1, False),  # what a pager exits with is its own business
        (SHELL, 2, True),  # the shell could not run it: a syntax error, a redirection that failed
        (SHELL, 126, True),  # found, not executable
        (SHELL, 127, True),  # not found
        (DIRECT, 0, False),
        (DIRECT, 1, False),
        (DIRECT, 2, False),  # a pager started directly said 2 itself
        (DIRECT, 125, False),
        (DIRECT, 126, True),  # a pager that is a script whose own command could not run
        (DIRECT, 127, True),
        (DIRECT, 128, False),
    ],
)
def test_output_a_pager_failed_to_show_is_written_again_directly(pager, how, status, written_again):
    pieces = [f"line {number}\n" for number in range(6)]
    command = f"cat >/dev/null; exit {status}" if how == SHELL else str(pager)
    direct = show(pieces, command, FAKE_PAGER_STATUS=str(status))
    assert direct == ("".join(pieces) if written_again else "")


MiB = 1 << 20


@pytest.mark.parametrize(("size", "written_again"), [(MiB // 2, True), (MiB - 1, True), (MiB, False), (2 * MiB, False)])
def test_up_to_a_mebibyte_of_what_a_failed_pager_took_is_written_again(size, written_again):
    """More is not kept: the pager may have shown most of it, and the output may be any size."""
    line = "x" * 99 + "\n"
    text = line * (size // len(line)) + "y" * (size % len(line))
    pieces = [text[start : start + 65536] for start in range(0, len(text), 65536)]
    direct = show(pieces, "cat >/dev/null; exit 2", columns=100)
    assert len(text) == size
    assert direct == (text if written_again else "")


def test_ctrl_c_belongs_to_the_pager_while_it_runs_and_comes_back_after(pager):
    """The fake pager sends SIGINT to facts once it has read everything (as Ctrl-C reaches every process of the
    terminal's foreground group): facts waits on; and after the pager, Ctrl-C does what it did before."""

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        assert show(["a\n"] * 5, str(pager), FAKE_PAGER_CTRL_C="1") == ""
        assert paged(pager) == b"a\n" * 5
        assert signal.getsignal(signal.SIGINT) is interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_command_that_flushes_after_the_pager_failed_reaches_the_terminal_at_once():
    terminal = TerminalBytes()
    stdout = io.TextIOWrapper(terminal, encoding="utf-8", line_buffering=False, write_through=False)
    environ = {"PATH": os.environ["PATH"], "COLUMNS": "10", "LINES": "2", "FACTS_PAGER": "/no/such/pager"}
    streams = Streams(None, stdout, io.StringIO(), environ)
    with streams.output(human=False) as stream:
        stream.write("a\nb\n")
        stream.write("c\n")
        stream.flush()
        assert terminal.getvalue() == b"a\nb\nc\n"


def test_explicit_mode_is_set_on_the_terminal_before_the_pager_shows_anything():
    """On VTE, `CSI 8 l` goes to the terminal itself, ahead of the pager's output, and `CSI 8 h` after it."""
    environ = clean_environment(
        TERM="xterm", COLUMNS="80", LINES="10", NO_COLOR="1", VTE_VERSION="7600", FACTS_PAGER="sed s/^/PAGED:/"
    )
    environ.pop("PYTHONUNBUFFERED", None)  # stdout as a user's terminal has it: buffered until a newline
    shown = in_pty([str(FACTS_BIN), "list", "--bidi", "visual"], environ).decode("utf-8")
    assert "PAGED:" in shown
    assert shown.startswith(EXPLICIT_MODE) and shown.endswith(IMPLICIT_MODE)
    assert shown.count(EXPLICIT_MODE) == shown.count(IMPLICIT_MODE) == 1
