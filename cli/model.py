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


@cache
def validation_schema() -> dict[str, Any]:
    """The schema with each `$ref` replaced by what it names (with its sibling keywords, `allOf` the two, as
    draft 2020-12 reads them): jsonschema resolves a `$ref` on every use, which was 45% of the time of validating
    a store. A `$ref` met again within itself is kept, with `$defs`, so the result is finite whatever the schema."""
    schema = load_schema()
    definitions = schema.get("$defs", {})

    def inline(node: Any, within: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(child, within) for child in node]
        if not isinstance(node, dict):
            return node
        reference = node.get("$ref")
        name = reference.removeprefix("#/$defs/") if isinstance(reference, str) else None
        if name is None or name not in definitions or name in within:
            return {key: inline(child, within) for key, child in node.items()}
        target = inline(definitions[name], (*within, name))
        siblings = {key: inline(child, within) for key, child in node.items() if key != "$ref"}
        return {"allOf": [target], **siblings} if siblings else target

    return {key: inline(child, ()) if key != "$defs" else child for key, child in schema.items()}


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
