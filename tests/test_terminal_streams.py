"""What a run's streams take from the environment and from the streams themselves (the screen's size, colour, the
pager, the bidi mode), and what `Streams.output` does to text on its way to a terminal: trimmed for people,
sanitised for machines, flushed when asked and at the end."""

from __future__ import annotations

import io
import shutil

import pytest
from conftest import TTYStream

from facts_cli.app import main
from facts_cli.streams import Streams, pager_command

SYSTEM_COLUMNS, SYSTEM_LINES = "61", "17"


@pytest.fixture
def system_size(monkeypatch) -> tuple[int, int]:
    """The size the system gives when the environment given to Streams has none (shutil.get_terminal_size, which
    reads the process's own COLUMNS and LINES first): set to one no row below gives itself."""
    monkeypatch.setenv("COLUMNS", SYSTEM_COLUMNS)
    monkeypatch.setenv("LINES", SYSTEM_LINES)
    size = shutil.get_terminal_size()
    assert (size.columns, size.lines) == (int(SYSTEM_COLUMNS), int(SYSTEM_LINES))
    return size.columns, size.lines


SYSTEM = "system"


@pytest.mark.parametrize(
    ("environ", "width", "height"),
    [
        ({"COLUMNS": "57", "LINES": "20"}, 57, 20),
        ({"COLUMNS": "1", "LINES": "1"}, 1, 1),  # the smallest screen is still one
        ({"COLUMNS": "57"}, 57, SYSTEM),  # each is taken from the system alone when it is missing
        ({"LINES": "20"}, SYSTEM, 20),
        ({}, SYSTEM, SYSTEM),
        ({"COLUMNS": "0", "LINES": "0"}, SYSTEM, SYSTEM),  # no screen is 0 wide: unset, as curses reads it
        ({"COLUMNS": "wide", "LINES": "tall"}, SYSTEM, SYSTEM),
        ({"COLUMNS": "-80", "LINES": "+24"}, SYSTEM, SYSTEM),
        ({"COLUMNS": " 80", "LINES": "24 "}, SYSTEM, SYSTEM),
        ({"COLUMNS": "\u0668\u0660", "LINES": "\u0662\u0664"}, SYSTEM, SYSTEM),  # Arabic-Indic digits: not ASCII
        ({"COLUMNS": "5000", "LINES": "5000"}, 1000, 5000),  # wider than any screen: the width stops at 1000
        ({"COLUMNS": "1001"}, 1000, SYSTEM),
        ({"COLUMNS": "999"}, 999, SYSTEM),
    ],
)
def test_the_screen_size_is_columns_and_lines_when_they_are_a_positive_number(system_size, environ, width, height):
    streams = Streams(None, TTYStream(True), io.StringIO(), environ)
    columns, lines = system_size
    expected = (columns if width == SYSTEM else width, lines if height == SYSTEM else height)
    assert (streams.width, streams.height) == expected


