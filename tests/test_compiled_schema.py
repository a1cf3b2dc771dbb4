"""The compiled check a package is built with is used only when it was made from that package's schema."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator

from facts_cli import _schema_validator
from facts_cli.model import load_schema
from facts_cli.validate import compiled_schema, validate_document


def passes_everything(document: Any) -> Any:
    """A compiled check made from some other schema, that refuses nothing the store's schema refuses."""
    return document


def test_a_compiled_check_made_from_another_schema_is_not_used(bundled_document):
    broken = copy.deepcopy(bundled_document)
    next(iter(broken["facts"].values()))["type"] = "rumour"
    assert not Draft202012Validator(load_schema()).is_valid(broken)
    expected = validate_document(broken)
    assert any(problem.field == "type" for problem in expected)
    saved = _schema_validator.SCHEMA_DIGEST, _schema_validator.validate
    _schema_validator.SCHEMA_DIGEST, _schema_validator.validate = "0" * 64, passes_everything
    compiled_schema.cache_clear()
    try:
        assert validate_document(broken) == expected
        assert compiled_schema() is not passes_everything
    finally:
        _schema_validator.SCHEMA_DIGEST, _schema_validator.validate = saved
        compiled_schema.cache_clear()
    assert compiled_schema() is _schema_validator.validate
