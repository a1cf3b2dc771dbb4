"""The package's layers: its modules import each other in one direction only, even inside functions."""

from __future__ import annotations

import ast

from conftest import REPO

PACKAGE = REPO / "cli"


def imports_of(module: str) -> set[str]:
    """The package modules `module` imports anywhere in its code (relative imports: `from .store import x`)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module)
            else:  # from . import arabic
                found.update(alias.name for alias in node.names)
    return found & MODULES


MODULES = {path.stem for path in PACKAGE.glob("*.py")}


def test_no_module_imports_itself_through_others():
    graph = {module: imports_of(module) for module in MODULES}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        for imported in sorted(graph[module]):
            if imported in path:
                cycles.append([*path[path.index(imported) :], imported])
            elif len(path) < len(MODULES):
                visit(imported, [*path, imported])

    for module in sorted(MODULES):
        visit(module, [module])
    assert cycles == []


def test_the_model_and_the_storage_interface_import_no_other_layer():
    assert imports_of("model") == imports_of("errors") == set()
    assert imports_of("storage") == {"model", "errors"}
    assert "jsonfile" not in imports_of("validate") | imports_of("query") | imports_of("curate")