class Writer:
    """A stream with nothing but write and flush: it cannot say whether it is a terminal."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_a_stream_that_cannot_say_it_is_a_terminal_is_taken_for_a_pipe():
    closed = io.StringIO()
    closed.close()
    out = Writer()
    streams = Streams(closed, out, io.StringIO(), {"COLUMNS": "80", "LINES": "24", "PAGER": "more"})
    assert (streams.is_tty, streams.stdin_tty, streams.color, streams.visual) == (False, False, False, False)
    with streams.output(human=False) as stream:
        stream.write("a\t\x1b[31m\n")
    assert "".join(out.written) == "a\t\x1b[31m\n", "piped: exactly as written, no pager"
    assert Streams(None, TTYStream(True), io.StringIO(), {}, paging=False).stdin_tty is False


@pytest.mark.parametrize(
    ("tty", "environ", "color", "forced"),
    [
        (True, {}, True, False),
        (False, {}, False, False),
        (True, {"TERM": "dumb"}, False, False),
        (True, {"NO_COLOR": "1"}, False, False),
        (True, {"FORCE_COLOR": "1"}, True, False),  # a terminal colours anyway: nothing is forced
        (False, {"FORCE_COLOR": "1"}, True, True),
        (True, {"TERM": "dumb", "FORCE_COLOR": "1"}, True, True),
        (False, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
    ],
)
def test_colour_and_whether_force_color_forced_it(tty, environ, color, forced):
    """`forced_color`: colour FORCE_COLOR asked for where there would be none, drawn in the 16 standard colours."""
    streams = Streams(None, TTYStream(tty), io.StringIO(), {"COLUMNS": "80", "LINES": "24", **environ})
    assert (streams.color, streams.forced_color) == (color, forced)


@pytest.mark.parametrize(
    ("environ", "pager"),
    [
        ({}, "less"),
        ({"TERM": "xterm"}, "less"),
        ({"TERM": "dumb"}, None),  # less cannot work a dumb terminal
        ({"TERM": "dumb", "PAGER": "more"}, "more"),  # named: the user knows their terminal
        ({"PAGER": "more"}, "more"),
        ({"PAGER": "  most -s  "}, "most -s"),
        ({"PAGER": ""}, None),
        ({"PAGER": "   "}, None),
        ({"PAGER": "cat"}, None),  # as git: `cat` is no pager
        ({"PAGER": "cat -v"}, "cat -v"),
        ({"FACTS_PAGER": "lv", "PAGER": "more"}, "lv"),
        ({"FACTS_PAGER": "", "PAGER": "more"}, None),  # set empty: off, whatever PAGER says
        ({"FACTS_PAGER": "cat", "PAGER": "more"}, None),
        ({"FACTS_PAGER": "lv", "TERM": "dumb"}, "lv"),
    ],
)
def test_the_pager_is_facts_pager_else_pager_else_less_and_cat_or_empty_is_none(environ, pager):
    assert pager_command(environ) == pager
    assert Streams(None, TTYStream(True), io.StringIO(), {"COLUMNS": "80", "LINES": "24", **environ}).pager == pager
    assert Streams(None, TTYStream(True), io.StringIO(), environ, paging=False).pager is None


def test_no_pager_turns_the_pager_off_and_the_other_options_leave_it_and_the_bidi_mode():
    streams = Streams(None, TTYStream(True), io.StringIO(), {"PAGER": "more"}, bidi="visual")
    streams.configure()
    assert (streams.pager, streams.bidi) == ("more", "visual")
    streams.configure(bidi="logical", paging=None)
    assert (streams.pager, streams.bidi) == ("more", "logical")
    streams.configure(paging=False)
    assert (streams.pager, streams.bidi) == (None, "logical")


def listing(mode: str, how: str, tty: bool) -> tuple[int, str, str]:
    """`facts list --lang en` with the bidi mode given by --bidi or FACTS_BIDI, on a terminal or piped."""
    out, err = TTYStream(tty), io.StringIO()
    environ = {"COLUMNS": "120", "LINES": "40", "TERM": "xterm", "NO_COLOR": "1"}
    args = ["list", "--lang", "ar", "--format", "table", "--limit", "3"]
    if how == "option":
        args += ["--bidi", mode]
    else:
        environ["FACTS_BIDI"] = mode
    code = main(args, Streams(None, out, err, environ, paging=False))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("how", ["option", "variable"])
def test_every_bidi_mode_is_taken_by_the_option_and_the_variable(how):
    """The three modes of docs/GUIDE.md: auto is visual on a terminal that does not reorder and logical piped."""
    shown = {}
    for mode in ("auto", "visual", "logical"):
        for tty in (True, False):
            code, out, err = listing(mode, how, tty)
            assert (code, err) == (0, ""), (mode, tty)
            shown[mode, tty] = out
    assert shown["visual", True] != shown["logical", True]
    assert shown["auto", True] == shown["visual", True]
    assert shown["auto", False] == shown["logical", False]


class TerminalBytes(io.BytesIO):
    """The bytes a terminal gets."""

    def isatty(self) -> bool:
        return True


def buffered_terminal() -> tuple[TerminalBytes, io.TextIOWrapper]:
    """A terminal behind a block-buffered text stream: what is written reaches it only when flushed."""
    terminal = TerminalBytes()
    return terminal, io.TextIOWrapper(terminal, encoding="utf-8", line_buffering=False, write_through=False)


@pytest.mark.parametrize("human", [True, False])
def test_what_a_command_flushes_reaches_the_terminal_at_once(human):
    terminal, stdout = buffered_terminal()
    streams = Streams(None, stdout, io.StringIO(), {"COLUMNS": "80", "LINES": "24"}, paging=False)
    with streams.output(human=human) as stream:
        stream.write("first\tline\n")
        assert terminal.getvalue() == b"", "held by the stream until flushed"
        stream.flush()
        assert terminal.getvalue() == b"first\tline\n"
        stream.write("last")
    assert terminal.getvalue() == b"first\tline\nlast", "all of it once the output ends"


@pytest.mark.parametrize(
    ("pieces", "shown"),
    [
        (["a   \n"], "a\n"),
        (["  a  b  \n"], "  a  b\n"),  # only the end of a line
        (["a\t \n"], "a\t\n"),  # spaces, not tabs
        (["a  \x1b[0m\n"], "a\x1b[0m\n"),  # before the colour codes that end the line
        (["\x1b[1ma\x1b[0m  \x1b[2m\x1b[0m\n"], "\x1b[1ma\x1b[0m\x1b[2m\x1b[0m\n"),
        (["\x1b[1ma\x1b[0m  b  \n"], "\x1b[1ma\x1b[0m  b\n"),
        (["a  ", "  \nb ", " \n"], "a\nb\n"),  # a line written in pieces
        (["a  \nlast  "], "a\nlast"),  # a last line without its newline is kept
        (["a\n", "", "  "], "a\n"),
    ],
)
def test_text_for_people_loses_the_spaces_that_pad_the_ends_of_its_lines(pieces, shown):
    out = TTYStream(True)
    streams = Streams(None, out, io.StringIO(), {"COLUMNS": "80", "LINES": "24"}, paging=False)
    with streams.output(human=True) as stream:
        for piece in pieces:
            stream.write(piece)
    assert out.getvalue() == shown


def test_a_message_is_on_stderr_at_once_even_where_stderr_buffers():
    terminal, stderr = buffered_terminal()
    streams = Streams(None, TTYStream(True), stderr, {"COLUMNS": "80", "LINES": "24"}, paging=False)
    streams.message("mine.json: \x1b[2Jgone")
    assert terminal.getvalue() == b"facts: mine.json: ^[[2Jgone\n"
