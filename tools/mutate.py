"""Mutation testing of the installed `facts`: each mutant applied to the code the installed command runs, its tests
run against it, the results per module written to tools/mutation-results.md.

    python tools/mutate.py                  every module of MODULES, every mutant (resumes an interrupted run)
    python tools/mutate.py sanitize query   some modules
    python tools/mutate.py --list sanitize  the mutants and the tests each would run, running no mutant

Run it with the Python of a virtual environment where the package is installed (`pip install '.[test,mutation]'`, not
editable), from anywhere. `--list` and `--report` trace the suite first when the test map is out of date. A mutant is a
copy of one module of the repository's `cli/` with one small change (see `mutants`), written over that module in the
environment's `site-packages/facts_cli`; the module's tests then run in a subprocess (`pytest -x -p no:cacheprovider`,
from a directory outside the repository), and the file is put back, byte for byte, before the next one (checked by its
SHA-256). A mutant is killed when a test fails, timed out when the tests take longer than TIMEOUT_FACTOR times the
unmutated run (an endless loop), and survived when they pass. With `--jobs N`, N-1 more environments are copied from
this one (in the state directory) and mutated in parallel.

What each mutant came to is journalled in the state directory (`$XDG_CACHE_HOME/facts-mutation`), keyed by the
module's code, its tests' code and the mutant: a run that is stopped goes on where it was, and a module whose code
and tests have not changed is not run again (`--fresh` runs everything again).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "cli"
TESTS = REPO / "tests"
RESULTS = REPO / "tools" / "mutation-results.md"
EQUIVALENTS = REPO / "tools" / "mutation-equivalents.json"

# A mutant's tests may take this many times as long as the unmutated module's tests did, plus a margin: past that,
# the mutant made them loop (or hang), and it counts as detected.
TIMEOUT_FACTOR = 3.0
TIMEOUT_MARGIN = 10.0


# The modules mutated, and the score each one's tests must reach: the per cent of its mutants they detect, the
# mutants listed in tools/mutation-equivalents.json (which change nothing observable) left out.
MODULES: dict[str, int] = {
    "sanitize": 95,
    "store": 95,
    "storage": 95,
    "jsonfile": 95,
    "signals": 95,
    "arabic": 90,
    "bidi": 90,
    "query": 90,
    "streams": 95,
    "printers": 90,
    "validate": 95,
}


# Mutants: one small change each, spliced into the module's source at the node it changes (the rest of the file
# stays byte for byte as it is).

_FLIPS: dict[type, tuple[type, ...]] = {
    # a boundary moved, and the comparison negated
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
_SWAPS: dict[type, type] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.FloorDiv,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
    ast.BitXor: ast.BitOr,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
    ast.Pow: ast.Mult,
}


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One change to a module: where (UTF-8 byte offsets, as `ast` gives them), what replaces the text there, and
    how to say it."""

    module: str
    line: int
    start: tuple[int, int]
    end: tuple[int, int]
    replacement: str
    kind: str
    before: str
    scope: str
    lines: tuple[int, int] | None = None
    """The lines whose tests are run against the mutant; None for code run at import: then the tests that run
    the lines that use `names`."""
    names: tuple[str, ...] = ()
    occurrence: int = 1
    """Which of the mutants of its function with the same kind and text it is, in the order of the file (`True` →
    `False` may be made three times in one function)."""

    @property
    def after(self) -> str:
        return self.replacement.strip() or "(nothing)"

    @property
    def key(self) -> str:
        """What names the mutant across edits elsewhere in the file: its function, kind and text (not its line), and
        `#N` for the Nth of the same in its function."""
        number = f"#{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.module}|{self.scope}|{self.kind}|{self.before}|{self.after}{number}"

    def describe(self) -> str:
        if self.kind.startswith(("element", "entry", "character", "early")):
            return self.kind
        return f"{self.kind}: `{_short(self.before)}` → `{_short(self.after)}`"


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class _Finder(ast.NodeVisitor):
    """Walks a module and lists its mutants (not in docstrings, annotations, or what only type checkers read)."""

    def __init__(self, module: str, source: bytes) -> None:
        self.module, self.source = module, source
        self.lines = source.splitlines(keepends=True)
        self.found: list[Mutant] = []
        self.scope: list[str] = []
        self.char_sets: set[str] = set()
        self.function: tuple[int, int] | None = None  # the lines of the function being walked
        self.signature: tuple[int, int] | None = None  # those of the function whose defaults are being walked
        self.names: tuple[str, ...] = ()  # what the module-level statement being walked defines

    # helpers

    def text(self, node: ast.AST) -> str:
        return self._segment((node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset))

    def _segment(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        (line, col), (end_line, end_col) = start, end
        if line == end_line:
            return self.lines[line - 1][col:end_col].decode()
        parts = [self.lines[line - 1][col:], *self.lines[line : end_line - 1], self.lines[end_line - 1][:end_col]]
        return b"".join(parts).decode()

    def add(self, node: ast.AST, replacement: str, kind: str, before: str | None = None) -> None:
        if isinstance(node, ast.expr) and not _same(self.text(node), node):
            return  # positions that do not hold the node (as in some f-strings): not spliced
        self.found.append(
            Mutant(
                self.module,
                node.lineno,
                (node.lineno, node.col_offset),
                (node.end_lineno, node.end_col_offset),
                replacement,
                kind,
                before if before is not None else self.text(node),
                ".".join(self.scope) or "<module>",
                self.signature or (self.function and (node.lineno, node.end_lineno)),
                self.names,
            )
        )

    def replace_expression(self, node: ast.expr, new: ast.expr, kind: str) -> None:
        self.add(node, f"({ast.unparse(new)})", kind)

    # scopes, and what is never mutated

    def visit_Module(self, node: ast.Module) -> None:
        for child in ast.walk(node):
            if isinstance(child, ast.Compare):
                for op, right in zip(child.ops, child.comparators, strict=True):
                    if isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.Name):
                        self.char_sets.add(right.id)
        self.body(node.body)

    def body(self, statements: list[ast.stmt]) -> None:
        for index, statement in enumerate(statements):
            if index == 0 and _is_docstring(statement):
                continue
            if isinstance(statement, ast.ImportFrom | ast.Import):
                continue
            if isinstance(statement, ast.If) and _is_type_checking(statement.test):
                continue
            if self.function is None and not self.scope:
                self.names = _defined(statement)
            self.visit(statement)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer, outer_signature = self.function, self.signature
        self.function = (node.lineno, node.end_lineno)  # its defaults and decorators count as its own
        # They run once, at import, but act where it runs: a mutant of one runs the tests of the whole function.
        self.signature = self.function
        for expression in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
            if expression is not None:
                self.visit(expression)
        self.signature = outer_signature
        self.scope.append(node.name)
        self.early_return(node)
        self.body(node.body)
        self.scope.pop()
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        outer = self.function
        self.function = outer or (node.lineno, node.end_lineno)
        self.generic_visit(node)
        self.function = outer

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.body(node.body)
        self.scope.pop()

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    def visit_If(self, node: ast.If) -> None:
        self.negate(node.test)
        self.generic_visit(node)

    def visit_While(self, node: ast.While) -> None:
        self.negate(node.test)
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.negate(node.test)
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        for condition in node.ifs:
            self.negate(condition)
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        pass

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.visit(node.value)
        if not isinstance(node.slice, ast.Tuple):  # tuple[int, ...] and the like: types, not values
            self.visit(node.slice)

    # the mutations

    def negate(self, test: ast.expr) -> None:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return  # dropping `not` is the unary mutant's
        self.add(test, f"(not ({self.text(test)}))", "condition negated")

    def visit_Compare(self, node: ast.Compare) -> None:
        for index, op in enumerate(node.ops):
            for other in _FLIPS.get(type(op), ()):
                ops = [*node.ops[:index], other(), *node.ops[index + 1 :]]
                self.replace_expression(node, ast.Compare(node.left, ops, node.comparators), "comparison")
        for right in node.comparators:
            text = isinstance(right, ast.Constant) and isinstance(right.value, str) and len(right.value) > 1
            if text and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
                self.drop_characters(right)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self.replace_expression(node, ast.BoolOp(other, node.values), "and/or")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        other = _SWAPS.get(type(node.op))
        if other is not None and not _is_text_formatting(node):
            self.replace_expression(node, ast.BinOp(node.left, other(), node.right), "operator")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        other = _SWAPS.get(type(node.op))
        if other is not None:
            self.add(node, ast.unparse(ast.AugAssign(node.target, other(), node.value)), "operator")
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.USub) and _number(node.operand):
            self.number(node, -node.operand.value)
            return
        if isinstance(node.op, ast.Not | ast.USub | ast.Invert):
            self.add(node, f"({self.text(node.operand)})", "unary operator dropped")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, bool):
            self.add(node, str(not node.value), "constant")
        elif _number(node):
            self.number(node, node.value)

    def number(self, node: ast.expr, value: int | float) -> None:
        hexadecimal = self.text(node).lstrip("-").startswith("0x") and isinstance(value, int)
        for other in sorted({value + 1, value - 1} - {value}):
            shown = (f"-0x{-other:X}" if other < 0 else f"0x{other:X}") if hexadecimal else repr(other)
            self.add(node, f"({shown})", "constant ±1")

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        names = [target.id for target in node.targets if isinstance(target, ast.Name)]
        if (
            not self.scope
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and set(names) & self.char_sets
        ):
            self.drop_characters(value)
            return
        self.generic_visit(node)

    def drop_characters(self, node: ast.Constant) -> None:
        """A character dropped from a string that is a set of characters (the right of `in`)."""
        text = node.value
        for index, char in enumerate(text):
            if text.index(char) == index:
                self.add(node, repr(text[:index] + text[index + 1 :]), f"character {char!r} dropped")

    def visit_Tuple(self, node: ast.Tuple | ast.List | ast.Set) -> None:
        if isinstance(getattr(node, "ctx", ast.Load()), ast.Load) and len(node.elts) > 1:
            for index, element in enumerate(node.elts):
                kept = [e for k, e in enumerate(node.elts) if k != index]
                rest = ", ".join(self.text(e) for e in kept)
                if isinstance(node, ast.List):
                    replacement = f"[{rest}]"
                elif isinstance(node, ast.Set):
                    replacement = f"{{{rest}}}"
                else:
                    replacement = f"({rest},)"
                self.add(node, replacement, f"element `{_short(self.text(element), 40)}` dropped")
        self.generic_visit(node)

    visit_List = visit_Tuple
    visit_Set = visit_Tuple

    def visit_Dict(self, node: ast.Dict) -> None:
        if len(node.keys) > 1:
            for index, key in enumerate(node.keys):
                kept = []
                for k, (other, value) in enumerate(zip(node.keys, node.values, strict=True)):
                    if k != index:
                        kept.append(
                            f"**{self.text(value)}" if other is None else f"{self.text(other)}: {self.text(value)}"
                        )
                shown = self.text(key) if key is not None else "**" + self.text(node.values[index])
                self.add(node, "{" + ", ".join(kept) + "}", f"entry `{_short(shown, 40)}` dropped")
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call):
            self.add(node, "pass", "call removed")
        self.generic_visit(node)

    def early_return(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """`return` before the first statement of a function that returns nothing, or of a generator."""
        returns_value = any(isinstance(child, ast.Return) and child.value is not None for child in _own_nodes(node))
        generator = any(isinstance(child, ast.Yield | ast.YieldFrom) for child in _own_nodes(node))
        if returns_value and not generator:
            return
        statements = node.body[1:] if _is_docstring(node.body[0]) else node.body
        if not statements or statements[0].lineno == node.lineno or node.name.startswith("__"):
            return
        first = statements[0]
        indent = self.lines[first.lineno - 1][: first.col_offset].decode()
        line_start = (first.lineno, 0)
        text = "return\n" if not generator else "return\n" + indent + "yield from ()\n"
        self.found.append(
            Mutant(
                self.module,
                first.lineno,
                line_start,
                line_start,
                indent + text,
                "early return",
                "",
                ".".join(self.scope),
                (first.lineno, first.lineno),
            )
        )


def _defined(statement: ast.stmt) -> tuple[str, ...]:
    """The names a module-level statement defines (the class, for what is in a class body)."""
    if isinstance(statement, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return (statement.name,)
    targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
    return tuple(
        node.id for target in targets if target is not None for node in ast.walk(target) if isinstance(node, ast.Name)
    )


def _same(text: str, node: ast.expr) -> bool:
    """Whether `text` is the source of `node`."""
    try:
        return ast.dump(ast.parse(text.strip(), mode="eval").body) == ast.dump(node)
    except SyntaxError:
        return False


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function, not of the functions and classes defined in it."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
                stack.append(child)


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _is_text_formatting(node: ast.BinOp) -> bool:
    """`"..." % x` and `"a" + "b"`: text, not arithmetic (a swapped operator is a TypeError at once)."""
    return any(
        isinstance(side, ast.Constant) and isinstance(side.value, str | bytes) for side in (node.left, node.right)
    )


def mutants(module: str, source: bytes) -> list[Mutant]:
    """Every mutant of a module's source that compiles, in the order of the file."""
    finder = _Finder(module, source)
    finder.visit(ast.parse(source))
    found, seen = [], set()
    for mutant in sorted(finder.found, key=lambda m: (m.start, m.end, m.kind, m.replacement)):
        mutated = apply(source, mutant)
        if mutated == source or mutated in seen:
            continue
        try:
            compile(mutated, f"{module}.py", "exec", dont_inherit=True)
        except SyntaxError:
            continue
        seen.add(mutated)
        found.append(mutant)
    counted: dict[str, int] = {}
    for index, mutant in enumerate(found):
        counted[mutant.key] = counted.get(mutant.key, 0) + 1
        if counted[mutant.key] > 1:
            found[index] = dataclasses.replace(mutant, occurrence=counted[mutant.key])
    return found


def _offset(lines: list[bytes], position: tuple[int, int]) -> int:
    line, col = position
    return sum(map(len, lines[: line - 1])) + col


def apply(source: bytes, mutant: Mutant) -> bytes:
    lines = source.splitlines(keepends=True)
    start, end = _offset(lines, mutant.start), _offset(lines, mutant.end)
    return source[:start] + mutant.replacement.encode() + source[end:]


# Running: the mutant written over the installed module, the module's tests run, the module put back.


@dataclasses.dataclass
class Outcome:
    """What one mutant came to: killed (a test failed, or the tests could not even start), timed out, survived."""

    status: str
    seconds: float
    by: str = ""


def installed_package(python: Path) -> Path:
    """The folder the environment of `python` imports facts_cli from."""
    probe = "import importlib.util; print(importlib.util.find_spec('facts_cli').submodule_search_locations[0])"
    found = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tempfile.gettempdir())
    if found.returncode != 0:
        sys.exit(f"mutate: facts_cli is not installed for {python}: pip install '.[test]' first")
    return Path(found.stdout.strip())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` (renamed into place: a reader sees one or the other), its bytecode removed (a
    .pyc of the same size and second would otherwise be taken for it)."""
    temporary = path.with_name(f".{path.name}.mutate")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink(missing_ok=True)


class Environment:
    """A virtual environment the package is installed in, whose installed modules mutants are written over."""

    def __init__(self, python: Path, state: Path) -> None:
        self.python = python
        self.package = installed_package(python)
        self.flight = state / f"in-flight-{_digest(str(self.package).encode())[:12]}.json"
        self.server: subprocess.Popen | None = None
        self.child: int | None = None

    def recover(self) -> None:
        """Put back a module a run that was killed left mutated (its in-flight note says which, and its hash)."""
        if not self.flight.exists():
            return
        note = json.loads(self.flight.read_text())
        original = (SOURCE / f"{note['module']}.py").read_bytes()
        if (self.package / f"{note['module']}.py").read_bytes() == original:  # reinstalled since
            self.flight.unlink()
            return
        if _digest(original) != note["sha256"]:
            sys.exit(
                f"mutate: {self.package}/{note['module']}.py was left mutated, and cli/ has changed since: reinstall"
            )
        _write(self.package / f"{note['module']}.py", original)
        self.flight.unlink()
        print(f"mutate: put back {self.package}/{note['module']}.py, left mutated by a run that was stopped")

    def check(self, modules: list[str]) -> None:
        for module in modules:
            installed = (self.package / f"{module}.py").read_bytes()
            if installed != (SOURCE / f"{module}.py").read_bytes():
                sys.exit(f"mutate: {self.package}/{module}.py is not cli/{module}.py: reinstall the package first")

    def run(self, module: str, data: bytes, tests: list[str], timeout: float) -> Outcome:
        """`tests` run against `data` written over the installed module; the module is put back afterwards,
        whatever happens, and checked to be the original again."""
        path = self.package / f"{module}.py"
        original = path.read_bytes()
        self.flight.write_text(json.dumps({"module": module, "sha256": _digest(original)}))
        try:
            _write(path, data)
            return self._tests(tests, timeout)
        finally:
            _write(path, original)
            subprocess.run([str(self.python), "-m", "py_compile", str(path)], check=False)
            if _digest(path.read_bytes()) != _digest(original):
                raise SystemExit(f"mutate: {path} could not be put back")
            self.flight.unlink()

    def _tests(self, tests: list[str], timeout: float) -> Outcome:
        """Run `tests` (pytest -x) in a child of this environment's server, killed with its children at `timeout`."""
        if self.server is None or self.server.poll() is not None:
            self.server = subprocess.Popen(
                [str(self.python), "-c", _SERVER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                text=True,
            )
        args = ["-x", "-q", "-p", "no:cacheprovider", "-rfE", *(str(REPO / test) for test in tests)]
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="facts-mutant-") as directory:
            output = Path(directory) / "output"
            request = {"args": args, "cwd": directory, "output": str(output)}
            self.server.stdin.write(json.dumps(request) + "\n")
            self.server.stdin.flush()
            self.child = json.loads(self.server.stdout.readline())["pid"]
            timed_out = False
            ready, _, _ = select.select([self.server.stdout], [], [], timeout)
            if not ready:
                timed_out = True
                self.stop()
            answer = self.server.stdout.readline()
            if not answer:
                raise KeyboardInterrupt  # the server was killed: the run is being stopped
            code = json.loads(answer)["status"]
            self.child = None
            text = output.read_text(errors="replace") if output.exists() else ""
        seconds = time.monotonic() - started
        if timed_out:
            return Outcome("timed out", seconds)
        if code == 0:
            return Outcome("survived", seconds)
        if "ERROR collecting" in text:  # the mutant breaks importing the package
            return Outcome("killed", seconds, "collecting the tests")
        failed = re.search(r"^(?:FAILED|ERROR) (\S+)", text, re.MULTILINE)
        if not failed:  # pytest could not run them, or failed naming no test: no evidence that a test noticed
            return Outcome("error", seconds, text[-2000:])
        return Outcome("killed", seconds, "tests/" + failed[1].split("/tests/", 1)[-1])

    def stop(self) -> None:
        """Kill the tests running now, and every process they started."""
        child = self.child
        if child is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child, signal.SIGKILL)

    def close(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.stdin.close()
            self.server.wait()


# A server per environment that has imported pytest and the third-party packages the tests use (never facts_cli,
# which each run mutates), and forks a child for each run: half of what starting pytest afresh cost.
_SERVER = """
import json, os, signal, sys

signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle: it stops the tests, then this
sys.dont_write_bytecode = True
import pytest

for name in ("hypothesis", "rich.console", "rich.text", "typer", "click", "tinydb", "orjson", "jsonschema",
             "fastjsonschema", "bidi", "arabic_reshaper", "Stemmer", "networkx", "pyld", "citeproc", "markdown_it"):
    try:
        __import__(name)
    except ImportError:
        pass
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        os.chdir(request["cwd"])
        out = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(out, 2)
        code = 70
        try:
            code = int(pytest.main(request["args"]))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    print(json.dumps({"pid": pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"status": os.waitstatus_to_exitcode(status)}), flush=True)
"""


def worker_environments(count: int, state: Path) -> list[Environment]:
    """This environment, and count-1 copies of it in the state directory (their scripts pointed at themselves)."""
    if sys.prefix == sys.base_prefix:
        sys.exit("mutate: run me with the Python of the virtual environment the package is installed in")
    main = Environment(Path(sys.prefix) / "bin" / "python", state)
    environments = [main]
    installed = "\n".join(sorted(path.name for path in main.package.parent.glob("*.dist-info"))) + "\n"
    for number in range(1, count):
        copy = state / f"env-{number}"
        made_from = copy / "mutate-made-from.txt"
        if copy.exists() and (not made_from.exists() or made_from.read_text() != installed):
            shutil.rmtree(copy)  # made from other distributions (a dependency added since): made again
        if not (copy / "bin" / "python").exists():
            shutil.copytree(sys.prefix, copy, symlinks=True)
            for script in (copy / "bin").iterdir():
                if script.is_file() and not script.is_symlink():
                    data = script.read_bytes()
                    if data.startswith(f"#!{sys.prefix}/".encode()):
                        script.write_bytes(data.replace(sys.prefix.encode(), str(copy).encode(), 1))
            made_from.write_text(installed)
        environment = Environment(copy / "bin" / "python", state)
        environment.flight.unlink(missing_ok=True)  # a module a stopped run left mutated goes with the copy
        shutil.rmtree(environment.package)
        shutil.copytree(main.package, environment.package, symlinks=True)
        environments.append(environment)
    if os.geteuid() == 0:  # the permission tests run `facts` as nobody (tests/conftest.py's `unprivileged`)
        for environment in environments:
            shut = [parent for parent in environment.python.parents if not parent.stat().st_mode & 0o001]
            if shut:
                sys.exit(
                    f"mutate: the permission tests run facts as another user, who cannot reach {environment.python} "
                    f"through {shut[-1]} (mode {shut[-1].stat().st_mode & 0o777:o}): each would fail, and kill "
                    "mutants it never ran against. Give that directory o+x, or --state a directory all can reach"
                )
    return environments


# The journal: what each mutant came to, for the code of the module and of its tests it was run with.


def _file_digest(name: str) -> str:
    path = REPO / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else ""


def context(tests: list[str]) -> str:
    """What a survivor's result depends on: the tests run against it and their code (and conftest.py's)."""
    digest = hashlib.sha256((TESTS / "conftest.py").read_bytes())
    for name in sorted({test.split("::", 1)[0] for test in tests}):
        digest.update(name.encode() + (REPO / name).read_bytes())
    digest.update("\n".join(sorted(tests)).encode())  # which tests, not their order (see `likeliest_first`)
    return digest.hexdigest()[:16]


def likeliest_first(tests: list[str], kills: dict[str, int]) -> list[str]:
    """`tests` (quickest first), those that killed more of the module's other mutants before the rest: a mutant is
    likeliest to be killed by what killed its neighbours, and `-x` stops at the first failure. Which tests run is
    not changed, only their order (and, with --quick, which come within the budget)."""
    return sorted(tests, key=lambda test: -kills.get(test, 0))


class Journal:
    """What each mutant came to, by the module's code and the mutant. A kill stands while the test file that
    failed is unchanged; any other result while the tests it ran are unchanged (and, for a quick run's survivor,
    only in a quick run)."""

    def __init__(self, path: Path, fresh: bool) -> None:
        self.path = path
        self.entries: dict[tuple[str, str], dict] = {}
        if fresh:
            path.unlink(missing_ok=True)
        elif path.exists():
            for line in path.read_text().splitlines():
                entry = json.loads(line)
                self.entries[(entry["module"], entry["key"])] = entry

    def get(self, module: str, mutant: Mutant, tests: str, quick: bool) -> dict | None:
        entry = self.entries.get((module, mutant.key))
        if entry is None:
            return None
        if entry["status"] == "killed" and entry.get("killer"):
            return entry if _file_digest(entry["by"].split("::", 1)[0]) == entry["killer"] else None
        if entry["tests"] != tests or (entry["partial"] and not quick):
            return None
        return entry

    def kills(self, module: str) -> dict[str, int]:
        """How many mutants of this code of a module each test function killed."""
        found: dict[str, int] = {}
        for (digest, _), entry in self.entries.items():
            if digest == module and entry["status"] == "killed" and "::" in entry["by"]:
                test = entry["by"].split("[", 1)[0]
                found[test] = found.get(test, 0) + 1
        return found

    def add(self, module: str, mutant: Mutant, tests: str, partial: bool, outcome: Outcome) -> dict:
        entry = {"module": module, "key": mutant.key, "status": outcome.status, "seconds": round(outcome.seconds, 2)}
        entry.update(by=outcome.by, tests=tests, partial=partial and outcome.status != "killed")
        if outcome.status == "killed" and "::" in outcome.by:
            entry["killer"] = _file_digest(outcome.by.split("::", 1)[0])
        self.entries[(module, mutant.key)] = entry
        with self.path.open("a") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return entry


# Which tests run which lines: the whole suite run once under coverage.py, in the pytest process (each test its
# own context) and in every `facts` it starts (a sitecustomize on PYTHONPATH starts coverage there, the context
# being the test that started it, from PYTEST_CURRENT_TEST). Kept per test file, for its code and the package's.

_SITECUSTOMIZE = """
import os

if os.environ.get("FACTS_MUTATION_TRACE"):
    import atexit

    import coverage

    _context = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    _coverage = coverage.Coverage(
        data_file=os.path.join(os.environ["FACTS_MUTATION_TRACE"], "trace"),
        data_suffix=True,
        include=[os.environ["FACTS_MUTATION_PACKAGE"] + "/*"],
        context=_context or None,
        config_file=False,
    )
    _coverage.set_option("run:disable_warnings", ["no-data-collected"])  # a Python that runs no facts (a recipe's)
    _coverage.start()

    def _save():
        _coverage.stop()
        _coverage.save()

    atexit.register(_save)
"""

_PLUGIN = """
import json
import os
import sys

import coverage

_durations = {}
_failed = set()


def _clear_caches():
    # A function of the package that keeps its results (functools.cache, lru_cache) runs its lines for the first
    # test that asks, not for the next: each test starts with them empty, or the map would leave out the later
    # tests that would notice a mutant of those lines (with_proclitic, stem, ...).
    for name, module in list(sys.modules.items()):
        if name == "facts_cli" or name.startswith("facts_cli."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def pytest_runtest_setup(item):
    current = coverage.Coverage.current()
    if current is not None:
        _clear_caches()
        current.switch_context(item.nodeid)


def pytest_runtest_logreport(report):
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration
    if report.failed:
        _failed.add(report.nodeid)


def pytest_sessionfinish(session):
    path = os.path.join(os.environ["FACTS_MUTATION_TRACE"], "durations-%d.json" % os.getpid())
    with open(path, "w") as handle:
        json.dump({"durations": _durations, "failed": sorted(_failed)}, handle)
"""


def _test_files() -> list[Path]:
    return sorted(TESTS.glob("test_*.py"))


def _map_key(test_file: Path) -> str:
    digest = hashlib.sha256(test_file.read_bytes() + (TESTS / "conftest.py").read_bytes())
    for source in sorted(SOURCE.glob("*.py")):
        digest.update(source.read_bytes())
    digest.update((_SITECUSTOMIZE + _PLUGIN).encode())
    return digest.hexdigest()[:16]


class TestMap:
    """For each module and line, the tests that run it; the lines run at import in the pytest process (by no test
    of its own: the module was imported as a test file was); and how long each test took."""

    def __init__(self) -> None:
        self.lines: dict[str, dict[int, set[str]]] = {}
        self.imported: dict[str, set[int]] = {}
        self.durations: dict[str, float] = {}
        self._functions: dict[str, float] | None = None

    def add(self, part: dict) -> None:
        self.durations.update(part["durations"])
        for module, lines in part["lines"].items():
            table = self.lines.setdefault(module, {})
            for line, tests in lines.items():
                table.setdefault(int(line), set()).update(tests)
        for module, lines in part.get("imported", {}).items():
            self.imported.setdefault(module, set()).update(lines)

    def function_seconds(self) -> dict[str, float]:
        """How long each test function took, all its cases together."""
        if self._functions is None:
            self._functions = {}
            for test, seconds in self.durations.items():
                function = test.split("[", 1)[0]
                self._functions[function] = self._functions.get(function, 0.0) + seconds
        return self._functions

    def tests(self, module: str, lines: set[int]) -> list[str]:
        """The tests that run any of `lines` of `module`, quickest first, a parametrised test once (all of its
        cases run); and the test files that import the module, when they are lines run at import."""
        table, seconds = self.lines.get(module, {}), self.function_seconds()
        found = {test.split("[", 1)[0] for line in lines for test in table.get(line, ())}
        files = list(_importers(module)) if lines & self.imported.get(module, set()) else []
        files.sort(key=lambda test: (_file_seconds(self, test), test))
        return [*files, *sorted(found - set(files), key=lambda test: (seconds.get(test, 0.0), test))]

    def seconds(self, tests: list[str]) -> float:
        return sum(self.function_seconds().get(test, _file_seconds(self, test)) for test in tests)


def _file_seconds(mapping: TestMap, test: str) -> float:
    return sum(seconds for name, seconds in mapping.function_seconds().items() if name.startswith(test + "::"))


@functools.cache
def _importers(module: str) -> tuple[str, ...]:
    """The test files that import `module` of the package themselves (run whole: importing them runs it)."""
    pattern = re.compile(rf"facts_cli\.{module}\b|^from facts_cli import [^\n]*\b{module}\b", re.MULTILINE)
    return tuple(
        str(test.relative_to(REPO)) for test in _test_files() if pattern.search(test.read_text(encoding="utf-8"))
    )


def test_map(environment: Environment, state: Path) -> TestMap:
    """The map of which tests run which lines: kept per test file, made for the files whose map is out of date."""
    import coverage

    maps = state / "map"
    maps.mkdir(parents=True, exist_ok=True)
    files = _test_files()
    stale = [test for test in files if not (maps / f"{test.stem}-{_map_key(test)}.json").exists()]
    if stale:
        print(f"mutate: tracing which tests run which lines: {', '.join(t.name for t in stale)}", flush=True)
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="facts-trace-") as directory:
            trace = Path(directory)
            (trace / "sitecustomize.py").write_text(_SITECUSTOMIZE)
            (trace / "facts_mutation_trace.py").write_text(_PLUGIN)
            # Open to all (the data directory as /tmp is): a `facts` that the permission tests run as another user
            # (tests/conftest.py's `unprivileged`) imports the sitecustomize and saves its coverage here too.
            trace.chmod(0o755)
            (trace / "data").mkdir()
            (trace / "data").chmod(0o1777)
            environ = {
                **os.environ,
                "PYTHONPATH": str(trace),
                "FACTS_MUTATION_TRACE": str(trace / "data"),
                "FACTS_MUTATION_PACKAGE": str(environment.package),
            }
            command = [str(environment.python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            command += ["-p", "facts_mutation_trace", *map(str, stale)]
            result = subprocess.run(command, cwd=trace, env=environ, capture_output=True, text=True)
            durations: dict[str, float] = {}
            failed: set[str] = set()
            for found in (trace / "data").glob("durations-*.json"):
                outcome = json.loads(found.read_text())
                durations.update(outcome["durations"])
                failed.update(outcome["failed"])
            if result.returncode != 0:
                print(f"mutate: these tests fail without a mutant, and are left out: {' '.join(sorted(failed))}")
                print(result.stdout[-3000:], flush=True)
                if not failed:
                    sys.exit("mutate: the tests could not be run")
            for test in failed:
                durations.pop(test, None)
            lines: dict[str, dict[str, dict[int, set[str]]]] = {test.name: {} for test in stale}
            imported: dict[str, set[int]] = {}
            for data_file in (trace / "data").glob("trace.*"):
                data = coverage.CoverageData(basename=str(data_file))
                data.read()
                for measured in data.measured_files():
                    module = Path(measured).stem
                    for line, contexts in data.contexts_by_lineno(measured).items():
                        for test in contexts:
                            if not test:
                                imported.setdefault(module, set()).add(line)
                                continue
                            if test in failed:
                                continue
                            name = test.split("::", 1)[0].rsplit("/", 1)[-1]
                            if name in lines:
                                lines[name].setdefault(module, {}).setdefault(line, set()).add(test)
        for test in stale:
            for old in maps.glob(f"{test.stem}-*.json"):
                old.unlink()
            own = {key: value for key, value in durations.items() if key.split("::", 1)[0].endswith(f"/{test.name}")}
            part = {
                "durations": own,
                "lines": {
                    module: {str(line): sorted(tests) for line, tests in table.items()}
                    for module, table in lines[test.name].items()
                },
                "imported": {module: sorted(found) for module, found in imported.items()},
            }
            (maps / f"{test.stem}-{_map_key(test)}.json").write_text(json.dumps(part))
        print(f"mutate: traced in {time.monotonic() - started:.0f} s", flush=True)
    mapping = TestMap()
    for test in files:
        mapping.add(json.loads((maps / f"{test.stem}-{_map_key(test)}.json").read_text()))
    return mapping


@functools.cache
def _uses(names: tuple[str, ...]) -> dict[str, set[int]]:
    """The lines of every module of the package, inside functions, that use any of `names`, or what a module-level
    statement makes of them (`_ESCAPES_KEEPING_NEWLINES` of `_ESCAPES`)."""
    found: dict[str, set[int]] = {}
    for source in SOURCE.glob("*.py"):
        tree = ast.parse(source.read_bytes())
        wanted = set(names)
        for statement in tree.body:  # what module-level statements make of them, in order
            if wanted & {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)}:
                wanted |= set(_defined(statement))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                for node in ast.walk(function):
                    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
                    if name in wanted and hasattr(node, "lineno"):
                        found.setdefault(source.stem, set()).add(node.lineno)
    return found


def _quickest(mapping: TestMap, tests: list[str], budget: float) -> list[str]:
    """The first of `tests` that took `budget` seconds in all when traced (at least one)."""
    chosen, spent = [], 0.0
    for test in tests:
        if chosen and spent + mapping.seconds([test]) > budget:
            break
        chosen.append(test)
        spent += mapping.seconds([test])
    return chosen


def selection(mapping: TestMap, mutant: Mutant) -> list[str]:
    """The tests to run against a mutant: those that run its lines; for code run at import, those that run the
    lines using what it defines; quickest first."""
    if mutant.lines is not None:
        return mapping.tests(mutant.module, set(range(mutant.lines[0], mutant.lines[1] + 1)))
    tests: dict[str, None] = {}
    for module, lines in _uses(mutant.names).items():
        tests.update(dict.fromkeys(mapping.tests(module, lines)))
    if not tests:  # used nowhere in a function: every test that runs the module
        lines = set(mapping.lines.get(mutant.module, {}))
        tests.update(dict.fromkeys(mapping.tests(mutant.module, lines)))
    seconds = mapping.function_seconds()
    return sorted(tests, key=lambda test: (seconds.get(test, 0.0), test))


# The run, and the report.


def _equivalents() -> dict[str, str]:
    """The mutants that change nothing observable, by key, with the reason."""
    if not EQUIVALENTS.exists():
        return {}
    return {entry["mutant"]: entry["reason"] for entry in json.loads(EQUIVALENTS.read_text(encoding="utf-8"))}


DETECTED = ("killed", "timed out")


def _as_listed(done: dict | None) -> dict:
    """What a mutant tools/mutation-equivalents.json lists comes to: equivalent, unless the journal holds that a test
    detected it (a run with --equivalents): then the list is wrong, and the result says so."""
    return done if done is not None and done["status"] in DETECTED else {"status": "survived", "by": "equivalent"}


def _measured_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    changed = git("status", "--porcelain", "--", "cli", "tests")
    return f"{commit}" + (" with uncommitted changes to cli/ or tests/" if changed else "")


def _coverage_note(results: dict[str, list[tuple[Mutant, dict]]]) -> list[str]:
    """Which modules were measured whole, which in part (some mutants not run, or survivors of --quick only), and
    which not at all."""
    whole, part, none = [], [], []
    for module, found in results.items():
        run = [entry for _, entry in found if entry.get("by") != "equivalent"]
        unrun = sum(1 for entry in run if entry["status"] == "not run")
        quick = sum(1 for entry in run if entry.get("partial") and entry["status"] == "survived")
        if run and unrun == len(run):
            none.append(f"{module}.py")
        elif unrun or quick:
            how = [f"{unrun} not run"] if unrun else []
            how += [f"{quick} survivors of --quick only"] if quick else []
            part.append(f"{module}.py ({', '.join(how)})")
        else:
            whole.append(f"{module}.py")
    return [
        f"Measured whole: {', '.join(whole) or 'none'}. In part: {', '.join(part) or 'none'}. "
        f"Not measured: {', '.join(none) or 'none'}."
    ]


def report(results: dict[str, list[tuple[Mutant, dict]]], seconds: float | None, jobs: int) -> str:
    equivalents = _equivalents()
    jobs_run = f"{jobs} job{'s' if jobs > 1 else ''}"
    if seconds is None:
        how = "by `python tools/mutate.py --report`, from the journal of the runs that measured them"
    else:
        how = f"by `python tools/mutate.py` ({jobs_run}, {seconds / 60:.0f} minutes of this run; results of mutants"
        how += " whose module and tests had not changed were taken from the journal)"
    lines = [
        "# Mutation testing: results",
        "",
        f"Measured on commit {_measured_commit()} {how}: every figure is of that commit's code of the module and",
        "of the tests (the journal keeps what a mutant came to only while the module's code, and the tests that",
        "killed it or that it survived, are unchanged: a mutant of code or tests changed since is counted as not run).",
        *_coverage_note(results),
        "How it works and how to run it: docs/DEVELOPMENT.md.",
        "Tried: the mutants run against the tests; score: those detected (killed or timed out) over those tried. The",
        "equivalent mutants (tools/mutation-equivalents.json, with the reason each changes nothing observable) are not",
        "run and not counted.",
        "",
        "| module | mutants | tried | killed | timed out | survived | equivalent | not run | score | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    details = []
    details_wrong: list[tuple[str, Mutant, dict]] = []
    for module, found in results.items():
        counts = dict.fromkeys(("killed", "timed out", "survived", "error", "not run"), 0)
        survivors, equivalent, unrun = [], [], []
        for mutant, entry in found:
            if entry["status"] == "survived" and mutant.key in equivalents:
                equivalent.append((mutant, equivalents[mutant.key]))
                continue
            counts[entry["status"]] += 1
            if entry["status"] in DETECTED and mutant.key in equivalents:
                details_wrong.append((module, mutant, entry))
            if entry["status"] not in ("killed", "not run"):
                survivors.append((mutant, entry))
            if entry["status"] == "not run":
                unrun.append(mutant)
        tried = len(found) - len(equivalent) - counts["not run"]
        detected = counts["killed"] + counts["timed out"]
        score = f"{100.0 * detected / tried:.1f}%" if tried else "–"
        goal = MODULES[module]
        mark = " (below)" if tried and 100.0 * detected / tried < goal else ""
        quick = sum(1 for _, entry in survivors if entry.get("partial") and entry["status"] != "timed out")
        mark = f" ({quick} after --quick only)" if quick else mark
        mark = f" (not measured whole){mark}" if counts["not run"] else mark
        lines.append(
            f"| {module}.py | {len(found)} | {tried} | {counts['killed']} | {counts['timed out']} | "
            f"{counts['survived'] + counts['error']} | {len(equivalent)} | {counts['not run']} | {score} | "
            f"≥ {goal}%{mark} |"
        )
        if survivors or equivalent or unrun:
            details += ["", f"## {module}.py", ""]
        survivors.sort(key=lambda item: item[1]["status"] == "timed out")
        for mutant, entry in survivors:
            why = " (no test runs this line)" if entry.get("by") == "no test" else ""
            why = " (only the quickest tests ran: --quick)" if entry.get("partial") else why
            status = "survived" if entry["status"] == "error" else entry["status"]
            if entry["status"] == "error":
                why = " (no test named as failing it: pytest could not run them, or failed otherwise)"
            details.append(f"- {status}: cli/{module}.py:{mutant.line} in `{mutant.scope}`: {mutant.describe()}{why}")
        for mutant, reason in equivalent:
            details.append(f"- equivalent: cli/{module}.py:{mutant.line} in `{mutant.scope}`: {mutant.describe()}")
            details.append(f"  ({reason})")
        if unrun and len(unrun) <= 60:
            lines_unrun = ", ".join(str(mutant.line) for mutant in unrun)
            details.append(f"- not run yet ({len(unrun)}), at lines {lines_unrun}")
        elif unrun:
            details.append(f"- not run yet: {len(unrun)} mutants")
    if details_wrong:
        details += ["", f"## Listed in {EQUIVALENTS.name}, but detected: take them out of the list", ""]
        for module, mutant, entry in details_wrong:
            by = f" by {entry['by']}" if entry.get("by") else ""
            where = f"cli/{module}.py:{mutant.line} in `{mutant.scope}`"
            details.append(f"- {entry['status']}{by}: {where}: {mutant.describe()}")
    return "\n".join([*lines, *details]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"modules of cli/ (default: {' '.join(MODULES)})")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once, each in its own environment")
    parser.add_argument("--list", action="store_true", help="list the mutants and the tests each would run")
    parser.add_argument("--fresh", action="store_true", help="forget the journal: run every mutant again")
    parser.add_argument(
        "--quick",
        type=float,
        metavar="SECONDS",
        help="run only the quickest tests against a mutant, as many as took SECONDS when traced (a survivor may "
        "then be killed by the rest: run again without --quick to find out)",
    )
    parser.add_argument("--state", type=Path, help="where the journal, the test map and copies live")
    parser.add_argument(
        "--equivalents",
        action="store_true",
        help=f"run the mutants {EQUIVALENTS.name} lists too: one a test kills is counted so, and named to be taken "
        "out of the list",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help=f"write {RESULTS.relative_to(REPO)} from the journal, running no mutant (what was not run is counted "
        "so); with modules named, print theirs instead",
    )
    arguments = parser.parse_args()
    modules = arguments.modules or list(MODULES)
    unknown = [module for module in modules if module not in MODULES]
    if unknown:
        parser.error(f"not a module mutated here: {', '.join(unknown)} (one of {', '.join(MODULES)})")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    state = arguments.state or cache / "facts-mutation"
    state.mkdir(parents=True, exist_ok=True)
    import fcntl

    lock = (state / "run.lock").open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(f"mutate: another run is using {state}")
    all_mutants = {module: mutants(module, (SOURCE / f"{module}.py").read_bytes()) for module in modules}
    known = {mutant.key for found in all_mutants.values() for mutant in found}
    for key in sorted(_equivalents()):
        if key.split("|", 1)[0] in modules and key not in known:
            print(f"mutate: {EQUIVALENTS.name} lists a mutant there is not (any more): {key}", flush=True)
    started = time.monotonic()
    stopping = []

    def stop(signum: int, frame: object) -> None:
        stopping.append(signum)
        for environment in environments:
            environment.stop()

    environments = [Environment(Path(sys.prefix) / "bin" / "python", state)]
    environments[0].recover()
    environments[0].check(list(MODULES))
    mapping = test_map(environments[0], state)
    if arguments.list:
        for module, found in all_mutants.items():
            for mutant in found:
                tests = selection(mapping, mutant)
                print(f"cli/{module}.py:{mutant.line} {mutant.describe()} [{len(tests)} tests]")
        return
    if arguments.report:
        journal = Journal(state / "journal.jsonl", fresh=False)
        equivalents = _equivalents()
        results = {module: [] for module in modules}
        for module in modules:
            digest = _file_digest(f"cli/{module}.py")
            for mutant in all_mutants[module]:
                tests = selection(mapping, mutant)
                done = journal.get(digest, mutant, context(tests), quick=False)
                if mutant.key in equivalents:
                    done = _as_listed(done)
                last = journal.entries.get((digest, mutant.key))
                if done is None and last is not None and last["partial"] and last["status"] != "killed":
                    done = last  # survived the quickest tests (--quick): listed as such
                done = done or ({"status": "survived", "by": "no test"} if not tests else {"status": "not run"})
                results[module].append((mutant, done))
        written = report(results, None, arguments.jobs)
        if modules == list(MODULES):
            RESULTS.write_text(written, encoding="utf-8")
            print(f"mutate: results in {RESULTS.relative_to(REPO)}")
        else:
            print(written)
        return
    environments = worker_environments(arguments.jobs, state)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    journal = Journal(state / "journal.jsonl", arguments.fresh)
    free = list(environments)
    results: dict[str, list[tuple[Mutant, dict]]] = {module: [] for module in modules}

    def one(module: str, mutant: Mutant, tests: list[str], key: str, partial: bool) -> dict:
        if stopping:
            raise KeyboardInterrupt
        environment = free.pop()
        try:
            data = apply((SOURCE / f"{module}.py").read_bytes(), mutant)
            timeout = TIMEOUT_FACTOR * mapping.seconds(tests) + TIMEOUT_MARGIN
            outcome = environment.run(module, data, tests, timeout)
        finally:
            free.append(environment)
        if stopping:
            raise KeyboardInterrupt
        return journal.add(digests[module], mutant, key, partial, outcome)

    equivalents = _equivalents()
    digests = {module: _file_digest(f"cli/{module}.py") for module in modules}
    with ThreadPoolExecutor(max_workers=len(environments)) as pool:
        for module in modules:
            module_started, pending = time.monotonic(), []
            kills = journal.kills(digests[module])
            for mutant in all_mutants[module]:
                tests = likeliest_first(selection(mapping, mutant), kills)
                quick = _quickest(mapping, tests, arguments.quick) if arguments.quick is not None else tests
                partial, tests = len(quick) < len(tests), quick
                key = context(tests)
                done = journal.get(digests[module], mutant, key, arguments.quick is not None)
                if mutant.key in equivalents and not arguments.equivalents:
                    results[module].append((mutant, _as_listed(done)))
                    continue
                if done is None and not tests:
                    done = journal.add(digests[module], mutant, key, False, Outcome("survived", 0.0, "no test"))
                if done is not None:
                    results[module].append((mutant, done))
                else:
                    pending.append((mutant, pool.submit(one, module, mutant, tests, key, partial)))
            for number, (mutant, future) in enumerate(pending, 1):
                try:
                    entry = future.result()
                except KeyboardInterrupt:
                    pool.shutdown(wait=True, cancel_futures=True)
                    for environment in environments:
                        environment.close()
                        environment.check(list(MODULES))
                    sys.exit("mutate: stopped; every module is as installed. Run again to go on where it stopped.")
                results[module].append((mutant, entry))
                print(
                    f"{module} {number}/{len(pending)} {entry['status']:9} {entry['seconds']:6.1f}s "
                    f"cli/{module}.py:{mutant.line} {mutant.describe()}"
                    + (" (listed as equivalent)" if mutant.key in equivalents else ""),
                    flush=True,
                )
            results[module].sort(key=lambda item: (item[0].start, item[0].kind))
            print(
                f"mutate: {module}: {len(all_mutants[module])} mutants, {len(pending)} run, "
                f"{time.monotonic() - module_started:.0f} s",
                flush=True,
            )
    for environment in environments:
        environment.close()
        environment.check(list(MODULES))
    if modules == list(MODULES):
        RESULTS.write_text(report(results, time.monotonic() - started, arguments.jobs), encoding="utf-8")
        print(f"mutate: results in {RESULTS.relative_to(REPO)}")
    else:
        print(report(results, time.monotonic() - started, arguments.jobs))


if __name__ == "__main__":
    main()
