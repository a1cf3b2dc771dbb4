"""On a terminal that reorders right-to-left text itself (VTE), visual output for people is wrapped in explicit mode
(the terminal shows it as sent), and every machine format is not: it is logical text, which the terminal must
reorder as usual. Every format of every command, by docs/GUIDE.md's formats (`table` and `text` are for people)."""

from __future__ import annotations

import io
import shutil

import pytest
from conftest import TTYStream

from facts_cli.app import main
from facts_cli.streams import EXPLICIT_MODE, IMPLICIT_MODE, Streams

COMMANDS = {
    "list": (["list"], ["table", "plain", "json", "jsonl", "csv", "tsv"]),
    "show": (["show", "rt-byline", "ru-am-caucasus-air-defence"], ["text", "plain", "json", "jsonl", "csv", "tsv"]),
    "source": (["source", "rt-byline"], ["text", "plain", "json"]),
    "graph": (["graph", "--entity", "balkhash"], ["text", "plain", "json", "dot", "mermaid", "svg"]),
    "cite": (["cite", "rt-byline"], ["plain", "markdown", "csl-json"]),
    "export": (["export"], ["json", "annotations", "jsonld"]),
}
HUMAN = {"table", "text"}
CASES = [(name, fmt) for name, (_, formats) in COMMANDS.items() for fmt in formats]


@pytest.mark.parametrize(("command", "fmt"), CASES)
def test_only_output_for_people_is_wrapped_in_explicit_mode(command, fmt):
    if fmt == "svg" and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot draws the picture")
    args, _ = COMMANDS[command]
    out, err = TTYStream(True), io.StringIO()
    environ = {"COLUMNS": "100", "LINES": "40", "NO_COLOR": "1", "VTE_VERSION": "7600", "FACTS_BIDI": "visual"}
    code = main([*args, "--format", fmt], Streams(None, out, err, environ, paging=False))
    assert (code, err.getvalue()) == (0, "")
    shown = out.getvalue()
    if fmt in HUMAN:
        assert shown.startswith(EXPLICIT_MODE) and shown.endswith(IMPLICIT_MODE)
        assert shown.count(EXPLICIT_MODE) == 1
    else:
        assert EXPLICIT_MODE not in shown and IMPLICIT_MODE not in shown
        assert len(shown.strip()) > 0
