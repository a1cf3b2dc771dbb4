"""Machine output: records as plain lines, JSON, JSON Lines, CSV or TSV, exactly as stored. Never imports Rich."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from .model import as_text, field_value

_LINE_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def select(record: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The chosen fields of a record, keyed by their dotted names, in the order asked."""
    return {name: field_value(record, name) for name in fields}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested objects and arrays as one level of dotted keys (`time.value`, `participants.0.entity`), in order."""
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, child in items:
        flat.update(flatten(child, f"{prefix}.{key}" if prefix else str(key)))
    return flat or {prefix: value}


def text_cell(value: Any) -> str:
    """A value as the text of one cell: null is empty, booleans `true`/`false`, arrays and objects compact JSON."""
    return as_text(value)


def plain_cell(value: Any) -> str:
    """A cell that stays on its line: backslash, tab, newline and carriage return written `\\\\ \\t \\n \\r`."""
    return text_cell(value).translate(_LINE_ESCAPES)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# What would end an HTML <script> element (`</script>`), open a comment in it (`<!--`), or start a character reference
# where a page is read as XHTML.
_HTML_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


# What the standard encoder leaves raw (it escapes C0 controls only) and a terminal would act on or reorder: DEL,
# the C1 controls (U+009B is CSI), bidi embeddings, overrides and isolates, line and paragraph separators.
_INERT = {code: f"\\u{code:04x}" for code in [0x7F, *range(0x80, 0xA0), *range(0x2028, 0x202F), *range(0x2066, 0x206A)]}
_ACTIVE = re.compile("[\x7f-\x9f\u2028-\u202e\u2066-\u2069]")  # a search is 3x quicker than a translate


class JSONOut:
    """A stream for JSON text that escapes (`\\uXXXX`) what a terminal would act on (DEL, C1 controls, bidi
    overrides and isolates, line separators), always, and what the stream cannot encode: all of non-ASCII on an
    ASCII stdout (`PYTHONIOENCODING=ascii`), a lone surrogate anywhere. The JSON means the same either way (the
    same values, valid JSON), as these can only stand inside its strings; text that can be written as it is, is.
    `html_safe` writes <, > and & as escapes too (they also stand only inside strings), so the JSON can stand inside
    an HTML <script> element."""

    def __init__(self, out: TextIO, *, html_safe: bool = False) -> None:
        self.out = out
        self.html_safe = html_safe

    def write(self, text: str) -> None:
        if self.html_safe:
            text = text.translate(_HTML_ESCAPES)
        if _ACTIVE.search(text):
            text = text.translate(_INERT)
        try:
            self.out.write(text)
        except UnicodeEncodeError:
            self.out.write(_NON_ASCII.sub(_json_escape, text))


def write_json(value: Any, out: TextIO, *, html_safe: bool = False) -> None:
    """One JSON document: UTF-8 text with non-ASCII unescaped (where the stream can take it), indented,
    newline-terminated; with `html_safe`, <, > and & escaped, to be published in an HTML page (JSON-LD)."""
    json.dump(value, JSONOut(out, html_safe=html_safe), ensure_ascii=False, indent=2)
    out.write("\n")


def write_plain_record(record: dict[str, Any], out: TextIO) -> None:
    """One record as `field<TAB>value` lines, nested fields flattened to dotted names."""
    for name, value in flatten(record).items():
        out.write(f"{name}\t{plain_cell(value)}\n")


def write_records(records: Sequence[dict[str, Any]], fmt: str, fields: Sequence[str] | None, out: TextIO) -> None:
    """Records in a machine format. `fields` None means whole records (json, jsonl) and is not allowed otherwise.

    plain: one record per line, tab-separated, no header. csv and tsv: a header line, then one line per record
    (csv quoted as RFC 4180 says, with `\\n` line ends; tsv escaped as plain). json: one array; jsonl: one object
    per line. With fields, json and jsonl objects are keyed by the dotted field names.
    """
    rows = list(records) if fields is None else [select(r, fields) for r in records]
    if fmt == "json":
        write_json(rows, out)
    elif fmt == "jsonl":
        lines = JSONOut(out)
        for row in rows:
            lines.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    elif fields is None:
        raise ValueError(f"the {fmt} format needs a field list")
    elif fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows([text_cell(row[name]) for name in fields] for row in rows)
    elif fmt in ("tsv", "plain"):
        if fmt == "tsv":
            out.write("\t".join(fields) + "\n")
        for row in rows:
            out.write("\t".join(plain_cell(row[name]) for name in fields) + "\n")
    else:
        raise ValueError(f"unknown format {fmt!r}")
