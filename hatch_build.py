"""Build step: the schema's compiled check (facts_cli/_schema_validator.py) and the common words of Arabic and English
(facts_cli/_common_words.txt), generated once when the wheel is built."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

GENERATED = "facts_cli/_schema_validator.py"
COMMON_WORDS = "facts_cli/_common_words.txt"


def generated_validator(model_file: Path) -> str:
    """fastjsonschema's code for the inlined schema of `model_file` (cli/model.py), with the digest of that schema:
    facts_cli.validate uses the code only when the digest is its own schema's, so it can never be stale."""
    import fastjsonschema

    spec = importlib.util.spec_from_file_location("facts_model_at_build", model_file)
    assert spec is not None and spec.loader is not None
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    code = fastjsonschema.compile_to_code(model.validation_schema())
    return f"{code}\n\nSCHEMA_DIGEST = {model.schema_digest()!r}\n"


def common_words(package: Path) -> str:
    """The text of facts_cli/lexicon.py's list, made by its own `build` (it normalises with cli/arabic.py)."""
    spec = importlib.util.spec_from_file_location(
        "facts_at_build", package / "__init__.py", submodule_search_locations=[str(package)]
    )
    assert spec is not None and spec.loader is not None
    sys.modules["facts_at_build"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules["facts_at_build"])
    return importlib.import_module("facts_at_build.lexicon").build()


class SchemaValidatorHook(BuildHookInterface):
    """Adds the generated validator and word list to the wheel (they are not kept in the repository)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        self._directory = tempfile.mkdtemp(prefix="facts-build-")
        target = Path(self._directory) / "_schema_validator.py"
        target.write_text(generated_validator(Path(self.root) / "cli" / "model.py"), encoding="utf-8")
        build_data["force_include"][str(target)] = GENERATED
        words = Path(self._directory) / "_common_words.txt"
        words.write_text(common_words(Path(self.root) / "cli"), encoding="utf-8")
        build_data["force_include"][str(words)] = COMMON_WORDS

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self.target_name == "wheel":
            shutil.rmtree(self._directory, ignore_errors=True)
