"""The record shapes: the JSON Schema shipped in the package, and the field names it gives each kind of record."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = "facts.schema.json"


@cache
def load_schema() -> dict[str, Any]:
    """The JSON Schema shipped in the package (`cli/schema/facts.schema.json`)."""
    return json.loads((Path(__file__).parent / "schema" / SCHEMA_FILE).read_text(encoding="utf-8"))


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node and "properties" not in node:
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def _leaves(schema: dict[str, Any], node: dict[str, Any], prefix: str) -> list[str]:
    node = _resolve(schema, node)
    properties = node.get("properties")
    if not properties or node.get("type") == "array":
        return [prefix]
    names: list[str] = []
    for name, child in properties.items():
        names += _leaves(schema, child, f"{prefix}.{name}" if prefix else name)
    return names


@cache
def record_fields(kind: str) -> tuple[str, ...]:
    """The dotted leaf fields of a record kind (`fact`, `entity`, `source`) in schema order: `time.value`, ...

    Arrays (participants, aliases) are one field each: their JSON text in flat formats.
    """
    schema = load_schema()
    return tuple(_leaves(schema, schema["$defs"][kind], ""))
