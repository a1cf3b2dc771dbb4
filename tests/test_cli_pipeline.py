"""End to end, `facts` in pipelines and scripts: closed pipes, Ctrl-C, odd locales and encodings, colour settings,
output that cannot be written, and no traceback for a user in any of them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BUNDLED, FACTS_BIN, clean_environment, in_pty, in_the_foreground, write_store

TRACEBACK = "Traceback (most recent call last)"
ESCAPE = re.compile(rb"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    """The bundled facts replicated to 10,000 (new ids), for output long enough to outlast a pipe or a signal."""
    document = json.loads(BUNDLED.read_text(encoding="utf-8"))
    facts = list(document["facts"].values())
    document["facts"] = {
        str(i + 1): {**facts[i % len(facts)], "id": f"{facts[i % len(facts)]['id']}-{i}"} for i in range(10_000)
    }
    return write_store(tmp_path_factory.mktemp("big") / "big.json", document)


def start(args: list[str], tmp_path: Path, **environ: str) -> subprocess.Popen:
    """`facts ARGS` started as a shell would start it in the foreground: SIGINT delivered, not ignored."""
    return subprocess.Popen(
        [str(FACTS_BIN), *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**clean_environment(), "FACTS_CACHE_DIR": str(tmp_path / "cache"), **environ},
        preexec_fn=in_the_foreground,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--format", "jsonl"],
        ["list", "--format", "json"],
        ["list"],
        ["list", "--format", "csv"],
        ["list", "--format", "table"],
        ["search", "روسيا", "--format", "tsv"],
        ["export"],
        ["timeline", "--format", "jsonl"],
    ],
)
def test_a_reader_that_goes_away_ends_it_quietly(args, big_store, tmp_path):
    process = start([*args, "--db", str(big_store)], tmp_path)
    assert process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert stderr == ""


def test_a_reader_that_goes_away_keeps_the_exit_code_of_a_failure(big_store, tmp_path):
    broken = json.loads(big_store.read_text(encoding="utf-8"))
    for fact in broken["facts"].values():
        fact["status"] = "rumoured"
    path = write_store(tmp_path / "broken.json", broken)
    process = start(["validate", "--db", str(path)], tmp_path)
    assert process.stdout.readline().startswith(b"facts/")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 4
    assert stderr == f"facts: {path}: 10000 problems\n"


@pytest.mark.parametrize("delay", [0.1, 0.3])
def test_ctrl_c_exits_130_without_a_traceback(delay, big_store, tmp_path):
    """While modules load (0.1 s) or the store is read and searched (0.3 s): 130, and nothing on stderr.

    Not sooner: in its first 10 ms or so, CPython itself is starting and reports a signal its own way."""
    process = start(["search", "تسليم منظومات", "--format", "jsonl", "--db", str(big_store)], tmp_path)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr == b""


@pytest.mark.parametrize("variables", [{"LANG": "C"}, {"LC_ALL": "C"}, {"LC_ALL": "C", "LANG": "C"}])
def test_a_c_locale_still_writes_utf8(run, variables):
    result = run("search", "شويغو", "--format", "plain", "--fields", "claim", env=variables)
    assert result.returncode == 0, result.stderr
    assert "شويغو" in result.stdout


def test_an_ascii_stdout_gets_escaped_json_or_one_clear_line(run, bundled_document):
    env = {"PYTHONIOENCODING": "ascii"}
    as_json = run("list", "--format", "json", env=env)
    assert as_json.returncode == 0
    assert as_json.stdout.isascii()
    assert json.loads(as_json.stdout) == list(bundled_document["facts"].values())
    lines = run("search", "شويغو", "--format", "jsonl", env=env)
    assert lines.stdout.isascii() and "\\u0634\\u0648\\u064a\\u063a\\u0648" in lines.stdout
    assert run("show", "rt-byline", "--format", "json", env=env).returncode == 0
    plain = run("list", env=env)
    assert plain.returncode == 5
    assert plain.stderr.count("\n") == 1
    assert "cannot take U+" in plain.stderr and "PYTHONIOENCODING=utf-8" in plain.stderr
    assert TRACEBACK not in plain.stderr
    ascii_fields = run("list", "--fields", "id,type", env=env)
    assert ascii_fields.returncode == 0 and ascii_fields.stdout.isascii()


def test_import_reads_utf8_whatever_the_locale_says(run, tmp_path, bundled_document):
    path = tmp_path / "mine.json"
    assert run("init", str(path), "--empty").returncode == 0
    export = run("export").stdout
    result = run("import", "--db", str(path), input=export, env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
    assert result.returncode == 0, result.stderr
    assert json.loads(path.read_text(encoding="utf-8"))["facts"]["1"] == next(iter(bundled_document["facts"].values()))


def test_input_that_is_not_utf8_is_refused_in_one_line(tmp_path):
    path = tmp_path / "mine.json"
    subprocess.run([str(FACTS_BIN), "init", str(path), "--empty"], check=True, capture_output=True)
    before = path.read_bytes()
    result = subprocess.run(
        [str(FACTS_BIN), "import", "--db", str(path)], input=b'{"id": "\xff"}', capture_output=True, timeout=60
    )
    assert result.returncode == 4
    assert result.stderr.decode().count("\n") == 1 and b"not UTF-8" in result.stderr
    assert path.read_bytes() == before


def test_output_that_cannot_be_written_is_exit_5_in_one_line(tmp_path):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(FACTS_BIN), "export"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, cwd=tmp_path
        )
    assert result.returncode == 5
    assert result.stderr == "facts: cannot write the output: No space left on device\n"
    closed = subprocess.run(
        [str(FACTS_BIN), "list"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60
    )
    assert closed.returncode == 0
    shut = subprocess.run(f"'{FACTS_BIN}' list >&-", shell=True, stderr=subprocess.PIPE, text=True, timeout=60)
    assert shut.returncode == 5
    assert shut.stderr == "facts: cannot write the output: standard output is closed\n"


def test_an_internal_error_is_one_line_and_facts_debug_shows_the_traceback(tmp_path):
    """A broken installation (here: a module that fails to import) is a bug to report, not a traceback to read."""
    (tmp_path / "typer.py").write_text("raise RuntimeError('broken install')\n")
    environ = {**os.environ, "PYTHONPATH": str(tmp_path)}
    environ.pop("FACTS_DEBUG", None)
    result = subprocess.run([str(FACTS_BIN), "list"], capture_output=True, text=True, env=environ, timeout=60)
    assert result.returncode == 70
    assert result.stderr == (
        "facts: internal error (a bug): RuntimeError: broken install; FACTS_DEBUG=1 shows the traceback\n"
    )
    debug = subprocess.run(
        [str(FACTS_BIN), "list"], capture_output=True, text=True, env={**environ, "FACTS_DEBUG": "1"}, timeout=60
    )
    assert debug.returncode == 70
    assert debug.stderr.startswith(TRACEBACK)
    assert debug.stderr.endswith("facts: internal error (a bug): RuntimeError: broken install\n")


def test_ctrl_c_while_modules_load_is_130_too(tmp_path):
    """Deterministically: a module whose import is interrupted, as Ctrl-C during start-up would."""
    (tmp_path / "typer.py").write_text("raise KeyboardInterrupt\n")
    result = subprocess.run(
        [str(FACTS_BIN), "list"], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tmp_path)}
    )
    assert (result.returncode, result.stderr) == (130, "")


@pytest.mark.parametrize(
    ("variables", "coloured"),
    [
        ({"TERM": "xterm"}, True),
        ({"TERM": "xterm", "NO_COLOR": "1"}, False),
        ({"TERM": "dumb"}, False),
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, True),
    ],
)
def test_colour_follows_no_color_force_color_and_term(variables, coloured):
    output = in_pty([str(FACTS_BIN), "list", "--limit", "2"], clean_environment(COLUMNS="100", **variables))
    assert bool(ESCAPE.search(output)) is coloured


def test_force_color_colours_a_piped_table_and_never_machine_output(run):
    table = run("list", "--format", "table", "--limit", "2", env={"FORCE_COLOR": "1", "COLUMNS": "100"})
    assert ESCAPE.search(table.stdout.encode())
    for fmt in ("plain", "json", "jsonl", "csv", "tsv"):
        machine = run("list", "--format", fmt, env={"FORCE_COLOR": "1"})
        assert not ESCAPE.search(machine.stdout.encode()), fmt


@pytest.mark.parametrize("columns", ["20", "64", "200"])
def test_columns_sets_the_width_of_tables(run, columns):
    result = run("list", "--format", "table", "--bidi", "logical", env={"COLUMNS": columns})
    assert result.returncode == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= int(columns)
