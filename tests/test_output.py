"""Sanitising, machine writers and terminal detection: the output layer, below the commands."""

from __future__ import annotations

import io
import json

from conftest import TTYStream
from rich.console import Console

from facts_cli.render import render_listing, render_source, store_text
from facts_cli.sanitize import sanitize
from facts_cli.streams import Streams
from facts_cli.views import SourceView, View
from facts_cli.writers import flatten, plain_cell, select, text_cell, write_json, write_records


def test_sanitize_makes_escapes_and_overrides_visible():
    assert sanitize("a\x1b[31mred\x1b[0m") == "a^[[31mred^[[0m"
    assert sanitize("\x07\x7f\x9b") == "^G^?<U+009B>"
    assert sanitize("abc\u202edef\u2066x\u2069") == "abc<U+202E>def<U+2066>x<U+2069>"
    assert sanitize("lone \ud800 and \udfff") == "lone <U+D800> and <U+DFFF>"
    assert sanitize("line\nnext\ttab") == "line^Jnext^Itab"
    assert sanitize("line\nnext\r", keep_newlines=True) == "line\nnext^M"


def test_sanitize_keeps_arabic_and_marks():
    text = "روسيا \u200fتسلم\u061c إس-300 [bold]"
    assert sanitize(text) == text


def test_store_text_is_never_markup():
    console = Console(file=io.StringIO(), width=80, color_system=None, markup=True)
    console.print(store_text("[bold]x[/bold] [link=https://evil.example]y[/link]"))
    assert console.file.getvalue() == "[bold]x[/bold] [link=https://evil.example]y[/link]\n"


def test_table_shows_injected_text_inert():
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=True, color_system="standard", markup=True)
    fact = {"id": "x", "type": "threat", "status": "done", "time": None, "claim": "\x1b]8;;http://e\x1b\\hi[bold]"}
    render_listing(View("facts", [fact], ("id", "claim"), ("id", "claim")), ["id", "claim"], console)
    rendered = out.getvalue()
    assert "^[]8;;http://e^[\\hi[bold]" in rendered
    assert "\x1b]8" not in rendered


def test_flatten_names_nested_fields_with_dots():
    record = {"id": "a", "time": {"value": "2015", "inferred": False}, "participants": [{"entity": "x"}], "n": None}
    assert flatten(record) == {
        "id": "a",
        "time.value": "2015",
        "time.inferred": False,
        "participants.0.entity": "x",
        "n": None,
    }
    assert flatten({"empty": {}, "none": []}) == {"empty": {}, "none": []}


def test_plain_cells_stay_on_one_line():
    assert plain_cell(None) == ""
    assert plain_cell(False) == "false"
    assert plain_cell("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert plain_cell("كازاخستان") == "كازاخستان"


RECORDS = [
    {"id": "a", "time": {"value": "2015"}, "claim": "روسيا \u202e", "tags": ["x", "ي"]},
    {"id": "b", "time": None, "claim": 'say "hi",\tok', "tags": []},
]


def write(fmt: str, fields: list[str] | None) -> str:
    out = io.StringIO()
    write_records(RECORDS, fmt, fields, out)
    return out.getvalue()


def test_every_machine_format_keeps_text_as_stored():
    fields = ["id", "time.value", "claim", "tags"]
    assert write("plain", fields) == 'a\t2015\tروسيا \u202e\t["x","ي"]\nb\t\tsay "hi",\\tok\t[]\n'
    assert write("tsv", fields) == "id\ttime.value\tclaim\ttags\n" + write("plain", fields)
    assert write("csv", fields) == (
        'id,time.value,claim,tags\na,2015,روسيا \u202e,"[""x"",""ي""]"\nb,,"say ""hi"",\tok",[]\n'
    )
    assert write("jsonl", None) == (  # U+202E escaped: the same value, inert on a terminal
        '{"id":"a","time":{"value":"2015"},"claim":"روسيا \\u202e","tags":["x","ي"]}\n'
        '{"id":"b","time":null,"claim":"say \\"hi\\",\\tok","tags":[]}\n'
    )
    assert [json.loads(line) for line in write("jsonl", None).splitlines()] == RECORDS
    assert write("jsonl", ["id", "time.value"]) == '{"id":"a","time.value":"2015"}\n{"id":"b","time.value":null}\n'
    assert write("json", ["id"]) == '[\n  {\n    "id": "a"\n  },\n  {\n    "id": "b"\n  }\n]\n'


def test_select_and_cells():
    assert select(RECORDS[1], ["id", "time.value", "nothing.here"]) == {
        "id": "b",
        "time.value": None,
        "nothing.here": None,
    }
    assert [text_cell(v) for v in (None, True, 3, 2.5, "x", {"a": 1})] == ["", "true", "3", "2.5", "x", '{"a":1}']


def test_write_json_keeps_text_as_stored():
    out = io.StringIO()
    write_json(RECORDS[0], out)
    assert out.getvalue().startswith(
        '{\n  "id": "a",\n  "time": {\n    "value": "2015"\n  },\n  "claim": "روسيا \\u202e",\n'
    )
    assert json.loads(out.getvalue()) == RECORDS[0]


def detect(tty: bool, environ: dict[str, str]) -> Streams:
    return Streams(None, TTYStream(tty), io.StringIO(), environ)


def test_terminal_detection_follows_the_conventions():
    streams = detect(True, {"COLUMNS": "57", "LINES": "20"})
    assert (streams.is_tty, streams.width, streams.height, streams.color, streams.visual) == (True, 57, 20, True, True)
    assert detect(False, {"COLUMNS": "57"}).color is False
    assert detect(True, {"COLUMNS": "99999999"}).width == 1000
    assert detect(True, {"COLUMNS": "57", "NO_COLOR": "1"}).color is False
    assert detect(True, {"COLUMNS": "57", "TERM": "dumb"}).color is False
    assert detect(False, {"COLUMNS": "57", "FORCE_COLOR": "1"}).color is True
    assert detect(False, {"COLUMNS": "wide"}).width > 0


def test_the_source_view_underlines_what_facts_quote():
    source = {"id": "s", "text": "أول سطر\nRT"}
    facts = [{"id": "f", "source": "s", "span": {"start": 0, "end": 3}}, {"id": "g", "source": "other", "span": {}}]
    out = io.StringIO()
    console = Console(file=out, width=40, force_terminal=True, color_system="standard", markup=True)
    render_source(SourceView([source], facts, spans=True), console)
    first, second = out.getvalue().split("\n")[:2]
    assert "\x1b[4;36mأول\x1b[0m سطر" in first
    assert second.strip() == "RT"


def test_the_source_view_marks_nothing_unless_asked():
    source = {"id": "s", "text": "أول سطر\nRT"}
    out = io.StringIO()
    console = Console(file=out, width=40, force_terminal=True, color_system="standard", markup=True)
    render_source(SourceView([source], [{"id": "f", "source": "s", "span": {"start": 0, "end": 3}}]), console)
    assert "\x1b[" not in out.getvalue()
