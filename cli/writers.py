"""Machine output: records written as JSON or plain tab-separated lines, exactly as stored. Never imports Rich."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

_PLAIN_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def field_value(record: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted path (`time.value`) of a record; None where any step is missing or null."""
    value: Any = record
    for key in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


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


def write_json(value: Any, out: TextIO) -> None:
    """One JSON document: UTF-8 text with non-ASCII unescaped, indented, newline-terminated."""
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def plain_cell(value: Any) -> str:
    """A value as one tab-free, newline-free cell: null is empty; tab, newline, CR and backslash are escaped."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.translate(_PLAIN_ESCAPES)


def write_plain_record(record: dict[str, Any], out: TextIO) -> None:
    """One record as `field<TAB>value` lines, nested fields flattened to dotted names."""
    for name, value in flatten(record).items():
        out.write(f"{name}\t{plain_cell(value)}\n")


def write_plain(records: Iterable[dict[str, Any]], fields: Sequence[str], out: TextIO) -> None:
    """One line per record, the fields tab-separated, no header."""
    for record in records:
        out.write("\t".join(plain_cell(field_value(record, name)) for name in fields) + "\n")
